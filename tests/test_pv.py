from pathlib import Path

import numpy as np
import pytest

from sim.levers import pv_kernels
from sim.levers.pv import POST
from sim import InputError, RuralModel, load_scenario
from sim.levers import jobs
from sim.experiments.compare import compare
from sim.core.households import Employment
from sim.core.scenario import default_scenario, with_overrides

from .conftest import assert_reported_zero

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
MORE = SCENARIOS / "pv_more_to_households.toml"
CUT = SCENARIOS / "pv_subsidy_cut_after_transition.toml"
SMALL = {"seed": 3, "scale": 0.02}
FLOWS = ("pv_revenue_yuan", "pv_county_retention_yuan", "pv_to_villages_yuan", "pv_to_households_yuan",
         "pv_to_collectives_yuan", "cost_pv_yuan")


def _pv(model):
    return next(c for c in model.components if c.name == "pv")


def _monthly(model, name):
    df = model.indicators()
    return df[(df.indicator == name) & (df.group == "all")].set_index("month")["value"]


def _pv_paid(hh):
    return sum(hh.income_month[f"pv_{k}"].astype(np.float64) for k in ("post_wages", "public_works", "dividends"))


@pytest.fixture(scope="module")
def base():
    return RuralModel(years=2, **SMALL).run()


@pytest.mark.parametrize("override, message", [
    ({"pv.post_wages_share": 0.8}, "must sum to 1"),
    ({"pv.settlement_months": 5}, "must divide 12"),
    ({"pv.solar_monthly_profile": [0.1] * 12}, "summing to 1"),
    ({"pv.county_retention_share": 1.5}, "less than or equal to 1"),
])
def test_inconsistent_parameters_are_rejected(override, message):
    with pytest.raises(InputError, match=message):
        with_overrides(default_scenario(), override)


def test_beneficiaries_are_poor_villages_first_up_to_the_share(base):
    villages, p = base.villages, _pv(base).params
    capacity = villages.columns["pv_capacity_kw"]
    beneficiary = capacity > 0
    assert beneficiary.sum() == round(p.beneficiary_village_share * len(villages))
    assert villages.poor_village.sum() < beneficiary.sum()
    assert beneficiary[villages.poor_village].all()
    assert capacity[beneficiary].mean() == pytest.approx(p.capacity_kw_per_beneficiary_village, rel=0.05)


def test_revenue_follows_capacity_yield_tariff_degradation_and_season(base):
    p = _pv(base).params
    revenue = _monthly(base, "pv_revenue_yuan")
    kw = base.villages.columns["pv_capacity_kw"].sum()
    for year in (2021, 2022):  # inside every county's transition window: full subsidy
        expected = (kw * p.yield_kwh_per_kw_year * (1 - p.degradation_per_year) ** (year - p.commissioning_year)
                    * (p.benchmark_tariff_yuan_per_kwh + p.subsidy_yuan_per_kwh))
        assert revenue[revenue.index.year == year].sum() == pytest.approx(expected, rel=1e-9)
    may, december = revenue["2021-05-01"], revenue["2021-12-01"]
    assert may / december == pytest.approx(p.solar_monthly_profile[4] / p.solar_monthly_profile[11])
    cost = _monthly(base, "cost_pv_yuan")
    share = p.subsidy_yuan_per_kwh / (p.benchmark_tariff_yuan_per_kwh + p.subsidy_yuan_per_kwh)
    assert np.allclose(cost, revenue * share)


def test_flows_are_paid_at_settlement_and_nothing_is_lost(base):
    flows = {name: _monthly(base, name) for name in FLOWS}
    settled = flows["pv_to_villages_yuan"].index.month % 3 == 0
    assert (flows["pv_to_villages_yuan"][~settled] == 0).all() and (flows["pv_to_villages_yuan"][settled] > 0).all()
    total = {name: s.sum() for name, s in flows.items()}
    assert total["pv_revenue_yuan"] == pytest.approx(total["pv_county_retention_yuan"] + total["pv_to_villages_yuan"])
    assert total["pv_to_villages_yuan"] == pytest.approx(total["pv_to_households_yuan"]
                                                         + total["pv_to_collectives_yuan"])
    p = _pv(base).params
    assert total["pv_county_retention_yuan"] == pytest.approx(p.county_retention_share * total["pv_revenue_yuan"])
    # households get a bit less than their share: villages without eligible people keep it
    share = total["pv_to_households_yuan"] / total["pv_to_villages_yuan"]
    assert 0.8 * p.household_share_of_village_funds < share <= p.household_share_of_village_funds * 1.01


