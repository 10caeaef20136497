import mesa
import numpy as np
import pandas as pd
import pytest

from sim import RuralModel, run
from sim.core.households import Employment
from sim.core.registry import employment_names

from .conftest import SMALL


def _values(result):
    return result.indicators.sort_values(["replicate", "month", "indicator", "group"])["value"].to_numpy()


def test_same_seed_gives_identical_indicators():
    a = run(seed=7, **SMALL)
    b = run(seed=7, **SMALL)
    assert np.array_equal(_values(a), _values(b), equal_nan=True)


def test_different_seeds_differ():
    a = run(seed=7, **SMALL)
    b = run(seed=8, **SMALL)
    assert not np.allclose(_values(a), _values(b), equal_nan=True)


def test_replicates_are_distinct_and_reproducible(small_run):
    seeds = small_run.indicators.groupby("replicate")["seed"].first()
    assert seeds.nunique() == 2
    again = run(replicates=1, **SMALL)
    first = small_run.indicators[small_run.indicators["replicate"] == 0]
    assert np.array_equal(first.sort_values(["month", "indicator", "group"])["value"].to_numpy(),
                          _values(again), equal_nan=True)


def test_output_contract(small_run):
    df = small_run.indicators
    assert list(df.columns) == ["scenario", "replicate", "seed", "month", "indicator", "group", "value"]
    required = {
        "persons_below_poverty_line", "persons_below_monitoring_line", "lifted_out_households_below_poverty_line",
        "returns_to_poverty_households", "income_per_capita_mean_yuan", "income_per_capita_median_yuan",
        "income_per_capita_mean_lifted_out_yuan", "poverty_county_income_ratio", "labourers_employed",
        "lifted_out_labourers_employed", "migrant_workers", "gini"}
    assert required <= set(df["indicator"].astype(str))
    assert set(df["group"].astype(str)) == {"all", "demonstration", "steady", "key"}
    assert (df["month"].dt.day == 1).all()
    assert df["month"].min() == pd.Timestamp("2021-01-01")
    assert df["month"].nunique() == 24


def test_groups_add_up_to_all(small_run):
    df = small_run.indicators
    stock = df[df["indicator"] == "persons_below_poverty_line"].pivot_table(
        index=["replicate", "month"], columns="group", values="value", observed=True)
    assert np.allclose(stock[["demonstration", "steady", "key"]].sum(axis=1), stock["all"])


def test_annual_sums_flows_and_takes_year_end_stocks(small_run):
    monthly = small_run.indicators
    yearly = small_run.annual()

    def pick(frame, name, year):
        sel = frame[(frame["indicator"] == name) & (frame["group"] == "all") & (frame["replicate"] == 0)]
        return sel[sel["month"].dt.year == year]["value"] if "month" in sel else sel[sel["year"] == year]["value"]

    flow = "returns_to_poverty_households"
    assert pick(yearly, flow, 2021).item() == pytest.approx(pick(monthly, flow, 2021).sum())
    stock = "persons_below_poverty_line"
    assert pick(yearly, stock, 2022).item() == pytest.approx(pick(monthly, stock, 2022).iloc[-1])


def _rates(scale, replicates, seed=11):
    res = run(scale=scale, years=2, replicates=replicates, seed=seed).annual()
    res = res[(res["group"] == "all") & (res["year"] == 2022)].pivot_table(
        index="replicate", columns="indicator", values="value", observed=True)
    return pd.DataFrame({
        "poverty_rate": res["persons_below_poverty_line"] / res["persons"],
        "monitoring_rate": res["persons_below_monitoring_line"] / res["persons"],
        "employment_per_person": res["labourers_employed"] / res["persons"],
        "income": res["income_per_capita_mean_yuan"],
        "persons": res["persons"],
        "workshop_jobs": res["workshop_jobs"],
        "pv_to_households_yuan": res["pv_to_households_yuan"],
    })


def _assert_agree(small: pd.DataFrame, large: pd.DataFrame) -> None:
    """Means agree within 4 standard errors of their difference.

    Region-wide events (migrant downturns, village disasters) vary between replicates at any scale, so
    the standard error of each mean comes from its own replicates, not from the sampling fraction.
    """
    for column in small:
        se = np.sqrt(small[column].var(ddof=1) / len(small) + large[column].var(ddof=1) / len(large))
        # PV's sharing pools below full scale are groups of ~1/scale villages: a group spends money a village
        # without eligible recipients would have kept, a bias of a few percent at scale 0.02 that falls under
        # 1% from 0.1 (docs/ODD.md 7.11); bounded here, not hidden
        bias = 0.06 if column == "pv_to_households_yuan" else 2e-3
        tolerance = 4 * se + bias * abs(large[column].mean())
        assert abs(small[column].mean() - large[column].mean()) < tolerance, column


