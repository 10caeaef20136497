"""Income by source: one pass over the dense amounts of up to eight sources gives their totals by group, for
all households and for lifted-out ones (households are sorted by group, so each group is one range; the sums
are kept in registers, not in an array indexed per household), and one loop over a sparse term's households.

`range_sums` is the reference the others must equal to the bit: float64 accumulation of each array's
values in household order, per range, for everyone and for the lifted-out."""

import numpy as np
from numba import njit


@njit(cache=True)
def range_sums(values, factor, starts, stops, lifted, weight, weighted, out):  # pragma: no cover - compiled
    """out[0, k] += Σ values[i] × factor (× weight[i]) over i in [starts[k], stops[k]); out[1, k] the same over
    the lifted-out households of the range. float64 accumulation of float32 amounts."""
    f = np.float64(factor)
    for k in range(starts.shape[0]):
        total, lifted_total = 0.0, 0.0
        for i in range(starts[k], stops[k]):
            v = np.float64(values[i])
            if weighted:
                v *= weight[i]
            total += v
            lifted_total += v * lifted[i]
        out[0, k] += total * f
        out[1, k] += lifted_total * f


SUMS_PER_PASS = 8  # arrays `range_sums_eight` sums at once (a short batch repeats one)


@njit(cache=True)
def range_sums_eight(arrays, starts, stops, lifted, out):  # pragma: no cover - compiled
    """`range_sums` (uniform weights, no factor) of eight arrays of any numeric dtypes in one pass: out[j, 0, k]
    and out[j, 1, k] are array j's sums over range k and over its lifted-out households, accumulated in the
    same order and precision as `range_sums`, so `out[j] × factor` added to a total gives the same bits.

    Why it is shaped so: a running float64 sum is one dependency chain (an add's latency per household);
    sixteen independent chains keep the processor busy instead. The loops run over slices from index 0
    (numba vectorises neither a loop whose bounds it reads from an array nor its wrap-around checks), and
    the lifted-out sums are taken under a branch rather than as `v × lifted` (eight multiplies saved per
    household; adding `v × 0` left a sum unchanged, so the bits are the same)."""
    a0, a1, a2, a3, a4, a5, a6, a7 = arrays
    for k in range(starts.shape[0]):
        s, e = starts[k], stops[k]
        b0, b1, b2, b3 = a0[s:e], a1[s:e], a2[s:e], a3[s:e]
        b4, b5, b6, b7 = a4[s:e], a5[s:e], a6[s:e], a7[s:e]
        is_lifted = lifted[s:e]
        t0 = t1 = t2 = t3 = t4 = t5 = t6 = t7 = 0.0
        l0 = l1 = l2 = l3 = l4 = l5 = l6 = l7 = 0.0
        for i in range(e - s):
            v0, v1, v2, v3 = np.float64(b0[i]), np.float64(b1[i]), np.float64(b2[i]), np.float64(b3[i])
            v4, v5, v6, v7 = np.float64(b4[i]), np.float64(b5[i]), np.float64(b6[i]), np.float64(b7[i])
            t0 += v0
            t1 += v1
            t2 += v2
            t3 += v3
            t4 += v4
            t5 += v5
            t6 += v6
            t7 += v7
            if is_lifted[i]:
                l0 += v0
                l1 += v1
                l2 += v2
                l3 += v3
                l4 += v4
                l5 += v5
                l6 += v6
                l7 += v7
        out[0, 0, k], out[1, 0, k], out[2, 0, k], out[3, 0, k] = t0, t1, t2, t3
        out[4, 0, k], out[5, 0, k], out[6, 0, k], out[7, 0, k] = t4, t5, t6, t7
        out[0, 1, k], out[1, 1, k], out[2, 1, k], out[3, 1, k] = l0, l1, l2, l3
        out[4, 1, k], out[5, 1, k], out[6, 1, k], out[7, 1, k] = l4, l5, l6, l7


@njit(cache=True)
def sparse_range_sums(households, amounts, stops, lifted, out):  # pragma: no cover - compiled
    """A sparse term (amounts for some households, in their order; one amount for all of them when
    `amounts` has length 1) added to the totals by range: out[0, k] += the range's sum over everyone,
    out[1, k] += over the lifted-out. The sums are accumulated in float64 in the households' order per
    (range, lifted-out) and everyone's is the two added, as `np.bincount` on range × 2 + lifted gave."""
    n_ranges = stops.shape[0]
    sums = np.zeros((n_ranges, 2))
    one_amount = amounts.shape[0] == 1
    for j in range(households.shape[0]):
        h = households[j]
        k = 0
        while stops[k] <= h:  # the range holding the household (households are sorted by range)
            k += 1
        sums[k, 1 if lifted[h] else 0] += np.float64(amounts[0] if one_amount else amounts[j])
    for k in range(n_ranges):
        out[0, k] += sums[k, 0] + sums[k, 1]
        out[1, k] += sums[k, 1]
