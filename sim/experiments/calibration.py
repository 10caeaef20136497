"""`ruralsim calibrate`: ABC-SMC fit (sim/experiments/calibration_fit.py), the chosen parameter set, and the report.

After the fit, the best (by replicate checks) of a local-linear emulator's best fit over the final ABC
population, that population's closest particles and the calibration being replaced is refined by backtracking Gauss-Newton steps on
replicate checks (`--from-report` redoes this from a report's stored particles without refitting); the posterior, diagnostics and figures go to
`calibration/report/` and the chosen values to `calibration/calibrated.toml` (sim/core/calibrated.py reads
them). This module is also the public face of the calibration: the names below are re-exported.
"""

import json
import os
import shutil
import time
from pathlib import Path

from ..core.calibrated import (CALIBRATED_FILE, CALIBRATION_DIR, ENV, calibrated_path, calibrated_values,  # noqa: F401
                         calibration_key, calibration_record, overlay_calibrated)
from .calibration_fit import _key, fit
from .calibration_summary import (_round, near_prior_edge, gauss_newton_step, summarise, distance_of,  # noqa: F401
                                  chosen_values, history_frames, starting_points, summarise_samples)
from ..core.errors import InputError
from .targets_check import (_plt, _relative, check_runs, check_targets, cmd_targets,  # noqa: F401
                            format_targets, target_table, targets_figure)

__all__ = ["CALIBRATED_FILE", "CALIBRATION_DIR", "ENV", "calibrated_path", "calibrated_values", "calibration_key",
           "calibration_record", "check_targets", "cmd_calibrate", "cmd_targets", "add_parsers", "fit",
           "overlay_calibrated", "run_calibration", "summarise", "target_table"]

REFINE_FRACTIONS = (1.0, 0.5, 0.25)  # step lengths tried in turn by each refinement step
FRESH_SEED_OFFSET = 2  # the final check's seed: the targets file's + 2 (the choice uses + 1)


# --- writing ----------------------------------------------------------------------------------------
def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(float(v)) if isinstance(v, float) else str(v)
    return json.dumps(str(v), ensure_ascii=False)


