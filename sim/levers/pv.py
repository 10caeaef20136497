"""PV revenue sharing: village poverty-alleviation PV stations, and how their revenue reaches people.

Money flows county → village → households and collective. Each month the stations generate revenue
(the part above the coal benchmark tariff is a state subsidy, the lever's fiscal cost, and follows the
after-transition rule); it accrues until a settlement month, when the county keeps its retention, the
village pays the household share (public-welfare post wages, paid public works, dividends to those who
cannot work) and whatever it cannot spend goes to its collective, so no yuan is lost.

Posts are lever jobs filled by the rule of `jobs.fill` (monitored → lifted-out → others), in a sparse
version that reads only the villages with vacancies. Ties are broken by a fixed lottery number per
labourer slot drawn at setup (a village's waiting list), so there is no monthly per-labourer draw
(~3 ms a month at full scale) and scenarios share the order exactly. Below full scale groups of about
1 / scale villages of a county with like capacity per expected lifted-out person share posts, public
works and dividends (`sharing_pools`): a village's few sampled households cannot stand for its eligible
people, a group's can, and the groups keep the contrast between villages that a county pool would
even out.

The two per-labourer passes (candidates for posts, recipients of a settlement) are compiled, in
sim/levers/pv_kernels.py with the NumPy they match.
"""

import numpy as np
from pydantic import field_validator, model_validator
from scipy.special import ndtri

from . import jobs, policy
from ..core.component import Component, JobState, State
from ..core.households import ranges
from ..core.indicators import Indicator
from ..core.params import ASSUMPTION, param
from .policy import LeverParams
from .pv_kernels import Arrays, post_candidates, pv_recipients

SEED_PV = "seed 000_319fdd0acca0fa0b.txt: Xinzhou 2024, 591 million yuan PV revenue, 466 million to villages"
# Share of a year's generation in each month (Jan first): more sun in spring and early summer in Shanxi.
DEFAULT_SOLAR_PROFILE = [0.062, 0.070, 0.090, 0.098, 0.108, 0.100, 0.096, 0.091, 0.082, 0.078, 0.065, 0.060]
_SHARE_TOLERANCE = 1e-6

POST = 5  # a labourer's state on a public-welfare post


