"""Calibration to the seed statistics: ABC-SMC (pyabc) over the free parameters, and the calibrated defaults.

Two halves:

* **Calibrated defaults** (light, imported by `sim.scenario`): `calibration/calibrated.toml`, written by
  `ruralsim calibrate`, is a scenario-shaped table of the calibrated parameters plus `[provenance]`.
  Every scenario takes those values for the parameters it leaves out (a scenario that sets one wins);
  the schema defaults stay the priors' reference values. `RURALSIM_CALIBRATED=0` (or `validate(...,
  calibrated=False)`) switches the overlay off; `RURALSIM_CALIBRATED=path` reads another file.
* **The fit** (`calibrate`): likelihood-free Bayesian calibration by ABC-SMC (Toni et al. 2009;
  Klinger et al. 2018, pyabc). A candidate parameter set is run through every simulation of
  `calibration/targets.toml` (Xinzhou 2021-2024, Shanxi 2020-2022, Rucheng 2021) at reduced scale and
  scored by the root mean square of the targets' errors in units of their observation uncertainty.
  Evaluations run on Dask workers (`sim.sweep.connect`); each evaluation's random numbers come from
  the root seed, its generation and its index, and a generation keeps exactly the evaluations up to
  its n-th accepted one in index order, so a seed gives the same posterior on any number of workers.
"""

import json
import math
import os
import shutil
import time
import tomllib
from functools import cache
from pathlib import Path
from typing import Any, Callable

from .errors import InputError

ROOT = Path(__file__).resolve().parent.parent
CALIBRATION_DIR = ROOT / "calibration"
CALIBRATED_FILE = CALIBRATION_DIR / "calibrated.toml"
ENV = "RURALSIM_CALIBRATED"
_OFF = {"0", "off", "false", "no", "none", ""}


# === calibrated defaults ===========================================================================
def calibrated_path() -> Path | None:
    """The calibrated-values file in force, or None when the overlay is off or there is no file."""
    setting = os.environ.get(ENV)
    if setting is not None and setting.strip().lower() in _OFF:
        return None
    path = Path(setting) if setting else CALIBRATED_FILE
    return path if path.is_file() else None


def calibration_key():
    """Changes whenever the overlay in force changes (for caches of scenarios)."""
    path = calibrated_path()
    if path is None:
        return None
    stat = path.stat()
    return (str(path), stat.st_mtime_ns, stat.st_size)


@cache
def _read(path: str, _mtime: int, _size: int) -> tuple[dict, dict]:
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: cannot read calibrated values ({exc.__class__.__name__}: {exc})") from None
    provenance = raw.pop("provenance", {})
    if not all(isinstance(v, dict) for v in raw.values()):
        raise InputError(f"{path}: calibrated values must be tables of scenario sections ([pv], [income], ...)")
    return raw, provenance


def calibrated_values(enabled: bool | None = None) -> tuple[dict, dict]:
    """(sections {section: {parameter: value}}, provenance) of the overlay in force; empty when off."""
    if enabled is False:
        return {}, {}
    key = calibration_key()
    if key is None:
        return {}, {}
    return _read(*key)


def overlay_calibrated(data: dict, enabled: bool | None = None) -> dict:
    """Scenario data with the calibrated values filled in where it leaves a parameter out."""
    sections, _ = calibrated_values(enabled)
    if not sections or not isinstance(data, dict):
        return data
    out = dict(data)
    for section, values in sections.items():
        given = out.get(section, {})
        if isinstance(given, dict):
            out[section] = {**values, **given}
    return out


def calibration_record(scenario) -> dict:
    """For a run's manifest: the calibrated values in force, their provenance, and what the run used."""
    sections, provenance = calibrated_values()
    if not sections:
        return {"applied": False, "reason": "no calibrated.toml" if os.environ.get(ENV, "x").strip().lower()
                not in _OFF else f"{ENV} switches it off"}
    values = {}
    for section, params in sections.items():
        for name, value in params.items():
            used = getattr(getattr(scenario, section, None), name, None)
            values[f"{section}.{name}"] = {"calibrated": value, "used": used,
                                           "overridden_by_scenario": used != value}
    return {"applied": True, "file": str(calibrated_path()), "provenance": provenance, "values": values}


# === the fit ========================================================================================
def _key(name: str) -> str:
    return name.replace(".", "__")


