import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim.ui.cli import main

ROOT = Path(__file__).resolve().parent.parent
FAST = ["--scale", "0.01", "--years", "1"]


def run_cli(args, capsys):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_run_writes_the_output_contract(tmp_path, capsys):
    out = tmp_path / "out"
    code, stdout, err = run_cli(["run", *FAST, "--replicates", "2", "--seed", "3", "--out", out], capsys)
    assert code == 0, err
    assert {p.name for p in out.iterdir()} == {
        "indicators.parquet", "annual.parquet", "manifest.json", "key_indicators.png", "by_county_class.png",
        "pv_flows.png", "income_by_source.png", ".ruralsim-output"}
    assert json.loads((out / ".ruralsim-output").read_text())["kind"] == "run"
    df = pd.read_parquet(out / "indicators.parquet")
    assert list(df.columns) == ["scenario", "replicate", "seed", "month", "indicator", "group", "value"]
    assert set(df["replicate"]) == {0, 1}
    manifest = json.loads((out / "manifest.json").read_text())
    for key in ("scenario", "seeds", "versions", "git_commit", "start_month", "end_month", "wall_seconds"):
        assert key in manifest
    assert manifest["scenario"]["run"]["scale"] == 0.01
    assert manifest["seeds"]["root"] == 3
    assert {"python", "numpy", "mesa"} <= set(manifest["versions"])
    assert (manifest["start_month"], manifest["end_month"]) == ("2021-01", "2021-12")
    assert "persons_below_poverty_line" in stdout
    assert not list(tmp_path.glob(".out.*")), "no staging directory left behind"


def test_run_replaces_an_earlier_output(tmp_path, capsys):
    out = tmp_path / "out"
    assert run_cli(["run", *FAST, "--quiet", "--out", out], capsys)[0] == 0
    assert run_cli(["run", *FAST, "--quiet", "--seed", "9", "--out", out], capsys)[0] == 0
    assert json.loads((out / "manifest.json").read_text())["seeds"]["root"] == 9


def test_check_validates_only(capsys):
    code, out, _ = run_cli(["check", ROOT / "scenarios" / "baseline.toml"], capsys)
    assert code == 0 and "ok" in out


BAD_TOML = {
    "broken": ("[run\nyears = 2", "not valid TOML"),
    "unknown_key": ("[run]\nyearz = 2", "key 'run.yearz': unknown key"),
    "unknown_section": ("[nonsense]\na = 1", "key 'nonsense': unknown key"),
    "wrong_type": ('[run]\nscale = "half"', "key 'run.scale'"),
    "out_of_range": ("[run]\nscale = 1.5", "allowed: float in (0.0, 1.0]"),
    "unknown_region": ('[run]\nregion = "beijing"', "allowed: xinzhou, shanxi, rucheng"),
    "bad_month": ('[run]\nstart_month = "2021/01"', "key 'run.start_month'"),
}


@pytest.mark.parametrize("case", sorted(BAD_TOML))
def test_bad_scenarios_exit_2_with_one_line(case, tmp_path, capsys):
    text, expected = BAD_TOML[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text)
    out = tmp_path / "out"
    for command in (["check", path], ["run", path, "--out", out]):
        code, _, err = run_cli(command, capsys)
        assert code == 2
        assert expected in err
        assert str(path) in err
        assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists(), "no output directory for bad input"


@pytest.mark.parametrize("options, expected", [
    (["--scale", "abc"], "invalid float value"),
    (["--scale", "2"], "run.scale"),
    (["--scale", "0"], "run.scale"),
    (["--replicates", "0"], "run.replicates"),
    (["--years", "99"], "run.years"),
    (["--seed", "-1"], "run.seed"),
    (["--region", "mars"], "allowed: xinzhou"),
    (["--colour", "red"], "unrecognized arguments"),
])
def test_bad_options_exit_2_with_one_line(options, expected, tmp_path, capsys):
    out = tmp_path / "out"
    code, _, err = run_cli(["run", *options, "--out", out], capsys)
    assert code == 2
    assert expected in err
    assert err.count("\n") == 1
    assert not out.exists()


def test_missing_scenario_file(tmp_path, capsys):
    code, _, err = run_cli(["run", tmp_path / "missing.toml"], capsys)
    assert code == 2 and "file not found" in err


def test_out_must_not_clobber_other_files(tmp_path, capsys):
    (tmp_path / "mine.txt").write_text("keep me")
    code, _, err = run_cli(["run", *FAST, "--out", tmp_path], capsys)
    assert code == 2 and "not a ruralsim output" in err
    assert (tmp_path / "mine.txt").read_text() == "keep me"


def test_failure_midway_leaves_no_output(tmp_path, capsys, monkeypatch):
    from sim.ui import outputs

    def explode(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(outputs, "write_run", explode)
    out = tmp_path / "out"
    code, _, err = run_cli(["run", *FAST, "--out", out], capsys)
    assert code == 1 and "internal error" in err and "disk on fire" in err
    assert not out.exists()
    assert not list(tmp_path.iterdir())


def test_console_script_and_module_entry_points(tmp_path):
    for cmd in ([sys.executable, "-m", "sim"], [str(Path(sys.executable).parent / "ruralsim")]):
        done = subprocess.run([*cmd, "check", str(ROOT / "scenarios" / "baseline.toml")], capture_output=True,
                              text=True, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        bad = subprocess.run([*cmd, "check", "nope.toml"], capture_output=True, text=True, cwd=tmp_path)
        assert bad.returncode == 2 and bad.stderr.strip() == "error: nope.toml: file not found"


# --- scale floor (issue 14) -------------------------------------------------------------------------
@pytest.mark.parametrize("region", ["xinzhou", "shanxi", "rucheng"])
def test_a_scale_below_the_floor_exits_2_naming_the_smallest_allowed(region, capsys):
    from sim.core.regions import min_scale
    from sim.core.scenario import default_scenario

    floor = min_scale(region, default_scenario().population.mean_household_size)
    assert 0 < floor < 0.02
    for scale in ("1e-9", f"{floor * 0.9:g}"):
        code, _, err = run_cli(["run", "--region", region, "--scale", scale, "--years", "1", "--quiet"], capsys)
        assert code == 2 and f"{floor:g}" in err and region in err and err.count("\n") == 1


@pytest.mark.parametrize("region", ["xinzhou", "rucheng"])
def test_at_the_floor_every_county_has_households_and_villages_two_on_average(region):
    import numpy as np

    from sim.core.population import build
    from sim.core.regions import get_region, min_scale
    from sim.core.scenario import default_scenario

    scenario = default_scenario()
    profile = get_region(region)
    floor = min_scale(profile, scenario.population.mean_household_size)
    pop = build(profile, scenario, scale=floor, rng=np.random.default_rng(1))
    county = np.asarray(pop.households.county)
    assert set(np.unique(county)) == set(range(profile.n_counties))
    assert len(county) >= 2 * profile.villages.value * 0.98


def test_check_lists_parameters_that_differ_from_the_calibrated_baseline(tmp_path, capsys):
    path = tmp_path / "s.toml"
    path.write_text("[shocks]\nillness_cost_mean_yuan = 5000.0\n[run]\nyears = 3\n")
    code, out, _ = run_cli(["check", path], capsys)
    assert code == 0
    assert "shocks.illness_cost_mean_yuan" in out and "5000.0" in out and "run.years" in out
    assert "(2):" in out and len([l for l in out.splitlines() if l.startswith("  ")]) == 2  # nothing else
    code, out, _ = run_cli(["check", ROOT / "scenarios" / "baseline.toml"], capsys)
    assert code == 0 and "no parameter differs" in out
