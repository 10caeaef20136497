"""The model the dashboard steps: RuralModel driven by lever keywords, with its baseline beside it.

SolaraViz re-creates the model from plain keyword arguments on Reset, so the levers are keywords
here and become dotted scenario overrides. The baseline — same region, scale and seed, no lever
moved — is run once to the horizon and cached: on common random numbers, any gap between the two
curves is the levers' doing, not luck.
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from ...core.model import RuralModel
from ...experiments.results import indicator_catalogue
from .levers import LEVERS, LEVERS_BY_KEYWORD, baseline_levers, default_scale, scenario_overrides

COST_INDICATORS = tuple(name for name in indicator_catalogue() if name.startswith("cost_"))
TOTAL_COST = "cost_total_yuan"  # derived: the sum of every lever's fiscal cost


@dataclass(frozen=True)
class Trajectory:
    """Monthly region-wide values of a run's recorded months (group 'all')."""

    months: pd.DatetimeIndex
    values: dict[str, np.ndarray]

    def __getitem__(self, name: str) -> np.ndarray:
        return self.values[name]


def trajectory(model: RuralModel) -> Trajectory:
    """What the model has recorded so far, plus the total fiscal cost."""
    months_done = max(model.month_index, 0)
    recorded = model.recorder.values[:months_done, :, 0]
    values = {name: recorded[:, k] for name, k in model.recorder.index.items()}
    values[TOTAL_COST] = np.nansum([values[name] for name in COST_INDICATORS], axis=0) if months_done else np.zeros(0)
    months = pd.date_range(f"{model.scenario.run.start_month}-01", periods=months_done, freq="MS")
    return Trajectory(months, values)


@lru_cache(maxsize=8)
def baseline_trajectory(*, region: str, scale: float, seed: int, years: int) -> Trajectory:
    """The baseline run to the horizon (about a second at the default scales), cached per setting."""
    model = RuralModel(seed=seed, scale=scale, years=years, region=region).run()
    model.release()
    return trajectory(model)


class DashboardModel(RuralModel):
    """RuralModel with the dashboard's levers as keyword arguments and the baseline alongside."""

    def __init__(self, *, region: str = "xinzhou", scale: float | None = None, seed: int | None = None,
                 years: int | None = None, after_transition: str | None = None,
                 transition_extension_years: int | None = None, pv_household_share: float | None = None,
                 pv_post_wage_yuan_per_month: int | None = None, workshop_sites_multiplier: float | None = None,
                 workshop_subsidy_yuan_per_worker_year: int | None = None,
                 monitoring_detection_factor: float | None = None):
        given = dict(after_transition=after_transition, transition_extension_years=transition_extension_years,
                     pv_household_share=pv_household_share, pv_post_wage_yuan_per_month=pv_post_wage_yuan_per_month,
                     workshop_sites_multiplier=workshop_sites_multiplier,
                     workshop_subsidy_yuan_per_worker_year=workshop_subsidy_yuan_per_worker_year,
                     monitoring_detection_factor=monitoring_detection_factor)
        assert set(given) == {lever.keyword for lever in LEVERS}, "DashboardModel's keywords must match LEVERS"
        baseline = baseline_levers()
        self.lever_values = {k: baseline[k] if v is None else LEVERS_BY_KEYWORD[k].settle(v) for k, v in given.items()}
        scale = default_scale(region) if scale is None else scale
        # by county for the map panel (sim/ui/dashboard/map_panel.py): read-only, no result changes
        super().__init__(seed=seed, scale=scale, years=years, region=region, run__by="county",
                         **scenario_overrides(self.lever_values))
        run = self.scenario.run
        self.baseline = baseline_trajectory(region=run.region, scale=run.scale, seed=self.seed, years=run.years)
        self.release()  # every Reset makes a new model: let mesa's id counter not keep the old ones alive

    def current(self) -> Trajectory:
        return trajectory(self)
