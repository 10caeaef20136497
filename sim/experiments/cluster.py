"""Where the runs of a sweep, an optimisation or a calibration execute: a Dask client on a LocalCluster of
this machine's cores, on a running scheduler, or on SLURM jobs (dask-jobqueue) whose workers retire
before their walltime and are replaced (`SlurmOptions`). Dask is imported only when a cluster starts.
"""

import logging
import os
from dataclasses import dataclass

from ..core.errors import InputError


@dataclass
class SlurmOptions:
    queue: str | None = None
    account: str | None = None
    cores: int = 8
    memory: str = "16GB"
    walltime: str = "01:00:00"
    jobs: int = 1
    # worker lifetimes (issue 16): a worker retires gracefully before its job's walltime kills it, its tasks
    # moving to other workers; with adaptive scaling a new job replaces it, so a sweep outlives walltimes
    lifetime: str | None = None  # e.g. "55m": a worker closes after this long (Dask's --lifetime)
    lifetime_stagger: str | None = None  # e.g. "4m": random spread so workers do not all retire at once
    adapt_max_jobs: int | None = None  # adaptive scaling: between `jobs` and this many jobs, by the queue


def slurm_cluster(options: SlurmOptions, **kwargs):
    """A dask-jobqueue SLURMCluster of one worker process per core (threads_per_worker = 1)."""
    try:
        from dask_jobqueue import SLURMCluster
    except ImportError:
        raise InputError("--slurm: needs dask-jobqueue (pip install dask-jobqueue)") from None
    extra = list(kwargs.pop("worker_extra_args", []))
    if options.lifetime:
        extra += ["--lifetime", options.lifetime]  # the job ends with its worker; adapt() starts another
        if options.lifetime_stagger:
            extra += ["--lifetime-stagger", options.lifetime_stagger]
    return SLURMCluster(queue=options.queue, account=options.account, cores=options.cores,
                        processes=options.cores, memory=options.memory, walltime=options.walltime,
                        worker_extra_args=extra, **kwargs)


def start_slurm_jobs(cluster, options: SlurmOptions) -> None:
    """Fixed `jobs`, or adaptive between `jobs` and `adapt_max_jobs` (jobs retired by a lifetime are replaced)."""
    if options.adapt_max_jobs:
        cluster.adapt(minimum_jobs=options.jobs, maximum_jobs=options.adapt_max_jobs)
    else:
        cluster.scale(jobs=options.jobs)


def connect(workers: int | None = None, scheduler: str | None = None, slurm: SlurmOptions | None = None,
            dashboard: str | None = ":8787"):
    """A Dask client: a LocalCluster of `workers` processes, an existing scheduler, or SLURM jobs.

    Returns (client, close, executor description for the manifest).
    """
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise InputError(f"--scheduler {scheduler}: cannot connect ({exc.__class__.__name__}: {exc})") from None
        return client, client.close, {"kind": "scheduler", "address": scheduler,
                                      "workers": len(client.scheduler_info()["workers"])}
    if slurm:
        cluster = slurm_cluster(slurm)
        start_slurm_jobs(cluster, slurm)
        client = Client(cluster)
        return client, _closer(client, cluster), {"kind": "slurm", **vars(slurm)}
    n = (os.cpu_count() or 1) if workers is None else workers
    where = {"dashboard_address": dashboard} if dashboard else {"dashboard_address": ":0",
                                                                 "scheduler_kwargs": {"dashboard": False}}
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, silence_logs=logging.CRITICAL, **where)
    client = Client(cluster)
    return client, _closer(client, cluster), {"kind": "local", "workers": n, "threads_per_worker": 1}


def check_lifetimes(slurm: SlurmOptions) -> None:
    """--lifetime and --lifetime-stagger are durations Dask reads ("55m", "1h", "3600s"); the stagger needs a
    lifetime, and a lifetime must end before the walltime, else SLURM kills the worker first."""
    from dask.utils import parse_timedelta

    seconds = {}
    for option, text in (("--lifetime", slurm.lifetime), ("--lifetime-stagger", slurm.lifetime_stagger)):
        if text is None:
            continue
        try:
            seconds[option] = parse_timedelta(text)
        except (ValueError, KeyError, TypeError):
            raise InputError(f"{option} {text}: not a duration; e.g. 55m, 1h, 3600s") from None
    if "--lifetime-stagger" in seconds and "--lifetime" not in seconds:
        raise InputError("--lifetime-stagger: needs --lifetime")
    if "--lifetime" in seconds:
        h, m, s = (slurm.walltime.split(":") + ["0", "0"])[:3]
        try:
            walltime = int(h) * 3600 + int(m) * 60 + int(s)
        except ValueError:
            raise InputError(f"--walltime {slurm.walltime}: expected HH:MM:SS") from None
        if seconds["--lifetime"] + seconds.get("--lifetime-stagger", 0) >= walltime:
            raise InputError(f"--lifetime {slurm.lifetime}: must end before --walltime {slurm.walltime} (with the "
                             "stagger), else SLURM kills workers before they hand their tasks over")
    if slurm.adapt_max_jobs is not None and slurm.adapt_max_jobs < slurm.jobs:
        raise InputError(f"--adapt-max-jobs {slurm.adapt_max_jobs}: must be at least --jobs ({slurm.jobs})")


def _closer(client, cluster):
    def close():
        client.close()
        cluster.close()
    return close


def _describe_client(client) -> dict:
    info = client.scheduler_info()
    return {"kind": "client", "address": info.get("address"), "workers": len(info.get("workers", {}))}
