"""`ruralsim calibrate`: ABC-SMC fit (sim/experiments/calibration_fit.py), the chosen parameter set, and the report.

After the fit, a local-linear emulator over the final ABC population gives the point estimate, which
backtracking Gauss-Newton steps on replicate checks refine; the posterior, diagnostics and figures go to
`calibration/report/` and the chosen values to `calibration/calibrated.toml` (sim/core/calibrated.py reads
them). This module is also the public face of the calibration: the names below are re-exported.
"""

import json
import math
import os
import shutil
import time
from pathlib import Path
from typing import Any

from ..core.calibrated import (CALIBRATED_FILE, CALIBRATION_DIR, ENV, calibrated_path, calibrated_values,  # noqa: F401
                         calibration_key, calibration_record, overlay_calibrated)
from .calibration_fit import _key, fit
from ..core.errors import InputError
from .targets_check import (_plt, _relative, check_runs, check_targets, cmd_targets,  # noqa: F401
                            format_targets, target_table, targets_figure)

__all__ = ["CALIBRATED_FILE", "CALIBRATION_DIR", "ENV", "calibrated_path", "calibrated_values", "calibration_key",
           "calibration_record", "check_targets", "cmd_calibrate", "cmd_targets", "add_parsers", "fit",
           "overlay_calibrated", "run_calibration", "summarise", "target_table"]

REFINE_FRACTIONS = (1.0, 0.5, 0.25)  # step lengths tried in turn by each refinement step


# --- summaries of a fit --------------------------------------------------------------------------------
def _weighted_quantile(x, w, q):
    import numpy as np

    order = np.argsort(x)
    x, w = np.asarray(x)[order], np.asarray(w)[order]
    cum = np.cumsum(w) - 0.5 * w
    cum /= w.sum()
    return float(np.interp(q, cum, x))


def _stat_z(spec, simulated: dict) -> "Any":
    """Targets' errors in units of their observation uncertainty, on the scale the regression uses:
    log(sim/obs)/sigma for relative targets (counts and money respond multiplicatively), (sim-obs)/sigma else."""
    import numpy as np

    out = []
    for t in spec.targets:
        v = float(simulated[t.id])
        if t.tolerance_kind == "relative":
            out.append(np.log(max(v, 1e-300) / t.observed) / t.sigma if v > 0 else -1e3)
        else:
            out.append((v - t.observed) / t.sigma)
    return np.array(out, float)


def local_linear_fit(spec, final) -> "Any":
    """The chosen parameter set: the best fit of a local-linear emulator built on the final ABC population.

    Each target's standardised error (log(sim/obs)/sigma for counts and money, which respond
    multiplicatively; (sim - obs)/sigma for the ratio and the share) is regressed linearly on the
    fit-scale parameters over the final population (weighted least squares; weights: the particle's ABC
    weight times an Epanechnikov kernel of its distance). The chosen set minimises the emulated squared
    distance within the prior's bounds (`scipy.optimize.lsq_linear`). This is the regression idea of
    Beaumont, Zhang & Balding (2002) used for a point estimate: it corrects for the threshold the SMC
    stopped at and, unlike adjusting each particle to s = s_obs, still works when the targets cannot
    all be met at once (the least-squares compromise, weighted by the observation uncertainties).
    Returns (fit-scale values, R² of each target's regression) or None when the population is too small.
    """
    import numpy as np
    from scipy.optimize import lsq_linear

    z = np.array([[p.to_fit(v) for v in final[p.name]] for p in spec.parameters]).T
    s = np.array([_stat_z(spec, {t.id: final[f"sim:{t.id}"].iat[i] for t in spec.targets})
                  for i in range(len(final))])
    d = final["distance"].to_numpy(float)
    h = max(float(np.nanmax(d)), 1e-12) * 1.0001
    w = final["weight"].to_numpy(float) * np.clip(1.0 - (d / h) ** 2, 0.0, None)
    ok = np.isfinite(s).all(1) & (w > 0)
    n_par = len(spec.parameters)
    if ok.sum() < 2 * (n_par + 1):
        return None
    w = w[ok] / w[ok].sum()
    centre = (w[:, None] * z[ok]).sum(0)
    x = np.column_stack([np.ones(ok.sum()), z[ok] - centre])
    sw = np.sqrt(w)[:, None]
    coef, *_ = np.linalg.lstsq(x * sw, s[ok] * sw, rcond=None)  # (1 + n_par) x n_targets
    fitted = x @ coef
    resid = s[ok] - fitted
    total = s[ok] - (w[:, None] * s[ok]).sum(0)
    r2 = 1.0 - (w[:, None] * resid ** 2).sum(0) / np.maximum((w[:, None] * total ** 2).sum(0), 1e-300)
    a, b = coef[0], coef[1:].T  # z_target(theta) ~ a + b (theta - centre)
    lo = np.array([p.fit_bounds[0] for p in spec.parameters]) - centre
    hi = np.array([p.fit_bounds[1] for p in spec.parameters]) - centre
    best = lsq_linear(b, -a, bounds=(lo, hi)).x + centre
    return best, r2, b


