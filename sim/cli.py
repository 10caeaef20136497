"""`ruralsim` command line: run and check scenarios.

Bad input of any kind ends with one line on stderr and exit code 2; nothing half-written is left
behind. An unexpected failure prints one line pointing to a saved traceback and exits 1.
"""

import argparse
import shutil
import sys
import tempfile
import traceback
from pathlib import Path

from .calibration import add_parsers as add_calibration_parsers
from .calibration import cmd_calibrate, cmd_targets
from .errors import InputError
from .sweep_cli import add_parsers as add_sweep_parsers
from .sweep_cli import cmd_sensitivity, cmd_sweep

EXIT_INPUT = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2 (argparse would print the usage block too)
        raise InputError(f"{self.prog}: {message} (see '{self.prog} --help')")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ruralsim", description="Agent-based simulation of rural revitalisation policy in Shanxi.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = sub.add_parser("run", help="run a scenario and write indicators, figures and a manifest")
    run.add_argument("scenario", nargs="?", help="scenario TOML file (default: the shipped Xinzhou baseline)")
    run.add_argument("--out", type=Path, help="output directory (default: results/<scenario name>)")
    run.add_argument("--seed", type=int, help="root seed (replicate seeds are spawned from it)")
    run.add_argument("--replicates", type=int, help="number of replicates")
    run.add_argument("--scale", type=float, help="share of households simulated, in (0, 1]")
    run.add_argument("--years", type=int, help="horizon in years")
    run.add_argument("--region", help="region profile: xinzhou, shanxi or rucheng")
    run.add_argument("--quiet", action="store_true", help="no progress bar or summary table")

    compare = sub.add_parser("compare", help="run scenarios on common random numbers and compare them with a base")
    compare.add_argument("base", help="base scenario TOML file (its [run] settings apply to all)")
    compare.add_argument("alternatives", nargs="+", metavar="ALT", help="scenario TOML files to compare with the base")
    compare.add_argument("--replicates", type=int, help="replicates per scenario (default: 10)")
    compare.add_argument("--seed", type=int, help="root seed shared by all scenarios")
    compare.add_argument("--scale", type=float, help="share of households simulated, in (0, 1]")
    compare.add_argument("--years", type=int, help="horizon in years")
    compare.add_argument("--region", help="region profile: xinzhou, shanxi or rucheng")
    compare.add_argument("--out", type=Path, help="output directory (default: results/compare-<base>)")
    compare.add_argument("--quiet", action="store_true", help="no progress bar or table")

    check = sub.add_parser("check", help="validate a scenario file without running it")
    check.add_argument("scenario", help="scenario TOML file")
    dashboard = sub.add_parser("dashboard", help="serve the planners' dashboard in the browser "
                               "(needs the [dashboard] extra)")
    dashboard.add_argument("--port", type=int, default=8765,
                           help="port to serve on (default: 8765; 0 picks a free one)")
    dashboard.add_argument("--host", default="localhost", help="address to listen on (default: localhost)")
    dashboard.add_argument("--region", default="xinzhou", help="region profile: xinzhou, shanxi or rucheng")
    dashboard.add_argument("--scale", type=float, help="share of households simulated, in (0, 1] "
                           "(default: about 20,000 households, e.g. 0.02 for Xinzhou)")
    dashboard.add_argument("--open", action="store_true", help="open the page in the default web browser")
    add_sweep_parsers(sub)  # sweep, sensitivity
    add_calibration_parsers(sub)  # calibrate, targets
    return parser


