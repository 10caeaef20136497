"""Households and labourers as struct-of-arrays: one NumPy array per attribute, no object per person.

Households are sorted by village, labourers by household, so group sums are `np.bincount` calls and a
household's labourers are the contiguous slots `first_labourer[h] : first_labourer[h] + labour_slots[h]`.
"""

from dataclasses import dataclass

import numpy as np

MONTHS_PER_YEAR = 12


class MonitoringCategory:
    """The three categories of households under return-to-poverty monitoring (seed 001)."""

    NONE = 0
    UNSTABLE_LIFTED_OUT = 1  # lifted-out household at risk of returning to poverty
    MARGINAL = 2  # never registered poor, prone to falling into poverty
    SUDDEN_HARDSHIP = 3  # sudden severe hardship (large rigid expenditure or income collapse)
    NAMES = {0: "none", 1: "unstable_lifted_out", 2: "marginal", 3: "sudden_hardship"}


class Employment:
    """Employment states of a labourer slot. `EMPLOYED` are the states that count as being in work."""

    INACTIVE = -1  # slot unused: aged out and not replaced
    NONE = 0  # idle or looking for work
    FARMING = 1  # own farm only
    LOCAL = 2  # local wage work
    MIGRANT = 3  # wage work away from home
    WORKSHOP = 4  # employment-assistance workshop job (lever)
    POST = 5  # public-welfare post (lever)
    RESETTLEMENT = 6  # follow-up job at a relocation resettlement site (lever)
    NAMES = {-1: "inactive", 0: "none", 1: "farming", 2: "local", 3: "migrant", 4: "workshop", 5: "post",
             6: "resettlement"}
    EMPLOYED = (LOCAL, MIGRANT, WORKSHOP, POST, RESETTLEMENT)  # every state >= LOCAL


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
    local_wage_factor: np.ndarray  # float32, home-county level of local wages (poverty counties lower)

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

    Money is float32 (yuan per month or per year as the name says); rolling 12-month sums are float64
    so they do not drift over a long run.
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
        # Shared policy state: written by one lever, read by others (so none imports another).
        # 0 = not monitored; otherwise a MonitoringCategory code (written by the monitoring lever).
        self.monitoring_category = np.zeros(n, np.int8)
        # share of an illness cost that insurance pays (written by the insurance lever, read by shocks)
        self.medical_reimbursement_share = np.zeros(n, np.float32)
        # farm income lost to disasters this month (written by `income`, read by insurance)
        self.farm_loss_month_yuan = np.zeros(n, np.float32)
        # this month's income by source and rigid expenditure by kind (yuan, float32)
        self.income_month: dict[str, np.ndarray] = {}
        self.expense_month: dict[str, np.ndarray] = {}
        # rolling 12 months (yuan per household, float64) and the ring buffers behind them
        self.income_12m_yuan = np.zeros(n, np.float64)
        self.expense_12m_yuan = np.zeros(n, np.float64)
        self._income_ring = np.zeros((MONTHS_PER_YEAR, n), np.float32)
        self._expense_ring = np.zeros((MONTHS_PER_YEAR, n), np.float32)
        self._ring_pos = 0
        self.months_accounted = 0

    def __len__(self) -> int:
        return len(self.size)

    # --- income accounts -------------------------------------------------------------------
    def add_income_source(self, source: str) -> np.ndarray:
        """Register an income source (idempotent); components credit into the returned array."""
        return self.income_month.setdefault(source, np.zeros(len(self), np.float32))

    def add_expense_kind(self, kind: str) -> np.ndarray:
        return self.expense_month.setdefault(kind, np.zeros(len(self), np.float32))

    def credit(self, source: str, amount_yuan) -> None:
        """Add this month's income from `source` (an array over households, or a scalar)."""
        self.income_month[source] += amount_yuan

    def charge(self, kind: str, amount_yuan) -> None:
        self.expense_month[kind] += amount_yuan

    def open_month(self) -> None:
        for arr in self.income_month.values():
            arr.fill(0.0)
        for arr in self.expense_month.values():
            arr.fill(0.0)

    def close_month(self) -> None:
        """Roll this month's totals into the 12-month sums (subtract the month falling out)."""
        income = _total(self.income_month, len(self))
        expense = _total(self.expense_month, len(self))
        pos = self._ring_pos
        self.income_12m_yuan += income
        self.income_12m_yuan -= self._income_ring[pos]
        self.expense_12m_yuan += expense
        self.expense_12m_yuan -= self._expense_ring[pos]
        self._income_ring[pos] = income
        self._expense_ring[pos] = expense
        self._ring_pos = (pos + 1) % MONTHS_PER_YEAR
        self.months_accounted += 1
        if self._ring_pos == 0:  # once a year, recompute exactly to stop float drift
            self.income_12m_yuan[:] = self._income_ring.sum(axis=0, dtype=np.float64)
            self.expense_12m_yuan[:] = self._expense_ring.sum(axis=0, dtype=np.float64)

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
        return (self.income_12m_yuan - self.expense_12m_yuan) / self.size

    def view(self, i: int) -> dict:
        """One household as a dict, for inspection in a notebook."""
        fields = ("village", "county", "county_class", "size", "n_labourers", "n_elderly", "lifted_out",
                  "weight", "farm_income_annual_yuan", "has_farmland", "income_12m_yuan", "expense_12m_yuan")
        out = {f: getattr(self, f)[i].item() for f in fields}
        out["income_month"] = {k: float(v[i]) for k, v in self.income_month.items()}
        out["expense_month"] = {k: float(v[i]) for k, v in self.expense_month.items()}
        return out


def _total(accounts: dict[str, np.ndarray], n: int) -> np.ndarray:
    total = np.zeros(n, np.float32)
    for arr in accounts.values():
        total += arr
    return total


def per_household(labourer_values: np.ndarray, labourers: Labourers, n_households: int) -> np.ndarray:
    """Sum a labourer-level array over households (float32 result; `np.bincount` measured fastest)."""
    return np.bincount(labourers.household, weights=labourer_values, minlength=n_households).astype(np.float32)