def gauss_newton_step(spec, values: dict[str, float], slopes, runs, fraction: float = 1.0) -> dict[str, float]:
    """One correction of a parameter set from replicate runs at it: the mean standardised error of each
    target, and the emulator's slopes, give the least-squares step (within the prior bounds), of which
    `fraction` is taken (a shorter step when the full one overshoots: the slopes are a wide
    population's average, not the local ones)."""
    import numpy as np
    from scipy.optimize import lsq_linear

    z = np.array([[p.to_fit(values[p.name]) for p in spec.parameters]])[0]
    errors = []
    for _, group in runs.groupby("replicate"):
        errors.append(_stat_z(spec, dict(zip(group["target"], group["value"]))))
    mean_error = np.mean(errors, axis=0)
    lo = np.array([p.fit_bounds[0] for p in spec.parameters]) - z
    hi = np.array([p.fit_bounds[1] for p in spec.parameters]) - z
    step = fraction * lsq_linear(slopes, -mean_error, bounds=(np.minimum(lo, 0), np.maximum(hi, 0))).x
    return {p.name: _round(p.from_fit(z[k] + step[k])) for k, p in enumerate(spec.parameters)}


def summarise(spec, history) -> dict:
    """Posterior table (with each particle's simulated targets), generations, per-parameter summary with
    contraction, the local-linear emulator's best fit, correlations."""
    import numpy as np
    import pandas as pd

    frames = []
    for t in range(history.max_t + 1):
        population = history.get_population(t=t)
        rows = []
        for particle in population.particles:
            row = {"generation": t, "weight": float(particle.weight), "distance": float(particle.distance)}
            for p in spec.parameters:
                row[p.name] = p.from_fit(float(particle.parameter[_key(p.name)]))
            for target in spec.targets:
                row[f"sim:{target.id}"] = float(particle.sum_stat[target.id])
            rows.append(row)
        frame = pd.DataFrame(rows)
        frame["weight"] /= frame["weight"].sum()
        frames.append(frame)
    samples = pd.concat(frames, ignore_index=True)
    final = samples[samples["generation"] == history.max_t].reset_index(drop=True)
    emulated = local_linear_fit(spec, final)
    populations = history.get_all_populations()
    generations = populations[populations["t"] >= 0][["t", "epsilon", "samples", "particles"]].rename(
        columns={"t": "generation", "samples": "evaluations"}).reset_index(drop=True)
    generations["acceptance_rate"] = generations["particles"] / generations["evaluations"]
    d_stats = samples.groupby("generation")["distance"].agg(
        distance_median="median", distance_min="min", distance_max="max").reset_index()
    generations = generations.merge(d_stats, on="generation", how="left")
    w = final["weight"].to_numpy(float)
    w = w / w.sum()
    rows = []
    for p in spec.parameters:
        x = final[p.name].to_numpy(float)
        z = np.array([p.to_fit(v) for v in x])
        lo, hi = p.fit_bounds
        prior_var = (hi - lo) ** 2 / 12.0
        mean_z = float(np.sum(w * z))
        post_var = float(np.sum(w * (z - mean_z) ** 2))
        row = {
            "parameter": p.name, "prior": p.prior, "prior_low": p.low, "prior_high": p.high,
            "prior_centre": p.prior_centre, "scale": "log10" if p.log else "linear",
            "posterior_mean": float(np.sum(w * x)), "posterior_median": _weighted_quantile(x, w, 0.5),
            "posterior_p05": _weighted_quantile(x, w, 0.05), "posterior_p95": _weighted_quantile(x, w, 0.95),
            "posterior_sd": float(np.sqrt(np.sum(w * (x - np.sum(w * x)) ** 2))),
            "contraction": 1.0 - post_var / prior_var,
        }
        if emulated is not None:
            row["emulator_best_fit"] = p.from_fit(float(emulated[0][len(rows)]))
        centre = row.get("emulator_best_fit", row["posterior_median"])
        row["chosen"] = centre
        row["at_prior_edge"] = near_prior_edge(p, centre)
        rows.append(row)
    summary = pd.DataFrame(rows)
    z = np.column_stack([[p.to_fit(v) for v in final[p.name]] for p in spec.parameters])
    mean = (w[:, None] * z).sum(0)
    cov = ((z - mean) * w[:, None]).T @ (z - mean)
    sd = np.sqrt(np.diag(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.outer(sd, sd)
    correlations = pd.DataFrame(corr, index=[p.name for p in spec.parameters],
                                columns=[p.name for p in spec.parameters])
    emulator = pd.DataFrame({"target": [t.id for t in spec.targets],
                             "r2": emulated[1] if emulated is not None else np.nan})
    if emulated is not None:
        for k, p in enumerate(spec.parameters):
            emulator[f"slope:{p.name}"] = emulated[2][:, k]
    return {"samples": samples, "posterior": final, "generations": generations, "summary": summary,
            "correlations": correlations, "emulator": emulator,
            "slopes": emulated[2] if emulated is not None else None}


def distance_of(spec, runs) -> float:
    """The fit's distance of the replicates' mean simulated values."""
    from .targets import distance

    means = runs.groupby("target")["value"].mean().to_dict()
    return distance(spec, means)


def chosen_values(spec, summary) -> dict[str, float]:
    """The calibrated parameter set: the local-linear emulator's best fit (`local_linear_fit`), or the
    ABC posterior median of each parameter when the final population is too small for it."""
    med = dict(zip(summary["parameter"], summary["chosen"]))
    return {p.name: _round(med[p.name]) for p in spec.parameters}


def _round(value: float, digits: int = 4) -> float:
    if value == 0 or not math.isfinite(value):
        return float(value)
    return float(f"{value:.{digits}g}")


# --- writing ----------------------------------------------------------------------------------------
def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(float(v)) if isinstance(v, float) else str(v)
    return json.dumps(str(v), ensure_ascii=False)


def near_prior_edge(p, value: float) -> bool:
    """Whether `value` lies within 3% of the prior's width of a bound (on the fit scale): a sign that
    structure is missing rather than a value found."""
    lo, hi = p.fit_bounds
    z = p.to_fit(value)
    return bool(min(abs(z - lo), abs(hi - z)) < 0.03 * (hi - lo))


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
                    population_size=None, max_generations=None, log=print, progress=False, force=False) -> dict:
    """`ruralsim calibrate`: fit, check, and write report/, posterior files and calibrated.toml under `out`."""
    import platform

    import matplotlib.pyplot as plt

    from ..ui import outputs
    from .results import git_commit
    from .sweep import connect
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
        bar = _bar(progress, budget_)
        log(f"calibrating {len(spec.parameters)} parameters to {len(spec.targets)} targets: ABC-SMC, budget "
            f"{budget_} evaluations, seed {seed_}, {executor.get('workers', '?')} worker(s)")
        result = fit(spec, budget=budget_, seed=seed_, client=client, scale=scale or "calibration",
                     population_size=population_size, max_generations=max_generations,
                     progress=(lambda: bar.update(1)) if bar else None, db_dir=staging)
        if bar:
            bar.close()
        summary = summarise(spec, result["history"])
        values = chosen_values(spec, summary["summary"])
        log(f"fit done in {result['wall_seconds'] / 60:.1f} min: {result['evaluations_run']} evaluations, "
            f"{len(summary['generations'])} generations; checking the chosen set "
            f"({settings.check_replicates} replicates)")
        check_started = time.time()
        checks = check_runs(spec, values, replicates=settings.check_replicates, seed=seed_ + 1,
                            scale=scale or "calibration", client=client)
        steps = [{"step": 0, "fraction": 0.0, **values, "distance": distance_of(spec, checks)}]
        if summary["slopes"] is not None:
            for k in range(settings.refine_steps):
                improved = False
                for fraction in REFINE_FRACTIONS:  # backtracking: a full step, then shorter ones
                    candidate = gauss_newton_step(spec, values, summary["slopes"], checks, fraction)
                    cand_checks = check_runs(spec, candidate, replicates=settings.check_replicates,
                                             seed=seed_ + 1, scale=scale or "calibration", client=client)
                    steps.append({"step": k + 1, "fraction": fraction, **candidate,
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
        check_seconds = time.time() - check_started
    finally:
        if close is not None:
            close()
    try:
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
            "chosen": "best fit of a local-linear emulator on the final ABC generation, then Gauss-Newton steps on replicate checks, kept when they lower the distance",
            "scale": "calibration_scale of each run in the targets file" if scale is None else str(scale),
            "report": _relative(report_dir),
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
    return {"values": values, "summary": summary, "table": table, "provenance": provenance, "out": out,
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


def prior_posterior_figure(spec, summary):
    """Per parameter: the uniform prior (on the fit scale) and the weighted posterior, with contraction."""
    import numpy as np

    plt = _plt()
    params = spec.parameters
    cols = 3
    rows = math.ceil(len(params) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False)
    post = summary["posterior"]
    table = summary["summary"].set_index("parameter")
    for ax, p in zip(axes.flat, params):
        lo, hi = p.fit_bounds
        z = np.array([p.to_fit(v) for v in post[p.name]])
        ax.hist(z, bins=20, range=(lo, hi), weights=post["weight"], density=True, color="tab:blue", alpha=0.5,
                label="ABC posterior")
        ax.hlines(1.0 / (hi - lo), lo, hi, colors="k", linestyles="--", label="prior")
        row = table.loc[p.name]
        ax.axvline(p.to_fit(row["posterior_median"]), color="tab:blue", lw=1, ls=":", label="posterior median")
        ax.axvline(p.to_fit(row["chosen"]), color="tab:red", lw=1.5, label="chosen (emulator best fit)")
        ax.set_title(f"{p.name}\ncontraction {row['contraction']:.2f}", fontsize=8)
        ax.set_xlabel(("log10 " if p.log else "") + p.name.split(".")[-1], fontsize=7)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(params):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.suptitle("Prior (dashed) and posterior of each calibrated parameter", fontsize=10)
    fig.tight_layout()
    return fig


def correlation_figure(correlations):
    plt = _plt()
    n = len(correlations)
    fig, ax = plt.subplots(figsize=(1.2 * n + 3, 1.0 * n + 2))
    im = ax.imshow(correlations.to_numpy(float), vmin=-1, vmax=1, cmap="RdBu_r")
    labels = [c.split(".")[-1] for c in correlations.columns]
    ax.set_xticks(range(n), labels, rotation=40, ha="right", fontsize=7)
    ax.set_yticks(range(n), labels, fontsize=7)
    for i in range(n):
        for j in range(n):
            ax.text(j, i, f"{correlations.iat[i, j]:.2f}", ha="center", va="center", fontsize=7)
    fig.colorbar(im, ax=ax, shrink=0.8)
    ax.set_title("Posterior correlations (fit scale)", fontsize=10)
    fig.tight_layout()
    return fig


def generations_figure(generations):
    plt = _plt()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.2))
    g = generations["generation"]
    a1.plot(g, generations["epsilon"], "o-", label="epsilon (threshold)")
    a1.plot(g, generations["distance_median"], "s-", label="median distance of accepted")
    a1.set_yscale("log")
    a1.set_xlabel("generation")
    a1.set_ylabel("distance (RMS of errors / sigma)")
    a1.legend(fontsize=7)
    a2.plot(g, generations["acceptance_rate"], "o-", color="tab:green")
    a2.set_xlabel("generation")
    a2.set_ylabel("acceptance rate")
    a2.set_ylim(0, 1)
    fig.suptitle("ABC-SMC: distance and acceptance by generation", fontsize=10)
    fig.tight_layout()
    return fig


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
                             progress=not args.quiet, force=args.force)
    if not args.quiet:
        columns = ["parameter", "chosen", "posterior_p05", "posterior_p95", "contraction"]
        print(result["summary"]["summary"][[c for c in columns if c in result["summary"]["summary"]]]
              .to_string(index=False))
        print(format_targets(result["table"]))
    print(f"wrote {result['out'] / 'calibrated.toml'} and {result['out'] / 'report'}/ "
          f"({result['evaluations']} evaluations, {result['wall_seconds'] / 60:.1f} min)")
    return 0
