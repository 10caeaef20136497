"""Parameter sweeps on Dask: many runs of one base scenario, reduced on the workers, saved as they finish.

    from sim.experiments.sweep import run_sweep
    df = run_sweep("scenarios/sweeps/example_factorial.toml")             # a LocalCluster on this machine
    df = run_sweep(spec, client=client, out="results/my-sweep")            # your own Dask client

Each task gets the base scenario (a small dict), the parameter values of its design point and its seed;
it builds and runs the model and returns the reduced indicators (a few dozen rows), never household
arrays. The client writes finished runs in batches to a Parquet dataset (see `sweep_store`), so a
sweep can be stopped at any moment and resumed by running it again. A run that raises is retried by
Dask (`retries`), then recorded as failed with its error; the sweep goes on. Dask is imported only
when a sweep starts.
"""

import shutil
import signal
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable

import pandas as pd

from ..core.errors import InputError
from .cluster import SlurmOptions, _describe_client, check_lifetimes, connect
from .sweep_plan import Plan, plan
from .sweep_store import Store, load_failures, load_results  # noqa: F401  (re-exported)

DEFAULT_BATCH = 100  # runs per Parquet part
FLUSH_SECONDS = 30.0  # ... or sooner, when the oldest unsaved run is this old
WINDOW = 2000  # runs submitted to the scheduler at a time
DEFAULT_RETRIES = 2


# --- the task (runs on a worker) ---------------------------------------------------------------
def reduce_indicators(frame: pd.DataFrame, how: str) -> pd.DataFrame:
    """Monthly tidy indicators of one run -> indicator, group, period, value."""
    from .results import annual

    if how == "horizon":
        from .compare import horizon_values

        out = horizon_values(frame.assign(scenario="", replicate=0))
    else:
        out = annual(frame)
        if how == "final_year":
            out = out[out["year"] == out["year"].max()]
        out = out.assign(period=out["year"].astype(str))
    out = out.assign(indicator=out["indicator"].astype(str), group=out["group"].astype(str))
    return out[["indicator", "group", "period", "value"]].reset_index(drop=True)


_BASES: dict[str, Any] = {}
_MALLOC_TUNED = False


def _tune_malloc() -> None:
    """Keep freed arrays in the worker's heap between months and runs.

    Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, which (with glibc) also fixes the
    mmap threshold at 128 KiB: every household array is then mapped and unmapped afresh, and runs
    took ~50% longer in system time (page faults). 32 MiB mmap and 256 MiB trim thresholds restore
    and beat a plain process's speed. Only where glibc's mallopt exists; harmless elsewhere.
    """
    global _MALLOC_TUNED
    _MALLOC_TUNED = True
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 32 * 2**20)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 256 * 2**20)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):
        pass


def execute(task: dict) -> pd.DataFrame:
    """Run one design point with one seed and return its reduced indicators (with the run id)."""
    from ..core.model import RuralModel
    from ..core.scenario import validate, with_overrides

    if not _MALLOC_TUNED:
        _tune_malloc()
    base = _BASES.get(task["base_hash"])
    if base is None:
        base = _BASES[task["base_hash"]] = validate(task["base"], "sweep base")
    scenario = with_overrides(base, task["overrides"], "sweep") if task["overrides"] else base
    # only the indicators the output reads are computed (the others cost report work and stay NaN)
    model = RuralModel(scenario=scenario, seed=task["seed"], indicators=task["indicators"])
    model.run()
    model.release()
    frame = model.indicators()
    frame = frame[frame["indicator"].isin(task["indicators"]) & frame["group"].isin(task["groups"])]
    out = reduce_indicators(frame, task["reduce"])
    out.insert(0, "run_id", task["run_id"])
    return out


