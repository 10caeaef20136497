"""Speed and memory of ruralsim runs: wall seconds, ns per household-month, peak RSS, time per component.

    .venv/bin/python benchmarks/bench_run.py                      # one full-scale Xinzhou run (JSON)
    .venv/bin/python benchmarks/bench_run.py --region shanxi      # any region, scale, years
    .venv/bin/python benchmarks/bench_run.py --report             # the whole performance report:
        full-scale Xinzhou, scale 0.1 / 0.3 / 1.0 and the scaling exponent, 5 vs 10 years, the
        Shanxi province, the one-mesa.Agent-per-household reference (benchmarks/mesa_reference.py),
        and sweep-sized runs (scale 0.04) one after another in a warm process; writes
        benchmarks/results.json and prints a Markdown summary. RURALSIM_CALIBRATED=0 measures the
        schema defaults instead of the shipped calibrated values.

Every measurement runs in a fresh process, so its peak RSS is its own, with NumPy's thread pools set to
one thread (the monthly loop is single-threaded anyway). Each is repeated `--repeat` times and the
fastest kept: other jobs on the machine only ever make a run slower. The machine's load average is
recorded with the results. Not part of the test suite.

Times: `build_s` is the model's construction (population, lever setup, 12 warm-up months);
`step_s` the recorded months; `run_s` both; `wall_s` adds the interpreter's imports. ns per
household-month is `step_s` over households x recorded months. `component_s` is each component's share
over all months including the warm-up (`model.component_seconds`); `other_s` the rest of `run_s`:
building the population, setting the levers up, and the engine's own bookkeeping.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SINGLE_THREAD = {k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}

CHILD = """
import json, resource, sys, time
started = time.perf_counter()
from sim import RuralModel
imported = time.perf_counter()
region, scale, years, seed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
m = RuralModel(seed=seed, region=region, scale=scale, years=years)
built = time.perf_counter()
m.run()
done = time.perf_counter()
months = m.n_months  # the recorded months; warm-up months run inside the build
components = {k: round(v, 3) for k, v in m.component_seconds.items()}
print(json.dumps({
    "region": region, "scale": scale, "years": years,
    "households": len(m.households), "labourers": len(m.labourers), "villages": len(m.villages),
    "import_s": round(imported - started, 3), "build_s": round(built - imported, 3),
    "step_s": round(done - built, 3), "run_s": round(done - imported, 3), "wall_s": round(done - started, 3),
    "ns_per_household_month": round((done - built) / (len(m.households) * months) * 1e9, 1),
    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    # resident memory at the end, private (arrays, heap) and file-backed (shared libraries' pages, shared
    # between processes; numba's LLVM is ~110 MB of it)
    **{f"{k.lower()}_end_mb": round(int(v.split()[0]) / 1024) for k, v in
       (line.split(":") for line in open("/proc/self/status")) if k in ("RssAnon", "RssFile")},
    "component_s": components,
    "other_s": round(done - imported - sum(m.component_seconds.values()), 3),
}))
"""


WARM_CHILD = """
import json, sys, time
from sim import RuralModel
scale, years, runs = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
RuralModel(seed=0, scale=scale, years=1).run()  # imports, compiled kernels loaded: a sweep worker's state
seconds = []
for seed in range(1, runs + 1):
    started = time.perf_counter()
    model = RuralModel(seed=seed, scale=scale, years=years)
    model.run()
    model.release()
    seconds.append(time.perf_counter() - started)
