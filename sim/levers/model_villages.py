"""Model and upgraded villages under the "Ten Thousand Villages" approach (seed 000).

Each January from the programme's start year, a share of the region's villages joins the programme,
as model villages or as upgraded ones. A village stays in it for good: its collective gains a yearly
income (assets, services and industries the investment brings) and its labourers find local wage work
more easily (more local jobs). The investment is the fiscal cost, booked in the month of selection.

Selection is a weighted lottery among villages not yet in the programme, weighted by the county's
assistance intensity (key assistance counties first in expectation), not tied to former poor villages:
the programme is about comprehensive revitalisation, not poverty. The first draws of the lottery
become model villages, the next ones upgraded villages. How many join follows the lever's strength in
each village's county, so after-transition rules slow or stop new selections; joined villages keep
their effects.

The share of villages whose collective income exceeds 50,000 yuan is a core indicator (sim/dynamics/metrics.py).
"""

import numpy as np
from pydantic import model_validator

from . import policy
from ..core import seeds
from ..core.component import Component, State
from ..core.households import ranges
from ..core.indicators import Indicator
from ..core.params import param
from .policy import LeverParams

SEED_000 = "seed 000_319fdd0acca0fa0b.txt"
XINZHOU_VILLAGES = seeds.value("xinzhou_village_party_secretaries_2024")
UPGRADED, MODEL = 1, 2


def _share(stat_id: str) -> float:
    return round(seeds.value(stat_id) / XINZHOU_VILLAGES, 5)


class ModelVillagesParams(LeverParams):
    start_year: int = param(2024, unit="year", ge=2000, le=2100, source=f"{SEED_000}: first year, 2024",
                            doc="First year villages join the programme.")
    end_year: int = param(2030, unit="year", ge=2000, le=2100,
                          source="assumption: selections continue through the 15th Five-Year Plan's target year",
                          doc="Last year villages join the programme (effects continue after it).")
    model_share_first_year: float = param(
        _share("xinzhou_model_villages_2024"), unit="share of villages", ge=0.0, le=1.0,
        source=f"{SEED_000}: 42 model villages of 2,672 in 2024",
        doc="Share of all villages made model villages in the start year.")
    model_share_per_year: float = param(
        _share("xinzhou_model_villages_plan_2025"), unit="share of villages per year", ge=0.0, le=1.0,
        source=f"{SEED_000}: 40 of 2,672 planned for 2025; the same rate assumed afterwards",
        doc="Share of all villages made model villages in each later year.")
    upgraded_share_first_year: float = param(
        _share("xinzhou_upgraded_villages_2024"), unit="share of villages", ge=0.0, le=1.0,
        source=f"{SEED_000}: 291 upgraded villages of 2,672 in 2024",
        doc="Share of all villages upgraded in the start year.")
    upgraded_share_per_year: float = param(
        _share("xinzhou_upgraded_villages_plan_2025"), unit="share of villages per year", ge=0.0, le=1.0,
        source=f"{SEED_000}: 360 of 2,672 planned for 2025; the same rate assumed afterwards",
        doc="Share of all villages upgraded in each later year.")
    collective_income_model_yuan_per_year: float = param(
        60_000.0, unit="yuan per village per year", ge=0.0, le=10_000_000.0,
        source="assumption: rents, services and shares in industries from the investment",
        doc="Collective income a model village gains each year from joining.")
    collective_income_upgraded_yuan_per_year: float = param(
        20_000.0, unit="yuan per village per year", ge=0.0, le=10_000_000.0, source="assumption",
        doc="Collective income an upgraded village gains each year from joining.")
    local_finding_factor_model: float = param(
        1.3, unit="ratio", ge=0.0, le=10.0, source="assumption: tourism, services and processing jobs in the village",
        doc="Multiplier on the local job-finding chance of labourers in a model village.")
    local_finding_factor_upgraded: float = param(
        1.1, unit="ratio", ge=0.0, le=10.0, source="assumption",
        doc="Multiplier on the local job-finding chance of labourers in an upgraded village.")
    investment_model_yuan: float = param(
        2_000_000.0, unit="yuan per village", ge=0.0, le=1e9,
        source="assumption: a few million yuan per model village in provincial programmes",
        doc="Public investment in a model village, booked in the month it joins.")
    investment_upgraded_yuan: float = param(
        500_000.0, unit="yuan per village", ge=0.0, le=1e9, source="assumption",
        doc="Public investment in an upgraded village, booked in the month it joins.")

    @model_validator(mode="after")
    def _years_in_order(self):
        if self.end_year < self.start_year:
            raise ValueError(f"end_year ({self.end_year}) must not be before start_year ({self.start_year})")
        return self


