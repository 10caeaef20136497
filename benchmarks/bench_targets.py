"""Issue 19's performance targets, each as a ratio to the probe (benchmarks/probe.py) measured in the same process.

    .venv/bin/python benchmarks/bench_targets.py                 # full run, fresh `ruralsim run` RSS, sweep-sized
                                                                 # run, calibration evaluation (~3 minutes)
    .venv/bin/python benchmarks/bench_targets.py --only full --repeat 3
    .venv/bin/python benchmarks/bench_targets.py --compare       # adds compare 5 x 10 at full scale (~15 minutes)
    .venv/bin/python benchmarks/bench_targets.py --out benchmarks/targets.json

Each measurement runs in a fresh process with NumPy's thread pools at one thread. A timed measurement runs the
probe before and after its workload in that process and divides by the faster probe: a machine that is busy or
slow slows both, so the ratio holds where seconds do not (on the shared 2-core machine single runs vary by
±15%). Repeated `--repeat` times, the smallest ratio kept. Memory is the peak resident set of a fresh process
(`ru_maxrss` of the child itself, from `os.wait4`), or for `compare` (whose workers are processes of their own)
the peak of the whole process tree's resident memory sampled every 0.1 s.

Targets (issue 19): full-scale Xinzhou, build + 120 months ≤ 2.5× the probe; a fresh full-scale
`ruralsim run` ≤ 400 MB peak; a sweep-sized run (scale 0.04, 10 years, warm process) ≤ 0.15×, measured with
every indicator (`sweep_sized`) and as a sweep's worker makes it, computing only the example sweep's [output]
indicators (`sweep_output`, scenarios/sweeps/example_factorial.toml); one calibration
evaluation (every run of calibration/targets.toml at its calibration scale, warm process) ≤ 0.2×; compare of 5
scenarios × 10 replicates at full scale ≤ 1.2 GB and < 5× the time of the base alone.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SINGLE_THREAD = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}

TARGETS = {"full": 2.5, "run_rss_mb": 400, "sweep_sized": 0.15, "sweep_output": 0.15, "calibration_eval": 0.2,
           "compare_rss_mb": 1200, "compare_time_vs_base": 5.0}

# This probe is heavier than the issue's relative to the model: round 3's full run (7d91b72) measures 4.40x this
# probe (fastest of six interleaved runs, 2026-12-05) where the issue measured 5.5x its own, so a ratio to this
# probe times ISSUE_PROBE_FACTOR is the ratio to the issue's probe, the one the targets were set against.
ISSUE_PROBE_FACTOR = 5.5 / 4.40

# the probe before and after the workload, in the same process
CHILD = """
import json, sys, time
sys.path.insert(0, {bench!r})
from probe import probe_seconds
probe_before = probe_seconds()
kind = sys.argv[1]
if kind == "full":
    from sim import RuralModel
    started = time.perf_counter()
    model = RuralModel(seed=1, region="xinzhou", scale=1.0, years=10)
    built = time.perf_counter()
    model.run()
    seconds = time.perf_counter() - started
    extra = {{"build_s": round(built - started, 3), "months_s": round(seconds - (built - started), 3),
              "component_s": {{k: round(v, 3) for k, v in model.component_seconds.items()}}}}
