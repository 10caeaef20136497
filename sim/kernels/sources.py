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
