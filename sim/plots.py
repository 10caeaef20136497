"""Figures for analysts and planners (matplotlib only; every function returns a Figure).

Inputs are the tidy tables the API returns: `RunResult.indicators` (scenario, replicate, seed, month,
indicator, group, value), `Comparison.table`, the targets table, the sweep results frame and the
sensitivity indices. Bands and bars are quantiles over replicates (a run's luck: 90% and 50%); the
intervals of a paired difference over the horizon are `sim.compare`'s 90% t-intervals. One style
(STYLE) for all figures; titles, units on the axes, years on time axes.
"""

import sys

import matplotlib

if "ipykernel" not in sys.modules:  # files only (no GUI), except in Jupyter, where figures show inline
    matplotlib.use("Agg", force=False)
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as mticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .results import annual, indicator_catalogue  # noqa: E402

KEY_INDICATORS = (
    "persons_below_poverty_line",
    "persons_below_monitoring_line",
    "returns_to_poverty_households",
    "income_per_capita_mean_yuan",
    "poverty_county_income_ratio",
    "lifted_out_labourers_employed",
)
STYLE = {"font.size": 10, "axes.titlesize": 11, "axes.spines.top": False, "axes.spines.right": False,
         "figure.dpi": 110, "savefig.dpi": 110, "legend.fontsize": 9}
CLASS_COLOURS = {"all": "#222222", "demonstration": "#1b9e77", "steady": "#7570b3", "key": "#d95f02"}
COLOURS = ["#333333", "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#1f78b4", "#a6761d"]
PV_FLOWS = {  # indicator: (legend label, colour)
    "pv_revenue_yuan": ("generated (revenue)", "#444444"),
    "pv_county_retention_yuan": ("kept by counties (O&M, reserves)", "#aaaaaa"),
    "pv_to_villages_yuan": ("to villages", "#1f78b4"),
    "pv_to_households_yuan": ("to households (posts, works, dividends)", "#1b9e77"),
    "pv_to_collectives_yuan": ("left with village collectives", "#7570b3"),
}
TARGET_COLUMNS = ["target", "label", "observed", "simulated", "low", "high", "tolerance"]


def _title(name: str) -> str:
    """persons_below_poverty_line -> Persons below poverty line; pv_revenue_yuan -> PV revenue."""
    words = ["PV" if w == "pv" else w for w in name.replace("_yuan", "").split("_")]
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def _unit(indicator: str, period: str = "month") -> str:
    """Axis label: the catalogue unit, with 'per month' / 'per year' / 'over the horizon' for flows."""
    info = indicator_catalogue().get(indicator)
    if info is None:
        return ""
    if info.kind != "flow":
        return info.unit
    return f"{info.unit} {'over the horizon' if period == 'horizon' else 'per ' + period}"


def _format_axis(ax, unit: str) -> None:
    ax.xaxis.set_major_locator(mdates.YearLocator(2))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    if not unit.startswith(("ratio", "index", "share")):
        ax.yaxis.set_major_formatter(_Human())
    ax.set_ylabel(unit)
    ax.grid(alpha=0.3)


def _human(value: float, _pos=None) -> str:
    """A number for a note: 1.2M, 15k, 950, 0.97."""
    for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:,.{0 if abs(value) >= 10 * size else 1}f}".replace(".0", "") + suffix
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:.3g}"


class _Human(mticker.Formatter):
    """Axis ticks in one unit for the whole axis (bn, M, k above 10,000) with as many decimals as the step needs."""

    ticks: list = []

    def set_locs(self, locs):
        self.ticks = list(locs)

    def __call__(self, value, pos=None):
        locs = np.asarray([v for v in self.ticks if np.isfinite(v)] or [value], float)
        top = np.abs(locs).max()
        size, suffix = next(((s, x) for s, x in ((1e9, "bn"), (1e6, "M"), (1e4, "k")) if top >= s), (1.0, ""))
        size = 1e3 if suffix == "k" else size
        step = np.diff(np.sort(locs)).min() / size if len(locs) > 1 else 1.0
        decimals = next((d for d in range(4) if abs(round(step, d) - step) < 1e-6 * max(step, 1e-12)), 3)
        return "0" if value == 0 else f"{value / size:,.{decimals}f}{suffix}".replace("-", "\u2212")


