"""Filling a fixed number of lever jobs (workshop places, public-welfare posts, resettlement jobs).

Jobs belong to pools (a county, a village); vacancies are filled from eligible labourers of the pool
in priority order — monitored households first, then lifted-out, then the rest — with ties broken by
each labourer's draw this month. When a pool shrinks, surplus holders are released at random.
"""

from types import SimpleNamespace

import numpy as np

from .households import Employment

PRIORITY_MONITORED, PRIORITY_LIFTED_OUT, PRIORITY_OTHER = 0, 1, 2


def priority_rank(model) -> np.ndarray:
    """Per labourer: 0 monitored household, 1 lifted-out household, 2 others."""
    hh, lab = model.households, model.labourers
    rank = np.where(hh.lifted_out, PRIORITY_LIFTED_OUT, PRIORITY_OTHER).astype(np.int8)
    rank[hh.monitoring_category > 0] = PRIORITY_MONITORED
    return rank[lab.household]


def priority_rank_of(model, slots: np.ndarray) -> np.ndarray:
    """`priority_rank` for the given labourer slots only."""
    hh = model.households
    h = model.labourers.household[slots]
    rank = np.where(hh.lifted_out[h], PRIORITY_LIFTED_OUT, PRIORITY_OTHER).astype(np.int8)
    rank[hh.monitoring_category[h] > 0] = PRIORITY_MONITORED
    return rank


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
        idx = idx[sort_by(draw[idx], pool[idx])]
        release = idx[np.flatnonzero(position_in_run(pool[idx]) < surplus[pool[idx]])]
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
    idx = idx[sort_by(draw[idx], rank[idx], pool[idx])]
    hired = idx[np.flatnonzero(position_in_run(pool[idx]) < vacancies[pool[idx]])]
    lab.state[hired] = job_state


def fill_among(model, slots: np.ndarray, *, job_state: int, **per_slot) -> np.ndarray:
    """`fill` on the sub-population `slots`, which must hold every holder of `job_state`: the same rule,
    fewer rows to sort (levers whose jobs go to a known few, or whose hires come from the best few).

    `per_slot` arrays (pool, draw, eligible, rank) are indexed like `slots`; `capacity` is per pool.
    Returns the slots' states afterwards.
    """
    lab = model.labourers
    sub = SimpleNamespace(state=lab.state[slots], household=lab.household[slots])  # what fill reads
    fill(SimpleNamespace(labourers=sub, households=model.households), job_state=job_state, **per_slot)
    lab.state[slots] = sub.state
    return sub.state


def sort_by(*keys: np.ndarray) -> np.ndarray:
    """The order `np.lexsort(keys)` gives (the last key primary; ties keep their order), from one
    argsort of the keys packed into 64-bit integers, several times faster than lexsort.

    Keys are non-negative integers or uniforms in [0, 1) (float32 draws are multiples of 2^-24 and
    pack exactly; finer floats are cut to 24 bits, their rare ties broken by order). Falls back to
    lexsort when the keys need more than 63 bits.
    """
    n = len(keys[0])
    codes = [_as_code(k) for k in keys]
    widths = [int(c.max(initial=0)).bit_length() for c in codes]
    shift = max(n - 1, 0).bit_length()  # the lowest bits: the original position, for ties
    if shift + sum(widths) > 63:
        return np.lexsort(keys)
    packed = np.arange(n, dtype=np.int64)
    for code, width in zip(codes, widths):
        packed |= code << shift
        shift += width
    return np.argsort(packed)


def _as_code(key: np.ndarray) -> np.ndarray:
    key = np.asarray(key)
    if key.dtype.kind == "f":
        return (key * 2.0**24).astype(np.int64)
    code = key.astype(np.int64)
    if len(code) and code.min() < 0:
        code -= code.min()
    return code


def position_in_run(sorted_values: np.ndarray) -> np.ndarray:
    """0, 1, 2, ... within each run of equal values (e.g. a labourer's place in its pool's queue)."""
    n = len(sorted_values)
    if n == 0:
        return np.zeros(0, np.int64)
    starts = np.flatnonzero(np.concatenate([[True], sorted_values[1:] != sorted_values[:-1]]))
    return np.arange(n) - np.repeat(starts, np.diff(np.append(starts, n)))
