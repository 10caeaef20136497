"""What every policy lever shares: the on/off switch, the rule after the transition period, the
assistance intensity of county classes, and cost indicators.

Levers never import each other. They meet through state the engine holds: per-county arrays that the
`transition` and `county_classes` components publish on the model (absent when those are disabled,
which reads as full strength and intensity 1), and the shared household arrays in `households.py`.
"""

from typing import Literal

import numpy as np

from .indicators import Indicator
from .params import Section, param

AfterTransition = Literal["maintain", "taper", "end"]


class LeverParams(Section):
    """Fields every lever has. A lever's own Params subclass this (and may change the defaults)."""

    enabled: bool = param(True, unit="switch", source="convention", doc="Whether the lever runs at all.")
    after_transition: AfterTransition = param(
        "maintain", unit="rule", source="seed 001: policies held stable inside the transition period",
        doc="What happens after a county's transition period: maintain, taper (linearly over taper_years) or end.")
    taper_years: float = param(3.0, unit="years", gt=0.0, le=20.0, source="assumption",
                               doc="Length of the linear taper when after_transition is 'taper'.")


def strength(model, params: LeverParams) -> np.ndarray:
    """Per-county strength of a lever this month, in [0, 1].

    Inside a county's transition window the "four no removals" keep every lever at full strength;
    after it the lever's own rule applies.
    """
    after = getattr(model, "months_after_transition", None)
    n = len(model.counties)
    if after is None or params.after_transition == "maintain":
        return np.ones(n)
    past = after >= 0
    if params.after_transition == "end":
        return np.where(past, 0.0, 1.0)
    taper = 1.0 - (after + 1) / (12.0 * params.taper_years)
    return np.where(past, np.clip(taper, 0.0, 1.0), 1.0)


def intensity(model) -> np.ndarray:
    """Per-county assistance intensity from the county classes (1 where that component is off)."""
    value = getattr(model, "assistance_intensity", None)
    return np.ones(len(model.counties)) if value is None else value


def cost_indicator(lever: str, doc: str) -> Indicator:
    """The monthly fiscal cost of a lever, named `cost_<lever>_yuan` so planners find them together."""
    return Indicator(f"cost_{lever}_yuan", "yuan", "flow", doc)
