"""`ruralsim optimize`: the best lever mixes under a budget — a multi-objective search on Dask.

    from sim.optimize import optimize
    result = optimize("scenarios/optimize/xinzhou_budget.toml", out="results/optimize-x", workers=2)

Optuna's NSGA-II proposes a generation of lever mixes (trials) at a time (ask); each trial runs its
replicates on the Dask cluster the sweeps use, every trial on the same replicate seeds (common random
numbers: two trials differ by their levers, not their luck); the objectives and the budget constraint
are told back and the next generation is bred. The study lives in DIR/study.db (SQLite), so Ctrl-C, a
killed process or a lost worker loses at most the generation in flight: running the same command
again re-runs the trials left unfinished and continues to `search.trials`. The baseline runs on the
same seeds as a reference point. When the search is done, `optimize_report` writes the Pareto front,
its figure, one scenario TOML per Pareto point and a re-check of the chosen points with more
replicates (search noise can flatter a point that won on few replicates).
"""

import json
import sys
import time
import uuid
import warnings
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

from ..core.errors import InputError
from .optimize_spec import DERIVED, Problem, load
from .results import replicate_seeds
from .sweep_store import write_json

STUDY_NAME = "ruralsim-optimize"
OWN_FILES = {"manifest.json", "study.db", "baseline.json", "trials.csv", "pareto.csv", "pareto.png", "recheck.csv",
             "recheck", "pareto"}  # what an optimisation store holds (plus .lock, the marker and temporary files)
KIND = "optimize"


# --- objectives from a trial's runs ---------------------------------------------------------------
def wanted_indicators(problem: Problem) -> list[str]:
    """The indicators a trial's runs must return: the objectives' and every cost (derived costs, budget)."""
    from .results import indicator_catalogue

    costs = [n for n in indicator_catalogue() if n.startswith("cost_")]
    named = [o.indicator for o in problem.objectives if o.indicator not in DERIVED]
    return sorted(set(named) | set(costs))


