"""Comparing scenarios on common random numbers: paired differences with intervals, expectations, costs.

Every scenario runs with the base scenario's run settings (seeds, replicates, scale, horizon, region),
so replicate r of each scenario shares its population and its luck with replicate r of the base:
the paired difference shows the policy, not the noise. Differences are summarised over the whole
horizon (flows summed, stocks and ratios averaged over the months) and per year.
"""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import schedules
from ..core.errors import InputError
from ..core.registry import COMPONENTS
from .results import RunResult, annual, indicator_catalogue, resolve
from .shared_runs import run_shared

DEFAULT_REPLICATES = 10
MIN_REPLICATES = 2  # one replicate gives a difference but no interval: refused rather than shown bare
INTERVAL = 0.90
BOOTSTRAP_DRAWS = 4000
BOOTSTRAP_SEED = 20210101  # the paired bootstrap of costs is seeded: the same runs give the same intervals
COMPARED_RUN_SETTINGS = ("region", "years", "start_month", "scale")
INTERVAL_NOTE = ("intervals cover replicate noise at this scale only, not uncertainty in the parameters or the "
                 "model; use full scale (--scale 1) for decisions")


def horizon_values(indicators: pd.DataFrame) -> pd.DataFrame:
    """One value per scenario, replicate, indicator and group over the horizon."""
    kinds = {n: i.kind for n, i in indicator_catalogue().items()}
    keys = ["scenario", "replicate", "indicator", "group"]
    grouped = indicators.groupby(keys, observed=True)["value"]
    out = grouped.mean().rename("value").to_frame()
    is_flow = out.index.get_level_values("indicator").map(lambda n: kinds.get(n) == "flow").to_numpy(bool)
    out.loc[is_flow, "value"] = grouped.sum()[is_flow]
    return out.reset_index().assign(period="horizon")


