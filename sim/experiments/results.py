"""Running replicates and holding their results: the tidy indicators table, annual values, a summary."""

import platform
import subprocess
import sys
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

import mesa
import numpy as np
import pandas as pd

from ..core.indicators import Indicator
from ..core.registry import COMPONENTS
from ..core.scenario import default_scenario, load_scenario, plain, scenario_from_dict, with_overrides

KEY_COLUMNS = ["scenario", "replicate", "seed", "month", "indicator", "group", "value"]


def indicator_catalogue() -> dict[str, Indicator]:
    """Every indicator any component can report, by name."""
    return {i.name: i for c in COMPONENTS for i in c.indicators}


def replicate_seeds(root_seed: int, replicates: int) -> list[int]:
    """Seeds of replicates 0..R-1, spawned from the root (independent streams, stable under R)."""
    return [int(np.random.SeedSequence(root_seed, spawn_key=(r,)).generate_state(1, np.uint64)[0] >> 1)
            for r in range(replicates)]


def annual(indicators: pd.DataFrame) -> pd.DataFrame:
    """Annual values of a tidy table: flows summed over the year's months, stocks and ratios at the year's
    last month (each indicator's kind says which), so a year reads as planners count it.

    Parameters:
        indicators: a tidy monthly table (`RunResult.indicators` or `RuralModel.indicators()`)
    Returns:
        a DataFrame: [scenario, replicate, seed,] year, indicator, group, value, months (months recorded in
        the year; 12 for a full year)
    Example:
        >>> yearly = sim.annual(sim.run(scale=0.05).indicators)
    """
    kinds = {name: ind.kind for name, ind in indicator_catalogue().items()}
    df = indicators.assign(year=indicators["month"].dt.year)
    keys = [c for c in ("scenario", "replicate", "seed") if c in df] + ["year", "indicator", "group"]
    df = df.sort_values("month")
    grouped = df.groupby(keys, sort=True, observed=True)["value"]
    out = grouped.last().rename("value").to_frame()
    out["months"] = grouped.size()
    flows = [n for n, k in kinds.items() if k == "flow"]
    is_flow = out.index.get_level_values("indicator").isin(flows)
    out.loc[is_flow, "value"] = grouped.sum()[is_flow]
    return out.reset_index()


