"""Poverty status each month, as a household survey counts income and as the poverty-alleviation register
counts it, in one pass over the households: the tests against the lines, the months-below counters, the
returns to poverty, and the persons per group in each status (the metrics' indicators)."""

import numba
import numpy as np

from .common import _JIT

# columns of `poverty_month`'s counts: persons, except the two household counts
POVERTY_COUNTS = (
    "persons_below_poverty_line", "persons_below_monitoring_line", "lifted_out_households_below_poverty_line",
    "lifted_out_persons_below_poverty_line", "persons_below_monitoring_line_12_months",
    "persons_below_monitoring_line_12_months_unreached", "returns_to_poverty_households",
    "persons_below_poverty_line_verified", "persons_below_monitoring_line_verified",
    "persons_below_monitoring_line_verified_12_months",
    "persons_below_monitoring_line_verified_12_months_unreached",
)
_HOUSEHOLD_COUNTS = (2, 6)  # columns that count households, not persons


@numba.njit(**_JIT)
def poverty_month(net_12m_yuan, size, monitoring_line_yuan, poverty_line_yuan, lifted_out, below_before,
                  months_below, category, social_assistance, register, verified_yuan, assistance_12m_yuan,
                  extra_person_yuan, register_poverty_line_yuan, register_monitoring_line_yuan,
                  months_below_register, starts, stops):
    """Per group of households (`starts[c]:stops[c]`), the number in each status of `POVERTY_COUNTS` (persons,
    or households for two columns; unweighted: the caller applies the sample's uniform weight): one
    branch-free integer pass instead of a below-line list, its gathers, and a list and a group sum per
    status. The counts are integers added as integers, so they are exactly what summing each status's
    list gave.

    Survey view: 12-month net income under the line x size (float32, as `Households.below`); `months_below`
    counts consecutive months under the monitoring line; a lifted-out household under the poverty line
    that was not under it last month (`below_before`, updated) returned to poverty; "unreached": neither
    monitored (`category`) nor assisted. Register view: verified own income plus the means-tested
    assistance of the last 12 months plus `extra_person_yuan` a person (float64), with its own
    months-below counter, which advances only when `register` (the register was counted only in recorded
    months); its counts are 0 otherwise."""
    counts = np.zeros((len(starts), len(POVERTY_COUNTS)))
    for c in range(len(starts)):
        g = slice(starts[c], stops[c])
        counts[c] = _status_counts(net_12m_yuan[g], size[g], monitoring_line_yuan, poverty_line_yuan, lifted_out[g],
                                   below_before[g], months_below[g], category[g], social_assistance[g], register,
                                   verified_yuan[g], assistance_12m_yuan[g], extra_person_yuan,
                                   register_poverty_line_yuan, register_monitoring_line_yuan,
                                   months_below_register[g])
        if not register:
            counts[c, 7:] = 0.0
    return counts


@numba.njit(**_JIT)
def _status_counts(net_12m_yuan, size, monitoring_line_yuan, poverty_line_yuan, lifted_out, below_before,
                   months_below, category, social_assistance, register, verified_yuan, assistance_12m_yuan,
                   extra_person_yuan, register_poverty_line_yuan, register_monitoring_line_yuan,
                   months_below_register):
    """One group's counts, over its slices from index 0, written out in one loop: with loop bounds read
    from an array (numba cannot tell they are not negative), the status in an inlined helper, or float
    sums, the same loop was not vectorised and ran 5-10x slower. (Two loops, survey then register: ~10%
    slower.)"""
    p_below = p_mon = h_lifted = p_lifted = p_long = p_unreached = h_returned = 0
    v_below = v_mon = v_long = v_unreached = 0
    for i in range(len(net_12m_yuan)):
        net, size32 = net_12m_yuan[i], np.float32(size[i])
        is_m = net < size32 * monitoring_line_yuan
        is_p = is_m & (net < size32 * poverty_line_yuan)
        months = min(months_below[i] + 1, 30000) * is_m
        months_below[i] = months
        long = months >= 12
        lifted_below = is_p & lifted_out[i]
        returned = lifted_below & ~below_before[i]
        below_before[i] = is_p
        uncovered = (category[i] == 0) & (social_assistance[i] == 0)
        persons = np.int64(size[i])
        p_below += persons * is_p
        p_mon += persons * is_m
        h_lifted += lifted_below
        p_lifted += persons * lifted_below
        p_long += persons * long
        p_unreached += persons * (long & uncovered)
        h_returned += returned
        # the register's view
        people = np.float64(size[i])
        income = np.float64(verified_yuan[i]) + np.float64(assistance_12m_yuan[i]) + extra_person_yuan * people
        is_m = income < register_monitoring_line_yuan * people
        is_p = is_m & (income < register_poverty_line_yuan * people)
        months = min(months_below_register[i] + 1, 30000) * is_m
        if register:
            months_below_register[i] = months
        long = months >= 12
        v_below += persons * is_p
        v_mon += persons * is_m
        v_long += persons * long
        v_unreached += persons * (long & uncovered)
    return np.array([p_below, p_mon, h_lifted, p_lifted, p_long, p_unreached, h_returned,
                     v_below, v_mon, v_long, v_unreached], np.float64)
