"""Household microdata: one row per simulated household in chosen months, for analysis outside the model.

`run(..., microdata=["2025-12"])` keeps a snapshot of every simulated household at the end of each chosen
month (after every component has stepped) in every replicate; `RunResult.households(month=...)` returns it
as a pandas frame and `ruralsim run --microdata 2025-12` writes it as `households_2025-12.parquet`.
A row stands for `weight` households of the full population (the sample is uniform, so the weight is
1 / scale). Columns:

- identity and place: replicate, household (index in the simulation), weight, village, county, county_class
- people: size, labourers (active labourer slots), elderly, lifted_out (registered-poor history)
- income this month by source category (`sim.dynamics.income_sources.CATEGORIES`): income_<category>_yuan, and the
  rolling 12-month income, rigid expenditure and income less expenditure (yuan per household)
- employment: labourers by state (labourers_<state>, `registry.employment_names()`)
- monitoring_category (`households.MonitoringCategory.NAMES`), social_assistance (none, dibao,
  extreme_poverty), assistance_referral

Building one costs a pass per income source and column (~1 s at full scale), so only the months asked for
are kept; at full scale a snapshot is about 1 million rows per replicate.
"""

import numpy as np
import pandas as pd

from ..core.errors import InputError
from ..core.households import Employment, MonitoringCategory
from ..core.registry import employment_names
from ..dynamics.income_sources import CATEGORIES, category_of_source
from ..core.regions import COUNTY_CLASSES
from ..core.schedules import is_month, month_index

ASSISTANCE_NAMES = {0: "none", 1: "dibao", 2: "extreme_poverty"}


def check_months(months, start_month: str, years: int) -> list[str]:
    """Chosen months as sorted 'YYYY-MM' inside the horizon ('end' is the last month); one-line errors."""
    if months is None:
        return []
    if isinstance(months, str):
        months = [months]
    first = month_index(start_month)
    last = first + 12 * years - 1
    out = set()
    for m in months:
        if m == "end":
            m = f"{last // 12:04d}-{last % 12 + 1:02d}"
        if not is_month(m):
            raise InputError(f"--microdata {m!r}: not a month 'YYYY-MM' (or 'end')")
        if not first <= month_index(m) <= last:
            raise InputError(f"--microdata {m}: outside the horizon; allowed: a month from {start_month} to "
                             f"{last // 12:04d}-{last % 12 + 1:02d}, or 'end'")
        out.add(m)
    return sorted(out)


def snapshot(model) -> pd.DataFrame:
    """Every simulated household as it stands at the end of the model's last stepped month."""
    hh, lab = model.households, model.labourers
    n = len(hh)
    class_names = np.array(COUNTY_CLASSES, dtype=object)
    frame = {
        "household": np.arange(n, dtype=np.int32),
        "weight": hh.weight.astype(np.float64),
        "village": hh.village,
        "county": hh.county,
        "county_class": pd.Categorical(class_names[hh.county_class], categories=list(COUNTY_CLASSES)),
        "size": hh.size,
        "labourers": hh.n_labourers,
        "elderly": hh.n_elderly,
        "lifted_out": hh.lifted_out.astype(bool),
    }
    income = {cat: np.zeros(n, np.float64) for cat in CATEGORIES}
    for source in hh.income_month:
        income[category_of_source()[source]] += hh.income_month[source]
    for cat, values in income.items():
        frame[f"income_{cat}_yuan"] = values.astype(np.float32)
    frame["income_12m_yuan"] = hh.income_12m_yuan.copy()
    frame["expense_12m_yuan"] = hh.expense_12m_yuan.copy()
    frame["net_income_12m_yuan"] = hh.net_12m_yuan.copy()
    state = lab.state.astype(np.int64)
    for code, name in employment_names().items():
        if code == Employment.INACTIVE:
            continue
        frame[f"labourers_{name}"] = np.bincount(lab.household[state == code], minlength=n).astype(np.int16)
    frame["monitoring_category"] = _categorical(hh.monitoring_category, MonitoringCategory.NAMES)
    frame["social_assistance"] = _categorical(hh.social_assistance, ASSISTANCE_NAMES)
    frame["assistance_referral"] = hh.assistance_referral.astype(bool)
    return pd.DataFrame(frame)


def _categorical(codes: np.ndarray, names: dict[int, str]) -> pd.Categorical:
    labels = [names[k] for k in sorted(names)]
    return pd.Categorical.from_codes(np.searchsorted(sorted(names), codes), categories=labels)
