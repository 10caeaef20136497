"""A compare's runs, with what scenarios share computed once per replicate (issue 19).

The scenarios are put in groups: each group has a root (the base first) and the scenarios whose parameters
in force equal the root's until a later month (sim/experiments/branching.py). One task is one group on one
replicate's seed: the root is built and advanced; at each member's branch month the whole model (every
component's state and random stream, the recorder, the month) is written to an anonymous temporary file,
the live model continues as the member to the end, and the root is read back to go on. A file, not a copy
in memory: a worker holds one model at a time, so sharing costs no memory (the page cache is not the
process's). Each result is bit for bit that of the scenario run on its own (tests/test_compare_sharing.py).

Workers send back each replicate's tidy indicators with categorical columns (a few MB, not tens), and the
main process concatenates them per scenario once; that table is what the comparison reads.
"""

import pickle
import tempfile
import time
import types
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..core.schedules import month_text
from .branching import branch_month, build_month, end_month
from .results import KEY_COLUMNS, RunResult, _progress, build_manifest, replicate_seeds


# --- the model set aside at a branch month ------------------------------------------------------------------
class _Pickler(pickle.Pickler):
    """Pickles a model; functions defined inside functions (the DataCollector's reporters), which pickle
    cannot name, are kept by reference: they hold no state."""

    def __init__(self, file, kept: list):
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.kept = kept

    def persistent_id(self, obj):
        if isinstance(obj, types.FunctionType) and "<locals>" in obj.__qualname__:
            self.kept.append(obj)
            return len(self.kept) - 1
        return None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file, kept: list):
        super().__init__(file)
        self.kept = kept

    def persistent_load(self, pid):
        return self.kept[pid]


class SetAside:
    """A model written to an anonymous temporary file (deleted when closed), to be read back once."""

    def __init__(self, model):
        self.kept: list = []
        self.file = tempfile.TemporaryFile()
        _Pickler(self.file, self.kept).dump(model)

    def restore(self):
        try:
            self.file.seek(0)
            return _Unpickler(self.file, self.kept).load()
        finally:
            self.file.close()


# --- one group on one replicate -----------------------------------------------------------------------------
def tidy(recorded) -> pd.DataFrame:
    """A replicate's tidy indicators (`Recorded.frame()`, what `model.indicators()` gives) with categorical text
    columns; the scenario, replicate and seed columns are added when the replicates are put together
    (`concat_tidy`)."""
    frame = recorded.frame()
    for column in ("indicator", "group"):
        frame[column] = frame[column].astype("category")
    return frame


def run_group(scenarios: list, months: list[int], seed: int, r: int,
              progress: Callable[[int], None] | None = None) -> list[tuple[pd.DataFrame, Any]]:
    """(tidy indicators, income level factor) of each scenario of a group on one seed: `scenarios[0]` is the
    root, `scenarios[k]` continues from the root's state at absolute month `months[k - 1]`.

    A finished model is freed at once (`memory.give_back`: it is in a reference cycle, which Python's
    collector would free only later; a worker of the compare before issue 19 held several full-scale models,
    4.7 GB), before the root is read back, so a worker holds one model at a time."""
    from ..core.memory import give_back
    from ..core.model import RuralModel

    def finish(model):
        if progress is not None:  # the months it shares, as a run of its own would have reported them
            for month in range(1, model.month_index + 1):
                progress(month)
        while model.running:
            model.step()
            if progress is not None:
                progress(model.month_index)
        out = (model.recorded(), model.income_level_factor)
        model.release()
        return out

    model = RuralModel(scenario=scenarios[0], seed=seed)
    finished: list = [None] * len(scenarios)
    for k, month in sorted(enumerate(months, start=1), key=lambda item: item[1]):
        while model.running and model.absolute_month < month:
            model.step()
        root = SetAside(model)
        model.continue_as(scenarios[k])
        finished[k] = finish(model)
        model = None
        give_back()
        model = root.restore()
    finished[0] = finish(model)
    model = None
    give_back()
    return [(tidy(recorded), factor) for recorded, factor in finished]


def _run_group_from_data(data: list[dict], months: list[int], seed: int, r: int) -> list[tuple[pd.DataFrame, Any]]:
    from ..core.scenario import validate

    return run_group([validate(d, "replicate", calibrated=False) for d in data], months, seed, r)


# --- the compare's scenarios ----------------------------------------------------------------------------------
def groups(scenarios: list) -> list[tuple[list[int], list[int]]]:
    """(scenario indices, branch months of the members after the root) per group. A scenario joins the
    root it shares most months with, or roots a group of its own."""
    out: list[tuple[list[int], list[int]]] = []
    for k, scenario in enumerate(scenarios):
        best, best_month = None, None
        for g, (members, _) in enumerate(out):
            month = branch_month(scenarios[members[0]], scenario)
            if month is not None and (best_month is None or month > best_month):
                best, best_month = g, month
        if best is None:
            out.append(([k], []))
        else:
            out[best][0].append(k)
            out[best][1].append(best_month)
    return out


