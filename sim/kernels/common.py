"""Shared compiled passes: positions of a mask, the below-line test, the accounts' dense terms, ring
row and sparse credits."""

import numba
import numpy as np
from numba import literal_unroll

JIT = _JIT = {"cache": True, "nogil": True}  # what every kernel is compiled with


@numba.njit(inline="always")
def can_take_job(state, ill_months_left, idle, farming):
    """A labourer who can take a lever job: idle or farming, not ill (`jobs.available`)."""
    return ((state == idle) | (state == farming)) & (ill_months_left == 0)


@numba.njit(inline="always")
def priority(monitored, lifted_out):
    """A labourer's priority for lever jobs: 0 monitored household, 1 lifted-out, 2 others
    (`jobs.priority_rank`)."""
    return 0 if monitored else (1 if lifted_out else 2)


@numba.njit(**_JIT)
def positions(mask, count):
    """np.flatnonzero(mask) given its `count` of True: a branch-free compaction (a store per element;
    stores after the last True land in one spare cell)."""
    out = np.empty(count + 1, np.intp)
    k = 0
    for i in range(len(mask)):
        out[k] = i
        k += mask[i]
    return out[:count]


@numba.njit(**_JIT)
def positive(values, scratch):
    """np.flatnonzero(values > 0), through the reused bool array `scratch`: a counting pass (vectorised)
    and the branch-free compaction, without NumPy's temporary mask."""
    count = 0
    for i in range(len(values)):
        is_positive = values[i] > 0
        scratch[i] = is_positive
        count += is_positive
    return positions(scratch, count)


@numba.njit(**_JIT)
def below_line(net_12m_yuan, size, line_yuan, mask):
    """Households whose 12-month net income is below `line_yuan` (float32) per person: positions, sorted.

    A branch-free pass that fills `mask` and counts (the compiler vectorises it), then the compaction:
    in place of a threshold array, a comparison and np.flatnonzero.
    """
    count = 0
    for i in range(len(net_12m_yuan)):
        below = net_12m_yuan[i] < np.float32(size[i]) * line_yuan
        mask[i] = below
        count += below
    return positions(mask, count)


@numba.njit(**_JIT)
def add_scaled(out, base, factor, overwrite):
    """`out = base x factor` or `out += base x factor` in float32, one pass (NumPy: a product, then a sum)."""
    if overwrite:
        for i in range(len(out)):
            out[i] = np.float32(base[i]) * factor
    else:
        for i in range(len(out)):
            out[i] += np.float32(base[i]) * factor


@numba.njit(**_JIT)
def roll_row(total, row, new_row, other_total, net):
    """Swap a month's row of a 12-month ring: total - old + new (float32, in that order), the row stored,
    and `net = total - other_total`, one pass for three NumPy passes and a subtraction."""
    for i in range(len(total)):
        t = (total[i] - row[i]) + new_row[i]
        total[i] = t
        row[i] = new_row[i]
        net[i] = t - other_total[i]


@numba.njit(**_JIT)
def ring_total(ring, total):
    """Each column's sum over the rows of a (months, units) float32 ring, added in float64 in row order and
    rounded once to float32 into `total`: what `ring.sum(axis=0, dtype=np.float64)` gives, without its
    float64 temporaries (the yearly exact rebuild of a 12-month sum)."""
    for j in range(ring.shape[1]):
        exact = np.float64(ring[0, j])
        for r in range(1, ring.shape[0]):
            exact += ring[r, j]
        total[j] = exact


@numba.njit(**_JIT)
def add_at(out, idx, amounts):
    """`np.add.at(out, idx, amounts)` for float32 `out` and `amounts` (one per index), in index order."""
    for k in range(len(idx)):
        out[idx[k]] += amounts[k]


@numba.njit(**_JIT)
def add_at_scalar(out, idx, amount):
    """`np.add.at(out, idx, amount)` for one float32 amount."""
    for k in range(len(idx)):
        out[idx[k]] += amount


def scatter_add(out, idx, amounts) -> None:
    """`np.add.at(out, idx, amounts)` (float32 `out`; amounts float32, one per index or one for all),
    compiled: NumPy's ufunc.at pays a per-element dispatch."""
    if amounts.ndim == 0:
        add_at_scalar(out, idx, amounts[()])
    elif amounts.shape == idx.shape:
        add_at(out, idx, amounts)
    else:  # broadcast amounts: NumPy's rules and checks
        np.add.at(out, idx, amounts)


@numba.njit(**_JIT)
def sum_scaled(out, first, rest):
    """`out = base_1 x factor_1 + base_2 x factor_2 + ...` in float32, adding in the terms' order (what
    `add_scaled` term by term gave): one pass for one pass per term. `first` is a (base, factor) pair,
    `rest` a tuple of them (bases of any numeric type, factors float32)."""
    for i in range(len(out)):
        value = np.float32(first[0][i]) * first[1]
        for term in literal_unroll(rest):
            value += np.float32(term[0][i]) * term[1]
        out[i] = value
