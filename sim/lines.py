"""Poverty and monitoring lines by year (calendar component: runs first each month)."""

from .component import Component
from .params import Section, param


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


class Lines(Component):
    """Sets `model.poverty_line_yuan` and `model.monitoring_line_yuan` for the current year."""

    name = "lines"
    Params = LinesParams

    def step(self, model) -> None:
        p = self.params
        model.poverty_line_yuan = p.poverty_line_2020_yuan * (1 + p.poverty_line_growth_per_year) ** (model.year - 2020)
        model.monitoring_line_yuan = (
            p.monitoring_line_2021_yuan * (1 + p.monitoring_line_growth_per_year) ** (model.year - 2021))
