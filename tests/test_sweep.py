"""Sweeps on Dask: specs, designs and seeds, identical results on 1 and 2 workers, resuming after a
killed worker or a killed client with every run exactly once, retries and failures, the CLI."""

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.experiments import sweep
from sim.ui.cli import main
from sim.core.errors import InputError
from sim.experiments.results import replicate_seeds
from sim.experiments.sweep import run_sweep
from sim.experiments.sweep_plan import plan
from sim.experiments.sweep_store import load_failures, load_results

ROOT = Path(__file__).resolve().parent.parent

SPEC = """
name = "tiny"
[run]
scale = 0.006
years = 1
replicates = 2
seed = 11
[parameters]
"labour.migrant_job_finding_monthly" = [0.02, 0.05]
"income.local_wage_monthly_2020_yuan" = { low = 1200.0, high = 2400.0 }
"transition.window_years" = { low = 3, high = 6 }
[design]
samples = 3
[output]
indicators = ["persons_below_poverty_line", "returns_to_poverty_households"]
groups = ["all", "key"]
reduce = "annual"
"""


def spec_file(tmp_path, text=SPEC, name="spec.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def _cluster(n: int, processes: bool = True):
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=processes, silence_logs=logging.CRITICAL,
                           dashboard_address=":0", scheduler_kwargs={"dashboard": False})
    return Client(cluster), cluster


@pytest.fixture(scope="module")
def client2():
    """Two worker processes, one thread each."""
    client, cluster = _cluster(2)
    yield client
    client.close()
    cluster.close()


def assert_exactly_once(out, n_runs: int) -> None:
    df = load_results(out)
    keys = ["run_id", "indicator", "group", "period"]
    assert not df.duplicated(keys).any(), "a run was saved twice"
    assert sorted(df["run_id"].unique()) == list(range(n_runs)), "a run is missing"


