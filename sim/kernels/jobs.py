"""Lever jobs filled by pool (`first_in_pools`): shared by the workshops, PV's public-welfare posts and the
resettlement jobs through `sim/levers/jobs.py`. Each lever keeps its own passes in its own files in
sim/levers/."""

import numba
import numpy as np

from .common import _JIT


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