def annual_table(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Replicates' reduced runs (sweep.execute, reduce='annual') -> replicate x (year, indicator) values."""
    rows = pd.concat([f.assign(replicate=r) for r, f in enumerate(frames)], ignore_index=True)
    rows = rows[rows["group"] == "all"]
    return rows.pivot_table(index=["replicate", "period"], columns="indicator", values="value", aggfunc="sum")


def annual_table_from_result(result) -> pd.DataFrame:
    """The same replicate x (year, indicator) table from a RunResult (for re-checks and tests)."""
    from .results import annual

    a = annual(result.indicators)
    a = a[a["group"] == "all"]
    return a.pivot_table(index=["replicate", "year"], columns="indicator", values="value", aggfunc="sum")


def with_derived(table: pd.DataFrame, budget) -> pd.DataFrame:
    from ..core.budget import lever_levels

    table = table.copy()
    costs = [c for c in table.columns if str(c).startswith("cost_")]
    table["cost_total_yuan"] = table[costs].sum(axis=1)
    paid = {f"cost_{lever}_yuan" for lever, level in lever_levels(budget).items() if level != "outside"}
    table["cost_budget_yuan"] = table[[c for c in costs if c in paid]].sum(axis=1)
    return table


def objective_values(table: pd.DataFrame, problem: Problem) -> pd.DataFrame:
    """Per replicate, each objective's value (columns: objective names), from the annual table."""
    table = with_derived(table, problem.base.budget)
    out = {}
    for o in problem.objectives:
        series = table[o.indicator]
        by_rep = series.groupby(level="replicate")
        if o.reduce == "sum":
            out[o.name] = by_rep.sum()
        elif o.reduce == "mean":
            out[o.name] = by_rep.mean()
        else:
            out[o.name] = series.sort_index().groupby(level="replicate").last()
    return pd.DataFrame(out)


def budget_excess(table: pd.DataFrame, budget) -> float:
    """The budget constraint: the largest relative overspend of any level with an envelope in any year,
    (spent - envelope) / envelope of the mean over replicates; <= 0 is within budget (Optuna's convention)."""
    from ..core.budget import envelopes_yuan, spending_by_level

    long = table.stack().rename("value").reset_index().rename(columns={"period": "year"})
    long = long[long["indicator"].astype(str).str.startswith("cost_")]
    spent = spending_by_level(long, budget).groupby(["year", "level"], observed=False)["spent_yuan"].mean()
    worst = -np.inf
    for level, envelope in envelopes_yuan(budget).items():
        if envelope is None:
            continue
        level_spent = spent.xs(level, level="level").max()
        worst = max(worst, (level_spent - envelope) / max(envelope, 1.0))
    return float(worst) if np.isfinite(worst) else 0.0


# --- the output directory (a resumable store, like a sweep's) -------------------------------------
def open_store(out: Path, problem: Problem, manifest: dict):
    """Check DIR (empty, or this spec's optimisation store), lock it and record the session; the lock file."""
    import fcntl

    from ..ui.outputs import MARKER, _listing, check_path, read_marker, write_marker

    out = check_path(out)
    entries = {p.name for p in out.iterdir()} if out.is_dir() else set()
    if entries:
        marker = read_marker(out)
        if marker is None or marker["kind"] != KIND:
            what = f"a ruralsim {marker['kind']} output" if marker else f"not a ruralsim {KIND} store (no {MARKER} " \
                f"marker; it holds {_listing(entries)})"
            raise InputError(f"--out {out}: directory is not empty and is {what}; choose another --out")
        foreign = {e for e in entries if e not in OWN_FILES and not e.startswith((".", "study.db-"))}
        if foreign:  # files are replaced by name: never one this command did not write
            raise InputError(f"--out {out}: holds files ruralsim optimize did not write ({_listing(foreign)}); move "
                             "them or choose another --out")
    manifest_path = out / "manifest.json"
    if manifest_path.exists():
        old = json.loads(manifest_path.read_text(encoding="utf-8"))
        if old.get("spec_hash") != manifest["spec_hash"]:
            raise InputError(f"--out {out}: holds an optimisation of a different spec (spec hash "
                             f"{str(old.get('spec_hash'))[:12]}, this spec {manifest['spec_hash'][:12]}; the levers, "
                             "objectives, constraint, base, search seed or population differ); choose another --out")
        manifest["sessions"] = old.get("sessions", []) + manifest["sessions"]
        manifest["written"] = old.get("written", [])
    try:
        out.mkdir(parents=True, exist_ok=True)
        lock = open(out / ".lock", "a+")
    except OSError as exc:
        raise InputError(f"--out {out}: cannot create directory ({exc.strerror})") from None
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        raise InputError(f"--out {out}: another optimisation is writing to this directory") from None
    if not (out / MARKER).exists():
        write_marker(out, KIND, [])
    write_json(manifest_path, manifest)
    return lock


def manifest_for(problem: Problem) -> dict:
    from .results import _version, git_commit

    base = problem.base.run
    return {"kind": KIND, "name": problem.spec.name, "spec_file": problem.source,
            "spec": problem.spec.model_dump(mode="json"), "spec_hash": problem.spec_hash,
            "base_scenario": problem.base.model_dump(mode="json"),
            "seeds": {"root": base.seed, "replicates": replicate_seeds(base.seed, base.replicates),
                      "scheme": "every trial and the baseline run replicate r on SeedSequence(root).spawn(R)[r] "
                                "(common random numbers)"},
            "versions": {"ruralsim": _version("ruralsim"), "optuna": _version("optuna"), "dask": _version("dask")},
            "git_commit": git_commit(), "sessions": [{"started": time.strftime("%Y-%m-%dT%H:%M:%S"),
                                                      "status": "running"}]}


# --- the study ------------------------------------------------------------------------------------
def open_study(out: Path, problem: Problem):
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    search = problem.spec.search
    sampler = optuna.samplers.NSGAIISampler(population_size=search.population, seed=search.seed)
    directions = [o.direction for o in problem.objectives]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=FutureWarning)
        return optuna.create_study(storage=f"sqlite:///{(out / 'study.db').resolve()}", study_name=STUDY_NAME,
                                   directions=directions, sampler=sampler, load_if_exists=True)


