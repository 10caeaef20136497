"""Income by source: one pass over a source's dense amounts gives its totals by group, for all households
and for lifted-out ones (households are sorted by group, so each group is one range; the sums are kept in
registers, not in an array indexed per household)."""

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


SUMS_PER_PASS = 6  # arrays `range_sums_six` sums at once (a short batch repeats one)


@njit(cache=True)
def range_sums_six(arrays, starts, stops, lifted, weight, weighted, out):  # pragma: no cover - compiled
    """`range_sums` of six float32 arrays in one pass, without the factor: out[j, 0, k] and out[j, 1, k] are
    array j's sums over range k and over its lifted-out households. Each array's sums are accumulated in
    the same order and precision as `range_sums` (so `out[j] × factor` added to a total gives the same bits),
    but the six running sums are independent chains the processor overlaps: a term costs about one float64
    add's latency per household in `range_sums`, six terms here cost little more than one."""
    a0, a1, a2, a3, a4, a5 = arrays
    for k in range(starts.shape[0]):
        t0 = t1 = t2 = t3 = t4 = t5 = 0.0
        l0 = l1 = l2 = l3 = l4 = l5 = 0.0
        for i in range(starts[k], stops[k]):
            w = weight[i] if weighted else 1.0
            is_lifted = lifted[i]
            v0, v1, v2 = np.float64(a0[i]), np.float64(a1[i]), np.float64(a2[i])
            v3, v4, v5 = np.float64(a3[i]), np.float64(a4[i]), np.float64(a5[i])
            if weighted:
                v0 *= w
                v1 *= w
                v2 *= w
                v3 *= w
                v4 *= w
                v5 *= w
            t0 += v0
            t1 += v1
            t2 += v2
            t3 += v3
            t4 += v4
            t5 += v5
            l0 += v0 * is_lifted
            l1 += v1 * is_lifted
            l2 += v2 * is_lifted
            l3 += v3 * is_lifted
            l4 += v4 * is_lifted
            l5 += v5 * is_lifted
        out[0, 0, k], out[1, 0, k], out[2, 0, k], out[3, 0, k], out[4, 0, k], out[5, 0, k] = t0, t1, t2, t3, t4, t5
        out[0, 1, k], out[1, 1, k], out[2, 1, k], out[3, 1, k], out[4, 1, k], out[5, 1, k] = l0, l1, l2, l3, l4, l5
