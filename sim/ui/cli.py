"""`ruralsim` command line: run and check scenarios.

Bad input of any kind ends with one line on stderr and exit code 2; nothing half-written is left
behind. An unexpected failure prints one line pointing to a saved traceback and exits 1.
"""

import argparse
import sys
import tempfile
import traceback
from pathlib import Path

from ..experiments.calibration import add_parsers as add_calibration_parsers
from ..experiments.calibration import cmd_calibrate, cmd_targets
from ..core.errors import InputError, WriteError
from ..core.regions import check_scale
from .sweep_cli import add_parsers as add_sweep_parsers
from .sweep_cli import cmd_sensitivity, cmd_sweep
from .optimize_cli import add_parsers as add_optimize_parsers  # issue 16: optimize, discover
from .optimize_cli import cmd_discover, cmd_optimize
from .places_cli import add_place_options, add_region_parser, cmd_region  # issue 17: counties, --by, --lang
from .i18n import term
from .terminal_text import format_comparison, format_summary  # noqa: F401 (format_comparison: also for tests)

EXIT_INPUT = 2
SET_HELP = ("set a parameter, e.g. --set workshops.subsidy_per_worker_year_yuan=750 (repeatable; the value is read as "
            "TOML: numbers, true/false, \"text\" or text, { 2021-01 = 1500, 2026-01 = 750 } for a dated schedule)")


def add_worker_options(parser) -> None:
    parser.add_argument("--workers", type=int, help="run replicates on N local processes (default: 1, serial); "
                        "the results are identical to a serial run")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="run replicates on the Dask scheduler at ADDRESS "
                        "(e.g. tcp://10.0.0.5:8786, the cluster `ruralsim sweep --scheduler` uses)")


def settings(args) -> dict:
    """--set KEY=VALUE options as overrides {key: value}, in order (a repeated key: the last wins)."""
    from ..core.scenario import parse_setting

    return dict(parse_setting(text) for text in getattr(args, "set", None) or [])


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2 (argparse would print the usage block too)
        raise InputError(f"{self.prog}: {message} (see '{self.prog} --help')")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ruralsim", description="Agent-based simulation of rural revitalisation policy in Shanxi.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="run a scenario and write indicators, figures and a manifest")
    run.add_argument("scenario", nargs="?", help="scenario TOML file (default: the shipped Xinzhou baseline)")
    run.add_argument("--out", help="output directory (default: results/<scenario name>); replaced only when it "
                     "holds an earlier ruralsim run output")
    run.add_argument("--force", action="store_true", help="also replace a ruralsim output of another kind or "
                     "written without a marker (never a directory holding files ruralsim did not write)")
    run.add_argument("--seed", type=int, help="root seed (replicate seeds are spawned from it)")
    run.add_argument("--replicates", type=int, help="number of replicates")
    run.add_argument("--scale", type=float, help="share of households simulated, in (0, 1]")
    run.add_argument("--years", type=int, help="horizon in years")
    run.add_argument("--region", help="region profile: xinzhou, shanxi or rucheng")
    run.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help=SET_HELP)
    add_worker_options(run)
    run.add_argument("--microdata", action="append", metavar="YYYY-MM", help="also write every simulated household "
                     "at the end of this month (repeatable; 'end' for the last month) as households_YYYY-MM.parquet")
    run.add_argument("--quiet", action="store_true", help="no progress bar or summary table")
    add_place_options(run)

    compare = sub.add_parser("compare", help="run scenarios on common random numbers and compare them with a base")
    compare.add_argument("base", help="base scenario TOML file (its [run] settings apply to all)")
    compare.add_argument("alternatives", nargs="+", metavar="ALT", help="scenario TOML files to compare with the base")
    compare.add_argument("--replicates", type=int, help="replicates per scenario (default: 10)")
    compare.add_argument("--seed", type=int, help="root seed shared by all scenarios")
    compare.add_argument("--scale", type=float, help="share of households simulated, in (0, 1]")
    compare.add_argument("--years", type=int, help="horizon in years")
    compare.add_argument("--region", help="region profile: xinzhou, shanxi or rucheng")
    compare.add_argument("--out", help="output directory (default: results/compare-<base>); replaced only when it "
                         "holds an earlier ruralsim compare output")
    compare.add_argument("--force", action="store_true", help="also replace a ruralsim output of another kind or "
                         "written without a marker (never a directory holding files ruralsim did not write)")
    compare.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                         help=SET_HELP + "; applies to the base and every alternative")
    add_worker_options(compare)
    compare.add_argument("--quiet", action="store_true", help="no progress bar or table")
    add_place_options(compare)

    check = sub.add_parser("check", help="validate a scenario file without running it")
    check.add_argument("scenario", help="scenario TOML file")
    check.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help=SET_HELP)
    check.add_argument("--lang", choices=["en", "zh"], default="en", help="parameter names in en (default) or zh")
    dashboard = sub.add_parser("dashboard", help="serve the planners' dashboard in the browser "
                               "(needs the [dashboard] extra)")
    dashboard.add_argument("--port", type=int, default=8765,
                           help="port to serve on (default: 8765; 0 picks a free one)")
    dashboard.add_argument("--host", default="localhost", help="address to listen on (default: localhost)")
    dashboard.add_argument("--region", default="xinzhou", help="region profile: xinzhou, shanxi or rucheng")
    dashboard.add_argument("--scale", type=float, help="share of households simulated, in (0, 1] "
                           "(default: about 20,000 households, e.g. 0.02 for Xinzhou)")
    dashboard.add_argument("--open", action="store_true", help="open the page in the default web browser")
    validate = sub.add_parser("validate", help="run the baseline and write docs/validation.md: the baseline beside "
                              "public figures it was not fitted to")
    validate.add_argument("--replicates", type=int, default=5, help="Xinzhou replicates (default: 5)")
    validate.add_argument("--scale", type=float, default=1.0, help="Xinzhou scale (default: 1, full scale)")
    validate.add_argument("--shanxi-scale", type=float, default=0.02, help="Shanxi scale (default: 0.02)")
    validate.add_argument("--shanxi-replicates", type=int, default=2, help="Shanxi replicates (default: 2)")
    validate.add_argument("--no-shanxi", action="store_true", help="skip the provincial run")
    add_region_parser(sub)  # issue 17: the region table
    add_sweep_parsers(sub)  # sweep, sensitivity
    add_calibration_parsers(sub)  # calibrate, targets
    add_optimize_parsers(sub)  # optimize, discover
    return parser


