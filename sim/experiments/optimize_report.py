"""What `ruralsim optimize` leaves for the planner: the Pareto front, its figure, a scenario file per Pareto
point, and a re-check of the chosen points against the baseline with more replicates.

The search scores each trial on few replicates, and the best of many noisy scores is flattered (the
winner's curse); the re-check runs the chosen points and the baseline again with `recheck.replicates`
on common random numbers (`sim.compare`) and gives each objective's paired difference with a 90%
interval. A point "dominates the baseline" when no objective is worse (interval) and at least one is
better (interval excluding zero in the wanted direction). Pareto points are written as complete
scenario files (every parameter, so they reproduce whatever later calibration changes) that
`ruralsim compare` loads as they are.
"""

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

from .sweep_store import _atomic_write, write_json

POINTS_DIR = "pareto"


def pareto_mask(values: np.ndarray, directions: list[str]) -> np.ndarray:
    """True for rows no other row dominates (at least as good on every objective, better on one)."""
    signed = np.asarray(values, float) * np.array([1.0 if d == "minimize" else -1.0 for d in directions])
    keep = np.ones(len(signed), bool)
    for i in range(len(signed)):
        others = np.delete(signed, i, axis=0)
        dominated = np.all(others <= signed[i], axis=1) & np.any(others < signed[i], axis=1)
        keep[i] = not dominated.any()
    return keep


def trials_frame(study, problem) -> pd.DataFrame:
    from optuna.trial import TrialState

    rows = []
    for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
        row = {"trial": t.number, **{k: t.params.get(k) for k in problem.levers}}
        row.update({o.name: v for o, v in zip(problem.objectives, t.values)})
        excess = float(t.user_attrs.get("budget_excess", 0.0))
        row.update(budget_excess=excess, feasible=excess <= 0.0)
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    feasible = frame[frame["feasible"]]
    names = [o.name for o in problem.objectives]
    mask = pareto_mask(feasible[names].to_numpy(), [o.direction for o in problem.objectives]) \
        if len(feasible) else np.array([], bool)
    # NSGA-II may breed the same lever mix twice (same seeds, same scores): the front keeps its first trial
    repeat = frame.duplicated(subset=list(problem.levers), keep="first")
    frame["pareto"] = frame["trial"].isin(feasible["trial"][mask]) & ~repeat
    return frame


def choose(pareto: pd.DataFrame, problem, n: int, baseline: dict | None = None) -> list[int]:
    """Up to n Pareto trials to re-check: first those the search says dominate the baseline (nearest the
    ideal point first, objectives scaled to [0, 1]) — the candidates a planner would adopt, so the ones
    whose estimates most need confirming — then the knee (nearest the ideal), the best on each objective,
    and the next nearest the ideal."""
    if pareto.empty or n == 0:
        return []
    names = [o.name for o in problem.objectives]
    sign = np.array([1 if o.direction == "minimize" else -1 for o in problem.objectives])
    x = pareto[names].to_numpy(float) * sign
    span = np.where(np.ptp(x, axis=0) > 0, np.ptp(x, axis=0), 1.0)
    distance = np.linalg.norm((x - x.min(axis=0)) / span, axis=1)
    order = []
    if baseline is not None:
        b = np.array([baseline["objectives"][name] for name in names]) * sign
        dominating = np.all(x <= b, axis=1) & np.any(x < b, axis=1)
        order += [int(i) for i in np.argsort(distance) if dominating[i]]
    order += [int(np.argmin(distance))] + [int(np.argmin(x[:, j])) for j in range(x.shape[1])] + \
        [int(i) for i in np.argsort(distance)]
    chosen = []
    for i in order:
        trial = int(pareto["trial"].iloc[i])
        if trial not in chosen:
            chosen.append(trial)
    return chosen[:n]


def scenario_toml(scenario, name: str, description: str, header: list[str]) -> str:
    """A complete scenario file: every parameter as the scenario has it (None values left out)."""
    import tomli_w

    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    data = clean(scenario.model_dump(mode="json"))
    for key in ("name", "description", "question", "expect"):
        data.pop(key, None)
    text = tomli_w.dumps({"name": name, "description": description, **data})
    return "".join(f"# {line}\n" for line in header) + text