# --- specs, designs and seeds (no Dask) -------------------------------------------------------
def test_design_runs_and_common_random_numbers(tmp_path):
    p = plan(spec_file(tmp_path))
    assert len(p.design) == 2 * 3 and len(p.runs) == 2 * 3 * 2
    assert list(p.runs["run_id"]) == list(range(12))
    assert (p.runs["run_id"] == p.runs["point"] * 2 + p.runs["replicate"]).all()
    seeds = replicate_seeds(11, 2)  # the seeds `ruralsim run --seed 11 --replicates 2` uses
    assert (p.runs["seed"] == p.runs["replicate"].map(dict(enumerate(seeds)))).all()
    assert seeds == [int(np.random.SeedSequence(11).spawn(2)[r].generate_state(1, np.uint64)[0] >> 1)
                     for r in range(2)]
    wage = p.design["income.local_wage_monthly_2020_yuan"]
    assert wage.between(1200, 2400).all()
    # Latin hypercube: each third of the range holds one sample (per factorial level)
    assert sorted(((wage[:3] - 1200) // 400).astype(int)) == [0, 1, 2]
    window = p.design["transition.window_years"]
    assert window.dtype == np.int64 and window.between(3, 6).all()
    assert set(p.design["labour.migrant_job_finding_monthly"]) == {0.02, 0.05}
    again = plan(spec_file(tmp_path))
    pd.testing.assert_frame_equal(p.runs, again.runs)
    assert p.spec_hash == again.spec_hash
    assert plan(spec_file(tmp_path, SPEC.replace("seed = 11", "seed = 12"))).spec_hash != p.spec_hash
    renamed = plan(spec_file(tmp_path, SPEC.replace('name = "tiny"', 'name = "other"\ndescription = "x"')))
    assert renamed.spec_hash == p.spec_hash, "names and notes do not change what runs"


def test_sobol_sampler_and_nested_keys(tmp_path):
    text = SPEC.replace('"labour.migrant_job_finding_monthly" = [0.02, 0.05]\n', "") \
        .replace("samples = 3", 'sampler = "sobol"\nsamples = 4')
    text = text.replace('"income.local_wage_monthly_2020_yuan" = { low = 1200.0, high = 2400.0 }',
                        "income.local_wage_monthly_2020_yuan = { low = 1200.0, high = 2400.0 }")
    p = plan(spec_file(tmp_path, text))
    assert len(p.design) == 4 and p.parameters == ["income.local_wage_monthly_2020_yuan", "transition.window_years"]


BAD_SPECS = {
    "broken_toml": ("[run\n", "not valid TOML"),
    "unknown_top_key": ('nme = "x"', "key 'nme': unknown key"),
    "unknown_run_key": ("[run]\nyearz = 2", "key 'run.yearz': unknown key"),
    "run_out_of_range": ("[run]\nscale = 2.0", "key 'run.scale'"),
    "unknown_section": ('[parameters]\n"nosuch.x" = [1.0]', "unknown parameter"),
    "unknown_parameter": ('[parameters]\n"labour.nope" = [1.0]', "allowed in [labour]"),
    "value_out_of_range": ('[parameters]\n"labour.migrant_job_finding_monthly" = [0.5, 2.0]',
                           "allowed: float in [0.0, 1.0]"),
    "wrong_type": ('[parameters]\n"transition.window_years" = [3.5]', "key 'transition.window_years'"),
    "range_reversed": ('[parameters]\n"labour.migrant_job_finding_monthly" = { low = 0.5, high = 0.1 }',
                       "low must be below high"),
    "range_out_of_bounds": ('[parameters]\n"labour.migrant_job_finding_monthly" = { low = 0.5, high = 1.5 }',
                            "allowed: float in [0.0, 1.0]"),
    "range_of_a_switch": ('[parameters]\n"county_classes.enabled" = { low = 0, high = 1 }', "numeric parameter"),
    "range_keys": ('[parameters]\n"labour.migrant_job_finding_monthly" = { low = 0.1, hi = 0.2 }',
                   "a range has the keys low and high (got low, hi)"),
    "range_not_a_number": ('[parameters]\n"labour.migrant_job_finding_monthly" = { low = "a", high = 0.2 }',
                           "range 'low' must be a number"),
    "scalar": ('[parameters]\n"labour.migrant_job_finding_monthly" = 0.3', "give a list of values"),
    "seed_varied": ('[parameters]\n"run.seed" = [1, 2]', "cannot be varied"),
    "list_parameter": ('[parameters]\n"income.farm_monthly_profile" = [0.1]', "list-valued parameter"),
    "unknown_indicator": ('[output]\nindicators = ["happiness"]', "unknown indicator 'happiness'"),
    "unknown_group": ('[output]\ngroups = ["north"]', "unknown group 'north'"),
    "bad_reduce": ('[output]\nreduce = "weekly"', "key 'output.reduce'"),
    "sobol_not_power_of_two": ('[parameters]\n"labour.migrant_job_finding_monthly" = { low = 0.01, high = 0.05 }\n'
                               '[design]\nsampler = "sobol"\nsamples = 5', "power of 2"),
    "missing_base": ('base = "nowhere.toml"', "nowhere.toml: file not found"),
}


@pytest.mark.parametrize("case", sorted(BAD_SPECS))
def test_bad_specs_exit_2_with_one_line(case, tmp_path, capsys):
    text, expected = BAD_SPECS[case]
    path = spec_file(tmp_path, text, f"{case}.toml")
    out = tmp_path / "out"
    for command in ("sweep", "sensitivity"):
        code = main([command, str(path), "--out", str(out), "--quiet"])
        err = capsys.readouterr().err
        assert code == 2, err
        assert expected in err and "Traceback" not in err
        assert err.count("\n") == 1
    assert not out.exists(), "nothing written for a bad spec"


def test_sensitivity_needs_ranges(tmp_path):
    with pytest.raises(InputError, match="needs ranges"):
        plan(spec_file(tmp_path), "sensitivity")


@pytest.mark.parametrize("options, expected", [
    (["--workers", "0"], "--workers: must be at least 1"),
    (["--queue", "short"], "--queue: a SLURM option; add --slurm"),
    (["--slurm", "--scheduler", "tcp://127.0.0.1:8786"], "exclude each other"),
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"], "sizes the local cluster"),
    (["--batch-size", "0"], "--batch-size"),
])
def test_bad_executor_options_exit_2(options, expected, tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["sweep", str(spec_file(tmp_path)), "--out", str(out), *options])
    err = capsys.readouterr().err
    assert code == 2 and expected in err and err.count("\n") == 1
    assert not out.exists()


def test_shipped_specs_are_valid():
    for path in sorted((ROOT / "scenarios" / "sweeps").glob("*.toml")):
        p = plan(path)
        assert len(p.runs) > 0
        if "sensitivity" in path.read_text():
            assert len(plan(path, "sensitivity").runs) > 0


def test_slurm_job_script():
    from sim.experiments.cluster import SlurmOptions, slurm_cluster

    cluster = slurm_cluster(SlurmOptions(queue="short", account="rural", cores=4, memory="8GB", walltime="00:30:00"),
                            scheduler_options={"dashboard_address": ":0"})
    try:
        script = cluster.job_script()
    finally:
        cluster.close()
    for line in ("#SBATCH -p short", "#SBATCH -A rural", "#SBATCH -n 1", "#SBATCH --cpus-per-task=4",
                 "#SBATCH -t 00:30:00", "--nworkers 4", "--nthreads 1"):
        assert line in script, line


# --- on Dask --------------------------------------------------------------------------------
def test_one_and_two_workers_give_identical_results(tmp_path, client2):
    path = spec_file(tmp_path)
    two = run_sweep(path, client2, out=tmp_path / "two", batch_size=5)
    one_client, one_cluster = _cluster(1)
    try:
        one = run_sweep(path, one_client, out=tmp_path / "one", batch_size=7)
    finally:
        one_client.close()
        one_cluster.close()
    pd.testing.assert_frame_equal(one, two)
    assert_exactly_once(tmp_path / "two", 12)
    assert len(two) == 12 * 2 * 2 * 1  # runs x indicators x groups x years
    assert list(two.columns) == ["run_id", "point", "replicate", "seed", "labour.migrant_job_finding_monthly",
                                 "income.local_wage_monthly_2020_yuan", "transition.window_years",
                                 "indicator", "group", "period", "value"]
    pd.testing.assert_frame_equal(two, load_results(tmp_path / "two"))
    # replicate r of a design point is replicate r of `ruralsim run` of that scenario, same root seed
    from sim.experiments.results import annual, run
    from sim.core.scenario import with_overrides

    rows = two[two["run_id"] == 5]
    overrides = {k: rows[k].iloc[0].item() for k in plan(path).parameters}
    expected = annual(run(with_overrides(plan(path).base, overrides)).indicators)
    expected = expected[expected["replicate"] == rows["replicate"].iloc[0]]
    merged = rows.merge(expected.assign(period=expected["year"].astype(str)), on=["indicator", "group", "period"])
    assert len(merged) == len(rows) == 4
    np.testing.assert_allclose(merged["value_x"], merged["value_y"], rtol=1e-12)


def test_resume_skips_finished_runs_and_guards_the_spec(tmp_path, client2, capsys):
    path, out = spec_file(tmp_path), tmp_path / "out"
    first = run_sweep(path, client2, out=out, batch_size=3)
    parts = sorted((out / "results").glob("part-*.parquet"))
    assert len(parts) >= 4
    for part in parts[:2]:  # as if the sweep had been stopped before these batches landed
        part.unlink()
    (out / "results" / ".part-x.parquet.tmp-1").write_bytes(b"half a file")
    again = run_sweep(path, client2, out=out, batch_size=3)
    pd.testing.assert_frame_equal(first, again)
    assert_exactly_once(out, 12)
    manifest = json.loads((out / "manifest.json").read_text())
    assert [s["skipped"] for s in manifest["sessions"]] == [0, 12 - manifest["sessions"][1]["to_run"]]
    assert 0 < manifest["sessions"][1]["to_run"] < 12
    assert not list((out / "results").glob(".*tmp*")), "stale temporary files are removed"
    # a different spec into the same directory is refused before any run
    other = spec_file(tmp_path, SPEC.replace("samples = 3", "samples = 4"), "other.toml")
    code = main(["sweep", str(other), "--out", str(out), "--scheduler", client2.scheduler.address, "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "holds results of a different sweep spec" in err and err.count("\n") == 1


def test_a_killed_worker_loses_and_duplicates_no_run(tmp_path, client2):
    text = SPEC.replace("samples = 3", "samples = 8")  # 32 runs
    path, out = spec_file(tmp_path, text), tmp_path / "out"
    victim = sorted(client2.run(os.getpid).values())[0]

    def kill_after_first_batch():
        deadline = time.time() + 60
        while time.time() < deadline and not list((out / "results").glob("part-*.parquet")):
            time.sleep(0.005)
        os.kill(victim, signal.SIGKILL)  # its nanny starts a new worker process

    killer = threading.Thread(target=kill_after_first_batch, daemon=True)
    killer.start()
    result = run_sweep(path, client2, out=out, batch_size=2, retries=1)
    killer.join()
    assert victim not in client2.run(os.getpid).values(), "the worker was killed"
    done = set(result["run_id"])
    failed = {f["run_id"] for f in result.attrs["failures"]}
    assert done | failed == set(range(32)) and not done & failed
    run_sweep(path, client2, out=out, batch_size=2)  # resume: retries any failure, skips the rest
    assert_exactly_once(out, 32)
    assert load_failures(out).empty


def test_a_killed_client_loses_and_duplicates_no_run(tmp_path, client2):
    text = SPEC.replace("samples = 3", "samples = 8")  # 32 runs
    path, out = spec_file(tmp_path, text), tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # the client in its own process, on the module's cluster (warm workers): kill it, not the cluster
    proc = subprocess.Popen([sys.executable, "-m", "sim", "sweep", str(path), "--scheduler",
                             client2.scheduler.address, "--out", str(out), "--batch-size", "2", "--quiet"],
                            cwd=tmp_path, env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 90
        while time.time() < deadline and not list((out / "results").glob("part-*.parquet")):
            assert proc.poll() is None, "the sweep ended before it could be killed"
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGKILL)  # the client, mid-sweep
    finally:
        proc.wait(timeout=30)
    saved = set(load_results(out)["run_id"])
    assert 0 < len(saved) < 32, "killed mid-sweep"
    run_sweep(path, client2, out=out, batch_size=10)
    assert_exactly_once(out, 32)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["sessions"][-1]["skipped"] == len(saved)
    assert manifest["sessions"][-1]["saved"] == 32 - len(saved)


ATTEMPTS: dict[int, int] = {}
REAL_EXECUTE = sweep.execute


def flaky(task):
    """Run 3 fails once, run 7 always (module level, so the in-process worker shares ATTEMPTS)."""
    n = ATTEMPTS[task["run_id"]] = ATTEMPTS.get(task["run_id"], 0) + 1
    if task["run_id"] == 3 and n == 1:
        raise RuntimeError("transient")
    if task["run_id"] == 7:
        raise ValueError("model diverged\nsecond line")
    return REAL_EXECUTE(task)


def test_a_failing_run_is_retried_then_recorded(tmp_path, monkeypatch):
    path, out = spec_file(tmp_path), tmp_path / "out"
    ATTEMPTS.clear()
    attempts = ATTEMPTS
    real = REAL_EXECUTE
    monkeypatch.setattr(sweep, "execute", flaky)
    client, cluster = _cluster(1, processes=False)  # in-process, so the patched task runs
    try:
        result = run_sweep(path, client, out=out, retries=2, batch_size=4)
        failures = load_failures(out)
        assert attempts[3] == 2 and attempts[7] == 3
        assert set(result["run_id"]) == set(range(12)) - {7}
        assert list(failures["run_id"]) == [7]
        assert failures["error"].iloc[0] == "ValueError: model diverged second line"
        assert failures["attempts"].iloc[0] == 3
        assert json.loads((out / "manifest.json").read_text())["status"] == "complete with failures"
        monkeypatch.setattr(sweep, "execute", real)
        run_sweep(path, client, out=out)  # the rerun retries the failed run only
    finally:
        client.close()
        cluster.close()
    assert_exactly_once(out, 12)
    assert not (out / "failures.csv").exists()


def test_cli_sweep_writes_dataset_and_manifest(tmp_path, client2, capsys):
    path, out = spec_file(tmp_path), tmp_path / "out"
    args = ["sweep", str(path), "--scheduler", client2.scheduler.address, "--out", str(out), "--batch-size", "4"]
    code = main(args)
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "dask dashboard:" in captured.err
    assert f"wrote {out}/ (12 of 12 runs: 6 design points x 2 replicates" in captured.out
    assert {"manifest.json", "design.parquet", "results"} <= {p.name for p in out.iterdir()}
    dataset = pd.read_parquet(out / "results")  # a Parquet dataset any reader opens
    assert len(dataset) == 12 * 2 * 2 and dataset["run_id"].nunique() == 12  # runs x indicators x groups
    manifest = json.loads((out / "manifest.json").read_text())
    for key in ("spec", "spec_hash", "seeds", "versions", "git_commit", "executor", "design", "sessions"):
        assert key in manifest
    assert manifest["seeds"]["root"] == 11 and manifest["executor"]["kind"] == "scheduler"
    assert manifest["spec_hash"] == plan(path).spec_hash and manifest["status"] == "complete"
    assert {"dask", "distributed", "numpy", "python"} <= set(manifest["versions"])
    assert main([*args, "--quiet"]) == 0  # nothing left to do: no run, same results
    assert json.loads((out / "manifest.json").read_text())["sessions"][-1]["skipped"] == 12


def test_a_spec_without_parameters_needs_replicates_only(tmp_path, capsys):
    text = '[run]\nscale = 0.006\nyears = 1\nreplicates = 2\n'
    out = tmp_path / "out"
    code = main(["sweep", str(spec_file(tmp_path, text)), "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "key 'parameters'" in err and "replicates_only = true" in err
    assert err.count("\n") == 1 and not out.exists()
    p = plan(spec_file(tmp_path, "replicates_only = true\n" + text, "reps.toml"))
    assert len(p.design) == 1 and len(p.runs) == 2
    both = "replicates_only = true\n" + SPEC
    with pytest.raises(InputError, match="key 'replicates_only': true, but \\[parameters\\] varies"):
        plan(spec_file(tmp_path, both, "both.toml"))


@pytest.mark.parametrize("scenario", ["baseline.toml", "workshops_double.toml"])
def test_a_scenario_file_given_as_a_spec_is_refused(scenario, tmp_path, capsys):
    code = main(["sweep", str(ROOT / "scenarios" / scenario), "--out", str(tmp_path / "o"), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and str(scenario) in err
    assert "scenario file" in err and "not a sweep spec" in err
    assert not (tmp_path / "o").exists()


def test_a_sweep_never_writes_into_a_foreign_or_other_kind_directory(tmp_path, capsys):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "manifest.json").write_text('{"spec_hash": "x"}')
    (foreign / "notes.txt").write_text("keep")
    run_out = tmp_path / "run_out"
    assert main(["run", "--scale", "0.01", "--years", "1", "--quiet", "--out", str(run_out)]) == 0
    capsys.readouterr()
    for out in (foreign, run_out):
        before = sorted(p.name for p in out.iterdir())
        code = main(["sweep", str(spec_file(tmp_path)), "--out", str(out), "--quiet"])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and str(out) in err
        assert sorted(p.name for p in out.iterdir()) == before


def test_a_full_disk_ends_with_one_line_saying_what_was_saved(tmp_path, client2, monkeypatch, capsys):
    import errno

    from sim.ui import outputs

    def no_space(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", "response_x.png")

    monkeypatch.setattr(outputs, "write_sweep_figures", no_space)
    out = tmp_path / "out"
    text = SPEC.replace("samples = 3", "samples = 1")
    code = main(["sweep", str(spec_file(tmp_path, text)), "--out", str(out), "--scheduler",
                 client2.scheduler.address, "--quiet"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert "results are complete" in err and "No space left on device" in err and "figures" in err
    assert len(load_results(out)["run_id"].unique()) == 4

    def no_space_in_batches(self, frames):
        raise OSError(errno.ENOSPC, "No space left on device", "part.parquet")

    from sim.experiments.sweep_store import Store

    monkeypatch.setattr(Store, "add_batch", no_space_in_batches)
    other = spec_file(tmp_path, text.replace("seed = 11", "seed = 12"), "other.toml")
    code = main(["sweep", str(other), "--out", str(tmp_path / "out2"), "--scheduler", client2.scheduler.address,
                 "--quiet"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "0 of 4 runs were saved" in err and "resume" in err
