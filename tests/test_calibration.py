"""Calibration: calibrated defaults (overlay, switch, manifest), reproducible ABC-SMC, parameter recovery, CLI."""

import json
import os
import subprocess
import sys
import tomllib

import numpy as np
import pytest

from sim.experiments import calibration, calibration_fit
from sim.core.calibrated import CALIBRATED_FILE, ENV
from sim.core.errors import InputError
from sim.experiments.targets import TARGETS_FILE, TargetSpec, load_targets, schema_defaults, simulate

ROOT = TARGETS_FILE.parent.parent


# --- calibrated defaults ---------------------------------------------------------------------------
@pytest.fixture
def calibrated_file(tmp_path, monkeypatch):
    path = tmp_path / "calibrated.toml"
    path.write_text('[provenance]\nseed = 7\nbudget = 10\ngit_commit = "abc"\n\n'
                    '[pv]\ncapacity_kw_per_beneficiary_village = 444.0\n\n'
                    '[income]\npoverty_county_income_factor = 0.5\n', encoding="utf-8")
    monkeypatch.setenv(ENV, str(path))
    return path


def test_scenarios_inherit_calibrated_values_and_an_explicit_value_wins(calibrated_file, tmp_path):
    from sim.core.scenario import default_scenario, load_scenario

    base = default_scenario()
    assert base.pv.capacity_kw_per_beneficiary_village == 444.0
    assert base.income.poverty_county_income_factor == 0.5
    assert base.income.lifted_out_income_factor == 0.75  # not calibrated: schema default
    scenario = tmp_path / "s.toml"
    scenario.write_text('name = "s"\n[pv]\ncapacity_kw_per_beneficiary_village = 300.0\n', encoding="utf-8")
    s = load_scenario(scenario)
    assert s.pv.capacity_kw_per_beneficiary_village == 300.0  # the scenario's own value wins
    assert s.income.poverty_county_income_factor == 0.5  # the rest is calibrated


def test_the_overlay_switches_off(calibrated_file, monkeypatch):
    from sim.core.scenario import default_scenario, validate

    raw = validate({}, "t", calibrated=False)
    assert raw.pv.capacity_kw_per_beneficiary_village == 311.0
    monkeypatch.setenv(ENV, "0")
    assert default_scenario().pv.capacity_kw_per_beneficiary_village == 311.0
    assert calibration.calibration_record(raw) == {"applied": False, "reason": f"{ENV} switches it off"}


def test_manifest_records_calibrated_values_and_provenance(calibrated_file):
    from sim import run

    result = run(replicates=1, scale=0.002, years=1)
    record = result.manifest["calibration"]
    assert record["applied"] and record["provenance"]["seed"] == 7
    assert record["values"]["pv.capacity_kw_per_beneficiary_village"] == {
        "calibrated": 444.0, "used": 444.0, "overridden_by_scenario": False}


def test_a_broken_calibrated_file_is_an_input_error(tmp_path, monkeypatch):
    from sim.core.scenario import validate

    bad = tmp_path / "calibrated.toml"
    bad.write_text("[pv\n", encoding="utf-8")
    monkeypatch.setenv(ENV, str(bad))
    with pytest.raises(InputError, match="cannot read calibrated values"):
        validate({}, "t")
    bad.write_text("[pv]\ncapacity_kw_per_beneficiary_village = -5.0\n", encoding="utf-8")
    with pytest.raises(InputError, match="capacity_kw_per_beneficiary_village"):
        validate({}, "t")


@pytest.mark.skipif(not CALIBRATED_FILE.exists(), reason="no shipped calibration yet")
@pytest.mark.skipif(not CALIBRATED_FILE.exists(), reason="no calibration shipped yet: run `ruralsim calibrate`")
def test_shipped_calibration_comes_from_the_fit_of_the_current_targets():
    """calibrated.toml: provenance complete, written for this targets file, values = the report's medians."""
    import pandas as pd

    raw = tomllib.loads(CALIBRATED_FILE.read_text(encoding="utf-8"))
    prov = raw["provenance"]
    for key in ("date", "seed", "budget", "git_commit", "method", "targets_sha256", "evaluations"):
        assert key in prov, key
    spec = load_targets()
    assert prov["targets_sha256"] == spec.sha256, "targets.toml changed since the calibration: re-run it"
    report = pd.read_csv(CALIBRATED_FILE.parent / "report" / "parameters.csv").set_index("parameter")
    defaults = schema_defaults([k for p in spec.parameters for k in p.multiplies])
    for p in spec.parameters:
        chosen = prov["parameters"][p.name]
        assert chosen == pytest.approx(report.loc[p.name, "chosen"], rel=1e-3)
        assert p.low <= chosen <= p.high
        for key, value in p.overrides(chosen, defaults).items():
            entry = raw
            for part in key.split("."):  # section.parameter, or section.table.entry (per region)
                entry = entry[part]
            assert entry == pytest.approx(value, rel=1e-5)
    # checked again on seeds the choice never saw: the table behind the recorded distance is in the report
    from sim.experiments.targets import distance

    fresh = pd.read_csv(CALIBRATED_FILE.parent / "report" / "check_fresh_seeds.csv")
    assert prov["fresh_check"]["seed"] != prov["seed"] + 1
    assert prov["fresh_check"]["distance"] == pytest.approx(
        distance(spec, dict(zip(fresh["target"], fresh["simulated_mean"]))), rel=1e-3)
    assert prov["fresh_check"]["targets_met"] == f"{int(fresh['within_tolerance'].sum())} of {len(spec.targets)}"