elif kind == "sweep_sized":
    from sim import RuralModel
    RuralModel(seed=0, scale=0.04, years=1).run()  # a worker's state: imports done, kernels loaded
    runs = []
    for seed in range(1, 10):
        started = time.perf_counter()
        model = RuralModel(seed=seed, scale=0.04, years=10)
        model.run()
        model.release()
        runs.append(time.perf_counter() - started)
    seconds = sorted(runs)[len(runs) // 2]
    extra = {{"runs_s": [round(s, 3) for s in runs], "households": len(model.households)}}
elif kind == "sweep_output":
    # the same runs as a sweep's workers make them: only the spec's [output] indicators computed (issue 19)
    from sim import RuralModel
    from sim.experiments.sweep_spec import load_spec
    wanted = list(load_spec("scenarios/sweeps/example_factorial.toml")[0].output.indicators)
    RuralModel(seed=0, scale=0.04, years=1, indicators=wanted).run()
    runs = []
    for seed in range(1, 10):
        started = time.perf_counter()
        model = RuralModel(seed=seed, scale=0.04, years=10, indicators=wanted)
        model.run()
        model.release()
        runs.append(time.perf_counter() - started)
    seconds = sorted(runs)[len(runs) // 2]
    extra = {{"runs_s": [round(s, 3) for s in runs], "households": len(model.households), "indicators": wanted}}
elif kind == "calibration_eval":
    from sim.experiments.targets import load_targets, simulate
    spec = load_targets()
    simulate(spec, {{}}, 0)  # warm: imports, kernels
    runs = []
    for seed in range(1, 6):
        started = time.perf_counter()
        simulate(spec, {{}}, seed)
        runs.append(time.perf_counter() - started)
    seconds = sorted(runs)[len(runs) // 2]
    extra = {{"runs_s": [round(s, 3) for s in runs]}}
probe_after = probe_seconds()
probe = min(probe_before, probe_after)
print(json.dumps({{"kind": kind, "seconds": round(seconds, 3), "probe_s": round(probe, 3),
                  "probe_before_s": round(probe_before, 3), "probe_after_s": round(probe_after, 3),
                  "ratio": round(seconds / probe, 3), **extra}}))
"""


def _env() -> dict:
    return {**os.environ, **SINGLE_THREAD}


def timed(kind: str, repeat: int) -> dict:
    """The smallest ratio to the probe of `repeat` fresh processes."""
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", CHILD.format(bench=str(HERE)), kind], capture_output=True,
                             text=True, check=True, env=_env(), cwd=ROOT)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    best = min(runs, key=lambda r: r["ratio"])
    best["ratios_all"] = [r["ratio"] for r in runs]
    best["target"] = TARGETS[kind]
    best["ratio_issue_probe"] = round(best["ratio"] * ISSUE_PROBE_FACTOR, 3)
    best["met"] = best["ratio_issue_probe"] <= TARGETS[kind]
    return best


def run_rss(repeat: int) -> dict:
    """Peak RSS of a fresh `ruralsim run` of the Xinzhou baseline (what `make run` does), output to a
    temporary directory."""
    peaks = []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as out:
            proc = subprocess.Popen([sys.executable, "-m", "sim", "run", "--out", str(Path(out) / "run")],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=_env(), cwd=ROOT)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode != 0:
                raise RuntimeError(f"ruralsim run failed ({proc.returncode})")
            peaks.append(round(usage.ru_maxrss / 1024))
    return {"kind": "run_rss_mb", "peak_rss_mb": min(peaks), "peaks_all": peaks,
            "target": TARGETS["run_rss_mb"], "met": min(peaks) <= TARGETS["run_rss_mb"]}


def _tree_peak(proc: subprocess.Popen, peak: list) -> None:
    import psutil

    root = psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            total = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
        except psutil.Error:
            continue
        peak[0] = max(peak[0], total)
        time.sleep(0.1)


def _command_with_tree_peak(args: list[str]) -> tuple[float, float]:
    """Seconds and peak resident memory (MB) of a command and all its processes."""
    peak = [0]
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=_env(), cwd=ROOT)
    watcher = threading.Thread(target=_tree_peak, args=(proc, peak), daemon=True)
    watcher.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - started
    watcher.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{err.decode()[-2000:]}")
    return seconds, peak[0] / 2**20


COMPARED = ["scenarios/workshops_subsidy_halved_2026.toml", "scenarios/pv_subsidy_cut_after_transition.toml",
            "scenarios/transition_extension.toml", "scenarios/training_double.toml"]


def compare_cost(workers: int = 2) -> dict:
    """`ruralsim compare` of the baseline and four scenarios, 10 replicates each, full scale, against
    `ruralsim run` of the baseline alone with the same replicates and workers."""
    from probe import probe_seconds

    with tempfile.TemporaryDirectory() as out:
        probe_before = probe_seconds()
        base_s, base_mb = _command_with_tree_peak(
            [sys.executable, "-m", "sim", "run", "scenarios/baseline.toml", "--replicates", "10",
             "--workers", str(workers), "--out", str(Path(out) / "base")])
        compare_s, compare_mb = _command_with_tree_peak(
            [sys.executable, "-m", "sim", "compare", "scenarios/baseline.toml", *COMPARED, "--replicates", "10",
             "--workers", str(workers), "--out", str(Path(out) / "compare")])
        probe_after = probe_seconds()
    ratio = compare_s / base_s
    return {"kind": "compare", "workers": workers, "base_s": round(base_s, 1), "base_peak_mb": round(base_mb),
            "compare_s": round(compare_s, 1), "compare_peak_mb": round(compare_mb),
            "time_vs_base": round(ratio, 2), "probe_before_s": round(probe_before, 3),
            "probe_after_s": round(probe_after, 3),
            "target_mb": TARGETS["compare_rss_mb"], "target_time_vs_base": TARGETS["compare_time_vs_base"],
            "met": compare_mb <= TARGETS["compare_rss_mb"] and ratio < TARGETS["compare_time_vs_base"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="fresh processes per measurement; best kept")
    parser.add_argument("--only", choices=["full", "run_rss_mb", "sweep_sized", "sweep_output", "calibration_eval"],
                        action="append",
                        help="measure only these (repeatable)")
    parser.add_argument("--compare", action="store_true", help="also compare 5 x 10 at full scale (~15 minutes)")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    args = parser.parse_args()
    sys.path.insert(0, str(HERE))
    kinds = args.only or ["full", "run_rss_mb", "sweep_sized", "sweep_output", "calibration_eval"]
    results = {"load_average_before": [round(x, 2) for x in os.getloadavg()], "targets": TARGETS}
    for kind in kinds:
        results[kind] = run_rss(args.repeat) if kind == "run_rss_mb" else timed(kind, args.repeat)
        print(json.dumps(results[kind]), flush=True)
    if args.compare:
        results["compare"] = compare_cost()
        print(json.dumps(results["compare"]), flush=True)
    results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    if args.out:
        args.out.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
