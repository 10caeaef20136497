"""Check that a speed-up changed no result: every indicator of every scenario, bit for bit.

    git worktree add /tmp/before <commit>                                  # the code before the change
    PYTHONPATH=/tmp/before .venv/bin/python benchmarks/same_results.py save /tmp/reference
    .venv/bin/python benchmarks/same_results.py check /tmp/reference       # exit 1 on any difference

Runs every scenario in scenarios/ (scale 0.05, 8 years, seed 11), Shanxi at scale 0.01 and full-scale
Xinzhou for 2 years, and saves or compares their recorded indicator values (NaN equal to NaN). Set
RURALSIM_CALIBRATED=0 to check the schema defaults too (they exercise more monitored households).
Takes about a minute. Not part of the test suite: it compares two versions of the code.
"""

import argparse
import os
import sys
from pathlib import Path

import numpy as np

from sim import RuralModel, load_scenario

ROOT = Path(__file__).resolve().parent.parent


def runs():
    """(name, model) for each checked run."""
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        yield path.stem, RuralModel(scenario=load_scenario(path), seed=11, scale=0.05, years=8)
    yield "shanxi_0.01", RuralModel(seed=5, region="shanxi", scale=0.01, years=3)
    yield "xinzhou_full_2y", RuralModel(seed=1, scale=1.0, years=2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["save", "check"])
    parser.add_argument("directory", type=Path, help="where the reference values are (saved)")
    args = parser.parse_args()
    suffix = "defaults" if os.environ.get("RURALSIM_CALIBRATED", "1") == "0" else "calibrated"
    if args.mode == "save":
        args.directory.mkdir(parents=True, exist_ok=True)
    elif not args.directory.is_dir():
        sys.exit(f"{args.directory}: no reference values (run `save` with the code before the change first)")
    differing = []
    for name, model in runs():
        model.run()
        values, path = model.recorder.values, args.directory / f"{name}_{suffix}.npy"
        model.release()
        if args.mode == "save":
            np.save(path, values)
            continue
        if not path.exists():
            sys.exit(f"{path}: no reference (run `save` with the code before the change first)")
        reference = np.load(path)
        same = reference.shape == values.shape and np.array_equal(reference, values, equal_nan=True)
        if not same:
            names = [i.name for i in model.recorder.indicators]
            diff = ~((reference == values) | (np.isnan(reference) & np.isnan(values)))
            differing.append(name)
            print(f"{name}: differs in {sorted({names[j] for j in np.argwhere(diff)[:, 1]})}")
    if args.mode == "check":
        print("identical" if not differing else f"{len(differing)} runs differ")
        sys.exit(1 if differing else 0)
    print(f"saved to {args.directory}")


if __name__ == "__main__":
    main()
