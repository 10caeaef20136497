"""Poverty and monitoring lines by year (calendar component: runs first each month)."""

from pydantic import field_validator

from ..core.component import Component
from ..core.params import Section, param, validate_year_table, value_in_year

DIBAO_SOURCE = ("public: Shanxi's average rural dibao standard 496 yuan a month in 2022 (provincial press conference, "
                "China Daily Shanxi 2022-08-31) and ~555 in 2025 (derived from the 2026 disability-subsidy notice: "
                "122 yuan = 22% of it); national average 4,301 yuan a year in early 2018 (Ministry of Civil Affairs); "
                "other years interpolated (assumption)")


class LinesParams(Section):
    poverty_line_2020_yuan: float = param(
        4_000, unit="yuan per person per year", ge=1_000, le=20_000,
        source="public: national standard 2,300 yuan at 2010 prices, about 4,000 in 2020",
        doc="Poverty line in 2020.")
    poverty_line_growth_per_year: float = param(
        0.02, unit="per year", ge=0.0, le=0.2, source="assumption: indexed to rural consumer prices",
        doc="Annual growth of the poverty line after 2020.")
    monitoring_line_2021_yuan: float = param(
        6_000, unit="yuan per person per year", ge=1_000, le=30_000,
        source="public: 6,000 yuan in 2021, 1.5 times the poverty standard",
        doc="Return-to-poverty monitoring line in 2021.")
    monitoring_line_growth_per_year: float = param(
        0.05, unit="per year", ge=0.0, le=0.3,
        source="assumption: provinces raised the line by 300-500 yuan a year after 2021",
        doc="Annual growth of the monitoring line.")
    dibao_standard_yuan_by_year: dict[str, float] = param(
        {"2019": 4_800.0, "2020": 5_200.0, "2021": 5_600.0, "2022": 5_952.0, "2023": 6_180.0, "2024": 6_420.0,
         "2025": 6_654.0},
        unit="yuan per person per year", source=DIBAO_SOURCE,
        doc="Rural minimum living guarantee (dibao) standard by year ({\"YYYY\" = yuan}): the income dibao tops "
        "households up to, and 1/1.3 of the extreme-poverty support standard. Later years grow at "
        "dibao_standard_growth_per_year.")
    dibao_standard_growth_per_year: float = param(
        0.04, unit="per year", ge=0.0, le=0.3, source="assumption: the 2022-2025 average rise",
        doc="Growth of the dibao standard after the last listed year.")

    @field_validator("dibao_standard_yuan_by_year")
    @classmethod
    def _years(cls, v: dict[str, float]) -> dict[str, float]:
        return validate_year_table(v, low=0.0, high=100_000.0)


class Lines(Component):
    """Sets `model.poverty_line_yuan`, `model.monitoring_line_yuan` and `model.dibao_standard_yuan` (per person
    per year) for the current year."""

    name = "lines"
    Params = LinesParams

    def step(self, model) -> None:
        p = self.params
        model.poverty_line_yuan = p.poverty_line_2020_yuan * (1 + p.poverty_line_growth_per_year) ** (model.year - 2020)
        model.monitoring_line_yuan = (
            p.monitoring_line_2021_yuan * (1 + p.monitoring_line_growth_per_year) ** (model.year - 2021))
        model.dibao_standard_yuan = value_in_year(p.dibao_standard_yuan_by_year, model.year,
                                                  p.dibao_standard_growth_per_year)
