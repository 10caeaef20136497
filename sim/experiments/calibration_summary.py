"""A calibration's fit summarised: the weighted posterior, its contraction and correlations, the
local-linear emulator over the final ABC population that gives the point estimate, and the Gauss-Newton
steps that refine it on replicate checks (`ruralsim calibrate`, sim/experiments/calibration.py)."""

import math
from typing import Any  # noqa: F401 (in annotations)

from .calibration_fit import _key


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
    return summarise_samples(spec, *history_frames(spec, history))


def history_frames(spec, history):
    """(every generation's particles with their simulated targets, the generations table) of a pyabc
    history: what the report keeps (posterior_all_generations.parquet, generations.csv), from which
    `summarise_samples` can be redone without refitting (`ruralsim calibrate --from-report`)."""
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
    populations = history.get_all_populations()
    generations = populations[populations["t"] >= 0][["t", "epsilon", "samples", "particles"]].rename(
        columns={"t": "generation", "samples": "evaluations"}).reset_index(drop=True)
    return samples, generations


def summarise_samples(spec, samples, generations) -> dict:
    """`summarise` from the frames of `history_frames`."""
    import numpy as np
    import pandas as pd

    generations = generations[["generation", "epsilon", "evaluations", "particles"]].copy()
    final = samples[samples["generation"] == samples["generation"].max()].reset_index(drop=True)
    emulated = local_linear_fit(spec, final)
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


def starting_points(spec, summary, best_particles: int = 2) -> list[tuple[str, dict[str, float]]]:
    """Where the refinement may start: the emulator's best fit and the final generation's particles of
    lowest distance. The emulator is a linear fit over a wide population; where a target responds far from
    linearly (newly identified households against the illness rate and the register's extra, R² ~0.5) its
    best fit can be worse than particles the fit already found, so each start is checked with replicates and
    the best kept (`run_calibration`)."""
    starts = [("emulator", chosen_values(spec, summary["summary"]))]
    final = summary["posterior"].sort_values("distance", kind="stable")
    for rank, (_, row) in enumerate(final.head(best_particles).iterrows()):
        starts.append((f"particle {rank + 1} (distance {row['distance']:.2f})",
                       {p.name: _round(float(row[p.name])) for p in spec.parameters}))
    return starts


def _round(value: float, digits: int = 4) -> float:
    if value == 0 or not math.isfinite(value):
        return float(value)
    return float(f"{value:.{digits}g}")


def near_prior_edge(p, value: float) -> bool:
    """Whether `value` lies within 3% of the prior's width of a bound (on the fit scale): a sign that
    structure is missing rather than a value found."""
    lo, hi = p.fit_bounds
    z = p.to_fit(value)
    return bool(min(abs(z - lo), abs(hi - z)) < 0.03 * (hi - lo))