class ModelVillages(Component):
    name = "model_villages"
    Params = ModelVillagesParams
    time_limited = True
    indicators = (
        Indicator("model_villages", "villages", "stock", "Villages made model villages so far."),
        Indicator("upgraded_villages", "villages", "stock", "Villages upgraded so far (not counting model villages)."),
        policy.cost_indicator("model_villages", "Investment in villages joining the programme this month."),
    )
    states = (
        State("status", np.int8, "0 not in the programme, 1 upgraded, 2 model village (the village column "
              "`programme_status`)", per="village"),
        State("collective_boost_month", np.float64, "collective income the programme adds each month (yuan)",
              per="village"),
        State("investment", np.float64, "investment booked this month (yuan)", per="village"),
    )

    def setup(self, model) -> None:
        villages, hh, lab = model.villages, model.households, model.labourers
        n_v = len(villages)
        villages.add_collective_source("programme")
        villages.add("programme_status", self.status)
        # labourers are sorted by household, households by village: a village's labourers are one range
        self.first_labourer = np.searchsorted(hh.village[lab.household], np.arange(n_v + 1))

    def step(self, model) -> None:
        self.investment = np.zeros(len(self.status)) if self.investment.any() else self.investment
        p = self.params
        if model.month == 1 and p.start_year <= model.year <= p.end_year:
            self._select(model)
        model.villages.credit_collective("programme", self.collective_boost_month)

    def _select(self, model) -> None:
        p, villages, lab = self.params, model.villages, model.labourers
        n_v = len(villages)
        first = model.year == p.start_year
        model_share = p.model_share_first_year if first else p.model_share_per_year
        upgraded_share = p.upgraded_share_first_year if first else p.upgraded_share_per_year
        u_model, u_upgraded = self.rng.random(2)  # stochastic rounding of the yearly numbers
        u_village = self.rng.random(n_v)  # per village, whatever its status (common random numbers)
        strength = policy.strength(model, p)[villages.county]
        open_villages = strength.sum()  # villages in counties where the programme runs at full strength
        n_model = int(np.floor(model_share * open_villages + u_model))
        n_upgraded = int(np.floor(upgraded_share * open_villages + u_upgraded))
        weight = policy.intensity(model)[villages.county] * strength
        candidates = np.flatnonzero((self.status == 0) & (weight > 0))
        if not len(candidates) or n_model + n_upgraded == 0:
            return
        key = -np.log(np.maximum(u_village[candidates], 1e-300)) / weight[candidates]  # Efraimidis-Spirakis
        order = candidates[np.argsort(key, kind="stable")]
        new_model = order[:n_model]
        new_upgraded = order[n_model:n_model + n_upgraded]
        self.status[new_model] = MODEL
        self.status[new_upgraded] = UPGRADED
        self.collective_boost_month[new_model] = p.collective_income_model_yuan_per_year / 12
        self.collective_boost_month[new_upgraded] = p.collective_income_upgraded_yuan_per_year / 12
        self.investment = np.zeros(n_v)
        self.investment[new_model] = p.investment_model_yuan
        self.investment[new_upgraded] = p.investment_upgraded_yuan
        for villages_joining, factor in ((new_model, p.local_finding_factor_model),
                                         (new_upgraded, p.local_finding_factor_upgraded)):
            slots = ranges(self.first_labourer[villages_joining], self.first_labourer[villages_joining + 1])
            lab.local_finding_multiplier[slots] *= np.float32(factor)
            lab.multipliers_changed(slots, wages=False)

    def report(self, model, rec) -> None:
        g = model.village_groups
        rec.put("model_villages", g.count(self.status == MODEL))
        rec.put("upgraded_villages", g.count(self.status == UPGRADED))
        rec.put("cost_model_villages_yuan", g.sum(self.investment))