class PVParams(LeverParams):
    fixed_at_setup = LeverParams.fixed_at_setup + (  # the stations, built before the run
        "beneficiary_village_share", "capacity_kw_per_beneficiary_village", "capacity_sigma")

    beneficiary_village_share: float = param(
        0.49, unit="share", ge=0.0, le=1.0,
        source="public: Shanxi 2020 PV stations served 9,477 of ~19,300 villages",
        doc="Share of villages owning (a share of) a PV station: former poor villages first, then others "
            "at random, weighted by county assistance intensity.")
    capacity_kw_per_beneficiary_village: float = param(
        311.0, unit="kW", ge=0.0, le=10_000.0,
        source="public: Shanxi 2020, 2,944 MW serving 9,477 villages",
        doc="Mean installed capacity per beneficiary village.")
    capacity_sigma: float = param(
        0.3, unit="log sd", ge=0.0, le=2.0,
        source="assumption: single village stations of 100-300 kW and shares of joint stations up to 6 MW",
        doc="Spread of capacity across beneficiary villages (lognormal, mean kept).")
    yield_kwh_per_kw_year: float = param(
        1_400.0, unit="kWh per kW per year", ge=0.0, le=3_000.0,
        source="public: Shanxi 1,300-1,500 kWh/kW/yr", doc="Annual generation per kW of new panels.")
    solar_monthly_profile: list[float] = param(
        DEFAULT_SOLAR_PROFILE, unit="share of year per month", source="assumption: Shanxi irradiance peaks in May",
        doc="Twelve monthly shares (January first, summing to 1) of a year's generation.")
    commissioning_year: int = param(2018, unit="year", ge=2010, le=2030,
                                    source="assumption: most village stations were connected in 2017-2019",
                                    doc="Year the stations started generating (no revenue before).")
    degradation_per_year: float = param(0.005, unit="per year", ge=0.0, le=0.05,
                                         source="public: panel degradation ~0.5%/yr",
                                         doc="Annual loss of output as panels age.")
    station_life_years: int = param(25, unit="years", ge=1, le=50, source="public: 25-year panel life",
                                    doc="Years a station generates after commissioning.")
    benchmark_tariff_yuan_per_kwh: float = param(
        0.332, unit="yuan per kWh", ge=0.0, le=2.0, source="public: Shanxi coal-fired benchmark price 0.332",
        doc="Part of the tariff the grid pays whatever the policy.")
    subsidy_yuan_per_kwh: float = param(
        0.418, unit="yuan per kWh", ge=0.0, le=2.0,
        source="public: poverty-alleviation PV tariff 0.65-0.85 yuan/kWh; 0.75 - 0.332",
        doc="State subsidy on top of the benchmark; scaled by the lever's strength after the transition period.")
    county_retention_share: float = param(
        0.2115, unit="share", ge=0.0, le=1.0, source=SEED_PV + ": (591 - 466) / 591",
        doc="Share of revenue the county keeps for operation, maintenance and reserves.")
    household_share_of_village_funds: float = param(
        0.534, unit="share", ge=0.0, le=1.0,
        source="seed 000_319fdd0acca0fa0b.txt: 249 of the 466 million to villages went to households",
        doc="Share of a village's PV funds paid to households (posts, public works, dividends); the rest "
            "is village collective income.")
    post_wages_share: float = param(
        0.7, unit="share", ge=0.0, le=1.0,
        source="public: ~80% of PV revenue to posts and paid public works; split assumed",
        doc="Share of the household part paid as public-welfare post wages.")
    public_works_share: float = param(0.2, unit="share", ge=0.0, le=1.0, source=ASSUMPTION,
                                      doc="Share of the household part paid as wages for village public works.")
    dividends_share: float = param(0.1, unit="share", ge=0.0, le=1.0, source=ASSUMPTION,
                                   doc="Share of the household part paid as dividends to households that cannot work.")
    post_wage_yuan_per_month: float = param(
        600.0, unit="yuan per month", gt=0.0, le=10_000.0, source="public: posts pay ~5,000-10,000 yuan a year",
        doc="Monthly wage of a public-welfare post.")
    posts_for_lifted_out_or_monitored_only: bool = param(
        True, unit="switch",
        source="public: rural public-welfare posts are for lifted-out labourers and low-income (monitored) people",
        doc="Whether only labourers of lifted-out or monitored households may hold a post (otherwise they "
            "come first and others fill the rest).")
    posts_oldest_first: bool = param(
        True, unit="switch",
        source="public: posts are meant for weak and half labour who cannot work away from home",
        doc="Whether, within a priority group, older labourers (the weakest job prospects) get posts first; "
            "otherwise the waiting-list lottery alone decides.")
    settlement_months: int = param(3, unit="months", ge=1, le=12, source="assumption: quarterly settlement",
                                   doc="Months between settlements (a divisor of 12); payments are made then.")

    @field_validator("solar_monthly_profile")
    @classmethod
    def _twelve_shares(cls, v: list[float]) -> list[float]:
        if len(v) != 12 or min(v) < 0 or abs(sum(v) - 1.0) > _SHARE_TOLERANCE:
            raise ValueError("must be 12 non-negative monthly shares summing to 1")
        return v

    @field_validator("settlement_months")
    @classmethod
    def _divides_year(cls, v: int) -> int:
        if 12 % v:
            raise ValueError("must divide 12 (1, 2, 3, 4, 6 or 12) so every December is a settlement month")
        return v

    @model_validator(mode="after")
    def _uses_sum_to_one(self):
        total = self.post_wages_share + self.public_works_share + self.dividends_share
        if abs(total - 1.0) > _SHARE_TOLERANCE:
            raise ValueError(f"post_wages_share + public_works_share + dividends_share must sum to 1 (got {total:g})")
        return self


