"""`ruralsim sweep` and `ruralsim sensitivity`: the subcommands, kept apart from cli.py (which only
registers them). Heavy imports (pandas, Dask, SALib) happen inside the commands."""

import sys
import time
from pathlib import Path

from ..core.errors import InputError, WriteError

EXIT_FAILED_RUNS = 3  # the sweep finished but some runs failed after their retries


def add_parsers(sub) -> None:
    sweep = sub.add_parser("sweep", help="run a parameter sweep on Dask (resumable Parquet dataset)")
    sweep.add_argument("spec", help="sweep spec TOML file (see docs/sweeps.md)")
    _store_options(sweep, "results/sweep-<name>")
    sens = sub.add_parser("sensitivity", help="Sobol indices or Morris screening of a spec's ranges, on Dask")
    sens.add_argument("spec", help="sweep spec TOML file with ranges and a [sensitivity] table")
    _store_options(sens, "results/sensitivity-<name>")


def _store_options(parser, default_out: str) -> None:
    """The cluster's options, and how the runs are batched into the store and retried."""
    add_cluster_options(parser, default_out)
    parser.add_argument("--batch-size", type=int, default=100, help="runs per Parquet part file (default: 100)")
    parser.add_argument("--retries", type=int, default=2, help="retries of a run that raises (default: 2)")


