from pathlib import Path

import numpy as np
import pytest

from sim import RuralModel, load_scenario
from sim.experiments.compare import compare
from sim.core.regions import COUNTY_CLASSES
from sim.levers import insurance

from .conftest import assert_reported_zero

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "insurance_no_poverty_medical_assistance.toml"
SMALL = {"seed": 3, "scale": 0.02}
KEY = COUNTY_CLASSES.index("key")


def _insurance(model):
    return next(c for c in model.components if c.name == "insurance")


def _total(model, name, how="sum"):
    df = model.indicators()
    values = df[(df.indicator == name) & (df.group == "all")]["value"]
    return values.iloc[-1] if how == "last" else values.agg(how)


@pytest.fixture(scope="module")
def base():
    return RuralModel(years=2, **SMALL).run()


def test_reimbursement_shares_by_enrolment_and_poverty_history(base):
    ins, hh = _insurance(base), base.households
    share = hh.medical_reimbursement_share
    assert 0.97 < ins.enrolled.mean() <= 1.0
    assert np.all(share[~ins.enrolled] == 0)
    # monitoring runs after insurance: the shares follow the status insurance last saw (`ins.monitored`)
    plain = ins.enrolled & ~hh.lifted_out & ~ins.monitored
    assert np.allclose(share[plain], 0.6)
    assert np.allclose(share[ins.enrolled & (hh.lifted_out | ins.monitored)], 0.8)
    assert share.max() <= 1.0
    # declared states, shown per household
    i = np.flatnonzero(ins.enrolled & ~ins.covered)[0]
    assert base.household(i)["insurance"] == {"monitored": bool(ins.monitored[i]), "enrolled": True,
                                              "u_agricultural": float(ins.u_agricultural[i]), "covered": False}


def test_monitored_and_assisted_households_get_medical_assistance():
    model = RuralModel(years=1, **SMALL, **{"monitoring.enabled": False})
    ins, hh = _insurance(model), model.households
    plain = np.flatnonzero(ins.enrolled & ~hh.lifted_out & (hh.social_assistance == 0))[:50]
    hh.monitoring_category[plain] = 2
    ins.step(model)
    assert np.allclose(hh.medical_reimbursement_share[plain], 0.8)
    hh.monitoring_category[plain] = 0
    ins.step(model)
    assert np.allclose(hh.medical_reimbursement_share[plain], 0.6)
    # dibao and extreme-poverty support recipients get medical assistance too
    hh.social_assistance[plain[:10]] = 1
    ins.step(model)
    assert np.allclose(hh.medical_reimbursement_share[plain[:10]], 0.8)


def test_assistance_and_key_cover_end_with_the_transition():
    model = RuralModel(years=2, **SMALL, **{"transition.fixed_end_month": "2021-12",
                                            "insurance.after_transition": "end"}).run()
    ins, hh = _insurance(model), model.households
    assert np.allclose(hh.medical_reimbursement_share[ins.enrolled & hh.lifted_out], 0.6)
    key = hh.county_class == KEY
    assert abs(ins.covered[key].mean() - 0.5) < 0.05


def test_agricultural_cover_and_indemnities(base):
    ins, hh = _insurance(base), base.households
    key = hh.county_class == KEY
    assert ins.covered[key].all()
    assert abs(ins.covered[~key].mean() - 0.5) < 0.05
    # the last month's indemnity is 70% of the farm income lost by covered households
    expected = 0.7 * hh.farm_loss_month_yuan * ins.covered
    assert np.allclose(hh.income_month["insurance_indemnity"], expected, rtol=1e-5)
    assert _total(base, "insurance_indemnity_yuan") > 0


def test_indemnities_raise_income():
    no_indemnity = RuralModel(years=2, **SMALL, **{"insurance.indemnity_share": 0.0}).run()
    base = RuralModel(years=2, **SMALL).run()
    assert _total(no_indemnity, "insurance_indemnity_yuan") == 0
    assert _total(base, "income_per_capita_mean_yuan", "mean") > _total(no_indemnity, "income_per_capita_mean_yuan",
                                                                        "mean")


def test_cost_is_premium_subsidies(base):
    ins, hh = _insurance(base), base.households
    df = base.indicators()
    cost = df[(df.indicator == "cost_insurance_yuan") & (df.group == "all")]
    assert (cost.value > 0).all()
    w = float(hh.weight[0])
    persons = (hh.size * ins.enrolled).sum() * w
    assert _total(base, "medically_insured_persons", "last") == pytest.approx(persons)
    december_2022 = (580 * 1.05 * persons + 100 * 1.05 * ins.covered.sum() * w) / 12
    assert cost.value.iloc[-1] == pytest.approx(december_2022, rel=1e-6)
    off = RuralModel(years=1, **SMALL, **{"insurance.enabled": False}).run()
    assert_reported_zero(off, "cost_insurance_yuan")
    assert np.all(off.households.medical_reimbursement_share == 0)


def test_insurance_keeps_people_out_of_poverty(base):
    off = RuralModel(years=2, **SMALL, **{"insurance.enabled": False}).run()
    assert _total(off, "persons_below_poverty_line", "mean") > _total(base, "persons_below_poverty_line", "mean")


def test_scenario_expectations_hold():
    assert load_scenario(SCENARIO).insurance.poverty_medical_assistance_rate == 0.0
    for seed in (5, 6):
        c = compare(None, [SCENARIO], replicates=2, scale=0.02, years=2, seed=seed)
        assert c.expectations["sign_matches"].all(), c.expectations


def test_follow_monitoring_matches_numpy():
    rng = np.random.default_rng(16)
    n = 4000
    category = (rng.random(n) < 0.2) * rng.integers(1, 4, n).astype(np.int8)
    monitored = rng.random(n) < 0.2
    enrolled, lifted_out = rng.random(n) < 0.95, rng.random(n) < 0.3
    county = rng.integers(0, 14, n).astype(np.int16)
    assisted, rate = rng.uniform(0.6, 1.0, 14).astype(np.float32), np.float32(0.6)
    share = rng.uniform(0, 1, n).astype(np.float32)
    social = (rng.random(n) < 0.1) * rng.integers(1, 3, n).astype(np.int8)
    compiled, reference = (insurance.Arrays(category, social, enrolled, lifted_out, county, monitored.copy(),
                                            share.copy()) for _ in range(2))
    insurance.follow_monitoring_numpy(reference, assisted, rate)
    insurance.follow_monitoring(compiled, assisted, rate)
    assert np.array_equal(compiled.share, reference.share) and np.array_equal(compiled.monitored, reference.monitored)
    assert not np.array_equal(compiled.share, share) and not np.array_equal(compiled.monitored, monitored)