def test_monthly_settlement_balances_every_month_and_books_what_it_reports():
    model = RuralModel(years=1, **SMALL, **{"pv.settlement_months": 1})
    pv, hh = _pv(model), model.households
    while model.running:
        model.step()
        revenue, retained = pv.revenue.sum(), pv.retention.sum()
        households, collective = pv.to_households.sum(), pv.to_collective.sum()
        assert revenue == pytest.approx(retained + households + collective, rel=1e-9)
        assert (_pv_paid(hh) * hh.weight).sum() == pytest.approx(households, rel=1e-5)
        assert model.villages.collective_income_month["pv"].sum() == pytest.approx(collective)
    assert pv.to_collective.min() > -1e-6 * pv.to_villages.max()


def test_posts_staffed_from_needy_labourers_in_beneficiary_villages(base):
    pv, hh, lab = _pv(base), base.households, base.labourers
    holders = lab.state == POST
    assert holders.sum() > 0
    village = hh.village[lab.household[holders]]
    assert (base.villages.columns["pv_capacity_kw"][village] > 0).all()
    # holders keep their post when their household leaves monitoring; most are lifted-out
    assert hh.lifted_out[lab.household[holders]].mean() > 0.6
    posts = _monthly(base, "public_welfare_posts")
    assert posts.iloc[-1] == pytest.approx(holders.sum() * hh.weight[0])
    # post wage x posts stays within the post budget (a village cannot hire more than it can pay)
    p = pv.params
    budget = (_monthly(base, "pv_to_villages_yuan").sum() * p.household_share_of_village_funds * p.post_wages_share)
    assert posts.sum() * p.post_wage_yuan_per_month <= budget * 1.05


def test_posts_are_given_to_labourers_of_needy_households_only():
    model = RuralModel(years=2, **SMALL)
    hh, lab = model.households, model.labourers
    hired = 0
    while model.running:
        needy = (hh.lifted_out | (hh.monitoring_category > 0))[lab.household]  # as PV sees them this month
        before = lab.state == POST
        model.step()
        new = (lab.state == POST) & ~before
        assert needy[new].all()
        hired += new.sum()
    assert hired > 0


def test_posts_go_to_the_oldest_needy_labourers_first(base):
    hh, lab = base.households, base.labourers
    holders = lab.state == POST
    beneficiary = base.villages.columns["pv_capacity_kw"][hh.village[lab.household]] > 0
    others = jobs.available(base) & beneficiary & hh.lifted_out[lab.household]
    assert lab.age_years[holders].mean() > lab.age_years[others].mean() + 5


def test_sparse_post_staffing_matches_jobs_fill():
    model = RuralModel(years=1, **SMALL, **{"pv.posts_for_lifted_out_or_monitored_only": False,
                                            "pv.posts_oldest_first": False})
    pv, lab = _pv(model), model.labourers
    rng = np.random.default_rng(0)
    held = np.bincount(pv.pool_of_labourer[lab.state == POST], minlength=pv.n_pools)
    capacity = np.maximum(held + rng.integers(-2, 4, len(held)), 0)  # some villages shrink, some grow
    start = lab.state.copy()
    pv._staff_posts(model, capacity)
    sparse = lab.state.copy()
    lab.state[:] = start
    in_beneficiary = model.villages.columns["pv_capacity_kw"][model.households.village[lab.household]] > 0
    jobs.fill(model, job_state=POST, capacity=capacity, pool=pv.pool_of_labourer, draw=pv.lottery,
              eligible=jobs.available(model) & in_beneficiary)
    assert not np.array_equal(sparse, start)
    assert np.array_equal(sparse, lab.state)


def test_public_works_and_dividends_reach_only_their_targets():
    model = RuralModel(years=1, **SMALL, **{"pv.settlement_months": 12})
    hh = model.households
    while model.month != 12:
        model.step()
    needy = hh.lifted_out | (hh.monitoring_category > 0)  # as PV sees them (monitoring runs after it)
    model.step()  # December: the year's settlement
    dividends, works = hh.income_month["pv_dividends"], hh.income_month["pv_public_works"]
    assert dividends.sum() > 0 and works.sum() > 0
    assert (needy & (hh.n_labourers == 0))[dividends > 0].all()
    assert needy[works > 0].all()