def test_sampled_runs_agree_with_larger_runs_on_rates():
    """Weights restore full-population values: scale 0.02 and 0.2 agree within noise."""
    _assert_agree(_rates(0.02, 6), _rates(0.2, 3))


@pytest.mark.slow
def test_scale_point_one_agrees_with_full_scale():
    _assert_agree(_rates(0.1, 6), _rates(1.0, 3))


def test_policy_free_parameters_keep_common_random_numbers():
    """Same seed, different wage level: shocks (illness, disasters) are drawn identically.

    Monitoring, dibao and extreme-poverty support are off in both arms: they legitimately link jobs and
    medical assistance to incomes.
    """
    off = {"monitoring.enabled": False, "dibao.enabled": False, "tekun.enabled": False}
    a = RuralModel(seed=5, scale=0.02, years=1, **off)
    b = RuralModel(seed=5, scale=0.02, years=1, **off, **{"income.migrant_wage_monthly_2020_yuan": 4000.0})
    a.run(), b.run()
    assert np.array_equal(a.households.expense_12m_yuan, b.households.expense_12m_yuan)
    assert np.array_equal(a.labourers.state, b.labourers.state)
    assert not np.array_equal(a.households.income_12m_yuan, b.households.income_12m_yuan)


def test_employment_states_stay_valid():
    m = RuralModel(seed=2, scale=0.02, years=3).run()
    lab, hh = m.labourers, m.households
    assert set(np.unique(lab.state)) <= set(employment_names())
    active = np.bincount(lab.household[lab.state != Employment.INACTIVE], minlength=len(hh))
    assert np.array_equal(active, hh.n_labourers)
    assert np.all(hh.size >= 1)
    assert np.all(hh.n_labourers + hh.n_elderly <= hh.size)


def test_model_stops_at_the_horizon():
    m = RuralModel(seed=1, scale=0.01, years=1)
    for _ in range(15):
        m.step()
    assert not m.running
    assert m.month_index == 12
    assert len(m.indicators()["month"].unique()) == 12


def test_batch_run_end_to_end():
    results = mesa.batch_run(RuralModel, parameters={"scale": 0.01, "years": 1, "seed": [1, 2]},
                             iterations=1, max_steps=12, number_processes=1, display_progress=False)
    frame = pd.DataFrame(results)
    assert set(frame["seed"]) == {1, 2}
    assert frame["Step"].max() == 11
    assert frame["persons_below_poverty_line"].gt(0).all()


def test_batch_run_without_seed_draws_one():
    m = RuralModel(scale=0.01, years=1)
    assert isinstance(m.seed, int) and m.seed >= 0


def test_villages_are_mesa_agents_made_when_asked_for_without_changing_results():
    m = RuralModel(seed=1, scale=0.01, years=1)
    assert not m._agents  # none made yet
    assert len(m.agents) == len(m.villages) == 2672
    assert list(m.agents_by_type) == [type(m.agents[0])]
    lazy, eager = RuralModel(seed=4, scale=0.005, years=1), RuralModel(seed=4, scale=0.005, years=1)
    assert len(eager.agents) == 2672
    assert np.array_equal(lazy.run().recorder.values, eager.run().recorder.values, equal_nan=True)
    village = m.agents[0]
    assert village.county_class in {"demonstration", "steady", "key"}
    assert village.disaster_months_left == 0


def test_shared_household_arrays_are_allocated_as_declared_and_shown_per_household():
    from sim.core.households import SHARED_STATES

    m = RuralModel(seed=2, scale=0.02, years=1).run()
    hh = m.households
    for state in SHARED_STATES:
        array = getattr(hh, state.name)
        assert array.dtype == np.dtype(state.dtype) and array.shape == (len(hh),), state.name
        assert state.written_by and state.read_by, f"{state.name}: who writes it and who reads it"
    i = int(np.flatnonzero(hh.monitoring_category > 0)[0])  # a monitored household: values that are not all zero
    shown = m.household(i)
    assert shown["monitoring_category"] > 0
    assert {s.name: shown[s.name] for s in SHARED_STATES} == {s.name: getattr(hh, s.name)[i].item()
                                                              for s in SHARED_STATES}