class TargetModel:
    """The simulator pyabc calls: fit-scale parameters -> every target's simulated value.

    Runs on the workers. The evaluation's seed comes from numpy's global stream, which the sampler
    seeds per evaluation from (root seed, generation, index).
    """

    def __init__(self, spec, scale: str | float = "calibration"):
        self.spec = spec
        self.scale = scale

    def values(self, fit_params: dict) -> dict[str, float]:
        out = {}
        for p in self.spec.parameters:
            out[p.name] = p.from_fit(float(fit_params[_key(p.name)]))
        return out

    def __call__(self, fit_params) -> dict:
        import numpy as np

        from .targets import parameter_overrides, simulate

        seed = int(np.random.randint(0, 2**62, dtype=np.int64))
        overrides = parameter_overrides(self.spec, self.values(fit_params))
        try:
            return simulate(self.spec, overrides, seed, scale=self.scale)
        except InputError:  # a value the schema rejects counts as infinitely far
            return {t.id: float("nan") for t in self.spec.targets}


class TargetDistance:
    """Root mean square of (simulated - observed) / sigma over the targets (pyabc distance callable)."""

    def __init__(self, spec):
        self.spec = spec

    def __call__(self, x: dict, x_0: dict) -> float:
        from .targets import distance

        return distance(self.spec, x)


def _evaluate(simulate_one_pickle: bytes, seeds: list) -> list:
    """Run on a worker: one evaluation per seed (a list of uint32 words for numpy's global stream)."""
    import random

    import cloudpickle
    import numpy as np

    from .sweep import _MALLOC_TUNED, _tune_malloc

    if not _MALLOC_TUNED:
        _tune_malloc()
    simulate_one = cloudpickle.loads(simulate_one_pickle)
    out = []
    for words in seeds:
        np.random.seed(np.asarray(words, np.uint32))
        random.seed(int(words[0]))
        out.append(simulate_one())
    return out


def _evaluation_seed(root: int, t: int, index: int) -> list[int]:
    import numpy as np

    return np.random.SeedSequence(root, spawn_key=(t + 1000, index)).generate_state(8).tolist()


@cache
def _sampler_class():
    import cloudpickle
    import numpy as np
    from pyabc.sampler import Sampler

    class SeededSampler(Sampler):
        """pyabc sampler with reproducible evaluations, in this process or on a Dask client.

        Evaluation i of generation t draws from a stream seeded by (seed, t, i); the generation's sample
        is evaluations 0..k, k the index of the n-th accepted one, whatever order they finish in.
        """

        def __init__(self, seed: int, client=None, batch_size: int = 1, on_evaluation: Callable | None = None):
            super().__init__()
            self.seed = int(seed)
            self.client = client
            self.batch_size = max(1, int(batch_size))
            self.on_evaluation = on_evaluation
            self.evaluations_run = 0  # every evaluation computed, also those past the n-th acceptance

        def _slots(self) -> int:
            if self.client is None:
                return 1
            return max(1, sum(self.client.ncores().values()))

        def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False,
                                    ana_vars=None):
            payload = cloudpickle.dumps(simulate_one)
            results: dict[int, Any] = {}
            next_index = 0
            cutoff = None  # index of the n-th accepted evaluation, once known

            def scan():
                accepted = 0
                for i in range(len(results)):
                    if i not in results:
                        return None
                    accepted += results[i].accepted
                    if accepted >= n:
                        return i
                return None

            def seeds_for(start, count):
                return [_evaluation_seed(self.seed, t, i) for i in range(start, start + count)]

            if self.client is None:
                while cutoff is None and next_index < max_eval:
                    results[next_index] = _evaluate(payload, seeds_for(next_index, 1))[0]
                    next_index += 1
                    self.evaluations_run += 1
                    if self.on_evaluation:
                        self.on_evaluation()
                    if results[next_index - 1].accepted:
                        cutoff = scan()
            else:
                from distributed import wait

                payload_future = self.client.scatter(payload, broadcast=True)
                running: dict = {}  # future -> first index
                window = 2 * self._slots()
                while True:
                    accepted_so_far = sum(r.accepted for r in results.values())
                    while (len(running) < window and accepted_so_far < n and next_index < max_eval
                           and (cutoff is None)):
                        count = int(min(self.batch_size, max_eval - next_index))
                        future = self.client.submit(_evaluate, payload_future, seeds_for(next_index, count),
                                                    pure=False, key=f"ruralsim-abc-{t}-{next_index}-{id(self)}")
                        running[future] = next_index
                        next_index += count
                    if not running:
                        break
                    done, _ = wait(list(running), return_when="FIRST_COMPLETED")
                    for future in done:
                        first = running.pop(future)
                        batch = future.result()
                        for j, particle in enumerate(batch):
                            results[first + j] = particle
                        self.evaluations_run += len(batch)
                        if self.on_evaluation:
                            for _ in batch:
                                self.on_evaluation()
                        future.release()
                    cutoff = scan()
                    if cutoff is not None:
                        for future, first in list(running.items()):
                            if first > cutoff:
                                future.cancel()
                                running.pop(future)
                        if not running:
                            break
                cutoff = scan()

            sample = self._create_empty_sample()
            last = cutoff if cutoff is not None else max(results, default=-1)
            for i in range(last + 1):
                sample.append(results[i])
            self.nr_evaluations_ = last + 1
            if cutoff is None:
                sample.ok = False
            return sample

    return SeededSampler


