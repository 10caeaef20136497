"""The output directory of a sweep: a Parquet dataset written batch by batch, resumable, never duplicated.

    DIR/manifest.json        spec, spec hash, seeds, versions, git commit, executor of each session
    DIR/design.parquet       one row per design point: point id and parameter values
    DIR/results/part-*.parquet   tidy rows of finished runs, one file per batch
    DIR/failures.csv         runs that raised after their retries, with the error (absent when none)

Every file is written beside its final name and renamed into place (atomic on one filesystem), so a
batch is either wholly present or absent whatever kills the process. On start the run ids already in
the dataset are read and skipped; the spec hash in the manifest guards against resuming a different
spec into the same directory; a lock file keeps two sweeps from writing one directory at once.
"""

import fcntl
import json
import os
import time
import uuid
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ..core.errors import InputError

RESULT_COLUMNS = ["indicator", "group", "period", "value"]
FAILURE_COLUMNS = ["run_id", "point", "replicate", "seed", "attempts", "error"]


def _atomic_write(path: Path, write) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    write(tmp)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_json(path: Path, data: dict) -> None:
    _atomic_write(path, lambda p: p.write_text(json.dumps(data, indent=2, default=str), encoding="utf-8"))


def result_schema(runs: pd.DataFrame) -> pa.Schema:
    """Columns of the dataset: run keys, parameter values (typed as in the design), then the tidy value."""
    fields = [pa.field(c, pa.int64()) for c in ("run_id", "point", "replicate", "seed")]
    for column in runs.columns[4:]:
        fields.append(pa.field(column, pa.from_numpy_dtype(runs[column].dtype)
                               if runs[column].dtype.kind in "biuf" else pa.string()))
    fields += [pa.field("indicator", pa.string()), pa.field("group", pa.string()),
               pa.field("period", pa.string()), pa.field("value", pa.float64())]
    return pa.schema(fields)


