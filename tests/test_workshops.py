from pathlib import Path

import numpy as np
import pytest

from sim.levers.workshops import WORKSHOP
from sim.core.params import growth_index

import sim.levers.workshops as workshops
from sim import RuralModel, load_scenario
from sim.levers import jobs
from sim.core.households import Employment
from sim.core.indicators import Indicator

from .conftest import component, horizon, series

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
SMALL = {"seed": 3, "scale": 0.03}


def _component(model, name="workshops"):
    return component(model, name)


@pytest.fixture(scope="module")
def base():
    return RuralModel(years=5, **SMALL).run()


def test_sites_follow_the_seed_densities_and_county_intensity():
    model = RuralModel(years=1, **SMALL)
    ws = _component(model)
    per_kind = np.bincount(np.searchsorted([30, 150, 500], ws.site_jobs), minlength=3)
    assert per_kind.tolist() == [210, 14, 1]  # Xinzhou 2024 (seed 000)
    sites = np.bincount(ws.site_county, minlength=len(model.counties))
    per_person = sites / model.counties.persons
    intensity = model.assistance_intensity
    assert per_person[intensity == intensity.max()].mean() > per_person[intensity == intensity.min()].mean()
    assert _component(RuralModel(years=1, **SMALL, **{"workshops.sites_multiplier": 2.0})).site_jobs.size == 450


def test_jobs_are_full_scale_whatever_the_sample():
    small = RuralModel(seed=5, scale=0.05, years=1).run()
    large = RuralModel(seed=5, scale=0.2, years=1).run()
    full_jobs = 210 * 30 + 14 * 150 + 500
    for model in (small, large):
        assert abs(series(model, "workshop_jobs").mean() / full_jobs - 1) < 0.03
    assert abs(series(small, "workshop_jobs").mean() / series(large, "workshop_jobs").mean() - 1) < 0.03


def test_holders_never_exceed_capacity_and_earn_the_wage(base):
    model = RuralModel(years=1, **SMALL)
    ws, lab, hh = _component(model), model.labourers, model.households
    for _ in range(3):
        model.step()
        holders = np.flatnonzero(lab.state == WORKSHOP)
        assert np.array_equal(np.sort(ws.holders), holders)
        open_jobs = np.bincount(ws.site_county[ws.site_open], weights=ws.site_jobs[ws.site_open],
                                minlength=len(model.counties))
        capacity = np.floor(open_jobs * ws.sample_fraction + ws.rounding)
        assert np.all(np.bincount(ws.pool[holders], minlength=len(capacity)) <= capacity)
        assert np.all(lab.ill_months_left[holders] == 0)
        growth = growth_index(model.scenario.income.wage_growth_by_year, model.scenario.income.wage_growth_per_year,
                              (model.absolute_month - 1) / 12 - 2020)
        paid = hh.income_month["wages_workshop"].sum(dtype=np.float64)
        assert paid == pytest.approx(len(holders) * 2_000 * growth, rel=1e-5)
    assert np.all(series(base, "cost_workshops_yuan") >= 0)
    # inside every transition window the cost is the full subsidy on every filled job
    first = series(base, "cost_workshops_yuan")[0]
    assert first == pytest.approx(series(base, "workshop_jobs")[0] * 1_500 / 12, rel=1e-9)


