"""Lever passes shared or not yet moved beside their lever: lever jobs filled by pool, the relocation
follow-up workers' month, candidates for workshop jobs and posts, PV recipients, insurance following
monitoring. (The monitoring lever's kernels live in sim/levers/monitoring.py.)"""

import numba
import numpy as np

from .common import _JIT, can_take_job, positions, priority


@numba.njit(**_JIT)
def roll_payments(paid_12m_yuan, old_households, old_paid, households, paid):
    """The lever's 12-month payment sums: the month falling out subtracted, then this month added (float64)."""
    for k in range(len(old_households)):
        paid_12m_yuan[old_households[k]] -= old_paid[k]
    for k in range(len(households)):
        paid_12m_yuan[households[k]] += paid[k]


@numba.njit(**_JIT)
def first_in_pools(pool, order, shift, candidate, quota):
    """Per pool, the `quota[pool]` candidates that come first by `order` (ties by position), as a mask.

    What sorting all candidates by (pool, order, position) and taking each pool's first `quota` gives
    (`jobs.fill`), without the sort: the candidates are placed by pool (a counting sort; a store per
    element, a spare cell per pool), and a pool with more candidates than places keeps its `quota`
    smallest keys `order << shift | position` (unique) by a partition, linear in its candidates.
    """
    n, n_pools = len(pool), len(quota)
    counts = np.zeros(n_pools, np.int64)
    for i in range(n):
        counts[pool[i]] += candidate[i] & (quota[pool[i]] > 0)
    start = np.empty(n_pools + 1, np.int64)
    start[0] = 0
    for p in range(n_pools):
        start[p + 1] = start[p] + counts[p] + 1
    cursor = start[:-1].copy()
    keys = np.empty(start[-1], np.int64)
    for i in range(n):
        p = pool[i]
        keys[cursor[p]] = (order[i] << shift) | i
        cursor[p] += candidate[i] & (quota[p] > 0)
    selected = np.zeros(n, np.bool_)
    low = (np.int64(1) << shift) - 1
    for p in range(n_pools):
        q, c = quota[p], counts[p]
        if q <= 0 or c == 0:
            continue
        pool_keys = keys[start[p]:start[p] + c]
        if c > q:
            pool_keys = np.partition(pool_keys, q - 1)[:q]
        for key in pool_keys:
            selected[key & low] = True
    return selected


@numba.njit(**_JIT)
def relocation_month(slots, draw, quit_chance, state, household, has_farmland, ill_months_left, category, pool,
                     n_pools, resettled, farming, idle):
    """The follow-up workers' month before the jobs are filled (`Relocation.step`): holders whose draw is
    below `quit_chance` leave (to farming where the household has land); then per slot whether it holds
    a job, whether it could take one (idle or farming, not ill, not just quit) and its priority
    (0 monitored household, 1 lifted-out), and the jobs held per pool."""
    n = len(slots)
    holding, available = np.empty(n, np.bool_), np.empty(n, np.bool_)
    rank = np.empty(n, np.int8)
    held = np.zeros(n_pools, np.int64)
    for k in range(n):
        s = slots[k]
        h = household[s]
        job_state = state[s]
        holds = job_state == resettled
        quits = holds & (draw[k] < quit_chance)
        if quits:
            job_state = farming if has_farmland[h] else idle
            state[s] = job_state
        holding[k] = holds & (not quits)
        held[pool[k]] += holds & (not quits)
        available[k] = can_take_job(job_state, ill_months_left[s], idle, farming) & (not quits)
        rank[k] = priority(category[h] > 0, True)  # relocated households were all lifted out
    return holding, available, rank, held


@numba.njit(**_JIT)
def workshop_candidates(state, ill_months_left, lottery, offset, threshold, idle, farming, eligible, candidates):
    """Into `eligible`: slots that could take a workshop job (idle or farming, not ill; `jobs.available`);
    into `candidates`: those of them whose draw this month (`lottery - offset`, uint16, wrapping) is
    below `threshold` (65,536: all). One pass for the mask's three comparisons, the draws and the
    subsample test."""
    for s in range(len(state)):
        is_eligible = can_take_job(state[s], ill_months_left[s], idle, farming)
        eligible[s] = is_eligible
        candidates[s] = is_eligible & (np.int64(np.uint16(lottery[s] - offset)) < threshold)


@numba.njit(**_JIT)
def post_candidates(slots, state, ill_months_left, lifted_out, household, category, idle, farming, needy_only):
    """Of `slots`, those that can take a public-welfare post (idle or farming, not ill), with their
    priority: 0 monitored household, 1 lifted-out, 2 others (left out when `needy_only`). One pass
    for the availability mask, the rank's two gathers and the filters."""
    kept, rank = np.empty(len(slots), np.intp), np.empty(len(slots), np.int8)
    n = 0
    for k in range(len(slots)):
        s = slots[k]
        if can_take_job(state[s], ill_months_left[s], idle, farming):
            r = priority(category[household[s]] > 0, lifted_out[s])
            if r < 2 or not needy_only:
                kept[n], rank[n] = s, r
                n += 1
    return kept[:n], rank[:n]


@numba.njit(**_JIT)
def follow_monitoring(category, social_assistance, monitored, enrolled, lifted_out, county, assisted_rate, rate, share):
    """Households whose assisted status (monitored, or receiving dibao or extreme-poverty support) changed
    since last month: `monitored` follows, and enrolled households not lifted out (who always have it) get
    the assisted reimbursement rate of their county while assisted, the ordinary rate otherwise. One pass;
    the changes are a few a month."""
    for h in range(len(category)):
        now = (category[h] > 0) | (social_assistance[h] > 0)
        if now != monitored[h]:
            monitored[h] = now
            if enrolled[h] and not lifted_out[h]:
                share[h] = assisted_rate[county[h]] if now else rate


@numba.njit(**_JIT)
def pv_recipients(category, beneficiary, village, lifted_out, first_labourer, labour_slots, n_labourers,
                  lifted_out_slots, lifted_out_households, state, household, ill_months_left, idle, farming):
    """Who shares a PV settlement's public works and dividends, in `PV._settle`'s order: the households
    of public-works workers (idle or farming, not ill) among the slots of lifted-out households of
    beneficiary villages, then among the slots of monitored households there that are not lifted out;
    and the households without an active labourer among those lifted-out households, then those
    monitored ones. One branch-free pass over the households for the monitored, then loops over the few."""
    mask = np.empty(len(category), np.bool_)
    n_monitored = 0
    for h in range(len(category)):
        is_needy = (category[h] > 0) & beneficiary[village[h]] & (not lifted_out[h])
        mask[h] = is_needy
        n_monitored += is_needy
    monitored = positions(mask, n_monitored)
    n_slots = len(lifted_out_slots)
    for h in monitored:
        n_slots += labour_slots[h]
    workers = np.empty(n_slots, np.intp)
    n_workers = 0
    for s in lifted_out_slots:
        workers[n_workers] = household[s]
        n_workers += can_take_job(state[s], ill_months_left[s], idle, farming)
    for h in monitored:
        for s in range(first_labourer[h], first_labourer[h] + labour_slots[h]):
            workers[n_workers] = household[s]
            n_workers += can_take_job(state[s], ill_months_left[s], idle, farming)
    unable = np.empty(len(lifted_out_households) + n_monitored, np.intp)
    n_unable = 0
    for h in lifted_out_households:
        unable[n_unable] = h
        n_unable += n_labourers[h] == 0
    for h in monitored:
        unable[n_unable] = h
        n_unable += n_labourers[h] == 0
    return workers[:n_workers], unable[:n_unable]
