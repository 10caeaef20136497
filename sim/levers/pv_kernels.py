"""PV's compiled passes: who can take a public-welfare post (`post_candidates`) and who shares a
settlement's public works and dividends (`pv_recipients`), each with the NumPy code it must match bit for
bit beside it (tests/test_pv.py checks them).

They live apart from the lever (sim/levers/pv.py) only to keep each file short: nothing else calls them.
Both read one bundle of household and labourer arrays (`Arrays`, built by `PV.arrays`) rather than a
dozen positional arguments, so a call names what it passes.
"""

from typing import NamedTuple

import numba
import numpy as np

from ..core.households import Employment, ranges
from ..kernels.common import JIT, can_take_job, positions, priority

IDLE, FARMING = Employment.NONE, Employment.FARMING  # the states from which a labourer can take a post


class Arrays(NamedTuple):
    """What the PV passes read: per household, per labourer slot, and the lever's fixed lists of the
    lifted-out households of beneficiary villages and their slots (set at setup)."""

    category: np.ndarray  # per household: monitoring category (0 not monitored)
    village: np.ndarray  # per household
    lifted_out: np.ndarray  # per household
    first_labourer: np.ndarray  # per household: its first labourer slot
    labour_slots: np.ndarray  # per household: how many slots it has
    n_labourers: np.ndarray  # per household: active labourers
    state: np.ndarray  # per slot: employment state (sim/core/households.py: Employment)
    household: np.ndarray  # per slot
    ill_months_left: np.ndarray  # per slot
    slot_lifted_out: np.ndarray  # per slot: of a lifted-out household
    beneficiary: np.ndarray  # per village: owns (a share of) a PV station
    lifted_out_households: np.ndarray  # lifted-out households of beneficiary villages (sorted)
    lifted_out_slots: np.ndarray  # their labourer slots (sorted)


@numba.njit(**JIT)
def post_candidates(a, slots, needy_only):
    """Of `slots`, those that can take a public-welfare post (idle or farming, not ill), with their
    priority: 0 monitored household, 1 lifted-out, 2 others (left out when `needy_only`). One pass
    for the availability mask, the rank's two gathers and the filters."""
    kept, rank = np.empty(len(slots), np.intp), np.empty(len(slots), np.int8)
    n = 0
    for k in range(len(slots)):
        s = slots[k]
        if can_take_job(a.state[s], a.ill_months_left[s], IDLE, FARMING):
            r = priority(a.category[a.household[s]] > 0, a.slot_lifted_out[s])
            if r < 2 or not needy_only:
                kept[n], rank[n] = s, r
                n += 1
    return kept[:n], rank[:n]


def post_candidates_numpy(a, slots, needy_only):
    """`post_candidates` in NumPy."""
    state = a.state[slots]
    kept = slots[((state == IDLE) | (state == FARMING)) & (a.ill_months_left[slots] == 0)]
    rank = np.where(a.category[a.household[kept]] > 0, 0, np.where(a.slot_lifted_out[kept], 1, 2)).astype(np.int8)
    if needy_only:
        kept, rank = kept[rank < 2], rank[rank < 2]
    return kept.astype(np.intp), rank


@numba.njit(**JIT)
def pv_recipients(a):
    """Who shares a PV settlement's public works and dividends, in `PV._settle`'s order: the households
    of public-works workers (idle or farming, not ill) among the slots of lifted-out households of
    beneficiary villages, then among the slots of monitored households there that are not lifted out;
    and the households without an active labourer among those lifted-out households, then those
    monitored ones. One branch-free pass over the households for the monitored, then loops over the few."""
    mask = np.empty(len(a.category), np.bool_)
    n_monitored = 0
    for h in range(len(a.category)):
        is_needy = (a.category[h] > 0) & a.beneficiary[a.village[h]] & (not a.lifted_out[h])
        mask[h] = is_needy
        n_monitored += is_needy
    monitored = positions(mask, n_monitored)
    n_slots = len(a.lifted_out_slots)
    for h in monitored:
        n_slots += a.labour_slots[h]
    workers = np.empty(n_slots, np.intp)
    n_workers = 0
    for s in a.lifted_out_slots:
        workers[n_workers] = a.household[s]
        n_workers += can_take_job(a.state[s], a.ill_months_left[s], IDLE, FARMING)
    for h in monitored:
        for s in range(a.first_labourer[h], a.first_labourer[h] + a.labour_slots[h]):
            workers[n_workers] = a.household[s]
            n_workers += can_take_job(a.state[s], a.ill_months_left[s], IDLE, FARMING)
    unable = np.empty(len(a.lifted_out_households) + n_monitored, np.intp)
    n_unable = 0
    for h in a.lifted_out_households:
        unable[n_unable] = h
        n_unable += a.n_labourers[h] == 0
    for h in monitored:
        unable[n_unable] = h
        n_unable += a.n_labourers[h] == 0
    return workers[:n_workers], unable[:n_unable]


def pv_recipients_numpy(a):
    """`pv_recipients` in NumPy."""
    monitored = np.flatnonzero((a.category > 0) & a.beneficiary[a.village] & ~a.lifted_out)
    first = a.first_labourer[monitored]
    slots = np.concatenate([a.lifted_out_slots, ranges(first, first + a.labour_slots[monitored])]).astype(np.intp)
    state = a.state[slots]
    workers = slots[((state == IDLE) | (state == FARMING)) & (a.ill_months_left[slots] == 0)]
    needy = np.concatenate([a.lifted_out_households, monitored]).astype(np.intp)
    return a.household[workers].astype(np.intp), needy[a.n_labourers[needy] == 0]
