"""Income by source: what households live on, per person, by county class and for lifted-out households.

Each registered income source belongs to one category (`CATEGORIES` names them and their labels; the
component that credits a source says its category, `Component.income_sources`): wages by job type, farm and business, PV posts and public works, PV dividends, social
assistance (dibao and extreme-poverty support), the basic pension, support from children, other transfers. Each month the
component reports, per category, the month's income per person of the group (a flow: summed over a
calendar year it is the year's per-capita income from that source, and the categories add up to the
12-month income per capita of `metrics` in December), for all households and for lifted-out ones; and
the lifted-out households and persons.

Speed: a source's income is booked as terms (an array times a factor, or amounts for some households,
`accounts.MonthAccounts`); each dense term is summed in one compiled pass by group column and
lifted-out status, each sparse one by its households only, so no per-source array is built.
"""

from functools import cache

import numpy as np

from ..core.component import Component
from ..core.indicators import Indicator, ratio
from ..kernels.sources import SUMS_PER_PASS, range_sums, range_sums_six
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

    def report(self, model, rec) -> None:
        hh, g = model.households, model.hh_groups
        lifted = hh.lifted_out
        uniform = g.uniform_weight is not None
        weight = np.ones(1) if uniform else hh.weight.astype(np.float64)
        # households are sorted by group: the ranges of the class columns (or of everyone, one group)
        first = 1 if g.n_columns > 1 else 0
        starts = np.array([s.start for s in g.slices[first:]], np.int64)
        stops = np.array([s.stop for s in g.slices[first:]], np.int64)
        shape = (2, len(starts))
        persons = np.zeros(shape)
        range_sums(hh.size, 1.0, starts, stops, lifted, weight, not uniform, persons)
        totals = {cat: np.zeros(shape) for cat in CATEGORIES}
        category_of = category_of_source()
        booked = list(source_terms(hh))
        dense = _dense_sums(hh, booked, (starts, stops, weight, uniform))
        for source, terms in booked:
            out = totals[category_of[source]]
            for term in terms:
                if id(term) in dense:  # summed in the one pass above: add as range_sums would
                    sums, factor = dense[id(term)]
                    out += sums * np.float64(factor)
                else:
                    _add_term(hh, g, term, (starts, stops, weight, uniform), out)
        scale = g.uniform_weight if uniform else 1.0
        by_group = lambda a: _groups(a * scale)  # noqa: E731
        persons_all, persons_lifted = by_group(persons[0]), by_group(persons[1])
        for cat, out in totals.items():
            rec.put(indicator_name(cat), ratio(by_group(out[0]), persons_all))
            rec.put(indicator_name(cat, True), ratio(by_group(out[1]), persons_lifted))
        rec.put("lifted_out_households", g.count(lifted))
        rec.put("lifted_out_persons", persons_lifted)


def _dense_sums(hh, booked, where) -> dict:
    """The dense float32 terms of every source summed by group range six at a time (`range_sums_six`: one
    pass, six independent running sums), keyed by the term's id: (sums [2, ranges], factor). A pass per term
    costs a float64 add's latency per household (~1.3 ms a term at full scale)."""
    starts, stops, weight, uniform = where
    terms = [t for _, ts in booked for t in ts if t[0] == "scaled" and np.asarray(t[1]).ndim == 1
             and np.asarray(t[1]).dtype == np.float32]
    out = {}
    for first in range(0, len(terms), SUMS_PER_PASS):
        batch = terms[first:first + SUMS_PER_PASS]
        arrays = [t[1] for t in batch]
        arrays += arrays[:1] * (SUMS_PER_PASS - len(arrays))  # padding: sums made and not used
        sums = np.empty((SUMS_PER_PASS, 2, len(starts)))
        range_sums_six(tuple(arrays), starts, stops, hh.lifted_out, weight, not uniform, sums)
        out.update({id(t): (sums[j], t[2]) for j, t in enumerate(batch)})
    return out


def _add_term(hh, g, term, where, out) -> None:
    """Add one booked term of a source (`accounts.MonthAccounts`) to the totals by group range."""
    starts, stops, weight, uniform = where
    kind = term[0]
    if kind == "at":  # amounts for some households: sums over those only
        idx, amount = term[1], np.broadcast_to(np.asarray(term[2], np.float64), term[1].shape)
        if not uniform:
            amount = amount * weight[idx]
        group = np.searchsorted(stops, idx, side="right")  # the range holding each household
        key = group * 2 + hh.lifted_out[idx]
        sums = np.bincount(key, weights=amount, minlength=2 * len(starts)).reshape(len(starts), 2)
        out[0] += sums.sum(axis=1)  # every household
        out[1] += sums[:, 1]  # the lifted-out ones
        return
    values, factor = (term[1], term[2]) if kind == "scaled" else (term[1], 1.0)
    values = np.asarray(values)
    if values.ndim == 0:  # one amount for every household
        values = np.broadcast_to(values.astype(np.float32), (len(hh),))
    range_sums(values, float(factor), starts, stops, hh.lifted_out, weight, not uniform, out)


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
