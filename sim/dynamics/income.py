"""Farm and business income, pensions and other transfers; then the month's accounts are closed.

Wages are credited by the labour market and by levers; `Accounts` runs after every income and
expense has been booked and rolls the month into the 12-month sums that poverty status reads.
"""

import numpy as np
from pydantic import field_validator

from ..core.component import Component
from ..core.households import ranges
from ..core.params import ASSUMPTION, Section, growth_index, param, validate_year_table

# Share of a year's farm income realised in each calendar month: harvest and sales in autumn.
DEFAULT_FARM_PROFILE = [0.04, 0.04, 0.04, 0.05, 0.05, 0.06, 0.07, 0.08, 0.15, 0.20, 0.14, 0.08]


class IncomeParams(Section):
    farm_income_per_household_2020_yuan: float = param(
        8_500, unit="yuan per household per year", ge=0.0, le=200_000,
        source="assumption: Shanxi rural net business income ~3,400 yuan per person in 2020",
        doc="Farm and household-business income of an average household (before the region's income level).")
    farm_income_sigma: float = param(0.65, unit="log sd", ge=0.0, le=3.0, source=ASSUMPTION,
                                     doc="Spread of the permanent level of farm and business income across "
                                     "households (lognormal); transitory shocks come on top.")
    farm_monthly_profile: list[float] = param(
        DEFAULT_FARM_PROFILE, unit="share of year per month", source=ASSUMPTION,
        doc="Twelve monthly shares (January first, summing to 1) of the year's farm income.")
    local_wage_monthly_2020_yuan: float = param(
        1_500, unit="yuan per month", ge=0.0, le=20_000,
        source="assumption: part-time local work; workshop wages are 1,500-3,000 (DESIGN.md)",
        doc="Monthly local wage of a labourer of average ability in a non-poverty county, 2020.")
    migrant_wage_monthly_2020_yuan: float = param(
        2_800, unit="yuan per month", ge=0.0, le=30_000, source=ASSUMPTION,
        doc="Monthly migrant wage of a labourer of average ability, 2020, net of costs away from home.")
    poverty_county_income_factor: float = param(
        0.72, unit="ratio", ge=0.2, le=1.5,
        source="calibrated to poor-area rural income at 74.5% of Shanxi's in 2020 (seed 001); "
        "calibration/targets.toml",
        doc="Farm income and earning ability (local and migrant wages) in former poverty counties relative "
        "to other counties; pensions and other transfers are the same everywhere.")
    lifted_out_income_factor: float = param(
        0.75, unit="ratio", ge=0.2, le=1.5, source=ASSUMPTION,
        doc="Farm and business income of lifted-out households relative to others in the same county.")
    other_transfers_monthly_per_person_2020_yuan: float = param(
        200, unit="yuan per person per month", ge=0.0, le=5_000,
        source="assumption: net transfers were 27.5% of Shanxi rural income in 2023 (4,869 of 17,677 yuan; public: "
        "NBS Shanxi survey office 2024-02-22); pensions, dibao and extreme-poverty support (modelled apart) are "
        "about a fifth of them; the rest is remittances, farm and ecological subsidies",
        doc="Other transfer income per person (remittances, farm and ecological subsidies), average; pensions, "
        "dibao and extreme-poverty support are components of their own.")
    support_from_children_monthly_per_person_yuan: float = param(
        250, unit="yuan per person per month", ge=0.0, le=5_000,
        source="assumption: adult children's support of parents living on their own, ~3,000 yuan a person a year; "
        "legally owed and counted by dibao means tests (public: Ministry of Civil Affairs measures, 2021)",
        doc="Paid to each member of a household without labourers that has someone obliged and able to support "
        "it (`verification.supporter_share`).")
    transfers_sigma: float = param(0.5, unit="log sd", ge=0.0, le=3.0, source=ASSUMPTION,
                                   doc="Spread of other transfers across households (lognormal).")
    village_collective_income_median_yuan: float = param(
        30_000, unit="yuan per village per year", ge=0.0, le=10_000_000,
        source="assumption: collective income from land leases, assets and services, before PV and programmes",
        doc="Median village collective income from sources other than the levers.")
    village_collective_income_sigma: float = param(
        1.0, unit="log sd", ge=0.0, le=3.0, source=ASSUMPTION,
        doc="Spread of that income across villages (lognormal).")
    wage_growth_by_year: dict[str, float] = param(
        {"2020": 0.076, "2021": 0.103, "2022": 0.066, "2023": 0.083, "2024": 0.066}, unit="per year",
        source="public: growth of Shanxi rural per-capita disposable income 2020-2022 (12,902; 13,878; 15,308; "
        "16,323 yuan: Shanxi statistical bulletins and NBS Shanxi survey office), its wage income 2023 (+8.3%, NBS "
        "Shanxi survey office 2024-02-22), national rural income 2024 (+6.6%, NBS 2025-01-17); docs/validation.md",
        doc="Nominal growth of wage levels: each year's annual level over the year before ({\"YYYY\" = rate}); "
        "years not listed take wage_growth_per_year.")
    wage_growth_per_year: float = param(
        0.06, unit="per year", ge=-0.2, le=0.3,
        source="assumption: after the published years, about the 2022-2024 average",
        doc="Nominal growth of wage levels in years not in wage_growth_by_year.")
    farm_growth_by_year: dict[str, float] = param(
        {"2020": 0.076, "2021": 0.103, "2022": 0.066, "2023": 0.096, "2024": 0.066}, unit="per year",
        source="public: growth of Shanxi rural per-capita disposable income 2020-2022 (components not found), its "
        "net business income 2023 (+9.6%, NBS Shanxi survey office 2024-02-22), national rural income 2024 "
        "(+6.6%); docs/validation.md",
        doc="Nominal growth of farm and business income: each year's annual level over the year before; years "
        "not listed take farm_growth_per_year.")
    farm_growth_per_year: float = param(0.05, unit="per year", ge=-0.2, le=0.3,
                                        source="assumption: after the published years",
                                        doc="Nominal growth of farm and business income in years not listed.")
    transfer_growth_per_year: float = param(0.05, unit="per year", ge=-0.2, le=0.3, source=ASSUMPTION,
                                            doc="Nominal growth of other transfers.")
    farm_transitory_sigma: float = param(
        0.35, unit="log sd", ge=0.0, le=2.0,
        source="assumption: transitory shocks (weather, prices, business luck) about a third of the variance of "
        "log farm income, as panel studies of rural Chinese incomes find",
        doc="Spread of the year's transitory factor on each household's farm and business income (lognormal, "
        "mean 1), drawn each January; the permanent level's spread is farm_income_sigma.")
    farm_transitory_persistence: float = param(
        0.3, unit="correlation per year", ge=0.0, lt=1.0, source=ASSUMPTION,
        doc="Year-to-year correlation of the log transitory factor (AR(1)): a bad year is partly followed by "
        "another.")

    @field_validator("wage_growth_by_year", "farm_growth_by_year")
    @classmethod
    def _years(cls, v: dict[str, float]) -> dict[str, float]:
        return validate_year_table(v, low=-0.5, high=1.0)

    @field_validator("farm_monthly_profile")
    @classmethod
    def _twelve_shares(cls, v: list[float]) -> list[float]:
        if len(v) != 12 or min(v) < 0 or abs(sum(v) - 1.0) > 1e-6:
            raise ValueError("must be 12 non-negative monthly shares summing to 1")
        return v


