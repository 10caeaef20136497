"""The basic pension of urban-rural residents (城乡居民基本养老金) for rural people aged 60 and over.

Every elderly member draws the year's basic pension (the provincial minimum, raised by the centre and the
province most years) plus the average annuity from an individual account (most rural residents pay the
lowest contribution grade, so it is small). Paid monthly to all; no take-up problem: enrolment of rural
elderly is near universal.
"""

import numpy as np
from pydantic import field_validator

from ..core.component import Component
from ..core.indicators import Indicator
from ..core.params import Section, param, validate_year_table, value_in_year

PENSION_SOURCE = ("public: national minimum basic pension 88 yuan a month from 2018 (China Daily 2018-05), 103 in 2023 "
                  "and 123 in 2024 (+20, 2024 government work report), 143 in 2025 (+20); 93 (2020) and 98 (2021-22) "
                  "as widely reported but not found in the stored sources (docs/validation.md)")


class PensionParams(Section):
    basic_monthly_yuan_by_year: dict[str, float] = param(
        {"2018": 88.0, "2019": 88.0, "2020": 93.0, "2021": 98.0, "2022": 98.0, "2023": 103.0, "2024": 123.0,
         "2025": 143.0},
        unit="yuan per person per month", source=PENSION_SOURCE,
        doc="National minimum basic pension of a rural resident aged 60+ by year ({\"YYYY\" = yuan}); later years "
        "grow at growth_after_table_per_year.")
    provincial_supplement_monthly_yuan: float = param(
        10.0, unit="yuan per person per month", ge=0.0, le=2_000,
        source="assumption: Shanxi pays a few yuan to ~15 above the national minimum (an unofficial 2025 table gives "
        "156 against the national 143; the official figure was not found)",
        doc="What the province adds to the national minimum basic pension.")
    individual_account_monthly_yuan: float = param(
        30.0, unit="yuan per person per month", ge=0.0, le=2_000,
        source="assumption: annuity of an individual account built at the lowest contribution grades "
        "(100-300 yuan a year) over 10-15 years",
        doc="Average monthly annuity from the individual account, paid on top of the basic pension.")
    growth_after_table_per_year: float = param(
        0.05, unit="per year", ge=0.0, le=0.3, source="assumption: the 2018-2025 average rise",
        doc="Growth of the basic pension after the last listed year.")

    @field_validator("basic_monthly_yuan_by_year")
    @classmethod
    def _years(cls, v: dict[str, float]) -> dict[str, float]:
        return validate_year_table(v, low=0.0, high=5_000.0)


def monthly_pension_yuan(params: PensionParams, year: int) -> float:
    """What one elderly person draws a month in `year` (basic pension, provincial supplement, individual account)."""
    basic = value_in_year(params.basic_monthly_yuan_by_year, year, params.growth_after_table_per_year)
    return basic + params.provincial_supplement_monthly_yuan + params.individual_account_monthly_yuan


class Pension(Component):
    name = "pension"
    Params = PensionParams
    income_sources = {"pension": "pension"}
    indicators = (
        Indicator("pension_recipients_persons", "persons", "stock", "Rural people drawing the basic pension (60+)."),
        Indicator("cost_pension_yuan", "yuan", "flow", "Basic pensions and individual-account annuities paid."),
    )

    def setup(self, model) -> None:
        model.households.add_income_source("pension")
        self.amount_yuan = 0.0
        self.recipients, self.recipients_revision = None, None

    def step(self, model) -> None:
        hh = model.households
        self.amount_yuan = monthly_pension_yuan(self.params, model.year)
        hh.credit_scaled("pension", hh.n_elderly, np.float32(self.amount_yuan))

    def report(self, model, rec) -> None:
        hh, g = model.households, model.hh_groups
        if self.recipients_revision != hh.size_revision:  # the elderly change only with sizes (January)
            self.recipients, self.recipients_revision = g.sum(hh.n_elderly), hh.size_revision
        rec.put("pension_recipients_persons", self.recipients)
        rec.put("cost_pension_yuan", self.recipients * self.amount_yuan)
