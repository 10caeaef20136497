"""`ruralsim optimize` and `ruralsim discover`: the subcommands (cli.py only registers them).

Both run on the Dask cluster the sweeps use (`--workers`, `--scheduler`, `--slurm` with the same options)
and write resumable stores: running the same command again continues where it stopped.
"""

import sys
import time
from pathlib import Path

from ..core.errors import InputError, WriteError
from .sweep_cli import add_cluster_options


def add_parsers(sub) -> None:
    opt = sub.add_parser("optimize", help="search lever mixes for the best trade-offs under a budget "
                         "(NSGA-II on Dask, resumable); Pareto front, scenario files and a re-check")
    opt.add_argument("spec", help="optimisation spec TOML (scenarios/optimize/*.toml, see docs/optimize.md)")
    opt.add_argument("--trials", type=int, help="trials in all (default: the spec's search.trials); a larger "
                     "number continues a finished study")
    add_cluster_options(opt, "results/optimize-<name>")
    disc = sub.add_parser("discover", help="scenario discovery: under which uncertain conditions an outcome "
                          "crosses a threshold (PRIM and CART over a Latin hypercube, on Dask)")
    disc.add_argument("spec", help="discovery spec TOML (scenarios/discover/*.toml, see docs/optimize.md)")
    add_cluster_options(disc, "results/discover-<name>")


def _executor(args) -> dict:
    from ..experiments.sweep import check_options
    from .sweep_cli import slurm_options

    options = {"workers": args.workers, "scheduler": args.scheduler, "slurm": slurm_options(args)}
    check_options(**options)
    return options


def cmd_optimize(args) -> int:
    from ..experiments.optimize import optimize
    from ..experiments.optimize_spec import load
    from .outputs import check_path

    options = _executor(args)
    problem = load(args.spec)  # the whole spec is checked before any cluster starts
    if args.trials is not None and args.trials < 2:
        raise InputError(f"--trials: must be at least 2 (got {args.trials})")
    out = check_path(Path("results") / f"optimize-{problem.spec.name}" if args.out is None else args.out)
    started = time.time()
    log = None if args.quiet else (lambda message: print(message, file=sys.stderr))
    try:
        result = optimize(problem, out=out, trials=args.trials, progress=not args.quiet, log=log,
                          dashboard=":8787", **options)
    except KeyboardInterrupt:
        print(f"interrupted: finished trials are kept in {out}/study.db; run the same command again to continue",
              file=sys.stderr)
        return 130
    except OSError as exc:
        raise WriteError(f"cannot write {out}/: {exc.strerror or exc}; finished trials are kept in the study; "
                         "free space and run the same command again") from None
    print(format_result(result))
    print(f"wrote {out}/ (study.db, trials.csv, pareto.csv, pareto.png, pareto/*.toml, recheck.csv, recheck/, "
          f"manifest.json) in {time.time() - started:.1f} s")
    return 0


def format_result(result: dict) -> str:
    """The Pareto front (search estimates) and the re-check against the baseline, in plain lines."""
    from .formatting import fmt

    problem = result["problem"]
    names = [o.name for o in problem.objectives]
    pareto, checked = result.get("pareto"), result.get("recheck")
    lines = [f"{result['trials']} trials ({result['resumed']} found finished); {len(pareto)} on the Pareto front "
             f"(within budget)"]
    base = result.get("baseline", {}).get("objectives", {})
    lines.append("  baseline: " + ", ".join(f"{n} {fmt(base.get(n, float('nan')))}" for n in names))
    for row in pareto.to_dict("records"):
        lines.append(f"  trial {row['trial']}: " + ", ".join(f"{k} = {_short(row[k])}" for k in problem.levers)
                     + " -> " + ", ".join(f"{n} {fmt(row[n])}" for n in names))
    if checked is not None and not checked.empty:
        replicates = int(checked["replicates"].iloc[0])
        lines.append(f"re-check with {replicates} replicates (point - baseline [90% interval]):")
        for trial, rows in checked.groupby("trial", sort=False):
            parts = [f"{r.objective} {fmt(r.diff)} [{fmt(r.diff_low)}, {fmt(r.diff_high)}] {r.verdict}"
                     for r in rows.itertuples()]
            verdict = "dominates the baseline" if rows["dominates_baseline"].iloc[0] else "does not dominate"
            budget = "within budget" if rows["budget_excess"].iloc[0] <= 0 else "OVER budget"
            lines.append(f"  trial {trial} ({verdict}, {budget}): " + "; ".join(parts))
    return "\n".join(lines)


def _short(value) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def cmd_discover(args) -> int:
    from ..experiments.discover import discover, format_boxes, load
    from .outputs import check_path

    options = _executor(args)
    problem = load(args.spec)
    out = check_path(Path("results") / f"discover-{problem.name}" if args.out is None else args.out)
    started = time.time()
    try:
        result = discover(problem, out=out, progress=not args.quiet, **options)
    except KeyboardInterrupt:
        print(f"interrupted: finished runs are kept in {out}/; run the same command again to resume", file=sys.stderr)
        return 130
    except OSError as exc:
        raise WriteError(f"cannot write {out}/: {exc.strerror or exc}; finished runs are kept; free space and run "
                         "the same command again") from None
    print(format_boxes(result))
    print(f"wrote {out}/ (cases.csv, boxes.csv with PRIM and CART, discovery.md, prim_trajectory.png, prim_box.png, results/, "
          f"manifest.json) in {time.time() - started:.1f} s")
    return 3 if result.get("failures") else 0
