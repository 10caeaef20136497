import math
import re

from hypothesis import given
from hypothesis import strategies as st

from sim.ui.formatting import fmt, fmt_signed


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_numbers_keep_three_significant_digits_and_never_show_minus_zero(value):
    text = fmt(value)
    assert not re.fullmatch(r"-0([.,]0*)?", text) and "e" not in text
    parsed = float(text.replace(",", ""))
    if abs(value) >= 1000:
        assert abs(parsed - value) <= 0.5 + 1e-9 * abs(value)
    elif value != 0 and parsed != 0:
        assert math.isclose(parsed, value, rel_tol=5e-3)
    assert fmt_signed(value).lstrip("+") == text


def test_examples():
    assert [fmt(v) for v in (1234567.8, 12.345, -0.0001234, -0.0, 0.99951, float("nan"), 999.7)] == \
        ["1,234,568", "12.3", "-0.000123", "0", "1", "-", "1,000"]
    assert fmt_signed(3.0) == "+3" and fmt_signed(-3.0) == "-3" and fmt_signed(0.0) == "0"
