"""Global sensitivity analysis of a sweep spec's ranges: Sobol indices (Saltelli design) or Morris screening.

The design comes from SALib (`sim.experiments.sweep_plan.sensitivity_design`) and runs as a sweep on Dask (so it
is resumable like any sweep). Every design point runs the same R replicate seeds (common random
numbers), and the indices are computed from the replicate means of each point: the differences
between points are parameter effects, not luck. Sobol: first-order (S1) and total-order (ST) indices
with bootstrap confidence intervals (half-widths, SALib's `*_conf`); Morris: mu* (mean absolute
elementary effect per move of Delta = levels / (2 (levels - 1)) of a range), its interval, mu and sigma.
"""

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .sweep_plan import Plan, plan, salib_problem, salib_sample

KEYS = ["indicator", "group", "period"]


class IncompleteSweep(RuntimeError):
    """Some design points have no results (their runs failed), so indices cannot be computed."""


@dataclass
class SensitivityResult:
    plan: Plan
    results: pd.DataFrame  # the sweep's tidy rows
    table: pd.DataFrame  # ranked indices: indicator, group, period, rank, parameter, ...

    @property
    def method(self) -> str:
        return self.plan.spec.sensitivity.method

    def figure(self):
        return figure(self.table, self.method, title=self.plan.spec.name)


def outcome_means(p: Plan, results: pd.DataFrame) -> pd.DataFrame:
    """Replicate means per design point: rows are points (in design order), columns (indicator, group, period)."""
    outcomes = p.spec.sensitivity.outcomes or list(p.spec.output.indicators)
    rows = results[results["indicator"].isin(outcomes)]
    means = rows.pivot_table(index="point", columns=KEYS, values="value", aggfunc="mean", observed=True)
    order = {name: k for k, name in enumerate(outcomes)}
    groups = {name: k for k, name in enumerate(p.spec.output.groups)}
    means = means[sorted(means.columns, key=lambda c: (order[c[0]], groups.get(c[1], 99), c[2]))]
    missing = sorted(set(p.design["point"]) - set(means.index))
    if missing:
        raise IncompleteSweep(f"{len(missing)} design point(s) have no results (e.g. point {missing[0]}); "
                           "rerun the sweep to retry failed runs")
    return means.reindex(p.design["point"])


def analyse(p: Plan, results: pd.DataFrame) -> pd.DataFrame:
    """Indices for every outcome, group and period, ranked within each (most influential first)."""
    means = outcome_means(p, results)
    sens = p.spec.sensitivity
    problem = salib_problem(p.spec)
    seed = int(p.root_seed % 2**32)
    frames = []
    for key in means.columns:
        y = means[key].to_numpy(float)
        if np.isnan(y).any():  # e.g. a ratio undefined for a group
            continue
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            if sens.method == "sobol":
                from SALib.analyze import sobol

                s = sobol.analyze(problem, y, calc_second_order=False, conf_level=sens.confidence, seed=seed)
                frame = pd.DataFrame({"parameter": problem["names"], "ST": s["ST"], "ST_conf": s["ST_conf"],
                                      "S1": s["S1"], "S1_conf": s["S1_conf"]})
                order = "ST"
            else:
                from SALib.analyze import morris

                x = salib_sample(p.spec, p.root_seed)
                s = morris.analyze(problem, x, y, conf_level=sens.confidence, num_levels=sens.levels, seed=seed)
                frame = pd.DataFrame({"parameter": problem["names"], "mu_star": s["mu_star"],
                                      "mu_star_conf": s["mu_star_conf"], "mu": s["mu"], "sigma": s["sigma"]})
                order = "mu_star"
        if np.nanstd(y) == 0:  # no variation at all: nothing to attribute
            frame.iloc[:, 1:] = np.nan
            frame["spearman"] = np.nan
        else:  # the direction of each effect, which the indices do not give
            frame["spearman"] = [_spearman(p.design[name].to_numpy(float), y) for name in problem["names"]]
        frame = frame.sort_values(order, ascending=False, na_position="last", kind="stable")
        frame.insert(0, "rank", np.arange(1, len(frame) + 1))
        frame.insert(0, "outcome_sd", float(np.std(y, ddof=1)) if len(y) > 1 else np.nan)
        frame.insert(0, "outcome_mean", float(np.mean(y)))
        for name, value in reversed(list(zip(KEYS, key))):
            frame.insert(0, name, value)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _spearman(x: np.ndarray, y: np.ndarray) -> float:
    from scipy.stats import spearmanr

    return float(spearmanr(x, y).statistic) if np.ptp(x) > 0 else np.nan


def run_sensitivity(spec, client=None, *, out=None, **sweep_options) -> SensitivityResult:
    """Run the spec's sensitivity design (Sobol or Morris) as a sweep and compute the indices: which
    parameters move an outcome.

    Parameters:
        spec: a sensitivity spec file, dict, SweepSpec or Plan
        client: a Dask client to use (left open), or None
        out: a directory to write and resume from, or None
        sweep_options: as `sim.experiments.sweep.run_sweep` (workers, scheduler, slurm, progress, ...)
    Returns:
        a SensitivityResult: the plan, the sweep's results and the indices table (`.table`), with `.figure()`
    Example:
        >>> result = sim.experiments.sensitivity.run_sensitivity("scenarios/sweeps/sensitivity_levers.toml", workers=2)
    """
    from .sweep import run_sweep

    p = plan(spec, "sensitivity")
    results = run_sweep(p, client, out=out, kind="sensitivity", **sweep_options)
    if results.attrs.get("failures"):
        raise IncompleteSweep(f"{len(results.attrs['failures'])} run(s) failed"
                           + (f" (see {out}/failures.csv)" if out else "") + "; rerun to retry them")
    return SensitivityResult(p, results, analyse(p, results))


