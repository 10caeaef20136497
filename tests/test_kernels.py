"""The compiled kernels give exactly what the NumPy code they replace gave (edge cases included)."""

import numpy as np
import pytest

from sim import kernels
from sim.indicators import BINS, FIRST_BIN, SHIFT, binned


@pytest.mark.parametrize("share", [0.0, 0.3, 1.0])
def test_positions_and_below_line_match_flatnonzero(share):
    rng = np.random.default_rng(1)
    mask = rng.random(1000) < share
    assert np.array_equal(kernels.positions(mask, int(mask.sum())), np.flatnonzero(mask))
    net = rng.normal(8000, 5000, 1000).astype(np.float32)
    size = rng.integers(1, 8, 1000).astype(np.int8)
    line = np.float32(3000 if share else -1e9)
    out_mask = np.zeros(1000, bool)
    below = kernels.below_line(net, size, line, out_mask)
    expected = net < np.multiply(size, line)
    assert np.array_equal(out_mask, expected) and np.array_equal(below, np.flatnonzero(expected))


def test_income_bins_match_bincount_with_uniform_and_other_weights():
    rng = np.random.default_rng(2)
    n = 5000
    income = np.concatenate([[0.0, -5.0, 3e9], rng.lognormal(9, 1, n - 3)]).astype(np.float32)
    size = rng.integers(1, 8, n).astype(np.int8)
    weight = rng.uniform(0.5, 2.0, n)
    per_capita = income / size
    starts, stops = np.array([0, 2000]), np.array([2000, n])
    for w in (np.zeros(0), weight):
        people = kernels.income_bins(income, size, w, starts, stops, np.empty(n, np.float32), FIRST_BIN, SHIFT, BINS)
        for c in range(2):
            part = slice(starts[c], stops[c])
            counts = size[part] * (w[part] if len(w) else 1.0)
            expected, _ = binned(per_capita[part], np.zeros(stops[c] - starts[c], int), counts, 1)
            assert np.array_equal(people[c], expected[0])


def test_rebase_wages_matches_add_at():
    rng = np.random.default_rng(3)
    n_slots, n_households = 400, 100
    household = np.sort(rng.integers(0, n_households, n_slots)).astype(np.int32)
    skill, multiplier = rng.uniform(0.5, 2, n_slots).astype(np.float32), rng.uniform(1, 1.5, n_slots).astype(np.float32)
    slots = np.sort(rng.choice(n_slots, 150, replace=False))
    old, new = rng.integers(0, 5, 150).astype(np.int8), rng.integers(0, 5, 150).astype(np.int8)
    local, migrant = np.zeros(n_households, np.float32), np.zeros(n_households, np.float32)
    known = np.zeros(n_slots, np.int8)
    kernels.rebase_wages(local, migrant, household, skill, multiplier, slots, old, new, known, 2, 3)
    for job, base in ((2, local), (3, migrant)):
        expected = np.zeros(n_households, np.float32)
        delta = (new == job).astype(np.int8) - (old == job)
        np.add.at(expected, household[slots], delta * (skill[slots] * multiplier[slots]))
        assert np.array_equal(base, expected)
    assert np.array_equal(known[slots], new)


def test_roll_row_and_add_scaled_match_numpy():
    rng = np.random.default_rng(4)
    total, row, new = (rng.normal(0, 1000, 300).astype(np.float32) for _ in range(3))
    other = rng.normal(0, 100, 300).astype(np.float32)
    expected_total = (total - row) + new
    net = np.empty(300, np.float32)
    kernels.roll_row(total, row, new, other, net)
    assert np.array_equal(total, expected_total) and np.array_equal(row, new)
    assert np.array_equal(net, expected_total - other)
    out, base = np.zeros(300, np.float32), rng.integers(0, 3, 300).astype(np.int16)
    kernels.add_scaled(out, base, np.float32(1.37), True)
    kernels.add_scaled(out, new, np.float32(0.3), False)
    assert np.array_equal(out, base * np.float32(1.37) + new * np.float32(0.3))