def cmd_run(args) -> int:
    from . import outputs
    from .results import resolve, run

    scenario = resolve(args.scenario, seed=args.seed, replicates=args.replicates, scale=args.scale,
                       years=args.years, region=args.region)
    out_dir = args.out or Path("results") / scenario.name
    staging = outputs.prepare(out_dir)
    try:
        result = run(scenario, progress=not args.quiet)
        outputs.write_run(result, staging)
        outputs.commit(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if not args.quiet:
        print(format_summary(result))
    print(f"wrote {out_dir}/ ({', '.join(result.manifest['files'])}) in {result.manifest['wall_seconds']:.1f} s")
    return 0


def cmd_compare(args) -> int:
    from . import outputs
    from .compare import compare
    from .results import resolve

    base = resolve(args.base)
    for alt in args.alternatives:  # validate every file before any run starts
        resolve(alt)
    out_dir = args.out or Path("results") / f"compare-{base.name}"
    staging = outputs.prepare(out_dir)
    try:
        comparison = compare(args.base, args.alternatives, replicates=args.replicates, seed=args.seed,
                             scale=args.scale, years=args.years, region=args.region, progress=not args.quiet)
        manifest = dict(comparison.base.manifest)
        manifest["alternatives"] = [r.manifest["scenario"] for r in comparison.alternatives]
        outputs.write_comparison(comparison, staging, manifest)
        outputs.commit(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    if not args.quiet:
        print(format_comparison(comparison))
    print(f"wrote {out_dir}/ ({', '.join(manifest['files'])})")
    return 0


def format_comparison(comparison) -> str:
    """Per alternative: base, alternative and the paired difference with its 90% interval (horizon)."""
    run = comparison.base.scenario.run
    lines = [f"scenario − {comparison.base.scenario.name}: {run.replicates} paired replicates, scale {run.scale}, "
             f"{run.years} years from {run.start_month}; horizon values (flows summed, stocks averaged); "
             "* = 90% interval excludes zero"]
    expected = {(r.scenario, r.indicator): r for r in comparison.expectations.itertuples()} \
        if not comparison.expectations.empty else {}
    from .results import indicator_catalogue

    order = {n: k for k, n in enumerate(indicator_catalogue())}
    for name, frame in comparison.horizon().groupby("scenario", sort=False):
        frame = frame.sort_values("indicator", key=lambda s: s.map(order))
        lines.append("")
        lines.append(f"{name}")
        width = max(len(i) for i in frame["indicator"])
        lines.append(f"  {'indicator':<{width}}  {'base':>14}  {'scenario':>14}  {'difference [90% interval]':>40}")
        for r in frame.itertuples():
            star = "*" if (r.diff_low > 0 or r.diff_high < 0) else " "
            interval = f"{_fmt(r.diff)} [{_fmt(r.diff_low)}, {_fmt(r.diff_high)}]{star}"
            note = ""
            if (name, r.indicator) in expected:
                e = expected[(name, r.indicator)]
                note = f"  expected {e.direction}: {'met' if e.interval_excludes_zero else 'NOT met'}"
            lines.append(f"  {r.indicator:<{width}}  {_fmt(r.base):>14}  {_fmt(r.alternative):>14}  {interval:>40}{note}")
    if not comparison.costs.empty:
        lines.append("")
        lines.append("fiscal cost against returns to poverty (horizon):")
        for r in comparison.costs.itertuples():
            price = f"; {_fmt(r.yuan_per_return)} yuan {r.reading}" if r.reading else ""
            lines.append(f"  {r.scenario}: cost {_fmt(r.cost_change_yuan)} yuan, returns to poverty "
                         f"{_fmt(r.returns_to_poverty_change)} households{price}")
    return "\n".join(lines)


def cmd_check(args) -> int:
    from .scenario import load_scenario

    scenario = load_scenario(args.scenario)
    run = scenario.run
    print(f"{args.scenario}: ok (scenario '{scenario.name}', region {run.region}, {run.years} years from "
          f"{run.start_month}, scale {run.scale}, {run.replicates} replicate(s))")
    return 0


def cmd_dashboard(args) -> int:
    from .dashboard.serve import serve

    return serve(port=args.port, host=args.host, region=args.region, scale=args.scale, open_browser=args.open)


def format_summary(result) -> str:
    """The summary table for the terminal: first and last full year, mean [90% interval]."""
    table = result.summary()
    years = sorted({c.split("_")[-1] for c in table.columns if c.startswith("mean_")})
    name_width = max(len(n) for n in table.index)
    replicates = result.indicators["replicate"].nunique()
    head = f"{result.scenario.name} - {result.manifest['region']['title']}, {replicates} replicate(s), " \
           f"scale {result.scenario.run.scale}; annual values (flows summed, stocks at year end)"
    lines = [head, f"{'indicator':<{name_width}}  " + "  ".join(f"{y:>28}" for y in years) + "  unit"]
    for name, row in table.iterrows():
        cells = []
        for y in years:
            mean, lo, hi = row[f"mean_{y}"], row[f"p05_{y}"], row[f"p95_{y}"]
            cell = _fmt(mean) + (f" [{_fmt(lo)}, {_fmt(hi)}]" if replicates > 1 else "")
            cells.append(f"{cell:>28}")
        lines.append(f"{name:<{name_width}}  " + "  ".join(cells) + f"  {row['unit']}")
    return "\n".join(lines)


def _fmt(value: float) -> str:
    if value != value:  # NaN
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:,.1f}"
    return f"{value:.3f}"


COMMANDS = {"run": cmd_run, "compare": cmd_compare, "check": cmd_check, "sweep": cmd_sweep,
            "sensitivity": cmd_sensitivity, "calibrate": cmd_calibrate, "targets": cmd_targets,
            "dashboard": cmd_dashboard}


def main(argv=None) -> int:
    try:
        args = _parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INPUT
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
