"""Skills training and labour-service brands: yearly training places that raise migrant job finding and wages.

Xinzhou builds labour-service brands ("Xinzhou Maternity Matrons", "Wutai Bricklayers", "Fanshi
Embroiderers", seed 000) on skills training; Shanxi created 90+ such brands (seed 003). The model reduces
this to places handed out each January per county, to labourers not yet trained and not in migrant work,
monitored households first, then lifted-out ones, then the rest. A trained labourer keeps a higher
migrant job-finding chance and wage for as long as they hold their slot; a young entrant taking over a
retired slot starts untrained.
"""

import numpy as np

from . import policy
from ..core.component import Component, State
from ..core.households import Employment
from ..core.indicators import Indicator
from .jobs import priority_rank
from ..core.params import param
from .policy import LeverParams


class TrainingParams(LeverParams):
    fixed_at_setup = LeverParams.fixed_at_setup + (  # what a course gives: set once (places may follow a schedule)
        "migrant_finding_effect", "wage_premium")

    places_per_100k_rural_persons_per_year: float = param(
        800.0, unit="places per 100,000 rural people per year", ge=0.0, le=20_000.0,
        source="assumption: Xinzhou trains for its labour-service brands (seed 000_319fdd0acca0fa0b.txt); "
        "~19,000 places a year in Xinzhou, before class intensity",
        doc="Training places offered each January per 100,000 rural people of a county, scaled by the county's "
        "assistance intensity and the lever's strength.")
    migrant_finding_effect: float = param(
        0.5, unit="relative increase", ge=0.0, le=5.0,
        source="assumption: certified, branded labour is placed through the labour-service brands",
        doc="Relative increase of a trained labourer's monthly chance of finding migrant work.")
    wage_premium: float = param(
        0.10, unit="relative increase", ge=0.0, le=2.0, source="assumption: returns to short vocational courses",
        doc="Relative increase of a trained labourer's wages (all wage work).")
    cost_per_place_yuan: float = param(
        1_500.0, unit="yuan per place", ge=0.0, le=100_000.0,
        source="assumption: typical subsidy for a vocational skills course for rural labourers",
        doc="Fiscal cost of one training place, booked in the month the place is given.")


class Training(Component):
    name = "training"
    Params = TrainingParams
    time_limited = True
    states = (State("trained", np.bool_, "holds a training place's effects (until the slot retires or is taken "
                    "over by a young entrant)", per="labourer"),)
    indicators = (
        Indicator("training_places", "places", "flow", "Training places given this month (January each year)."),
        Indicator("trained_labourers", "persons", "stock",
                  "Active labourers who have been trained (and keep the migrant-finding and wage effects)."),
        policy.cost_indicator("training", "Cost of training places given this month (places x cost per place)."),
    )

    def setup(self, model) -> None:
        hh, lab = model.households, model.labourers
        self.trained_now = np.zeros(0, np.intp)  # this month's trainees (January only)
        self.gave_places = False
        # trained slots and their ages a year ago (sparse: a young entrant's slot shows as an age fall)
        self.trained_slots, self.trained_ages = np.zeros(0, np.intp), np.zeros(0, np.int16)
        lab_county = hh.county[lab.household]
        if np.any(np.diff(lab_county) < 0):
            raise ValueError("training: labourers must be sorted by county (households are sorted by village)")
        self.county_bounds = np.searchsorted(lab_county, np.arange(len(model.counties) + 1))
        p = self.params
        self.finding_factor = np.float32(1.0 + p.migrant_finding_effect)
        self.wage_factor = np.float32(1.0 + p.wage_premium)
        self._cache = None

    def step(self, model) -> None:
        if model.month != 1:
            if self.gave_places:
                self.trained_now = np.zeros(0, np.intp)
                self.gave_places = False
                self._cache = None
            return
        self._forget_replaced_slots(model)
        self._give_places(model)
        self._cache = None

    def _forget_replaced_slots(self, model) -> None:
        """A slot retired (inactive) or taken by a young entrant (age fell) no longer holds a trained person."""
        lab, slots = model.labourers, self.trained_slots
        is_gone = (lab.state[slots] == Employment.INACTIVE) | (lab.age_years[slots] < self.trained_ages)
        gone = slots[is_gone]
        if len(gone):
            lab.migrant_finding_multiplier[gone] /= self.finding_factor
            lab.wage_multiplier[gone] /= self.wage_factor
            self.trained[gone] = False
            lab.multipliers_changed(gone, wages=True)
        self.trained_slots = slots[~is_gone]
        self.trained_ages = lab.age_years[self.trained_slots]

    def _give_places(self, model) -> None:
        p, lab = self.params, model.labourers
        draw = self.rng.random(len(lab), dtype=np.float32)  # per slot, whatever the eligibility
        effort = policy.intensity(model) * policy.strength(model, p)
        places = model.counties.persons / 100_000 * p.places_per_100k_rural_persons_per_year * effort * model.scale
        places = np.floor(places + self.rng.random(len(places))).astype(np.int64)  # stochastic rounding
        self.trained_now = np.zeros(0, np.intp)
        self.gave_places = False
        if not places.any():
            return
        eligible = lab.active & (lab.state != Employment.MIGRANT) & ~self.trained
        # priority then the draw, in one key: rank 0 monitored, 1 lifted-out, 2 others
        key = priority_rank(model).astype(np.float32) + draw
        chosen = []
        for c in np.flatnonzero(places):
            lo, hi = self.county_bounds[c], self.county_bounds[c + 1]
            idx = lo + np.flatnonzero(eligible[lo:hi])
            k = min(places[c], len(idx))
            if k == len(idx):
                chosen.append(idx)
            elif k > 0:
                chosen.append(idx[np.argpartition(key[idx], k - 1)[:k]])
        if not chosen:
            return
        chosen = np.concatenate(chosen)
        self.trained_now = chosen
        self.gave_places = True
        self.trained[chosen] = True
        self.trained_slots = np.flatnonzero(self.trained)
        self.trained_ages = model.labourers.age_years[self.trained_slots]
        lab.migrant_finding_multiplier[chosen] *= self.finding_factor
        lab.wage_multiplier[chosen] *= self.wage_factor
        lab.multipliers_changed(chosen, wages=True)

    def report(self, model, rec) -> None:
        if self._cache is None:  # the arrays change only in January
            gl = model.lab_groups
            given = gl.sum_at(self.trained_now)
            self._cache = (given, gl.count(self.trained), given * self.params.cost_per_place_yuan)
        given, trained, cost = self._cache
        rec.put("training_places", given)
        rec.put("trained_labourers", trained)
        rec.put("cost_training_yuan", cost)
