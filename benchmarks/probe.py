"""The probe: a fixed NumPy workload that every performance target of issue 19 is a ratio to.

A month of household-wide NumPy work as a vectorised model would write it, 120 times: one uniform draw,
20 element-wise operations and one bincount by village over 1 million rows. Measured in the same process
as the run it is compared with (before and after it), so a busy or slow machine slows both and the ratio
holds where absolute seconds do not.

    .venv/bin/python benchmarks/probe.py            # seconds of one probe, fastest of 3
"""

import sys
import time

import numpy as np

ROWS = 1_000_000
MONTHS = 120
VILLAGES = 2_672  # Xinzhou's villages


def probe_seconds(rows: int = ROWS, months: int = MONTHS, villages: int = VILLAGES) -> float:
    """Seconds for the fixed workload (the arrays are made before the clock starts)."""
    rng = np.random.default_rng(20210101)
    village = np.sort(rng.integers(0, villages, rows))
    income = rng.lognormal(9.0, 0.6, rows)
    size = rng.integers(1, 6, rows).astype(np.float64)
    x = np.empty(rows)
    y = np.empty(rows)
    mask = np.empty(rows, bool)
    started = time.perf_counter()
    for _ in range(months):
        rng.random(out=x)                       # 1 draw
        np.multiply(x, 0.05, out=y)             # 20 element-wise operations
        np.add(y, 0.975, out=y)
        np.multiply(income, y, out=y)
        np.divide(y, size, out=y)
        np.subtract(y, 4_000.0, out=y)
        np.maximum(y, 0.0, out=y)
        np.less(x, 0.01, out=mask)
        np.logical_not(mask, out=mask)
        np.multiply(y, mask, out=y)
        np.add(y, 1.0, out=y)
        np.multiply(y, 0.999, out=y)
        np.multiply(y, 0.5, out=y)
        np.add(y, 0.5, out=y)
        np.subtract(y, 1.0, out=y)
        np.multiply(y, y, out=y)
        np.abs(y, out=y)
        np.multiply(y, size, out=y)
        np.add(y, income, out=y)
        np.multiply(y, 1.0 / 12, out=y)
        np.minimum(y, 1e6, out=y)
        np.bincount(village, weights=y, minlength=villages)  # 1 village sum
    return time.perf_counter() - started


def best_probe(repeat: int = 3) -> float:
    return min(probe_seconds() for _ in range(repeat))


if __name__ == "__main__":
    print(f"{best_probe(int(sys.argv[1]) if len(sys.argv) > 1 else 3):.3f}")
