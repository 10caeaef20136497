"""Households and labourers as struct-of-arrays: one NumPy array per attribute, no object per person.

Households are sorted by village, labourers by household, so group sums are `np.bincount` calls and a
household's labourers are the contiguous slots `first_labourer[h] : first_labourer[h] + labour_slots[h]`.
"""

from dataclasses import dataclass, field

import numpy as np

from .. import kernels
from .accounts import MONTHS_PER_YEAR, MonthAccounts, RollingYear  # noqa: F401 (MONTHS_PER_YEAR: used by levers)
from .component import State


class SocialAssistance:
    """Codes of `Households.social_assistance`."""

    NONE = 0
    DIBAO = 1  # rural minimum living guarantee (sim/levers/dibao.py)
    EXTREME_POVERTY = 2  # extreme-poverty support, tekun (sim/levers/tekun.py)


class MonitoringCategory:
    """The three categories of households under return-to-poverty monitoring (seed 001)."""

    NONE = 0
    UNSTABLE_LIFTED_OUT = 1  # lifted-out household at risk of returning to poverty
    MARGINAL = 2  # never registered poor, prone to falling into poverty
    SUDDEN_HARDSHIP = 3  # sudden severe hardship (large rigid expenditure or income collapse)
    NAMES = {0: "none", 1: "unstable_lifted_out", 2: "marginal", 3: "sudden_hardship"}


class Employment:
    """The core employment states of a labourer slot. Levers add their jobs' states (`Component.job_states`,
    codes from 4: workshop, public-welfare post, resettlement job; every state from LOCAL up counts as
    being in work); `registry.employment_names()` gives them all."""

    INACTIVE = -1  # slot unused: aged out and not replaced
    NONE = 0  # idle or looking for work
    FARMING = 1  # own farm only
    LOCAL = 2  # local wage work
    MIGRANT = 3  # wage work away from home
    NAMES = {-1: "inactive", 0: "none", 1: "farming", 2: "local", 3: "migrant"}


# The household arrays one component writes and others read, declared like a component's states: the
# households allocate them (as attributes, `hh.<name>`), `model.household(i)` shows them and docs/levers.md
# lists them. Readers name the component, or the module for what is not one (jobs, microdata).
SHARED_STATES = (
    State("monitoring_category", np.int8, "0 not monitored, else a `MonitoringCategory` code (job levers give "
          "monitored households priority: sim/levers/jobs.py)",
          written_by="monitoring", read_by=("metrics", "insurance", "pv", "workshops", "relocation", "microdata")),
    State("social_assistance", np.int8, "social assistance received: a `SocialAssistance` code (0 none, 1 dibao, "
          "2 extreme-poverty support)", written_by="dibao, tekun (means_test.py)",
          read_by=("monitoring", "insurance", "metrics", "microdata")),
    State("assistance_referral", np.bool_, "a monitored household that cannot work, referred to dibao and "
          "extreme-poverty support", written_by="monitoring", read_by=("dibao", "tekun", "microdata")),
    State("verified_income_yuan", np.float32, "own yearly income (without means-tested assistance) as last "
          "verified by a survey or a cadre's visit", written_by="verification",
          read_by=("monitoring", "dibao", "tekun", "metrics")),
    State("verification_factor", np.float32, "the verification error factor (mean one) of the last survey, which "
          "cadres' visits to monitored households re-use", initial=1, written_by="verification",
          read_by=("verification",)),
    State("idle_labourers_at_survey", np.int8, "able labourers out of wage work when last surveyed",
          written_by="verification", read_by=("dibao",)),
    State("has_supporter", np.bool_, "someone outside (adult children) is obliged and able to support the "
          "household if it had only elderly or disabled members: a fixed fact", initial=True,
          written_by="verification", read_by=("income", "tekun")),
    State("medical_reimbursement_share", np.float32, "share of an illness cost that insurance pays",
          written_by="insurance", read_by=("shocks",)),
)


@dataclass
class Labourers:
    household: np.ndarray  # int32, index into households
    age_years: np.ndarray  # int16
    skill: np.ndarray  # float32, wage multiplier (mean ~1)
    state: np.ndarray  # int8, Employment
    ill_months_left: np.ndarray  # int8, months unable to work after an illness
    # Multipliers levers may raise (training, brands); the labour market reads them.
    migrant_finding_multiplier: np.ndarray  # float32
    local_finding_multiplier: np.ndarray  # float32
    wage_multiplier: np.ndarray  # float32
    lifted_out: np.ndarray  # bool, the slot's household is lifted out (a copy of the household flag)
    # slots whose multipliers a lever changed since the labour market last looked (see multipliers_changed)
    changed_slots: list = field(default_factory=list)
    wages_changed: bool = False

    def multipliers_changed(self, slots: np.ndarray, *, wages: bool) -> None:
        """Levers call this after changing the multipliers of `slots` (`wages`: the wage multiplier too),
        so the labour market's hazards and wage bases follow from its next step."""
        self.changed_slots.append(np.asarray(slots))
        self.wages_changed |= wages

    def __len__(self) -> int:
        return len(self.household)

    @property
    def employed(self) -> np.ndarray:
        return self.state >= Employment.LOCAL

    @property
    def active(self) -> np.ndarray:
        return self.state != Employment.INACTIVE