@pytest.mark.parametrize("monitored_share, expand_limit, tiny_estimate, widened, change", [
    (0.0, 60_000, False, False, (-2, 6)),  # lifted-out labourers first, no one monitored
    (0.02, 60_000, False, False, (-2, 6)),  # a few monitored: all of them are candidates
    (0.3, 0, False, False, (-2, 6)),  # many monitored: they are subsampled too
    (0.02, 60_000, True, False, (-2, 6)),  # tiny subsample, but the monitored alone fill the vacancies
    (0.0, 60_000, True, True, (-2, 6)),  # tiny subsample: counties widen to all their labourers
    (0.0, 60_000, False, False, (-3, 0)),  # sites closed, no vacancy: surplus released only
])
def test_subsampled_fill_hires_exactly_as_a_fill_over_everyone(monkeypatch, monitored_share, expand_limit,
                                                               tiny_estimate, widened, change):
    monkeypatch.setattr(workshops, "MAX_MONITORED_EXPANDED", expand_limit)
    model = RuralModel(seed=5, scale=0.05, years=1)
    ws, lab, hh = _component(model), model.labourers, model.households
    if tiny_estimate:  # subsample far too small: counties must widen to all their labourers
        ws.lifted_out_slots = ws.lifted_out_slots * 1000
    rng = np.random.default_rng(0)
    hh.monitoring_category[:] = (rng.random(len(hh)) < monitored_share).astype(np.int8)
    u = rng.integers(0, workshops.U16, len(lab), dtype=np.uint16)
    holders = np.flatnonzero(lab.state == WORKSHOP)
    quits, holders = holders[: len(holders) // 5], holders[len(holders) // 5:]
    lab.state[quits] = Employment.NONE
    held = np.bincount(ws.pool[holders], minlength=len(model.counties))
    capacity = np.maximum(held + rng.integers(*change, len(held)), 0).astype(float)
    sizes = []
    monkeypatch.setattr(jobs, "fill_among", _spy(jobs.fill_among, sizes))
    before = lab.state.copy()
    ws.lottery = u  # this month's draws are the lottery numbers less an offset, here 0
    returned = ws._fill(model, capacity, held, np.uint16(0), quits, holders)
    subsampled = lab.state.copy()
    lab.state[:] = before
    eligible = jobs.available(model)
    eligible[quits] = False
    jobs.fill(model, job_state=WORKSHOP, capacity=capacity, pool=ws.pool, draw=u, eligible=eligible)
    assert (subsampled != before).any()
    assert np.array_equal(subsampled, lab.state)
    assert np.array_equal(np.sort(returned), np.flatnonzero(lab.state == WORKSHOP))
    if widened:
        assert sizes[0] > 0.5 * eligible.sum()
    else:
        assert sizes[0] < 0.5 * eligible.sum()  # the point of it: far fewer rows were sorted


def _spy(fill_among, sizes):
    def spy(model, slots, **kwargs):
        sizes.append(len(slots))
        return fill_among(model, slots, **kwargs)
    return spy


def test_hiring_priority_puts_lifted_out_labourers_first():
    model = RuralModel(seed=5, scale=0.05, years=1)
    ws, lab, hh = _component(model), model.labourers, model.households
    hh.monitoring_category[:] = 0
    lab.state[lab.state == WORKSHOP] = Employment.NONE  # all jobs vacant
    model.step()
    hired = ws.holders
    available_lifted_out = (jobs.available(model) & hh.lifted_out[lab.household]).sum()
    assert available_lifted_out > len(hired)
    assert hh.lifted_out[lab.household[hired]].all()


def test_double_the_workshops_scenario_holds_its_expectations(base):
    scenario = load_scenario(SCENARIOS / "workshops_double.toml")
    alt = RuralModel(scenario=scenario, years=5, **SMALL).run()
    assert scenario.expect
    for e in scenario.expect:
        diff = horizon(alt, e.indicator) - horizon(base, e.indicator)
        assert diff > 0 if e.direction == "increase" else diff < 0, e.indicator
    assert horizon(alt, "workshop_jobs") == pytest.approx(2 * horizon(base, "workshop_jobs"), rel=0.05)


def test_subsidy_end_scenario_closes_sites_only_after_the_transition_period(base):
    scenario = load_scenario(SCENARIOS / "workshops_subsidy_end_after_transition.toml")
    alt = RuralModel(scenario=scenario, years=5, **SMALL).run()
    for e in scenario.expect:
        diff = horizon(alt, e.indicator) - horizon(base, e.indicator)
        assert diff > 0 if e.direction == "increase" else diff < 0, e.indicator
    open_alt, open_base = series(alt, "workshops_open"), series(base, "workshops_open")
    assert np.all(open_base == 225) and np.all(np.diff(open_alt) <= 0)
    assert open_alt[:12].min() == 225 and open_alt[-1] < 200  # every window is open through 2021
    ws = _component(alt)
    ended = alt.months_after_transition >= 0
    assert ended.any()
    assert np.isclose(ws.cost_by_county[ended], 0).all()


def test_disabled_lever_leaves_no_trace():
    model = RuralModel(years=1, **SMALL, **{"workshops.enabled": False}).run()
    assert not (model.labourers.state == WORKSHOP).any()
    for name in ("cost_workshops_yuan", "workshop_jobs", "workshops_open"):  # reported as zero
        assert np.all(series(model, name) == 0)
    assert "wages_workshop" not in model.households.income_month


def test_cost_indicator_is_declared_as_a_monthly_flow():
    declared = {i.name: i for i in workshops.Workshops.indicators}
    assert declared["cost_workshops_yuan"] == Indicator("cost_workshops_yuan", "yuan", "flow",
                                                        declared["cost_workshops_yuan"].doc)
    assert declared["workshop_jobs"].kind == declared["workshops_open"].kind == "stock"


@pytest.mark.parametrize("threshold", [0, 1000, 40_000, 65_536])
def test_workshop_candidates_match_numpy(threshold):
    rng = np.random.default_rng(13)
    n = 5000
    state = rng.integers(-1, 6, n).astype(np.int8)
    ill = (rng.random(n) < 0.1).astype(np.int8)
    lottery = rng.integers(0, 2**16, n, dtype=np.uint16)
    offset = np.uint16(rng.integers(0, 2**16))
    compiled, reference = (workshops.Slots(state, ill, lottery, np.empty(n, bool), np.empty(n, bool)) for _ in range(2))
    workshops.workshop_candidates(compiled, offset, threshold)
    workshops.workshop_candidates_numpy(reference, offset, threshold)
    assert np.array_equal(compiled.eligible, reference.eligible)
    assert np.array_equal(compiled.candidates, reference.candidates)
    assert np.array_equal(compiled.eligible, ((state == 0) | (state == 1)) & (ill == 0))