def test_the_report_s_particles_give_its_posterior_again_and_the_starts_of_the_refinement():
    """`ruralsim calibrate --from-report` redoes the choice from the stored particles: the summary of those
    particles is the shipped report's, and the refinement may start from the emulator's best fit or the
    final generation's closest particles."""
    import pandas as pd

    from sim.experiments.calibration_summary import starting_points, summarise_samples

    report = CALIBRATED_FILE.parent / "report"
    spec = load_targets()
    samples = pd.read_parquet(report / "posterior_all_generations.parquet")
    summary = summarise_samples(spec, samples, pd.read_csv(report / "generations.csv"))
    shipped = pd.read_csv(report / "parameters.csv").set_index("parameter")
    for p in spec.parameters:
        row = summary["summary"].set_index("parameter").loc[p.name]
        assert row["posterior_median"] == pytest.approx(shipped.loc[p.name, "posterior_median"], rel=1e-4)
        assert row["contraction"] == pytest.approx(shipped.loc[p.name, "contraction"], rel=1e-3, abs=1e-4)
    starts = starting_points(spec, summary)
    assert [label.split()[0] for label, _ in starts] == ["emulator", "particle", "particle"]
    final = samples[samples["generation"] == samples["generation"].max()]
    closest = final.nsmallest(1, "distance").iloc[0]
    for p in spec.parameters:
        assert starts[1][1][p.name] == pytest.approx(closest[p.name], rel=1e-3)
        assert p.low <= starts[0][1][p.name] <= p.high


# --- the sampler and the fit ---------------------------------------------------------------------------
def _toy_fit(client=None, seed=7):
    import tempfile

    import pyabc

    def model(p):
        return {"y": p["a"] + np.random.normal(0, 0.3)}

    np.random.seed(1)
    sampler = calibration_fit._sampler_class()(seed, client=client)
    abc = pyabc.ABCSMC(model, pyabc.Distribution(a=pyabc.RV("uniform", 0, 5)),
                       lambda x, x0: abs(x["y"] - x0["y"]), population_size=10, sampler=sampler)
    abc.new("sqlite:///" + os.path.join(tempfile.mkdtemp(), "t.db"), {"y": 2.5})
    history = abc.run(max_nr_populations=2)
    frame, weights = history.get_distribution()
    return frame["a"].to_numpy(), np.asarray(weights)


def test_the_same_seed_gives_the_same_posterior_in_process_and_on_dask_workers():
    a, wa = _toy_fit()
    b, wb = _toy_fit()
    np.testing.assert_array_equal(a, b)
    c, _ = _toy_fit(seed=8)
    assert not np.array_equal(a, c)
    from sim.experiments.cluster import connect

    client, close, _ = connect(workers=1, dashboard=None)
    try:
        d, wd = _toy_fit(client)
    finally:
        close()
    np.testing.assert_array_equal(a, d)
    np.testing.assert_array_equal(wa, wd)


def _recovery_spec(truth: dict, parameters: list[dict], targets: list[dict], *, region: str, scale: float,
                   years: int, seed: int) -> TargetSpec:
    """A targets spec whose observations are the model's own output at `truth`."""
    from sim.experiments.targets import parameter_overrides

    spec = TargetSpec.model_validate({
        "runs": {"x": {"region": region, "years": years, "calibration_scale": scale, "check_scale": scale}},
        "target": [{**t, "run": "x", "group": "all", "value": 1.0, "why": "synthetic observation"} for t in targets],
        "parameter": [{**p, "why": "parameter-recovery test prior"} for p in parameters],
    })
    observed = simulate(spec, parameter_overrides(spec, truth), seed)
    return spec.model_copy(update={"target": [t.model_copy(update={"value": observed[t.id]}) for t in spec.target]})


def _recover(spec, truth, *, budget, population, generations, within=0.1):
    result = calibration.fit(spec, budget=budget, seed=11, population_size=population, max_generations=generations)
    summary = calibration.summarise(spec, result["history"])["summary"].set_index("parameter")
    for p in spec.parameters:
        post = summary.loc[p.name, "chosen"]
        err_post = abs(p.to_fit(post) - p.to_fit(truth[p.name]))
        err_prior = abs(p.to_fit(p.prior_centre) - p.to_fit(truth[p.name]))
        width = p.fit_bounds[1] - p.fit_bounds[0]
        assert err_post < 0.5 * err_prior, (p.name, post, truth[p.name])  # closer than the prior's centre
        assert err_post < within * width, (p.name, post, truth[p.name])  # and close in absolute terms
        assert summary.loc[p.name, "contraction"] > 0.5, p.name
    return summary