def suggest(trial, problem: Problem) -> dict:
    """The trial's lever values, from the spec's ranges (integers stay whole) and options."""
    from .sweep_spec import Range, _field

    values = {}
    for key, spec in problem.levers.items():
        if isinstance(spec, Range):
            if _field(key, problem.source).annotation is int:
                values[key] = trial.suggest_int(key, int(spec.low), int(spec.high))
            else:
                values[key] = trial.suggest_float(key, float(spec.low), float(spec.high))
        else:
            values[key] = trial.suggest_categorical(key, list(spec))
    return values


# --- running trials on Dask -----------------------------------------------------------------------
def evaluate(client, problem: Problem, lever_sets: list[dict], replicates: int, retries: int = 2,
             bar=None) -> list[list[pd.DataFrame]]:
    """Run each lever set's replicates (same seeds for every set) on the cluster; the reduced runs per set."""
    from distributed import as_completed

    from .sweep import execute

    base = problem.base.model_dump()
    seeds = replicate_seeds(problem.base.run.seed, replicates)
    common = {"base": base, "base_hash": f"{problem.spec_hash}-{replicates}", "indicators": wanted_indicators(problem),
              "groups": ["all"], "reduce": "annual"}
    token = uuid.uuid4().hex[:8]
    futures, where = [], {}
    for i, levers in enumerate(lever_sets):
        for r, seed in enumerate(seeds):
            task = {**common, "run_id": i * replicates + r, "seed": seed, "overrides": levers}
            future = client.submit(execute, task, key=f"ruralsim_trial-{i}-{r}-{token}", retries=retries, pure=False)
            futures.append(future)
            where[future.key] = (i, r)
    out: list[list] = [[None] * replicates for _ in lever_sets]
    try:
        for future in as_completed(futures):
            i, r = where[future.key]
            out[i][r] = future.result()  # a run that fails after its retries stops the search: a model bug
            future.release()
            if bar is not None:
                bar.update(1)
    except BaseException:
        client.cancel(futures, force=True)
        raise
    return out


def score(problem: Problem, frames: list[pd.DataFrame]) -> tuple[list[float], float, dict]:
    """(objective means, budget constraint, per-replicate objective values) of one trial's runs."""
    table = annual_table(frames)
    per_rep = objective_values(table, problem)
    excess = budget_excess(table, problem.base.budget) if problem.uses_budget else 0.0
    return [float(per_rep[o.name].mean()) for o in problem.objectives], excess, per_rep.to_dict("list")


