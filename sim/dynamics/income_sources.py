"""Income by source: what households live on, per person, by county class and for lifted-out households.

Each registered income source belongs to one category (`CATEGORIES` names them and their labels; the
component that credits a source says its category, `Component.income_sources`): wages by job type, farm and business, PV posts and public works, PV dividends, social
assistance (dibao and extreme-poverty support), the basic pension, support from children, other transfers. Each month the
component reports, per category, the month's income per person of the group (a flow: summed over a
calendar year it is the year's per-capita income from that source, and the categories add up to the
12-month income per capita of `metrics` in December), for all households and for lifted-out ones; and
the lifted-out households and persons.

Speed: a source's income is booked as terms (an array times a factor, or amounts for some households,
`accounts.MonthAccounts`); the dense terms (and the persons) are summed eight at a time in one compiled pass
by group range and lifted-out status, each sparse one by its households only, so no per-source array is built.
"""

from functools import cache

import numpy as np

from ..core.component import Component
from ..core.indicators import Indicator, ratio
from ..kernels.sources import SUMS_PER_PASS, range_sums_eight, sparse_range_sums
from ..core.params import Section

# category: its label. Every income source a component credits is in one: the component declares which
# (`Component.income_sources`, e.g. {"wages_workshop": "wages_workshop"}).
CATEGORIES: dict[str, str] = {
    "farm_business": "farm, business and land rent",
    "wages_migrant": "migrant wages",
    "wages_local": "local wages",
    "wages_workshop": "workshop wages",
    "wages_resettlement": "resettlement-site wages",
    "pv_wages": "PV posts and public works",
    "pv_dividends": "PV dividends",
    "social_assistance": "dibao and extreme-poverty support",
    "pension": "basic pension",
    "family_support": "support from children",
    "other_transfers": "other transfers",
}


@cache
def category_of_source() -> dict[str, str]:
    """Every income source the components declare, with its category."""
    from ..core.registry import COMPONENTS

    out = {}
    for component in COMPONENTS:
        for source, category in component.income_sources.items():
            if category not in CATEGORIES:
                raise ValueError(f"income source '{source}' of {component.name}: unknown category '{category}'; "
                                 f"one of {', '.join(CATEGORIES)}")
            out[source] = category
    return out


def indicator_name(category: str, lifted_out: bool = False) -> str:
    return f"income_{category}_per_capita{'_lifted_out' if lifted_out else ''}_yuan"


def _indicators() -> tuple[Indicator, ...]:
    out = []
    for cat, label in CATEGORIES.items():
        out.append(Indicator(indicator_name(cat), "yuan per person", "flow",
                             f"Income from {label} this month per person; summed over a year, the year's "
                             "per-capita income from it."))
        out.append(Indicator(indicator_name(cat, True), "yuan per person", "flow",
                             f"The same for people in lifted-out households: {label}."))
    out.append(Indicator("lifted_out_households", "households", "stock",
                         "Households lifted out of poverty (registered-poor history)."))
    out.append(Indicator("lifted_out_persons", "persons", "stock", "People in lifted-out households."))
    return tuple(out)


class IncomeSourcesParams(Section):
    """No parameters: a reporting component."""


class IncomeSources(Component):
    name = "income_sources"
    Params = IncomeSourcesParams
    indicators = _indicators()

    def setup(self, model) -> None:
        if model.hh_groups.uniform_weight is None:  # (population.build samples uniformly, as metrics requires)
            raise ValueError("income_sources: household weights must be uniform")

    def report(self, model, rec) -> None:
        hh, g = model.households, model.hh_groups
        lifted = hh.lifted_out
        # households are sorted by group: the ranges of the class columns (or of everyone, one group)
        first = 1 if g.n_columns > 1 else 0
        starts = np.array([s.start for s in g.slices[first:]], np.int64)
        stops = np.array([s.stop for s in g.slices[first:]], np.int64)
        totals = {cat: np.zeros((2, len(starts))) for cat in CATEGORIES}
        category_of = category_of_source()
        booked = list(source_terms(hh))
        # dense terms: ("scaled", values, factor) or ("array", values), `accounts.MonthAccounts`
        dense = [(t[1], t[2] if t[0] == "scaled" else 1.0, id(t)) for _, terms in booked for t in terms if t[0] != "at"]
        sums = _dense_sums(hh, [hh.size] + [values for values, _, _ in dense], starts, stops)
        persons = sums[0]
        dense_sums = {key: (sums[j + 1], factor) for j, (_, factor, key) in enumerate(dense)}
        for source, terms in booked:
            out = totals[category_of[source]]
            for term in terms:
                if term[0] == "at":
                    amounts = np.asarray(term[2], np.float32).reshape(-1)
                    sparse_range_sums(term[1], amounts, stops, lifted, out)
                else:  # summed in the pass above: added as range_sums would (total × factor)
                    term_sums, factor = dense_sums[id(term)]
                    out += term_sums * np.float64(factor)
        by_group = lambda a: _groups(a * g.uniform_weight)  # noqa: E731
        persons_all, persons_lifted = by_group(persons[0]), by_group(persons[1])
        for cat, out in totals.items():
            rec.put(indicator_name(cat), ratio(by_group(out[0]), persons_all))
            rec.put(indicator_name(cat, True), ratio(by_group(out[1]), persons_lifted))
        rec.put("lifted_out_households", g.count(lifted))
        rec.put("lifted_out_persons", persons_lifted)


def _dense_sums(hh, arrays: list, starts: np.ndarray, stops: np.ndarray) -> np.ndarray:
    """Each array's sums by group range, [array, everyone / lifted-out, range], eight arrays a pass
    (`range_sums_eight`: one pass, sixteen independent running sums; a pass per array costs a float64 add's
    latency per household, ~1.3 ms at full scale). A number booked for every household counts as an array."""
    arrays = [np.broadcast_to(np.asarray(a, np.float32), (len(hh),)) if np.ndim(a) == 0 else a for a in arrays]
    out = np.empty((len(arrays), 2, len(starts)))
    for first in range(0, len(arrays), SUMS_PER_PASS):
        batch = arrays[first:first + SUMS_PER_PASS]
        padded = batch + batch[:1] * (SUMS_PER_PASS - len(batch))  # padding: sums made and not used
        sums = np.empty((SUMS_PER_PASS, 2, len(starts)))
        range_sums_eight(tuple(padded), starts, stops, hh.lifted_out, sums)
        out[first:first + len(batch)] = sums[:len(batch)]
    return out


def source_terms(hh):
    """(source, this month's terms) of every registered income source; an unclassified source is an error
    (the component that credits it must declare its category in `income_sources`)."""
    accounts, category_of = hh.income, category_of_source()
    for source, terms in accounts.terms.items():
        if source not in category_of:
            raise ValueError(f"income source '{source}' has no category: declare it in the component's "
                             "`income_sources` (categories: sim/dynamics/income_sources.py CATEGORIES)")
        yield source, terms


def _groups(by_range: np.ndarray) -> np.ndarray:
    """Sums per group range -> 'all' then the classes (one range: 'all' only)."""
    return by_range.copy() if len(by_range) == 1 else np.concatenate([[by_range.sum()], by_range])
