"""Compare shares what scenarios cannot differ in yet (issue 19: sim/experiments/branching.py, shared_runs.py):
the branch month is derived from the parameters in force, and every result is bit for bit that of the
scenario run on its own."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.core.schedules import month_index
from sim.experiments.branching import branch_month, end_month
from sim.experiments.compare import compare
from sim.experiments.results import resolve
from sim.experiments.shared_runs import SetAside, groups, run_group

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
SMALL = dict(scale=0.006, years=6, seed=31)  # 2021-2026: a schedule from 2026 falls inside


def _on_base_run(base, path_or_dict):
    scenario = resolve(path_or_dict)
    return scenario.model_copy(update={"run": base.run})


@pytest.fixture(scope="module")
def base():
    return resolve(SCENARIOS / "baseline.toml", replicates=2, **SMALL)


# --- the branch month ------------------------------------------------------------------------------------------
def test_a_dated_schedule_branches_at_its_first_effective_date(base):
    halved = _on_base_run(base, SCENARIOS / "workshops_subsidy_halved_2026.toml")
    assert branch_month(base, halved) == month_index("2026-01")


def test_a_difference_at_the_build_shares_nothing(base):
    for name in ("training_double", "pv_subsidy_cut_after_transition", "transition_extension"):
        assert branch_month(base, _on_base_run(base, SCENARIOS / f"{name}.toml")) is None
    # a parameter only the population build reads
    more_people = _on_base_run(base, {"name": "x", "population": {"mean_household_size": 3.1}})
    assert branch_month(base, more_people) is None


def test_the_same_parameters_never_branch_and_descriptions_do_not_count(base):
    same = _on_base_run(base, {"name": "same", "description": "words", "question": "why?",
                               "expect": [{"indicator": "workshop_jobs", "direction": "increase"}]})
    assert branch_month(base, same) == end_month(base)


def test_a_schedule_that_restates_the_base_value_branches_when_a_value_differs(base):
    value = base.workshops.subsidy_per_worker_year_yuan
    restated = _on_base_run(base, {"name": "r", "workshops": {
        "subsidy_per_worker_year_yuan": {"2021-01": value, "2023-01": value, "2025-07": value / 2}}})
    assert branch_month(base, restated) == month_index("2025-07")
    never = _on_base_run(base, {"name": "n", "workshops": {
        "subsidy_per_worker_year_yuan": {"2021-01": value, "2024-01": value}}})
    assert branch_month(base, never) == end_month(base)


def test_a_schedule_in_the_base_counts_too(base):
    scheduled_base = _on_base_run(base, SCENARIOS / "training_double_from_2025.toml")
    assert branch_month(scheduled_base, base) == month_index("2025-01")


def test_a_changed_run_setting_shares_nothing(base):
    other = resolve(base, years=5)
    assert branch_month(base, other) is None


def test_an_int_where_a_float_was_is_a_difference():
    from sim.experiments.branching import _typed

    assert _typed({"a": 1}) != _typed({"a": 1.0}) and _typed({"a": [1.0]}) == _typed({"a": [1.0]})


def test_groups_put_each_scenario_with_the_root_it_shares_most_with(base):
    halved = _on_base_run(base, SCENARIOS / "workshops_subsidy_halved_2026.toml")
    training_2025 = _on_base_run(base, SCENARIOS / "training_double_from_2025.toml")
    double = _on_base_run(base, SCENARIOS / "training_double.toml")
    also_double = double.model_copy(update={"name": "also"})
    plan = groups([base, halved, double, training_2025, also_double])
    assert plan == [([0, 1, 3], [month_index("2026-01"), month_index("2025-01")]),
                    ([2, 4], [end_month(base)])]


# --- bit for bit ---------------------------------------------------------------------------------------------
def test_a_model_set_aside_and_read_back_runs_on_identically():
    model = sim.RuralModel(seed=3, scale=0.01, years=2)
    for _ in range(7):
        model.step()
    restored = SetAside(model).restore()
    assert restored is not model
    model.run()
    restored.run()
    np.testing.assert_array_equal(model.recorder.values, restored.recorder.values)
    assert [c.rng.bit_generator.state for c in model.components] == \
        [c.rng.bit_generator.state for c in restored.components]


def test_a_group_gives_each_scenario_its_own_run_bit_for_bit(base):
    from sim.experiments.parallel import replicate

    halved = _on_base_run(base, SCENARIOS / "workshops_subsidy_halved_2026.toml")
    same = _on_base_run(base, {"name": "same"})
    months = [branch_month(base, halved), branch_month(base, same)]
    shared = run_group([base, halved, same], months, seed=77, r=1)
    for scenario, (frame, factor) in zip([base, halved, same], shared):
        alone, alone_factor, _ = replicate(scenario, 77, 1)
        alone = alone.drop(columns=["scenario", "replicate", "seed"])
        pd.testing.assert_frame_equal(frame.astype({"indicator": str, "group": str}), alone, check_exact=True)
        assert factor == alone_factor


@pytest.fixture(scope="module")
def shared_and_alone(base):
    alternatives = [SCENARIOS / "workshops_subsidy_halved_2026.toml", SCENARIOS / "training_double.toml"]
    kw = dict(replicates=2, **SMALL)
    return (compare(SCENARIOS / "baseline.toml", alternatives, **kw),
            compare(SCENARIOS / "baseline.toml", alternatives, share=False, **kw))


def test_compare_with_sharing_equals_compare_without(shared_and_alone):
    shared, alone = shared_and_alone
    pd.testing.assert_frame_equal(shared.table, alone.table, check_exact=True)
    pd.testing.assert_frame_equal(shared.expectations, alone.expectations, check_exact=True)
    pd.testing.assert_frame_equal(shared.costs, alone.costs, check_exact=True)
    for a, b in zip((shared.base, *shared.alternatives), (alone.base, *alone.alternatives)):
        pd.testing.assert_frame_equal(a.indicators, b.indicators, check_exact=True)
        assert a.manifest["income_level_factor"] == b.manifest["income_level_factor"]
    assert [r.manifest["shared"] for r in shared.alternatives] == [{"with": "baseline", "from_month": "2026-01"}, None]
    assert all(r.manifest["shared"] is None for r in alone.alternatives)


def test_compare_indicators_are_those_of_run(shared_and_alone):
    shared, _ = shared_and_alone
    result = shared.alternatives[0]  # continued from the base's state in 2026
    alone = sim.run(result.scenario)
    pd.testing.assert_frame_equal(result.indicators.astype({"scenario": str}), alone.indicators, check_exact=True)


@pytest.mark.slow
def test_compare_sharing_on_workers_and_dask_matches_serial(base):
    distributed = pytest.importorskip("distributed")
    alternatives = [SCENARIOS / "workshops_subsidy_halved_2026.toml", SCENARIOS / "training_double.toml"]
    kw = dict(replicates=2, **SMALL)
    serial = compare(SCENARIOS / "baseline.toml", alternatives, **kw)
    on_workers = compare(SCENARIOS / "baseline.toml", alternatives, workers=2, **kw)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as c:
        on_cluster = compare(SCENARIOS / "baseline.toml", alternatives, scheduler=c.scheduler_address, **kw)
    for other in (on_workers, on_cluster):
        pd.testing.assert_frame_equal(serial.table, other.table, check_exact=True)
        pd.testing.assert_frame_equal(serial.costs, other.costs, check_exact=True)
        for a, b in zip((serial.base, *serial.alternatives), (other.base, *other.alternatives)):
            pd.testing.assert_frame_equal(a.indicators, b.indicators, check_exact=True)


def test_a_group_leaves_no_model_behind(base):
    """A finished model is in a reference cycle: the group frees it at once, not when the collector gets to it."""
    import gc

    from sim.core.model import RuralModel

    def models():
        return sum(isinstance(o, RuralModel) for o in gc.get_objects())

    gc.collect()
    before = models()
    halved = _on_base_run(base, SCENARIOS / "workshops_subsidy_halved_2026.toml")
    gc.disable()  # only the group's own collections may free them
    try:
        run_group([base, halved], [branch_month(base, halved)], seed=5, r=0)
        assert models() == before
    finally:
        gc.enable()


def test_by_county_results_are_shared_bit_for_bit_too():
    kw = dict(replicates=2, by="county", **SMALL)
    alternatives = [SCENARIOS / "workshops_subsidy_halved_2026.toml"]
    shared = compare(SCENARIOS / "baseline.toml", alternatives, **kw)
    alone = compare(SCENARIOS / "baseline.toml", alternatives, share=False, **kw)
    assert shared.alternatives[0].manifest["shared"] == {"with": "baseline", "from_month": "2026-01"}
    assert shared.table["group"].str.fullmatch(r"\d{6}").any()  # rows by county
    pd.testing.assert_frame_equal(shared.table, alone.table, check_exact=True)
    pd.testing.assert_frame_equal(shared.alternatives[0].indicators, alone.alternatives[0].indicators,
                                  check_exact=True)