def write_points(frame: pd.DataFrame, problem, out: Path, manifest: dict) -> dict[int, Path]:
    """pareto/base.toml and pareto/point-<trial>.toml; earlier point files this command wrote and no longer
    on the front are removed (never any other file)."""
    from ..core.scenario import with_overrides

    folder = out / POINTS_DIR
    folder.mkdir(exist_ok=True)
    names = [o.name for o in problem.objectives]
    written = {}
    base_text = scenario_toml(problem.base, f"{problem.spec.name}-base",
                              "The optimisation's base scenario with its run settings and budget.",
                              [f"written by `ruralsim optimize` ({problem.source}): the reference point"])
    _atomic_write(folder / "base.toml", lambda p: p.write_text(base_text, encoding="utf-8"))
    for row in frame[frame["pareto"]].to_dict("records"):
        levers = {k: _plain(row[k]) for k in problem.levers}
        scenario = with_overrides(problem.base, levers, "pareto point")
        header = [f"written by `ruralsim optimize` ({problem.source}): Pareto trial {row['trial']}",
                  *(f"lever {k} = {v!r}" for k, v in levers.items()),
                  *(f"search estimate: {n} = {row[n]:.6g}" for n in names),
                  f"budget: largest relative overspend {row['budget_excess']:.3g} (<= 0: within the envelopes)"]
        path = folder / f"point-{row['trial']}.toml"
        text = scenario_toml(scenario, f"{problem.spec.name}-trial-{row['trial']}",
                             f"Pareto point {row['trial']} of {problem.spec.name}: " +
                             ", ".join(f"{k} = {v}" for k, v in levers.items()), header)
        _atomic_write(path, lambda p, text=text: p.write_text(text, encoding="utf-8"))
        written[int(row["trial"])] = path
    previous = set(manifest.get("written", []))
    now = {str(p.relative_to(out)) for p in written.values()}
    for stale in previous - now:
        if stale.startswith(f"{POINTS_DIR}/point-"):
            (out / stale).unlink(missing_ok=True)
    manifest["written"] = sorted(now)
    return written


def _plain(value):
    return value.item() if hasattr(value, "item") else value


def recheck(problem, out: Path, points: dict[int, Path], chosen: list[int], scheduler=None, progress=False):
    """Run the chosen points and the base again with more replicates (common random numbers) and compare
    each objective; writes recheck.csv and the full `compare` output in recheck/."""
    from ..ui import outputs
    from .compare import compare
    from .optimize import annual_table_from_result, budget_excess, objective_values

    if not chosen:
        return pd.DataFrame()
    replicates = problem.spec.recheck.replicates
    comparison = compare(out / POINTS_DIR / "base.toml", [points[t] for t in chosen], replicates=replicates,
                         scheduler=scheduler, progress=progress)
    manifest = dict(comparison.base.manifest)
    manifest["alternatives"] = [r.manifest["scenario"] for r in comparison.alternatives]
    with outputs.staged(out / "recheck", "compare", force=False) as staging:
        outputs.write_comparison(comparison, staging, manifest)

    table = annual_table_from_result
    base_table = table(comparison.base)
    base_values = objective_values(base_table, problem)
    rows = []
    for trial, result in zip(chosen, comparison.alternatives):
        alt_table = table(result)
        alt_values = objective_values(alt_table, problem)
        excess = budget_excess(alt_table, problem.base.budget) if problem.uses_budget else 0.0
        for o in problem.objectives:
            rows.append({"trial": trial, "objective": o.name, "direction": o.direction, "replicates": replicates,
                         **_paired(base_values[o.name].to_numpy(), alt_values[o.name].to_numpy(), o.direction),
                         "budget_excess": excess})
    frame = pd.DataFrame(rows)
    verdicts = frame.groupby("trial")["verdict"].agg(list)
    frame["dominates_baseline"] = frame["trial"].map(
        lambda t: "worse" not in verdicts[t] and "better" in verdicts[t])
    return frame


