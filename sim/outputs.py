"""Writing a run's output directory so that it is either complete or absent.

Files go to a hidden sibling directory first; only when every file is written is it moved into place
(an earlier ruralsim output at the same path is replaced). A failure leaves the old directory as it was.
"""

import json
import os
import shutil
from pathlib import Path

import matplotlib.pyplot as plt

from . import plots
from .errors import InputError
from .results import RunResult


def prepare(out_dir: Path) -> Path:
    """Check the target and return an empty staging directory beside it."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out {out_dir}: exists and is not a directory")
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / "manifest.json").exists():
        raise InputError(f"--out {out_dir}: directory is not empty and is not a ruralsim output; choose another")
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        staging = out_dir.parent / f".{out_dir.name}.partial-{os.getpid()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
    except OSError as exc:
        raise InputError(f"--out {out_dir}: cannot create directory ({exc.strerror})") from None
    return staging


def commit(staging: Path, out_dir: Path) -> None:
    """Move the finished staging directory into place, replacing an earlier output."""
    out_dir = Path(out_dir)
    old = None
    if out_dir.exists():
        old = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
        out_dir.rename(old)
    staging.rename(out_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_run(result: RunResult, staging: Path) -> list[Path]:
    """indicators.parquet, annual.parquet, figures, and manifest.json last."""
    written = []
    result.indicators.to_parquet(staging / "indicators.parquet", index=False)
    result.annual().to_parquet(staging / "annual.parquet", index=False)
    written += [staging / "indicators.parquet", staging / "annual.parquet"]
    title = f"{result.scenario.name}: {result.manifest['region']['title']}"
    figures = {"key_indicators.png": plots.key_indicators_figure(result.indicators, title=title)}
    if result.indicators["group"].nunique() > 1:
        figures["by_county_class.png"] = plots.by_class_figure(result.indicators, title=f"{title}, by county class")
    if "pv_revenue_yuan" in set(result.indicators["indicator"].astype(str)):
        figures["pv_flows.png"] = plots.pv_flows_figure(result.indicators, title=f"{title}: PV revenue flows")
    for name, fig in figures.items():
        fig.savefig(staging / name)
        plt.close(fig)
        written.append(staging / name)
    result.manifest["files"] = [p.name for p in written] + ["manifest.json"]
    (staging / "manifest.json").write_text(json.dumps(result.manifest, indent=2, default=str), encoding="utf-8")
    return written


def write_comparison(comparison, staging: Path, manifest: dict) -> list[Path]:
    """comparison.parquet, expectations and costs, figures, and manifest.json last."""
    written = [staging / "comparison.parquet"]
    comparison.table.to_parquet(written[0], index=False)
    for name, frame in (("expectations.csv", comparison.expectations), ("costs.csv", comparison.costs)):
        frame.to_csv(staging / name, index=False)
        written.append(staging / name)
    figures = {
        "comparison.png": plots.comparison_figure(comparison.table),
        "scenarios.png": plots.scenarios_figure(comparison, annual=True),
        "differences_over_time.png": plots.difference_over_time_figure(
            comparison.base.indicators, [r.indicators for r in comparison.alternatives]),
    }
    for name, fig in figures.items():
        fig.savefig(staging / name)
        plt.close(fig)
        written.append(staging / name)
    manifest["files"] = [p.name for p in written] + ["manifest.json"]
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    return written


def write_sweep_figures(out_dir: Path) -> list[Path]:
    """response_<parameter>.png beside a sweep's dataset: its outcomes against each swept parameter
    (with the other one as hue when exactly two are swept). Each file is written then renamed."""
    from .sweep_store import _atomic_write, load_results

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