def calibrated_toml(spec, values: dict[str, float], provenance: dict) -> str:
    """The scenario-shaped calibrated values plus [provenance]."""
    from .targets import parameter_overrides

    overrides = parameter_overrides(spec, values)
    sections: dict[str, dict] = {}
    for key, value in overrides.items():
        section, _, name = key.partition(".")
        sections.setdefault(section, {})[name] = _round(value, 6)
    lines = ["# Calibrated parameter values, written by `ruralsim calibrate` (sim/experiments/calibration.py). Do not edit by",
             "# hand: re-run the calibration. Every scenario takes these values for the parameters it leaves out;",
             "# RURALSIM_CALIBRATED=0 switches them off. Provenance below; diagnostics in calibration/report/.", ""]
    lines.append("[provenance]")
    for k, v in provenance.items():
        if isinstance(v, dict):
            continue
        lines.append(f"{k} = {_toml_value(v)}")
    for k, v in provenance.items():
        if isinstance(v, dict):
            lines.append("")
            lines.append(f"[provenance.{k}]")
            for kk, vv in v.items():
                lines.append(f"{json.dumps(kk)} = {_toml_value(vv)}")
    for section, params in sections.items():
        lines.append("")
        lines.append(f"[{section}]")
        for name, value in params.items():
            lines.append(f"{name} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def write_atomic(path: Path, text: str) -> None:
    path = Path(path)
    tmp = path.parent / f".{path.name}.partial-{os.getpid()}"
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def run_calibration(targets_path=None, *, budget=None, seed=None, workers=None, out=None, scale=None,
                    population_size=None, max_generations=None, log=print, progress=False, force=False,
                    from_report=None) -> dict:
    """`ruralsim calibrate`: fit, check, and write report/, posterior files and calibrated.toml under `out`.
    `from_report`: a calibration report directory whose particles (posterior_all_generations.parquet,
    generations.csv, manifest.json) stand in for the fit: the choice, checks and report are redone."""
    import platform

    import matplotlib.pyplot as plt

    from ..ui import outputs
    from .results import git_commit
    from .cluster import connect
    from .targets import load_targets

    spec = load_targets(targets_path)
    if budget is not None and budget < 8:
        raise InputError(f"--budget: must be at least 8 model evaluations (got {budget})")
    if workers is not None and workers < 0:
        raise InputError(f"--workers: must be 0 (in this process) or more (got {workers})")
    if seed is not None and not (0 <= seed < 2**63):
        raise InputError(f"--seed: must be a non-negative integer (got {seed})")
    out = Path(out) if out is not None else CALIBRATION_DIR
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: exists and is not a directory")
    report_dir = out / "report"
    stored = _stored_fit(spec, Path(from_report)) if from_report is not None else None
    previous = _previous_values(spec, out / CALIBRATED_FILE.name)
    staging = outputs.prepare(report_dir, "calibration", force=force)
    client, close = None, None
    try:
        if workers != 0:
            client, close, executor = connect(workers=workers, dashboard=None)
        else:
            executor = {"kind": "in-process", "workers": 0}
        settings = spec.calibration
        budget_ = settings.budget if budget is None else budget
        seed_ = settings.seed if seed is None else seed
        if stored is None:
            bar = _bar(progress, budget_)
            log(f"calibrating {len(spec.parameters)} parameters to {len(spec.targets)} targets: ABC-SMC, budget "
                f"{budget_} evaluations, seed {seed_}, {executor.get('workers', '?')} worker(s)")
            result = fit(spec, budget=budget_, seed=seed_, client=client, scale=scale or "calibration",
                         population_size=population_size, max_generations=max_generations,
                         progress=(lambda: bar.update(1)) if bar else None, db_dir=staging)
            if bar:
                bar.close()
            summary = summarise_samples(spec, *history_frames(spec, result["history"]))
        else:
            result, samples, generations = stored
            summary = summarise_samples(spec, samples, generations)
            log(f"the fit of {from_report} ({result['evaluations_run']} evaluations): choosing and checking again")
        starts = starting_points(spec, summary) + ([("previous calibration", previous)] if previous else [])
        log(f"fit done in {result['wall_seconds'] / 60:.1f} min: {result['evaluations_run']} evaluations, "
            f"{len(summary['generations'])} generations; checking {len(starts)} starting points and the "
            f"refinement ({settings.check_replicates} replicates each)")
        check_started = time.time()
        steps, values, checks = [], None, None
        for label, start in starts:
            start_checks = check_runs(spec, start, replicates=settings.check_replicates, seed=seed_ + 1,
                                      scale=scale or "calibration", client=client)
            steps.append({"step": 0, "start": label, "fraction": 0.0, **start,
                          "distance": distance_of(spec, start_checks)})
            if checks is None or steps[-1]["distance"] < distance_of(spec, checks):
                values, checks = start, start_checks
        if summary["slopes"] is not None:
            for k in range(settings.refine_steps):
                improved = False
                for fraction in REFINE_FRACTIONS:  # backtracking: a full step, then shorter ones
                    candidate = gauss_newton_step(spec, values, summary["slopes"], checks, fraction)
                    cand_checks = check_runs(spec, candidate, replicates=settings.check_replicates,
                                             seed=seed_ + 1, scale=scale or "calibration", client=client)
                    steps.append({"step": k + 1, "start": "", "fraction": fraction, **candidate,
                                  "distance": distance_of(spec, cand_checks)})
                    if steps[-1]["distance"] < distance_of(spec, checks):
                        values, checks, improved = candidate, cand_checks, True
                        break
                if not improved:
                    break
        summary["summary"]["chosen"] = [values[p.name] for p in spec.parameters]
        # the edge flag judges what is shipped (the refined value), the emulator's own flag is kept beside it
        summary["summary"]["emulator_at_prior_edge"] = summary["summary"]["at_prior_edge"]
        summary["summary"]["at_prior_edge"] = [near_prior_edge(p, values[p.name]) for p in spec.parameters]
        summary["refinement"] = __import__("pandas").DataFrame(steps)
        table = target_table(spec, checks)
        # the choice above compared starts and steps on the same seeds, so its check flatters the winner
        # (a winner's curse); replicates on seeds it never saw measure the chosen values honestly
        fresh_checks = check_runs(spec, values, replicates=settings.check_replicates, seed=seed_ + FRESH_SEED_OFFSET,
                                  scale=scale or "calibration", client=client)
        fresh_table = target_table(spec, fresh_checks)
        check_seconds = time.time() - check_started
    finally:
        if close is not None:
            close()
    try:
        if result.get("db_path") is not None:
            result["db_path"].unlink(missing_ok=True)
        versions = {d: _version(d) for d in ("ruralsim", "pyabc", "numpy", "pandas", "scipy", "dask", "mesa")}
        versions["python"] = platform.python_version()
        provenance = {
            "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "method": f"ABC-SMC (pyabc {versions['pyabc']}), median epsilon, multivariate normal kernel",
            "seed": seed_, "budget": budget_, "evaluations": result["evaluations_run"],
            "generations": int(len(summary["generations"])), "population_size": result["population_size"],
            "git_commit": git_commit() or "unknown",
            "targets_file": _relative(spec.source), "targets_sha256": spec.sha256,
            "chosen": "the best by replicate checks of a local-linear emulator's best fit on the final ABC generation, that generation's two closest particles and the values of the calibrated.toml replaced (same targets), then Gauss-Newton steps on replicate checks, kept when they lower the distance",
            "fit_from_report": None if from_report is None else _relative(Path(from_report)),
            "scale": "calibration_scale of each run in the targets file" if scale is None else str(scale),
            "report": _relative(report_dir),
            "fresh_check": {"seed": seed_ + FRESH_SEED_OFFSET, "replicates": settings.check_replicates,
                            "distance": round(distance_of(spec, fresh_checks), 4),
                            "targets_met": f"{int(fresh_table['within_tolerance'].sum())} of {len(fresh_table)}"},
            "parameters": {name: value for name, value in values.items()},
        }
        samples, posterior = summary["samples"], summary["posterior"]
        samples.to_parquet(staging / "posterior_all_generations.parquet", index=False)
        posterior.to_csv(staging / "posterior.csv", index=False, float_format="%.6g")
        summary["generations"].to_csv(staging / "generations.csv", index=False, float_format="%.6g")
        summary["summary"].to_csv(staging / "parameters.csv", index=False, float_format="%.6g")
        summary["correlations"].to_csv(staging / "correlations.csv", float_format="%.4f")
        summary["emulator"].to_csv(staging / "emulator.csv", index=False, float_format="%.4f")
        summary["refinement"].to_csv(staging / "refinement.csv", index=False, float_format="%.6g")
        table.to_csv(staging / "check.csv", index=False, float_format="%.6g")
        checks.to_csv(staging / "check_runs.csv", index=False, float_format="%.8g")
        fresh_table.to_csv(staging / "check_fresh_seeds.csv", index=False, float_format="%.6g")
        from ..ui.plots.calibration import correlation_figure, generations_figure, prior_posterior_figure

        figures = {
            "prior_posterior.png": prior_posterior_figure(spec, summary),
            "correlations.png": correlation_figure(summary["correlations"]),
            "generations.png": generations_figure(summary["generations"]),
            "check.png": targets_figure(table, title="Chosen parameter set at calibration scale"),
        }
        for name, fig in figures.items():
            fig.savefig(staging / name, dpi=90)
            plt.close(fig)
        manifest = {
            "kind": "calibration", "provenance": provenance, "versions": versions, "executor": executor,
            "settings": {"population_size": result["population_size"], "max_generations": result["max_generations"],
                         "min_acceptance_rate": result["min_acceptance_rate"]},
            "wall_seconds": {"fit": round(result["wall_seconds"], 1), "check": round(check_seconds, 1)},
            "runs": {name: run.model_dump() for name, run in spec.runs.items()},
            "priors": [p.model_dump() for p in spec.parameters],
        }
        manifest["files"] = sorted(p.name for p in staging.iterdir()) + ["manifest.json"]
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
        outputs.commit(staging, report_dir, "calibration")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    write_atomic(out / "calibrated.toml", calibrated_toml(spec, values, provenance))
    return {"values": values, "summary": summary, "table": table, "fresh_table": fresh_table,
            "provenance": provenance, "out": out,
            "wall_seconds": result["wall_seconds"], "evaluations": result["evaluations_run"]}


def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"


def _bar(progress: bool, total: int):
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc="calibrate", unit="run", disable=None, smoothing=0.05)


