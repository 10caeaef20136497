"""Figures from the tidy indicators table (matplotlib only; each function returns a Figure)."""

import matplotlib

matplotlib.use("Agg", force=False)
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as mticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from .results import indicator_catalogue  # noqa: E402

KEY_INDICATORS = (
    "persons_below_poverty_line",
    "persons_below_monitoring_line",
    "returns_to_poverty_households",
    "income_per_capita_mean_yuan",
    "poverty_county_income_ratio",
    "lifted_out_labourers_employed",
)
STYLE = {"font.size": 10, "axes.titlesize": 11, "axes.spines.top": False, "axes.spines.right": False,
         "figure.dpi": 110}
CLASS_COLOURS = {"all": "#222222", "demonstration": "#1b9e77", "steady": "#7570b3", "key": "#d95f02"}


def _title(name: str) -> str:
    return name.replace("_yuan", "").replace("_", " ").capitalize()


def _format_axis(ax, unit: str) -> None:
    ax.xaxis.set_major_locator(mdates.YearLocator(2))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    if unit not in ("ratio", "index", "share"):
        ax.yaxis.set_major_formatter(mticker.FuncFormatter(_human))
    ax.set_ylabel(unit)
    ax.grid(alpha=0.3)


def _human(value: float, _pos=None) -> str:
    if abs(value) >= 1e6:
        return f"{value / 1e6:.1f}M"
    if abs(value) >= 1e4:
        return f"{value / 1e3:.0f}k"
    if abs(value) >= 10:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def fan_chart(indicators: pd.DataFrame, indicator: str, *, group: str = "all", ax=None, colour="#1f77b4",
              label: str | None = None):
    """An indicator over time: median over replicates with 50% and 90% bands."""
    data = indicators[(indicators["indicator"] == indicator) & (indicators["group"] == group)]
    wide = data.pivot_table(index="month", columns="replicate", values="value", observed=True)
    with plt.rc_context(STYLE):
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        unit = indicator_catalogue()[indicator].unit
        ax.set_title(_title(indicator))
        _format_axis(ax, unit)
        if wide.empty:  # e.g. a ratio that is undefined for this group
            return ax.figure
        q = wide.quantile([0.05, 0.25, 0.5, 0.75, 0.95], axis=1).T
        if wide.shape[1] > 1:
            ax.fill_between(q.index, q[0.05], q[0.95], color=colour, alpha=0.15, lw=0)
            ax.fill_between(q.index, q[0.25], q[0.75], color=colour, alpha=0.3, lw=0)
        ax.plot(q.index, q[0.5], color=colour, lw=1.6, label=label)
    return ax.figure


def key_indicators_figure(indicators: pd.DataFrame, names=KEY_INDICATORS, title: str | None = None):
    """A grid of the key indicators, region-wide, with replicate bands."""
    names = [n for n in names if n in set(indicators["indicator"].astype(str))]
    cols = 2
    rows = (len(names) + cols - 1) // cols
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(rows, cols, figsize=(11, 3.1 * rows), squeeze=False, layout="constrained")
        for ax, name in zip(axes.flat, names):
            fan_chart(indicators, name, ax=ax)
        for ax in list(axes.flat)[len(names):]:
            ax.set_visible(False)
        replicates = indicators["replicate"].nunique()
        bands = f"median of {replicates} replicates, 50% and 90% bands" if replicates > 1 else "one replicate"
        fig.suptitle(f"{title or 'Key indicators'} ({bands})", fontsize=12)
    return fig


def by_class_figure(indicators: pd.DataFrame, names=KEY_INDICATORS, title: str | None = None):
    """The key indicators by county class (medians over replicates)."""
    groups = [g for g in CLASS_COLOURS if g in set(indicators["group"].astype(str)) and g != "all"]
    names = [n for n in names if n in set(indicators["indicator"].astype(str))]
    cols = 2
    rows = (len(names) + cols - 1) // cols
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(rows, cols, figsize=(11, 3.1 * rows), squeeze=False, layout="constrained")
        for ax, name in zip(axes.flat, names):
            for g in groups:
                fan_chart(indicators, name, group=g, ax=ax, colour=CLASS_COLOURS[g], label=g)
        for ax in list(axes.flat)[len(names):]:
            ax.set_visible(False)
        axes.flat[0].legend(title="county class", fontsize=8)
        fig.suptitle(title or "Key indicators by county class", fontsize=12)
    return fig


def comparison_figure(table: pd.DataFrame, names=KEY_INDICATORS, title: str | None = None):
    """Forest plot: ALT − BASE over the horizon, relative to the base, with 90% intervals, per scenario."""
    t = table[(table["period"] == "horizon") & (table["group"] == "all")]
    costs = sorted(n for n in t["indicator"].unique() if n.startswith("cost_"))
    names = [n for n in list(names) + costs if n in set(t["indicator"])]
    scenarios = list(dict.fromkeys(t["scenario"]))
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, len(scenarios), figsize=(max(8.0, 4.2 * len(scenarios) + 2.5),
                                                             0.42 * len(names) + 1.8),
                                 squeeze=False, sharey=True, layout="constrained")
        for ax, scenario in zip(axes[0], scenarios):
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
    names = [n for n in names if n in set(base["indicator"].astype(str))]
    key = ["replicate", "month", "indicator", "group"]
    b = base[base["group"] == "all"].set_index(key)["value"]
    cols = 2
    rows = (len(names) + cols - 1) // cols
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(rows, cols, figsize=(11, 3.0 * rows), squeeze=False, layout="constrained")
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
                colour = colours[k % len(colours)]
                ax.fill_between(q.index, q[0.05], q[0.95], color=colour, alpha=0.18, lw=0)
                ax.plot(q.index, q[0.5], color=colour, lw=1.5, label=label)
        for ax, name in zip(axes.flat, names):
            ax.axhline(0, color="black", lw=0.8)
            ax.set_title(_title(name) + " (scenario − baseline)")
            _format_axis(ax, indicator_catalogue()[name].unit)
        for ax in list(axes.flat)[len(names):]:
            ax.set_visible(False)
        axes.flat[0].legend(fontsize=8)
        fig.suptitle("Paired differences over time: median and 90% band over replicates", fontsize=12)
    return fig
