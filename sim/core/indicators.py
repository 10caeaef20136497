"""Indicator declarations and the recorder that holds their monthly values by group.

Each indicator has a unit and a kind, so annual values are right: a `flow` sums over the year's
months, a `stock` or `ratio` takes the year's last month (rolling 12-month incomes in December are
the calendar year's).
"""

from dataclasses import dataclass
from typing import Literal

import numpy as np

Kind = Literal["stock", "flow", "ratio"]


@dataclass(frozen=True)
class Indicator:
    name: str
    unit: str
    kind: Kind
    doc: str


class Recorder:
    """Monthly values `[month, indicator, group]`; group 0 is 'all', then the region's county classes.

    `wanted` (issue 19): the indicators a caller reads (a sweep's outputs, a calibration's targets), or None
    for all of them. The recorder keeps its shape, so indexes do not depend on the subset, and leaves the
    others NaN; components ask `wants` to skip report work nobody reads.
    """

    def __init__(self, indicators: list[Indicator], groups: list[str], n_months: int, wanted=None):
        names = [i.name for i in indicators]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise ValueError(f"indicators declared twice: {sorted(duplicates)}")
        self.indicators = indicators
        self.index = {name: k for k, name in enumerate(names)}
        self.groups = groups
        self.values = np.full((n_months, len(indicators), len(groups)), np.nan)
        self.month = -1
        self.wanted = None if wanted is None else frozenset(wanted)
        unknown = sorted(self.wanted - set(names)) if self.wanted is not None else []
        if unknown:
            raise KeyError(f"unknown indicators: {', '.join(unknown)}")

    @property
    def computed(self) -> list[str]:
        """The names of the indicators this run computes, in declaration order."""
        return [name for name in self.index if self.wanted is None or name in self.wanted]

    def wants(self, *names: str) -> bool:
        """Whether any of `names` is computed in this run (every indicator is, unless a subset was asked for)."""
        return self.wanted is None or not self.wanted.isdisjoint(names)

    def put(self, name: str, by_group) -> None:
        """Store this month's value; `by_group` is a scalar (all only) or one value per group. An indicator
        outside the wanted subset is not stored (it stays NaN)."""
        if self.wanted is not None and name not in self.wanted:
            return
        row = self.values[self.month, self.index[name]]
        if np.ndim(by_group):
            row[:] = by_group
        else:
            row[0] = by_group


class Groups:
    """Weighted sums by county class for household- or labourer-level arrays.

    Households are sorted by village and villages by county class, so each class is one contiguous
    slice and a group sum is a slice sum (no scatter). Column 0 is 'all'. `weight` brings the sample
    to the full population; uniform weights (the usual case) take a faster path.
    """

    def __init__(self, class_code: np.ndarray, class_to_column: np.ndarray, weight: np.ndarray, n_columns: int):
        column = class_to_column[class_code].astype(np.int8)
        if np.any(column[1:] < column[:-1]):
            raise ValueError("units must be sorted by group")
        self.column = column
        self.n_columns = n_columns
        bounds = np.searchsorted(column, np.arange(n_columns + 1))
        self.slices = [slice(0, len(column))] + [slice(bounds[c], bounds[c + 1]) for c in range(1, n_columns)]
        # unit index where each group's slice starts (and where the last ends): column 1.. or 'all'
        self.edges = bounds[1:] if n_columns > 1 else np.array([0, len(column)])
        self.uniform_weight = float(weight[0]) if len(weight) and np.all(weight == weight[0]) else None
        # uniform weights (the usual case) are one number; a broadcast view stands in for the array
        self.weight = (np.broadcast_to(np.float64(self.uniform_weight), weight.shape) if self.uniform_weight is not None
                       else weight.astype(np.float64))

    def sum(self, values=None) -> np.ndarray:
        """Weighted total of `values` per group (the weights alone when None), 'all' in column 0."""
        if values is None:
            values, scale = self.weight, 1.0
        elif self.uniform_weight is not None:
            scale = self.uniform_weight
        else:
            values, scale = self.weight * values, 1.0
        out = np.empty(self.n_columns)
        for c, s in enumerate(self.slices[1:], start=1):
            out[c] = values[s].sum(dtype=np.float64)
        out[0] = out[1:].sum() if self.n_columns > 1 else values.sum(dtype=np.float64)
        return out * scale

    def sum_at(self, idx: np.ndarray, values=None) -> np.ndarray:
        """Weighted total per group of `values` (one per entry of `idx`; a count when None) over units `idx`.

        Costs work in proportion to len(idx), not to the number of units; sorted `idx` (as from
        `np.flatnonzero`) are cut into groups by binary search, others are binned by group.
        """
        if values is not None and np.ndim(values) == 0:
            values = np.full(len(idx), float(values))
        if self.uniform_weight is None:
            values = self.weight[idx] if values is None else self.weight[idx] * values
        if len(idx) > 1 and not np.all(idx[1:] >= idx[:-1]):
            weights = None if values is None else np.asarray(values, np.float64)  # (bincount is slow on others)
            by_column = np.bincount(self.column[idx], weights=weights, minlength=self.n_columns).astype(np.float64)
            per_group = by_column[1:] if self.n_columns > 1 else by_column
        else:
            cuts = np.searchsorted(idx, self.edges)
            per_group = np.diff(cuts).astype(np.float64) if values is None else _segment_sums(values, cuts)
        out = np.empty(self.n_columns)
        if self.n_columns > 1:
            out[1:] = per_group
            out[0] = per_group.sum()
        else:
            out[0] = per_group[0]
        return out * self.uniform_weight if self.uniform_weight is not None else out

    def count(self, mask: np.ndarray) -> np.ndarray:
        """Weighted number of units where `mask` holds."""
        if self.uniform_weight is None:
            return self.sum(mask)
        out = np.empty(self.n_columns)
        for c, s in enumerate(self.slices[1:], start=1):
            out[c] = np.count_nonzero(mask[s])
        out[0] = out[1:].sum() if self.n_columns > 1 else np.count_nonzero(mask)
        return out * self.uniform_weight