def paired_summary(base: pd.DataFrame, alt: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Mean of base and alternative, and the mean paired difference with a t-interval over replicates."""
    from scipy import stats  # here: not held by the main process while a compare's workers run (33 MB)

    merged = base.merge(alt, on=["replicate", *keys], suffixes=("_base", "_alt"))
    merged["diff"] = merged["value_alt"] - merged["value_base"]
    g = merged.groupby(keys, observed=True)
    out = pd.DataFrame({
        "base": g["value_base"].mean(),
        "alternative": g["value_alt"].mean(),
        "diff": g["diff"].mean(),
        "sd": g["diff"].std(ddof=1),
        "replicates": g["diff"].size(),
    })
    t = stats.t.ppf(0.5 + INTERVAL / 2, np.maximum(out["replicates"] - 1, 1))
    half = t * out["sd"] / np.sqrt(out["replicates"])
    half[out["replicates"] < 2] = np.nan
    out["diff_low"], out["diff_high"] = out["diff"] - half, out["diff"] + half
    with np.errstate(divide="ignore", invalid="ignore"):
        out["relative_diff"] = np.where(out["base"] != 0, out["diff"] / out["base"].abs(), np.nan)
    return out.drop(columns="sd").reset_index()


@dataclass
class Comparison:
    base: RunResult
    alternatives: list[RunResult]
    table: pd.DataFrame  # alternative, indicator, group, period, base, alternative, diff, interval, ...
    expectations: pd.DataFrame = field(default_factory=pd.DataFrame)
    costs: pd.DataFrame = field(default_factory=pd.DataFrame)

    def horizon(self, group: str = "all") -> pd.DataFrame:
        """The horizon rows of the table (flows summed, stocks and ratios averaged over the months).

        Parameters:
            group: "all" or a county class
        Returns:
            a DataFrame: scenario, indicator, group, period, base, alternative, diff, diff_low, diff_high, ...
        Example:
            >>> comparison.horizon().query("indicator == 'workshop_jobs'")
        """
        t = self.table
        return t[(t["period"] == "horizon") & (t["group"] == group)]


def run_setting_differences(base, alternative) -> dict[str, tuple]:
    """The [run] settings (region, years, start_month, scale) an alternative's file sets to other values than
    the base's file: {key: (alternative's, base's)}. Compare runs every scenario with the base's settings."""
    set_keys = alternative.run.model_fields_set
    return {k: (getattr(alternative.run, k), getattr(base.run, k)) for k in COMPARED_RUN_SETTINGS
            if k in set_keys and getattr(alternative.run, k) != getattr(base.run, k)}


def compare(base, alternatives, *, overrides=None, replicates=None, seed=None, scale=None, years=None, region=None,
            by=None, workers=None, scheduler=None, progress=False, warn=None, share=True) -> Comparison:
    """Run base and alternatives on the same seeds and summarise ALT − BASE: paired differences with 90%
    intervals, the scenarios' expectations checked, and the cost per return to poverty avoided.

    Parameters:
        base: the base scenario (file, Scenario, dict or None for the baseline); its [run] settings apply to all
        alternatives: scenarios to compare with it
        overrides: {"section.key": value} for every scenario
        replicates, seed, scale, years, region: run settings for all (replicates: at least 2, default 10)
        by: "county" adds differences by county (group = the county's code) to the table
        workers, scheduler: parallel replicates (`sim.run`)
        progress: a progress bar; warn: called with a message per ignored [run] setting of an alternative
        share: simulate once per replicate what the scenarios share (default); False runs each on its own,
            with the same results (sim/experiments/shared_runs.py)
    Returns:
        a Comparison: `.table` (horizon and yearly paired differences), `.horizon()`, `.expectations`,
        `.costs`, `.base` and `.alternatives` (RunResults)
    Example:
        >>> c = sim.experiments.compare.compare("scenarios/baseline.toml", ["scenarios/workshops_subsidy_halved_2026.toml"],
        ...                         replicates=5, scale=0.05)

    `overrides` ({"section.key": value}) apply to every scenario, the base and each alternative, over what
    their files say (as `--set` on the command line). `workers`/`scheduler` run each scenario's replicates in
    parallel (sim/experiments/parallel.py), with the same results as serially.

    `warn` is called with a message for each alternative whose own [run] settings differ from the base's
    (they are ignored: every scenario runs with the base's settings, so replicates pair up)."""
    base_file = resolve(base)
    base_scenario = resolve(base_file, overrides=overrides, seed=seed, scale=scale, years=years, region=region,
                            by=by)
    reps = replicates if replicates is not None else max(base_scenario.run.replicates, DEFAULT_REPLICATES)
    if reps < MIN_REPLICATES:
        raise InputError(f"--replicates {reps}: compare needs at least {MIN_REPLICATES} paired replicates to give "
                         "an interval on any difference (default: 10)")
    base_scenario = resolve(base_scenario, replicates=reps)
    alt_scenarios = []
    for alt in alternatives:
        scenario = resolve(alt)
        differ = run_setting_differences(base_file, scenario)
        scenario = resolve(scenario, overrides=overrides)
        if differ and warn is not None:
            where = alt if isinstance(alt, (str, Path)) else scenario.name
            warn(f"{where}: sets [run] " + ", ".join(f"{k} = {a!r}" for k, (a, _) in differ.items())
                 + " where the base has " + ", ".join(f"{k} = {b!r}" for k, (_, b) in differ.items())
                 + "; ignored: compare runs every scenario with the base's [run] settings and the command's options")
        scenario = scenario.model_copy(update={"run": base_scenario.run})
        for component in COMPONENTS:  # its dated schedules must fall inside the horizon it now runs over
            problem = schedules.check(getattr(scenario, component.name, None), component.name,
                                      base_scenario.run.start_month, base_scenario.run.years)
            if problem:
                where = alt if isinstance(alt, (str, Path)) else scenario.name
                raise InputError(f"{where}: {problem} (compare runs it over the base's horizon)")
        alt_scenarios.append(scenario)
    names = [base_scenario.name] + [s.name for s in alt_scenarios]
    if len(set(names)) != len(names):
        raise InputError("scenario names must differ to be compared (the 'name' key): " + ", ".join(names))

    # months the scenarios cannot differ in yet are simulated once per replicate (sim/experiments/shared_runs.py)
    base_result, *alt_results = run_shared([base_scenario, *alt_scenarios], workers=workers, scheduler=scheduler,
                                           progress=progress, share=share)
    for result in (base_result, *alt_results):
        result.manifest["overrides"] = dict(overrides or {})
    tables = []
    base_h = horizon_values(base_result.indicators).drop(columns="scenario")
    base_y = annual(base_result.indicators).drop(columns=["scenario", "seed", "months"])
    for result in alt_results:
        alt_h = horizon_values(result.indicators).drop(columns="scenario")
        alt_y = annual(result.indicators).drop(columns=["scenario", "seed", "months"])
        horizon = paired_summary(base_h, alt_h, ["indicator", "group", "period"])
        yearly = paired_summary(base_y.rename(columns={"year": "period"}), alt_y.rename(columns={"year": "period"}),
                                ["indicator", "group", "period"])
        yearly["period"] = yearly["period"].astype(str)
        both = pd.concat([horizon, yearly], ignore_index=True)
        both.insert(0, "scenario", result.scenario.name)
        tables.append(both)
    table = pd.concat(tables, ignore_index=True)
    catalogue = indicator_catalogue()
    table.insert(3, "unit", table["indicator"].astype(str).map({n: i.unit for n, i in catalogue.items()}))
    table.insert(4, "kind", table["indicator"].astype(str).map({n: i.kind for n, i in catalogue.items()}))
    table["indicator"] = table["indicator"].astype(str)
    table["group"] = table["group"].astype(str)
    comparison = Comparison(base_result, alt_results, table)
    comparison.expectations = _expectations(comparison, alt_scenarios)
    comparison.costs = _costs(comparison)
    return comparison


def _expectations(comparison: Comparison, scenarios) -> pd.DataFrame:
    rows = []
    t = comparison.table[comparison.table["period"] == "horizon"]
    for scenario in scenarios:
        for e in scenario.expect:
            sel = t[(t["scenario"] == scenario.name) & (t["indicator"] == e.indicator) & (t["group"] == e.group)]
            if sel.empty:
                rows.append({"scenario": scenario.name, "indicator": e.indicator, "group": e.group,
                             "direction": e.direction, "diff": np.nan, "diff_low": np.nan, "diff_high": np.nan,
                             "sign_matches": False, "interval_excludes_zero": False})
                continue
            r = sel.iloc[0]
            sign = 1 if e.direction == "increase" else -1
            rows.append({"scenario": scenario.name, "indicator": e.indicator, "group": e.group,
                         "direction": e.direction, "diff": r["diff"], "diff_low": r["diff_low"],
                         "diff_high": r["diff_high"], "sign_matches": bool(sign * r["diff"] > 0),
                         "interval_excludes_zero": bool(r["diff_low"] > 0 if sign > 0 else r["diff_high"] < 0)})
    return pd.DataFrame(rows)


def _replicate_horizon(result: RunResult) -> pd.DataFrame:
    """Horizon values of the whole region, one row per replicate and one column per indicator."""
    h = horizon_values(result.indicators)
    h = h[h["group"].astype(str) == "all"]
    return h.pivot_table(index="replicate", columns="indicator", values="value", observed=True)


def _interval(draws: np.ndarray) -> tuple[float, float]:
    draws = draws[np.isfinite(draws)]
    if len(draws) == 0:
        return np.nan, np.nan
    return tuple(np.quantile(draws, [0.5 - INTERVAL / 2, 0.5 + INTERVAL / 2]))


def cost_reading(d_cost: float, d_returns: float, returns_low: float, returns_high: float) -> tuple[str, bool]:
    """Plain words for a cost change against a change in returns to poverty, and whether a price per return
    (yuan per return avoided, or saved per additional return) is meaningful."""
    returns_clear = returns_low > 0 or returns_high < 0  # the interval of the returns change excludes zero
    if not returns_clear:
        side = "saves money" if d_cost < 0 else "costs more" if d_cost > 0 else "costs the same"
        return f"{side}; its effect on returns to poverty is within replicate noise (no price per return)", False
    if d_returns < 0:
        if d_cost <= 0:
            return "saves money and avoids returns to poverty", False
        return "yuan per return to poverty avoided", True
    if d_cost < 0:
        return "yuan saved per additional return to poverty", True
    return "costs more and adds returns to poverty", False


def _costs(comparison: Comparison) -> pd.DataFrame:
    """Fiscal cost changes against returns to poverty, per alternative (horizon, whole region), with intervals.

    Rows per alternative: one per lever's cost (`cost_*` indicators), the total, the change in returns
    to poverty, and the price per return. Intervals come from a paired bootstrap over replicates (seeded):
    replicates are resampled with replacement, each draw's mean paired differences give the total and the
    ratio. `yuan_per_return` is given only when the returns change's interval excludes zero and the
    scenario trades money against returns; otherwise `reading` says in words what the scenario does.
    """
    base = _replicate_horizon(comparison.base)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    rows = []
    for result in comparison.alternatives:
        alt = _replicate_horizon(result)
        diff = (alt - base).dropna(how="all")
        n = len(diff)
        picks = rng.integers(0, n, size=(BOOTSTRAP_DRAWS, n))
        cost_columns = [c for c in diff.columns if str(c).startswith("cost_")]
        total = diff[cost_columns].sum(axis=1).to_numpy()
        returns = diff["returns_to_poverty_households"].to_numpy() if "returns_to_poverty_households" in diff \
            else np.full(n, np.nan)
        name = result.scenario.name

        def row(item, unit, values, base_col=None, alt_col=None, **extra):
            low, high = _interval(values[picks].mean(axis=1))
            return {"scenario": name, "item": item, "unit": unit,
                    "base": base[base_col].mean() if base_col in base else np.nan,
                    "alternative": alt[alt_col].mean() if alt_col in alt else np.nan,
                    "change": float(np.mean(values)), "change_low": low, "change_high": high, **extra}

        for column in cost_columns:
            rows.append(row(column, "yuan", diff[column].to_numpy(), column, column, reading="cost of one lever"))
        rows.append({**row("cost_total_yuan", "yuan", total, reading="all levers' costs"),
                     "base": base[cost_columns].sum(axis=1).mean(),
                     "alternative": alt[cost_columns].sum(axis=1).mean()})
        ret = row("returns_to_poverty_households", "households", returns, "returns_to_poverty_households",
                  "returns_to_poverty_households", reading="returns to poverty over the horizon")
        rows.append(ret)
        d_cost, d_ret = float(np.mean(total)), float(np.mean(returns))
        reading, priced = cost_reading(d_cost, d_ret, ret["change_low"], ret["change_high"])
        price = {"scenario": name, "item": "yuan_per_return", "unit": "yuan per household", "base": np.nan,
                 "alternative": np.nan, "change": np.nan, "change_low": np.nan, "change_high": np.nan,
                 "reading": reading}
        if priced:
            # both readings are -cost / returns: cost per return avoided (returns fall, cost rises) or money
            # saved per additional return (returns rise, cost falls), a positive number of yuan
            with np.errstate(divide="ignore", invalid="ignore"):
                draws = -total[picks].mean(axis=1) / returns[picks].mean(axis=1)
            low, high = _interval(draws)
            price.update(change=-d_cost / d_ret, change_low=low, change_high=high)
        rows.append(price)
    return pd.DataFrame(rows, columns=["scenario", "item", "unit", "base", "alternative", "change", "change_low",
                                       "change_high", "reading"])


def cost_summary(costs: pd.DataFrame) -> pd.DataFrame:
    """One row per alternative: total cost change, returns change and the price per return, each with its
    interval, and the reading in words (from the long `costs` table)."""
    rows = []
    for name, frame in costs.groupby("scenario", sort=False):
        f = frame.set_index("item")
        total, ret, price = f.loc["cost_total_yuan"], f.loc["returns_to_poverty_households"], f.loc["yuan_per_return"]
        rows.append({"scenario": name, "cost_change_yuan": total["change"], "cost_low": total["change_low"],
                     "cost_high": total["change_high"], "returns_to_poverty_change": ret["change"],
                     "returns_low": ret["change_low"], "returns_high": ret["change_high"],
                     "yuan_per_return": price["change"], "yuan_per_return_low": price["change_low"],
                     "yuan_per_return_high": price["change_high"], "reading": price["reading"]})
    return pd.DataFrame(rows)
