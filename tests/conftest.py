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


def component(model, name: str):
    """The model's component called `name`."""
    return next(c for c in model.components if c.name == name)


def series(model, name: str, group: str = "all"):
    """An indicator's monthly values for one group, as an array."""
    df = model.indicators()
    return df[(df.indicator == name) & (df.group == group)]["value"].to_numpy()


def horizon(model, name: str) -> float:
    """Flows summed, stocks averaged over the recorded months (as sim.experiments.compare does)."""
    kind = next(i.kind for c in model.components for i in c.indicators if i.name == name)
    values = series(model, name)
    return values.sum() if kind == "flow" else values.mean()