class Households:
    """The household table plus the monthly income accounts.

    Money is float32 (yuan per month or per year as the name says), including the rolling 12-month
    sums, which are rebuilt exactly once a year so rounding does not drift over a long run.

    Accounts are kept so that a month costs work in proportion to what happened in it: a source paid
    to every household (wages, farm income, transfers) is credited with `credit_scaled` (a base array
    times the month's factor) or `credit`, a source paid to few (lever payments, indemnities, medical
    costs) with `credit_at` or `charge_at`, which touch only the recipients (see `MonthAccounts`).
    `income_month` and `expense_month` show each source as an array over all households, built when
    read (for tests and notebooks; the model itself never needs them).
    """

    def __init__(self, *, village, county, county_class, size, lifted_out, weight, farm_income_annual_yuan,
                 other_transfers_monthly_yuan, n_elderly, has_farmland, first_labourer, labour_slots):
        self.village = village
        self.county = county
        self.county_class = county_class
        self.size = size
        self.lifted_out = lifted_out
        self.weight = weight
        self.farm_income_annual_yuan = farm_income_annual_yuan
        self.other_transfers_monthly_yuan = other_transfers_monthly_yuan
        self.n_elderly = n_elderly
        self.has_farmland = has_farmland
        self.first_labourer = first_labourer
        self.labour_slots = labour_slots
        n = len(size)
        self.n_labourers = np.zeros(n, np.int16)  # active labourer slots, kept by the engine
        # Members who are not labourers, with ages (kept by demography; filled by population.add_cohorts):
        # one row per household, -1 for an empty column; size = n_labourers + n_children + n_unable_adults
        # + n_elderly. Children are under 18 (16-17 at school), unable adults 18-59 and not labourers.
        self.member_age_years = np.full((n, 0), -1, np.int8)
        self.n_children = np.zeros(n, np.int16)
        self.n_unable_adults = np.zeros(n, np.int16)
        for state in SHARED_STATES:  # written by one component, read by others (so none imports another)
            setattr(self, state.name, state.allocate(n))
        self.surveys = 0  # surveys made so far (readers recompute what depends on the survey when it changes)
        self.verified_revision = 0  # a counter of any change to verified income (surveys and visits)
        # farm income lost to disasters this month (written by `income`, read by insurance): the
        # households in villages under a disaster and their losses (see `farm_loss_month_yuan`); a short
        # list replaced each month, not an array over households, so not among SHARED_STATES
        self.farm_loss_households = np.zeros(0, np.intp)
        self.farm_loss_yuan = np.zeros(0, np.float32)
        self.scratch = np.empty(n, np.float32)  # work array for whoever needs one within a single call
        self._below_mask = np.zeros(n, bool)
        self._below_key, self._below = None, np.zeros(0, np.intp)
        # this month's income by source and rigid expenditure by kind (yuan, float32)
        self.income = MonthAccounts(n)
        self.expense = MonthAccounts(n)
        # means-tested assistance (dibao, extreme-poverty support, development assistance): booked as income
        # too, and summed apart so that own income (without it) can be verified
        self.assistance = MonthAccounts(n)
        self._assistance_year = RollingYear(n, dense=False)
        # rolling 12 months (yuan per household, float32); net = income - rigid expenditure
        self._income_year = RollingYear(n, dense=True)
        self._expense_year = RollingYear(n, dense=False)
        self.net_12m_yuan = np.zeros(n, np.float32)
        self.months_accounted = 0
        self.size_revision = 0  # raised by `sizes_changed`

    def __len__(self) -> int:
        return len(self.size)

    # --- income accounts -------------------------------------------------------------------
    @property
    def income_month(self) -> dict[str, np.ndarray]:
        return self.income.view

    @property
    def expense_month(self) -> dict[str, np.ndarray]:
        return self.expense.view

    @property
    def income_12m_yuan(self) -> np.ndarray:
        return self._income_year.total

    @property
    def expense_12m_yuan(self) -> np.ndarray:
        return self._expense_year.total

    def add_income_source(self, source: str) -> None:
        """Register an income source (idempotent); book to it with the `credit` methods."""
        self.income.add(source)

    def add_expense_kind(self, kind: str) -> None:
        self.expense.add(kind)

    def credit(self, source: str, amount_yuan) -> None:
        """Add this month's income from `source` (an array over households, or a scalar)."""
        self.income.credit(source, amount_yuan)

    def credit_scaled(self, source: str, base: np.ndarray, factor: float) -> None:
        """Add `base * factor` (an array over households times a number) without a temporary."""
        self.income.credit_scaled(source, base, factor)

    def credit_at(self, source: str, households: np.ndarray, amount_yuan) -> None:
        """Add income to the given households only (repeats add up); the rest are not touched."""
        self.income.credit_at(source, households, amount_yuan)

    def credit_assistance(self, source: str, households: np.ndarray, amount_yuan) -> None:
        """Means-tested assistance: income like any other, and also summed apart (`assistance_12m_yuan`)."""
        self.income.credit_at(source, households, amount_yuan)
        self.assistance.credit_at(source, households, amount_yuan)

    def add_assistance_source(self, source: str) -> None:
        self.income.add(source)
        self.assistance.add(source)

    @property
    def assistance_12m_yuan(self) -> np.ndarray:
        return self._assistance_year.total

    def charge(self, kind: str, amount_yuan) -> None:
        self.expense.credit(kind, amount_yuan)

    def charge_at(self, kind: str, households: np.ndarray, amount_yuan) -> None:
        self.expense.credit_at(kind, households, amount_yuan)

    def open_month(self) -> None:
        self.income.open_month()
        self.expense.open_month()
        self.assistance.open_month()

    def close_month(self) -> None:
        """Roll this month's totals into the 12-month sums (the month falling out is subtracted), and the
        net income. Expenditure first, so the income's roll can write the net in the same pass."""
        self._expense_year.push(self.expense)
        self._assistance_year.push(self.assistance)
        self.income.total_into(self.scratch)
        if self._income_year.push_dense(self.scratch, self.expense_12m_yuan, self.net_12m_yuan):
            np.subtract(self.income_12m_yuan, self.expense_12m_yuan, out=self.net_12m_yuan)  # rebuilt exactly
        self.months_accounted += 1

    @property
    def farm_loss_month_yuan(self) -> np.ndarray:
        """Farm income lost to disasters this month, as an array over households (built on demand)."""
        out = np.zeros(len(self), np.float32)
        out[self.farm_loss_households] = self.farm_loss_yuan
        return out

    def sizes_changed(self) -> None:
        """Demography calls this after changing household sizes (cached per-person thresholds follow)."""
        self.size_revision += 1

    def below(self, line: float) -> np.ndarray:
        """Households whose 12-month net income is below `line` per person (sorted indices).

        Cached until the accounts close again or sizes change. The monthly loop no longer asks: metrics
        counts the poverty statuses in its own pass (`kernels.poverty_month`) and the monitoring lever
        judges verified income; kept as a query for inspection.
        """
        key = (float(line), self.months_accounted, self.size_revision)
        if self._below_key != key:
            self._below = kernels.below_line(self.net_12m_yuan, self.size, np.float32(line), self._below_mask)
            self._below_key = key
        return self._below

    # --- derived per-capita measures -----------------------------------------------------------
    @property
    def income_per_capita_yuan(self) -> np.ndarray:
        """Rolling 12-month disposable income per person."""
        return self.income_12m_yuan / self.size

    @property
    def net_income_per_capita_yuan(self) -> np.ndarray:
        """Rolling 12-month income less rigid expenditure (out-of-pocket medical costs), per person.

        Poverty and monitoring status are judged on this, so an illness can push a household under.
        """
        return self.net_12m_yuan / self.size

    def view(self, i: int) -> dict:
        """One household as a dict, for inspection in a notebook."""
        fields = ("village", "county", "county_class", "size", "n_labourers", "n_elderly", "n_children",
                  "n_unable_adults", "lifted_out",
                  "weight", "farm_income_annual_yuan", "has_farmland", "income_12m_yuan", "expense_12m_yuan")
        out = {f: getattr(self, f)[i].item() for f in fields + tuple(state.name for state in SHARED_STATES)}
        out["member_ages"] = [int(a) for a in self.member_age_years[i] if a >= 0] if self.member_age_years.size else []
        out["income_month"] = {k: float(v[i]) for k, v in self.income_month.items()}
        out["expense_month"] = {k: float(v[i]) for k, v in self.expense_month.items()}
        return out


def ranges(starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """The concatenated integer ranges [start, stop) (vectorised): e.g. the households of some villages."""
    starts, stops = np.asarray(starts, np.int64), np.asarray(stops, np.int64)
    lengths = stops - starts
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return offsets + np.arange(lengths.sum())
