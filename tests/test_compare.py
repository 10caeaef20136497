import numpy as np
import pandas as pd
import pytest

from sim.ui.cli import main
from pathlib import Path

from sim.experiments.compare import compare, horizon_values

BASE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.toml"

NO_MONITORING = """[monitoring]
enabled = false
[dibao]
enabled = false
[tekun]
enabled = false
"""  # both sides without monitoring and the means tests it refers to

BASE_NO_MONITORING = """
name = "base_no_monitoring"
""" + NO_MONITORING

ALT = """
name = "cheaper_illness"
question = "What if serious illness cost a third as much?"
[[expect]]
indicator = "persons_below_poverty_line"
direction = "decrease"
[[expect]]
indicator = "income_per_capita_mean_yuan"
direction = "increase"
[shocks]
illness_cost_mean_yuan = 5000.0
""" + NO_MONITORING


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    folder = tmp_path_factory.mktemp("s")
    (folder / "base.toml").write_text(BASE_NO_MONITORING)
    (folder / "alt.toml").write_text(ALT)
    # monitoring, dibao and extreme-poverty support are off in both: they link jobs, payments and medical
    # assistance to incomes, which illness costs change
    return compare(folder / "base.toml", [folder / "alt.toml"], replicates=3, scale=0.02, years=2, seed=4)


def test_common_random_numbers_make_unaffected_indicators_identical(comparison):
    h = comparison.horizon().set_index("indicator")
    # illness costs are rigid expenditure: disposable income, jobs and people are untouched
    for name in ("income_per_capita_mean_yuan", "labourers_employed", "persons", "gini"):
        assert h.loc[name, "diff"] == 0.0
        assert h.loc[name, "diff_low"] == 0.0 and h.loc[name, "diff_high"] == 0.0


def test_paired_difference_and_interval(comparison):
    h = comparison.horizon().set_index("indicator")
    row = h.loc["persons_below_poverty_line"]
    assert row["diff"] < 0 and row["diff_high"] < 0
    assert row["diff"] == pytest.approx(row["alternative"] - row["base"])
    assert row["replicates"] == 3


def test_expectations_are_checked(comparison):
    e = comparison.expectations.set_index("indicator")
    assert bool(e.loc["persons_below_poverty_line", "interval_excludes_zero"])
    assert not bool(e.loc["income_per_capita_mean_yuan", "sign_matches"])  # zero difference is not an increase


def test_yearly_periods_are_reported(comparison):
    periods = set(comparison.table["period"])
    assert {"horizon", "2021", "2022"} <= periods


def test_horizon_values_sum_flows_and_average_stocks():
    months = pd.date_range("2021-01-01", periods=3, freq="MS")
    df = pd.DataFrame({"scenario": "s", "replicate": 0, "month": np.repeat(months, 2),
                       "indicator": ["returns_to_poverty_households", "persons"] * 3, "group": "all",
                       "value": [1.0, 10.0, 2.0, 20.0, 3.0, 30.0]})
    h = horizon_values(df).set_index("indicator")["value"]
    assert h["returns_to_poverty_households"] == 6.0 and h["persons"] == 20.0


def test_compare_cli_end_to_end(tmp_path, capsys):
    alt = tmp_path / "alt.toml"
    alt.write_text(ALT)
    out = tmp_path / "cmp"
    code = main(["compare", str(BASE), str(alt), "--replicates", "2", "--scale", "0.01",
                 "--years", "1", "--out", str(out)])
    stdout, err = capsys.readouterr()
    assert code == 0, err
    assert {p.name for p in out.iterdir()} == {"comparison.parquet", "expectations.csv", "costs.csv",
                                               "comparison.png", "differences_over_time.png", "scenarios.png",
                                               "manifest.json", ".ruralsim-output"}
    table = pd.read_parquet(out / "comparison.parquet")
    assert {"scenario", "indicator", "group", "period", "base", "alternative", "diff", "diff_low",
            "diff_high"} <= set(table.columns)
    assert "expected to decrease:" in stdout


