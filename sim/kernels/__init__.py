"""Compiled loops (numba) for the few monthly passes that NumPy can only do as many separate passes.

At full scale a month was ~60 NumPy calls over household- or slot-sized arrays, each a pass at memory
speed, plus gathers and scatters over the 100,000-300,000 households with a payment or an event. Each
kernel here does one such group of calls as one pass, with the same arithmetic in the same order and
the same types (float32 where the NumPy code worked in float32, float64 where it promoted), so results
are bit for bit those of the NumPy code they replace. `cache=True` keeps the compiled code in
`__pycache__`: only the first run after an install or a change compiles (docs/performance.md).

By the code they serve: `common` (positions of a mask, the below-line test, the accounts),
`assistance` (the means test), `demography` (the January year, spare slots at the start),
`distribution` (income histogram, median, Gini), `labour` (the due slots' month, wage bases, the
waiting times' hash), `jobs` (lever jobs filled by pool, for the levers that hire), `poverty`
(poverty status, survey and register view, counted per group), `sampling` (the population's village draw). Each kernel has a test against the
NumPy it replaces in tests/test_kernels.py or tests/test_jobs.py (demography's: tests/test_demography.py,
on hand-made households). A lever's own passes live beside it in sim/levers/ (monitoring, PV, workshops,
insurance, relocation), with their NumPy references.
"""

import os
from pathlib import Path

from .assistance import (  # noqa: F401
    idle_labourers,
    means_test_candidates,
    means_tested_month,
    persons_by_county,
    recipient_counts,
)
from .common import (  # noqa: F401
    add_scaled,
    below_line,
    positions,
    positive,
    ring_total,
    roll_row,
    scatter_add,
    sum_scaled,
)
from .demography import N_COUNTS as DEMOGRAPHY_COUNTS  # noqa: F401
from .demography import demography_year, spare_slots_needed, start_years  # noqa: F401
from .distribution import (  # noqa: F401
    employment_counts,
    income_bins,
    income_distribution,
    pairwise_sum,
)
from .labour import (  # noqa: F401
    hashed_uniform,
    labour_month,
    state_changes,
    wage_bases,
)
from .jobs import first_in_pools  # noqa: F401
from .poverty import POVERTY_COUNTS, poverty_month  # noqa: F401
from .sampling import choice_counts  # noqa: F401


def kernel_modules() -> list[Path]:
    """The modules with compiled code: these shared primitives, and the levers that keep their own kernels
    beside them (sim/levers/*.py with a `@numba.njit`)."""
    here = Path(__file__).parent
    return ([m for m in sorted(here.glob("*.py")) if m.name != "__init__.py"]
            + [m for m in sorted((here.parent / "levers").glob("*.py")) if "@numba.njit" in m.read_text()])


def cache_is_cold(directory: Path | None = None) -> bool:
    """Whether the next run compiles the kernels: a kernel module (`kernel_modules`, or every module of
    `directory`) without any cached machine code in its `__pycache__` (a fresh install; the first run then
    takes ~15 s longer). numba checks its cache by the source's content, so an edited kernel also
    recompiles, which this does not see; nor a cache kept elsewhere (NUMBA_CACHE_DIR, or a read-only
    install): then it says False."""
    modules = kernel_modules() if directory is None else [m for m in directory.glob("*.py") if m.name != "__init__.py"]
    if os.environ.get("NUMBA_CACHE_DIR") or not all(os.access(m.parent, os.W_OK) for m in modules):
        return False
    return any(not any((m.parent / "__pycache__").glob(f"{m.stem}.*.nbi")) for m in modules)