def test_parameter_recovery_from_synthetic_targets():
    """Two parameters recovered from the model's own output (Rucheng, 2021, a small sample): PV capacity
    from PV revenue, the median collective income from the share of villages above 50,000 yuan."""
    truth = {"pv.capacity_kw_per_beneficiary_village": 520.0, "income.village_collective_income_median_yuan": 60000.0}
    spec = _recovery_spec(
        truth,
        [{"name": "pv.capacity_kw_per_beneficiary_village", "prior": "loguniform", "low": 100.0, "high": 1000.0},
         {"name": "income.village_collective_income_median_yuan", "prior": "loguniform", "low": 5000.0,
          "high": 180000.0}],
        [{"id": "pv_revenue", "indicator": "pv_revenue_yuan", "period": "2021", "aggregate": "sum",
          "tolerance": 0.05, "tolerance_kind": "relative", "sigma": 0.02},
         {"id": "over_50k", "indicator": "villages_collective_income_over_50k_share", "period": "2021",
          "aggregate": "december", "tolerance": 0.05, "tolerance_kind": "absolute", "sigma": 0.03}],
        region="rucheng", scale=0.01, years=1, seed=5)
    # the model's village incomes are noisier since issue 13 (transitory farm income, social assistance):
    # a few more evaluations keep the posterior's contraction above 0.5
    _recover(spec, truth, budget=240, population=24, generations=5)


@pytest.mark.slow
def test_parameter_recovery_three_parameters_through_the_monitoring_and_labour_rules():
    truth = {"monitoring.detection_multiplier": 0.05, "labour.lifted_out_finding_factor": 1.1,
             "pv.household_share_of_village_funds": 0.45}
    spec = _recovery_spec(
        truth,
        [{"name": "monitoring.detection_multiplier", "prior": "loguniform", "low": 0.005, "high": 5.0,
          "multiplies": ["monitoring.self_declaration_monthly", "monitoring.cadre_visit_monthly",
                         "monitoring.data_screening_monthly"]},
         {"name": "labour.lifted_out_finding_factor", "prior": "uniform", "low": 0.2, "high": 1.4},
         {"name": "pv.household_share_of_village_funds", "prior": "uniform", "low": 0.3, "high": 0.7}],
        [{"id": "new", "indicator": "newly_identified_households", "period": "2022", "aggregate": "sum",
          "tolerance": 0.05, "tolerance_kind": "relative", "sigma": 0.05},
         {"id": "employed", "indicator": "lifted_out_labourers_employed", "period": "2022", "aggregate": "december",
          "tolerance": 0.05, "tolerance_kind": "relative", "sigma": 0.02},
         {"id": "to_households", "indicator": "pv_to_households_yuan", "period": "2022", "aggregate": "sum",
          "tolerance": 0.05, "tolerance_kind": "relative", "sigma": 0.02}],
        region="xinzhou", scale=0.02, years=2, seed=5)
    # lifted-out employment moves by several percent from run to run (migrant downturns), so the
    # finding factor is recovered less tightly: within 15% of its prior's width
    _recover(spec, truth, budget=900, population=60, generations=6, within=0.15)


# --- command line -----------------------------------------------------------------------------------------
def _cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or {})}, timeout=300)


@pytest.mark.parametrize("args, message", [
    (["calibrate", "--budget", "3"], "--budget"),
    (["calibrate", "--targets", "no/such/targets.toml"], "file not found"),
    (["calibrate", "--workers", "-1"], "--workers"),
    (["calibrate", "--scale", "2"], "--scale"),
    (["calibrate", "--from-report", "no/such/report"], "--from-report"),
    (["targets", "--replicates", "0"], "--replicates"),
    (["targets", "no/such/scenario.toml"], "file not found"),
    (["targets", "--posterior-draws", "-2"], "--posterior-draws"),
])
def test_bad_input_is_one_line_and_exit_2(args, message, tmp_path, capsys):
    from sim.ui.cli import main

    assert main([*args, "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_targets_command_writes_table_json_and_figure(tmp_path):
    out = tmp_path / "t"
    proc = _cli("targets", "--replicates", "2", "--scale", "0.002", "--posterior-draws", "0", "--json",
                "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert {r["target"] for r in doc["targets"]} == {t.id for t in load_targets().targets}
    for row in doc["targets"]:
        assert row["simulated_p05"] <= row["simulated_mean"] <= row["simulated_p95"]
        assert isinstance(row["within_tolerance"], bool)
    for name in ("targets.csv", "targets.parquet", "targets.json", "targets.png", "manifest.json"):
        assert (out / name).exists(), name
