"""Filling a fixed number of lever jobs (workshop places, public-welfare posts, resettlement jobs).

Jobs belong to pools (a county, a village); vacancies are filled from eligible labourers of the pool
in priority order — monitored households first, then lifted-out, then the rest — with ties broken by
each labourer's draw this month. When a pool shrinks, surplus holders are released at random.
"""

from types import SimpleNamespace

import numpy as np

from .. import kernels
from ..core.households import Employment

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
    lab = model.labourers
    capacity = np.floor(capacity).astype(np.int64)
    holders = lab.state == job_state
    held = np.bincount(pool[holders], minlength=len(capacity))
    if np.array_equal(held, capacity):
        return
    leaving, hired = moves(pool, capacity, held, holders, draw,
                           available(model) if eligible is None else eligible,
                           priority_rank(model) if rank is None else rank)
    leave_job(model, np.flatnonzero(leaving))
    lab.state[hired] = job_state


def moves(pool: np.ndarray, capacity: np.ndarray, held: np.ndarray, holding: np.ndarray, draw: np.ndarray,
          eligible: np.ndarray, rank: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`fill`'s rule on masks over some units: who leaves (a pool's surplus holders, lowest draws first)
    and who is hired (its vacancies, by rank then draw, from the eligible). `capacity` and `held` are
    whole jobs per pool. Returns the two masks; a pool never has both."""
    leaving = first_in_pools(pool, held - capacity, draw, candidate=holding)
    hired = first_in_pools(pool, capacity - np.minimum(held, capacity), draw, rank, candidate=eligible)
    return leaving, hired


def leave_job(model, slots: np.ndarray) -> None:
    """Labourers leaving a lever job: back to farming where the household has land, else idle."""
    lab = model.labourers
    lab.state[slots] = np.where(model.households.has_farmland[lab.household[slots]], Employment.FARMING,
                                Employment.NONE)


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


def first_in_pools(pool: np.ndarray, quota: np.ndarray, *keys: np.ndarray,
                   candidate: np.ndarray | None = None) -> np.ndarray:
    """Mask of the candidates (all units when None) that come first in their pool, `quota[pool]` of them
    (all when fewer), in the order of `keys` as `np.lexsort` reads them: the last key primary, ties by
    position.

    The same as sorting the candidates by (pool, keys, position) and taking each pool's first `quota`,
    from a compiled selection (`kernels.first_in_pools`) that is linear in the candidates. Keys are
    non-negative integers or uniforms in [0, 1) (float32 draws are multiples of 2^-24 and pack exactly;
    finer floats are cut to 24 bits, their rare ties broken by position); keys that need more than 63
    bits together with the position are sorted instead.
    """
    quota = np.asarray(quota, np.int64)
    if candidate is None:
        candidate = np.ones(len(pool), bool)
    if not np.any(quota > 0):
        return np.zeros(len(pool), bool)
    order, width = _packed(keys)
    shift = max(len(pool) - 1, 0).bit_length()
    if order is None or shift + width > 63:  # keys too wide to pack: sort
        idx = np.flatnonzero(candidate & (quota[pool] > 0))
        idx = idx[np.lexsort([k[idx] for k in keys] + [pool[idx]])]
        selected = np.zeros(len(pool), bool)
        selected[idx[np.flatnonzero(position_in_run(pool[idx]) < quota[pool[idx]])]] = True
        return selected
    return kernels.first_in_pools(np.asarray(pool, np.intp), order, shift, candidate, quota)


def _packed(keys) -> tuple[np.ndarray | None, int]:
    """The keys as one non-negative int64 each (the last key in the highest bits) and its bit width;
    None when they need more than 63 bits."""
    codes = [_as_code(k) for k in keys]
    widths = [int(c.max(initial=0)).bit_length() for c in codes]
    if sum(widths) > 63:
        return None, 64
    packed = np.zeros(len(keys[0]), np.int64)
    shift = 0
    for code, width in zip(codes, widths):
        packed |= code << shift
        shift += width
    return packed, shift


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
