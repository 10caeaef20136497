"""Small runs' fixed costs cut (issue 19) without changing a result: a model told which indicators to compute
gives the same values as a full run for those, NaN for the rest, and does no report work for components whose
indicators nobody reads; the DataCollector made on demand holds what collecting every month held."""

import numpy as np
import pandas as pd
import pytest

from sim import RuralModel
from sim.core.errors import InputError
from sim.core.scenario import default_scenario, with_overrides
from sim.experiments import sweep, targets

from .conftest import SMALL

SEED = 5
SUBSETS = {
    "a sweep's outputs": ["persons_below_poverty_line", "persons_below_monitoring_line",
                          "returns_to_poverty_households", "lifted_out_households_below_poverty_line"],
    "a calibration's": ["pv_revenue_yuan", "pv_to_villages_yuan", "newly_identified_households",
                        "lifted_out_labourers_employed", "poverty_county_income_ratio", "income_per_capita_mean_yuan",
                        "villages_collective_income_over_50k_share"],
    "the income histogram": ["gini"],
    "the median and employment": ["income_per_capita_median_yuan", "migrant_workers"],
    "income by source and demography": ["income_pension_per_capita_lifted_out_yuan", "births", "labourers"],
    "lifted-out stocks, a means test, costs": ["lifted_out_persons", "dibao_recipient_persons", "cost_workshops_yuan",
                                               "cost_monitoring_yuan", "medically_insured_persons"],
}


@pytest.fixture(scope="module")
def full():
    return RuralModel(seed=SEED, **SMALL).run()


def _columns(model, names):
    return model.recorder.values[:, [model.recorder.index[n] for n in names]]


@pytest.mark.parametrize("what", SUBSETS)
def test_a_subset_is_computed_exactly_as_in_a_full_run(full, what):
    wanted = SUBSETS[what]
    part = RuralModel(seed=SEED, indicators=wanted, **SMALL).run()
    assert np.array_equal(_columns(part, wanted), _columns(full, wanted), equal_nan=True)
    others = [n for n in full.recorder.index if n not in wanted]
    assert np.isnan(_columns(part, others)).all()
    # only the components that declare a wanted indicator report
    assert {c.name for c in part.reporting} == {c.name for c in part.components
                                                if any(i.name in wanted for i in c.indicators)}
    expected = full.indicators()
    expected = expected[expected["indicator"].isin(wanted)].reset_index(drop=True)
    pd.testing.assert_frame_equal(part.indicators(), expected)


def test_a_subset_keeps_the_dynamics(full):
    """Skipped reports change no state: households at the end are the same as in the full run."""
    part = RuralModel(seed=SEED, indicators=["gini"], **SMALL).run()
    for name in ("income_12m_yuan", "net_12m_yuan", "monitoring_category", "social_assistance", "size"):
        assert np.array_equal(getattr(part.households, name), getattr(full.households, name)), name
    assert np.array_equal(part.labourers.state, full.labourers.state)


def test_a_disabled_lever_reports_zero_in_a_subset():
    wanted = ["cost_workshops_yuan", "workshop_jobs", "persons_below_poverty_line"]
    scenario = with_overrides(default_scenario(), {"workshops.enabled": False})
    model = RuralModel(scenario=scenario, seed=SEED, indicators=wanted, **SMALL).run()
    assert (_columns(model, wanted[:2]) == 0).all()
    assert "workshops" not in {c.name for c in model.reporting}
    assert sorted(model.datacollector.get_model_vars_dataframe().columns) == sorted(wanted)


def test_every_indicator_by_default(full):
    assert full.recorder.wanted is None and full.reporting == full.components
    assert full.recorder.computed == list(full.recorder.index)


def test_unknown_indicators_are_input_errors():
    with pytest.raises(InputError, match="no_such_indicator"):
        RuralModel(seed=1, indicators=["persons", "no_such_indicator"], **SMALL)


def test_a_sweep_task_returns_what_a_full_run_gives():
    task = {"base": default_scenario().model_dump(), "base_hash": "subset-test", "overrides": {"run.scale": 0.02,
            "run.years": 2}, "seed": SEED, "run_id": 3, "indicators": SUBSETS["a sweep's outputs"],
            "groups": ["all", "key"], "reduce": "annual"}
    got = sweep.execute(task)
    model = RuralModel(scenario=with_overrides(default_scenario(), task["overrides"]), seed=SEED).run()
    frame = model.indicators()
    frame = frame[frame["indicator"].isin(task["indicators"]) & frame["group"].isin(task["groups"])]
    expected = sweep.reduce_indicators(frame, "annual")
    expected.insert(0, "run_id", 3)
    pd.testing.assert_frame_equal(got, expected)


def test_a_calibration_run_reads_the_same_targets_as_from_a_full_run():
    spec = targets.load_targets()
    scenario = with_overrides(targets._raw_base(), spec.runs["rucheng"].overrides(0.05))
    got = targets.simulate_run(spec, "rucheng", targets._raw_base(), seed=SEED, scale=0.05)
    model = RuralModel(scenario=scenario, seed=SEED).run()
    expected = {t.id: targets.read_statistic(model, t) for t in spec.targets if t.run == "rucheng"}
    assert got == expected and got


def test_the_datacollector_made_on_demand_holds_what_collecting_every_month_held(full):
    early = RuralModel(seed=SEED, **SMALL)
    early.datacollector  # made before the first month: collected by every step
    for _ in range(5):
        early.step()
    middle = early.datacollector.get_model_vars_dataframe().copy()
    early.run()
    late = full.datacollector.get_model_vars_dataframe()  # made at the end, from the recorder
    pd.testing.assert_frame_equal(early.datacollector.get_model_vars_dataframe(), late)
    pd.testing.assert_frame_equal(middle, late.iloc[:5])
    assert len(late) == full.n_months and list(late.columns) == list(full.recorder.index)
