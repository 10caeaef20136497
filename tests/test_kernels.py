"""The compiled kernels give exactly what the NumPy code they replace gave (edge cases included)."""

import numba
import numpy as np
import pytest

from sim import RuralModel, kernels
from sim.core import events
from sim.core.indicators import BINS, EDGES, FIRST_BIN, MIDPOINTS, SHIFT, UPPER, binned, binned_gini, binned_median
from sim.kernels.labour import _COUNTER, _GOLDEN, _MIX1, _MIX2


def hashed_uniform_numpy(key, units, counters):
    """The waiting times' hash in NumPy: splitmix64 of (key, unit, counter), its top 24 bits as a float32
    uniform in (0, 1)."""
    z = units.astype(np.uint64) * _GOLDEN
    z ^= counters.astype(np.uint64) * _COUNTER
    z ^= np.uint64(key)
    for shift, mix in ((30, _MIX1), (27, _MIX2)):
        z ^= z >> np.uint64(shift)
        z *= mix
    z ^= z >> np.uint64(31)
    z >>= np.uint64(40)
    return (z.astype(np.float32) + np.float32(0.5)) * np.float32(2.0**-24)

@numba.njit
def _positions_from_compiled_code(mask, count):
    """`kernels.positions` as the model calls it, from compiled code. Called from Python it fails to box its
    result ("NRT_adapt_ndarray_to_python: 'descr' is NULL", numba 0.68) once a model has loaded the cached
    kernels that call it in the same process; nothing in the package calls it from Python."""
    return kernels.positions(mask, count)


@pytest.mark.parametrize("share", [0.0, 0.3, 1.0])
def test_positions_and_below_line_match_flatnonzero(share):
    rng = np.random.default_rng(1)
    mask = rng.random(1000) < share
    assert np.array_equal(_positions_from_compiled_code(mask, int(mask.sum())), np.flatnonzero(mask))
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


def test_state_changes_match_numpy():
    rng = np.random.default_rng(3)
    n_slots, n_households = 400, 100
    household = np.sort(rng.integers(0, n_households, n_slots)).astype(np.int32)
    skill, multiplier = rng.uniform(0.5, 2, n_slots).astype(np.float32), rng.uniform(1, 1.5, n_slots).astype(np.float32)
    known = rng.integers(-1, 5, n_slots).astype(np.int8)
    state = known.copy()
    moved = rng.random(n_slots) < 0.3
    state[moved] = rng.integers(-1, 5, moved.sum())
    state_hazard = np.array([0.0, -1.0, -1.0, 0.02, 0.03, 0.0], np.float32)  # by state + 1; -1: seeking
    finding_hazard = rng.uniform(0.001, 0.1, n_slots).astype(np.float32)
    local, migrant = rng.uniform(0, 3, (2, n_households)).astype(np.float32)
    expected = [local.copy(), migrant.copy()]
    changed = np.flatnonzero(state != known)
    old, new = known[changed], state[changed]
    for job, base in zip((2, 3), expected):
        np.add.at(base, household[changed], ((new == job).astype(np.int8) - (old == job)) * (skill[changed] * multiplier[changed]))

    def hazard_of(states):
        hazard = state_hazard[states + 1]
        return np.where(hazard == -1, finding_hazard[changed], hazard)

    got, hazard, old_hazard = kernels.state_changes(state, known, np.zeros(n_slots, bool), state_hazard,
                                                    np.float32(-1.0), finding_hazard, household, skill, multiplier,
                                                    local, migrant, 2, 3)
    assert np.array_equal(got, changed) and np.array_equal(known, state)
    assert np.array_equal(hazard, hazard_of(new)) and np.array_equal(old_hazard, hazard_of(old))
    assert np.array_equal(local, expected[0]) and np.array_equal(migrant, expected[1])


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


def test_hashed_uniform_matches_numpy():
    rng = np.random.default_rng(6)
    units = np.concatenate([[0, 2**31 - 1], rng.integers(0, 9_000_000, 5000)])
    counters = np.concatenate([[0, 2**16 - 1], rng.integers(0, 2**16, 5000)]).astype(np.uint16)
    for key in (np.uint64(0), np.uint64(2**63 - 1), events.stream_key(rng)):
        draws = events.hashed_uniform(key, units, counters)
        assert np.array_equal(draws, hashed_uniform_numpy(key, units, counters))
        assert draws.dtype == np.float32 and 0 < draws.min() and draws.max() < 1


