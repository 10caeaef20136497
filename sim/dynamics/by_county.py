"""Indicators by county (`[run] by = "county"`): a read-only panel beside the recorder.

Planners act county by county, but the recorder keeps its groups to the county classes, which the
compiled kernels sum over contiguous slices. This panel recomputes a few indicators per county from
the household and labourer arrays after each month's components (warm-up included, so its
returns-to-poverty memory starts as the metrics' does), with the same tests as the metrics (float32
`net < size x line`). It draws no random number and writes no state, so a run gives the same results
with or without it; the sum over counties equals the region's value (tests/test_places.py).
Indicators chosen: those a county reports and plans by (people under the lines, returns, monitored
households, employment of lifted-out labourers, income); ratios of small counts are left out.
"""

import numpy as np

from ..core.counties import group_labels
from ..core.households import Employment

BY_COUNTY = (
    "persons", "households", "persons_below_poverty_line", "persons_below_monitoring_line",
    "lifted_out_households_below_poverty_line", "returns_to_poverty_households", "monitored_households",
    "labourers_employed", "lifted_out_labourers_employed", "income_per_capita_mean_yuan",
)


class CountyPanel:
    """Monthly values `[month, indicator, county]` at full-population scale (uniform household weights)."""

    def __init__(self, model):
        n_counties = len(model.counties)
        self.labels = group_labels(model.region.name, n_counties)
        self.values = np.full((model.n_months, len(BY_COUNTY), n_counties), np.nan)
        self.below_before = np.zeros(len(model.households), bool)
        self.monitoring = next((c for c in model.components if c.name == "monitoring"), None)

    def observe(self, model, record: bool) -> None:
        """Update the returns-to-poverty memory; in recorded months also store this month's values."""
        hh, lab = model.households, model.labourers
        size32 = hh.size.astype(np.float32)
        below_monitoring = hh.net_12m_yuan < size32 * np.float32(model.monitoring_line_yuan)
        below_poverty = below_monitoring & (hh.net_12m_yuan < size32 * np.float32(model.poverty_line_yuan))
        lifted_below = below_poverty & hh.lifted_out
        returned = lifted_below & ~self.below_before
        self.below_before = below_poverty
        if not record:
            return
        n = self.values.shape[2]
        weight = float(hh.weight[0]) if len(hh) else 0.0
        county, size = hh.county, hh.size.astype(np.float64)

        def per_county(values=None, where=county):
            """Weighted sum per county of `values` (a count when None) over units whose county is `where`."""
            return np.bincount(where, weights=values, minlength=n)[:n] * weight

        monitored = np.zeros(len(hh), np.float64)
        if getattr(self.monitoring, "monitored_idx", None) is not None:
            monitored[self.monitoring.monitored_idx] = 1.0
        lab_county = county[lab.household]
        employed = lab.state >= Employment.LOCAL
        persons = per_county(size)
        income = per_county(hh.income_12m_yuan.astype(np.float64))
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_income = np.where(persons > 0, income / np.where(persons > 0, persons, 1), np.nan)
        row = {
            "persons": persons, "households": per_county(),
            "persons_below_poverty_line": per_county(size * below_poverty),
            "persons_below_monitoring_line": per_county(size * below_monitoring),
            "lifted_out_households_below_poverty_line": per_county(lifted_below.astype(np.float64)),
            "returns_to_poverty_households": per_county(returned.astype(np.float64)),
            "monitored_households": per_county(monitored),
            "labourers_employed": per_county(employed.astype(np.float64), lab_county),
            "lifted_out_labourers_employed": per_county((employed & lab.lifted_out).astype(np.float64), lab_county),
            "income_per_capita_mean_yuan": mean_income,
        }
        month = self.values[model.month_index]
        for k, name in enumerate(BY_COUNTY):
            month[k] = row[name]
