"""Lever passes: lever jobs filled by pool (`first_in_pools`, shared by workshops, posts and resettlement
jobs), and PV's candidates for posts and recipients of its settlements (not yet moved beside the lever).
The other levers keep their kernels in their own file (monitoring, workshops, insurance, relocation)."""

import numba
import numpy as np

from .common import _JIT, can_take_job, positions, priority


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