PV_INDICATORS = (
    Indicator("pv_revenue_yuan", "yuan", "flow", "Revenue generated by village PV stations this month."),
    Indicator("pv_county_retention_yuan", "yuan", "flow",
              "Revenue kept by counties for operation, maintenance and reserves (booked at settlement)."),
    Indicator("pv_to_villages_yuan", "yuan", "flow", "PV funds settled to villages this month."),
    Indicator("pv_to_households_yuan", "yuan", "flow",
              "PV money paid to households this month: post wages, public works, dividends."),
    Indicator("pv_to_collectives_yuan", "yuan", "flow",
              "PV funds left with village collectives this month (incl. what villages could not spend)."),
    Indicator("public_welfare_posts", "posts", "stock", "Public-welfare posts held (PV-funded)."),
    policy.cost_indicator("pv", "Tariff subsidy on the month's PV generation (the grid pays the benchmark part)."),
)


class PV(Component):
    name = "pv"
    Params = PVParams
    job_states = (JobState("post", POST, "public-welfare post paid from PV revenue"),)
    states = (State("lottery", np.float32, "the slot's place on its village's waiting list for posts (a uniform "
                    "drawn at setup; lower first, after priority and age)", per="labourer"),
              State("accrued_revenue", np.float64, "revenue accrued since the last settlement (yuan, full scale)",
                    per="village"))
    income_sources = {"pv_post_wages": "pv_wages", "pv_public_works": "pv_wages", "pv_dividends": "pv_dividends"}
    time_limited = True
    indicators = PV_INDICATORS

    def setup(self, model) -> None:
        p, hh, lab, villages = self.params, model.households, model.labourers, model.villages
        n_v = len(villages)
        for kind in ("post_wages", "public_works", "dividends"):
            hh.add_income_source(f"pv_{kind}")
        villages.add_collective_source("pv")
        self.capacity_kw = villages.add("pv_capacity_kw", self._capacities(model))
        beneficiary = self.capacity_kw > 0
        self.rounding_u = self.rng.random(n_v)  # fixed per pool: unbiased rounding of sampled posts
        self.lottery[:] = self.rng.random(len(lab), dtype=np.float32)  # fixed waiting-list order
        # Sharing pools (posts, public works, dividends): each village at full scale; below it, villages of
        # like structure share so that a pool's sample stands for one full village (`sharing_pools`; money
        # stays attributed to villages in proportion to their budgets).
        self.pool_of_village = sharing_pools(villages, self.capacity_kw, model.scale)
        self.n_pools = int(self.pool_of_village.max(initial=-1)) + 1
        members = np.flatnonzero(beneficiary)
        self.pool_members = members[np.argsort(self.pool_of_village[members], kind="stable")]
        self.pool_start = np.searchsorted(self.pool_of_village[self.pool_members], np.arange(self.n_pools + 1))
        # labourers are sorted by household and households by village: a village's labourers are one range
        village_of_labourer = hh.village[lab.household].astype(np.intp)
        self.lab_start = np.searchsorted(village_of_labourer, np.arange(n_v + 1))
        self.beneficiary = beneficiary
        # lifted-out households of beneficiary villages and their labourer slots (fixed lists: settlements
        # look at these and at the monitored households, not at every household)
        self.lifted_out_households = np.flatnonzero(hh.lifted_out & beneficiary[hh.village])
        self.lifted_out_slots = np.flatnonzero(lab.lifted_out & beneficiary[village_of_labourer])

        # below full scale a pool stands for several villages, and a village with nobody eligible at full scale
        # keeps its money; each village's share of its pool's expected needy people estimates how many
        # recipients it would have, so a pool spends what its villages would in expectation (`_share_equally`)
        self.grouped = self.n_pools < int(beneficiary.sum()) or model.scale < 1.0
        needy = villages.persons * villages.lifted_out_rate * beneficiary
        pool_needy = np.bincount(self.pool_of_village, weights=needy, minlength=self.n_pools)
        self.village_needy_share = np.divide(needy, pool_needy[self.pool_of_village], out=np.zeros(n_v),
                                             where=pool_needy[self.pool_of_village] > 0)
        self.profile = np.asarray(p.solar_monthly_profile)
        # the sample is uniform (sim/core/population.py): one weight brings any count to full scale
        self.weight = float(hh.weight[0]) if len(hh) else 1.0
        # accrued since the last settlement (with `accrued_revenue`): the households of each month's post
        # holders (one post-month of wages each; sparse, as few households hold a post)
        self.post_months: list[np.ndarray] = []
        self.holders = np.flatnonzero(lab.state == POST)  # sorted
        self._zero_flows(n_v)

    def _capacities(self, model) -> np.ndarray:
        """Poor villages first, then others by weighted lottery (key assistance counties more likely)."""
        p, villages = self.params, model.villages
        n_v = len(villages)
        u_select, u_size = self.rng.random((2, n_v))
        weight = np.maximum(policy.intensity(model)[villages.county], 1e-9)
        key = -np.log(np.maximum(u_select, 1e-300)) / weight  # Efraimidis-Spirakis weighted sampling
        order = np.lexsort((key, ~villages.poor_village))
        beneficiary = np.zeros(n_v, bool)
        beneficiary[order[:int(round(p.beneficiary_village_share * n_v))]] = True
        sigma = p.capacity_sigma
        size = np.exp(sigma * ndtri(u_size) - sigma**2 / 2)
        return np.where(beneficiary, p.capacity_kw_per_beneficiary_village * size, 0.0)

    def _zero_flows(self, n_v: int) -> None:
        self.revenue = self.subsidy = np.zeros(n_v)
        self.retention = self.to_villages = self.to_households = self.to_collective = np.zeros(n_v)

    def step(self, model) -> None:
        p, lab = self.params, model.labourers
        villages = model.villages
        self._zero_flows(len(villages))
        strength = policy.strength(model, p)[villages.county]
        age_years = model.year - p.commissioning_year  # whole years: output steps down each January
        running = 0 <= age_years < p.station_life_years
        annual_kwh = self.capacity_kw * (p.yield_kwh_per_kw_year * running
                                         * (1 - p.degradation_per_year) ** max(age_years, 0))
        tariff = p.benchmark_tariff_yuan_per_kwh + p.subsidy_yuan_per_kwh * strength
        month_kwh = annual_kwh * self.profile[model.month - 1]
        self.revenue = month_kwh * tariff
        self.subsidy = month_kwh * p.subsidy_yuan_per_kwh * strength
        self.accrued_revenue += self.revenue

        # posts a village can fund over a year at this month's tariff (full scale), then in the sample
        post_budget_year = (annual_kwh * tariff * (1 - p.county_retention_share)
                            * p.household_share_of_village_funds * p.post_wages_share)
        posts_full = np.floor(post_budget_year / (12 * p.post_wage_yuan_per_month))
        holders = self._staff_posts(model, self.sampled_posts(posts_full))
        self.post_months.append(lab.household[holders])
        self.holders = holders

        if model.month % p.settlement_months == 0:
            self._settle(model)

    def sampled_posts(self, posts_full: np.ndarray) -> np.ndarray:
        """Posts per pool in the sample from full-scale posts per village: the pool's sum over the weight,
        rounded by the pool's fixed uniform (so, weighted back, full-scale posts in expectation)."""
        sampled = np.bincount(self.pool_of_village, weights=posts_full / self.weight, minlength=self.n_pools)
        return np.floor(sampled + self.rounding_u[:self.n_pools]).astype(np.int64)

    def _staff_posts(self, model, capacity: np.ndarray) -> np.ndarray:
        """`jobs.fill` for posts, touching only the labourers of pools whose post count must change.

        Same rule and order as `jobs.fill` (tests check they agree without `posts_oldest_first`); the
        general version scans all 1.3 million labourers with a gather, ~6 ms a month at full scale, for a
        few dozen vacancies. Within a priority group the oldest come first: a post held by someone who
        would find wage work keeps them out of it (post holders do not search), so posts go to the
        weakest prospects. Returns the post holders afterwards.
        """
        lab, pool = model.labourers, self.pool_of
        holders = self.holders[lab.state[self.holders] == POST]  # only this lever hires into posts
        held = np.bincount(pool(holders), minlength=len(capacity))
        surplus = held - capacity
        if np.any(surplus > 0):
            release = holders[jobs.first_in_pools(pool(holders), surplus, self.lottery[holders])]
            jobs.leave_job(model, release)
            holders = np.setdiff1d(holders, release, assume_unique=True)
        vacancies = capacity - np.minimum(held, capacity)
        hiring = np.flatnonzero(vacancies > 0)
        if len(hiring) == 0:
            return holders
        villages = self.pool_members[ranges(self.pool_start[hiring], self.pool_start[hiring + 1])]
        idx = ranges(self.lab_start[villages], self.lab_start[villages + 1])
        # available slots and their priority (jobs.priority_rank)
        idx, rank = post_candidates(self.arrays(model), idx, self.params.posts_for_lifted_out_or_monitored_only)
        age_key = -lab.age_years[idx] if self.params.posts_oldest_first else np.zeros(len(idx), np.int16)
        hired = idx[jobs.first_in_pools(pool(idx), vacancies, self.lottery[idx], age_key, rank)]
        lab.state[hired] = POST
        return np.sort(np.concatenate([holders, hired]))

    def _settle(self, model) -> None:
        """Pay out what accrued since the last settlement; the village collective gets the remainder.

        Payments touch only recipients (sparse), so a settlement costs a few passes over the arrays.
        """
        p, hh = self.params, model.households
        self.to_villages = self.accrued_revenue * (1 - p.county_retention_share)
        self.retention = self.accrued_revenue - self.to_villages
        self.accrued_revenue = np.zeros(len(self.to_villages))
        household_budget = self.to_villages * p.household_share_of_village_funds

        posts = np.concatenate(self.post_months) if self.post_months else np.zeros(0, np.int32)
        self.post_months = []
        hh.credit_at("pv_post_wages", posts, np.float32(p.post_wage_yuan_per_month))
        post_wages = np.bincount(self.pool_of_village[hh.village[posts]], minlength=self.n_pools) * (
            p.post_wage_yuan_per_month * self.weight)
        paid = self._to_villages(post_wages, household_budget * p.post_wages_share)

        # the needy of beneficiary villages: lifted-out households (a fixed list) and monitored others;
        # public works for their idle labourers (equal pay within a pool), dividends for those of them
        # without an active labourer (one compiled pass: pv_recipients)
        households, unable = pv_recipients(self.arrays(model))
        paid += self._share_equally(hh, "public_works", household_budget * p.public_works_share,
                                    self.pool_of_village[hh.village[households]], households)
        paid += self._share_equally(hh, "dividends", household_budget * p.dividends_share,
                                    self.pool_of_village[hh.village[unable]], unable)

        self.to_households = paid
        # what a village could not spend stays with its collective (negative in a quarter when posts
        # are paid ahead of the season's revenue; it evens out over the year)
        self.to_collective = self.to_villages - paid
        model.villages.credit_collective("pv", self.to_collective)

    def arrays(self, model) -> Arrays:
        """The bundle of household and labourer arrays the compiled passes read (sim/levers/pv_kernels.py)."""
        hh, lab = model.households, model.labourers
        return Arrays(hh.monitoring_category, hh.village, hh.lifted_out, hh.first_labourer, hh.labour_slots,
                      hh.n_labourers, lab.state, lab.household, lab.ill_months_left, lab.lifted_out, self.beneficiary,
                      self.lifted_out_households, self.lifted_out_slots)

    def pool_of(self, slots: np.ndarray) -> np.ndarray:
        """Sharing pool of labourer slots (a village's slots are one range)."""
        return self.pool_of_village[np.searchsorted(self.lab_start, slots, side="right") - 1]

    @property
    def pool_of_labourer(self) -> np.ndarray:
        """Sharing pool of every labourer slot (built on demand, for inspection and tests)."""
        return np.repeat(self.pool_of_village, np.diff(self.lab_start))

    def _to_villages(self, spent_by_pool: np.ndarray, budget: np.ndarray) -> np.ndarray:
        """Attribute a pool's spending to its villages in proportion to their budgets (identity at full scale)."""
        pool_budget = np.bincount(self.pool_of_village, weights=budget, minlength=self.n_pools)
        share = np.divide(budget, pool_budget[self.pool_of_village], out=np.zeros(len(budget)),
                          where=pool_budget[self.pool_of_village] > 0)
        return spent_by_pool[self.pool_of_village] * share

    def _share_equally(self, hh, kind: str, budget: np.ndarray, pool: np.ndarray, household: np.ndarray) -> np.ndarray:
        """Split each pool's budget equally over its recipients (one entry each; several may share a
        household); pay them and return what was paid per village at full scale (0 where nobody qualifies).
        Below full scale a village's budget counts with the chance that it has a recipient at full scale."""
        recipients = np.bincount(pool, minlength=self.n_pools) * self.weight
        if self.grouped:  # the chance that a village of the pool has a recipient at full scale (Poisson)
            budget = budget * -np.expm1(-recipients[self.pool_of_village] * self.village_needy_share)
        pool_budget = np.bincount(self.pool_of_village, weights=budget, minlength=self.n_pools)
        per_head = np.divide(pool_budget, recipients, out=np.zeros(self.n_pools), where=recipients > 0)
        hh.credit_at(f"pv_{kind}", household, per_head[pool].astype(np.float32))
        return np.where(recipients[self.pool_of_village] > 0, budget, 0.0)

    def report(self, model, rec) -> None:
        g = model.village_groups
        rec.put("pv_revenue_yuan", g.sum(self.revenue))
        rec.put("pv_county_retention_yuan", g.sum(self.retention))
        rec.put("pv_to_villages_yuan", g.sum(self.to_villages))
        rec.put("pv_to_households_yuan", g.sum(self.to_households))
        rec.put("pv_to_collectives_yuan", g.sum(self.to_collective))
        rec.put("public_welfare_posts", model.lab_groups.sum_at(self.holders))
        rec.put("cost_pv_yuan", g.sum(self.subsidy))