def _wide(indicators: pd.DataFrame, indicator: str, group: str, yearly: bool) -> pd.DataFrame:
    """Time (rows) x replicate (columns); yearly values are placed at mid-year, complete years only."""
    data = indicators[(indicators["indicator"] == indicator) & (indicators["group"] == group)]
    if yearly and not data.empty:
        data = annual(data)
        full = data[data["months"] == 12]
        data = (full if not full.empty else data).assign(month=lambda d: pd.to_datetime(d["year"].astype(str) + "-07-01"))
    return data.pivot_table(index="month", columns="replicate", values="value", observed=True)


def fan_chart(indicators: pd.DataFrame, indicator: str, *, group: str = "all", ax=None, colour="#1f77b4",
              label: str | None = None, bands=(0.90, 0.50), annual: bool = False):
    """An indicator over time: median over replicates with 90% and 50% bands (`bands`, widest first).

    `annual=True` plots annual values (flows summed over the year, stocks at December) at mid-year.
    """
    wide = _wide(indicators, indicator, group, annual)
    with plt.rc_context(STYLE):
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
        ax.set_title(_title(indicator))
        _format_axis(ax, _unit(indicator, "year" if annual else "month"))
        if wide.empty:  # e.g. a ratio that is undefined for this group
            return ax.figure
        if wide.shape[1] > 1:
            for k, width in enumerate(bands):
                q = wide.quantile([0.5 - width / 2, 0.5 + width / 2], axis=1).T
                ax.fill_between(q.index, q.iloc[:, 0], q.iloc[:, 1], color=colour, lw=0,
                                alpha=0.15 + 0.15 * k if len(bands) > 1 else 0.12)
        ax.plot(wide.index, wide.median(axis=1), color=colour, lw=1.6, label=label,
                marker="o" if annual else None, ms=3)
    return ax.figure