def test_disabled_lever_reports_nothing_and_holds_no_posts():
    off = RuralModel(years=1, **SMALL, **{"pv.enabled": False}).run()
    assert_reported_zero(off, "cost_pv_yuan")
    assert not (off.labourers.state == POST).any()


def test_subsidy_ends_with_the_transition_when_the_rule_says_so(base):
    ended = RuralModel(years=2, **SMALL, **{"transition.fixed_end_month": "2021-12", "pv.after_transition": "end"})
    ended.run()
    cost, revenue = _monthly(ended, "cost_pv_yuan"), _monthly(ended, "pv_revenue_yuan")
    assert (cost >= 0).all() and (cost[cost.index.year == 2021] > 0).all()
    assert (cost[cost.index.year == 2022] == 0).all()
    base_revenue = _monthly(base, "pv_revenue_yuan")
    p = _pv(base).params
    tariff = p.benchmark_tariff_yuan_per_kwh + p.subsidy_yuan_per_kwh
    year = revenue.index.year == 2022
    assert np.allclose(revenue[year], base_revenue[year] * p.benchmark_tariff_yuan_per_kwh / tariff)
    assert _monthly(ended, "public_welfare_posts")["2022-06-01"] < _monthly(base, "public_welfare_posts")["2022-06-01"]


def test_scenario_files_load_and_their_expectations_hold():
    more, cut = load_scenario(MORE), load_scenario(CUT)
    assert more.pv.household_share_of_village_funds == 0.8
    assert cut.pv.after_transition == "end"
    # five years reach past the transition windows (they end in 2023-2024 in Xinzhou)
    c = compare(None, [MORE, CUT], replicates=2, scale=0.02, years=5, seed=5)
    assert c.expectations["sign_matches"].all(), c.expectations


def _random_arrays(rng, n_households=2000, n_villages=40):
    """A hand-made bundle for the PV passes: households in village order, each with its range of slots."""
    labour_slots = rng.integers(0, 4, n_households).astype(np.int16)
    household = np.repeat(np.arange(n_households), labour_slots).astype(np.int32)
    n_slots = len(household)
    village = np.sort(rng.integers(0, n_villages, n_households)).astype(np.int16)
    beneficiary, lifted_out = rng.random(n_villages) < 0.5, rng.random(n_households) < 0.3
    return pv_kernels.Arrays(
        category=((rng.random(n_households) < 0.2) * rng.integers(1, 4, n_households)).astype(np.int8),
        village=village, lifted_out=lifted_out,
        first_labourer=(np.cumsum(labour_slots) - labour_slots).astype(np.int32), labour_slots=labour_slots,
        n_labourers=np.minimum(labour_slots, rng.integers(0, 4, n_households)).astype(np.int16),
        state=rng.integers(-1, 6, n_slots).astype(np.int8), household=household,
        ill_months_left=(rng.random(n_slots) < 0.1).astype(np.int8), slot_lifted_out=lifted_out[household],
        beneficiary=beneficiary, lifted_out_households=np.flatnonzero(lifted_out & beneficiary[village]),
        lifted_out_slots=np.flatnonzero(lifted_out[household] & beneficiary[village[household]]))


@pytest.mark.parametrize("needy_only", [False, True])
def test_compiled_passes_match_their_numpy(needy_only):
    rng = np.random.default_rng(17)
    a = _random_arrays(rng)
    slots = np.sort(rng.choice(len(a.household), len(a.household) // 2, replace=False))
    idx, rank = pv_kernels.post_candidates(a, slots, needy_only)
    expected, expected_rank = pv_kernels.post_candidates_numpy(a, slots, needy_only)
    assert np.array_equal(idx, expected) and np.array_equal(rank, expected_rank) and len(idx) > 0
    assert idx.dtype == expected.dtype and rank.dtype == expected_rank.dtype
    assert set(rank) == ({0, 1} if needy_only else {0, 1, 2})
    households, unable = pv_kernels.pv_recipients(a)
    expected_households, expected_unable = pv_kernels.pv_recipients_numpy(a)
    assert np.array_equal(households, expected_households) and len(households) > 0
    assert np.array_equal(unable, expected_unable) and len(unable) > 0
