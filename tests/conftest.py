import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

SMALL = {"scale": 0.02, "years": 2}


@pytest.fixture(scope="session")
def small_run():
    """One small baseline run shared by tests that only read its outputs."""
    from sim import run

    return run(replicates=2, **SMALL)