def write(result: SensitivityResult, out_dir) -> list[Path]:
    """sensitivity.csv and sensitivity.png beside the sweep's dataset (each written then renamed)."""
    import matplotlib.pyplot as plt

    from .sweep_store import _atomic_write

    out_dir = Path(out_dir)
    _atomic_write(out_dir / "sensitivity.csv", lambda p: result.table.to_csv(p, index=False))
    fig = result.figure()
    _atomic_write(out_dir / "sensitivity.png", lambda p: fig.savefig(p, format="png"))
    plt.close(fig)
    return [out_dir / "sensitivity.csv", out_dir / "sensitivity.png"]


def _last_periods(table: pd.DataFrame) -> pd.DataFrame:
    """One period per outcome and group for display: the horizon, or the last year."""
    last = table.groupby(["indicator", "group"], sort=False)["period"].transform("max")
    return table[table["period"] == last]


def format_table(table: pd.DataFrame, method: str, confidence: float = 0.95) -> str:
    """The ranked indices for the terminal: one block per outcome (the horizon, or the last year)."""
    if table.empty:
        return "no outcome varied: nothing to rank"
    what = "Sobol indices (ST total, S1 first order)" if method == "sobol" else "Morris screening"
    lines = [f"{what} on replicate means under common random numbers; ± {confidence:.0%} interval "
             "half-widths; rho: rank correlation of parameter and outcome over the design points", ""]
    for (indicator, group, period), frame in _last_periods(table).groupby(KEYS, sort=False):
        lines.append(f"{indicator} ({group}, {period}): mean {frame['outcome_mean'].iloc[0]:,.1f}, "
                     f"sd over design points {frame['outcome_sd'].iloc[0]:,.1f}")
        width = max(len(p) for p in frame["parameter"])
        if method == "sobol":
            lines.append(f"  rank  {'parameter':<{width}}  {'ST':>18}  {'S1':>18}  {'rho':>6}")
            for r in frame.itertuples():
                lines.append(f"  {r.rank:>4}  {r.parameter:<{width}}  {_pm(r.ST, r.ST_conf):>18}  "
                             f"{_pm(r.S1, r.S1_conf):>18}  {_rho(r):>6}")
        else:
            lines.append(f"  rank  {'parameter':<{width}}  {'mu*':>22}  {'mu':>10}  {'sigma':>10}  {'rho':>6}")
            for r in frame.itertuples():
                lines.append(f"  {r.rank:>4}  {r.parameter:<{width}}  {_pm(r.mu_star, r.mu_star_conf):>22}  "
                             f"{r.mu:>10.4g}  {r.sigma:>10.4g}  {_rho(r):>6}")
        lines.append("")
    return "\n".join(lines).rstrip()


def _rho(row) -> str:
    value = getattr(row, "spearman", np.nan)
    return "-" if value != value else f"{value:+.2f}"


def _pm(value: float, half: float) -> str:
    if value != value:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f} ± {half:,.0f}"
    return f"{value:.3f} ± {half:.3f}" if abs(value) >= 0.001 or value == 0 else f"{value:.1e} ± {half:.0e}"


def figure(table: pd.DataFrame, method: str, title: str | None = None):
    """Ranked bars per outcome: ST and S1 (Sobol) or mu* (Morris), with their confidence intervals."""
    import matplotlib.pyplot as plt

    from ..ui.plots.style import STYLE, _title

    shown = _last_periods(table) if not table.empty else table
    panels = list(shown.groupby(KEYS, sort=False)) if not shown.empty else []
    n = max(len(panels), 1)
    n_params = shown["parameter"].nunique() if not shown.empty else 1
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(n, 1, figsize=(8.5, (0.38 * n_params + 1.3) * n), squeeze=False,
                                 layout="constrained")
        for ax, ((indicator, group, period), frame) in zip(axes[:, 0], panels):
            frame = frame.iloc[::-1]  # most influential on top
            y = np.arange(len(frame))
            labels = list(frame["parameter"])
            if method == "sobol":
                ax.barh(y + 0.2, frame["ST"], height=0.4, xerr=frame["ST_conf"], color="#d95f02", label="total (ST)",
                        error_kw={"elinewidth": 1, "ecolor": "#555555"})
                ax.barh(y - 0.2, frame["S1"], height=0.4, xerr=frame["S1_conf"], color="#7570b3",
                        label="first order (S1)", error_kw={"elinewidth": 1, "ecolor": "#555555"})
                ax.set_xlabel("Sobol index (share of outcome variance)")
                ax.set_xlim(left=min(0.0, float(np.nanmin(frame[["S1", "ST"]].to_numpy(float) - 0.05))))
            else:
                ax.barh(y, frame["mu_star"], height=0.6, xerr=frame["mu_star_conf"], color="#1b9e77",
                        error_kw={"elinewidth": 1, "ecolor": "#555555"}, label="mu*")
                ax.set_xlabel("mu* (mean |elementary effect|)")
            ax.set_yticks(y, labels, fontsize=8)
            ax.axvline(0, color="black", lw=0.8)
            ax.grid(axis="x", alpha=0.3)
            ax.set_title(f"{_title(str(indicator))} ({group}, {period})")
            ax.legend(fontsize=8, loc="lower right")
        what = "Sobol indices" if method == "sobol" else "Morris screening"
        fig.suptitle(f"{title + ': ' if title else ''}{what} on replicate means (bars: confidence intervals)",
                     fontsize=11)
    return fig
