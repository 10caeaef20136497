"""Farm and business income, pensions and other transfers; then the month's accounts are closed.

Wages are credited by the labour market and by levers; `Accounts` runs after every income and
expense has been booked and rolls the month into the 12-month sums that poverty status reads.
"""

import numpy as np
from pydantic import field_validator

from .component import Component
from .households import ranges
from .params import ASSUMPTION, Section, param

# Share of a year's farm income realised in each calendar month: harvest and sales in autumn.
DEFAULT_FARM_PROFILE = [0.04, 0.04, 0.04, 0.05, 0.05, 0.06, 0.07, 0.08, 0.15, 0.20, 0.14, 0.08]


class IncomeParams(Section):
    farm_income_per_household_2020_yuan: float = param(
        8_500, unit="yuan per household per year", ge=0.0, le=200_000,
        source="assumption: Shanxi rural net business income ~3,400 yuan per person in 2020",
        doc="Farm and household-business income of an average household (before the region's income level).")
    farm_income_sigma: float = param(0.8, unit="log sd", ge=0.0, le=3.0, source=ASSUMPTION,
                                     doc="Spread of farm and business income across households (lognormal).")
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
    pension_monthly_2020_yuan: float = param(
        140, unit="yuan per elderly person per month", ge=0.0, le=3_000,
        source="public: basic pension for rural residents in Shanxi, about 110-150 yuan in 2020",
        doc="Basic pension paid to each elderly member.")
    other_transfers_monthly_per_person_2020_yuan: float = param(
        230, unit="yuan per person per month", ge=0.0, le=5_000,
        source="assumption: subsidies, ecological compensation and family remittances; ~20% of rural income",
        doc="Other transfer income per person, average.")
    transfers_sigma: float = param(0.5, unit="log sd", ge=0.0, le=3.0, source=ASSUMPTION,
                                   doc="Spread of other transfers across households (lognormal).")
    village_collective_income_median_yuan: float = param(
        30_000, unit="yuan per village per year", ge=0.0, le=10_000_000,
        source="assumption: collective income from land leases, assets and services, before PV and programmes",
        doc="Median village collective income from sources other than the levers.")
    village_collective_income_sigma: float = param(
        1.0, unit="log sd", ge=0.0, le=3.0, source=ASSUMPTION,
        doc="Spread of that income across villages (lognormal).")
    wage_growth_per_year: float = param(
        0.06, unit="per year", ge=-0.2, le=0.3,
        source="public: Shanxi rural wage income grew 6-8% a year in 2020-2023",
        doc="Nominal growth of wage levels.")
    farm_growth_per_year: float = param(0.04, unit="per year", ge=-0.2, le=0.3, source=ASSUMPTION,
                                        doc="Nominal growth of farm and business income.")
    transfer_growth_per_year: float = param(0.04, unit="per year", ge=-0.2, le=0.3, source=ASSUMPTION,
                                            doc="Nominal growth of pensions and other transfers.")

    @field_validator("farm_monthly_profile")
    @classmethod
    def _twelve_shares(cls, v: list[float]) -> list[float]:
        if len(v) != 12 or min(v) < 0 or abs(sum(v) - 1.0) > 1e-6:
            raise ValueError("must be 12 non-negative monthly shares summing to 1")
        return v


class Income(Component):
    name = "income"
    Params = IncomeParams

    def setup(self, model) -> None:
        hh = model.households
        for source in ("farm_business", "pension", "other_transfers"):
            hh.add_income_source(source)
        self.profile = np.asarray(self.params.farm_monthly_profile, np.float32)
        p, villages = self.params, model.villages
        villages.add_collective_source("own")
        sigma = p.village_collective_income_sigma
        self.village_own_income_yuan = p.village_collective_income_median_yuan * self.rng.lognormal(
            0.0, sigma, len(villages))
        self.first_household = np.searchsorted(hh.village, np.arange(len(villages) + 1))  # sorted by village
        self.no_farmland = None  # households without farmland: no farm income

    def step(self, model) -> None:
        p, hh = self.params, model.households
        t = model.years_since_2020
        farm_index = (1 + p.farm_growth_per_year) ** t
        transfer_index = (1 + p.transfer_growth_per_year) ** t
        if self.no_farmland is None or model.month == 1:  # relocation removes farmland (at setup)
            self.no_farmland = np.flatnonzero(~hh.has_farmland)
        month_share = np.float32(self.profile[model.month - 1] * farm_index)
        farm = hh.farm_income_annual_yuan
        hh.credit_scaled("farm_business", farm, month_share)
        hh.credit_at("farm_business", self.no_farmland, -(farm[self.no_farmland] * month_share))
        self._disaster_losses(model, month_share)
        hh.credit_scaled("pension", hh.n_elderly, np.float32(p.pension_monthly_2020_yuan * transfer_index))
        hh.credit_scaled("other_transfers", hh.other_transfers_monthly_yuan, np.float32(transfer_index))
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
