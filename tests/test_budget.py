"""The [budget] section: validation, no effect on the dynamics, and the report's sums against the cost indicators."""

import numpy as np
import pytest

import sim
from sim.core import budget
from sim.ui.cli import main
from sim.core.errors import InputError
from sim.experiments.results import annual
from sim.core.scenario import load_scenario, validate

TINY = {"scale": 0.01, "years": 2, "replicates": 2}


def test_default_budget_has_no_envelope():
    b = validate({}, "s.toml").budget
    assert b.county_yuan_per_year is None and b.city_yuan_per_year is None
    assert not budget.has_envelope(b)


@pytest.mark.parametrize("section, expected", [
    ({"county_yuan_per_year": -1.0}, r"s\.toml: key 'budget\.county_yuan_per_year': .*greater than or equal to 0"),
    ({"cuonty_yuan_per_year": 1.0}, r"s\.toml: key 'budget\.cuonty_yuan_per_year': unknown key; allowed keys: "
                                    r"county_yuan_per_year, city_yuan_per_year"),
    ({"county_levers": ["workshops", "roads"]}, r"key 'budget\.county_levers': unknown lever 'roads'; allowed: "),
    ({"city_levers": ["workshops"]}, r"lever 'workshops' is in both county_levers and city_levers"),
    ({"city_yuan_per_year": "lots"}, r"key 'budget\.city_yuan_per_year'"),
])
def test_bad_budget_names_file_key_and_what_is_allowed(section, expected):
    with pytest.raises(InputError, match=expected) as err:
        validate({"budget": section}, "s.toml")
    assert "\n" not in str(err.value)


def test_a_scenario_file_with_a_negative_envelope_exits_2_in_one_line(tmp_path, capsys):
    path = tmp_path / "b.toml"
    path.write_text("[budget]\ncounty_yuan_per_year = -5.0\n", encoding="utf-8")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and str(path) in err and "budget.county_yuan_per_year" in err


def test_a_budget_changes_nothing_in_the_dynamics():
    plain = sim.run(**TINY)
    budgeted = sim.run(**TINY, overrides={"budget.county_yuan_per_year": 1.0, "budget.city_yuan_per_year": 2e9})
    assert plain.indicators["value"].equals(budgeted.indicators["value"])


def test_report_sums_are_the_cost_indicators_by_level():
    result = sim.run(**TINY, overrides={"budget.county_yuan_per_year": 5.0e7})
    table = budget.report(result)
    yearly = annual(result.indicators)
    yearly = yearly[(yearly["group"] == "all") & yearly["indicator"].str.startswith("cost_")]
    b = result.scenario.budget
    levels = budget.lever_levels(b)
    for level in ("county", "city", "outside"):
        names = [f"cost_{lever}_yuan" for lever, lv in levels.items() if lv == level]
        expected = yearly[yearly["indicator"].isin(names)].groupby(["year", "replicate"])["value"].sum() \
            .groupby("year").mean()
        got = table[table["level"] == level].set_index("year")["spent_yuan"]
        np.testing.assert_allclose(got.loc[expected.index].to_numpy(), expected.to_numpy(), rtol=1e-12)
    total = yearly.groupby(["year", "replicate"])["value"].sum().groupby("year").mean()
    np.testing.assert_allclose(table.groupby("year")["spent_yuan"].sum().loc[total.index], total, rtol=1e-12)
    county = table[table["level"] == "county"]
    assert (county["envelope_yuan"] == 5.0e7).all()
    assert list(county["within"]) == [bool(s <= 5.0e7) for s in county["spent_yuan"]]
    assert table.loc[table["level"] == "city", "within"].isna().all()  # no city envelope: no verdict


def test_summary_lines_only_with_an_envelope_and_say_over(small_run):
    assert budget.summary_lines(small_run) == []
    lines = budget.summary_lines(small_run, budget=validate({"budget": {"county_yuan_per_year": 1.0}}).budget)
    assert len(lines) == 1 and "county" in lines[0] and "OVER it in 2 of 2 years" in lines[0]


def test_run_prints_the_budget_line(tmp_path, capsys):
    code = main(["run", "--scale", "0.01", "--years", "1", "--quiet", "--out", str(tmp_path / "o"),
                 "--set", "budget.county_yuan_per_year=1e12"])
    assert code == 0
    out = capsys.readouterr().out
    assert "budget (baseline): county levers" in out and "within it every year" in out


def test_shipped_scenarios_still_load_with_the_budget_section():
    assert load_scenario(None).budget.county_levers == ["workshops", "training", "monitoring", "relocation"]
