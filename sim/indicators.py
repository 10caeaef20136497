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
    """Monthly values `[month, indicator, group]`; group 0 is 'all', then the region's county classes."""

    def __init__(self, indicators: list[Indicator], groups: list[str], n_months: int):
        names = [i.name for i in indicators]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise ValueError(f"indicators declared twice: {sorted(duplicates)}")
        self.indicators = indicators
        self.index = {name: k for k, name in enumerate(names)}
        self.groups = groups
        self.values = np.full((n_months, len(indicators), len(groups)), np.nan)
        self.month = -1

    def put(self, name: str, by_group) -> None:
        """Store this month's value; `by_group` is a scalar (all only) or one value per group."""
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
        column = class_to_column[class_code].astype(np.intp)
        if np.any(np.diff(column) < 0):
            raise ValueError("units must be sorted by group")
        self.column = column
        self.n_columns = n_columns
        bounds = np.searchsorted(column, np.arange(n_columns + 1))
        self.slices = [slice(0, len(column))] + [slice(bounds[c], bounds[c + 1]) for c in range(1, n_columns)]
        self.weight = weight.astype(np.float64)
        self.uniform_weight = float(weight[0]) if len(weight) and np.all(weight == weight[0]) else None

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

    def count(self, mask: np.ndarray) -> np.ndarray:
        """Weighted number of units where `mask` holds."""
        if self.uniform_weight is None:
            return self.sum(mask)
        out = np.empty(self.n_columns)
        for c, s in enumerate(self.slices[1:], start=1):
            out[c] = np.count_nonzero(mask[s])
        out[0] = out[1:].sum() if self.n_columns > 1 else np.count_nonzero(mask)
        return out * self.uniform_weight


def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1), np.nan)


# --- distribution statistics on a fixed log grid (cheaper than sorting every month) -------------
_LOW_YUAN, _HIGH_YUAN, _BINS = 100.0, 5_000_000.0, 4000
_LOG_LOW = np.log(_LOW_YUAN)
_LOG_STEP = (np.log(_HIGH_YUAN) - _LOG_LOW) / _BINS
# bin 0 holds everything below 100 yuan (including negative net incomes), the last bin everything above
_EDGES = np.concatenate([[_LOW_YUAN], np.exp(_LOG_LOW + _LOG_STEP * np.arange(1, _BINS + 1))])


def binned(values: np.ndarray, columns: np.ndarray, weights: np.ndarray, n_columns: int):
    """Per group: weight and weighted value sum in each log bin (relative bin width 0.25%)."""
    logs = np.log(np.maximum(values, _LOW_YUAN).astype(np.float32))
    b = ((logs - np.float32(_LOG_LOW)) * np.float32(1 / _LOG_STEP)).astype(np.intp)
    np.clip(b, 0, _BINS, out=b)
    if n_columns > 1:
        b += columns * (_BINS + 1)
    size = n_columns * (_BINS + 1)
    w = np.bincount(b, weights=weights, minlength=size).reshape(n_columns, _BINS + 1)
    wx = np.bincount(b, weights=weights * values, minlength=size).reshape(n_columns, _BINS + 1)
    if n_columns > 1:
        w[0] = w[1:].sum(axis=0)
        wx[0] = wx[1:].sum(axis=0)
    return w, wx


def binned_median(w: np.ndarray) -> np.ndarray:
    """Median per group, interpolated within its bin."""
    out = np.full(len(w), np.nan)
    lower = np.concatenate([[0.0], _EDGES])  # bin k spans lower[k]..lower[k+1]
    for g in range(len(w)):
        total = w[g].sum()
        if total <= 0:
            continue
        cum = np.cumsum(w[g])
        k = int(np.searchsorted(cum, total / 2))
        before = cum[k] - w[g, k]
        frac = (total / 2 - before) / w[g, k] if w[g, k] > 0 else 0.5
        hi = lower[k + 1] if k + 1 < len(lower) else lower[k] * 1.0025
        out[g] = lower[k] + frac * (hi - lower[k])
    return out


def binned_gini(w: np.ndarray, wx: np.ndarray) -> np.ndarray:
    """Gini per group from the binned Lorenz curve (people in a bin share its mean income)."""
    out = np.full(len(w), np.nan)
    for g in range(len(w)):
        total_w, total_x = w[g].sum(), wx[g].sum()
        if total_w <= 0 or total_x <= 0:
            continue
        p = np.cumsum(w[g]) / total_w
        lorenz = np.cumsum(wx[g]) / total_x
        p_prev = np.concatenate([[0.0], p[:-1]])
        l_prev = np.concatenate([[0.0], lorenz[:-1]])
        out[g] = 1.0 - np.sum((p - p_prev) * (lorenz + l_prev))
    return out
