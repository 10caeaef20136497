"""The one way a model parameter is declared: default, unit, allowed range and source together.

Every scenario section is a pydantic model whose fields are built with `param`, so the schema is
the single source of truth for defaults, units, ranges and sources (docs and error messages read it).
"""

from typing import Any

import numpy as np

from pydantic import BaseModel, ConfigDict, Field

ASSUMPTION = "assumption"


def param(default: Any, *, unit: str, source: str, doc: str, ge=None, le=None, gt=None, lt=None):
    """A scenario parameter. `source` is a seed file name, a public source, or "assumption"."""
    return Field(
        default,
        ge=ge,
        le=le,
        gt=gt,
        lt=lt,
        description=doc,
        json_schema_extra={"unit": unit, "source": source},
    )


class Section(BaseModel):
    """Base of every scenario section: unknown keys and wrong types are errors, never coerced."""

    model_config = ConfigDict(extra="forbid", strict=True, validate_assignment=True, validate_default=True)


def describe(section: type[BaseModel]) -> list[dict]:
    """Rows (name, default, unit, range, source, doc) for docs and error messages."""
    rows = []
    for name, field in section.model_fields.items():
        extra = field.json_schema_extra or {}
        rows.append(
            {
                "name": name,
                "default": field.default,
                "unit": extra.get("unit", ""),
                "range": allowed_range(field),
                "source": extra.get("source", ""),
                "doc": field.description or "",
            }
        )
    return rows


def allowed_range(field) -> str:
    """A field's bounds as an interval, e.g. "[0.0, 1.0]" or "(0.0, 1.0]"; "any" when unbounded."""
    bounds = {}
    for m in field.metadata:
        for key in ("ge", "gt", "le", "lt"):
            if getattr(m, key, None) is not None:
                bounds[key] = getattr(m, key)
    low = bounds.get("ge", bounds.get("gt"))
    high = bounds.get("le", bounds.get("lt"))
    if low is None and high is None:
        return "any"
    left = "[" if "ge" in bounds else "("
    right = "]" if "le" in bounds else ")"
    return f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"


# --- values by calendar year: standards and growth rates that policy or statistics fix year by year ----

def validate_year_table(table: dict[str, float], *, low: float, high: float) -> dict[str, float]:
    """Keys are years "YYYY" (TOML keys are strings), values numbers in [low, high]."""
    for key, value in table.items():
        if not (len(key) == 4 and key.isdigit() and 2000 <= int(key) <= 2060):
            raise ValueError(f"key '{key}' must be a year 'YYYY' between 2000 and 2060")
        if not (low <= value <= high):
            raise ValueError(f"value for {key} must be in [{low:g}, {high:g}] (got {value:g})")
    return table


def value_in_year(table: dict[str, float], year: int, growth_after: float) -> float:
    """A yearly standard: the table's value for `year`; between listed years interpolated; before the first
    listed year the first value; after the last, the last value grown at `growth_after` a year."""
    years = sorted(int(k) for k in table)
    if year in years:
        return float(table[str(year)])
    if year < years[0]:
        return float(table[str(years[0])])
    if year > years[-1]:
        return float(table[str(years[-1])]) * (1.0 + growth_after) ** (year - years[-1])
    before = max(y for y in years if y < year)
    after = min(y for y in years if y > year)
    share = (year - before) / (after - before)
    return float(table[str(before)]) * (1 - share) + float(table[str(after)]) * share


def growth_index(rates: dict[str, float], default_rate: float, years_since_2020: float) -> float:
    """Level in a month relative to 2020's, when the level of year Y is `1 + rates[Y]` times year Y-1's
    (`default_rate` for years not listed). Constant within a calendar year (wages and prices are set
    yearly), so a calendar year's 12-month income grows by exactly the year's rate."""
    year = 2020 + int(np.floor(years_since_2020 + 1e-9))
    level = 1.0
    for y in range(2021, year + 1):
        level *= 1.0 + rates.get(str(y), default_rate)
    for y in range(year + 1, 2021):  # years before 2020: divide back
        level /= 1.0 + rates.get(str(y), default_rate)
    return level
