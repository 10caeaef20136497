"""Social assistance: the monthly means test, enrolment, review and payment of a means-tested programme
(dibao, extreme-poverty support) in one pass over the households it can concern (`means_test_candidates`)."""

import numba
import numpy as np

from .common import _JIT, positions


@numba.njit(**_JIT)
def means_tested_month(month, own_code, takes_over_code, social, group_ok, verified_yuan, imputed_yuan, size,
                       threshold_person_yuan, flat_person_yuan, referral, take_up_draw, take_up, lifted_out,
                       lifted_out_take_up, pending_due, next_review, exit_left, monthly_yuan, lag_months,
                       review_months, exit_months, assess, county, quota_left, county_u, households):
    """One month of a means-tested programme over `households` (sorted; all of them, or the candidates of
    `means_test_candidates`); returns the households paid and what each gets.

    Verified income is the household's own yearly income without means-tested assistance, as last verified
    (sim/dynamics/verification.py), plus income the means test imputes (`imputed_yuan`: what able labourers out of
    work could earn, support owed by adult children). A household of the programme's group (`group_ok`) is eligible when it is under
    `threshold_person_yuan` x size. Non-recipients who are eligible apply when referred by monitoring or when
    their take-up draw is under the take-up share; they are enrolled `lag_months` later if still eligible.
    Recipients are reviewed every `review_months` (at once if they leave the group): the amount is re-set or,
    no longer eligible, paid on for `exit_months` (gradual exit) and stopped. The amount is the top-up to the
    threshold, or `flat_person_yuan` x size when that is positive (a fixed support standard). Households in
    another programme are left alone, except `takes_over_code`'s, which this one may enrol. `assess` False
    (the accounts not yet full) only pays the recipients. `quota_left` (persons, per county; infinite without
    a quota) is what a county can still admit. Applicants are admitted in turn: when the next one needs more
    places than are left, it is admitted with chance places left / its size (the county then owes the rest
    until places free up) and otherwise waits, and so does every later applicant of that county this month.
    In expectation the persons admitted equal the places, whatever the sizes and the sample's scale; letting
    smaller households take the odd places left over would favour them more the smaller the sample (a
    sampled county frees a place or two a month where the full county frees dozens). `county_u`: one
    uniform per county for the month.
    """
    n = len(households)
    closed = np.zeros(len(quota_left), np.bool_)  # counties whose queue has stopped this month
    paid_idx = np.empty(n, np.intp)
    paid = np.empty(n, np.float32)
    count = 0
    for k in range(n):
        i = households[k]
        s = social[i]
        if s != 0 and s != own_code and s != takes_over_code:
            continue
        if s == own_code:
            if assess:
                verified = np.float64(verified_yuan[i]) + imputed_yuan[i]
                line = threshold_person_yuan * size[i]
                eligible = group_ok[i] and verified < line
                if exit_left[i] > 0:
                    exit_left[i] -= 1
                    if exit_left[i] == 0:
                        social[i] = 0
                        monthly_yuan[i] = 0.0
                        quota_left[county[i]] += size[i]
                        continue
                elif month >= next_review[i] or not group_ok[i]:
                    next_review[i] = month + review_months
                    if eligible:
                        monthly_yuan[i] = _amount(flat_person_yuan, line, verified, size[i])
                    elif exit_months == 0 or not group_ok[i]:
                        social[i] = 0
                        monthly_yuan[i] = 0.0
                        quota_left[county[i]] += size[i]
                        continue
                    else:
                        exit_left[i] = exit_months
        else:
            if not assess:
                continue
            verified = np.float64(verified_yuan[i]) + imputed_yuan[i]
            line = threshold_person_yuan * size[i]
            eligible = group_ok[i] and verified < line
            if pending_due[i] >= 0:
                if month < pending_due[i]:
                    continue
                pending_due[i] = -1
                if not eligible:
                    continue
            else:
                if not eligible:
                    continue
                chance = lifted_out_take_up if lifted_out[i] else take_up
                if not (referral[i] or take_up_draw[i] < chance):
                    continue
                if lag_months > 0:
                    pending_due[i] = month + lag_months
                    continue
            c = county[i]
            if closed[c]:
                continue  # the queue has stopped: the household applies again later
            if quota_left[c] < size[i] and not county_u[c] * size[i] < quota_left[c]:
                closed[c] = True  # the quota is full for now: the household applies again later
                continue
            quota_left[c] -= size[i]  # (a programme taken over frees its place at its January recount)
            social[i] = own_code
            monthly_yuan[i] = _amount(flat_person_yuan, line, verified, size[i])
            next_review[i] = month + review_months
            exit_left[i] = 0
        paid_idx[count] = i
        paid[count] = monthly_yuan[i]
        count += 1
    return paid_idx[:count], paid[:count]