def _segment_sums(values: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Sums of values[cuts[k]:cuts[k + 1]] for each k (empty segments sum to 0)."""
    out = np.zeros(len(cuts) - 1)
    nonempty = cuts[1:] > cuts[:-1]
    if nonempty.any():
        out[nonempty] = np.add.reduceat(values, cuts[:-1][nonempty], dtype=np.float64)
    return out


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan)


# --- distribution statistics on a fixed log-linear grid (cheaper than sorting every month) ---------
# A float32's bits, read as an integer, grow with its value: the exponent and the top mantissa bits
# name a bin of relative width at most 2^-MANTISSA_BITS (0.2%), so the bin of a value is one shift of
# its bits, with no logarithm. Bin 0 holds everything below 1 yuan (zero and negative incomes
# included); values above 2^30 yuan share the top bin.
MANTISSA_BITS = 9
_SHIFT = 23 - MANTISSA_BITS
_FIRST = int(np.float32(1.0).view(np.int32)) >> _SHIFT  # bits of 1.0: the first bin above 1 yuan
_LAST = int(np.float32(2.0**30).view(np.int32)) >> _SHIFT
_BINS = _LAST - _FIRST + 2  # bin 0 and one per step from 1 yuan to 2^30
# lower edge of bin k (k >= 1) and, for the Gini, the midpoint every value of a bin is taken at
_EDGES = np.concatenate([[0.0], (np.arange(_FIRST, _LAST + 1, dtype=np.int64) << _SHIFT).astype(np.int32)
                         .view(np.float32).astype(np.float64)])
_UPPER = np.concatenate([_EDGES[1:], [_EDGES[-1] * (1 + 2.0**-MANTISSA_BITS)]])
_MIDPOINTS = (_EDGES + _UPPER) / 2
FIRST_BIN, SHIFT, BINS = _FIRST, _SHIFT, _BINS  # for kernels.income_bins
EDGES, UPPER, MIDPOINTS = _EDGES, _UPPER, _MIDPOINTS  # and kernels.income_distribution


def bin_index(values: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Bin of each value (float32 input; int32 output, into `out` when given, which may be `values`'
    own memory)."""
    bins = np.right_shift(np.asarray(values, np.float32).view(np.int32), _SHIFT, out=out)
    bins -= _FIRST - 1
    return np.clip(bins, 0, _BINS - 1, out=bins)


def binned(values: np.ndarray, columns: np.ndarray, weights: np.ndarray, n_columns: int):
    """Per group: the weight in each bin and the weighted values (at bin midpoints) in it.

    `columns` gives each value's group (1..n_columns-1; column 0 is all of them).
    """
    b = bin_index(values).astype(np.intp)
    if n_columns > 1:
        b += columns * _BINS
    w = np.bincount(b, weights=np.asarray(weights, np.float64), minlength=n_columns * _BINS).reshape(n_columns, _BINS)
    if n_columns > 1:
        w[0] = w[1:].sum(axis=0)
    return w, w * _MIDPOINTS


def binned_median(w: np.ndarray) -> np.ndarray:
    """Median per group (row), interpolated within its bin."""
    total = w.sum(axis=1)
    cum = np.cumsum(w, axis=1)
    half = total / 2
    k = np.minimum((cum < half[:, None]).sum(axis=1), w.shape[1] - 1)  # first bin reaching half the weight
    rows = np.arange(len(w))
    in_bin = w[rows, k]
    before = cum[rows, k] - in_bin
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(in_bin > 0, (half - before) / in_bin, 0.5)
    return np.where(total > 0, _EDGES[k] + frac * (_UPPER[k] - _EDGES[k]), np.nan)


def binned_gini(w: np.ndarray, wx: np.ndarray) -> np.ndarray:
    """Gini per group (row) from the binned Lorenz curve (people in a bin share its mean income).

    `binned` puts everyone of a bin at the bin's midpoint: values in a bin differ by at most 0.2%, so
    that moves the Gini by far less than 0.001. With p the population share and L the Lorenz curve,
    G = 1 - sum over bins of (p_k - p_(k-1)) (L_k + L_(k-1)).
    """
    total_w, total_x = w.sum(axis=1), wx.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = w / total_w[:, None]
        lorenz = np.cumsum(wx, axis=1) / total_x[:, None]
        gini = 1.0 - np.sum(share * (2 * lorenz - wx / total_x[:, None]), axis=1)
    return np.where((total_w > 0) & (total_x > 0), gini, np.nan)