@dataclass
class RunResult:
    """A run's scenario, its tidy monthly indicators (scenario, replicate, seed, month, indicator, group,
    value), the manifest (seeds, versions, calibration, wall time) and the household snapshots kept
    with `run(..., microdata=[...])`.

    Parameters:
        scenario: the validated Scenario that ran
        indicators: the tidy monthly table, every indicator at full-population scale
        manifest: the run's record (what `manifest.json` holds)
        microdata: {"YYYY-MM": households frame} kept with `run(..., microdata=...)`
    Example:
        >>> result = sim.run(scale=0.05)
        >>> result.indicators.query("indicator == 'persons_below_poverty_line' and group == 'all'")
    """

    scenario: Any
    indicators: pd.DataFrame
    manifest: dict = field(default_factory=dict)
    microdata: dict[str, pd.DataFrame] = field(default_factory=dict)

    def households(self, month: str | None = None, replicate: int | None = None) -> pd.DataFrame:
        """One row per simulated household at the end of `month` ('YYYY-MM'; default: the only or last month
        kept), every replicate or one: weight, village, county, class, income by source, employment,
        monitoring and assistance states (columns in sim/experiments/microdata.py). Months must have been asked for:
        `run(..., microdata=["2025-12"])`.

        Parameters:
            month: "YYYY-MM" kept with the run (default: the only or last one)
            replicate: one replicate's households (default: all, with a `replicate` column)
        Returns:
            a DataFrame, one row per simulated household (`weight` households of the full population)
        Example:
            >>> result = sim.run(scale=0.01, years=2, microdata="end")
            >>> result.households().groupby("county_class", observed=True)["weight"].sum()
        """
        from ..core.errors import InputError

        if not self.microdata:
            raise InputError("no household microdata kept: run with microdata=['YYYY-MM', ...] (or 'end'), "
                             "or `ruralsim run --microdata YYYY-MM`")
        month = max(self.microdata) if month is None else month
        if month not in self.microdata:
            raise InputError(f"month {month!r}: no microdata kept for it; kept: {', '.join(sorted(self.microdata))}")
        frame = self.microdata[month]
        return frame if replicate is None else frame[frame["replicate"] == replicate].reset_index(drop=True)

    def annual(self) -> pd.DataFrame:
        """This run's annual values (`sim.annual`: flows summed per year, stocks and ratios at December).

        Parameters:
            (none)
        Returns:
            a DataFrame: scenario, replicate, seed, year, indicator, group, value, months
        Example:
            >>> result.annual().query("indicator == 'workshop_jobs' and group == 'all'")
        """
        return annual(self.indicators)

    def summary(self, group: str = "all") -> pd.DataFrame:
        """First and last full year of each indicator: mean over replicates with a 90% interval (5th-95th
        percentile), the table `ruralsim run` prints.

        Parameters:
            group: "all" or a county class (demonstration, steady, key)
        Returns:
            a DataFrame indexed by indicator: unit, mean_<year>, p05_<year>, p95_<year> for the two years
        Example:
            >>> sim.run(replicates=5, scale=0.05).summary().loc["persons_below_poverty_line"]
        """
        yearly = self.annual()
        yearly = yearly[yearly["group"] == group]
        full = yearly[yearly["months"] == 12]
        yearly = full if not full.empty else yearly
        years = [yearly["year"].min(), yearly["year"].max()]
        stats = (yearly[yearly["year"].isin(years)]
                 .groupby(["indicator", "year"], observed=True)["value"]
                 .agg(mean="mean", p05=lambda v: v.quantile(0.05), p95=lambda v: v.quantile(0.95))
                 .unstack("year"))
        stats.columns = [f"{stat}_{year}" for stat, year in stats.columns]
        catalogue = indicator_catalogue()
        stats.insert(0, "unit", [catalogue[n].unit for n in stats.index])
        return stats.loc[[n for n in catalogue if n in stats.index]]


def resolve(scenario_or_path=None, *, overrides: dict | None = None, source: str = "overrides",
            **run_overrides) -> Any:
    """A validated scenario from a path, a Scenario, a dict (as a TOML file would give) or None (the baseline);
    then `overrides` ({"section.key": value}) and the `[run]` options (scale=..., seed=...)."""
    if scenario_or_path is None:
        scenario = default_scenario()
    elif isinstance(scenario_or_path, (str, Path)):
        scenario = load_scenario(scenario_or_path)
    elif isinstance(scenario_or_path, dict):
        scenario = scenario_from_dict(scenario_or_path)
    else:
        scenario = scenario_or_path
    if overrides:
        scenario = with_overrides(scenario, overrides, source)
    options = {f"run.{k}": v for k, v in run_overrides.items() if v is not None}
    return with_overrides(scenario, options, "options") if options else scenario


