"""The income distribution indicators: the per-capita income histogram, and its median and Gini with
NumPy's own summation order."""

import numba
import numpy as np

from .common import _JIT


@numba.njit(**_JIT)
def income_bins(income_12m_yuan, size, weight, starts, stops, per_capita, first_bin, shift, n_bins):
    """Per group (households `starts[c]:stops[c]`), the people (size x weight, float64) in each per-capita
    income bin (`indicators.bin_index`), added in household order as np.bincount did: a division pass
    (vectorised, into the float32 work array `per_capita`), then one pass that reads each bin off the
    float's bits and adds to it, instead of five NumPy passes and a bincount per group. An empty
    `weight` counts people alone (uniform weights, applied by the caller).
    """
    for i in range(len(income_12m_yuan)):
        per_capita[i] = income_12m_yuan[i] / np.float32(size[i])
    bits = per_capita.view(np.int32)
    people = np.zeros((len(starts), n_bins))
    for c in range(len(starts)):
        group = slice(starts[c], stops[c])  # (loops from index 0 over slices: no negative-index checks)
        if len(weight) == 0:  # (two loops rather than a test per household)
            _add_to_bins(people[c], bits[group], size[group], weight, first_bin, shift, n_bins)
        else:
            _add_to_bins(people[c], bits[group], size[group], weight[group], first_bin, shift, n_bins)
    return people


@numba.njit(**_JIT)
def _add_to_bins(histogram, bits, size, weight, first_bin, shift, n_bins):
    """People (size, or size x weight) into each household's bin, in household order."""
    if len(weight) == 0:
        for i in range(len(bits)):
            histogram[min(max((np.int64(bits[i]) >> shift) - (first_bin - 1), 0), n_bins - 1)] += size[i]
    else:
        for i in range(len(bits)):
            histogram[min(max((np.int64(bits[i]) >> shift) - (first_bin - 1), 0), n_bins - 1)] += (
                size[i] * weight[i])


@numba.njit(inline="always")
def _block_sum(a, start, n):
    """NumPy's `pairwise_sum` on at most 128 elements: in order below 8, else 8 accumulators."""
    if n < 8:
        total = 0.0
        for i in range(start, start + n):
            total += a[i]
        return total
    r = a[start:start + 8].copy()
    i = 8
    while i < n - (n % 8):
        for j in range(8):
            r[j] += a[start + i + j]
        i += 8
    total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n:
        total += a[start + i]
        i += 1
    return total


@numba.njit(**_JIT)
def pairwise_sum(a, start, n, lo=0, hi=-1):
    """Sum of a[start:start + n] as NumPy's float64 `ndarray.sum` rounds it (its `pairwise_sum`: blocks of
    at most 128 summed by `_block_sum`, halves cut at multiples of 8, left + right). Iterative, with the
    recursion's frames on a small stack: numba's cache cannot reload recursive functions.

    When the caller knows that only a[lo:hi] may be non-zero (all of it by default), blocks outside are
    taken as +0, exactly what summing their zeros gives."""
    if hi < 0:
        hi = start + n
    frame_start, frame_n = np.empty(64, np.int64), np.empty(64, np.int64)
    frame_phase = np.zeros(64, np.int8)
    sums = np.empty(64)
    frames, n_sums = 1, 0
    frame_start[0], frame_n[0] = start, n
    while frames > 0:
        t = frames - 1
        m = frame_n[t]
        if m <= 128:
            block = frame_start[t]
            sums[n_sums] = _block_sum(a, block, m) if block < hi and block + m > lo else 0.0
            n_sums += 1
            frames -= 1
            continue
        half = m // 2
        half -= half % 8
        if frame_phase[t] == 2:  # both halves summed: combine
            sums[n_sums - 2] = sums[n_sums - 2] + sums[n_sums - 1]
            n_sums -= 1
            frames -= 1
            continue
        frame_start[frames] = frame_start[t] + half * frame_phase[t]  # left half, then right half
        frame_n[frames] = half if frame_phase[t] == 0 else m - half
        frame_phase[frames] = 0
        frame_phase[t] += 1
        frames += 1
    return sums[0]


@numba.njit(**_JIT)
def income_distribution(people, edges, upper, midpoints):
    """Median and Gini per row of a binned income distribution (`indicators.binned_median` and
    `binned_gini`: the same arithmetic and summation order), without their dozen row-sized temporaries.

    Only a row's occupied range of bins is visited (incomes fill a third of the 15,362 bins): the empty
    bins on either side contribute exact zeros, and their count to the median's bin search is added
    at once."""
    n_rows, n_bins = people.shape
    median, gini = np.full(n_rows, np.nan), np.full(n_rows, np.nan)
    cum = np.empty(n_bins)
    term, wx = np.zeros(n_bins), np.zeros(n_bins)  # zero outside the row's range (a block may reach past it)
    for r in range(n_rows):
        w = people[r]
        lo, hi = 0, n_bins
        while lo < n_bins and w[lo] == 0:
            lo += 1
        if lo == n_bins:  # empty row: no median, no Gini
            continue
        while w[hi - 1] == 0:
            hi -= 1
        total = pairwise_sum(w, 0, n_bins, lo, hi)
        half = total / 2
        running, below = 0.0, lo * (0.0 < half)
        for b in range(lo, hi):
            running += w[b]
            cum[b] = running
            below += running < half
            wx[b] = w[b] * midpoints[b]
        below += (n_bins - hi) * (running < half)
        if total > 0:
            k = min(below, n_bins - 1)
            w_k = w[k]
            before = (0.0 if k < lo else (running if k >= hi else cum[k])) - w_k
            frac = (half - before) / w_k if w_k > 0 else 0.5
            median[r] = edges[k] + frac * (upper[k] - edges[k])
        total_x = pairwise_sum(wx, 0, n_bins, lo, hi)
        if total > 0 and total_x > 0:
            running = 0.0
            for b in range(lo, hi):
                running += wx[b]
                # an empty bin's term is +0 either way (0 x a non-negative number): skip the divisions
                term[b] = (w[b] / total) * (2 * (running / total_x) - wx[b] / total_x) if w[b] != 0 else 0.0
            gini[r] = 1.0 - pairwise_sum(term, 0, n_bins, lo, hi)
        wx[lo:hi] = 0.0
        term[lo:hi] = 0.0
    return median, gini


@numba.njit(**_JIT)
def employment_counts(state, lifted_out, starts, stops, local, migrant):
    """Per group of labourer slots (`starts[c]:stops[c]`): those in work (state at least `local`), those
    of them from lifted-out households, and the migrants: one pass for three masks and their counts."""
    counts = np.zeros((len(starts), 3), np.int64)
    for c in range(len(starts)):
        counts[c] = _employment_counts(state[starts[c]:stops[c]], lifted_out[starts[c]:stops[c]], local, migrant)
    return counts


@numba.njit(**_JIT)
def _employment_counts(state, lifted_out, local, migrant):
    """One group's counts, over its slices from index 0: with loop bounds read from an array (numba cannot
    tell they are not negative) the loop was not vectorised and ran ~10x slower."""
    employed = employed_lifted_out = migrants = 0
    for s in range(len(state)):
        works = state[s] >= local
        employed += works
        employed_lifted_out += works & lifted_out[s]
        migrants += state[s] == migrant
    return np.array([employed, employed_lifted_out, migrants], np.int64)
