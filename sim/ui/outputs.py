"""Writing an output directory so that it is either complete or absent, and never losing a user's files.

Every directory a ruralsim command writes carries a marker file, `.ruralsim-output`, recording the kind
of output (run, compare, targets, calibration, sweep, sensitivity) and the files ruralsim wrote. A
command replaces a directory only when it can prove the directory is its own output of the same kind:

- a missing or empty directory is used as is;
- a directory whose marker names the same kind, and which holds only the files the marker lists, is
  replaced (re-running a command to the same `--out` just works);
- anything else is refused with exit code 2: a directory with any file ruralsim did not write, a
  `manifest.json` that is not ruralsim's, a sweep store (never replaced by another command), `.`,
  `/`, a mount point, a file.

`--force` widens this only to directories that ruralsim wrote but of another kind (e.g. a `compare`
output replaced by `run`), or that an earlier ruralsim wrote without a marker (its `manifest.json`
lists every file present). Even with `--force`, a directory holding a file that ruralsim did not write
is refused, and a sweep store is never replaced: ruralsim never deletes what it did not write.

Files go to a hidden sibling directory first; only when every file is written is it swapped into place
(the previous output is removed only after the swap). An I/O failure (disk full, permission lost)
leaves the previous output as it was and ends with one line saying so (exit code 1).
"""

import json
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

from .i18n import term
from ..core.errors import InputError, WriteError
from ..experiments.results import RunResult

MARKER = ".ruralsim-output"
STORE_KINDS = ("sweep", "sensitivity", "optimize", "discover")  # resumable stores: added to, never replaced
KINDS = ("run", "compare", "targets", "calibration", *STORE_KINDS)


