"""The compiled pool selection gives what sorting the candidates and taking each pool's first did."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.levers import jobs


def _by_sorting(pool, quota, keys, candidate):
    """The reference: sort the candidates by (pool, keys..., position), take each pool's first `quota`."""
    idx = np.flatnonzero(candidate & (quota[pool] > 0))
    idx = idx[np.lexsort([k[idx] for k in keys] + [pool[idx]])]
    hired = idx[np.flatnonzero(jobs.position_in_run(pool[idx]) < quota[pool[idx]])]
    out = np.zeros(len(pool), bool)
    out[hired] = True
    return out


@settings(max_examples=60, deadline=None)
@given(n=st.integers(0, 400), n_pools=st.integers(1, 12), seed=st.integers(0, 2**32 - 1),
       candidate_share=st.floats(0, 1), draw_kind=st.sampled_from(["float32", "uint16", "few"]))
def test_first_in_pools_matches_sorting(n, n_pools, seed, candidate_share, draw_kind):
    rng = np.random.default_rng(seed)
    pool = rng.integers(0, n_pools, n)
    quota = rng.integers(-3, 8, n_pools)  # negative: a pool with a surplus, no places
    candidate = rng.random(n) < candidate_share
    draw = {"float32": rng.random(n, dtype=np.float32), "uint16": rng.integers(0, 2**16, n, dtype=np.uint16),
            "few": rng.integers(0, 3, n)}[draw_kind]  # "few": many ties, broken by position
    rank = rng.integers(0, 3, n).astype(np.int8)
    age_key = -rng.integers(16, 65, n).astype(np.int16)  # negative keys (the oldest first)
    for keys in ((draw,), (draw, rank), (draw, age_key, rank)):
        selected = jobs.first_in_pools(pool, quota, *keys, candidate=candidate)
        assert np.array_equal(selected, _by_sorting(pool, quota, keys, candidate))
        assert np.all(np.bincount(pool[selected], minlength=n_pools) <= np.maximum(quota, 0))


def test_first_in_pools_sorts_when_keys_do_not_pack():
    rng = np.random.default_rng(5)
    pool, quota = rng.integers(0, 3, 200), np.array([5, 0, 300])
    wide = rng.integers(0, 2**40, 200)  # two 40-bit keys need more than 63 bits: the sorting path
    keys, candidate = (wide, wide[::-1].copy()), rng.random(200) < 0.7
    assert np.array_equal(jobs.first_in_pools(pool, quota, *keys, candidate=candidate),
                          _by_sorting(pool, quota, keys, candidate))
