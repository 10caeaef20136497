"""Filling a fixed number of lever jobs (workshop places, public-welfare posts, resettlement jobs).

Jobs belong to pools (a county, a village); vacancies are filled from eligible labourers of the pool
in priority order — monitored households first, then lifted-out, then the rest — with ties broken by
each labourer's draw this month. When a pool shrinks, surplus holders are released at random.
"""

import numpy as np

from .households import Employment

PRIORITY_MONITORED, PRIORITY_LIFTED_OUT, PRIORITY_OTHER = 0, 1, 2


def priority_rank(model) -> np.ndarray:
    """Per labourer: 0 monitored household, 1 lifted-out household, 2 others."""
    hh, lab = model.households, model.labourers
    rank = np.where(hh.lifted_out, PRIORITY_LIFTED_OUT, PRIORITY_OTHER).astype(np.int8)
    rank[hh.monitoring_category > 0] = PRIORITY_MONITORED
    return rank[lab.household]


def available(model) -> np.ndarray:
    """Labourers who can take a lever job: active, not ill, and not in wage work."""
    lab = model.labourers
    return ((lab.state == Employment.NONE) | (lab.state == Employment.FARMING)) & (lab.ill_months_left == 0)


def fill(model, *, job_state: int, capacity: np.ndarray, pool: np.ndarray, draw: np.ndarray,
         eligible: np.ndarray | None = None, rank: np.ndarray | None = None) -> None:
    """Bring the holders of `job_state` in each pool to `capacity[pool]` (rounded down).

    `pool` maps labourers to pool indices, `draw` is a uniform per labourer (from the lever's stream, so
    scenarios share it), `eligible` defaults to `available(model)`, `rank` to `priority_rank(model)`.
    """
    lab, hh = model.labourers, model.households
    n_pools = len(capacity)
    capacity = np.floor(capacity).astype(np.int64)
    holders = lab.state == job_state
    held = np.bincount(pool[holders], minlength=n_pools)

    surplus = held - capacity
    if np.any(surplus > 0):
        idx = np.flatnonzero(holders & (surplus[pool] > 0))
        order = np.lexsort((draw[idx], pool[idx]))
        idx = idx[order]
        position = np.arange(len(idx)) - np.searchsorted(pool[idx], pool[idx])
        release = idx[position < surplus[pool[idx]]]
        farms = hh.has_farmland[lab.household[release]]
        lab.state[release] = np.where(farms, Employment.FARMING, Employment.NONE)

    vacancies = capacity - np.minimum(held, capacity)
    if not np.any(vacancies > 0):
        return
    eligible = available(model) if eligible is None else eligible
    idx = np.flatnonzero(eligible & (vacancies[pool] > 0))
    if len(idx) == 0:
        return
    rank = priority_rank(model) if rank is None else rank
    order = np.lexsort((draw[idx], rank[idx], pool[idx]))
    idx = idx[order]
    position = np.arange(len(idx)) - np.searchsorted(pool[idx], pool[idx])
    hired = idx[position < vacancies[pool[idx]]]
    lab.state[hired] = job_state