print(json.dumps({"scale": scale, "years": years, "runs": runs, "households": len(model.households),
                  "best_s": round(min(seconds), 3), "median_s": round(float(sorted(seconds)[len(seconds) // 2]), 3)}))
"""


def warm_runs(scale: float = 0.04, years: int = 10, runs: int = 8) -> dict:
    """Runs one after another in one process, as a sweep or calibration worker does them: seconds per run
    (build + months), best and median."""
    out = subprocess.run([sys.executable, "-c", WARM_CHILD, str(scale), str(years), str(runs)],
                         capture_output=True, text=True, check=True, env=_child_env(), cwd=HERE.parent)
    return json.loads(out.stdout)


def _child_env() -> dict:
    return {**os.environ, **SINGLE_THREAD}


def measure(region: str = "xinzhou", scale: float = 1.0, years: int = 10, seed: int = 1, repeat: int = 1) -> dict:
    """One run per repetition, each in a fresh process; the fastest (by run_s) is returned."""
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", CHILD, region, str(scale), str(years), str(seed)],
                             capture_output=True, text=True, check=True, env=_child_env(), cwd=HERE.parent)
        runs.append(json.loads(out.stdout))
    best = min(runs, key=lambda r: r["run_s"])
    best["repeats"] = repeat
    best["run_s_all"] = [r["run_s"] for r in runs]
    return best


def mesa_reference(households: int, months: int, repeat: int) -> dict:
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, str(HERE / "mesa_reference.py"), "--households", str(households),
                              "--months", str(months)], capture_output=True, text=True, check=True,
                             env=_child_env(), cwd=HERE.parent)
        runs.append(json.loads(out.stdout))
    best = min(runs, key=lambda r: r["step_s"])
    best["repeats"] = repeat
    return best


def scaling_exponent(runs: list[dict], key: str) -> float:
    """Slope of log(time) on log(households): 1 is linear."""
    x = np.log([r["households"] for r in runs])
    y = np.log([r[key] for r in runs])
    return float(np.polyfit(x, y, 1)[0])


def report(repeat: int, out_path: Path) -> dict:
    load_before = os.getloadavg()
    started = time.time()
    scales = [measure("xinzhou", s, 10, repeat=repeat) for s in (0.1, 0.3, 1.0)]
    full = scales[-1]
    five_years = measure("xinzhou", 0.3, 5, repeat=repeat)
    shanxi = measure("shanxi", 1.0, 10, repeat=max(1, repeat // 2))
    reference = mesa_reference(100_000, 12, repeat=max(1, repeat // 2))
    sweep_runs = warm_runs()
    results = {
        "command": f"{Path(sys.executable).name} benchmarks/bench_run.py --report --repeat {repeat}",
        "machine": {"cpus": os.cpu_count(), "load_average_before": [round(x, 2) for x in load_before],
                    "load_average_after": [round(x, 2) for x in os.getloadavg()],
                    "numpy": np.__version__, "python": sys.version.split()[0]},
        # the shipped calibrated values, unless RURALSIM_CALIBRATED=0 (the schema defaults)
        "calibrated": os.environ.get("RURALSIM_CALIBRATED", "1") != "0",
        "xinzhou_full": full,
        "xinzhou_scales": scales,
        "scaling_exponent_run_s": round(scaling_exponent(scales, "run_s"), 3),
        "scaling_exponent_step_s": round(scaling_exponent(scales, "step_s"), 3),
        "xinzhou_0.3_five_years": five_years,
        "shanxi_full": shanxi,
        "mesa_reference": reference,
        "sweep_sized_runs": sweep_runs,
        "mesa_ratio_per_household_month": round(reference["ns_per_household_month"]
                                                / full["ns_per_household_month"], 1),
        "elapsed_s": round(time.time() - started, 1),
    }
    out_path.write_text(json.dumps(results, indent=2) + "\n")
    return results


def markdown(r: dict) -> str:
    full = r["xinzhou_full"]
    lines = [
        f"Command: `{'' if r.get('calibrated', True) else 'RURALSIM_CALIBRATED=0 '}{r['command']}` "
        f"({'calibrated values' if r.get('calibrated', True) else 'schema defaults'}); load average before/after: "
        f"{r['machine']['load_average_before']} / "
        f"{r['machine']['load_average_after']} on {r['machine']['cpus']} CPUs.",
        "",
        "| run | households | run s (build + months) | months s | wall s (with imports) | ns / household-month "
        "| peak RSS MB | private / file-backed MB at the end |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, run in ([(f"Xinzhou scale {s['scale']}", s) for s in r["xinzhou_scales"]]
                       + [("Xinzhou scale 0.3, 5 years", r["xinzhou_0.3_five_years"]),
                          ("Shanxi province, full scale", r["shanxi_full"])]):
        lines.append(f"| {label} | {run['households']:,} | {run['run_s']:.2f} | {run['step_s']:.2f} | "
                     f"{run['wall_s']:.2f} | {run['ns_per_household_month']:.1f} | {run['peak_rss_mb']} | "
                     f"{run.get('rssanon_end_mb', '?')} / {run.get('rssfile_end_mb', '?')} |")
    ref = r["mesa_reference"]
    lines += [
        "",
        f"Scaling exponent of time in households (scale 0.1 to 1.0): {r['scaling_exponent_run_s']} "
        f"(build + months), {r['scaling_exponent_step_s']} (months only).",
        "",
        f"One mesa.Agent per household ({ref['households']:,} households, {ref['months']} months): "
        f"{ref['ns_per_household_month']:,.0f} ns per household-month, {ref['create_s']:.2f} s to create the "
        f"agents; ruralsim is {r['mesa_ratio_per_household_month']}x faster per household-month.",
        "",
        f"Sweep-sized runs (scale {r['sweep_sized_runs']['scale']}, {r['sweep_sized_runs']['households']:,} "
        f"households, {r['sweep_sized_runs']['years']} years, one after another in one warm process): "
        f"best {r['sweep_sized_runs']['best_s']:.3f} s, median {r['sweep_sized_runs']['median_s']:.3f} s per run.",
        "",
        "Seconds per component, full-scale Xinzhou (132 months including the warm-up):",
        "",
        "| component | s |",
        "|---|---|",
    ]
    for name, s in sorted(full["component_s"].items(), key=lambda kv: -kv[1]):
        if s >= 0.005:
            lines.append(f"| {name} | {s:.2f} |")
    lines.append(f"| (population build, lever setup, engine) | {full['other_s']:.2f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="xinzhou")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement; the fastest is kept")
    parser.add_argument("--report", action="store_true", help="the whole performance report")
    parser.add_argument("--out", type=Path, default=HERE / "results.json", help="where --report writes JSON")
    args = parser.parse_args()
    if args.report:
        print(markdown(report(args.repeat, args.out)))
    else:
        print(json.dumps(measure(args.region, args.scale, args.years, args.seed, args.repeat), indent=2))


if __name__ == "__main__":
    main()