def optimize(spec, *, out, client=None, workers: int | None = None, scheduler: str | None = None, slurm=None,
             trials: int | None = None, progress: bool = False, report: bool = True, dashboard: str | None = None,
             log: Callable[[str], None] | None = None) -> dict:
    """Run (or continue) the search of a spec into DIR `out`, then write the Pareto front and its re-check.

    Parameters:
        spec: an optimisation spec file (scenarios/optimize/*.toml), a dict or a Problem
        out: the study's directory (resumed when it holds this spec's study)
        client: a Dask client to use; else one is made: `workers` local processes, `scheduler`, or `slurm`
        trials: stop after this many trials in all (default: the spec's search.trials)
        report: write the Pareto front, figure, scenario files and re-check when the search is done
    Returns:
        {"trials": complete trials, "resumed": trials found finished, "pareto": DataFrame, "recheck": DataFrame}
    Example:
        >>> sim.optimize.optimize("scenarios/optimize/xinzhou_budget.toml", out="results/opt", workers=2)
    """
    from .cluster import connect
    from .sweep import check_options

    problem = spec if isinstance(spec, Problem) else load(spec)
    check_options(workers=workers, scheduler=scheduler, slurm=slurm)
    out = Path(out)
    manifest = manifest_for(problem)
    lock = open_store(out, problem, manifest)
    own = None
    try:
        study = open_study(out, problem)
        target = problem.spec.search.trials if trials is None else trials
        done = _complete(study)
        resumed = len(done)
        if client is None:
            client, own, executor = connect(workers=workers, scheduler=scheduler, slurm=slurm, dashboard=dashboard)
            manifest["sessions"][-1]["executor"] = executor
        if log:
            log(f"optimize {problem.spec.name}: {resumed} of {target} trials finished in {out}/")
        replicates = problem.base.run.replicates
        bar = _bar(progress, target * replicates, min(resumed, target) * replicates, problem.spec.name)
        status = "interrupted"
        try:
            _baseline(client, problem, out, replicates)
            unfinished = _unfinished(study)
            while unfinished or len(_complete(study)) < target:
                batch = unfinished or [study.ask() for _ in range(min(problem.spec.search.population,
                                                                     target - len(_complete(study))))]
                if unfinished:  # a trial stopped before all its levers were drawn cannot be re-run: failed
                    for t in [t for t in batch if set(t.params) != set(problem.levers)]:
                        study.tell(_as_trial(study, t), state=_failed())
                    batch = [t for t in batch if set(t.params) == set(problem.levers)]
                lever_sets = [suggest(t, problem) if not unfinished else dict(t.params) for t in batch]
                for t, frames in zip(batch, evaluate(client, problem, lever_sets, replicates, bar=bar)):
                    values, excess, per_rep = score(problem, frames)
                    trial = _as_trial(study, t)
                    trial.set_user_attr("replicate_values", per_rep)
                    trial.set_user_attr("budget_excess", excess)
                    trial.set_constraint("budget", excess)
                    study.tell(trial, values)
                unfinished = []
            status = "complete"
        finally:
            if bar is not None:
                bar.close()
            manifest["sessions"][-1].update(status=status, finished=time.strftime("%Y-%m-%dT%H:%M:%S"),
                                            trials=len(_complete(study)))
            write_json(out / "manifest.json", manifest)
        result = {"trials": len(_complete(study)), "resumed": resumed, "out": out, "problem": problem}
        if report:
            from .optimize_report import write_report

            address = client.scheduler.address if hasattr(client, "scheduler") and client.scheduler else None
            result.update(write_report(study, problem, out, manifest, scheduler=address, progress=progress))
        return result
    finally:
        if own is not None:
            own()
        lock.close()


def _baseline(client, problem: Problem, out: Path, replicates: int) -> dict:
    """The base scenario's objectives on the trials' seeds (baseline.json, computed once per study)."""
    path = out / "baseline.json"
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    frames = evaluate(client, problem, [{}], replicates)[0]
    values, excess, per_rep = score(problem, frames)
    data = {"objectives": dict(zip([o.name for o in problem.objectives], values)), "budget_excess": excess,
            "replicate_values": per_rep}
    write_json(path, data)
    return data


def _complete(study) -> list:
    from optuna.trial import TrialState

    return study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))


def _unfinished(study) -> list:
    """Trials asked but never told (the session was stopped mid-generation): re-run with their values."""
    from optuna.trial import TrialState

    return study.get_trials(deepcopy=False, states=(TrialState.RUNNING, TrialState.WAITING))


def _failed():
    from optuna.trial import TrialState

    return TrialState.FAIL


def _as_trial(study, t):
    import optuna

    return t if isinstance(t, optuna.trial.Trial) else optuna.trial.Trial(study, t._trial_id)


def _bar(progress: bool, total: int, initial: int, label: str):
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, desc=label, unit="run", disable=None, file=sys.stderr)