def read_marker(directory: Path) -> dict | None:
    """The marker of a ruralsim output directory, or None when there is none (or it is not ours)."""
    try:
        data = json.loads((Path(directory) / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("kind") not in KINDS or not isinstance(data.get("files", []), list):
        return None
    return data


def write_marker(directory: Path, kind: str, files: list[str]) -> None:
    from ..experiments.results import _version

    data = {"kind": kind, "files": sorted(set(files) - {MARKER}), "ruralsim": _version("ruralsim"),
            "written": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "note": "written by ruralsim: this directory may be replaced by the same ruralsim command"}
    (Path(directory) / MARKER).write_text(json.dumps(data, indent=2), encoding="utf-8")


def _legacy_files(directory: Path) -> set[str] | None:
    """Files of a directory written by a ruralsim without the marker: its manifest.json lists them."""
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, list) or "manifest.json" not in files or not all(isinstance(f, str) for f in files):
        return None
    return set(files)


def _is_store(directory: Path, marker: dict | None) -> bool:
    if marker is not None:
        return marker["kind"] in STORE_KINDS
    return (directory / "results").is_dir() and (directory / "design.parquet").exists()


def _listing(names) -> str:
    names = sorted(names)
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def check_path(out, option: str = "--out") -> Path:
    """The output path, refused (exit 2) when it is empty, the current directory or one of its parents,
    the root, a home directory, a mount point, a symbolic link or an existing file."""
    text = str(out) if out is not None else ""
    if not text.strip():
        raise InputError(f"{option} '{text}': empty path; give a new directory, e.g. {option} results/my-run")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise InputError(f"{option} {text!r}: contains a control character (a NUL, a newline, ...); "
                         f"choose another {option}")
    path = Path(text)
    try:
        return _check_path(path, text, option)
    except (OSError, ValueError, RuntimeError) as exc:  # a name too long, a loop of links, ...
        raise InputError(f"{option} {text}: cannot use this path ({getattr(exc, 'strerror', None) or exc}); "
                         f"choose another {option}") from None


def _check_path(path: Path, text: str, option: str) -> Path:
    resolved = path.resolve()
    cwd = Path.cwd().resolve()
    if resolved == Path(resolved.anchor) or resolved == Path.home().resolve():
        raise InputError(f"{option} {text}: is the root or a home directory; choose a new directory")
    if resolved == cwd or resolved in cwd.parents:
        raise InputError(f"{option} {text}: is the current directory or one of its parents; "
                         f"choose a new directory, e.g. {option} results/my-run")
    if path.is_symlink():
        raise InputError(f"{option} {text}: is a symbolic link; give the directory itself or choose another {option}")
    if path.exists() and not path.is_dir():
        raise InputError(f"{option} {text}: exists and is not a directory; choose another {option}")
    if path.is_dir() and os.path.ismount(path):
        raise InputError(f"{option} {text}: is a mount point; choose a directory inside it, e.g. {text}/results")
    return path


def check_target(out, kind: str, *, force: bool = False, option: str = "--out") -> Path:
    """Check that `kind` output may be written to `out` (see the module's docstring); the path, or an InputError."""
    path = check_path(out, option)
    if not path.is_dir():
        return path
    try:
        entries = {p.name for p in path.iterdir()}
    except OSError as exc:
        raise InputError(f"{option} {path}: cannot list the directory ({exc.strerror}); "
                         f"choose another {option}") from None
    if not entries:
        return path
    marker = read_marker(path)
    if _is_store(path, marker) and kind not in STORE_KINDS:
        raise InputError(f"{option} {path}: holds a ruralsim {marker['kind'] if marker else 'sweep'} store, which "
                         f"{kind} never replaces; choose another {option}")
    if marker is not None:
        ours = set(marker.get("files", [])) | {MARKER}
        if marker["kind"] != kind and not force:
            raise InputError(f"{option} {path}: holds a ruralsim {marker['kind']} output, not a {kind} output; "
                             f"choose another {option} or pass --force to replace it")
    else:
        ours = _legacy_files(path)
        if ours is None:
            raise InputError(f"{option} {path}: directory is not empty and is not a ruralsim output "
                             f"(no {MARKER} marker; it holds {_listing(entries)}); choose another {option} "
                             "(ruralsim never deletes files it did not write, even with --force)")
        if not force:
            raise InputError(f"{option} {path}: looks like an output of an earlier ruralsim (no {MARKER} marker); "
                             f"choose another {option} or pass --force to replace it")
    foreign = entries - ours
    if foreign:
        raise InputError(f"{option} {path}: holds files ruralsim did not write ({_listing(foreign)}); move them or "
                         f"choose another {option} (ruralsim never deletes files it did not write, even with --force)")
    return path


def prepare(out_dir, kind: str, *, force: bool = False) -> Path:
    """Check the target (see check_target) and return an empty staging directory beside it."""
    out_dir = check_target(out_dir, kind, force=force)
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = out_dir.parent / f".{out_dir.name}.partial-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
    except OSError as exc:
        raise InputError(f"--out {out_dir}: cannot create directory ({exc.strerror}); choose another --out") from None
    return staging


def commit(staging: Path, out_dir: Path, kind: str) -> None:
    """Mark the finished staging directory and move it into place, replacing an earlier output of ours.

    Raises WriteError (with the previous output intact) when the disk or the permissions fail."""
    out_dir = Path(out_dir)
    existed = out_dir.exists()
    try:
        write_marker(staging, kind, [p.name for p in staging.iterdir()])
        for path in staging.iterdir():  # the data on disk before the swap
            if path.is_file():
                with open(path, "rb") as fh:
                    os.fsync(fh.fileno())
    except OSError as exc:
        raise _write_error(exc, out_dir, existed) from None
    old = None
    if existed:
        # the check again, right before the swap: nothing foreign may have arrived while the model ran
        check_target(out_dir, kind, force=True)
        old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
        try:
            out_dir.rename(old)
        except OSError as exc:
            raise _write_error(exc, out_dir, existed) from None
    try:
        staging.rename(out_dir)
    except OSError as exc:
        if old is not None:
            old.rename(out_dir)
        raise _write_error(exc, out_dir, existed) from None
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _write_error(exc: OSError, out_dir: Path, existed: bool) -> WriteError:
    where = f" ({Path(exc.filename).name})" if getattr(exc, "filename", None) else ""
    kept = "the previous output there is unchanged" if existed else "no directory was created"
    return WriteError(f"cannot write {out_dir}/: {exc.strerror or exc}{where}; nothing was written to {out_dir}/ "
                      f"and {kept}")


@contextmanager
def staged(out_dir, kind: str, *, force: bool = False):
    """`with staged(out, "run") as staging:` write files into `staging`; they replace `out` when the block
    ends, or, on an I/O failure, nothing changes and a WriteError says so."""
    out_dir = Path(out_dir)
    existed = out_dir.exists()
    staging = prepare(out_dir, kind, force=force)
    try:
        try:
            yield staging
        except OSError as exc:
            raise _write_error(exc, out_dir, existed) from None
        commit(staging, out_dir, kind)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_run(result: RunResult, staging: Path, lang: str = "en") -> list[Path]:
    """indicators.parquet, annual.parquet, figures (in `lang`; maps when by county), and manifest.json last."""
    # matplotlib here, not at the top: the CLI imports this module before the run, and matplotlib would hold
    # ~27 MB through the months (issue 19)
    import matplotlib.pyplot as plt

    from . import plots
    from .plots import maps

    written = []
    result.indicators.to_parquet(staging / "indicators.parquet", index=False)
    for month, households in sorted(result.microdata.items()):  # kept with --microdata
        households.to_parquet(staging / f"households_{month}.parquet", index=False)
        written.append(staging / f"households_{month}.parquet")
    result.annual().to_parquet(staging / "annual.parquet", index=False)
    written += [staging / "indicators.parquet", staging / "annual.parquet"]
    title = f"{result.scenario.name}{term('colon', lang)}{_region_title(result.scenario.run.region, lang)}"
    with plots.language(lang):
        figures = {"key_indicators.png": plots.key_indicators_figure(result.indicators, title=title)}
        if result.indicators["group"].isin(list(plots.CLASS_COLOURS)[1:]).any():
            figures["by_county_class.png"] = plots.by_class_figure(result.indicators,
                                                                   title=f"{title}{term('comma', lang)}{term('by_county_class', lang)}")
        if "pv_revenue_yuan" in set(result.indicators["indicator"].astype(str)):
            figures["pv_flows.png"] = plots.pv_flows_figure(result.indicators,
                                                            title=f"{title}{term('colon', lang)}{term('pv_flows', lang)}")
        if "income_farm_business_per_capita_yuan" in set(result.indicators["indicator"].astype(str)):
            figures["income_by_source.png"] = plots.income_composition_figure(result.indicators, title=title)
        if result.scenario.run.by == "county" and _has_map(result.scenario.run.region):
            figures["maps_by_county.png"] = maps.county_maps_figure(
                result.indicators, region=result.scenario.run.region, title=title)
        for name, fig in figures.items():
            fig.savefig(staging / name)
            plt.close(fig)
            written.append(staging / name)
    result.manifest["files"] = [p.name for p in written] + ["manifest.json"]
    (staging / "manifest.json").write_text(json.dumps(result.manifest, indent=2, default=str), encoding="utf-8")
    return written


def write_comparison(comparison, staging: Path, manifest: dict, lang: str = "en") -> list[Path]:
    """comparison.parquet, expectations and costs, figures (in `lang`; difference maps by county when the
    runs were by county), and manifest.json last."""
    import matplotlib.pyplot as plt

    from . import plots
    from .plots import maps

    written = [staging / "comparison.parquet"]
    comparison.table.to_parquet(written[0], index=False)
    for name, frame in (("expectations.csv", comparison.expectations), ("costs.csv", comparison.costs)):
        frame.to_csv(staging / name, index=False)
        written.append(staging / name)
    run = comparison.base.scenario.run
    with plots.language(lang):
        figures = {
            "comparison.png": plots.comparison_figure(comparison.table),
            "scenarios.png": plots.paired_difference_figure(comparison.table),
            "differences_over_time.png": plots.difference_over_time_figure(
                comparison.base.indicators, [r.indicators for r in comparison.alternatives]),
        }
        if run.by == "county" and _has_map(run.region):
            for k, alt in enumerate(comparison.alternatives, start=1):
                figures[f"difference_maps_{k}.png"] = maps.difference_maps_figure(
                    comparison.table, region=run.region, scenario=alt.scenario.name)
        for name, fig in figures.items():
            fig.savefig(staging / name)
            plt.close(fig)
            written.append(staging / name)
    manifest["files"] = [p.name for p in written] + ["manifest.json"]
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    return written


def _has_map(region: str) -> bool:
    """Whether the region's counties have boundaries to map (named counties in seeds/counties.toml)."""
    from ..core.counties import counties

    return bool(counties(region))


def _region_title(region: str, lang: str) -> str:
    from ..core.regions import get_region
    from .i18n import control_label

    return control_label(region, get_region(region).title, lang)  # the region's name as the dashboard says it


def write_sweep_figures(out_dir: Path) -> list[Path]:
    """response_<parameter>.png beside a sweep's dataset: its outcomes against each swept parameter
    (with the other one as hue when exactly two are swept). Each file is written then renamed."""
    import matplotlib.pyplot as plt

    from . import plots
    from ..experiments.sweep_store import _atomic_write, load_results

    out_dir = Path(out_dir)
    manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
    parameters = manifest["design"]["parameters"]
    output = manifest["spec"]["output"]
    results = load_results(out_dir)
    written = []
    for x in parameters[:12]:
        others = [p for p in parameters if p != x]
        hue = others[0] if len(others) == 1 and results[others[0]].nunique() <= 8 else None
        fig = plots.sweep_response_figure(results, output["indicators"], x, hue=hue, group=output["groups"][0],
                                          title=f"{manifest['name']}: response to {x}")
        path = out_dir / f"response_{x}.png"
        _atomic_write(path, lambda p: fig.savefig(p, format="png"))
        plt.close(fig)
        written.append(path)
    return written