def test_compare_rejects_a_bad_alternative_before_running(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[shocks]\nillness_cost_mean_yuan = -5")
    code = main(["compare", str(BASE), str(bad), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "shocks.illness_cost_mean_yuan" in err
    assert not (tmp_path / "o").exists()


def test_compare_needs_distinct_names(tmp_path, capsys):
    code = main(["compare", str(BASE), str(BASE), "--out", str(tmp_path / "o")])
    assert code == 2 and "names must differ" in capsys.readouterr().err


# --- honest compare (issue 14) ----------------------------------------------------------------------
def test_one_replicate_is_refused_with_the_reason(tmp_path, capsys):
    alt = tmp_path / "alt.toml"
    alt.write_text(ALT)
    code = main(["compare", str(BASE), str(alt), "--replicates", "1", "--scale", "0.01", "--years", "1",
                 "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "at least 2" in err and "interval" in err and err.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_an_alternative_with_other_run_settings_is_named_in_a_warning(tmp_path, capsys):
    alt = tmp_path / "alt.toml"
    alt.write_text(ALT + '[run]\nyears = 5\nregion = "rucheng"\nseed = 3\n')
    code = main(["compare", str(BASE), str(alt), "--replicates", "2", "--scale", "0.01", "--years", "1",
                 "--quiet", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 0
    warning = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warning) == 1 and str(alt) in warning[0]
    assert "years = 5" in warning[0] and "region = 'rucheng'" in warning[0] and "seed" not in warning[0]


@pytest.mark.parametrize("d_cost, d_returns, low, high, words, priced", [
    (-5.0, -2.0, -3.0, -1.0, "saves money and avoids returns", False),
    (5.0, -2.0, -3.0, -1.0, "yuan per return to poverty avoided", True),
    (-5.0, 2.0, 1.0, 3.0, "yuan saved per additional return", True),
    (5.0, 2.0, 1.0, 3.0, "costs more and adds returns", False),
    (5.0, -2.0, -3.0, 1.0, "within replicate noise", False),
])
def test_cost_readings_are_plain_words(d_cost, d_returns, low, high, words, priced):
    from sim.experiments.compare import cost_reading

    reading, has_price = cost_reading(d_cost, d_returns, low, high)
    assert words in reading and has_price == priced


def test_costs_have_intervals_and_a_breakdown_per_lever(comparison):
    from sim.experiments.compare import cost_summary

    costs = comparison.costs
    levers = costs[costs["item"].str.startswith("cost_") & (costs["item"] != "cost_total_yuan")]
    assert len(levers) >= 5 and set(levers["unit"]) == {"yuan"}
    total = costs[costs["item"] == "cost_total_yuan"].iloc[0]
    assert total["change"] == pytest.approx(levers["change"].sum())
    assert total["change_low"] <= total["change"] <= total["change_high"]
    summary = cost_summary(costs).iloc[0]
    assert summary["reading"]
    if summary["yuan_per_return"] == summary["yuan_per_return"]:
        assert summary["yuan_per_return"] > 0
        assert summary["yuan_per_return_low"] <= summary["yuan_per_return"] <= summary["yuan_per_return_high"]


def test_the_table_reads_in_the_planners_order_with_units_and_kinds(comparison):
    from sim.ui.cli import format_comparison

    text = format_comparison(comparison)
    assert "replicate noise" in text and "--scale 1" in text
    assert "-0.000" not in text and " -0 " not in text
    body = text.split("cheaper_illness", 1)[1]
    sections = [body.index(f"-- {s}") for s in ("stated expectations", "fiscal costs", "key outcomes",
                                                "other indicators")]
    assert sections == sorted(sections)
    line = next(l for l in body.splitlines() if l.strip().startswith("returns_to_poverty_households"))
    assert "households" in line and "flow" in line
    assert body.count(" persons_below_poverty_line ") == 1  # each indicator once


def test_compare_refuses_a_scale_below_the_floor(tmp_path, capsys):
    code = main(["compare", str(BASE), str(BASE), "--scale", "0.001", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert code == 2 and "smallest allowed scale" in err and err.count("\n") == 1
