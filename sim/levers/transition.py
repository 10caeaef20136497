"""The transition period: a window per county after its poverty exit in which policies stay as they are.

Publishes `model.transition_last_month` (the last month of each county's window, as an absolute month)
and `model.months_after_transition` (per county; negative inside the window, 0 in the first month after
it) for `policy.strength`, which each lever combines with its own after-transition rule.
Counties that were never poverty counties follow the window of the region's last exit year.
"""

import re

import numpy as np
from pydantic import field_validator

from ..core.component import Component
from ..core.params import Section, param


class TransitionParams(Section):
    window_years: int = param(5, unit="years", ge=0, le=30,
                              source="seed 001_c23c8de74b03ebd3.txt: five years from poverty exit",
                              doc="Length of the transition window, counted from January of the year after exit.")
    extension_years: int = param(0, unit="years", ge=0, le=20, source="scenario lever",
                                 doc="Years added to every county's window (e.g. 5 for an extension).")
    fixed_end_month: str = param(
        "", unit="YYYY-MM or empty", source="scenario lever",
        doc="If set, every county's window ends with this month instead (e.g. '2025-12', the national period).")

    @field_validator("fixed_end_month")
    @classmethod
    def _month(cls, v: str) -> str:
        if v and not re.fullmatch(r"(20[1-4]\d)-(0[1-9]|1[0-2])", v):
            raise ValueError("must be empty or a month 'YYYY-MM' between 2010-01 and 2049-12")
        return v


class Transition(Component):
    name = "transition"
    Params = TransitionParams

    def setup(self, model) -> None:
        p = self.params
        exit_year = model.counties.poverty_exit_year.astype(np.int64)
        latest = exit_year.max() if exit_year.max() > 0 else model.year
        exit_year = np.where(exit_year > 0, exit_year, latest)
        if p.fixed_end_month:
            year, month = (int(x) for x in p.fixed_end_month.split("-"))
            last_month = np.full(len(exit_year), year * 12 + month - 1)
        else:
            # window starts in January after the exit year and lasts window_years (+ extension)
            last_month = (exit_year + p.window_years + p.extension_years) * 12 + 11
        self.last_month = last_month + (12 * p.extension_years if p.fixed_end_month else 0)
        model.transition_last_month = self.last_month  # levers turn their after_transition rule into a schedule
        model.months_after_transition = model.absolute_month - self.last_month - 1

    def step(self, model) -> None:
        model.months_after_transition[:] = model.absolute_month - self.last_month - 1

    @staticmethod
    def window_end(model) -> list[str]:
        """Last month of each county's window, for reports."""
        comp = next(c for c in model.components if isinstance(c, Transition))
        return [f"{m // 12}-{m % 12 + 1:02d}" for m in comp.last_month]