def _grid(n: int, height: float = 3.1):
    rows = max((n + 1) // 2, 1)
    fig, axes = plt.subplots(rows, 2, figsize=(11, height * rows + 0.6), squeeze=False, layout="constrained")
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    return fig, axes


def _present(indicators: pd.DataFrame, names) -> list[str]:
    have = set(indicators["indicator"].astype(str))
    return [n for n in names if n in have]


def key_indicators_figure(indicators: pd.DataFrame, names=KEY_INDICATORS, title: str | None = None,
                          annual: bool = False):
    """A grid of the key indicators, region-wide, with replicate bands."""
    names = _present(indicators, names)
    with plt.rc_context(STYLE):
        fig, axes = _grid(len(names))
        for ax, name in zip(axes.flat, names):
            fan_chart(indicators, name, ax=ax, annual=annual)
        replicates = indicators["replicate"].nunique()
        bands = f"median of {replicates} replicates, 50% and 90% bands" if replicates > 1 else "one replicate"
        fig.suptitle(f"{title or 'Key indicators'} ({bands})", fontsize=12)
    return fig


def by_class_figure(indicators: pd.DataFrame, names=KEY_INDICATORS, title: str | None = None,
                    annual: bool = False):
    """Indicators by county class (demonstration, steady, key): median over replicates with bands."""
    groups = [g for g in CLASS_COLOURS if g in set(indicators["group"].astype(str)) and g != "all"]
    names = _present(indicators, names)
    with plt.rc_context(STYLE):
        fig, axes = _grid(len(names))
        for ax, name in zip(axes.flat, names):
            for g in groups:
                fan_chart(indicators, name, group=g, ax=ax, colour=CLASS_COLOURS[g], label=g, annual=annual)
        axes.flat[0].legend(title="county class", fontsize=8)
        fig.suptitle(title or "Key indicators by county class", fontsize=12)
    return fig


def _frames(runs) -> pd.DataFrame:
    """One indicators table from a table, a RunResult, a Comparison, or a list of tables/results."""
    if isinstance(runs, pd.DataFrame):
        return runs
    if hasattr(runs, "base") and hasattr(runs, "alternatives"):  # a Comparison
        runs = [runs.base, *runs.alternatives]
    if hasattr(runs, "indicators"):
        runs = [runs]
    return pd.concat([getattr(r, "indicators", r) for r in runs], ignore_index=True)


def scenarios_figure(runs, names=KEY_INDICATORS, *, group: str = "all", annual: bool = False,
                     title: str | None = None):
    """Several scenarios on one chart per indicator: median over replicates with a 90% band each.

    `runs`: an indicators table with several scenarios, a Comparison, or a list of RunResults/tables.
    """
    df = _frames(runs)
    scenarios = list(dict.fromkeys(df["scenario"].astype(str)))
    names = _present(df, names)
    with plt.rc_context(STYLE):
        fig, axes = _grid(len(names))
        for k, scenario in enumerate(scenarios):
            one = df[df["scenario"] == scenario]
            for ax, name in zip(axes.flat, names):
                fan_chart(one, name, group=group, ax=ax, colour=COLOURS[k % len(COLOURS)], label=scenario,
                          bands=(0.90,), annual=annual)
        fig.legend(*axes.flat[0].get_legend_handles_labels(), loc="outside lower center", ncols=min(len(scenarios), 4),
                   title="scenario: median and 90% band over replicates")
        where = "" if group == "all" else f" ({group} counties)"
        fig.suptitle((title or "Scenarios compared") + where, fontsize=12)
    return fig


def comparison_figure(table: pd.DataFrame, names=KEY_INDICATORS, title: str | None = None):
    """Forest plot: ALT − BASE over the horizon, relative to the base, with 90% intervals, per scenario."""
    t = table[(table["period"] == "horizon") & (table["group"] == "all")]
    costs = sorted(n for n in t["indicator"].unique() if n.startswith("cost_"))
    names = [n for n in list(names) + costs if n in set(t["indicator"])]
    scenarios = list(dict.fromkeys(t["scenario"]))
    cols = min(len(scenarios), 4)  # wrapped into rows of four scenarios
    rows_n = (len(scenarios) + cols - 1) // cols
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(rows_n, cols, figsize=(max(8.0, 4.2 * cols + 2.5), (0.42 * len(names) + 1.2) * rows_n
                                                        + 0.6), squeeze=False, sharey=True, layout="constrained")
        for ax in axes.flat[len(scenarios):]:
            ax.set_visible(False)
        for ax, scenario in zip(axes.flat, scenarios):
            rows = t[t["scenario"] == scenario].set_index("indicator").reindex(names)
            base = rows["base"].abs().replace(0, np.nan)
            rel, low, high = (100 * rows[c] / base for c in ("diff", "diff_low", "diff_high"))
            y = np.arange(len(names))[::-1]
            excludes = ((low > 0) | (high < 0)).to_numpy()
            colours = np.where(excludes, "#d95f02", "#777777")
            ax.errorbar(rel, y, xerr=[(rel - low).fillna(0).clip(lower=0), (high - rel).fillna(0).clip(lower=0)],
                        fmt="none", ecolor=colours, elinewidth=1.5)
            ax.scatter(rel, y, c=colours, zorder=3, s=22)
            ax.axvline(0, color="black", lw=0.8)
            ax.set_yticks(y, [_title(n) for n in names])
            ax.set_xlabel("% of baseline")
            ax.set_title(scenario)
            ax.grid(axis="x", alpha=0.3)
        fig.suptitle(title or "Scenario − baseline over the horizon\n(orange: 90% interval excludes zero)",
                     fontsize=11)
    return fig


def difference_over_time_figure(base: pd.DataFrame, alternatives: list[pd.DataFrame], names=KEY_INDICATORS):
    """Monthly paired difference ALT − BASE: median over replicates with a 90% band, one line per scenario."""
    names = _present(base, names)
    key = ["replicate", "month", "indicator", "group"]
    b = base[base["group"] == "all"].set_index(key)["value"]
    with plt.rc_context(STYLE):
        fig, axes = _grid(len(names), 3.0)
        for k, alt in enumerate(alternatives):
            a = alt[alt["group"] == "all"].set_index(key)["value"]
            diff = (a - b).dropna().reset_index()
            label = str(alt["scenario"].iloc[0])
            for ax, name in zip(axes.flat, names):
                d = diff[diff["indicator"] == name].pivot_table(index="month", columns="replicate", values="value",
                                                                observed=True)
                if d.empty:
                    continue
                q = d.quantile([0.05, 0.5, 0.95], axis=1).T
                colour = COLOURS[(k + 1) % len(COLOURS)]
                ax.fill_between(q.index, q[0.05], q[0.95], color=colour, alpha=0.18, lw=0)
                ax.plot(q.index, q[0.5], color=colour, lw=1.5, label=label)
        for ax, name in zip(axes.flat, names):
            ax.axhline(0, color="black", lw=0.8)
            ax.set_title(_title(name) + " (scenario − baseline)")
            _format_axis(ax, _unit(name))
        axes.flat[0].legend(fontsize=8)
        fig.suptitle("Paired differences over time: median and 90% band over replicates", fontsize=12)
    return fig


def pv_flows_figure(indicators: pd.DataFrame, *, group: str = "all", title: str | None = None):
    """PV revenue and where it goes, per year: generated, kept by counties, to villages, to households,
    left with collectives (median over replicates, bars: 90% range), and the public-welfare posts held."""
    yearly = annual(indicators[indicators["indicator"].isin([*PV_FLOWS, "public_welfare_posts"])
                               & (indicators["group"] == group)])
    full = yearly[yearly["months"] == 12]
    yearly = full if not full.empty else yearly
    q = (yearly.assign(indicator=yearly["indicator"].astype(str))
         .groupby(["indicator", "year"])["value"].quantile([0.05, 0.5, 0.95]).unstack())
    years = sorted(q.index.get_level_values("year").unique())
    flows = [n for n in PV_FLOWS if n in q.index]
    with plt.rc_context(STYLE):
        fig, (ax, ax2) = plt.subplots(2, 1, figsize=(11, 6.4), height_ratios=[3, 1.1], sharex=True,
                                      layout="constrained")
        width = 0.8 / max(len(flows), 1)
        x = np.arange(len(years))
        for k, name in enumerate(flows):
            r = q.loc[name].reindex(years) / 1e6
            ax.bar(x + (k - (len(flows) - 1) / 2) * width, r[0.5], width, color=PV_FLOWS[name][1],
                   label=PV_FLOWS[name][0], yerr=[r[0.5] - r[0.05], r[0.95] - r[0.5]],
                   error_kw={"elinewidth": 0.8, "ecolor": "#333333"})
        ax.set_ylabel("million yuan per year")
        ax.set_title("PV revenue and its distribution (revenue = kept by counties + to villages; "
                     "to villages = to households + collectives)", fontsize=10)
        ax.legend(ncols=3, fontsize=8, loc="upper center", frameon=False)
        ax.set_ylim(0, 1.28 * np.nanmax(q[0.95].reindex(flows, level=0)) / 1e6 if flows else 1)
        ax.tick_params(labelbottom=True)
        ax.grid(axis="y", alpha=0.3)
        posts = q.loc["public_welfare_posts"].reindex(years) if "public_welfare_posts" in q.index else \
            pd.DataFrame(np.nan, index=years, columns=q.columns)
        ax2.bar(x, posts[0.5], 0.5, color="#1b9e77", yerr=[posts[0.5] - posts[0.05], posts[0.95] - posts[0.5]],
                error_kw={"elinewidth": 0.8, "ecolor": "#333333"})
        ax2.set_ylabel("posts (December)")
        ax2.set_title("Public-welfare posts held (paid from the households' share)", fontsize=10)
        ax2.yaxis.set_major_formatter(_Human())
        ax2.grid(axis="y", alpha=0.3)
        ax2.set_xticks(x, [str(y) for y in years])
        ax2.set_xlabel("year")
        where = "" if group == "all" else f", {group} counties"
        fig.suptitle(f"{title or 'PV revenue flows'}{where} (median over replicates; bars: 90% range)", fontsize=12)
    return fig


def targets_figure(table: pd.DataFrame, title: str | None = None):
    """Simulated against observed, one row per target, as the ratio simulated / observed (log scale).

    `table` columns: `target` (id), `label` (text shown; default the id), `observed` (the seed value),
    `simulated` (mean over replicates), `low` and `high` (its interval, e.g. 5% and 95% over
    replicates), `tolerance` (relative: 0.2 accepts observed ± 20%; NaN for none); optional `unit`, and
    `tolerance_kind` ("relative", the default, or "absolute": the tolerance is in the target's units),
    `posterior_mean`, `posterior_p05`, `posterior_p95` (drawn as triangles). `sim.calibration.target_table`'s
    names (`simulated_mean`, `simulated_p05`, `simulated_p95`, `error_kind`) are accepted too.
    Green: the simulated mean is within tolerance; orange: outside; grey: no tolerance.
    """
    aliases = {"simulated_mean": "simulated", "simulated_p05": "low", "simulated_p95": "high",
               "error_kind": "tolerance_kind"}  # sim.calibration.target_table's names
    t = table.rename(columns={k: v for k, v in aliases.items() if k in table and v not in table}).reset_index(drop=True)
    missing = [c for c in ("observed", "simulated", "low", "high") if c not in t]
    if missing or not {"target", "label"} & set(t.columns):
        raise ValueError(f"targets_figure: missing columns {missing or ['target or label']}; expected {TARGET_COLUMNS}")
    labels = t["label"] if "label" in t else t["target"]
    obs = t["observed"].astype(float)
    ratio, low, high = (t[c].astype(float) / obs for c in ("simulated", "low", "high"))
    tol = t["tolerance"].astype(float) if "tolerance" in t else pd.Series(np.nan, index=t.index)
    if "tolerance_kind" in t:  # an absolute tolerance, in the target's units, as a share of the observed value
        tol = tol.where(t["tolerance_kind"] != "absolute", tol / obs.abs())
    inside = (ratio - 1).abs() <= tol
    colours = np.where(tol.isna(), "#777777", np.where(inside, "#1b9e77", "#d95f02"))
    y = np.arange(len(t))[::-1]
    finite = np.concatenate([ratio, low, high, 1 - tol.fillna(0), 1 + tol.fillna(0)])
    finite = finite[np.isfinite(finite) & (finite > 0)]
    lo_lim, hi_lim = min(finite.min(), 0.5) / 1.6, max(finite.max(), 2.0) * 1.6
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(11, 0.55 * len(t) + 1.9), layout="constrained")
        for k in range(len(t)):
            if np.isfinite(tol[k]):
                ax.fill_betweenx([y[k] - 0.35, y[k] + 0.35], max(1 - tol[k], lo_lim), 1 + tol[k], color="#1b9e77",
                                 alpha=0.15, lw=0)
        ax.errorbar(ratio.clip(lo_lim, hi_lim), y, xerr=[(ratio - low).clip(lower=0).fillna(0),
                                                         (high - ratio).clip(lower=0).fillna(0)],
                    fmt="none", ecolor=colours, elinewidth=1.6)
        ax.scatter(ratio.clip(lo_lim, hi_lim), y, c=colours, s=30, zorder=3)
        if "posterior_mean" in t:  # posterior predictive: targets simulated from posterior draws
            post, plo, phi = (t[c].astype(float) / obs for c in ("posterior_mean", "posterior_p05", "posterior_p95"))
            ax.errorbar(post.clip(lo_lim, hi_lim), y - 0.25, xerr=[(post - plo).clip(lower=0).fillna(0),
                        (phi - post).clip(lower=0).fillna(0)], fmt="^", color="#7570b3", ms=5, elinewidth=1.2)
        ax.axvline(1, color="black", lw=0.9)
        ax.set_xscale("log")
        ax.set_xlim(lo_lim, hi_lim)
        ax.xaxis.set_major_locator(mticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _p: f"×{v:g}"))
        ax.xaxis.set_minor_formatter(mticker.NullFormatter())
        ax.set_yticks(y, labels)
        ax.set_title(f"{int(inside.sum())} of {int(tol.notna().sum())} targets within tolerance")
        handles = [plt.Line2D([], [], color=c, marker="o", ls="-", label=text) for c, text in
                   (("#1b9e77", "within tolerance"), ("#d95f02", "outside tolerance"), ("#777777", "no tolerance"))
                   if c in set(colours)]
        if "posterior_mean" in t:
            handles.append(plt.Line2D([], [], color="#7570b3", marker="^", ls="-", label="posterior predictive"))
        ax.legend(handles=handles, fontsize=8, loc="lower right")
        ax.set_xlabel("simulated ÷ observed (log scale; 1 = the seed value; shaded: tolerance)")
        ax.grid(axis="x", alpha=0.3)
        units = t["unit"] if "unit" in t else pd.Series("", index=t.index)
        for k in range(len(t)):
            ax.annotate(f"sim {_human(t['simulated'][k])} vs seed {_human(obs[k])} {units[k]}".rstrip(),
                        (1.0, y[k]), xycoords=("axes fraction", "data"), xytext=(6, 0), textcoords="offset points",
                        va="center", fontsize=8, color="#333333")
        fig.suptitle(title or "Targets: simulated (mean, bars: interval over replicates) against the seed value",
                     fontsize=12)
    return fig