# --- executor options -------------------------------------------------------------------------
def check_options(*, workers=None, scheduler=None, slurm=None, batch_size=DEFAULT_BATCH, retries=DEFAULT_RETRIES):
    """Executor options are checked before anything starts (InputError: one line, exit code 2)."""
    if workers is not None and workers < 1:
        raise InputError(f"--workers: must be at least 1 (got {workers})")
    if workers is not None and (scheduler or slurm):
        raise InputError("--workers: sizes the local cluster; with --scheduler or --slurm leave it out")
    if scheduler and slurm:
        raise InputError("--scheduler and --slurm exclude each other")
    if slurm is not None and (slurm.cores < 1 or slurm.jobs < 1):
        raise InputError(f"--cores and --jobs: must be at least 1 (got {slurm.cores} and {slurm.jobs})")
    if slurm is not None:
        check_lifetimes(slurm)
    if batch_size < 1:
        raise InputError(f"--batch-size: must be at least 1 (got {batch_size})")
    if retries < 0:
        raise InputError(f"--retries: must be 0 or more (got {retries})")


# --- the loop -----------------------------------------------------------------------------------
def run_sweep(spec, client=None, *, out=None, workers: int | None = None, scheduler: str | None = None,
              slurm: SlurmOptions | None = None, kind: str = "sweep", batch_size: int = DEFAULT_BATCH,
              flush_seconds: float = FLUSH_SECONDS, retries: int = DEFAULT_RETRIES, progress: bool = False,
              log: Callable[[str], None] | None = None, dashboard: str | None = ":8787") -> pd.DataFrame:
    """Run a sweep spec (path, dict, SweepSpec or Plan) and return its tidy results: design points x
    replicates on Dask, resumable, the modeller's tool for many runs.

    Parameters:
        spec: a sweep spec file (scenarios/sweeps/*.toml), a dict, a SweepSpec or a Plan
        client: a Dask client to use (left open); without it one is made when there is work to do and closed
            at the end: a LocalCluster of `workers` processes (default: one per core), the scheduler at
            `scheduler`, or SLURM jobs (`slurm`)
        out: a directory to write (and resume from); without it results stay in memory
        batch_size, flush_seconds, retries: tasks in flight, seconds between writes, retries of a failed run
        progress: show a progress bar; log: called with progress lines
    Returns:
        a DataFrame with one row per run, indicator, group and period: run_id, point, replicate, seed, the
        parameter values, indicator, group, period, value; failed runs are in `frame.attrs["failures"]`
        (and DIR/failures.csv)
    Example:
        >>> results = sim.experiments.sweep.run_sweep("scenarios/sweeps/example_factorial.toml", workers=2)
    """
    p = plan(spec, kind)
    check_options(workers=workers, scheduler=scheduler, slurm=slurm, batch_size=batch_size, retries=retries)
    store = Store(out, p)
    manifest = sweep_manifest(p)
    manifest["sessions"] = [{"started": time.strftime("%Y-%m-%dT%H:%M:%S"), "status": "running"}]
    fresh = out is not None and not Path(out).exists()
    done = store.open(manifest)
    own, executor = None, None
    try:
        todo = [int(r) for r in p.runs["run_id"] if int(r) not in done]
        if todo and client is None:
            try:
                client, own, executor = connect(workers=workers, scheduler=scheduler, slurm=slurm,
                                                dashboard=dashboard)
            except InputError:
                if fresh:  # leave nothing behind for bad input
                    store.close()
                    shutil.rmtree(out, ignore_errors=True)
                raise
        elif client is not None:
            executor = _describe_client(client)
        store.update_manifest(executor=executor, skipped=len(done), to_run=len(todo))
        if log and client is not None and todo:
            log(f"dask dashboard: {client.dashboard_link}")
        started = time.time()
        status = "interrupted"
        with _sigterm_as_interrupt():
            try:
                if todo:
                    _loop(client, p, store, todo, batch_size, flush_seconds, retries,
                          _bar(progress, len(p.runs), len(done), p.spec.name))
                status = "complete" if not store.failures else "complete with failures"
            finally:
                store.write_failures()
                store.update_manifest(status=status, finished=time.strftime("%Y-%m-%dT%H:%M:%S"),
                                      wall_seconds=round(time.time() - started, 3),
                                      saved=len(store.finished_ids()) - len(done), failed=len(store.failures))
    finally:
        store.close()
        if own is not None:
            own()
    result = store.results()
    result.attrs["failures"] = sorted(store.failures.values(), key=lambda r: r["run_id"])
    result.attrs["spec_hash"] = p.spec_hash
    return result