def sharing_pools(villages, capacity_kw: np.ndarray, scale: float) -> np.ndarray:
    """Pool index of each village: the village itself at full scale; below it, groups of about 1 / scale
    beneficiary villages of one county with like PV capacity per expected lifted-out person.

    A village's posts are min(posts, needy labourers) and its public works and dividends are its budget
    over its recipients: non-linear in a handful of sampled households, so a sampled village alone
    misses posts for want of a sampled candidate (~4% of posts at scale 0.1) and spreads its money
    over too few; a county pool fills every post and evens out the money between poor and better-off
    villages (either moves scenario differences by 5-15% at scale 0.1). A group of 1 / scale villages has
    the sample size of one full village, and villages sorted by capacity (what funds posts and money)
    per expected lifted-out person (who takes them; the village's structure, not its sample) keep the
    full-scale contrast between villages with few posts for many needy and many posts for few.
    Non-beneficiary villages (no posts, no money) share one pool per county.
    """
    n_v = len(capacity_kw)
    per_pool = max(1, int(round(1.0 / scale)))
    if per_pool == 1:
        return np.arange(n_v)
    county = villages.county.astype(np.int64)
    beneficiary = capacity_kw > 0
    needy = villages.persons * villages.lifted_out_rate
    key = capacity_kw / np.maximum(needy, 1e-9)
    group = 2 * county + ~beneficiary  # per county: its beneficiary villages, then the others
    order = np.lexsort((key, group))
    group_size = np.bincount(group, minlength=2 * (county.max(initial=-1) + 1))
    pools_in_group = np.where(np.arange(len(group_size)) % 2 == 0, np.maximum(group_size // per_pool, 1), 1)
    pools_in_group[group_size == 0] = 0
    first_pool = np.concatenate([[0], np.cumsum(pools_in_group)[:-1]])
    g = group[order]
    position = np.arange(n_v) - np.searchsorted(g, g)  # place of the village in its group, by key
    # consecutive villages by key, per_pool to a pool; the last pool of a group takes the remainder
    within = np.minimum(position // per_pool, pools_in_group[g] - 1)
    pool = np.empty(n_v, np.intp)
    pool[order] = first_pool[g] + within
    return pool