def add_cluster_options(parser, default_out: str) -> None:
    """The options of every command that runs on the Dask cluster (sweep, sensitivity, optimize, discover):
    its output directory, where the workers come from (local processes, a running scheduler or SLURM jobs
    with their lifetimes) and --quiet; one definition so the four commands cannot drift apart."""
    parser.add_argument("--out", help=f"output directory, resumed if it holds this spec's runs (default: "
                        f"{default_out}); never a directory holding other files")
    parser.add_argument("--workers", type=int, help="local worker processes, one thread each (default: one per core)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="use a running Dask scheduler, e.g. tcp://host:8786")
    parser.add_argument("--slurm", action="store_true", help="start Dask workers as SLURM jobs (dask-jobqueue)")
    slurm = parser.add_argument_group("SLURM options (with --slurm)")
    slurm.add_argument("--queue", help="partition (sbatch -p)")
    slurm.add_argument("--account", help="account to charge (sbatch -A)")
    slurm.add_argument("--cores", type=int, help="cores per job = worker processes per job (default: 8)")
    slurm.add_argument("--memory", help="memory per job, e.g. 16GB (default: 16GB)")
    slurm.add_argument("--walltime", help="time limit per job, HH:MM:SS (default: 01:00:00)")
    slurm.add_argument("--jobs", type=int, help="number of jobs (default: 1)")
    add_lifetime_options(slurm)
    parser.add_argument("--quiet", action="store_true", help="no progress bar or table")


SLURM_KEYS = ("queue", "account", "cores", "memory", "walltime", "jobs", "lifetime", "lifetime_stagger",
              "adapt_max_jobs")


def add_lifetime_options(group) -> None:
    """Worker lifetimes and adaptive scaling, so a long sweep survives job walltimes (issue 16)."""
    group.add_argument("--lifetime", help="a worker retires after this long (e.g. 55m), handing its tasks over; "
                       "keep it below --walltime")
    group.add_argument("--lifetime-stagger", help="random spread of the lifetimes (e.g. 4m), so workers do not "
                       "all retire at once")
    group.add_argument("--adapt-max-jobs", type=int, help="adaptive scaling: keep between --jobs and this many "
                       "jobs, starting new jobs as workers retire or work queues")


def slurm_options(args):
    """The SlurmOptions of the command line, or None without --slurm (a SLURM option alone is an error)."""
    from ..experiments.cluster import SlurmOptions

    given = {k: getattr(args, k) for k in SLURM_KEYS if getattr(args, k, None) is not None}
    if given and not args.slurm:
        raise InputError(f"--{next(iter(given)).replace('_', '-')}: a SLURM option; add --slurm")
    return SlurmOptions(**given) if args.slurm else None


def _sweep_options(args) -> dict:
    options = {"workers": args.workers, "scheduler": args.scheduler, "batch_size": args.batch_size,
               "retries": args.retries, "progress": not args.quiet, "slurm": slurm_options(args)}
    if not args.quiet:
        options["log"] = lambda message: print(message, file=sys.stderr)
    return options


def _run(args, kind: str):
    from ..experiments.sweep import check_options
    from ..experiments.sweep_plan import plan

    options = _sweep_options(args)
    check_options(**{k: options[k] for k in ("workers", "scheduler", "slurm", "batch_size", "retries")})
    p = plan(args.spec, kind)  # the whole spec is checked before any cluster starts
    out = Path("results") / f"{kind}-{p.spec.name}" if args.out is None else args.out
    from .outputs import check_path

    out = check_path(out)
    started = time.time()
    try:
        if kind == "sweep":
            from ..experiments.sweep import run_sweep

            return p, out, run_sweep(p, out=out, kind=kind, **options), started
        from ..experiments.sensitivity import run_sensitivity

        return p, out, run_sensitivity(p, out=out, **options), started
    except OSError as exc:  # disk full, permission lost: finished batches are whole files, the rest is not there
        raise WriteError(f"cannot write {out}/: {exc.strerror or exc}; {_saved(out, p)} of {len(p.runs)} runs were "
                         f"saved there before the failure, the others were not; free space or fix permissions "
                         "and run the same command again to resume") from None
    except KeyboardInterrupt:
        saved = _saved(out, p)
        print(f"interrupted: {saved} of {len(p.runs)} runs saved in {out}/; run the same command again to resume",
              file=sys.stderr)
        raise SystemExit(130) from None


def _saved(out, p) -> int:
    from ..experiments.sweep_store import Store

    try:
        return len(Store(out, p).finished_ids()) if (Path(out) / "results").is_dir() else 0
    except Exception:  # noqa: BLE001 - only for the message
        return 0


def _report(p, out, results, started) -> int:
    failures = results.attrs.get("failures", [])
    runs = results["run_id"].nunique() if len(results) else 0
    print(f"wrote {out}/ ({runs} of {len(p.runs)} runs: {len(p.design)} design points x {p.replicates} "
          f"replicates; results/ is a Parquet dataset, manifest.json) in {time.time() - started:.1f} s")
    if failures:
        print(f"warning: {len(failures)} run(s) failed after retries, e.g. run {failures[0]['run_id']}: "
              f"{failures[0]['error']} (all in {out}/failures.csv; run again to retry them)", file=sys.stderr)
        return EXIT_FAILED_RUNS
    return 0


def cmd_sweep(args) -> int:
    """Run the sweep, then draw the response figures beside its dataset (also when some runs failed)."""
    from . import outputs

    try:
        p, out, results, started = _run(args, "sweep")
    except SystemExit as stop:
        return int(stop.code)
    code = _report(p, out, results, started)
    try:
        files = outputs.write_sweep_figures(out)
    except OSError as exc:
        raise WriteError(f"the sweep's results are complete in {out}/, but its figures could not be written there "
                         f"({exc.strerror or exc}); free space and run the same command again to draw them") from None
    if not args.quiet:
        print(f"figures: {', '.join(f.name for f in files)}")
    return code


def cmd_sensitivity(args) -> int:
    from ..experiments import sensitivity

    try:
        p, out, result, started = _run(args, "sensitivity")
    except SystemExit as stop:
        return int(stop.code)
    except sensitivity.IncompleteSweep as exc:  # failed runs leave design points without results
        print(f"error: sensitivity: {exc}", file=sys.stderr)
        return EXIT_FAILED_RUNS
    try:
        files = sensitivity.write(result, out)
    except OSError as exc:
        raise WriteError(f"the runs are complete in {out}/, but sensitivity.csv and sensitivity.png could not be "
                         f"written there ({exc.strerror or exc}); free space and run the same command again") from None
    if not args.quiet:
        print(sensitivity.format_table(result.table, result.method, p.spec.sensitivity.confidence))
    _report(p, out, result.results, started)
    print(f"ranked indices: {files[0]}, figure: {files[1]}")
    return 0