def _loop(client, p: Plan, store: Store, todo: list[int], batch_size: int, flush_seconds: float,
          retries: int, bar) -> None:
    from distributed import as_completed

    base = p.base.model_dump()
    common = {"base": base, "base_hash": p.spec_hash, "indicators": list(p.spec.output.indicators),
              "groups": list(p.spec.output.groups), "reduce": p.spec.output.reduce}
    records = p.runs.to_dict("records")  # native Python values, row k is run k
    token = uuid.uuid4().hex[:8]
    pending = iter(todo)
    futures = as_completed(loop=client.loop)
    run_of: dict[str, int] = {}
    live: dict[str, Any] = {}

    def submit_more() -> None:
        while futures.count() < WINDOW:
            run_id = next(pending, None)
            if run_id is None:
                return
            row = records[run_id]
            task = {**common, "run_id": run_id, "seed": int(row["seed"]),
                    "overrides": {k: _python(row[k]) for k in p.parameters}}
            key = f"ruralsim_run-{run_id}-{token}"
            run_of[key] = run_id
            live[key] = client.submit(execute, task, key=key, retries=retries, pure=False)
            futures.add(live[key])

    buffer: list[pd.DataFrame] = []
    oldest = None
    submit_more()
    try:
        for future in futures:
            run_id = run_of.pop(future.key)
            live.pop(future.key, None)
            if future.status == "finished":
                buffer.append(future.result())
                oldest = oldest or time.time()
            else:
                store.add_failure(run_id, retries + 1, _error(future))
            future.release()
            if bar is not None:
                bar.update(1)
                if store.failures:
                    bar.set_postfix(failed=len(store.failures), refresh=False)
            if len(buffer) >= batch_size or (oldest and time.time() - oldest >= flush_seconds):
                store.add_batch(buffer)
                buffer, oldest = [], None
            store.write_failures()
            submit_more()
    finally:
        store.add_batch(buffer)  # finished runs are kept on any exit, Ctrl-C included
        if live:  # interrupted: withdraw what is still queued or running
            client.cancel(list(live.values()), force=True)
        if bar is not None:
            bar.close()


def _error(future) -> str:
    try:
        exc = future.exception()
    except Exception as err:  # cancelled futures raise here
        exc = err
    text = f"{exc.__class__.__name__}: {exc}".replace("\n", " ")
    return text[:2000]


def _python(value):
    return value.item() if hasattr(value, "item") else value


def _bar(progress: bool, total: int, initial: int, label: str):
    if not progress:
        return None
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, desc=label, unit="run", disable=None, smoothing=0.05)


class _sigterm_as_interrupt:
    """SIGTERM (e.g. SLURM at the walltime) ends the sweep like Ctrl-C: finished runs are saved first."""

    def __enter__(self):
        self.previous = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGTERM, self._raise)
        return self

    @staticmethod
    def _raise(signum, frame):
        raise KeyboardInterrupt

    def __exit__(self, *exc):
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)
        return False


def sweep_manifest(p: Plan) -> dict:
    import platform

    import numpy as np

    from .results import _version, git_commit, replicate_seeds

    spec = p.spec.model_dump(mode="json")
    return {
        "kind": p.kind,
        "name": p.spec.name,
        "spec_file": p.source,
        "spec": spec,
        "spec_hash": p.spec_hash,
        "base_scenario": p.base.model_dump(mode="json"),
        "seeds": {"root": p.root_seed, "replicates": replicate_seeds(p.root_seed, p.replicates),
                  "scheme": "replicate r of every design point: SeedSequence(root).spawn(R)[r]; "
                            "run_id = point * R + r"},
        "design": {"points": len(p.design), "replicates": p.replicates, "runs": len(p.runs),
                   "parameters": p.parameters},
        "versions": {"ruralsim": _version("ruralsim"), "python": platform.python_version(),
                     "numpy": np.__version__, "pandas": pd.__version__, "dask": _version("dask"),
                     "distributed": _version("distributed"), "mesa": _version("mesa"), "scipy": _version("scipy"),
                     "SALib": _version("SALib")},
        "git_commit": git_commit(),
        "status": "running",
    }