def _cost(scenarios, members: list[int], months: list[int]) -> float:
    """A group's months to simulate, in runs of one scenario."""
    first, last = build_month(scenarios[members[0]]), end_month(scenarios[members[0]])
    return 1 + sum((last - m) / (last - first) for m in months)


def run_shared(scenarios: list, *, workers: int | None = None, scheduler: str | None = None,
               progress: bool | Callable[[int], None] = False, share: bool = True) -> list[RunResult]:
    """A RunResult per scenario (all on the first scenario's [run] settings and seeds), each bit for bit what
    `results.run` gives for it, with the months the scenarios share simulated once per replicate.

    Parameters:
        scenarios: validated Scenarios, the base first; all with the base's `[run]` section
        workers, scheduler: as `results.run` (local processes or a Dask scheduler)
        progress: True for a progress bar, or a callable given the months done
        share: False runs every scenario on its own (the same results, for checking)
    Returns:
        a list of RunResults in the order of `scenarios`; each manifest's `shared` says from which scenario and
        month it continued (None: run on its own); `wall_seconds` is the whole compare's runs
    """
    from .parallel import check_workers, map_tasks

    check_workers(workers, scheduler)
    run_params = scenarios[0].run
    seeds = replicate_seeds(run_params.seed, run_params.replicates)
    plan = groups(scenarios) if share else [([k], []) for k in range(len(scenarios))]
    tasks = [(members, months, r) for members, months in plan for r in range(len(seeds))]
    tasks.sort(key=lambda t: -_cost(scenarios, t[0], t[1]))  # the longest first: workers finish together
    n_months = run_params.years * 12
    bar = _progress(progress, total=len(scenarios) * len(seeds) * n_months, label="compare")
    parallel = scheduler or (workers is not None and workers > 1 and len(tasks) > 1)
    data = [s.model_dump() for s in scenarios] if parallel else None
    frames: dict[tuple[int, int], tuple[pd.DataFrame, Any]] = {}

    def call(members, months, r):
        if parallel:
            return _run_group_from_data, ([data[k] for k in members], months, seeds[r], r)
        return run_group, ([scenarios[k] for k in members], months, seeds[r], r, bar)

    def done(task, outputs):
        members, _, r = task
        for k, output in zip(members, outputs):
            frames[(k, r)] = output
        if parallel and bar is not None:  # a task done: its scenarios' months, as a serial run reports them
            for _ in members:
                for month in range(1, n_months + 1):
                    bar(month)

    started = time.time()
    try:
        map_tasks([call(*t) for t in tasks], tasks, workers=workers, scheduler=scheduler, done=done)
    finally:
        if hasattr(bar, "close"):
            bar.close()
    wall = time.time() - started
    shared = {k: (scenarios[members[0]].name, month) for members, months in plan
              for k, month in zip(members[1:], months)}
    results = []
    for k, scenario in enumerate(scenarios):
        outputs = [frames.pop((k, r)) for r in range(len(seeds))]
        indicators = concat_tidy([f for f, _ in outputs], scenario.name, seeds)
        root = shared.get(k)
        extra = {"income_level_factor": [factor for _, factor in outputs], "overrides": {},
                 "workers": {"workers": workers or 1, "scheduler": scheduler},
                 "shared": None if root is None else {"with": root[0], "from_month": month_text(root[1])}}
        results.append(RunResult(scenario, indicators, build_manifest(scenario, seeds, indicators,
                                                                      wall_seconds=wall, extra=extra)))
    return results


def concat_tidy(frames: list[pd.DataFrame], scenario: str, seeds: list[int]) -> pd.DataFrame:
    """Replicates' tidy frames as `results.run` puts them together: in replicate order, with the scenario,
    replicate and seed columns, the text columns categorical with their values' sorted categories (what
    `astype("category")` of the text gives); the scenario's too (one category, not a string a row)."""
    frames = list(frames)
    for column in ("indicator", "group"):
        categories = sorted(set().union(*(f[column].cat.categories for f in frames)))
        for f in frames:
            f[column] = f[column].cat.set_categories(categories)
    rows = [len(f) for f in frames]
    out = pd.concat(frames, ignore_index=True)
    frames.clear()
    out.insert(0, "seed", np.repeat(np.asarray(seeds, np.int64), rows))
    out.insert(0, "replicate", np.repeat(np.arange(len(seeds), dtype=np.int64), rows))
    out.insert(0, "scenario", pd.Categorical.from_codes(np.zeros(len(out), np.int8), [scenario]))
    out = out[KEY_COLUMNS]
    for column in ("indicator", "group"):
        out[column] = out[column].cat.remove_unused_categories()
    return out
