from pathlib import Path

import numpy as np
import pytest

from sim.levers.relocation import RESETTLEMENT
from sim import RuralModel, load_scenario
from sim.core.households import Employment

from .conftest import component, horizon, series

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "relocation_no_followup.toml"
SMALL = {"seed": 3, "scale": 0.03}


def _component(model, name="relocation"):
    return component(model, name)


@pytest.fixture(scope="module")
def base():
    return RuralModel(years=5, **SMALL).run()


def test_relocated_are_lifted_out_mostly_from_poor_villages_and_have_no_farmland():
    model = RuralModel(years=1, **SMALL)
    rl, hh = _component(model), model.households
    relocated = rl.relocated
    assert relocated.sum() == round(0.143 * hh.lifted_out.sum())
    assert hh.lifted_out[relocated].all()
    assert not hh.has_farmland[relocated].any() and hh.has_farmland[~relocated].all()
    poor = model.villages.poor_village[hh.village]
    share_poor_relocated = poor[relocated].mean()
    assert share_poor_relocated > poor[hh.lifted_out].mean() + 0.1
    shown = [model.household(i)["relocation"]["relocated"] for i in (np.flatnonzero(relocated)[0],
                                                                     np.flatnonzero(~relocated)[0])]
    assert shown == [True, False]  # a declared state, shown per household
    # the flag and the stock indicator agree at full-population scale
    model.run()
    assert series(model, "relocated_households")[-1] == pytest.approx(relocated.sum() * hh.weight[0], rel=1e-6)


def test_relocated_earn_rent_not_farm_income_and_never_farm():
    model = RuralModel(years=1, **SMALL)
    rl, hh, lab = _component(model), model.households, model.labourers
    moved = rl.relocated
    # the rent is a share of the farm's permanent income level (a lease, not the year's harvest)
    permanent = next(c for c in model.components if c.name == "income").permanent_farm_yuan
    for _ in range(3):
        model.step()
        assert np.all(hh.income_month["farm_business"][moved] == 0)
        rent = hh.income_month["land_transfer_rent"]
        assert np.allclose(rent[moved], 0.3 * permanent[moved] / 12, rtol=1e-6)
        assert np.all(rent[~moved] == 0)
        assert not (lab.state[moved[lab.household]] == Employment.FARMING).any()


def test_followup_jobs_go_only_to_relocated_labourers_within_capacity(base):
    model = RuralModel(years=1, **SMALL)
    rl, lab, hh = _component(model), model.labourers, model.households
    for _ in range(3):
        model.step()
        holders = np.flatnonzero(lab.state == RESETTLEMENT)
        assert len(holders) > 0
        assert rl.relocated[lab.household[holders]].all()
        assert np.array_equal(np.sort(rl.slots[rl.holder_mask]), holders)
        expected = 0.25 * rl.households_by_county * model.assistance_intensity
        held = np.bincount(hh.county[lab.household[holders]], minlength=len(model.counties))
        assert np.all(held <= np.floor(expected + rl.rounding))
        assert hh.income_month["wages_resettlement"][~rl.relocated].sum() == 0
    jobs, cost = series(base, "resettlement_jobs"), series(base, "cost_relocation_yuan")
    assert np.all(cost >= 0) and np.allclose(cost, jobs * 1_000 / 12)
    # about 25 jobs per 100 relocated households, tilted by county intensity (1.0-1.5 here)
    ratio = jobs / series(base, "relocated_households")
    assert np.all((ratio > 0.2) & (ratio < 0.4))


def test_no_followup_scenario_holds_its_expectations(base):
    scenario = load_scenario(SCENARIO)
    alt = RuralModel(scenario=scenario, years=5, **SMALL).run()
    assert scenario.expect
    for e in scenario.expect:
        diff = horizon(alt, e.indicator) - horizon(base, e.indicator)
        assert diff > 0 if e.direction == "increase" else diff < 0, e.indicator
    assert np.all(series(alt, "resettlement_jobs") == 0)
    assert np.array_equal(series(alt, "relocated_households"), series(base, "relocated_households"))


def test_jobs_end_with_the_transition_period_when_support_ends():
    model = RuralModel(years=5, **SMALL, **{"relocation.after_transition": "end"}).run()
    jobs = series(model, "resettlement_jobs")
    assert jobs[0] > 0 and jobs[-1] == 0  # every county's window has closed by 2025
    assert series(model, "cost_relocation_yuan")[-1] == 0


def test_disabled_lever_relocates_no_one():
    model = RuralModel(years=1, **SMALL, **{"relocation.enabled": False}).run()
    assert model.households.has_farmland.all()
    assert not (model.labourers.state == RESETTLEMENT).any()
    for name in ("cost_relocation_yuan", "resettlement_jobs", "relocated_households"):  # reported as zero
        assert np.all(series(model, name) == 0)


def test_relocation_month_matches_numpy():
    from sim.levers import relocation

    rng = np.random.default_rng(19)
    n_slots, n_households, n_pools = 4000, 1500, 14
    state = rng.integers(-1, 7, n_slots).astype(np.int8)
    household = np.sort(rng.integers(0, n_households, n_slots)).astype(np.int32)
    ill = (rng.random(n_slots) < 0.1).astype(np.int8)
    has_farmland = rng.random(n_households) < 0.5
    category = (rng.random(n_households) < 0.2) * rng.integers(1, 4, n_households).astype(np.int8)
    slots = np.sort(rng.choice(n_slots, 2000, replace=False))
    pool = rng.integers(0, n_pools, len(slots))
    draw = rng.random(len(slots), dtype=np.float32)
    compiled, reference = (relocation.Arrays(slots, pool, state.copy(), household, ill, has_farmland, category)
                           for _ in range(2))
    out = relocation.relocation_month(compiled, draw, np.float32(0.3), n_pools)
    expected = relocation.relocation_month_numpy(reference, draw, np.float32(0.3), n_pools)
    assert all(np.array_equal(x, y) for x, y in zip(out, expected))
    assert np.array_equal(compiled.state, reference.state) and not np.array_equal(compiled.state, state)