def _parameter_label(key: str) -> str:
    from .scenario import SECTIONS

    section, _, name = str(key).partition(".")
    field = getattr(SECTIONS.get(section), "model_fields", {}).get(name)
    unit = (field.json_schema_extra or {}).get("unit", "") if field is not None else ""
    return f"{key} ({unit})" if unit else str(key)


def sweep_response_figure(results: pd.DataFrame, outcome, x: str, hue: str | None = None, *, group: str = "all",
                          period: str | None = None, title: str | None = None):
    """An outcome (or a list of them, one panel each) against one parameter, optionally by a second (`hue`).

    `results`: the frame `sim.sweep.run_sweep` returns (run_id, point, replicate, the parameter columns,
    indicator, group, period, value). `period`: "horizon" or a year; default the horizon or the last year.
    A parameter with few values (a factorial design) shows the mean per value and the 5%-95% range of the
    runs (replicates, and any parameter not shown), as the fan charts' bands; a sampled one shows every
    design point's replicate mean with the mean in bins of x.
    """
    outcomes = [outcome] if isinstance(outcome, str) else list(outcome)
    sampled = False
    with plt.rc_context(STYLE):
        fig, axes = _grid(len(outcomes), 3.4) if len(outcomes) > 1 else plt.subplots(
            figsize=(7, 4.2), squeeze=False, layout="constrained")
        for ax, name in zip(axes.flat, outcomes):
            rows = results[(results["indicator"] == name) & (results["group"] == group)]
            when = period or ("horizon" if "horizon" in set(rows["period"]) else max(rows["period"], default=""))
            rows = rows[rows["period"] == str(when)]
            hues = [None] if hue is None else sorted(rows[hue].unique())
            discrete_hue = hue is None or len(hues) <= 8
            levels = sorted(rows[x].unique())
            categorical = not pd.api.types.is_numeric_dtype(rows[x]) or pd.api.types.is_bool_dtype(rows[x])
            if discrete_hue and len(levels) <= 12:
                for k, h in enumerate(hues):
                    sel = rows if h is None else rows[rows[hue] == h]
                    g = sel.groupby(x)["value"]
                    s = pd.DataFrame({"mean": g.mean(), "low": g.quantile(0.05), "high": g.quantile(0.95)}).reindex(levels)
                    pos = np.arange(len(levels)) if categorical else np.asarray(levels, float)
                    span = 1.0 if categorical else float(np.ptp(pos)) or 1.0
                    pos = pos + (k - (len(hues) - 1) / 2) * 0.012 * span  # dodge the hues' bars apart
                    colour = COLOURS[(k + 1) % len(COLOURS)]
                    ax.errorbar(pos, s["mean"], yerr=[s["mean"] - s["low"], s["high"] - s["mean"]], color=colour,
                                marker="o", ms=4, capsize=3, lw=1.4, label=None if h is None else f"{h}")
                ax.set_xticks(np.arange(len(levels)) if categorical else levels, [f"{v:g}" if not categorical
                                                                                  else str(v) for v in levels])
            else:
                sampled = True
                points = rows.groupby("point").agg(v=("value", "mean"), x=(x, "first"),
                                                   h=(hue or x, "first"))
                sc = ax.scatter(points["x"], points["v"], c=points["h"] if hue else COLOURS[1], s=16, alpha=0.75,
                                cmap="viridis" if hue else None)
                if hue:
                    fig.colorbar(sc, ax=ax, label=_parameter_label(hue))
                bins = pd.qcut(points["x"], min(8, max(len(points) // 4, 1)), duplicates="drop")
                trend = points.groupby(bins, observed=True).agg(x=("x", "mean"), v=("v", "mean"))
                ax.plot(trend["x"], trend["v"], color="black", lw=1.6, label="mean in bins of x")
                ax.legend(fontsize=8)
            if hue is not None and discrete_hue and ax is axes.flat[0]:
                ax.legend(title=_parameter_label(hue), fontsize=8)
            ax.set_title(f"{_title(name)} ({group}, {when})")
            ax.set_xlabel(_parameter_label(x))
            ax.set_ylabel(_unit(name, "horizon" if when == "horizon" else "year"))
            ax.yaxis.set_major_formatter(_Human())
            ax.grid(alpha=0.3)
        how = "mean and 90% range of the runs" if not sampled else "replicate mean of each design point"
        fig.suptitle(title or f"Sweep response ({how})", fontsize=12)
    return fig


def sensitivity_figure(indices: pd.DataFrame, method: str | None = None, title: str | None = None):
    """Ranked sensitivity indices per outcome (Sobol ST and S1, or Morris mu*), with confidence intervals.

    `indices`: `SensitivityResult.table` (or sensitivity.csv). Drawn by `sim.sensitivity.figure`, in STYLE.
    """
    from .sensitivity import figure

    return figure(indices, method or ("sobol" if "ST" in indices else "morris"), title=title)
