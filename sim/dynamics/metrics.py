"""The core indicators, computed last each month from the household and labourer arrays.

Poverty and monitoring status read income net of rigid expenditure; income levels, medians and
the Gini read disposable income. Every sum is weighted, so values are at full-population scale.
"""

import numpy as np

from ..core import indicators
from .. import kernels
from ..core.component import Component
from ..core.households import Employment
from ..core.indicators import Indicator, ratio
from ..core.params import Section

CORE_INDICATORS = (
    Indicator("persons", "persons", "stock", "Rural people in the region."),
    Indicator("households", "households", "stock", "Rural households in the region."),
    Indicator("persons_below_poverty_line", "persons", "stock",
              "People whose 12-month per-capita net income is below the poverty line."),
    Indicator("persons_below_monitoring_line", "persons", "stock",
              "People whose 12-month per-capita net income is below the monitoring line."),
    Indicator("persons_below_monitoring_line_12_months", "persons", "stock",
              "People whose 12-month per-capita net income has been below the monitoring line for 12 consecutive "
              "months or more."),
    Indicator("persons_below_monitoring_line_12_months_unreached", "persons", "stock",
              "Of those, people in households neither monitored nor receiving dibao or extreme-poverty support."),
    Indicator("persons_below_poverty_line_verified", "persons", "stock",
              "People below the poverty line as the poverty-alleviation register counts income: verified own "
              "income (the annual survey, sim/dynamics/verification.py), the register's extra and the means-tested "
              "assistance of the last 12 months."),
    Indicator("persons_below_monitoring_line_verified", "persons", "stock",
              "People below the monitoring line as administrations count income."),
    Indicator("persons_below_monitoring_line_verified_12_months", "persons", "stock",
              "People below the monitoring line as administrations count income for 12 consecutive months or more."),
    Indicator("persons_below_monitoring_line_verified_12_months_unreached", "persons", "stock",
              "Of those, people in households neither monitored nor receiving dibao or extreme-poverty support."),
    Indicator("lifted_out_persons_below_poverty_line", "persons", "stock",
              "People in lifted-out households below the poverty line."),
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
INCOME_INDICATORS = ("income_per_capita_mean_yuan", "income_per_capita_median_yuan",
                     "income_per_capita_mean_lifted_out_yuan", "poverty_county_income_ratio", "gini")
EMPLOYMENT_INDICATORS = ("labourers_employed", "lifted_out_labourers_employed", "migrant_workers")
COLLECTIVE_INCOME_THRESHOLD_YUAN = 50_000.0  # the pattern reported for Rucheng (seed 004)


class MetricsParams(Section):
    """No parameters: the indicators are fixed by the output contract."""


class Metrics(Component):
    """Core indicators, computed so that a month costs a few passes over the households.

    Poverty status is one comparison of the 12-month net income with line x size (thresholds change
    only in January, with lines and sizes); everything about the poor is then computed on the
    households below the monitoring line alone (a minority). Income sums per county come from one
    pass; people per group, which change only in January, are cached for the year. The median and
    Gini come from a log-linear histogram whose bin is read off a float's bits.
    """

    name = "metrics"
    Params = MetricsParams
    indicators = CORE_INDICATORS

    def setup(self, model) -> None:
        hh, counties = model.households, model.counties
        n = len(hh)
        # (intp: int32 positions cost a conversion at each gather and each group sum, every month)
        self.lifted_out_idx = np.flatnonzero(hh.lifted_out)
        self.county_slices = _county_slices(hh.county, len(counties))
        # group column of each county (a county without sampled households sums to 0 wherever it goes)
        self.county_column = model.hh_groups.column[self.county_slices.first_household]
        # the compiled income histogram: each class's households (or all), weights unless uniform
        g = model.hh_groups
        groups = g.slices[1:] if g.n_columns > 1 else g.slices[:1]
        self.group_starts = np.array([s.start for s in groups], np.int64)
        self.group_stops = np.array([s.stop for s in groups], np.int64)
        self.bin_weight = np.zeros(0) if g.uniform_weight is not None else g.weight
        if g.uniform_weight is None:  # (population.build samples uniformly; the poverty counts rely on it)
            raise ValueError("metrics: household weights must be uniform")
        self.was_poor_county = counties.was_poverty_county
        self.below_poverty_before = np.zeros(n, bool)
        self.year_sizes = None
        self.months_below_monitoring = np.zeros(n, np.int16)
        self.months_below_monitoring_verified = np.zeros(n, np.int16)

    def step(self, model) -> None:
        """Poverty status this month, survey and register view, counted per group (`kernels.poverty_month`)."""
        hh = model.households
        self._update_sizes(model)
        # the register's counter advanced only in recorded months when it was counted in `report`: it still does
        register = model.month_index >= 0
        self.poverty_counts = kernels.poverty_month(
            hh.net_12m_yuan, hh.size, np.float32(model.monitoring_line_yuan), np.float32(model.poverty_line_yuan),
            hh.lifted_out, self.below_poverty_before, self.months_below_monitoring, hh.monitoring_category,
            hh.social_assistance, register, hh.verified_income_yuan, hh.assistance_12m_yuan,
            float(getattr(model, "register_extra_per_person_yuan", 0.0)), float(model.poverty_line_yuan),
            float(model.monitoring_line_yuan), self.months_below_monitoring_verified, self.group_starts,
            self.group_stops)

    def _update_sizes(self, model) -> None:
        """People per group and county, which change only with household sizes (January)."""
        hh, g = model.households, model.hh_groups
        if self.year_sizes == hh.size_revision:
            return
        self.persons = g.sum(hh.size)
        self.households = g.sum()
        self.lifted_out_persons = g.sum_at(self.lifted_out_idx, hh.size[self.lifted_out_idx])
        self.persons_by_county = self.county_slices.sums(hh.size, g)
        self.year_sizes = hh.size_revision

    def report(self, model, rec) -> None:
        g = model.hh_groups
        persons = self.persons
        rec.put("persons", persons)
        rec.put("households", self.households)
        counts = self.poverty_counts  # per class, or the one group; unweighted
        by_group = (np.vstack([counts.sum(axis=0), counts]) if g.n_columns > 1 else counts) * g.uniform_weight
        for k, name in enumerate(kernels.POVERTY_COUNTS):
            rec.put(name, by_group[:, k])
        # (each block only when the run computes one of its indicators: `Recorder.wants`, issue 19)
        if rec.wants(*INCOME_INDICATORS):
            self._report_incomes(model, rec)
        if rec.wants(*EMPLOYMENT_INDICATORS):
            self._report_employment(model, rec)
        if rec.wants("villages_collective_income_over_50k_share"):
            gv = model.village_groups
            above = model.villages.collective_income_12m_yuan > COLLECTIVE_INCOME_THRESHOLD_YUAN
            rec.put("villages_collective_income_over_50k_share", ratio(gv.count(above), gv.sum()))

    def _report_incomes(self, model, rec) -> None:
        """Means per group and for former poverty counties, the median and the Gini (the per-capita income
        histogram per group from a compiled pass)."""
        hh, g = model.households, model.hh_groups
        income = hh.income_12m_yuan
        by_county = self.county_slices.sums(income, g)
        income_by_group = _by_group(by_county, self.county_column, g.n_columns)
        rec.put("income_per_capita_mean_yuan", ratio(income_by_group, self.persons))
        lifted = self.lifted_out_idx
        rec.put("income_per_capita_mean_lifted_out_yuan",
                ratio(g.sum_at(lifted, income[lifted]), self.lifted_out_persons))
        region_mean = income_by_group[0] / self.persons[0]
        poor = self.was_poor_county
        poor_mean = ratio(_by_group(by_county * poor, self.county_column, g.n_columns),
                          _by_group(self.persons_by_county * poor, self.county_column, g.n_columns))
        rec.put("poverty_county_income_ratio", poor_mean / region_mean)
        if not rec.wants("income_per_capita_median_yuan", "gini"):
            return
        people = np.zeros((g.n_columns, indicators.BINS))
        rows = slice(1, None) if g.n_columns > 1 else slice(0, 1)  # per class, or the one group
        people[rows] = kernels.income_bins(income, hh.size, self.bin_weight, self.group_starts, self.group_stops,
                                           hh.scratch, indicators.FIRST_BIN, indicators.SHIFT, indicators.BINS)
        if g.uniform_weight is not None:
            people *= g.uniform_weight
        if g.n_columns > 1:
            people[0] = people[1:].sum(axis=0)
        median, gini = kernels.income_distribution(people, indicators.EDGES, indicators.UPPER, indicators.MIDPOINTS)
        rec.put("income_per_capita_median_yuan", median)  # as indicators.binned_median and binned_gini
        rec.put("gini", gini)

    def _report_employment(self, model, rec) -> None:
        lab, gl = model.labourers, model.lab_groups
        if gl.uniform_weight is not None:  # counts per group in one compiled pass
            groups = gl.slices[1:] if gl.n_columns > 1 else gl.slices[:1]
            counts = kernels.employment_counts(lab.state, lab.lifted_out, np.array([g.start for g in groups]),
                                               np.array([g.stop for g in groups]), Employment.LOCAL,
                                               Employment.MIGRANT).astype(np.float64)
            by_group = np.vstack([counts.sum(axis=0), counts]) if gl.n_columns > 1 else counts
            by_group *= gl.uniform_weight
            for k, name in enumerate(("labourers_employed", "lifted_out_labourers_employed", "migrant_workers")):
                rec.put(name, by_group[:, k])
            return
        employed = lab.state >= Employment.LOCAL
        rec.put("labourers_employed", gl.count(employed))
        employed &= lab.lifted_out
        rec.put("lifted_out_labourers_employed", gl.count(employed))
        rec.put("migrant_workers", gl.count(np.equal(lab.state, Employment.MIGRANT, out=employed)))


class _county_slices:
    """Sums over each county's households (contiguous: households are sorted by village, villages by county)."""

    def __init__(self, county: np.ndarray, n_counties: int):
        bounds = np.searchsorted(county, np.arange(n_counties + 1))
        self.first_household = np.minimum(bounds[:-1], max(len(county) - 1, 0))
        self.present = bounds[1:] > bounds[:-1]  # a county without a sampled household sums to 0
        self.starts = bounds[:-1][self.present]
        self.n_counties = n_counties

    def sums(self, values: np.ndarray, groups) -> np.ndarray:
        """Weighted sum per county (weights of `groups`, the household groups)."""
        out = np.zeros(self.n_counties)
        if len(self.starts):
            uniform = groups.uniform_weight
            weighted = values if uniform is not None else values * groups.weight
            out[self.present] = np.add.reduceat(weighted, self.starts, dtype=np.float64)
            if uniform is not None:
                out *= uniform
        return out


def _by_group(per_county: np.ndarray, county_column: np.ndarray, n_columns: int) -> np.ndarray:
    out = np.bincount(county_column, weights=per_county, minlength=n_columns).astype(np.float64)
    out[0] = per_county.sum()
    return out
