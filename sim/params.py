"""The one way a model parameter is declared: default, unit, allowed range and source together.

Every scenario section is a pydantic model whose fields are built with `param`, so the schema is
the single source of truth for defaults, units, ranges and sources (docs and error messages read it).
"""

from typing import Any

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
