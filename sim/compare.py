"""Comparing scenarios on common random numbers: paired differences with intervals, expectations, costs.

Every scenario runs with the base scenario's run settings (seeds, replicates, scale, horizon, region),
so replicate r of each scenario shares its population and its luck with replicate r of the base:
the paired difference shows the policy, not the noise. Differences are summarised over the whole
horizon (flows summed, stocks and ratios averaged over the months) and per year.
"""

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .errors import InputError
from .results import RunResult, annual, indicator_catalogue, resolve, run

DEFAULT_REPLICATES = 10
INTERVAL = 0.90


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
        t = self.table
        return t[(t["period"] == "horizon") & (t["group"] == group)]


def compare(base, alternatives, *, replicates=None, seed=None, scale=None, years=None, region=None,
            progress=False) -> Comparison:
    """Run base and alternatives on the same seeds and summarise ALT − BASE."""
    base_scenario = resolve(base, seed=seed, scale=scale, years=years, region=region)
    reps = replicates or max(base_scenario.run.replicates, DEFAULT_REPLICATES)
    base_scenario = resolve(base_scenario, replicates=reps)
    alt_scenarios = []
    for alt in alternatives:
        scenario = resolve(alt)
        alt_scenarios.append(scenario.model_copy(update={"run": base_scenario.run}))
    names = [base_scenario.name] + [s.name for s in alt_scenarios]
    if len(set(names)) != len(names):
        raise InputError("scenario names must differ to be compared (the 'name' key): " + ", ".join(names))

    base_result = run(base_scenario, progress=progress)
    alt_results = [run(s, progress=progress) for s in alt_scenarios]
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
    units = {n: i.unit for n, i in indicator_catalogue().items()}
    table.insert(3, "unit", table["indicator"].astype(str).map(units))
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


def _costs(comparison: Comparison) -> pd.DataFrame:
    """Fiscal cost change and its price in returns to poverty, per alternative (horizon).

    `yuan_per_return` is the cost per return to poverty avoided when the scenario avoids returns, or
    the money saved per additional return when it saves money by allowing more.
    """
    t = comparison.horizon()
    rows = []
    for name, frame in t.groupby("scenario", sort=False):
        d_cost = frame.loc[frame["indicator"].str.startswith("cost_"), "diff"].sum()
        returns = frame.loc[frame["indicator"] == "returns_to_poverty_households", "diff"]
        d_returns = returns.iloc[0] if len(returns) else np.nan
        if d_returns < 0:
            reading, per_return = "cost per return avoided", d_cost / -d_returns
        elif d_returns > 0 and d_cost < 0:
            reading, per_return = "saved per additional return", -d_cost / d_returns
        else:
            reading, per_return = "", np.nan
        rows.append({"scenario": name, "cost_change_yuan": d_cost, "returns_to_poverty_change": d_returns,
                     "yuan_per_return": per_return, "reading": reading})
    return pd.DataFrame(rows)
