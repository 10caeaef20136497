"""Numbers for people: significant digits by magnitude, thousands separators, no '-0' or '-0.000'."""

import math

import numpy as np


def fmt(value, digits: int = 3) -> str:
    """`digits` significant digits (whole numbers from 1,000 up, with separators); NaN is '-'.

    >>> [fmt(v) for v in (1234567.8, 12.345, -0.0001234, -0.0, 0.99951, float("nan"))]
    ['1,234,568', '12.3', '-0.000123', '0', '1', '-']
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value != value:
        return "-"
    value = float(value)
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    if abs(value) >= 1000:
        text = f"{value:,.0f}"
    else:
        rounded = float(f"{value:.{digits}g}")
        text = f"{rounded:,.0f}" if abs(rounded) >= 1000 else np.format_float_positional(rounded, trim="-")
    return "0" if text.lstrip("-").strip("0.,") == "" else text


def fmt_signed(value, digits: int = 3) -> str:
    """As fmt, with a '+' on positive numbers (for differences)."""
    text = fmt(value, digits)
    return "+" + text if text not in ("-", "0") and not text.startswith("-") else text
