"""calibration/targets.toml: every seed statistic classified, targets well formed, statistics read right."""

import numpy as np
import pytest

from sim.core import seeds
from sim.core.errors import InputError
from sim.experiments.targets import TARGETS_FILE, load_targets, parse_targets, read_statistic, unclassified_statistics

REQUIRED_TARGETS = {
    "xinzhou_pv_revenue_2024": 591e6,
    "xinzhou_pv_to_villages_2024": 466e6,
    "xinzhou_pv_to_households_2024": 249e6,
    "xinzhou_new_monitored_households_2024": 3741,
    "xinzhou_new_monitored_persons_2024": 9047,
    "xinzhou_lifted_out_labourers_employed_2024": 181_100,
    "shanxi_poor_area_income_share_of_province_2020": 0.745,
    "rucheng_villages_collective_income_over_50k_2021": 131 / 217,
    "shanxi_lifted_out_in_work_2021": 931_800,
    "shanxi_lifted_out_labour_employed_2022": 918_000,
}


@pytest.fixture(scope="module")
def spec():
    return load_targets()


def test_the_issues_targets_are_there_with_the_seed_values(spec):
    observed = {t.id: t.observed for t in spec.targets}
    for stat_id, value in REQUIRED_TARGETS.items():
        assert observed[stat_id] == pytest.approx(value), stat_id


def test_every_seed_statistic_is_a_target_an_input_or_outside(spec):
    assert unclassified_statistics(spec) == []
    stats = seeds.statistics()
    ids = [t.id for t in spec.targets if t.id in stats] + [o.id for o in spec.other]
    assert len(ids) == len(set(ids)) == len(stats)
    # the other targets are public figures with their sources (seeds/public.toml)
    public = seeds.public_figures()
    assert all(t.id in public for t in spec.targets if t.id not in stats)


def test_shipped_targets_read_the_seeds_and_carry_reasons(spec):
    for t in spec.targets:
        assert t.value is None, f"{t.id}: a shipped target must read its value from the seeds or public figures"
        assert len(t.why) > 30
        assert t.sigma <= t.tolerance * 3
    for o in spec.other:
        assert (o.used_by if o.role == "input" else o.why)


def test_tolerances_are_the_issues(spec):
    for t in spec.targets:
        if t.indicator == "poverty_county_income_ratio":
            assert (t.tolerance_kind, t.tolerance) == ("absolute", 0.02)
        elif t.indicator == "villages_collective_income_over_50k_share":
            assert (t.tolerance_kind, t.tolerance) == ("absolute", 0.05)
        else:
            assert (t.tolerance_kind, t.tolerance) == ("relative", 0.05)


def test_every_parameter_is_informed_by_a_target_and_has_a_documented_prior(spec):
    for p in spec.parameters:
        assert p.informed_by, p.name
        assert len(p.why) > 30
        lo, hi = p.fit_bounds
        assert lo < p.to_fit(p.prior_centre) < hi


def test_months_read_by_each_aggregate(spec):
    by_id = {t.id: t for t in spec.targets}
    assert by_id["xinzhou_pv_revenue_2024"].months("2021-01") == (36, 48)  # a year's flow: 12 months
    assert by_id["xinzhou_lifted_out_labourers_employed_2024"].months("2021-01") == (47, 48)  # December
    assert by_id["shanxi_lifted_out_in_work_2021"].months("2020-01") == (14, 15)  # March 2021
    assert by_id["shanxi_poor_area_income_share_of_province_2020"].months("2020-01") == (11, 12)


def test_errors_and_tolerance(spec):
    by_id = {t.id: t for t in spec.targets}
    revenue = by_id["xinzhou_pv_revenue_2024"]
    assert revenue.error(591e6 * 1.04) == pytest.approx(0.04)
    assert revenue.within(591e6 * 1.049) and not revenue.within(591e6 * 0.94)
    ratio = by_id["shanxi_poor_area_income_share_of_province_2020"]
    assert ratio.error(0.76) == pytest.approx(0.015)
    assert ratio.within(0.76) and not ratio.within(0.77)
    assert ratio.sigma_abs == ratio.sigma
    assert revenue.sigma_abs == pytest.approx(revenue.sigma * 591e6)


def _with(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize("old, new, message", [
    ('indicator = "pv_revenue_yuan"', 'indicator = "pv_revenu"', "unknown indicator"),
    ('id = "xinzhou_pv_revenue_2024"', 'id = "xinzhou_pv_revenue_2042"', "neither a seed statistic"),
    ('indicator = "newly_identified_households"\ngroup = "all"\nperiod = "2024"\naggregate = "sum"',
     'indicator = "monitored_households"\ngroup = "all"\nperiod = "2024"\naggregate = "sum"', "'sum' is for flows"),
    ('period = "2021-03"', 'period = "2021"', "goes with aggregate"),
    ('period = "2022-06"', 'period = "2029-06"', "outside run"),
    ('run = "rucheng"', 'run = "hunan"', "unknown run"),
    ('prior = "loguniform"\nlow = 103.7', 'prior = "loguniform"\nlow = 2000.0', "must be below high"),
    ('name = "labour.lifted_out_finding_factor"', 'name = "labour.lifted_out_finder"', "not a scenario parameter"),
    ('id = "xinzhou_county_mediation_centres"', 'id = "xinzhou_pv_revenue_2024"', "listed twice"),
    ('tolerance = 0.02', 'tolerance = "two points"', "tolerance"),
])
def test_a_broken_targets_file_is_one_input_error(old, new, message):
    text = _with(TARGETS_FILE.read_text(encoding="utf-8"), old, new)
    with pytest.raises(InputError, match=message):
        parse_targets(text, "broken.toml")


def test_missing_or_invalid_file(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_targets(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[target]\n", encoding="utf-8")
    with pytest.raises(InputError, match="not valid TOML"):
        load_targets(bad)


def test_read_statistic_agrees_with_the_annual_table():
    """A flow target sums the year's months, a stock target takes December, as `annual` does."""
    from sim.core.model import RuralModel
    from sim.experiments.results import annual
    from sim.core.scenario import default_scenario, with_overrides

    spec = load_targets()
    scenario = with_overrides(default_scenario(), {"run.years": 2, "run.scale": 0.005})
    model = RuralModel(scenario=scenario, seed=3)
    model.run()
    yearly = annual(model.indicators())
    for t in spec.targets:
        if t.run != "xinzhou":
            continue
        t2 = t.model_copy(update={"period": "2022"})
        if t2.aggregate == "month":
            continue
        expected = yearly[(yearly["year"] == 2022) & (yearly["indicator"] == t2.indicator)
                          & (yearly["group"] == t2.group)]["value"].iloc[0]
        assert read_statistic(model, t2) == pytest.approx(expected, rel=1e-9), t.id
    monthly = model.indicators()
    march = monthly[(monthly["month"] == "2021-03-01") & (monthly["indicator"] == "lifted_out_labourers_employed")
                    & (monthly["group"] == "all")]["value"].iloc[0]
    t = next(t for t in spec.targets if t.id == "shanxi_lifted_out_in_work_2021")
    assert read_statistic(model, t) == pytest.approx(march)
    assert np.isfinite(march)