def prior_distribution(spec):
    import pyabc

    rvs = {}
    for p in spec.parameters:
        lo, hi = p.fit_bounds
        rvs[_key(p.name)] = pyabc.RV("uniform", lo, hi - lo)
    return pyabc.Distribution(**rvs)


def fit(spec, *, budget: int | None = None, seed: int | None = None, client=None,
        population_size: int | None = None, max_generations: int | None = None,
        min_acceptance_rate: float | None = None, scale: str | float = "calibration",
        log: Callable[[str], None] | None = None, progress: Callable[[], None] | None = None, db_dir=None):
    """Run ABC-SMC. Returns a dict with the pyabc History and the run's settings."""
    import logging

    import numpy as np
    import pyabc

    settings = spec.calibration
    budget = settings.budget if budget is None else budget
    seed = settings.seed if seed is None else seed
    pop = population_size or settings.population_size
    gens = max_generations or settings.max_generations
    rate = settings.min_acceptance_rate if min_acceptance_rate is None else min_acceptance_rate
    if budget < 2 * pop:
        pop = max(4, budget // 4)
    for name in ("ABC", "pyabc", "ABC.History", "ABC.Sampler", "ABC.Epsilon", "ABC.Distance", "ABC.Population",
                 "ABC.Adaptation", "ABC.Predictor", "ABC.Transition", "ABC.Acceptor"):
        logging.getLogger(name).setLevel(logging.WARNING)
    np.random.seed(np.random.SeedSequence(seed).generate_state(8))
    sampler = _sampler_class()(seed, client=client, on_evaluation=progress)
    abc = pyabc.ABCSMC(TargetModel(spec, scale), prior_distribution(spec), TargetDistance(spec),
                       population_size=pop, sampler=sampler,
                       transitions=pyabc.MultivariateNormalTransition(scaling=1.0),
                       eps=pyabc.MedianEpsilon())
    db_dir = Path(db_dir) if db_dir else Path(os.environ.get("TMPDIR", "/tmp"))
    db_path = db_dir / f"ruralsim-abc-{os.getpid()}-{seed}.db"
    db_path.unlink(missing_ok=True)
    observed = {t.id: t.observed for t in spec.targets}
    started = time.time()
    abc.new(f"sqlite:///{db_path}", observed)
    history = abc.run(max_nr_populations=gens, max_total_nr_simulations=budget, min_acceptance_rate=rate)
    return {"history": history, "db_path": db_path, "population_size": pop, "max_generations": gens,
            "min_acceptance_rate": rate, "budget": budget, "seed": seed, "wall_seconds": time.time() - started,
            "evaluations_run": sampler.evaluations_run}


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


REFINE_FRACTIONS = (1.0, 0.5, 0.25)  # step lengths tried in turn by each refinement step


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
        row["at_prior_edge"] = bool(min(abs(p.to_fit(centre) - lo), abs(hi - p.to_fit(centre))) < 0.03 * (hi - lo))
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


def check_runs(spec, values: dict[str, float], *, replicates: int, seed: int, scale="calibration", client=None,
               base=None):
    """Each target over `replicates` runs of one parameter set: a tidy frame (replicate, target, value)."""
    import pandas as pd

    from .results import replicate_seeds
    from .targets import parameter_overrides, simulate

    overrides = parameter_overrides(spec, values)
    seeds = replicate_seeds(seed, replicates)
    if client is None:
        outs = [simulate(spec, overrides, s, scale=scale, base=base) for s in seeds]
    else:
        futures = [client.submit(simulate, spec, overrides, s, scale=scale, base=base, pure=False) for s in seeds]
        outs = client.gather(futures)
    rows = [{"replicate": r, "seed": s, "target": k, "value": v} for r, (s, out) in enumerate(zip(seeds, outs))
            for k, v in out.items()]
    return pd.DataFrame(rows)


def target_table(spec, runs, posterior_runs=None) -> "Any":
    """Per target: observed, simulated mean and 90% interval over replicates, error, within tolerance."""
    import numpy as np
    import pandas as pd

    rows = []
    for t in spec.targets:
        v = runs.loc[runs["target"] == t.id, "value"].to_numpy(float)
        mean = float(np.mean(v))
        row = {
            "target": t.id, "region": spec.runs[t.run].region, "indicator": t.indicator, "group": t.group,
            "period": t.period, "aggregate": t.aggregate, "observed": t.observed, "simulated_mean": mean,
            "simulated_p05": float(np.quantile(v, 0.05)), "simulated_p95": float(np.quantile(v, 0.95)),
            "simulated_sd": float(np.std(v, ddof=1)) if len(v) > 1 else float("nan"), "replicates": len(v),
            "error": t.error(mean), "error_kind": t.tolerance_kind, "tolerance": t.tolerance,
            "within_tolerance": t.within(mean),
        }
        row["noise_over_tolerance"] = (row["simulated_sd"] / (abs(t.observed) if t.tolerance_kind == "relative"
                                                              else 1.0)) / t.tolerance
        if posterior_runs is not None and len(posterior_runs):
            pv = posterior_runs.loc[posterior_runs["target"] == t.id, "value"].to_numpy(float)
            row.update({"posterior_mean": float(np.mean(pv)), "posterior_p05": float(np.quantile(pv, 0.05)),
                        "posterior_p95": float(np.quantile(pv, 0.95)), "posterior_draws": len(pv)})
        rows.append(row)
    return pd.DataFrame(rows)


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
    lines = ["# Calibrated parameter values, written by `ruralsim calibrate` (sim/calibration.py). Do not edit by",
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
                    population_size=None, max_generations=None, log=print, progress=False) -> dict:
    """`ruralsim calibrate`: fit, check, and write report/, posterior files and calibrated.toml under `out`."""
    import platform

    import matplotlib.pyplot as plt

    from . import outputs
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
    staging = outputs.prepare(report_dir)
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
        outputs.commit(staging, report_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    write_atomic(out / "calibrated.toml", calibrated_toml(spec, values, provenance))
    return {"values": values, "summary": summary, "table": table, "provenance": provenance, "out": out,
            "wall_seconds": result["wall_seconds"], "evaluations": result["evaluations_run"]}


def _relative(path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


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


# === checking the targets ==============================================================================
def posterior_draws(path: Path, n: int, seed: int) -> list[dict]:
    """n parameter sets drawn from the saved posterior (weighted, without replacement where possible)."""
    import numpy as np
    import pandas as pd

    frame = pd.read_csv(path)
    w = frame["weight"].to_numpy(float)
    w = w / w.sum()
    rng = np.random.default_rng(seed)
    k = min(n, int((w > 0).sum()))
    rows = rng.choice(len(frame), size=k, replace=False, p=w)
    params = [c for c in frame.columns if c not in ("generation", "weight", "distance") and ":" not in c]
    return [{c: float(frame.loc[r, c]) for c in params} for r in rows]


def check_targets(scenario_path=None, *, replicates: int = 5, seed: int | None = None, scale=None,
                  posterior: int = 0, targets_path=None, workers: int | None = 0, progress: bool = False,
                  log=print) -> dict:
    """`ruralsim targets`: each target's simulated mean and 90% interval against the seed value."""
    import pandas as pd

    from .results import replicate_seeds, resolve
    from .targets import load_targets, parameter_overrides, simulate

    spec = load_targets(targets_path)
    scenario = resolve(scenario_path)
    if replicates < 1:
        raise InputError(f"--replicates: must be at least 1 (got {replicates})")
    if posterior < 0:
        raise InputError(f"--posterior-draws: must be 0 or more (got {posterior})")
    if scale is not None and not (0 < scale <= 1):
        raise InputError(f"--scale: must be in (0, 1] (got {scale})")
    if workers is not None and workers < 0:
        raise InputError(f"--workers: must be 0 (in this process) or more (got {workers})")
    seed = scenario.run.seed if seed is None else seed
    started = time.time()
    client, close = None, None
    if workers:
        from .sweep import connect

        client, close, _ = connect(workers=workers, dashboard=None)
    try:
        runs = check_runs(spec, {}, replicates=replicates, seed=seed, scale=scale or "check", client=client,
                          base=scenario)
        post_runs = None
        posterior_file = CALIBRATION_DIR / "report" / "posterior.csv"
        if posterior and posterior_file.exists():
            draws = posterior_draws(posterior_file, posterior, seed)
            seeds = replicate_seeds(seed + 7, len(draws))
            rows = []
            for k, (values, s) in enumerate(zip(draws, seeds)):
                out = simulate(spec, parameter_overrides(spec, values), s, scale="calibration", base=scenario)
                rows += [{"draw": k, "target": t, "value": v} for t, v in out.items()]
            post_runs = pd.DataFrame(rows)
    finally:
        if close is not None:
            close()
    table = target_table(spec, runs, post_runs)
    scales = {name: (scale or run.check_scale) for name, run in spec.runs.items()}
    return {"spec": spec, "scenario": scenario, "table": table, "runs": runs, "posterior_runs": post_runs,
            "scales": scales, "seed": seed, "replicates": replicates, "wall_seconds": time.time() - started,
            "posterior_file": str(posterior_file) if post_runs is not None else None}


def targets_json(check: dict) -> dict:
    import numpy as np

    from .results import git_commit

    table = check["table"]
    rows = json.loads(table.replace({np.nan: None}).to_json(orient="records"))
    return {"scenario": check["scenario"].name, "seed": check["seed"], "replicates": check["replicates"],
            "scales": check["scales"], "targets_file": _relative(check["spec"].source),
            "targets_sha256": check["spec"].sha256, "calibration": calibration_record(check["scenario"]),
            "all_within_tolerance": bool(table["within_tolerance"].all()),
            "posterior_draws_from": check["posterior_file"], "git_commit": git_commit(),
            "wall_seconds": round(check["wall_seconds"], 1), "targets": rows}


def format_targets(table) -> str:
    """The targets table for the terminal."""
    def fmt(v):
        if v != v:
            return "-"
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:.3f}"

    lines = [f"{'target':<49} {'observed':>13} {'simulated [90% interval]':>38} {'error':>8} {'tol':>6}  ok"]
    for r in table.itertuples():
        err = f"{r.error:+.1%}" if r.error_kind == "relative" else f"{r.error:+.3f}"
        tol = f"{r.tolerance:.0%}" if r.error_kind == "relative" else f"{r.tolerance:.2f}"
        sim = f"{fmt(r.simulated_mean)} [{fmt(r.simulated_p05)}, {fmt(r.simulated_p95)}]"
        lines.append(f"{r.target:<49} {fmt(r.observed):>13} {sim:>38} {err:>8} {tol:>6}  "
                     f"{'yes' if r.within_tolerance else 'NO'}")
    n_ok = int(table["within_tolerance"].sum())
    lines.append(f"{n_ok} of {len(table)} targets within tolerance")
    return "\n".join(lines)


def write_targets(check: dict, out_dir: Path) -> list[str]:
    """targets.csv, targets.parquet, targets.json, targets.png, runs.csv and manifest.json (atomically)."""
    import matplotlib.pyplot as plt

    from . import outputs

    out_dir = Path(out_dir)
    staging = outputs.prepare(out_dir)
    try:
        table = check["table"]
        table.to_csv(staging / "targets.csv", index=False, float_format="%.6g")
        table.to_parquet(staging / "targets.parquet", index=False)
        check["runs"].to_csv(staging / "runs.csv", index=False, float_format="%.8g")
        if check["posterior_runs"] is not None:
            check["posterior_runs"].to_csv(staging / "posterior_runs.csv", index=False, float_format="%.8g")
        doc = targets_json(check)
        (staging / "targets.json").write_text(json.dumps(doc, indent=2, default=str), encoding="utf-8")
        scales = ", ".join(f"{k} {v:g}" for k, v in check["scales"].items())
        fig = targets_figure(table, title=f"{check['scenario'].name}: {check['replicates']} replicates "
                                             f"(scale {scales})")
        fig.savefig(staging / "targets.png", dpi=90)
        plt.close(fig)
        files = sorted(p.name for p in staging.iterdir()) + ["manifest.json"]
        manifest = {"kind": "targets", **{k: v for k, v in doc.items() if k != "targets"}, "files": files,
                    "scenario_resolved": check["scenario"].model_dump()}
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
        outputs.commit(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return files


# === figures ===========================================================================================
def _plt():
    import matplotlib

    if not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


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


def targets_figure(table, title: str = ""):
    """Simulated over observed for each target with its 90% interval and the tolerance band."""
    import numpy as np

    plt = _plt()
    n = len(table)
    fig, ax = plt.subplots(figsize=(10, 0.45 * n + 1.6))
    y = np.arange(n)[::-1]
    for yi, r in zip(y, table.itertuples()):
        if r.error_kind == "relative":
            scale, obs, unit = r.observed, 1.0, "ratio"
        else:
            scale, obs, unit = 1.0, r.observed, "abs"
        to_x = (lambda v: v / scale) if unit == "ratio" else (lambda v: 1.0 + (v - obs))
        lo_tol, hi_tol = (1 - r.tolerance, 1 + r.tolerance)
        ax.fill_betweenx([yi - 0.35, yi + 0.35], lo_tol, hi_tol, color="0.88", lw=0)
        colour = "tab:green" if r.within_tolerance else "tab:red"
        ax.errorbar(to_x(r.simulated_mean), yi,
                    xerr=[[to_x(r.simulated_mean) - to_x(r.simulated_p05)], [to_x(r.simulated_p95) - to_x(r.simulated_mean)]],
                    fmt="o", color=colour, capsize=3, label=None)
        if "posterior_mean" in table.columns and r.posterior_mean == r.posterior_mean:
            ax.errorbar(to_x(r.posterior_mean), yi - 0.22,
                        xerr=[[to_x(r.posterior_mean) - to_x(r.posterior_p05)],
                              [to_x(r.posterior_p95) - to_x(r.posterior_mean)]],
                        fmt="^", color="tab:purple", ms=4, capsize=2, alpha=0.8)
    ax.axvline(1.0, color="k", lw=1)
    labels = [f"{r.target}\nobs {r.observed:,.3g}" if abs(r.observed) < 1000 else f"{r.target}\nobs {r.observed:,.0f}"
              for r in table.itertuples()]
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_xlabel("simulated / observed (relative targets); 1 + simulated - observed (ratio and share targets)",
                  fontsize=8)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Patch(color="0.88", label="tolerance"), Line2D([], [], marker="o", color="tab:green", ls="",
               label="mean, 90% interval (within)"), Line2D([], [], marker="o", color="tab:red", ls="",
               label="outside tolerance")]
    if "posterior_mean" in table.columns:
        handles.append(Line2D([], [], marker="^", color="tab:purple", ls="", label="posterior draws"))
    ax.legend(handles=handles, fontsize=7, loc="lower right")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.subplots_adjust(left=0.38)
    return fig


# === command line (wired in sim/cli.py) =================================================================
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
    tgt.add_argument("--out", type=Path, help="output directory (default: results/targets-<scenario name>)")


def cmd_calibrate(args) -> int:
    if args.scale is not None and not (0 < args.scale <= 1):
        raise InputError(f"--scale: must be in (0, 1] (got {args.scale})")
    result = run_calibration(args.targets, budget=args.budget, seed=args.seed, workers=args.workers, out=args.out,
                             scale=args.scale, log=(lambda m: None) if args.quiet else print,
                             progress=not args.quiet)
    if not args.quiet:
        columns = ["parameter", "chosen", "posterior_p05", "posterior_p95", "contraction"]
        print(result["summary"]["summary"][[c for c in columns if c in result["summary"]["summary"]]]
              .to_string(index=False))
        print(format_targets(result["table"]))
    print(f"wrote {result['out'] / 'calibrated.toml'} and {result['out'] / 'report'}/ "
          f"({result['evaluations']} evaluations, {result['wall_seconds'] / 60:.1f} min)")
    return 0


def cmd_targets(args) -> int:
    check = check_targets(args.scenario, replicates=args.replicates, seed=args.seed, scale=args.scale,
                          posterior=args.posterior_draws, targets_path=args.targets, workers=args.workers)
    out = args.out or Path("results") / f"targets-{check['scenario'].name}"
    files = write_targets(check, out)
    if args.json:
        print(json.dumps(targets_json(check), indent=2, default=str))
    else:
        print(format_targets(check["table"]))
        print(f"wrote {out}/ ({', '.join(files)}) in {check['wall_seconds']:.0f} s")
    return 0
