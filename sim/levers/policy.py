"""What every policy lever shares: the on/off switch, the rule after the transition period, the
assistance intensity of county classes, and cost indicators.

Levers never import each other. They meet through state the engine holds: per-county arrays that the
`transition` and `county_classes` components publish on the model (absent when those are disabled,
which reads as full strength and intensity 1), and the shared household arrays in `households.py`.
"""

from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import model_validator

from ..core import schedules
from ..core.indicators import Indicator
from ..core.params import Section, param

AfterTransition = Literal["maintain", "taper", "end"]


class LeverParams(Section):
    """Fields every lever has. A lever's own Params subclass this (and may change the defaults)."""

    enabled: bool = param(True, unit="switch", source="convention", doc="Whether the lever runs at all.")
    after_transition: AfterTransition = param(
        "maintain", unit="rule", source="seed 001: policies held stable inside the transition period",
        doc="What happens after a county's transition period: maintain, taper (linearly over taper_years) or end.")
    taper_years: float = param(3.0, unit="years", gt=0.0, le=20.0, source="assumption",
                               doc="Length of the linear taper when after_transition is 'taper'.")
    strength: float = param(
        1.0, unit="share of full strength", ge=0.0, le=1.0, source="scenario lever",
        doc="The lever's own strength, multiplying the transition rule's (e.g. 0.5 from a date in a schedule: "
            "half the places, posts' subsidy, cover or effort the lever's section describes).")
    schedule: list[dict[str, float | int | str]] = param(
        [], unit="dated changes", source="scenario lever",
        doc="Dated changes of the lever's numeric parameters: [[<lever>.schedule]] tables with from = 'YYYY-MM' "
            "(inside the horizon) and new values (e.g. strength = 0.5), or inline as parameter = "
            "{ YYYY-MM = value, ... } (sim/core/schedules.py).")

    # parameters the lever reads only at setup (sites, stations, enrolment): a schedule may not change them
    fixed_at_setup: ClassVar[tuple[str, ...]] = ("taper_years",)

    @model_validator(mode="before")
    @classmethod
    def _inline_schedules(cls, data: Any) -> Any:
        return schedules.inline_to_entries(cls, data)


def rule_strength(months_after_transition: np.ndarray, after_transition: str, taper_years: float) -> np.ndarray:
    """The `after_transition` rule as a strength schedule, for any months after each county's window
    (negative inside it): 1 inside; afterwards 1 (maintain), 0 (end) or a linear fall to 0 over taper_years."""
    after = np.asarray(months_after_transition)
    if after_transition == "maintain":
        return np.ones(after.shape)
    past = after >= 0
    if after_transition == "end":
        return np.where(past, 0.0, 1.0)
    taper = 1.0 - (after + 1) / (12.0 * taper_years)
    return np.where(past, np.clip(taper, 0.0, 1.0), 1.0)


def strength(model, params: LeverParams) -> np.ndarray:
    """Per-county strength of a lever this month, in [0, 1]: the transition rule's schedule times the
    lever's own `strength` (as in force this month, sim/core/schedules.py).

    Inside a county's transition window the "four no removals" keep every lever at full strength;
    after it the lever's own rule applies. The rule is a dated schedule per county: a table of strength
    by month and county, built once per rule (`rule_table`) and read at the current month.
    """
    n = len(model.counties)
    own = float(getattr(params, "strength", 1.0))
    after = getattr(model, "months_after_transition", None)
    if after is None or params.after_transition == "maintain":
        return np.full(n, own) if own != 1.0 else np.ones(n)
    table, first_month = rule_table(model, params.after_transition, params.taper_years)
    row = table[min(model.absolute_month - first_month, len(table) - 1)]
    return row * own if own != 1.0 else row.copy()


def rule_table(model, after_transition: str, taper_years: float) -> tuple[np.ndarray, int]:
    """Strength by month (rows, from the model's first month to the end of the horizon) and county under a
    rule, cached on the model, from the last month of each county's window (published by the transition
    component at setup)."""
    cache = model.__dict__.setdefault("_rule_tables", {})
    key = (after_transition, taper_years)
    if key not in cache:
        first_month = model.start_month_index - model.scenario.run.warmup_months
        months = np.arange(first_month, model.start_month_index + model.n_months + 1)
        last_of_window = np.asarray(model.transition_last_month)
        after = months[:, None] - last_of_window[None, :] - 1
        cache[key] = (rule_strength(after, after_transition, taper_years), first_month)
    return cache[key]


def intensity(model) -> np.ndarray:
    """Per-county assistance intensity from the county classes (1 where that component is off)."""
    value = getattr(model, "assistance_intensity", None)
    return np.ones(len(model.counties)) if value is None else value


def cost_indicator(lever: str, doc: str) -> Indicator:
    """The monthly fiscal cost of a lever, named `cost_<lever>_yuan` so planners find them together."""
    return Indicator(f"cost_{lever}_yuan", "yuan", "flow", doc)