def _previous_values(spec, path: Path) -> dict[str, float] | None:
    """The values of the calibrated.toml this run replaces, when it was fitted to the same targets: one more
    start for the refinement. A fit's ABC population can miss a narrow ridge (the register's extra against
    the illness rate) that an earlier fit found; checked with the same replicates as the other starts, the
    earlier point is kept only if it fits better, and refinement.csv says which start won."""
    import tomllib

    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    provenance = raw.get("provenance", {})
    values = provenance.get("parameters", {})
    if provenance.get("targets_sha256") != spec.sha256 or any(p.name not in values for p in spec.parameters):
        return None
    return {p.name: float(values[p.name]) for p in spec.parameters}


def _stored_fit(spec, directory: Path):
    """(fit result, particles, generations) from a calibration report directory, for `--from-report`."""
    import pandas as pd

    files = [directory / name for name in ("posterior_all_generations.parquet", "generations.csv", "manifest.json")]
    missing = [f.name for f in files if not f.is_file()]
    if missing:
        raise InputError(f"--from-report {directory}: not a calibration report (missing {', '.join(missing)})")
    manifest = json.loads(files[2].read_text(encoding="utf-8"))
    provenance = manifest.get("provenance", {})
    if provenance.get("targets_sha256") != spec.sha256:
        raise InputError(f"--from-report {directory}: fitted to another targets file (its sha256 "
                         f"{str(provenance.get('targets_sha256'))[:12]}..., this one {spec.sha256[:12]}...)")
    samples = pd.read_parquet(files[0])
    names = [p.name for p in spec.parameters] + [f"sim:{t.id}" for t in spec.targets]
    absent = [n for n in names if n not in samples.columns]
    if absent:
        raise InputError(f"--from-report {directory}: its particles lack {', '.join(absent[:3])}")
    result = {"evaluations_run": provenance.get("evaluations"), "wall_seconds": manifest["wall_seconds"]["fit"],
              "population_size": manifest["settings"]["population_size"],
              "max_generations": manifest["settings"]["max_generations"],
              "min_acceptance_rate": manifest["settings"]["min_acceptance_rate"], "db_path": None}
    return result, samples, pd.read_csv(files[1])


