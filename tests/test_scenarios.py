"""Every shipped scenario states its expected effect, and the effect has that sign at small scale."""

from pathlib import Path

import pytest

from sim.experiments.compare import compare
from sim.core.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted(p for p in (ROOT / "scenarios").glob("*.toml") if p.name != "baseline.toml")


def test_every_shipped_scenario_asks_a_question_and_states_expectations():
    assert len(SHIPPED) >= 10
    for path in SHIPPED:
        scenario = load_scenario(path)
        assert scenario.question, path.name
        assert scenario.expect, path.name
        assert scenario.name == path.stem, path.name


TRANSITION = [p for p in SHIPPED if p.stem.startswith("transition_")]


def _check(comparison, path, column):
    e = comparison.expectations
    rows = e[e["scenario"] == path.stem]
    assert len(rows) == len(load_scenario(path).expect)
    failing = rows[~rows[column]]
    assert failing.empty, failing[["indicator", "direction", "diff", "diff_low", "diff_high"]].to_string()


@pytest.fixture(scope="module")
def transition_comparison():
    # the windows end in 2023-2029, so the whole ten-year horizon is needed; each lever's own scenarios
    # are checked in its test file
    return compare(ROOT / "scenarios" / "baseline.toml", TRANSITION, replicates=2, scale=0.01, years=10, seed=2024)


@pytest.mark.parametrize("path", TRANSITION, ids=[p.stem for p in TRANSITION])
def test_transition_scenarios_have_their_expected_signs(transition_comparison, path):
    _check(transition_comparison, path, "sign_matches")


@pytest.fixture(scope="module")
def full_comparison():
    return compare(ROOT / "scenarios" / "baseline.toml", SHIPPED, replicates=5, scale=0.05, years=10, seed=2024)


@pytest.mark.slow
@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_every_scenario_interval_excludes_zero_in_the_expected_direction(full_comparison, path):
    _check(full_comparison, path, "interval_excludes_zero")