class Store:
    """Finished runs and failures of one sweep, in a directory (or in memory when `out_dir` is None)."""

    def __init__(self, out_dir, plan):
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.plan = plan
        self.schema = result_schema(plan.runs)
        self.frames: list[pd.DataFrame] = []  # in-memory results (no directory)
        self.failures: dict[int, dict] = {}
        self.manifest: dict = {}
        self._lock = None
        self._failures_dirty = False

    @property
    def parts(self) -> Path:
        return self.out_dir / "results"

    # --- opening ----------------------------------------------------------------------------
    def open(self, manifest: dict) -> set[int]:
        """Check and lock the directory, record the session, and return the run ids already finished."""
        if self.out_dir is None:
            self.manifest = manifest
            return set()
        from ..ui.outputs import MARKER, _listing, check_path, read_marker

        out = check_path(self.out_dir)
        kind = manifest["kind"]
        manifest_path = out / "manifest.json"
        entries = {p.name for p in out.iterdir()} if out.is_dir() else set()
        if entries:
            marker = read_marker(out)
            if marker is None and not self._legacy_store(out):
                raise InputError(f"--out {out}: directory is not empty and is not a ruralsim {kind} store (no {MARKER} "
                                 f"marker; it holds {_listing(entries)}); choose another --out")
            if marker is not None and marker["kind"] != kind:
                raise InputError(f"--out {out}: holds a ruralsim {marker['kind']} output, not a {kind} store; "
                                 "choose another --out")
        try:
            self.parts.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"--out {out}: cannot create directory ({exc.strerror})") from None
        self._lock = open(out / ".lock", "a+")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock.close()
            self._lock = None
            raise InputError(f"--out {out}: another sweep is writing to this directory") from None
        if manifest_path.exists():
            old = json.loads(manifest_path.read_text(encoding="utf-8"))
            if old.get("spec_hash") != manifest["spec_hash"] or old.get("kind") != manifest["kind"]:
                self.close()
                raise InputError(
                    f"--out {out}: holds results of a different {old.get('kind', 'sweep')} spec "
                    f"(spec hash {str(old.get('spec_hash'))[:12]}, this spec {manifest['spec_hash'][:12]}); "
                    "choose another directory or remove it")
            manifest["sessions"] = old.get("sessions", []) + manifest["sessions"]
            if old.get("executor"):
                manifest["executor"] = old["executor"]
        for stale in list(out.glob(".*.tmp-*")) + list(self.parts.glob(".*.tmp-*")):
            stale.unlink(missing_ok=True)  # half-written files of a killed session
        self.manifest = manifest
        write_json(manifest_path, manifest)
        if not (out / MARKER).exists():
            from ..ui.outputs import write_marker

            write_marker(out, kind, [])
        if not (out / "design.parquet").exists():
            design = self.plan.design
            _atomic_write(out / "design.parquet", lambda p: design.to_parquet(p, index=False))
        self.failures = {int(r["run_id"]): r for r in self._read_failures()}
        return self.finished_ids()

    @staticmethod
    def _legacy_store(out: Path) -> bool:
        """A store an earlier ruralsim wrote before the marker: its manifest has a spec hash and a store kind."""
        try:
            old = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return isinstance(old, dict) and "spec_hash" in old and old.get("kind") in ("sweep", "sensitivity") \
            and (out / "results").is_dir()

    def finished_ids(self) -> set[int]:
        if self.out_dir is None:
            return set().union(*(set(f["run_id"].unique().tolist()) for f in self.frames))
        ids: set[int] = set()
        for part in sorted(self.parts.glob("part-*.parquet")):
            ids.update(pq.read_table(part, columns=["run_id"]).column("run_id").unique().to_pylist())
        return ids

    def _read_failures(self) -> list[dict]:
        path = self.out_dir / "failures.csv"
        return pd.read_csv(path).to_dict("records") if path.exists() else []

    # --- writing ----------------------------------------------------------------------------
    def add_batch(self, frames: list[pd.DataFrame]) -> int:
        """Write finished runs (tidy frames with a run_id column) as one part of the dataset."""
        if not frames:
            return 0
        rows = pd.concat(frames, ignore_index=True)
        run_ids = rows["run_id"].unique()
        for run_id in run_ids:
            if self.failures.pop(int(run_id), None) is not None:
                self._failures_dirty = True
        rows = rows.merge(self.plan.runs, on="run_id", how="left", sort=False)
        rows = rows[[f.name for f in self.schema]]
        table = pa.Table.from_pandas(rows, schema=self.schema, preserve_index=False)
        if self.out_dir is None:
            self.frames.append(rows)
        else:
            name = f"part-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.parquet"
            _atomic_write(self.parts / name, lambda p: pq.write_table(table, p))
        self.write_failures()
        return len(run_ids)

    def add_failure(self, run_id: int, attempts: int, error: str) -> None:
        run = self.plan.runs.loc[run_id]
        self.failures[run_id] = {"run_id": run_id, "point": int(run["point"]), "replicate": int(run["replicate"]),
                                 "seed": int(run["seed"]), "attempts": attempts, "error": error}
        self._failures_dirty = True

    def write_failures(self) -> None:
        if self.out_dir is None or not self._failures_dirty:
            return
        path = self.out_dir / "failures.csv"
        if self.failures:
            frame = pd.DataFrame(sorted(self.failures.values(), key=lambda r: r["run_id"]), columns=FAILURE_COLUMNS)
            _atomic_write(path, lambda p: frame.to_csv(p, index=False))
        else:
            path.unlink(missing_ok=True)
        self._failures_dirty = False

    def update_manifest(self, **session) -> None:
        self.manifest["sessions"][-1].update(session)
        if session.get("executor"):
            self.manifest["executor"] = session["executor"]
        self.manifest["status"] = session.get("status", self.manifest.get("status"))
        if self.out_dir is not None:
            write_json(self.out_dir / "manifest.json", self.manifest)

    def close(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    # --- reading ----------------------------------------------------------------------------
    def results(self) -> pd.DataFrame:
        if self.out_dir is None:
            frames = self.frames
        else:
            frames = [pq.read_table(p).to_pandas() for p in sorted(self.parts.glob("part-*.parquet"))]
        return _sorted(pd.concat(frames, ignore_index=True) if frames else self.schema.empty_table().to_pandas())


def load_results(out_dir) -> pd.DataFrame:
    """The tidy results of a sweep directory, sorted by run, indicator, group and period."""
    parts = sorted((Path(out_dir) / "results").glob("part-*.parquet"))
    if not parts:
        raise InputError(f"{out_dir}: no sweep results (expected {out_dir}/results/part-*.parquet)")
    return _sorted(pd.concat([pq.read_table(p).to_pandas() for p in parts], ignore_index=True))


def load_failures(out_dir) -> pd.DataFrame:
    path = Path(out_dir) / "failures.csv"
    return pd.read_csv(path) if path.exists() else pd.DataFrame(columns=FAILURE_COLUMNS)


def _sorted(rows: pd.DataFrame) -> pd.DataFrame:
    return rows.sort_values(["run_id", "indicator", "group", "period"], kind="stable").reset_index(drop=True)
