import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core.indicators import Groups, binned, binned_gini, binned_median


def exact_gini(x, w):
    order = np.argsort(x)
    x, w = x[order], w[order]
    p = np.cumsum(w) / w.sum()
    lorenz = np.cumsum(w * x) / (w * x).sum()
    return 1 - np.sum(np.diff(np.concatenate([[0], p])) * (lorenz + np.concatenate([[0], lorenz[:-1]])))


def weighted_median(x, w):
    order = np.argsort(x)
    cum = np.cumsum(w[order])
    return x[order][np.searchsorted(cum, cum[-1] / 2)]


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), sigma=st.floats(0.2, 1.5), mean=st.floats(3_000, 50_000))
def test_binned_median_and_gini_match_exact_values(seed, sigma, mean):
    rng = np.random.default_rng(seed)
    x = mean * rng.lognormal(0, sigma, 20_000)
    w = rng.integers(1, 6, len(x)).astype(float)
    cols = np.zeros(len(x), np.intp)
    wb, wxb = binned(x, cols, w, 1)
    assert binned_median(wb)[0] == pytest.approx(weighted_median(x, w), rel=0.004)
    assert binned_gini(wb, wxb)[0] == pytest.approx(exact_gini(x, w), abs=0.002)


def test_groups_sum_by_contiguous_class():
    code = np.array([0, 0, 1, 2, 2, 2], np.int8)
    to_column = np.array([1, 2, 3])
    g = Groups(code, to_column, np.full(6, 2.0, np.float32), 4)
    assert g.sum(np.arange(6)).tolist() == [30, 2, 4, 24]
    assert g.count(np.array([1, 0, 1, 1, 0, 1], bool)).tolist() == [8, 2, 2, 4]
    uneven = Groups(code, to_column, np.array([1, 2, 3, 4, 5, 6], np.float32), 4)
    assert uneven.sum(np.ones(6)).tolist() == [21, 3, 3, 15]


def test_groups_require_sorted_units():
    with pytest.raises(ValueError):
        Groups(np.array([1, 0]), np.array([1, 2]), np.ones(2), 3)
