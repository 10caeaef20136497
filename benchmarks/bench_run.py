"""Speed and memory of one run: wall seconds, ns per household-month, peak RSS, time per component.

    .venv/bin/python benchmarks/bench_run.py [--region xinzhou] [--scale 1.0] [--years 10]

Each measurement runs in a fresh process so peak RSS belongs to that run alone.
"""

import argparse
import json
import subprocess
import sys

CHILD = """
import json, resource, sys, time
started = time.perf_counter()
from sim import RuralModel
imported = time.perf_counter()
m = RuralModel(seed=1, region=sys.argv[1], scale=float(sys.argv[2]), years=int(sys.argv[3]))
built = time.perf_counter()
m.run()
done = time.perf_counter()
months = m.n_months  # the timed steps; warm-up months run inside the build
print(json.dumps({
    "region": sys.argv[1], "scale": float(sys.argv[2]), "years": int(sys.argv[3]),
    "households": len(m.households), "labourers": len(m.labourers), "villages": len(m.villages),
    "import_s": round(imported - started, 2), "build_and_warmup_s": round(built - imported, 2),
    "step_s": round(done - built, 2), "wall_s": round(done - started, 2),
    "ns_per_household_month": round((done - built) / (len(m.households) * months) * 1e9, 1),
    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    "component_s": {k: round(v, 2) for k, v in m.component_seconds.items()},
}))
"""


def measure(region: str, scale: float, years: int) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, region, str(scale), str(years)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", default="xinzhou")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--years", type=int, default=10)
    args = parser.parse_args()
    result = measure(args.region, args.scale, args.years)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
