"""Employment-assistance workshops, parks and bases: subsidised jobs near home for those who cannot migrate.

Sites are counted per county (densities per 100,000 rural people from Xinzhou 2024, allocated in
proportion to people × assistance intensity) and never reopen once closed. Their jobs are a county
pool filled each month by `jobs.fill` (monitored → lifted-out → others); workers quit now and then so
jobs turn over. The subsidy per worker-year is the fiscal cost; once a county's subsidy falls below the
level the sites need (after its transition period, strength < 1, or by a dated cut of the subsidy) its
sites close with a monthly hazard in proportion to the shortfall.

Site counts and jobs are full-scale; with `scale` < 1 each county's pool holds jobs × sample
fraction, rounded by a fixed per-county uniform offset drawn at setup (unbiased, and stable from
month to month), so reported jobs, weighted back, do not depend on scale.

Draws: each labourer slot has a lottery number L drawn at setup, and each month one offset o is
drawn; the month's draw is u = (L − o) mod 65,536. Given o the draws are independent uniforms across
slots, and a slot's draws are independent from month to month (o is), so quitting and hiring follow
their probabilities, yet no 1.3-million draw is made each month. Scenarios share L and o. (Slots with
close lottery numbers tend to be hired, or to quit, in the same month.)

Speed: a fill over every available labourer sorts ~400,000 of them (~100 ms a month at full scale),
yet hiring needs only the best few per county. So `jobs.fill` runs on a sub-population: the holders
plus candidates drawn by a threshold on this month's draw, widened (all monitored labourers, or a
whole county) wherever the subsample might miss a hire. The hires are exactly those of a fill over
every available labourer (tests/test_workshops.py checks this).
"""

from typing import NamedTuple

import numba
import numpy as np

from . import jobs, policy
from ..core.component import Component, JobState, State
from ..dynamics.income import wage_index
from ..core.households import Employment
from ..core.indicators import Indicator
from ..core.params import param
from ..kernels.common import JIT, can_take_job
from .policy import LeverParams

SEED_SITES = ("seed 000_319fdd0acca0fa0b.txt: Xinzhou 2024, 1 base, 14 parks, 210 workshops for 2.36 million "
              "rural people (seed 002_88959e36fcc7a263.txt)")
U16 = 65536  # draws are uint16 lottery numbers
EXPECTED_AVAILABLE_SHARE = 0.25  # rough share of lifted-out slots available in a month, sets the subsample
MAX_MONITORED_EXPANDED = 60_000  # up to this many monitored households, all of them are candidates
WORKSHOP = 4  # a labourer's state in a workshop, park or base job


class WorkshopsParams(LeverParams):
    workshops_per_100k_rural_persons: float = param(
        8.9, unit="sites per 100,000 rural people", ge=0.0, le=200.0, source=SEED_SITES + ": 210 / 23.59",
        doc="Employment-assistance workshops per 100,000 rural people (region-agnostic density).")
    parks_per_100k_rural_persons: float = param(
        0.59, unit="sites per 100,000 rural people", ge=0.0, le=50.0, source=SEED_SITES + ": 14 / 23.59",
        doc="Employment-assistance parks per 100,000 rural people.")
    bases_per_100k_rural_persons: float = param(
        0.042, unit="sites per 100,000 rural people", ge=0.0, le=10.0, source=SEED_SITES + ": 1 / 23.59",
        doc="Inter-city employment-assistance bases per 100,000 rural people.")
    sites_multiplier: float = param(
        1.0, unit="ratio", ge=0.0, le=10.0, source="scenario lever",
        doc="Multiplies the number of sites of every kind (2 doubles the workshops).")
    jobs_per_workshop: int = param(30, unit="jobs", ge=0, le=1_000,
                                   source="public: workshops typically employ 20-85 (DESIGN.md)",
                                   doc="Jobs in one workshop.")
    jobs_per_park: int = param(150, unit="jobs", ge=0, le=10_000,
                               source="assumption: a park gathers several workshops and small firms",
                               doc="Jobs in one employment-assistance park.")
    jobs_per_base: int = param(500, unit="jobs", ge=0, le=50_000,
                               source="assumption: an inter-city base is a large industrial site",
                               doc="Jobs in one employment-assistance base.")
    wage_monthly_2020_yuan: float = param(
        2_000.0, unit="yuan per month", ge=0.0, le=20_000.0,
        source="public: workshop wages about 1,500-3,000 yuan a month (DESIGN.md)",
        doc="Monthly wage of a site job in 2020; grows with the wage index (income.wage_growth_by_year). Credited as "
            "wages_workshop.")
    subsidy_per_worker_year_yuan: float = param(
        1_500.0, unit="yuan per worker per year", ge=0.0, le=50_000.0,
        source="public: subsidies about 1,000-2,000 yuan per worker-year (DESIGN.md)",
        doc="Subsidy per filled job and year at full strength (× strength after the transition period): "
            "the fiscal cost; paid below survival_subsidy_per_worker_year_yuan, sites close.")
    survival_subsidy_per_worker_year_yuan: float = param(
        1_500.0, unit="yuan per worker per year", gt=0.0, le=50_000.0,
        source="assumption: the sites were set up around the usual subsidy (DESIGN.md: 1,000-2,000 yuan)",
        doc="Subsidy per worker-year at which sites stay open; a site paid less closes with "
            "closure_hazard_monthly × the unpaid share (e.g. half the subsidy: half the hazard).")
    quit_monthly: float = param(0.02, unit="per month", ge=0.0, le=1.0,
                                source="assumption: seasonal and family reasons; about a fifth leave in a year",
                                doc="Chance a site worker leaves the job in a month (the job is refilled).")
    closure_hazard_monthly: float = param(
        0.03, unit="per month", ge=0.0, le=1.0,
        source="assumption: small processing workshops depend on subsidies; most close within ~3 years without",
        doc="Monthly chance an open site closes once its subsidy has stopped; × the unpaid share of the "
            "survival subsidy (1 − subsidy × strength / survival subsidy, at least 0).")

    fixed_at_setup = LeverParams.fixed_at_setup + (
        "workshops_per_100k_rural_persons", "parks_per_100k_rural_persons", "bases_per_100k_rural_persons",
        "sites_multiplier", "jobs_per_workshop", "jobs_per_park", "jobs_per_base")


