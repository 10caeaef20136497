"""A real SLURM cluster on this machine: a sweep through dask-jobqueue end to end, worker lifetimes included.

`.ci/slurm-local.sh start DIR` starts munged, slurmctld and slurmd on localhost from Debian's packages
(installed by `.ci/run`, or `.ci/slurm-local.sh install`), with its own key, socket, ports and slurm.conf
under DIR, no cgroups; the fixture stops the daemons afterwards. The sweeps are run by the command line
(`ruralsim sweep --slurm ...`) in a subprocess with SLURM_CONF pointing at DIR: sbatch starts the Dask
workers as SLURM jobs. Skipped, with the reason, only where SLURM cannot run: not root (slurmd must start
jobs as their user), or the packages are missing.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.slurm
ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / ".ci" / "slurm-local.sh"


@pytest.fixture(scope="module")
def slurm(tmp_path_factory):
    if os.geteuid() != 0:
        pytest.skip("SLURM's slurmd must run as root to start jobs; run the tests as root (CI does)")
    missing = [c for c in ("slurmctld", "slurmd", "sbatch", "munged") if shutil.which(c) is None]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed: run .ci/slurm-local.sh install (.ci/run does)")
    directory = tmp_path_factory.mktemp("slurm")
    started = subprocess.run(["bash", str(SCRIPT), "start", str(directory)], capture_output=True, text=True,
                             timeout=180)
    try:
        assert started.returncode == 0, f"SLURM did not start: {started.stderr.strip()} {_logs(directory)}"
        yield directory
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", str(directory)], capture_output=True, timeout=120)


def _logs(directory: Path) -> str:
    return " | ".join(f"{p.name}: {p.read_text(errors='replace')[-800:]}" for p in directory.glob("*.log"))


def _sweep(slurm_dir: Path, spec: Path, out: Path, *options: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SLURM_CONF": str(slurm_dir / "slurm.conf")}
    return subprocess.run([sys.executable, "-m", "sim", "sweep", str(spec), "--out", str(out), "--quiet",
                           "--slurm", "--cores", "1", "--memory", "1GB", *options],
                          capture_output=True, text=True, timeout=600, env=env, cwd=out.parent)


def _jobs_submitted(slurm_dir: Path) -> set[int]:
    text = (slurm_dir / "slurmctld.log").read_text(errors="replace")
    return {int(j) for j in re.findall(r"_slurm_rpc_submit_batch_job: JobId=(\d+)", text)}


def test_a_sweep_runs_on_slurm_and_matches_a_local_run(slurm, tmp_path):
    from sim.experiments.sweep import run_sweep

    spec = tmp_path / "tiny.toml"
    spec.write_text('name = "slurm_tiny"\n[run]\nscale = 0.01\nyears = 1\nreplicates = 2\nseed = 7\n'
                    '[parameters]\n"workshops.sites_multiplier" = [1.0, 2.0]\n'
                    '[output]\nindicators = ["returns_to_poverty_households", "workshop_jobs"]\nreduce = "horizon"\n',
                    encoding="utf-8")
    before = _jobs_submitted(slurm)
    done = _sweep(slurm, spec, tmp_path / "on-slurm", "--walltime", "00:10:00", "--jobs", "2",
                  "--lifetime", "8m", "--lifetime-stagger", "30s")
    assert done.returncode == 0, f"{done.stderr[-2000:]} {_logs(slurm)}"
    manifest = json.loads((tmp_path / "on-slurm" / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["executor"]["kind"] == "slurm"
    assert manifest["executor"]["lifetime"] == "8m"
    assert len(_jobs_submitted(slurm) - before) >= 1  # the workers were SLURM jobs
    from sim.experiments.sweep_store import load_results

    on_slurm = load_results(tmp_path / "on-slurm")
    local = run_sweep(spec, workers=1, dashboard=None)
    assert len(on_slurm) == len(local) > 0
    pd.testing.assert_series_equal(on_slurm["value"], local["value"])  # bit for bit: a run depends on its seed


def test_workers_retire_at_their_lifetime_and_adaptive_jobs_replace_them(slurm, tmp_path):
    spec = tmp_path / "longer.toml"
    # ~40 s of model runs on two one-core jobs, several worker lifetimes even on a quiet machine (with 32 runs of
    # 4 years the sweep could end in 12 s, before any worker had lived its 10 s)
    spec.write_text('name = "slurm_lifetime"\n[run]\nscale = 0.02\nyears = 6\nreplicates = 1\nseed = 7\n'
                    '[parameters]\n"workshops.sites_multiplier" = { low = 0.5, high = 2.0 }\n[design]\nsamples = 64\n'
                    '[output]\nindicators = ["returns_to_poverty_households"]\nreduce = "horizon"\n', encoding="utf-8")
    before = _jobs_submitted(slurm)
    done = _sweep(slurm, spec, tmp_path / "lifetime", "--walltime", "00:05:00", "--jobs", "1",
                  "--adapt-max-jobs", "2", "--lifetime", "10s", "--lifetime-stagger", "2s")
    assert done.returncode == 0, f"{done.stderr[-2000:]} {_logs(slurm)}"
    manifest = json.loads((tmp_path / "lifetime" / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["sessions"][-1]["saved"] == 64
    # a worker that retires at its lifetime ends its job normally (exit 0) while the sweep goes on (jobs still
    # running at the end are cancelled by the client instead), and adaptive scaling then starts another job
    log = (slurm / "slurmctld.log").read_text(errors="replace")
    mine = _jobs_submitted(slurm) - before
    retired = [(t, int(j)) for t, j in re.findall(r"\[([^\]]+)\] _job_complete: JobId=(\d+) WEXITSTATUS 0", log)
               if int(j) in mine]
    started = [(t, int(j)) for t, j in re.findall(r"\[([^\]]+)\] sched: Allocate JobId=(\d+)", log) if int(j) in mine]
    assert retired, f"no worker retired at its lifetime: {_logs(slurm)}"
    assert any(t > retired[0][0] for t, _ in started), f"no job started after the first retirement: {_logs(slurm)}"