def cmd_run(args) -> int:
    from . import outputs
    from ..experiments.results import resolve, run

    overrides = settings(args)
    from ..experiments.parallel import check_workers

    check_workers(args.workers, args.scheduler)
    scenario = resolve(args.scenario, overrides=overrides, source="--set", seed=args.seed,
                       replicates=args.replicates, scale=args.scale, years=args.years, region=args.region,
                       by=args.by)
    check_scale(scenario)
    from ..experiments.microdata import check_months

    months = check_months(args.microdata, scenario.run.start_month, scenario.run.years)
    out_dir = outputs.check_target(Path("results") / scenario.name if args.out is None else args.out, "run",
                                   force=args.force)  # before the run: a bad --out fails at once
    result = run(scenario, workers=args.workers, scheduler=args.scheduler, microdata=months,
                 progress=not args.quiet)
    result.manifest["overrides"] = overrides
    with outputs.staged(out_dir, "run", force=args.force) as staging:
        outputs.write_run(result, staging, lang=args.lang)
    if not args.quiet:
        print(format_summary(result, args.lang))
    from ..core.budget import summary_lines  # issue 16: spending against the [budget] envelopes, when set

    for line in summary_lines(result, lang=args.lang):
        print(line)
    print(term("wrote_seconds", args.lang, out=out_dir, files=", ".join(result.manifest["files"]),
               seconds=result.manifest["wall_seconds"]))
    return 0