def add_parsers(sub) -> None:
    """`ruralsim calibrate` and `ruralsim targets`."""
    cal = sub.add_parser("calibrate", help="calibrate the free parameters to the seed statistics (ABC-SMC)")
    cal.add_argument("--targets", type=Path, help="targets file (default: calibration/targets.toml)")
    cal.add_argument("--budget", type=int, help="model evaluations (default: the targets file's, 1,000)")
    cal.add_argument("--seed", type=int, help="root seed (default: the targets file's)")
    cal.add_argument("--workers", type=int,
                     help="Dask worker processes on this machine (default: one per core; 0 = in this process)")
    cal.add_argument("--out", type=Path,
                     help="directory for calibrated.toml and report/ (default: calibration/, which the "
                          "shipped scenarios read)")
    cal.add_argument("--scale", type=float, help="one scale for every run instead of each run's calibration_scale")
    cal.add_argument("--force", action="store_true", help="also replace a report/ that a ruralsim without the "
                     "output marker wrote (never one holding files ruralsim did not write)")
    cal.add_argument("--quiet", action="store_true", help="no progress bar or table")
    cal.add_argument("--from-report", type=Path, metavar="DIR",
                     help="skip the fit: choose, check and refine again from the particles a calibration report "
                          "stored (e.g. a copy of calibration/report)")

    tgt = sub.add_parser("targets", help="compare simulated values with the calibration targets")
    tgt.add_argument("scenario", nargs="?", help="scenario TOML file (default: the shipped baseline); its "
                                                 "parameters are run in every target region")
    tgt.add_argument("--replicates", type=int, default=5, help="replicates per target run (default: 5)")
    tgt.add_argument("--json", action="store_true", help="print targets.json to stdout instead of the table")
    tgt.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    tgt.add_argument("--scale", type=float, help="scale of every run (default: each run's check_scale, full scale)")
    tgt.add_argument("--posterior-draws", type=int, default=20,
                     help="also run this many posterior draws at calibration scale, when calibration/report/"
                          "posterior.csv exists (default: 20; 0 = none)")
    tgt.add_argument("--workers", type=int, default=0, help="Dask worker processes (default: 0, in this process)")
    tgt.add_argument("--targets", type=Path, help="targets file (default: calibration/targets.toml)")
    tgt.add_argument("--out", help="output directory (default: results/targets-<scenario name>); replaced only "
                     "when it holds an earlier ruralsim targets output")
    tgt.add_argument("--force", action="store_true", help="also replace a ruralsim output of another kind or "
                     "written without a marker (never a directory holding files ruralsim did not write)")


def cmd_calibrate(args) -> int:
    if args.scale is not None and not (0 < args.scale <= 1):
        raise InputError(f"--scale: must be in (0, 1] (got {args.scale})")
    result = run_calibration(args.targets, budget=args.budget, seed=args.seed, workers=args.workers, out=args.out,
                             scale=args.scale, log=(lambda m: None) if args.quiet else print,
                             progress=not args.quiet, force=args.force, from_report=args.from_report)
    if not args.quiet:
        columns = ["parameter", "chosen", "posterior_p05", "posterior_p95", "contraction"]
        print(result["summary"]["summary"][[c for c in columns if c in result["summary"]["summary"]]]
              .to_string(index=False))
        print(format_targets(result["table"]))
        fresh = result["provenance"]["fresh_check"]
        print(f"on {fresh['replicates']} replicates with seeds the choice never saw: distance {fresh['distance']}, "
              f"{fresh['targets_met']} targets within tolerance")
        print(format_targets(result["fresh_table"]))
    print(f"wrote {result['out'] / 'calibrated.toml'} and {result['out'] / 'report'}/ "
          f"({result['evaluations']} evaluations, {result['wall_seconds'] / 60:.1f} min)")
    return 0
