"""Relocation follow-up support: households moved out of the poorest villages and the jobs that keep them afloat.

Poverty-alleviation relocation ended before 2020, so relocation itself is part of the initial state:
at setup a share of lifted-out households, mostly from former poor villages, is flagged relocated.
They lose their farmland (what the labour market and farm income read) and keep only a rent from
transferring it, so they depend on wage work. The lever is the follow-up support: jobs at the
resettlement sites, a county pool open only to labourers of relocated households, subsidised per
job-year. Disabling the lever removes relocation altogether (no relocated households).
"""

from typing import NamedTuple

import numba
import numpy as np

from . import jobs, policy
from ..core.component import Component, JobState, State
from ..dynamics.income import wage_index
from ..core.households import Employment
from ..core.indicators import Indicator
from ..core.params import ASSUMPTION, param
from .policy import LeverParams
from ..kernels.common import JIT, can_take_job, priority

RESETTLEMENT = 6  # a labourer's state in a resettlement-site job


class RelocationParams(LeverParams):
    fixed_at_setup = LeverParams.fixed_at_setup + (  # who was relocated: the initial state
        "relocated_share_of_lifted_out", "poor_village_preference", "retained_farm_income_share")

    relocated_share_of_lifted_out: float = param(
        0.143, unit="share", ge=0.0, le=1.0,
        source="seed 003_cde74bc6e72a2f02.txt: Shanxi relocated 472,000 people; 3.29 million lifted out",
        doc="Share of lifted-out households that were relocated (flagged at setup).")
    poor_village_preference: float = param(
        4.0, unit="ratio", ge=1.0, le=100.0,
        source="assumption: whole villages were moved out of the poorest areas (seed 003; Xinzhou moved 797 "
               "villages, seed 002_88959e36fcc7a263.txt)",
        doc="How much likelier a lifted-out household of a former poor village was to be relocated.")
    retained_farm_income_share: float = param(
        0.3, unit="share", ge=0.0, le=1.0,
        source="assumption: land is transferred to cooperatives or large farmers for a rent",
        doc="Share of its former farm income a relocated household keeps as land transfer rent "
            "(credited monthly as land_transfer_rent, fixed in nominal terms).")
    followup_jobs_per_100_relocated_households: float = param(
        25.0, unit="jobs per 100 relocated households", ge=0.0, le=300.0, source=ASSUMPTION,
        doc="Follow-up jobs at resettlement sites (community workshops, services, cleaning, public posts) at "
            "full strength and intensity 1.")
    followup_wage_monthly_2020_yuan: float = param(
        1_800.0, unit="yuan per month", ge=0.0, le=20_000.0,
        source="assumption: a little below workshop wages",
        doc="Monthly wage of a follow-up job in 2020; grows with the wage index (income.wage_growth_by_year). Credited as "
            "wages_resettlement.")
    subsidy_per_job_year_yuan: float = param(
        1_000.0, unit="yuan per job per year", ge=0.0, le=50_000.0, source=ASSUMPTION,
        doc="Subsidy per filled follow-up job and year: the fiscal cost.")
    quit_monthly: float = param(0.02, unit="per month", ge=0.0, le=1.0, source=ASSUMPTION,
                                doc="Chance a follow-up worker leaves the job in a month (the job is refilled).")


