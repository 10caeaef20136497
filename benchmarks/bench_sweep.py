"""Sweep throughput on Dask: runs per minute for 200 runs at scale 0.05 over 5 years on 2 local workers.

    .venv/bin/python benchmarks/bench_sweep.py [--workers 2] [--runs 200] [--scale 0.05] [--years 5]

The design is a full factorial (10 x 5 values) with runs/50 replicates, written to a temporary
directory as a Parquet dataset exactly as `ruralsim sweep` does. Cluster start-up is timed apart
from the sweep; runs per minute counts the sweep alone (worker imports included).
"""

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

SPEC = """
name = "bench"
[run]
scale = {scale}
years = {years}
replicates = {replicates}
seed = 1
[parameters]
"labour.migrant_job_finding_monthly" = [0.020, 0.025, 0.030, 0.035, 0.040, 0.045, 0.050, 0.055, 0.060, 0.065]
"shocks.illness_monthly_per_person" = [0.001, 0.002, 0.003, 0.004, 0.005]
[output]
indicators = ["persons_below_poverty_line", "persons_below_monitoring_line", "returns_to_poverty_households",
              "income_per_capita_mean_yuan"]
groups = ["all", "demonstration", "steady", "key"]
reduce = "annual"
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=200, help="a multiple of 50")
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--years", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from sim.experiments.cluster import connect
    from sim.experiments.sweep import run_sweep

    with tempfile.TemporaryDirectory() as tmp:
        spec = Path(tmp) / "bench.toml"
        spec.write_text(SPEC.format(scale=args.scale, years=args.years, replicates=max(args.runs // 50, 1)))
        started = time.perf_counter()
        client, close, executor = connect(workers=args.workers, dashboard=None)
        ready = time.perf_counter()
        cpu = sum(client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_utime).values())
        try:
            result = run_sweep(spec, client, out=Path(tmp) / "out")
            done = time.perf_counter()
            cpu = sum(client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_utime).values()) - cpu
        finally:
            close()
        runs = int(result["run_id"].nunique())
        print(json.dumps({
            "workers": args.workers, "runs": runs, "scale": args.scale, "years": args.years,
            "cluster_start_s": round(ready - started, 2), "sweep_s": round(done - ready, 2),
            "runs_per_minute": round(runs / (done - ready) * 60, 1),
            "worker_cpu_s_per_run": round(cpu / runs, 3),
            "rows": len(result), "failures": len(result.attrs["failures"]), "executor": executor,
        }, indent=2))


if __name__ == "__main__":
    main()