def wage_index(model) -> float:
    """Wage levels this month relative to January 2020 (every wage paid in the model follows it)."""
    p = model.scenario.income
    return growth_index(p.wage_growth_by_year, p.wage_growth_per_year, model.years_since_2020)


def farm_index(model) -> float:
    """Farm and business income this month relative to January 2020."""
    p = model.scenario.income
    return growth_index(p.farm_growth_by_year, p.farm_growth_per_year, model.years_since_2020)


class Income(Component):
    """Farm and business income: a permanent level per household (built with the population) times a
    transitory factor drawn each January (AR(1) in logs), times the year's farm-income index; other transfers
    per household; village own collective income."""

    name = "income"
    Params = IncomeParams
    income_sources = {"farm_business": "farm_business", "other_transfers": "other_transfers",
                      "support_from_children": "family_support"}

    def setup(self, model) -> None:
        hh = model.households
        for source in ("farm_business", "other_transfers", "support_from_children"):
            hh.add_income_source(source)
        self.profile = np.asarray(self.params.farm_monthly_profile, np.float32)
        p, villages = self.params, model.villages
        villages.add_collective_source("own")
        sigma = p.village_collective_income_sigma
        self.village_own_income_yuan = p.village_collective_income_median_yuan * self.rng.lognormal(
            0.0, sigma, len(villages))
        self.first_household = np.searchsorted(hh.village, np.arange(len(villages) + 1))  # sorted by village
        self.no_farmland = None  # households without farmland: no farm income
        self.supported_persons = None
        # the transitory factor: its log (standard normal scale) and the permanent level it multiplies
        self.permanent_farm_yuan = hh.farm_income_annual_yuan.copy()
        self.transitory_z = self.rng.standard_normal(len(hh)).astype(np.float32)
        self._apply_transitory(hh)

    def _apply_transitory(self, hh) -> None:
        """This year's farm income: the permanent level times exp(sigma z - sigma^2/2) (mean 1)."""
        s = np.float32(self.params.farm_transitory_sigma)
        factor = np.exp(s * self.transitory_z - s * s / 2)
        np.multiply(self.permanent_farm_yuan, factor, out=hh.farm_income_annual_yuan)

    def _new_year(self, hh) -> None:
        rho = np.float32(self.params.farm_transitory_persistence)
        shock = self.rng.standard_normal(len(hh)).astype(np.float32)
        self.transitory_z = rho * self.transitory_z + np.sqrt(1 - rho * rho) * shock
        self._apply_transitory(hh)

    def step(self, model) -> None:
        p, hh = self.params, model.households
        t = model.years_since_2020
        transfer_index = (1 + p.transfer_growth_per_year) ** t
        if self.no_farmland is None or model.month == 1:  # relocation removes farmland (at setup)
            self.no_farmland = np.flatnonzero(~hh.has_farmland)
        if model.month == 1 and model.month_index > -model.scenario.run.warmup_months:
            self._new_year(hh)
        month_share = np.float32(self.profile[model.month - 1] * farm_index(model))
        farm = hh.farm_income_annual_yuan
        hh.credit_scaled("farm_business", farm, month_share)
        hh.credit_at("farm_business", self.no_farmland, -(farm[self.no_farmland] * month_share))
        self._disaster_losses(model, month_share)
        hh.credit_scaled("other_transfers", hh.other_transfers_monthly_yuan, np.float32(transfer_index))
        if self.supported_persons is None or model.month == 1:  # households and sizes change in January
            self.supported_persons = ((hh.n_labourers == 0) & hh.has_supporter) * hh.size.astype(np.float32)
        hh.credit_scaled("support_from_children", self.supported_persons,
                         np.float32(p.support_from_children_monthly_per_person_yuan * transfer_index))
        model.villages.credit_collective("own", self.village_own_income_yuan * (transfer_index / 12))

    def _disaster_losses(self, model, month_share: np.float32) -> None:
        """Farm income lost in villages under a disaster: only their households are touched."""
        hh = model.households
        loss_share = model.villages.columns["disaster_farm_loss_share"]
        hit = np.flatnonzero(loss_share > 0)
        households = ranges(self.first_household[hit], self.first_household[hit + 1])
        farm = hh.farm_income_annual_yuan[households] * hh.has_farmland[households]
        loss = farm * month_share * loss_share[hh.village[households]]
        hh.farm_loss_households, hh.farm_loss_yuan = households, loss
        hh.credit_at("farm_business", households, -loss)


class AccountsParams(Section):
    """No parameters: closing the month is bookkeeping."""


class Accounts(Component):
    """Rolls the month's household income and expenditure, and village collective income, into 12-month sums."""

    name = "accounts"
    Params = AccountsParams

    def step(self, model) -> None:
        model.households.close_month()
        model.villages.close_month()
