"""Figures of runs and scenario comparisons: fan charts over replicates, by county class, scenarios
side by side, paired differences, PV money flows."""

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ..formatting import fmt_signed
from ..i18n import group_label, term
from ...experiments.results import annual
from .style import (_LANG, CLASS_COLOURS, COLOURS, KEY_INDICATORS, PV_FLOWS, STYLE, _format_axis, _grid, _Human,
                    _present, _title, _unit, _wide)


def _t(key: str, **values) -> str:
    """A catalogue term in the language figures are drawn in (`plots.language`)."""
    return term(key, _LANG["lang"], **values)


def _where(group: str) -> str:
    """' (key counties)' after a title, nothing for the whole region."""
    return "" if group == "all" else _t("of_group", group=group_label(group, _LANG["lang"]))


CLASS_LINES = {"all": ("-", None), "demonstration": ("-", "o"), "steady": ("--", "s"), "key": (":", "^")}


def fan_chart(indicators: pd.DataFrame, indicator: str, *, group: str = "all", ax=None, colour="#1f77b4",
              label: str | None = None, bands=(0.90, 0.50), annual: bool = False, linestyle: str = "-",
              marker: str | None = None):
    """An indicator over time: median over replicates with 90% and 50% bands, so a run's luck shows.

    Parameters:
        indicators: a tidy table (`RunResult.indicators`: scenario, replicate, seed, month, indicator, group, value)
        indicator: the indicator's name; its unit labels the axis
        group: "all" or a county class (demonstration, steady, key)
        ax: a matplotlib Axes to draw on (default: a new figure)
        bands: quantile band widths over replicates, widest first (fractions)
        annual: plot annual values (flows summed over the year, stocks at December) instead of months
        colour, label, linestyle, marker: how the line looks
    Returns:
        the matplotlib Figure drawn on
    Example:
        >>> result = sim.run(replicates=5, scale=0.05)
        >>> fig = sim.ui.plots.fan_chart(result.indicators, "persons_below_poverty_line", annual=True)
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
        ax.plot(wide.index, wide.median(axis=1), color=colour, lw=1.6, label=label, ls=linestyle,
                marker=marker or ("o" if annual else None), ms=4 if marker else 3,
                markevery=max(1, len(wide) // 12) if marker else None, mfc="white" if marker else colour)
    return ax.figure


def key_indicators_figure(indicators: pd.DataFrame, names=KEY_INDICATORS, title: str | None = None,
                          annual: bool = False):
    """A grid of the key indicators (`plots.KEY_INDICATORS`), region-wide, with replicate bands: what a
    planner looks at first.

    Parameters:
        indicators: a tidy table (`RunResult.indicators`)
        names: the indicators to draw (default: the key ones present)
        title: the figure's title (default: "Key indicators")
        annual: annual values instead of months
    Returns:
        a matplotlib Figure
    Example:
        >>> sim.ui.plots.key_indicators_figure(sim.run(scale=0.05).indicators).savefig("key.png")
    """
    names = _present(indicators, names)
    with plt.rc_context(STYLE):
        fig, axes = _grid(len(names))
        for ax, name in zip(axes.flat, names):
            fan_chart(indicators, name, ax=ax, annual=annual)
        replicates, lang = indicators["replicate"].nunique(), _LANG["lang"]
        bands = term("replicate_bands", lang).format(n=replicates) if replicates > 1 else term("one_replicate", lang)
        fig.suptitle(f"{title or term('key_indicators', lang)} ({bands})", fontsize=12)
    return fig


def by_class_figure(indicators: pd.DataFrame, names=KEY_INDICATORS, title: str | None = None,
                    annual: bool = False):
    """Indicators by county class (demonstration, steady, key): median over replicates with bands; each
    class has its own colour, line style and marker, so no line hides another where they coincide.

    Parameters:
        indicators: a tidy table (`RunResult.indicators`) of a region with county classes
        names: the indicators to draw (default: the key ones present)
        title: the figure's title
        annual: annual values instead of months
    Returns:
        a matplotlib Figure
    Example:
        >>> sim.ui.plots.by_class_figure(sim.run(scale=0.05).indicators, names=["workshop_jobs"])
    """
    groups = [g for g in CLASS_COLOURS if g in set(indicators["group"].astype(str)) and g != "all"]
    names = _present(indicators, names)
    with plt.rc_context(STYLE):
        fig, axes = _grid(len(names))
        for ax, name in zip(axes.flat, names):
            for g in groups:
                ls, marker = CLASS_LINES.get(g, ("-", None))
                fan_chart(indicators, name, group=g, ax=ax, colour=CLASS_COLOURS[g],
                          label=group_label(g, _LANG["lang"]), annual=annual, linestyle=ls, marker=marker)
        axes.flat[0].legend(title=term("class_2021", _LANG["lang"]), fontsize=8)
        fig.suptitle(title or _t("key_by_class"), fontsize=12)
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

    Parameters:
        runs: an indicators table with several scenarios, a Comparison, or a list of RunResults or tables
        names: the indicators to draw (default: the key ones present)
        group: "all" or a county class
        annual: annual values instead of months
        title: the figure's title
    Returns:
        a matplotlib Figure
    Example:
        >>> a, b = sim.run(scale=0.05), sim.run("scenarios/workshops_double.toml", scale=0.05)
        >>> sim.ui.plots.scenarios_figure([a, b], names=["workshop_jobs"])
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
                   title=_t("scenarios_legend"))
        fig.suptitle((title or _t("scenarios_compared")) + _where(group), fontsize=12)
    return fig


def comparison_figure(table: pd.DataFrame, names=KEY_INDICATORS, title: str | None = None):
    """Forest plot: ALT − BASE over the horizon, relative to the base, with 90% intervals, per scenario: which
    differences are distinguishable from replicate noise.

    Parameters:
        table: `Comparison.table` (scenario, indicator, group, period, base, alternative, diff, diff_low, diff_high)
        names: the indicators to draw (default: the key ones present)
        title: the figure's title
    Returns:
        a matplotlib Figure
    Example:
        >>> c = sim.experiments.compare.compare("scenarios/baseline.toml", ["scenarios/workshops_double.toml"], scale=0.05)
        >>> sim.ui.plots.comparison_figure(c.table)
    """
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
            for yy, r, lo, hi, colour in zip(y, rel, low, high, colours):
                if r == r and lo == lo:
                    ax.errorbar([r], [yy], xerr=[[max(r - lo, 0)], [max(hi - r, 0)]], fmt="none", ecolor=colour,
                                elinewidth=2.2, capsize=5, capthick=1.6)
            ax.scatter(rel, y, c=colours, zorder=3, s=26, marker="D")
            ax.axvline(0, color="black", lw=0.8)
            # the interval in numbers beside each row: a narrow interval is readable even when its bar is short
            right = np.nanmax(np.abs(np.r_[low.to_numpy(), high.to_numpy(), 1.0]))
            ax.set_xlim(-1.15 * right, 2.1 * right)
            for yy, r, lo, hi, b in zip(y, rel, low, high, rows["base"]):
                text = (_t("baseline_zero") if b == 0 else "-") if r != r else \
                    f"{fmt_signed(r)}% [{fmt_signed(lo)}, {fmt_signed(hi)}]"
                ax.annotate(text, (1.0, yy), xycoords=("axes fraction", "data"), xytext=(-4, 0),
                            textcoords="offset points", ha="right", va="center", fontsize=7.5, color="#333333")
            ax.set_yticks(y, [_title(n) for n in names])
            ax.set_xlabel(_t("pct_of_baseline"))
            ax.set_title(scenario)
            ax.grid(axis="x", alpha=0.3)
        fig.suptitle(title or _t("forest_title"), fontsize=10)
    return fig


def paired_difference_figure(table: pd.DataFrame, names=KEY_INDICATORS, *, group: str = "all",
                             title: str | None = None):
    """Scenario − baseline per year: the mean paired difference with its 90% interval over replicates
    (`sim.experiments.compare`'s table), one marker per scenario and year, slightly offset so none hides another.

    Parameters:
        table: `Comparison.table`
        names: the indicators to draw (default: the key ones present)
        group: "all" or a county class
        title: the figure's title
    Returns:
        a matplotlib Figure
    Example:
        >>> sim.ui.plots.paired_difference_figure(c.table, names=["workshop_jobs"])   # c from sim.experiments.compare.compare
    """
    t = table[(table["group"] == group) & (table["period"] != "horizon")]
    names = [n for n in names if n in set(t["indicator"])]
    scenarios = list(dict.fromkeys(t["scenario"]))
    with plt.rc_context(STYLE):
        fig, axes = _grid(len(names), 3.0)
        for k, scenario in enumerate(scenarios):
            colour = COLOURS[(k + 1) % len(COLOURS)]
            offset = (k - (len(scenarios) - 1) / 2) * 0.8 / max(len(scenarios), 1)
            for ax, name in zip(axes.flat, names):
                r = t[(t["scenario"] == scenario) & (t["indicator"] == name)].sort_values("period")
                x = r["period"].astype(int).to_numpy() + offset
                ax.errorbar(x, r["diff"], yerr=[(r["diff"] - r["diff_low"]).fillna(0).clip(lower=0),
                                                (r["diff_high"] - r["diff"]).fillna(0).clip(lower=0)],
                            fmt="o-", color=colour, ms=4, lw=1.2, elinewidth=1.8, capsize=3, label=scenario)
        for ax, name in zip(axes.flat, names):
            ax.axhline(0, color="black", lw=0.8)
            ax.set_title(textwrap.fill(_title(name) + _t("vs_baseline"), 48))
            _format_axis(ax, _unit(name, "year"))
            ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
            ax.xaxis.set_major_formatter(plt.FuncFormatter(lambda v, _pos: f"{v:.0f}"))
            ax.set_xlabel(_t("year"))
        fig.legend(*axes.flat[0].get_legend_handles_labels(), loc="outside lower center", ncols=min(len(scenarios), 4),
                   title=_t("paired_legend"))
        fig.suptitle((title or _t("paired_title")) + _where(group), fontsize=12)
    return fig


def difference_over_time_figure(base: pd.DataFrame, alternatives: list[pd.DataFrame], names=KEY_INDICATORS):
    """Monthly paired difference ALT − BASE: median over replicates with a 90% band, one line per scenario;
    shows when an effect starts (a schedule's date, a transition window's end).

    Parameters:
        base: the base run's tidy indicators
        alternatives: the alternatives' tidy indicators (run on the base's seeds)
        names: the indicators to draw (default: the key ones present)
    Returns:
        a matplotlib Figure
    Example:
        >>> sim.ui.plots.difference_over_time_figure(c.base.indicators, [r.indicators for r in c.alternatives])
    """
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
            ax.set_title(textwrap.fill(_title(name) + _t("vs_baseline"), 48))
            _format_axis(ax, _unit(name))
        axes.flat[0].legend(fontsize=8)
        fig.suptitle(_t("over_time_title"), fontsize=12)
    return fig


def pv_flows_figure(indicators: pd.DataFrame, *, group: str = "all", title: str | None = None):
    """PV revenue and where it goes, per year: generated, kept by counties, to villages, to households,
    left with collectives (median over replicates, bars: 90% range), and the public-welfare posts held.

    Parameters:
        indicators: a tidy table (`RunResult.indicators`)
        group: "all" or a county class
        title: the figure's title
    Returns:
        a matplotlib Figure (million yuan per year; posts in December)
    Example:
        >>> sim.ui.plots.pv_flows_figure(sim.run(scale=0.05).indicators)
    """
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
        lang = _LANG["lang"]
        for k, name in enumerate(flows):
            r = q.loc[name].reindex(years) / 1e6
            ax.bar(x + (k - (len(flows) - 1) / 2) * width, r[0.5], width, color=PV_FLOWS[name][1],
                   label=_title(name) if lang == "zh" else PV_FLOWS[name][0],
                   yerr=[r[0.5] - r[0.05], r[0.95] - r[0.5]], error_kw={"elinewidth": 0.8, "ecolor": "#333333"})
        ax.set_ylabel(term("million_yuan_per_year", lang))
        ax.set_title(term("pv_distribution", lang), fontsize=10)
        ax.legend(ncols=3, fontsize=8, loc="upper center", frameon=False)
        ax.set_ylim(0, 1.28 * np.nanmax(q[0.95].reindex(flows, level=0)) / 1e6 if flows else 1)
        ax.tick_params(labelbottom=True)
        ax.grid(axis="y", alpha=0.3)
        posts = q.loc["public_welfare_posts"].reindex(years) if "public_welfare_posts" in q.index else \
            pd.DataFrame(np.nan, index=years, columns=q.columns)
        ax2.bar(x, posts[0.5], 0.5, color="#1b9e77", yerr=[posts[0.5] - posts[0.05], posts[0.95] - posts[0.5]],
                error_kw={"elinewidth": 0.8, "ecolor": "#333333"})
        ax2.set_ylabel(term("posts_december", lang))
        ax2.set_title(term("posts_held", lang), fontsize=10)
        ax2.yaxis.set_major_formatter(_Human())
        ax2.grid(axis="y", alpha=0.3)
        ax2.set_xticks(x, [str(y) for y in years])
        ax2.set_xlabel(term("year", lang))
        where = "" if group == "all" else _t("of_group_comma", group=group_label(group, lang))
        fig.suptitle(f"{title or term('pv_flows', lang)}{where} {term('median_90', lang)}", fontsize=12)
    return fig