class Relocation(Component):
    name = "relocation"
    Params = RelocationParams
    states = (State("relocated", np.bool_, "moved out of a poor village at setup (without farmland since)"),)
    job_states = (JobState("resettlement", RESETTLEMENT, "follow-up job at a relocation resettlement site"),)
    income_sources = {"wages_resettlement": "wages_resettlement", "land_transfer_rent": "farm_business"}
    time_limited = True
    indicators = (
        Indicator("relocated_households", "households", "stock", "Households relocated out of poor villages."),
        Indicator("resettlement_jobs", "jobs", "stock", "Labourers of relocated households in follow-up jobs."),
        policy.cost_indicator("relocation", "Subsidies to follow-up jobs at resettlement sites."),
    )

    def setup(self, model) -> None:
        p, hh, lab = self.params, model.households, model.labourers
        n_counties = len(model.counties)
        hh.add_income_source("wages_resettlement")
        hh.add_income_source("land_transfer_rent")
        self.relocated[:] = self._draw_relocated(model)
        moved = np.flatnonzero(self.relocated)
        self.rent_households = moved
        self.rent_monthly = (p.retained_farm_income_share * hh.farm_income_annual_yuan[moved] / 12).astype(np.float32)
        hh.has_farmland[moved] = False

        self.slots = np.flatnonzero(self.relocated[lab.household]).astype(np.int32)  # slots of relocated households
        farming = self.slots[lab.state[self.slots] == Employment.FARMING]
        lab.state[farming] = Employment.NONE
        self.slot_pool = hh.county[lab.household[self.slots]].astype(np.intp)
        self.households_by_county = np.bincount(hh.county[moved], minlength=n_counties)
        self.rounding = self.rng.random(n_counties)
        self.first_village = np.searchsorted(model.villages.county, np.arange(n_counties))
        self.jobs_by_county = np.zeros(n_counties)
        self.cost_by_county = np.zeros(n_counties)
        self.holder_mask = np.zeros(len(self.slots), bool)

    def _draw_relocated(self, model) -> np.ndarray:
        """Exactly round(share × lifted-out) households, weighted towards former poor villages.

        Weighted sampling without replacement by keys log(u) / w (Efraimidis-Spirakis), one uniform
        per household so the drawn set does not depend on the other levers.
        """
        p, hh = self.params, model.households
        u = self.rng.random(len(hh))
        candidates = np.flatnonzero(hh.lifted_out)
        k = int(round(p.relocated_share_of_lifted_out * len(candidates)))
        relocated = np.zeros(len(hh), bool)
        if k == 0:
            return relocated
        w = np.where(model.villages.poor_village[hh.village[candidates]], p.poor_village_preference, 1.0)
        keys = np.log(np.maximum(u[candidates], 1e-300)) / w
        relocated[candidates[np.argpartition(-keys, k - 1)[:k]]] = True
        return relocated

    def step(self, model) -> None:
        p, hh, lab = self.params, model.households, model.labourers
        n_counties = len(model.counties)
        hh.credit_at("land_transfer_rent", self.rent_households, self.rent_monthly)
        s = policy.strength(model, p)
        expected = (p.followup_jobs_per_100_relocated_households / 100 * self.households_by_county
                    * s * policy.intensity(model))
        capacity = np.floor(expected + self.rounding)  # pools are already at sample scale

        slots = self.slots
        u = self.rng.random(len(slots), dtype=np.float32)
        holding, available, rank, held = relocation_month(self.arrays(model), u, np.float32(p.quit_monthly), n_counties)
        if np.any(held != capacity):  # jobs.fill's rule over the relocated slots
            leaving, hired = jobs.moves(self.slot_pool, capacity.astype(np.int64), held, holding, u, available,
                                        rank)
            jobs.leave_job(model, slots[leaving])
            lab.state[slots[hired]] = RESETTLEMENT
            holding = (holding & ~leaving) | hired
        self.holder_mask = holding

        households = lab.household[slots[holding]]
        growth = wage_index(model)
        hh.credit_at("wages_resettlement", households, np.float32(p.followup_wage_monthly_2020_yuan * growth))
        self.jobs_by_county = np.bincount(self.slot_pool[holding], weights=hh.weight[households].astype(np.float64),
                                          minlength=n_counties)
        self.cost_by_county = self.jobs_by_county * (p.subsidy_per_job_year_yuan / 12)

    def arrays(self, model) -> "Arrays":
        """The bundle of arrays the compiled pass reads and writes."""
        hh, lab = model.households, model.labourers
        return Arrays(self.slots, self.slot_pool, lab.state, lab.household, lab.ill_months_left, hh.has_farmland,
                      hh.monitoring_category)

    def report(self, model, rec) -> None:
        rec.put("relocated_households", model.hh_groups.count(self.relocated))
        g = model.village_groups
        rec.put("resettlement_jobs", g.sum(self._on_villages(model, self.jobs_by_county)))
        rec.put("cost_relocation_yuan", g.sum(self._on_villages(model, self.cost_by_county)))

    def _on_villages(self, model, per_county: np.ndarray) -> np.ndarray:
        """A county total placed on the county's first village, so village groups sum it by class."""
        out = np.zeros(len(model.villages))
        out[self.first_village] = per_county
        return out


# --- the compiled pass and the NumPy it matches ---------------------------------------------------------
IDLE, FARMING = Employment.NONE, Employment.FARMING


class Arrays(NamedTuple):
    """What the follow-up workers' month reads and writes: the relocated households' slots with their pools
    (the lever's fixed lists), the labourers' state (written: who quits) and what decides who can take a job."""

    slots: np.ndarray  # labourer slots of relocated households (sorted)
    pool: np.ndarray  # per entry of `slots`: its county pool
    state: np.ndarray  # per slot: employment state (written)
    household: np.ndarray  # per slot
    ill_months_left: np.ndarray  # per slot
    has_farmland: np.ndarray  # per household: where a quitting worker goes (farming or idle)
    category: np.ndarray  # per household: monitoring category, for the priority


@numba.njit(**JIT)
def relocation_month(a, draw, quit_chance, n_pools):
    """The follow-up workers' month before the jobs are filled (`Relocation.step`): holders whose draw is
    below `quit_chance` leave (to farming where the household has land); then per slot whether it holds
    a job, whether it could take one (idle or farming, not ill, not just quit) and its priority
    (0 monitored household, 1 lifted-out), and the jobs held per pool."""
    n = len(a.slots)
    holding, available = np.empty(n, np.bool_), np.empty(n, np.bool_)
    rank = np.empty(n, np.int8)
    held = np.zeros(n_pools, np.int64)
    for k in range(n):
        s = a.slots[k]
        h = a.household[s]
        job_state = a.state[s]
        holds = job_state == RESETTLEMENT
        quits = holds & (draw[k] < quit_chance)
        if quits:
            job_state = FARMING if a.has_farmland[h] else IDLE
            a.state[s] = job_state
        holding[k] = holds & (not quits)
        held[a.pool[k]] += holds & (not quits)
        available[k] = can_take_job(job_state, a.ill_months_left[s], IDLE, FARMING) & (not quits)
        rank[k] = priority(a.category[h] > 0, True)  # relocated households were all lifted out
    return holding, available, rank, held


def relocation_month_numpy(a, draw, quit_chance, n_pools):
    """`relocation_month` in NumPy (`slots` unique)."""
    slots = a.slots
    h = a.household[slots]
    holds = a.state[slots] == RESETTLEMENT
    quits = holds & (draw < quit_chance)
    a.state[slots[quits]] = np.where(a.has_farmland[h[quits]], FARMING, IDLE)
    holding = holds & ~quits
    now = a.state[slots]
    available = ((now == IDLE) | (now == FARMING)) & (a.ill_months_left[slots] == 0) & ~quits
    rank = np.where(a.category[h] > 0, 0, 1).astype(np.int8)
    return holding, available, rank, np.bincount(a.pool[holding], minlength=n_pools)