class Workshops(Component):
    name = "workshops"
    Params = WorkshopsParams
    job_states = (JobState("workshop", WORKSHOP, "employment-assistance workshop, park or base job"),)
    states = (State("lottery", np.uint16, "the slot's fixed lottery number: its draw in a month is this less the "
                    "month's offset (wrapping)", per="labourer"),)
    income_sources = {"wages_workshop": "wages_workshop"}
    time_limited = True
    indicators = (
        Indicator("workshop_jobs", "jobs", "stock",
                  "Labourers working in employment-assistance workshops, parks and bases."),
        Indicator("workshops_open", "sites", "stock", "Open employment-assistance workshops, parks and bases."),
        policy.cost_indicator("workshops", "Subsidies to workshops, parks and bases per filled job."),
    )

    def setup(self, model) -> None:
        hh, lab = model.households, model.labourers
        n_counties = len(model.counties)
        hh.add_income_source("wages_workshop")
        self.site_rng = self.rng.spawn(1)[0]  # site closures: own stream, so labourer draws stay aligned
        self.site_county, self.site_jobs = self._allocate_sites(model)
        self.site_open = np.ones(len(self.site_county), bool)

        # labourers are sorted by county: a county's slots are one range, so no county array per slot
        self.first_slot = np.searchsorted(hh.county[lab.household], np.arange(n_counties + 1))
        self.sample_fraction = float(hh.size.sum(dtype=np.float64) / (hh.weight * hh.size).sum(dtype=np.float64))
        self.rounding = self.rng.random(n_counties)
        self.lifted_out_slots = np.bincount(self.pool_of(np.flatnonzero(lab.lifted_out)), minlength=n_counties)
        self.first_village = np.searchsorted(model.villages.county, np.arange(n_counties))
        self.jobs_by_county = np.zeros(n_counties)  # full-scale filled jobs
        self.cost_by_county = np.zeros(n_counties)
        self.holders = np.flatnonzero(lab.state == WORKSHOP)  # only this lever hires into it
        self.lottery[:] = self.rng.integers(0, U16, len(lab), dtype=np.uint16)

    def _allocate_sites(self, model):
        p, persons = self.params, model.counties.persons.astype(float)
        weights = persons * policy.intensity(model)
        densities = (p.workshops_per_100k_rural_persons, p.parks_per_100k_rural_persons,
                     p.bases_per_100k_rural_persons)
        per_site = (p.jobs_per_workshop, p.jobs_per_park, p.jobs_per_base)
        county, jobs_of_site = [], []
        for density, n_jobs in zip(densities, per_site):
            total = int(round(density * persons.sum() / 1e5 * p.sites_multiplier))
            counts = largest_remainder(total, weights)
            county.append(np.repeat(np.arange(len(persons)), counts))
            jobs_of_site.append(np.full(total, n_jobs, np.float64))
        return np.concatenate(county).astype(np.intp), np.concatenate(jobs_of_site)

    def step(self, model) -> None:
        p, hh, lab = self.params, model.households, model.labourers
        n_counties = len(model.counties)
        s = policy.strength(model, p)
        closing = self.site_rng.random(len(self.site_county)) < p.closure_hazard_monthly * self._unpaid(s)[self.site_county]
        self.site_open &= ~closing
        open_jobs = np.bincount(self.site_county[self.site_open], weights=self.site_jobs[self.site_open],
                                minlength=n_counties)
        capacity = np.floor(open_jobs * self.sample_fraction + self.rounding)

        offset = np.uint16(self.rng.integers(0, U16))  # this month's draws: lottery - offset (wrapping)
        holders = self.holders[lab.state[self.holders] == WORKSHOP]  # minus the ill and retired
        quitting = self._draws(holders, offset) < p.quit_monthly * U16
        quits, holders = holders[quitting], holders[~quitting]
        jobs.leave_job(model, quits)
        held = np.bincount(self.pool_of(holders), minlength=n_counties)
        if np.any(held != capacity):
            holders = self._fill(model, capacity, held, offset, quits, holders)
        self.holders = holders

        households = lab.household[holders]
        growth = wage_index(model)
        hh.credit_at("wages_workshop", households, np.float32(p.wage_monthly_2020_yuan * growth))
        self.jobs_by_county = np.bincount(self.pool_of(holders), weights=hh.weight[households].astype(np.float64),
                                          minlength=n_counties)
        self.cost_by_county = self.jobs_by_county * s * (p.subsidy_per_worker_year_yuan / 12)

    def _unpaid(self, s: np.ndarray) -> np.ndarray:
        """Per county, the share of the survival subsidy not paid this month (0 at full subsidy and strength):
        what drives closures, so a cut of the subsidy or of the lever's strength closes sites alike."""
        p = self.params
        paid = s if p.subsidy_per_worker_year_yuan == p.survival_subsidy_per_worker_year_yuan else \
            s * (p.subsidy_per_worker_year_yuan / p.survival_subsidy_per_worker_year_yuan)
        return 1.0 - np.minimum(paid, 1.0)

    def _fill(self, model, capacity, held, offset, quits, holders) -> np.ndarray:
        """jobs.fill among the holders and candidates that yield the hires of all available labourers.

        Within a county the hires are the lowest draws of the best rank present. A subsample by draw
        holds them whenever it has at least `vacancies` monitored candidates or, when every monitored
        labourer of the county is in it, at least that many monitored or lifted-out ones. Counties
        short of that get all their monitored labourers first, and only if still short do all their
        labourers compete. Returns the holders afterwards.
        """
        hh = model.households
        vacancies = np.maximum(capacity - held, 0)
        if not vacancies.any():  # sites closed: only surplus holders to release
            state = jobs.fill_among(model, holders, job_state=WORKSHOP, capacity=capacity,
                               pool=self.pool_of(holders), draw=self._draws(holders, offset),
                               eligible=np.zeros(len(holders), bool),
                               rank=jobs.priority_rank_of(model, holders))
            return holders[state == WORKSHOP]
        need = (3 * vacancies + 10) / np.maximum(self.lifted_out_slots * EXPECTED_AVAILABLE_SHARE, 1.0)
        threshold = min(1.0, float(need[vacancies > 0].max()))
        subsample = threshold < 1.0
        lab = model.labourers
        eligible, candidates = np.empty(len(lab), bool), np.empty(len(lab), bool)
        workshop_candidates(Slots(lab.state, lab.ill_months_left, self.lottery, eligible, candidates), offset,
                            int(threshold * U16) if subsample else U16)
        eligible[quits] = False  # who just left does not come back the same month
        candidates[quits] = False
        monitored_mask = hh.monitoring_category > 0 if subsample else None
        all_monitored = subsample and np.count_nonzero(monitored_mask) <= MAX_MONITORED_EXPANDED
        if all_monitored:
            monitored = slots_of(hh, np.flatnonzero(monitored_mask))
            candidates[monitored[eligible[monitored]]] = True
        kept = holders[:0]
        if not np.any(capacity < held):  # nobody to release: fill the vacancies among candidates alone
            kept, holders, capacity = holders, holders[:0], vacancies
        slots, rank = self._members(model, candidates, holders)
        if subsample:
            is_candidate, pool, n = candidates[slots], self.pool_of(slots), len(vacancies)
            enough = np.bincount(pool[is_candidate & (rank == jobs.PRIORITY_MONITORED)], minlength=n) >= vacancies
            if all_monitored:
                top = is_candidate & (rank <= jobs.PRIORITY_LIFTED_OUT)
                enough |= np.bincount(pool[top], minlength=n) >= vacancies
            short = (vacancies > 0) & ~enough
            if short.any() and not all_monitored:  # the short counties' monitored labourers join
                monitored = np.flatnonzero(monitored_mask)
                monitored = slots_of(hh, monitored[short[hh.county[monitored]]])
                candidates[monitored[eligible[monitored]]] = True
                slots, rank = self._members(model, candidates, holders)
                is_candidate, pool = candidates[slots], self.pool_of(slots)
                top = is_candidate & (rank <= jobs.PRIORITY_LIFTED_OUT)
                short &= np.bincount(pool[top], minlength=n) < vacancies
            if short.any():
                candidates |= eligible & np.repeat(short, np.diff(self.first_slot))
                slots, rank = self._members(model, candidates, holders)
        state = jobs.fill_among(model, slots, job_state=WORKSHOP, capacity=capacity, pool=self.pool_of(slots),
                           draw=self._draws(slots, offset), eligible=candidates[slots], rank=rank)
        return np.concatenate([kept, slots[state == WORKSHOP]])

    def _draws(self, slots: np.ndarray, offset: np.uint16) -> np.ndarray:
        """This month's uint16 draws of the slots: their lottery numbers less the month's offset (wrapping)."""
        return self.lottery[slots] - offset

    def pool_of(self, slots: np.ndarray) -> np.ndarray:
        """County (job pool) of labourer slots."""
        return np.searchsorted(self.first_slot, slots, side="right") - 1

    @property
    def pool(self) -> np.ndarray:
        """County of every labourer slot (built on demand, for inspection and tests)."""
        return np.repeat(np.arange(len(self.first_slot) - 1, dtype=np.int16), np.diff(self.first_slot))

    @staticmethod
    def _members(model, candidates, holders):
        members = candidates.copy()
        members[holders] = True
        slots = np.flatnonzero(members)
        return slots, jobs.priority_rank_of(model, slots)

    def report(self, model, rec) -> None:
        g = model.village_groups
        rec.put("workshop_jobs", g.sum(self._on_villages(model, self.jobs_by_county)))
        open_sites = np.bincount(self.site_county[self.site_open], minlength=len(model.counties))
        rec.put("workshops_open", g.sum(self._on_villages(model, open_sites)))
        rec.put("cost_workshops_yuan", g.sum(self._on_villages(model, self.cost_by_county)))

    def _on_villages(self, model, per_county: np.ndarray) -> np.ndarray:
        """A county total placed on the county's first village, so village groups sum it by class."""
        out = np.zeros(len(model.villages))
        out[self.first_village] = per_county
        return out


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Split an integer total in proportion to weights (zero everywhere if the weights are)."""
    if total <= 0 or weights.sum() <= 0:
        return np.zeros(len(weights), np.int64)
    raw = total * weights / weights.sum()
    counts = np.floor(raw).astype(np.int64)
    counts[np.argsort(-(raw - counts), kind="stable")[: total - counts.sum()]] += 1
    return counts


def slots_of(hh, households: np.ndarray) -> np.ndarray:
    """Labourer slots of the given households (a household's slots are contiguous)."""
    counts = hh.labour_slots[households].astype(np.int64)
    starts = hh.first_labourer[households]
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(starts, counts) + offsets


# --- the compiled pass and the NumPy it matches ---------------------------------------------------------
IDLE, FARMING = Employment.NONE, Employment.FARMING


class Slots(NamedTuple):
    """Per labourer slot, what the candidates' pass reads (state, illness, the lever's lottery numbers) and
    writes (`eligible`, `candidates`)."""

    state: np.ndarray
    ill_months_left: np.ndarray
    lottery: np.ndarray  # uint16, drawn at setup
    eligible: np.ndarray  # written: could take a workshop job
    candidates: np.ndarray  # written: eligible and this month's draw below the threshold


@numba.njit(**JIT)
def workshop_candidates(a, offset, threshold):
    """Into `a.eligible`: slots that could take a workshop job (idle or farming, not ill; `jobs.available`);
    into `a.candidates`: those of them whose draw this month (`lottery - offset`, uint16, wrapping) is
    below `threshold` (65,536: all). One pass for the mask's three comparisons, the draws and the
    subsample test."""
    for s in range(len(a.state)):
        is_eligible = can_take_job(a.state[s], a.ill_months_left[s], IDLE, FARMING)
        a.eligible[s] = is_eligible
        a.candidates[s] = is_eligible & (np.int64(np.uint16(a.lottery[s] - offset)) < threshold)


def workshop_candidates_numpy(a, offset, threshold):
    """`workshop_candidates` in NumPy."""
    a.eligible[:] = ((a.state == IDLE) | (a.state == FARMING)) & (a.ill_months_left == 0)
    a.candidates[:] = a.eligible & ((a.lottery - np.uint16(offset)).astype(np.int64) < threshold)