def test_labour_month_matches_the_numpy_steps():
    """The fused month against its steps in NumPy: due scan, losses, destinations, wage bases, budgets."""
    rng = np.random.default_rng(7)
    n, n_households, month = 4000, 1500, 30
    local, migrant, idle, farming = 2, 3, 0, 1
    state = rng.choice([idle, farming, local, migrant, -1], n).astype(np.int8)
    state_hazard = np.array([0.0, -1.0, -1.0, 0.02, 0.03, 0.0], np.float32)  # by state + 1; -1: seeking
    household = np.sort(rng.integers(0, n_households, n)).astype(np.int32)
    has_farmland = rng.random(n_households) < 0.6
    ill = (rng.random(n) < 0.1).astype(np.int8)
    time = (month + rng.normal(0, 3, n)).astype(np.float32)
    finding_hazard = rng.uniform(0.001, 0.1, n).astype(np.float32)
    count = rng.integers(0, 2**16, n).astype(np.uint16)
    count[:5] = 2**16 - 1  # wraps
    lifted_out, older = rng.random(n) < 0.4, rng.random(n) < 0.3
    migrant_multiplier = rng.choice([0.0, 1.0, 1.5, 40.0], n).astype(np.float32)  # 40: chances over 1
    local_multiplier = rng.choice([0.0, 1.0, 2.0], n).astype(np.float32)
    skill, wage_multiplier = rng.uniform(0.5, 2, n).astype(np.float32), rng.uniform(1, 1.2, n).astype(np.float32)
    local_base, migrant_base = rng.uniform(0, 3, (2, n_households)).astype(np.float32)
    budget_key, destination_key = events.stream_key(rng), events.stream_key(rng)
    f = [np.float32(x) for x in (0.5, 0.7, 0.03, 0.02)]

    # the steps in NumPy
    due = np.flatnonzero(time <= month)
    old = state[due]
    seeking = state_hazard[old + 1] == -1
    found = due[seeking & (ill[due] == 0)]
    factor = np.where(lifted_out[found], f[0], np.float32(1.0)) * np.where(older[found], f[1], np.float32(1.0))
    f_migrant, f_local = factor * f[2] * migrant_multiplier[found], factor * f[3] * local_multiplier[found]
    finding = np.minimum(f_migrant + f_local, np.float32(1.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(finding > 0, np.minimum(f_migrant, np.float32(1.0)) / finding, np.float32(0.0))
    job = np.where(hashed_uniform_numpy(destination_key, found, count[found]) < share, migrant, local)
    new = np.where(seeking, old, np.where(has_farmland[household[due]], farming, idle)).astype(np.int8)
    new[np.searchsorted(due, found)] = job
    expected_hazard = finding_hazard[due].copy()
    expected_hazard[np.searchsorted(due, found)] = state_hazard[job + 1]
    expected_bases = []
    for kind, base in ((local, local_base), (migrant, migrant_base)):
        base = base.copy()
        np.add.at(base, household[due], ((new == kind).astype(np.int8) - (old == kind)) * (skill[due] * wage_multiplier[due]))
        expected_bases.append(base)
    expected_count = count.copy()
    expected_count[due] += np.uint16(1)
    expected_uniforms = hashed_uniform_numpy(budget_key, due, expected_count[due])

    known_state = state.copy()
    got_due, uniforms, hazard = kernels.labour_month(
        time, month, np.zeros(n, bool), state, state_hazard, np.float32(-1.0), household, has_farmland, ill,
        farming, idle, finding_hazard, count, budget_key, destination_key, lifted_out, older, *f,
        migrant_multiplier, local_multiplier, local, migrant, local_base, migrant_base, skill, wage_multiplier,
        known_state)
    assert np.array_equal(got_due, due) and np.array_equal(state[due], new) and np.array_equal(known_state, state)
    assert np.array_equal(hazard, expected_hazard) and np.array_equal(uniforms, expected_uniforms)
    assert np.array_equal(count, expected_count)
    assert np.array_equal(local_base, expected_bases[0]) and np.array_equal(migrant_base, expected_bases[1])
    assert 0 < np.mean(job == migrant) < 1 and len(found) < np.count_nonzero(seeking)  # both kinds, some ill


def test_scatter_add_matches_add_at_with_repeats_scalars_and_broadcasts():
    rng = np.random.default_rng(8)
    base = rng.normal(0, 1e4, 500).astype(np.float32)
    idx = rng.integers(0, 500, 2000)  # repeats add up, in index order
    for indices, amounts in ((idx, rng.normal(0, 1e3, 2000).astype(np.float32)), (idx.astype(np.int32), np.float32(0.7)),
                             (idx, np.asarray(np.float32(-3.1))), (idx, np.full(1, 2.5, np.float32))):
        out, expected = base.copy(), base.copy()
        kernels.scatter_add(out, indices, np.asarray(amounts, np.float32))
        np.add.at(expected, indices, amounts)
        assert np.array_equal(out, expected)


@pytest.mark.parametrize("share", [0.0, 0.2, 1.0])
def test_positive_matches_flatnonzero(share):
    rng = np.random.default_rng(9)
    values = (rng.random(5000) < share) * rng.integers(-2, 4, 5000).astype(np.int8)
    assert np.array_equal(kernels.positive(values, np.zeros(5000, bool)), np.flatnonzero(values > 0))


def test_income_distribution_matches_binned_median_and_gini():
    rng = np.random.default_rng(10)
    for sparsity in (0.0, 0.01, 0.5, 1.0):
        people = rng.random((4, BINS)) * (rng.random((4, BINS)) < sparsity)
        people[:, :200] *= 1000  # mass at the bottom, as in poor groups
        median, gini = kernels.income_distribution(people, EDGES, UPPER, MIDPOINTS)
        assert np.array_equal(median, binned_median(people), equal_nan=True)
        assert np.array_equal(gini, binned_gini(people, people * MIDPOINTS), equal_nan=True)
    for lo, hi in ((3000, 9000), (5, 6), (0, 130), (15_300, 15_362), (7001, 7003)):  # one occupied band a row,
        people = np.zeros((4, BINS))  # as incomes fill the grid; bands cut blocks of 8 and of 128 anywhere
        people[:3, lo:hi] = rng.random((3, hi - lo)) * (rng.random((3, hi - lo)) < 0.7)
        people[1, lo] = 5.0  # a heavy first bin: the median may fall at the band's edge
        median, gini = kernels.income_distribution(people, EDGES, UPPER, MIDPOINTS)  # row 3 empty
        assert np.array_equal(median, binned_median(people), equal_nan=True)
        assert np.array_equal(gini, binned_gini(people, people * MIDPOINTS), equal_nan=True)
    for n in (0, 7, 8, 127, 128, 129, 1000, 15_362):  # NumPy's pairwise summation, exactly
        values = rng.normal(size=n) * 10 ** rng.uniform(-3, 5, n)
        assert kernels.pairwise_sum(values, 0, n) == values.sum()


def test_wage_bases_match_bincount():
    rng = np.random.default_rng(11)
    n_slots, n_households = 5000, 2000
    state = rng.integers(-1, 6, n_slots).astype(np.int8)
    household = np.sort(rng.integers(0, n_households, n_slots)).astype(np.int32)
    skill, multiplier = rng.uniform(0.3, 3, n_slots).astype(np.float32), rng.uniform(1, 1.2, n_slots).astype(np.float32)
    bases = kernels.wage_bases(state, household, skill, multiplier, n_households, 2, 3)
    for job, base in zip((2, 3), bases):
        idx = np.flatnonzero(state == job)
        expected = np.bincount(household[idx], weights=(skill[idx] * multiplier[idx]).astype(np.float64),
                               minlength=n_households).astype(np.float32)
        assert base.dtype == np.float32 and np.array_equal(base, expected)


def test_sum_scaled_matches_adding_term_by_term():
    rng = np.random.default_rng(12)
    n = 3000
    bases = [rng.normal(0, 1e4, n).astype(np.float32), rng.integers(0, 4, n).astype(np.int16),
             rng.lognormal(8, 1, n).astype(np.float32)]
    factors = [np.float32(1.0371), np.float32(180.5), np.float32(0.25)]
    expected = np.empty(n, np.float32)
    for k, (base, factor) in enumerate(zip(bases, factors)):
        kernels.add_scaled(expected, base, factor, k == 0)
    out = np.empty(n, np.float32)
    kernels.sum_scaled(out, (bases[0], factors[0]), tuple(zip(bases[1:], factors[1:])))
    assert np.array_equal(out, expected)


def test_employment_counts_match_numpy():
    rng = np.random.default_rng(15)
    state, lifted_out = rng.integers(-1, 6, 4000).astype(np.int8), rng.random(4000) < 0.4
    starts, stops = np.array([0, 1000, 2500]), np.array([1000, 2500, 4000])
    counts = kernels.employment_counts(state, lifted_out, starts, stops, 2, 3)
    for c in range(3):
        part = slice(starts[c], stops[c])
        works = state[part] >= 2
        assert list(counts[c]) == [works.sum(), (works & lifted_out[part]).sum(), (state[part] == 3).sum()]


def _poverty_month_numpy(net, size, lines32, lifted, before, months, category, social, register, verified, assistance,
                         extra, lines64, months_register, groups):
    """What metrics did before `poverty_month`: lists per status (below-line test, months-below counters, the
    return test against last month's list, the register's test) and a group sum per list."""
    below_m = np.flatnonzero(net < size.astype(np.float32) * lines32[0])
    below_p = np.compress(net[below_m] < size[below_m].astype(np.float32) * lines32[1], below_m)
    months[:] = np.where(np.isin(np.arange(len(net)), below_m), np.minimum(months + 1, 30000), 0)
    returned = np.compress(lifted[below_p] & ~before[below_p], below_p)
    before[:] = False
    before[below_p] = True
    lifted_below = np.compress(lifted[below_p], below_p)
    long = below_m[months[below_m] >= 12]
    uncovered = (category == 0) & (social == 0)
    lists = [below_p, below_m, None, lifted_below, long, long[uncovered[long]], None]
    persons = size.astype(np.float64)
    if register:
        income = verified.astype(np.float64) + assistance.astype(np.float64) + extra * persons
        v_m = income < lines64[0] * persons
        months_register[:] = np.where(v_m, np.minimum(months_register + 1, 30000), 0)
        v_long = v_m & (months_register >= 12)
        lists += [np.flatnonzero(v_m & (income < lines64[1] * persons)), np.flatnonzero(v_m), np.flatnonzero(v_long),
                  np.flatnonzero(v_long & uncovered)]
    out = []
    for k, idx in enumerate(lists):
        households = {2: lifted_below, 6: returned}.get(k)
        if households is not None:
            out.append(groups.sum_at(households))
        elif idx is None or (k >= 7 and not register):
            out.append(np.zeros(groups.n_columns))
        else:
            out.append(groups.sum_at(idx, size[idx]))
    while len(out) < 11:
        out.append(np.zeros(groups.n_columns))
    return np.array(out).T


def test_poverty_month_matches_lists_and_group_sums():
    """Counts per group equal the group sums of each status's list, month after month (counters, returns)."""
    from sim.core.indicators import Groups

    rng = np.random.default_rng(21)
    n = 5000
    size = rng.integers(1, 7, n).astype(np.int8)
    lifted, category, social = rng.random(n) < 0.4, rng.integers(0, 4, n).astype(np.int8) * (rng.random(n) < 0.3), \
        rng.integers(0, 3, n).astype(np.int8) * (rng.random(n) < 0.3)
    column = np.repeat(np.array([0, 1, 2]), [1500, 2000, 1500])
    groups = Groups(column, np.array([1, 2, 3]), np.full(n, 1.7), 4)
    starts, stops = np.array([s.start for s in groups.slices[1:]]), np.array([s.stop for s in groups.slices[1:]])
    state = {"kernel": [np.zeros(n, bool), np.zeros(n, np.int16), np.zeros(n, np.int16)],
             "numpy": [np.zeros(n, bool), np.zeros(n, np.int16), np.zeros(n, np.int16)]}
    lines32, lines64 = (np.float32(6000.0), np.float32(4000.0)), (6100.0, 4100.0)
    persistent = rng.normal(5000, 2500, n)
    for month in range(16):
        net = (persistent + rng.normal(0, 800, n)).astype(np.float32) * size
        verified = (persistent * size * rng.uniform(0.8, 1.1, n)).astype(np.float32)
        assistance = (rng.random(n) < 0.2) * rng.uniform(0, 3000, n).astype(np.float32)
        register = month >= 2
        expected = _poverty_month_numpy(net, size, lines32, lifted, *state["numpy"][:2], category, social, register,
                                        verified, assistance, 500.0, lines64, state["numpy"][2], groups)
        before, months, months_register = state["kernel"]
        counts = kernels.poverty_month(net, size, *lines32, lifted, before, months, category, social, register,
                                       verified, assistance, 500.0, lines64[1], lines64[0], months_register,
                                       starts, stops)
        got = np.vstack([counts.sum(axis=0), counts]) * groups.uniform_weight
        assert np.array_equal(got, expected), month
        for a, b in zip(state["kernel"], state["numpy"]):
            assert np.array_equal(a, b)
    assert expected[:, 4].sum() > 0 and expected[:, 6].sum() > 0 and expected[:, 10].sum() > 0


def test_cache_is_cold_until_every_kernel_module_has_compiled_code(tmp_path):
    for name in ("labour", "jobs"):
        (tmp_path / f"{name}.py").write_text("")
    assert kernels.cache_is_cold(tmp_path)  # never compiled
    cache = tmp_path / "__pycache__"
    cache.mkdir()
    (cache / "labour.labour_month-40.py311.nbi").write_text("")
    assert kernels.cache_is_cold(tmp_path)  # one module still without compiled code
    (cache / "jobs.first_in_pools-12.py311.nbi").write_text("")
    assert not kernels.cache_is_cold(tmp_path)
    RuralModel(seed=1, scale=0.005, years=1).run()  # every kernel module compiled and cached
    assert not kernels.cache_is_cold()


def test_idle_labourers_match_bincount():
    rng = np.random.default_rng(8)
    household = np.sort(rng.integers(0, 300, 2000)).astype(np.int32)
    household[:200] = 7  # a household with more than 127 idle slots
    state, ill = rng.integers(-1, 6, 2000).astype(np.int8), (rng.random(2000) < 0.2).astype(np.int8)
    state[:200], ill[:200] = 0, 0
    idle = (state == 0) & (ill == 0)
    out = np.full(300, 5, np.int8)
    kernels.idle_labourers(household, state, ill, 0, out)
    expected = np.zeros(300, np.int8)
    expected[:] = np.minimum(np.bincount(household, weights=idle, minlength=300), 127)
    assert np.array_equal(out, expected) and out[7] == 127


def test_ring_total_matches_numpy():
    rng = np.random.default_rng(9)
    ring = (rng.lognormal(0, 6, (12, 20000)) * rng.choice([-1, 1, 1], (12, 20000))).astype(np.float32)
    total = np.zeros(20000, np.float32)
    kernels.ring_total(ring, total)
    assert np.array_equal(total, ring.sum(axis=0, dtype=np.float64).astype(np.float32))


def test_persons_by_county_and_recipient_counts_match_bincount_and_sum_at():
    from sim.core.indicators import Groups

    rng = np.random.default_rng(10)
    n = 3000
    county, size = np.sort(rng.integers(0, 7, n)).astype(np.int16), rng.integers(1, 7, n).astype(np.int8)
    social, lifted = rng.integers(0, 3, n).astype(np.int8), rng.random(n) < 0.4
    persons, covered = kernels.persons_by_county(county, size, social, np.int8(1), 8)
    mine = social == 1
    assert np.array_equal(persons, np.bincount(county, weights=size, minlength=8))
    assert np.array_equal(covered, np.bincount(county[mine], weights=size[mine], minlength=8))
    for columns in (np.repeat([0, 1, 2], [1000, 0, 2000]), np.zeros(n, int)):
        groups = Groups(columns, np.array([1, 2, 3]) if columns.any() else np.array([0]), np.full(n, 1.5),
                        4 if columns.any() else 1)
        idx = np.flatnonzero(mine)
        counts = kernels.recipient_counts(idx, size, lifted, groups.edges)
        got = (np.vstack([counts.sum(axis=0), counts]) if groups.n_columns > 1 else counts) * groups.uniform_weight
        assert np.array_equal(got[:, 0], groups.sum_at(idx))
        assert np.array_equal(got[:, 1], groups.sum_at(idx, size[idx]))
        assert np.array_equal(got[:, 2], groups.sum_at(idx, size[idx] * lifted[idx]))


def test_eight_sums_in_one_pass_are_range_sums_to_the_bit():
    """income_sources sums its dense terms (and the persons) eight at a time, arrays of any numeric dtype; each
    must equal its own `range_sums` exactly, in ranges of any length (one of length 1, one empty)."""
    from sim.kernels.sources import range_sums, range_sums_eight

    rng = np.random.default_rng(7)
    n = 10_000
    arrays = tuple(rng.gamma(2.0, 500.0, n).astype(np.float32) for _ in range(6)) + (
        rng.integers(0, 900, n).astype(np.int16), rng.integers(1, 7, n).astype(np.int8))
    starts, stops = np.array([0, 3_000, 3_001, 3_001], np.int64), np.array([3_000, 3_001, 3_001, n], np.int64)
    lifted, weight = rng.random(n) < 0.2, np.ones(1)
    eight = np.empty((8, 2, 4))
    range_sums_eight(arrays, starts, stops, lifted, eight)
    for j, values in enumerate(arrays):
        one = np.zeros((2, 4))
        range_sums(values, 1.0, starts, stops, lifted, weight, False, one)
        assert np.array_equal(eight[j], one)


def test_sparse_range_sums_are_the_bincount_sums_to_the_bit():
    """A sparse income term's totals by range equal the `np.bincount` on range x 2 + lifted-out they replace."""
    from sim.kernels.sources import sparse_range_sums

    rng = np.random.default_rng(8)
    n = 5_000
    stops = np.array([1_000, 1_001, n], np.int64)
    lifted = rng.random(n) < 0.3
    households = rng.choice(n, 700)  # unsorted, repeats
    for amounts in (rng.gamma(2.0, 300.0, 700).astype(np.float32), np.array([125.5], np.float32)):
        out = rng.normal(size=(2, 3))
        expected = out.copy()
        weights = np.broadcast_to(amounts.astype(np.float64), households.shape)
        key = np.searchsorted(stops, households, side="right") * 2 + lifted[households]
        sums = np.bincount(key, weights=weights, minlength=6).reshape(3, 2)
        expected[0] += sums.sum(axis=1)
        expected[1] += sums[:, 1]
        sparse_range_sums(households, amounts, stops, lifted, out)
        assert np.array_equal(out, expected)




@pytest.mark.parametrize("categories", [1, 3, 2_672])
def test_choice_counts_are_bincount_of_choice_to_the_draw(categories):
    """The population's village draw: the same counts as `np.bincount(rng.choice(...))` and the generator left
    in the same state (the rest of the build draws the same numbers), with zero and tiny probabilities."""
    from sim.kernels import choice_counts

    weights = np.random.default_rng(categories).lognormal(0.0, 1.5, categories)
    if categories > 2:
        weights[1] = 0.0  # a category that can never be drawn
        weights[2] = 1e-12
    p = weights / weights.sum()
    for seed in range(3):
        a, b = np.random.default_rng(seed), np.random.default_rng(seed)
        expected = np.bincount(a.choice(categories, size=50_001, p=p), minlength=categories)
        got = choice_counts(b, p, 50_001)
        assert got.dtype == expected.dtype and np.array_equal(got, expected)
        assert a.random() == b.random()
