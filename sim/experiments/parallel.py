"""Replicates in parallel: local processes or a Dask cluster, with results bit-identical to a serial run.

A replicate depends only on the scenario and its own seed (`results.replicate_seeds`; each component's
stream is spawned from that seed by name), never on which process runs it or in what order, so running
replicates at the same time changes nothing but the wall time. Workers get the scenario as plain data
(`model_dump`) and validate it again: every value is given, so no overlay or default can differ.
"""

import os
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from typing import Any, Callable

import pandas as pd

from ..core.errors import InputError
from ..core.memory import give_back

# a model of at least this many households is freed at once when its replicate ends (its reference cycles
# collected, the heap's pages returned; ~60 ms): the figures, the next replicate or scenario then start from
# the imports' memory rather than on top of the dead model's ~350 B per household (issue 19)
GIVE_BACK_HOUSEHOLDS = 100_000


def replicate(scenario, seed: int, r: int, progress: Callable[[int], None] | None = None,
              microdata: list[str] = ()) -> tuple[pd.DataFrame, Any, dict]:
    """One replicate: its tidy indicators (scenario, replicate, seed columns first), its income level factor
    and the household snapshots of the `microdata` months ({'YYYY-MM': frame}, sim/experiments/microdata.py)."""
    from .microdata import snapshot
    from ..core.model import RuralModel
    from ..core.schedules import month_index

    model = RuralModel(scenario=scenario, seed=seed)
    wanted = {month_index(m): m for m in microdata}
    snapshots = {}
    while model.running:
        model.step()
        if progress is not None:
            progress(model.month_index)
        stepped = model.absolute_month - 1
        if stepped in wanted:
            snapshots[wanted[stepped]] = snapshot(model)
            snapshots[wanted[stepped]].insert(0, "replicate", r)
    recorded, factor, households = model.recorded(), model.income_level_factor, len(model.households)
    model.release()
    del model  # freed before the frame is built (sim/core/recorded.py)
    if households >= GIVE_BACK_HOUSEHOLDS:
        give_back()
    frame = recorded.frame()
    frame.insert(0, "seed", seed)
    frame.insert(0, "replicate", r)
    frame.insert(0, "scenario", scenario.name)
    return frame, factor, snapshots


def _replicate_from_data(data: dict, seed: int, r: int, microdata: list[str]) -> tuple[pd.DataFrame, Any, dict]:
    from ..core.scenario import validate

    return replicate(validate(data, "replicate", calibrated=False), seed, r, microdata=microdata)


def check_workers(workers: int | None, scheduler: str | None = None) -> None:
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or workers < 1):
        raise InputError(f"--workers: must be a whole number of at least 1 (got {workers!r})")
    if workers is not None and workers > 1 and scheduler:
        raise InputError("--workers: sizes the local processes; with --scheduler leave it out")


def run_replicates(scenario, seeds: list[int], *, workers: int | None = None, scheduler: str | None = None,
                   progress: Callable[[int], None] | None = None,
                   microdata: list[str] = ()) -> list[tuple[pd.DataFrame, Any, dict]]:
    """(frame, income level factor, household snapshots) per replicate, in replicate order: serially in this process when
    `workers` is 1 or None and there is no `scheduler`; else on `workers` local processes, or on the Dask
    scheduler at `scheduler` (the cluster `ruralsim sweep --scheduler` uses)."""
    check_workers(workers, scheduler)
    if not scheduler and (workers is None or workers == 1 or len(seeds) == 1):
        return [replicate(scenario, seed, r, progress, microdata) for r, seed in enumerate(seeds)]
    months = scenario.run.years * 12
    data = scenario.model_dump()
    results: dict[int, tuple] = {}

    def done(r: int, result: tuple) -> None:
        results[r] = result
        _advance(progress, months)

    map_tasks([(_replicate_from_data, (data, seed, r, list(microdata))) for r, seed in enumerate(seeds)],
              list(range(len(seeds))), workers=workers, scheduler=scheduler, done=done)
    return [results[r] for r in range(len(seeds))]


def _advance(progress, months: int) -> None:
    if progress is not None:  # a replicate done: its months, as a serial run reports them
        for month in range(1, months + 1):
            progress(month)


def map_tasks(calls: list[tuple[Callable, tuple]], keys: list, *, workers: int | None = None,
              scheduler: str | None = None, done: Callable[[Any, Any], None]) -> None:
    """Call each `fn(*args)` of `calls` and hand `done(key, result)` each result as it finishes (in any order):
    serially when `workers` is 1 or None and there is no `scheduler`, else on `workers` local processes or on
    the Dask scheduler at `scheduler`. Tasks are submitted in the order given (the longest first balances)."""
    check_workers(workers, scheduler)
    if not scheduler and (workers is None or workers == 1 or len(calls) <= 1):
        for (fn, args), key in zip(calls, keys):
            done(key, fn(*args))
        return
    if scheduler:
        from .cluster import connect

        client, close, _ = connect(scheduler=scheduler)
        try:
            futures = {client.submit(fn, *args, pure=False): k for k, (fn, args) in enumerate(calls)}
            from distributed import as_completed as dask_completed

            for future in dask_completed(list(futures)):
                done(keys[futures[future]], future.result())
                future.release()
        finally:
            close()
        return
    n = min(workers, len(calls), os.cpu_count() or workers)
    with ProcessPoolExecutor(max_workers=n, mp_context=get_context("spawn")) as pool:
        futures = {pool.submit(fn, *args): k for k, (fn, args) in enumerate(calls)}
        for future in as_completed(futures):
            k = futures.pop(future)
            done(keys[k], future.result())
            del future  # its result (a replicate's tables) is held once, by `done`
