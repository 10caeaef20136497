import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")

SMALL = {"scale": 0.02, "years": 2}


@pytest.fixture(scope="session")
def small_run():
    """One small baseline run shared by tests that only read its outputs."""
    from sim import run

    return run(replicates=2, **SMALL)


def assert_reported_zero(model, name: str) -> None:
    """A disabled lever still reports its stocks and flows, as zeros in every month and group."""
    frame = model.indicators()
    values = frame.loc[frame["indicator"] == name, "value"]
    assert len(values) > 0, f"{name} not reported"
    assert (values == 0).all(), f"{name} not zero"