@numba.njit(**_JIT)
def means_test_candidates(social, own_code, pending_due, group_ok, verified_yuan, imputed_yuan, size,
                          threshold_person_yuan, scratch):
    """The households `means_tested_month` can do anything to (sorted): its recipients, its pending
    applicants and the households of its group under the threshold (eligible, with `means_tested_month`'s
    test). For every other household that kernel changes nothing and pays nothing, and none of them can
    join the three sets before the eligibility's inputs change (verified and imputed income at a survey,
    sizes and the threshold in January, the group when the programme redraws it): only the kernel adds
    recipients and applicants, and only from the eligible. So the month can run over these alone, a
    small share of the households, recounted when those inputs change. `scratch`: a bool work array."""
    count = 0
    for i in range(len(social)):
        eligible = group_ok[i] & ((np.float64(verified_yuan[i]) + imputed_yuan[i]) < threshold_person_yuan * size[i])
        candidate = eligible | (social[i] == own_code) | (pending_due[i] >= 0)
        scratch[i] = candidate
        count += candidate
    return positions(scratch, count)


@numba.njit(**_JIT)
def _amount(flat_person_yuan, line, verified, size):
    if flat_person_yuan > 0:
        return np.float32(flat_person_yuan * size / 12)
    return np.float32(max(line - verified, 0.0) / 12)


@numba.njit(**_JIT)
def idle_labourers(household, state, ill_months_left, idle_state, out):
    """Able labourers idle (state `idle_state`, not ill) per household, at most 127, into `out` (int8):
    `np.minimum(np.bincount(household, weights=idle), 127)` without the float64 weights' slow path."""
    counts = np.zeros(len(out), np.int32)
    for s in range(len(household)):
        counts[household[s]] += (state[s] == idle_state) & (ill_months_left[s] == 0)
    for h in range(len(out)):
        out[h] = min(counts[h], 127)


@numba.njit(**_JIT)
def persons_by_county(county, size, social_assistance, code, n_counties):
    """Persons per county, all and in households of programme `code`, as float64: what
    `np.bincount(county, weights=size)` gave (integer sums, exact in any order), in one pass."""
    persons, covered = np.zeros(n_counties, np.int64), np.zeros(n_counties, np.int64)
    for i in range(len(county)):
        persons[county[i]] += size[i]
        covered[county[i]] += size[i] * (social_assistance[i] == code)
    return persons.astype(np.float64), covered.astype(np.float64)


@numba.njit(**_JIT)
def recipient_counts(paid_idx, size, lifted_out, edges):
    """Recipients (sorted household indices) per group of households (`edges[c]:edges[c + 1]`): households,
    persons and persons in lifted-out households, as float64 (integer sums: exactly the group sums of
    the gathered sizes)."""
    counts = np.zeros((len(edges) - 1, 3))
    c = 0
    households = persons = lifted_persons = 0
    for k in range(len(paid_idx)):
        h = paid_idx[k]
        while h >= edges[c + 1]:
            counts[c, 0], counts[c, 1], counts[c, 2] = households, persons, lifted_persons
            households = persons = lifted_persons = 0
            c += 1
        households += 1
        persons += size[h]
        lifted_persons += size[h] * lifted_out[h]
    counts[c, 0], counts[c, 1], counts[c, 2] = households, persons, lifted_persons
    return counts