def cmd_compare(args) -> int:
    from . import outputs
    from ..experiments.compare import compare
    from ..experiments.results import resolve

    from ..experiments.parallel import check_workers

    check_workers(args.workers, args.scheduler)
    overrides = settings(args)
    base = resolve(args.base, overrides=overrides, source="--set")
    for alt in args.alternatives:  # validate every file before any run starts
        resolve(alt, overrides=overrides, source="--set")
    check_scale(resolve(base, scale=args.scale, region=args.region))  # the scale floor, for the command line
    out_dir = outputs.check_target(Path("results") / f"compare-{base.name}" if args.out is None else args.out,
                                   "compare", force=args.force)
    comparison = compare(args.base, args.alternatives, overrides=overrides, workers=args.workers,
                         scheduler=args.scheduler, replicates=args.replicates, seed=args.seed,
                         scale=args.scale, years=args.years, region=args.region, by=args.by, progress=not args.quiet,
                         warn=lambda message: print(f"warning: {message}", file=sys.stderr))
    manifest = dict(comparison.base.manifest)
    manifest["alternatives"] = [r.manifest["scenario"] for r in comparison.alternatives]
    with outputs.staged(out_dir, "compare", force=args.force) as staging:
        outputs.write_comparison(comparison, staging, manifest, lang=args.lang)
    if not args.quiet:
        print(format_comparison(comparison, args.lang))
    from ..core.budget import summary_lines  # issue 16: spending against the [budget] envelopes, when set

    for result in (comparison.base, *comparison.alternatives):
        for line in summary_lines(result, lang=args.lang):
            print(line)
    print(term("wrote", args.lang, out=out_dir, files=", ".join(manifest["files"])))
    return 0


def cmd_check(args) -> int:
    from ..core.scenario import load_scenario

    from ..experiments.results import resolve

    scenario = resolve(load_scenario(args.scenario), overrides=settings(args), source="--set")
    check_scale(scenario, str(args.scenario))
    run = scenario.run
    print(f"{args.scenario}: ok (scenario '{scenario.name}', region {run.region}, {run.years} years from "
          f"{run.start_month}, scale {run.scale:g}, {run.replicates} replicate(s))")
    from ..core.schedules import describe

    for line in describe(scenario):
        print(f"schedule: {line}")
    differ = differences_from_baseline(scenario)
    if differ:
        print(f"parameters that differ from the calibrated baseline ({len(differ)}):")
        from .i18n import display_width, ljust, parameter_label

        names = {key: parameter_label(key, args.lang) for key in differ}
        width = max(display_width(n) for n in names.values())
        for key, (value, base) in differ.items():
            print(f"  {ljust(names[key], width)}  {value!r}  (baseline {base!r})")
    else:
        print("no parameter differs from the calibrated baseline")
    return 0


def differences_from_baseline(scenario) -> dict[str, tuple]:
    """{section.key: (scenario's value, calibrated baseline's)} for every parameter that differs; the
    descriptive keys (name, description, question, expect) are left out."""
    from ..core.scenario import default_scenario

    def flat(data: dict, prefix: str = "") -> dict:
        out = {}
        for key, value in data.items():
            if isinstance(value, dict):
                out.update(flat(value, f"{prefix}{key}."))
            else:
                out[f"{prefix}{key}"] = value
        return out

    skip = {"name", "description", "question", "expect"}
    mine = flat({k: v for k, v in scenario.model_dump().items() if k not in skip})
    base = flat({k: v for k, v in default_scenario().model_dump().items() if k not in skip})
    return {k: (v, base.get(k)) for k, v in mine.items() if base.get(k) != v}


def cmd_dashboard(args) -> int:
    from .dashboard.serve import serve

    return serve(port=args.port, host=args.host, region=args.region, scale=args.scale, open_browser=args.open)


def cmd_validate(args) -> int:
    from ..experiments import validation

    if args.replicates < 1 or not 0 < args.scale <= 1 or not 0 < args.shanxi_scale <= 1:
        raise InputError("validate: --replicates must be at least 1 and the scales in (0, 1]")
    argv = ["--replicates", str(args.replicates), "--scale", str(args.scale), "--shanxi-scale",
            str(args.shanxi_scale), "--shanxi-replicates", str(args.shanxi_replicates)]
    return validation.main(argv + (["--no-shanxi"] if args.no_shanxi else []))


COMMANDS = {"run": cmd_run, "compare": cmd_compare, "check": cmd_check, "sweep": cmd_sweep,
            "sensitivity": cmd_sensitivity, "calibrate": cmd_calibrate, "targets": cmd_targets,
            "dashboard": cmd_dashboard, "validate": cmd_validate, "optimize": cmd_optimize, "discover": cmd_discover,
            "region": cmd_region}


def main(argv=None) -> int:
    try:
        args = _parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except WriteError as exc:  # disk full, permission lost: what was and was not written
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; no output was written", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug, not bad input: keep the traceback, show one line
        log = Path(tempfile.gettempdir()) / "ruralsim-error.log"
        log.write_text(traceback.format_exc(), encoding="utf-8")
        print(f"internal error: {exc.__class__.__name__}: {exc} (traceback in {log})", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