def run(scenario_or_path=None, *, overrides: dict | None = None, replicates: int | None = None,
        seed: int | None = None, scale: float | None = None, years: int | None = None, region: str | None = None,
        workers: int | None = None, scheduler: str | None = None, microdata: list[str] | str | None = None,
        progress: bool | Callable[[int], None] = False) -> RunResult:
    """Run a scenario's replicates and return the tidy indicators with a manifest: the analyst's one call.

    Parameters:
        scenario_or_path: a TOML file, a Scenario, a dict of sections, or None for the shipped baseline
            (left-out parameters take the calibrated values)
        overrides: {"section.key": value} applied on top, e.g. {"pv.household_share_of_village_funds": 0.3};
            an inline schedule {"YYYY-MM": value} works too
        replicates, seed, scale, years, region: the `[run]` settings (scale: share of households simulated,
            results always at full population; years: horizon from the start month)
        workers, scheduler: run the replicates on this many local processes, or on the Dask scheduler at this
            address (bit for bit the results of a serial run: each replicate depends only on its seed)
        microdata: months ("YYYY-MM", or "end") whose households to keep (`RunResult.households`)
        progress: True for a progress bar, or a callable given the months done
    Returns:
        a RunResult: `.indicators` (scenario, replicate, seed, month, indicator, group, value), `.annual()`,
        `.summary()`, `.households(month)`, `.manifest` (seeds, versions, calibration, units and kinds)
    Example:
        >>> result = sim.run("scenarios/baseline.toml", replicates=5, scale=0.1,
        ...                  overrides={"workshops.subsidy_per_worker_year_yuan": 750.0})
        >>> result.annual().query("indicator == 'workshop_jobs'")
    """
    from .microdata import check_months
    from .parallel import check_workers, run_replicates

    check_workers(workers, scheduler)
    scenario = resolve(scenario_or_path, overrides=overrides, replicates=replicates, seed=seed, scale=scale,
                       years=years, region=region)
    run_params = scenario.run
    seeds = replicate_seeds(run_params.seed, run_params.replicates)
    months = check_months(microdata, run_params.start_month, run_params.years)
    started = time.time()
    frames, factors, snapshots = [], [], {m: [] for m in months}
    bar = _progress(progress, total=run_params.replicates * run_params.years * 12, label=scenario.name)
    try:
        for frame, factor, kept in run_replicates(scenario, seeds, workers=workers, scheduler=scheduler,
                                                  progress=bar, microdata=months):
            frames.append(frame)
            factors.append(factor)
            for month, households in kept.items():
                snapshots[month].append(households)
    finally:
        if hasattr(bar, "close"):
            bar.close()
    indicators = pd.concat(frames, ignore_index=True)[KEY_COLUMNS]
    indicators["group"] = indicators["group"].astype("category")
    indicators["indicator"] = indicators["indicator"].astype("category")
    manifest = build_manifest(scenario, seeds, indicators, wall_seconds=time.time() - started,
                              extra={"income_level_factor": factors, "overrides": plain(dict(overrides or {})),
                                     "workers": {"workers": workers or 1, "scheduler": scheduler}})
    households = {m: pd.concat(frames_m, ignore_index=True) for m, frames_m in snapshots.items()}
    return RunResult(scenario, indicators, manifest, households)


def _progress(progress, *, total: int, label: str):
    if callable(progress):
        return progress
    if not progress:
        return None
    from tqdm import tqdm

    from ..kernels import cache_is_cold

    if cache_is_cold():
        tqdm.write("compiling the model's kernels (first run after an install, ~15 s; cached after)", file=sys.stderr)
    bar = tqdm(total=total, desc=f"{label}", unit="month", leave=False, disable=None)

    def advance(_month: int) -> None:
        bar.update(1)

    advance.close = bar.close
    return advance


def git_commit() -> str | None:
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                           capture_output=True, text=True, timeout=5).stdout.strip()
    return out.stdout.strip() + ("-dirty" if dirty else "")


def build_manifest(scenario, seeds: list[int], indicators: pd.DataFrame, *, wall_seconds: float,
                   extra: dict | None = None) -> dict:
    from ..core.calibrated import calibration_record
    from ..core.regions import get_region

    months = indicators["month"]
    region = get_region(scenario.run.region)
    catalogue = indicator_catalogue()
    recorded = set(indicators["indicator"].astype(str).unique())
    return {
        "scenario": scenario.model_dump(),
        "seeds": {"root": scenario.run.seed, "replicates": seeds},
        "start_month": months.min().strftime("%Y-%m") if len(months) else None,
        "end_month": months.max().strftime("%Y-%m") if len(months) else None,
        "wall_seconds": round(wall_seconds, 3),
        "versions": {
            "ruralsim": _version("ruralsim"),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "mesa": mesa.__version__,
            "pandas": pd.__version__,
        },
        "git_commit": git_commit(),
        "calibration": calibration_record(scenario),  # calibrated values in force and their provenance
        "region": {"name": region.name, "title": region.title,
                   "figures": {k: {"value": f.value, "source": f.source} for k, f in region.figures().items()}},
        "indicators": {n: {"unit": i.unit, "kind": i.kind, "doc": i.doc} for n, i in catalogue.items()
                       if n in recorded},
        **(extra or {}),
    }


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "unknown"