def _paired(base: np.ndarray, alt: np.ndarray, direction: str) -> dict:
    from scipy import stats

    diff = alt - base
    half = stats.t.ppf(0.95, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
    low, high = diff.mean() - half, diff.mean() + half
    good_low, bad_low = (high < 0, low > 0) if direction == "minimize" else (low > 0, high < 0)
    verdict = "better" if good_low else "worse" if bad_low else "within noise"
    return {"base": base.mean(), "point": alt.mean(), "diff": diff.mean(), "diff_low": low, "diff_high": high,
            "verdict": verdict}


def figure(frame: pd.DataFrame, problem, baseline: dict, path: Path) -> None:
    """The objectives pairwise: every trial (grey), infeasible (x), the Pareto front (red), the baseline (star)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    objectives = problem.objectives
    pairs = [(0, j) for j in range(1, len(objectives))] or [(0, 0)]
    fig, axes = plt.subplots(1, len(pairs), figsize=(5.5 * len(pairs), 4.5), squeeze=False)
    for ax, (i, j) in zip(axes[0], pairs):
        xi, yj = objectives[i].name, objectives[j].name
        feasible, front = frame[frame["feasible"]], frame[frame["pareto"]].sort_values(xi)
        ax.scatter(feasible[xi], feasible[yj], s=14, c="0.6", label="feasible trial")
        bad = frame[~frame["feasible"]]
        if len(bad):
            ax.scatter(bad[xi], bad[yj], s=14, marker="x", c="0.75", label="over budget")
        # with three or more objectives a 2-D view of the front is not a curve: points only
        ax.plot(front[xi], front[yj], "o-" if len(objectives) == 2 else "o", c="tab:red", ms=5, label="Pareto front")
        for row in front.itertuples():
            ax.annotate(str(row.trial), (getattr(row, xi), getattr(row, yj)), fontsize=7, xytext=(3, 3),
                        textcoords="offset points")
        ax.scatter([baseline["objectives"][xi]], [baseline["objectives"][yj]], marker="*", s=180, c="k",
                   label="baseline", zorder=5)
        ax.set_xlabel(textwrap.fill(f"{objectives[i].label or xi} ({objectives[i].direction})", 45), fontsize=9)
        ax.set_ylabel(textwrap.fill(f"{objectives[j].label or yj} ({objectives[j].direction})", 40), fontsize=9)
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=8)
    fig.suptitle(f"{problem.spec.name}: {len(frame)} trials, {int(frame['pareto'].sum())} on the Pareto front "
                 f"(search estimates, {problem.base.run.replicates} replicates each)", fontsize=10)
    fig.tight_layout()
    _atomic_write(path, lambda p: fig.savefig(p, dpi=120, format="png"))
    plt.close(fig)


def write_report(study, problem, out: Path, manifest: dict, scheduler=None, progress=False) -> dict:
    """trials.csv, pareto.csv, pareto.png, pareto/*.toml, recheck.csv (+ recheck/); returns the frames."""
    frame = trials_frame(study, problem)
    if frame.empty:
        return {"pareto": frame, "recheck": pd.DataFrame()}
    baseline = json.loads((out / "baseline.json").read_text(encoding="utf-8"))
    _atomic_write(out / "trials.csv", lambda p: frame.to_csv(p, index=False))
    pareto = frame[frame["pareto"]].reset_index(drop=True)
    _atomic_write(out / "pareto.csv", lambda p: pareto.to_csv(p, index=False))
    figure(frame, problem, baseline, out / "pareto.png")
    points = write_points(frame, problem, out, manifest)
    chosen = choose(pareto, problem, problem.spec.recheck.points, baseline)
    checked = recheck(problem, out, points, chosen, scheduler=scheduler, progress=progress)
    if not checked.empty:
        _atomic_write(out / "recheck.csv", lambda p: checked.to_csv(p, index=False))
    write_json(out / "manifest.json", manifest)
    return {"pareto": pareto, "recheck": checked, "chosen": chosen, "baseline": baseline}
