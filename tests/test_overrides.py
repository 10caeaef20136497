"""Overrides everywhere: `run(..., overrides=)`, `compare(..., overrides=)`, `--set KEY=VALUE`, and scenarios built
in Python (`Scenario(...)`, `scenario_from_dict`) inheriting the calibrated values exactly as a file does."""

import json
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.core.calibrated import calibrated_values
from sim.ui.cli import main
from sim.experiments.compare import compare
from sim.core.errors import InputError
from sim.core.scenario import load_scenario, parse_setting, with_overrides

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.toml"
TINY = dict(replicates=1, scale=0.01, years=1, seed=7)


def _values(result) -> np.ndarray:
    return result.indicators["value"].to_numpy()


def test_run_takes_overrides_and_they_change_the_lever():
    base = sim.run(None, **TINY)
    more = sim.run(None, overrides={"pv.household_share_of_village_funds": 0.8}, **TINY)
    assert more.scenario.pv.household_share_of_village_funds == 0.8
    assert more.manifest["overrides"] == {"pv.household_share_of_village_funds": 0.8}

    def paid(r):
        d = r.indicators
        return d[(d.indicator == "pv_to_households_yuan") & (d.group == "all")]["value"].sum()

    assert paid(more) > paid(base) * 1.2


def test_a_scenario_built_in_python_inherits_the_calibrated_values_like_the_file():
    sections, _ = calibrated_values()
    if not sections:
        pytest.skip("no calibrated values shipped")
    from_file, built, from_dict = load_scenario(BASELINE), sim.Scenario(), sim.scenario_from_dict({})
    for section, values in sections.items():
        for key, value in values.items():
            assert getattr(getattr(built, section), key) == value, (section, key)
            assert getattr(getattr(from_dict, section), key) == value, (section, key)
    skip = {"description"}
    assert {k: v for k, v in built.model_dump().items() if k not in skip} == \
        {k: v for k, v in from_file.model_dump().items() if k not in skip}
    # a section given as an object keeps what it was given, the rest is calibrated
    partial = sim.Scenario(pv={"post_wage_yuan_per_month": 700.0})
    assert partial.pv.post_wage_yuan_per_month == 700.0
    assert partial.pv.household_share_of_village_funds == sections["pv"]["household_share_of_village_funds"]


def test_scenario_and_the_shipped_baseline_file_give_identical_results():
    a, b = sim.run(sim.Scenario(), **TINY), sim.run(BASELINE, **TINY)
    assert np.array_equal(_values(a), _values(b), equal_nan=True)


def test_numpy_scalars_are_accepted_everywhere():
    s = sim.Scenario(run={"years": np.int64(2), "scale": np.float32(0.5)},
                     workshops={"jobs_per_workshop": np.int32(20), "enabled": np.bool_(True)})
    assert s.run.years == 2 and s.workshops.jobs_per_workshop == 20 and s.run.scale == 0.5
    o = with_overrides(s, {"run.replicates": np.int64(3), "pv.settlement_months": np.int16(4)})
    assert o.run.replicates == 3 and o.pv.settlement_months == 4
    assert sim.scenario_from_dict({"training": {"places_per_100k_rural_persons_per_year": np.float64(900)}}) \
        .training.places_per_100k_rural_persons_per_year == 900.0


def test_bad_overrides_are_one_line_errors():
    with pytest.raises(InputError, match=r"^overrides: key 'pv.no_such_thing': unknown key; allowed keys: "):
        sim.run(None, overrides={"pv.no_such_thing": 1}, **TINY)
    with pytest.raises(InputError, match=r"key 'nosection.x': unknown section 'nosection'"):
        sim.run(None, overrides={"nosection.x": 1}, **TINY)
    with pytest.raises(InputError, match=r"key 'pv.household_share_of_village_funds': .*allowed: float in \[0.0, 1.0\]"):
        sim.run(None, overrides={"pv.household_share_of_village_funds": 3.0}, **TINY)


def test_setting_a_scheduled_parameter_replaces_its_schedule():
    halved = load_scenario(ROOT / "scenarios" / "workshops_subsidy_halved_2026.toml")
    flat = with_overrides(halved, {"workshops.subsidy_per_worker_year_yuan": 900.0})
    assert flat.workshops.subsidy_per_worker_year_yuan == 900.0 and flat.workshops.schedule == []
    dated = with_overrides(halved, {"workshops.subsidy_per_worker_year_yuan": {"2021-01": 1500.0, "2028-01": 0.0}})
    assert [e["from"] for e in dated.workshops.schedule] == ["2021-01", "2028-01"]


@pytest.mark.parametrize("text, expected", [
    ("workshops.subsidy_per_worker_year_yuan=750", ("workshops.subsidy_per_worker_year_yuan", 750)),
    ("pv.after_transition=end", ("pv.after_transition", "end")),
    ('pv.after_transition="taper"', ("pv.after_transition", "taper")),
    ("transition.fixed_end_month=2025-12", ("transition.fixed_end_month", "2025-12")),
    ("workshops.enabled=false", ("workshops.enabled", False)),
    ("workshops.subsidy_per_worker_year_yuan={2021-01=1500, 2026-01=750}",
     ("workshops.subsidy_per_worker_year_yuan", {"2021-01": 1500, "2026-01": 750})),
])
def test_set_values_read_as_toml_or_text(text, expected):
    assert parse_setting(text) == expected


def test_run_on_the_command_line_with_set(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["run", "--set", "workshops.subsidy_per_worker_year_yuan=750", "--set", "pv.after_transition=end",
                 "--scale", "0.01", "--years", "1", "--out", str(out), "--quiet"])
    assert code == 0, capsys.readouterr().err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["scenario"]["workshops"]["subsidy_per_worker_year_yuan"] == 750
    assert manifest["scenario"]["pv"]["after_transition"] == "end"
    assert manifest["overrides"] == {"workshops.subsidy_per_worker_year_yuan": 750, "pv.after_transition": "end"}


@pytest.mark.parametrize("setting, expected", [
    ("workshops.subsidy_per_worker_year_yuan", "expected KEY=VALUE"),
    ("workshops.subsidy=750", "key 'workshops.subsidy': unknown key"),
    ("workshops.subsidy_per_worker_year_yuan=-5", "allowed: float in [0.0, 50000.0]"),
    ("workshops.subsidy_per_worker_year_yuan={2021-01=1500, 2035-01=750}", "outside the horizon"),
])
def test_bad_set_exits_2_with_one_line(setting, expected, tmp_path, capsys):
    code = main(["run", "--set", setting, "--scale", "0.01", "--years", "1", "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and expected in err and err.startswith("error: --set")
    assert not (tmp_path / "o").exists()


def test_compare_applies_overrides_to_every_scenario():
    comparison = compare(BASELINE, [ROOT / "scenarios" / "workshops_double.toml"], replicates=2, scale=0.01, years=1,
                         seed=3, overrides={"pv.post_wage_yuan_per_month": 700.0})
    assert comparison.base.scenario.pv.post_wage_yuan_per_month == 700.0
    assert comparison.alternatives[0].scenario.pv.post_wage_yuan_per_month == 700.0
    assert comparison.alternatives[0].scenario.workshops.sites_multiplier == 2.0
