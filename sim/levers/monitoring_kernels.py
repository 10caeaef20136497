"""Monitoring's compiled passes: the risk test and detection (`find_at_risk`) and the month of the
monitored households (`monitor_month`: elimination, referral, development assistance), each with the NumPy
code it must match bit for bit beside it (tests/test_monitoring.py checks them).

They live apart from the lever (sim/levers/monitoring.py) only to keep each file short: nothing else calls
them. Both read one bundle of household arrays and the lever's states (`Arrays`, built by
`Monitoring.arrays`).
"""

from typing import NamedTuple

import numba
import numpy as np

from ..kernels.common import JIT, positions


class Arrays(NamedTuple):
    """Household arrays of the monitoring passes: read (own income as verified, 12-month sums, size, county,
    labourers, social assistance) and written (monitoring category and referral; the lever's states)."""

    verified: np.ndarray  # float32, verified own income (sim/dynamics/verification.py)
    net_12m: np.ndarray  # float32, 12-month income after every transfer less rigid expenditure
    assistance_12m: np.ndarray  # float64, 12-month means-tested assistance
    expense_12m: np.ndarray  # float32, 12-month rigid expenditure
    hh_size: np.ndarray
    county: np.ndarray
    n_labourers: np.ndarray
    social_assistance: np.ndarray  # 0 none, 1 dibao, 2 extreme-poverty support
    category: np.ndarray  # monitoring category (written)
    referral: np.ndarray  # referred to the means tests (written)
    flagged: np.ndarray
    supported: np.ndarray
    risk: np.ndarray
    scratch: np.ndarray
    budget: np.ndarray
    stable_months: np.ndarray


@numba.njit(**JIT)
def find_at_risk(a, extra_person_yuan, line_yuan, drop_ratio, county_hazard):
    """The risk test for every household into `a.risk`, and which of those at risk and not yet flagged
    are found this month (sorted).

    At risk, as the register sees it: verified own income plus the register's extra (`extra_person_yuan` a
    person) below the line without dibao or extreme-poverty support (whose recipients' basic living is
    guaranteed); or, seen by screening between surveys, own income of the last 12 months (without
    means-tested assistance, plus the extra) below the line and under `drop_ratio` x that verified income,
    uncovered; or, by the official rule for sudden severe hardship, income of the last 12 months after every
    transfer less that period's rigid expenditure, plus the extra, below the line for the household's size
    (covered or not). Households in permanent support stay flagged while they receive it; once it stops
    they can be found again. Those at risk and not flagged spend their county's detection hazard from
    their budget and are found when it runs out.
    """
    count = 0
    for i in range(len(a.verified)):
        if a.supported[i] and a.social_assistance[i] == 0:
            a.supported[i] = False
            a.flagged[i] = False
        threshold = np.float64(np.float32(a.hh_size[i]) * line_yuan)
        extra = extra_person_yuan * a.hh_size[i]
        after_transfers = np.float64(a.net_12m[i]) + extra
        own = np.float64(a.net_12m[i]) - np.float64(a.assistance_12m[i]) + extra
        verified = np.float64(a.verified[i]) + extra
        uncovered = a.social_assistance[i] == 0
        at_risk = ((uncovered & ((verified < threshold) | ((own < threshold) & (own < drop_ratio * verified))))
                   | ((a.expense_12m[i] > 0) & (after_transfers < threshold)))
        a.risk[i] = at_risk
        new = at_risk & (not a.flagged[i])
        a.scratch[i] = new
        count += new
    at_risk = positions(a.scratch, count)
    found = np.empty(count, np.intp)
    n_found = 0
    for k in range(count):
        i = at_risk[k]
        left = np.float32(np.float64(a.budget[i]) - county_hazard[a.county[i]])
        a.budget[i] = left
        found[n_found] = i
        n_found += left <= 0
    return found[:n_found]


