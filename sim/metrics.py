"""The core indicators, computed last each month from the household and labourer arrays.

Poverty and monitoring status read income net of rigid expenditure; income levels, medians and
the Gini read disposable income. Every sum is weighted, so values are at full-population scale.
"""

import numpy as np

from .component import Component
from .households import Employment
from .indicators import Indicator, binned, binned_gini, binned_median, ratio
from .params import Section

CORE_INDICATORS = (
    Indicator("persons", "persons", "stock", "Rural people in the region."),
    Indicator("households", "households", "stock", "Rural households in the region."),
    Indicator("persons_below_poverty_line", "persons", "stock",
              "People whose 12-month per-capita net income is below the poverty line."),
    Indicator("persons_below_monitoring_line", "persons", "stock",
              "People whose 12-month per-capita net income is below the monitoring line."),
    Indicator("lifted_out_households_below_poverty_line", "households", "stock",
              "Lifted-out households below the poverty line."),
    Indicator("returns_to_poverty_households", "households", "flow",
              "Lifted-out households that fell below the poverty line this month."),
    Indicator("income_per_capita_mean_yuan", "yuan per person per year", "ratio",
              "Mean rolling 12-month disposable income per person, all rural people."),
    Indicator("income_per_capita_median_yuan", "yuan per person per year", "ratio",
              "Median of the same over people."),
    Indicator("income_per_capita_mean_lifted_out_yuan", "yuan per person per year", "ratio",
              "Mean per-capita income of people in lifted-out households."),
    Indicator("poverty_county_income_ratio", "ratio", "ratio",
              "Mean per-capita income in former poverty counties over the region's mean."),
    Indicator("labourers_employed", "persons", "stock",
              "Labourers in wage work: local, migrant, workshop or public-welfare post."),
    Indicator("lifted_out_labourers_employed", "persons", "stock", "The same, from lifted-out households."),
    Indicator("migrant_workers", "persons", "stock", "Labourers in migrant work."),
    Indicator("gini", "index", "ratio", "Gini coefficient of per-capita disposable income over people."),
    Indicator("villages_collective_income_over_50k_share", "share of villages", "ratio",
              "Share of villages whose 12-month collective income (all sources) exceeds 50,000 yuan (seed 004)."),
)
COLLECTIVE_INCOME_THRESHOLD_YUAN = 50_000.0  # the pattern reported for Rucheng (seed 004)


class MetricsParams(Section):
    """No parameters: the indicators are fixed by the output contract."""


class Metrics(Component):
    name = "metrics"
    Params = MetricsParams
    indicators = CORE_INDICATORS

    def setup(self, model) -> None:
        hh, lab = model.households, model.labourers
        self.was_poor_county = model.counties.was_poverty_county[hh.county]
        self.below_poverty_before = np.zeros(len(hh), bool)
        self.lab_lifted_out = hh.lifted_out[lab.household]

    def step(self, model) -> None:
        hh = model.households
        self.net_pc = hh.net_income_per_capita_yuan
        below = self.net_pc < model.poverty_line_yuan
        self.returned = hh.lifted_out & below & ~self.below_poverty_before
        self.below_poverty_before = below

    def report(self, model, rec) -> None:
        hh, lab, g, gl = model.households, model.labourers, model.hh_groups, model.lab_groups
        net_pc = self.net_pc
        persons = g.sum(hh.size)
        rec.put("persons", persons)
        rec.put("households", g.sum())
        rec.put("persons_below_poverty_line", g.sum(hh.size * (net_pc < model.poverty_line_yuan)))
        rec.put("persons_below_monitoring_line", g.sum(hh.size * (net_pc < model.monitoring_line_yuan)))
        rec.put("lifted_out_households_below_poverty_line", g.count(hh.lifted_out & self.below_poverty_before))
        rec.put("returns_to_poverty_households", g.count(self.returned))

        income = g.sum(hh.income_12m_yuan)
        rec.put("income_per_capita_mean_yuan", ratio(income, persons))
        rec.put("income_per_capita_mean_lifted_out_yuan",
                ratio(g.sum(hh.income_12m_yuan * hh.lifted_out), g.sum(hh.size * hh.lifted_out)))
        region_mean = income[0] / persons[0]
        poor_mean = ratio(g.sum(hh.income_12m_yuan * self.was_poor_county), g.sum(hh.size * self.was_poor_county))
        rec.put("poverty_county_income_ratio", poor_mean / region_mean)
        w, wx = binned(hh.income_per_capita_yuan, g.column, g.weight * hh.size, g.n_columns)
        rec.put("income_per_capita_median_yuan", binned_median(w))
        rec.put("gini", binned_gini(w, wx))

        employed = lab.state >= Employment.LOCAL
        rec.put("labourers_employed", gl.count(employed))
        rec.put("lifted_out_labourers_employed", gl.count(employed & self.lab_lifted_out))
        rec.put("migrant_workers", gl.count(lab.state == Employment.MIGRANT))

        gv = model.village_groups
        above = model.villages.collective_income_12m_yuan > COLLECTIVE_INCOME_THRESHOLD_YUAN
        rec.put("villages_collective_income_over_50k_share", ratio(gv.count(above), gv.sum()))
