from pathlib import Path

import numpy as np
import pytest

from sim import InputError, RuralModel, load_scenario
from sim.experiments.compare import compare
from sim.levers.model_villages import MODEL, UPGRADED
from sim.core.scenario import validate

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "model_villages_double.toml"
TINY = {"seed": 3, "scale": 0.003}  # villages are complete at any scale


def _component(model):
    return next(c for c in model.components if c.name == "model_villages")


def _series(model, name):
    df = model.indicators()
    return df[(df.indicator == name) & (df.group == "all")].set_index("month")["value"]


@pytest.fixture(scope="module")
def base():
    return RuralModel(years=5, **TINY).run()


def test_villages_join_from_2024_at_the_seed_rates(base):
    model, upgraded = _series(base, "model_villages"), _series(base, "upgraded_villages")
    assert model[model.index.year < 2024].eq(0).all() and upgraded[upgraded.index.year < 2024].eq(0).all()
    assert model["2024-12-01"] in (42, 43) and upgraded["2024-12-01"] in (291, 292)  # 42 and 291 of 2,672
    assert model["2025-12-01"] - model["2024-12-01"] in (40, 41)
    assert upgraded["2025-12-01"] - upgraded["2024-12-01"] in (360, 361)
    status = _component(base).status
    assert (status == MODEL).sum() == model.iloc[-1] and (status == UPGRADED).sum() == upgraded.iloc[-1]


def test_cost_is_booked_in_the_month_of_selection(base):
    cost = _series(base, "cost_model_villages_yuan")
    model, upgraded = _series(base, "model_villages"), _series(base, "upgraded_villages")
    assert cost["2024-01-01"] == model["2024-01-01"] * 2_000_000 + upgraded["2024-01-01"] * 500_000
    assert cost[cost.index.month != 1].eq(0).all() and cost[cost.index.year < 2024].eq(0).all()


def test_collective_income_and_local_jobs_of_programme_villages(base):
    villages, lab, hh = base.villages, base.labourers, base.households
    status = _component(base).status
    programme = villages.collective_income_month["programme"]
    assert np.allclose(programme[status == MODEL], 5_000) and np.allclose(programme[status == UPGRADED], 20_000 / 12)
    assert np.all(programme[status == 0] == 0)
    lab_status = status[hh.village[lab.household]]
    assert np.allclose(lab.local_finding_multiplier[lab_status == MODEL], 1.3)
    assert np.allclose(lab.local_finding_multiplier[lab_status == UPGRADED], 1.1)
    assert np.all(lab.local_finding_multiplier[lab_status == 0] == 1.0)


def test_share_above_50k_rises_with_the_programme(base):
    share = _series(base, "villages_collective_income_over_50k_share")
    assert 0 < share.iloc[0] < 1
    off = RuralModel(years=5, **TINY, **{"model_villages.collective_income_upgraded_yuan_per_year": 0.0,
                                         "model_villages.collective_income_model_yuan_per_year": 0.0}).run()
    share_off = _series(off, "villages_collective_income_over_50k_share")
    assert np.array_equal(share[share.index.year < 2024], share_off[share_off.index.year < 2024])
    assert share.iloc[-1] > share_off.iloc[-1]


def test_no_new_villages_after_the_transition_when_the_rule_ends_it():
    ended = RuralModel(years=4, **TINY, **{"transition.fixed_end_month": "2023-12",
                                           "model_villages.after_transition": "end"}).run()
    assert _series(ended, "model_villages").iloc[-1] == 0
    assert _series(ended, "cost_model_villages_yuan").sum() == 0


def test_end_year_before_start_year_is_rejected():
    with pytest.raises(InputError, match="model_villages"):
        validate({"model_villages": {"start_year": 2026, "end_year": 2025}})


def test_rucheng_runs_and_reports_the_pattern():
    model = RuralModel(region="rucheng", years=1, seed=3, scale=0.05).run()
    share = _series(model, "villages_collective_income_over_50k_share")
    assert 0.2 < share.iloc[-1] < 1.0  # target: 131 of 217 villages (0.60), seed 004


def test_scenario_expectations_hold():
    scenario = load_scenario(SCENARIO)
    assert scenario.model_villages.model_share_per_year == pytest.approx(2 * 40 / 2672, abs=1e-4)
    c = compare(None, [SCENARIO], replicates=2, scale=0.003, years=4, seed=5)
    assert c.expectations["sign_matches"].all(), c.expectations
    doubled = c.horizon().set_index(["scenario", "indicator"]).loc[("model_villages_double", "model_villages")]
    assert doubled["alternative"] > doubled["base"]