def find_at_risk_numpy(a, extra_person_yuan, line_yuan, drop_ratio, county_hazard):
    """`find_at_risk` in NumPy."""
    released = a.supported & (a.social_assistance == 0)
    a.supported[released], a.flagged[released] = False, False
    threshold = (a.hh_size.astype(np.float32) * np.float32(line_yuan)).astype(np.float64)
    extra = extra_person_yuan * a.hh_size.astype(np.float64)
    net = a.net_12m.astype(np.float64)
    own = net - a.assistance_12m.astype(np.float64) + extra
    verified = a.verified.astype(np.float64) + extra
    a.risk[:] = (((a.social_assistance == 0) & ((verified < threshold) | ((own < threshold) & (own < drop_ratio * verified))))
                 | ((a.expense_12m > 0) & (net + extra < threshold)))
    a.scratch[:] = a.risk & ~a.flagged
    new = np.flatnonzero(a.scratch)
    left = (a.budget[new].astype(np.float64) - county_hazard[a.county[new]]).astype(np.float32)
    a.budget[new] = left
    return new[left <= 0]


@numba.njit(**JIT)
def monitor_month(a, monitored, strength, stable_needed, development_yuan, any_ended):
    """Elimination and assistance for the `monitored` households (sorted) in one loop (`_eliminate`).

    Households count months out of risk and are released after `stable_needed`; those that can work get
    development assistance meanwhile. Every monitored household is referred to dibao and extreme-poverty
    support (their means tests decide). For households that cannot work (no labourer) being covered also
    counts as out of risk; if covered when released their risk is eliminated into permanent support
    (`supported`: flagged while they are covered). Where the lever ended, everyone is released. Returns the eliminated, those moved into
    support, the still monitored, each one's payment, and (households, amounts) of development assistance.
    """
    n = len(monitored)
    eliminated, moved, kept = np.empty(n, np.intp), np.empty(n, np.intp), np.empty(n, np.intp)
    paid = np.empty(n, np.float32)
    developed, development = np.empty(n, np.intp), np.empty(n, np.float32)
    n_eliminated = n_moved = n_kept = n_developed = 0
    for k in range(n):
        i = monitored[k]
        cannot_work = a.n_labourers[i] == 0
        covered = a.social_assistance[i] > 0
        out_of_risk = (not a.risk[i]) or (cannot_work and covered)
        months = np.int8((a.stable_months[i] + 1) * out_of_risk)
        a.stable_months[i] = months
        share = strength[a.county[i]]
        ended = any_ended and share == 0
        if months >= stable_needed or ended:  # released (a few percent a month)
            eliminated[n_eliminated] = i
            n_eliminated += 1
            a.category[i] = 0
            a.stable_months[i] = 0
            a.referral[i] = False
            if cannot_work and covered and not ended:
                a.supported[i] = True  # stays flagged while covered
                moved[n_moved] = i
                n_moved += 1
            else:
                a.flagged[i] = False
            continue
        kept[n_kept] = i
        amount = np.float32(0.0)
        a.referral[i] = True  # every monitored household that passes the means test gets dibao ('应保尽保')
        if not cannot_work:
            amount = np.float32(development_yuan * share)
            developed[n_developed], development[n_developed] = i, amount
            n_developed += 1
        paid[n_kept] = amount
        n_kept += 1
    return (eliminated[:n_eliminated], moved[:n_moved], kept[:n_kept], paid[:n_kept], developed[:n_developed],
            development[:n_developed])


def monitor_month_numpy(a, monitored, strength, stable_needed, development_yuan, any_ended):
    """`monitor_month` in NumPy."""
    i = monitored
    cannot_work, covered = a.n_labourers[i] == 0, a.social_assistance[i] > 0
    months = ((a.stable_months[i].astype(np.int64) + 1) * (~a.risk[i] | (cannot_work & covered))).astype(np.int8)
    a.stable_months[i] = months
    share = strength[a.county[i]]
    ended = any_ended & (share == 0)
    released = (months >= stable_needed) | ended
    moved = released & cannot_work & covered & ~ended
    out = i[released]
    a.category[out], a.stable_months[out], a.referral[out] = 0, 0, False
    a.supported[i[moved]] = True
    a.flagged[i[released & ~moved]] = False
    kept = i[~released]
    a.referral[kept] = True
    works = ~cannot_work[~released]
    paid = np.where(works, (development_yuan * share[~released]).astype(np.float32), np.float32(0.0))
    return out, i[moved], kept, paid, kept[works], paid[works]
