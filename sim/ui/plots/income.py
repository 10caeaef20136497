"""What people live on: per-capita income by source, year by year, for all rural people and for people in
lifted-out households (stacked bars; the labels and categories are `sim.dynamics.income_sources.CATEGORIES`)."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from ...dynamics.income_sources import CATEGORIES, indicator_name
from ...experiments.results import annual
from ..i18n import INCOME_SOURCES_ZH, group_label, term, unit_label
from .style import _LANG, STYLE, _Human

PALETTE = plt.get_cmap("tab20").colors[::2] + plt.get_cmap("tab20").colors[1::2]


def income_composition_figure(indicators: pd.DataFrame, *, group: str = "all", title: str | None = None):
    """Stacked bars per full year: each source's annual per-capita income (mean over replicates; flows summed
    over the year's months), all rural people on the left, people in lifted-out households on the right.

    Parameters:
        indicators: a tidy table (`RunResult.indicators`) with the income_<category>_per_capita_yuan indicators
        group: "all" or a county class
        title: the figure's title
    Returns:
        a matplotlib Figure (yuan per person per year)
    Example:
        >>> sim.ui.plots.income_composition_figure(sim.run(scale=0.05).indicators)
    """
    names = {indicator_name(c, lifted): (c, lifted) for c in CATEGORIES for lifted in (False, True)}
    rows = indicators[indicators["indicator"].isin(list(names)) & (indicators["group"] == group)]
    yearly = annual(rows) if len(rows) else rows.assign(year=[], months=[])
    full = yearly[yearly["months"] == 12]
    yearly = full if not full.empty else yearly
    means = yearly.assign(indicator=yearly["indicator"].astype(str)).groupby(["indicator", "year"])["value"].mean()
    years = sorted(yearly["year"].unique())
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, 2, figsize=(12, 5.2), sharey=True, layout="constrained")
        x = np.arange(len(years))
        lang = _LANG["lang"]
        for ax, lifted, label in ((axes[0], False, "all_rural_people"), (axes[1], True, "lifted_out_people")):
            bottom = np.zeros(len(years))
            for k, (cat, cat_label) in enumerate(CATEGORIES.items()):
                name = indicator_name(cat, lifted)
                values = means[name].reindex(years).fillna(0.0).to_numpy() if name in means.index else bottom * 0
                ax.bar(x, values, 0.7, bottom=bottom, color=PALETTE[k % len(PALETTE)],
                       label=INCOME_SOURCES_ZH[cat] if lang == "zh" else cat_label)
                bottom = bottom + values
            ax.set_title(term(label, lang), fontsize=10)
            ax.set_xticks(x, [str(y) for y in years], rotation=45 if len(years) > 8 else 0)
            ax.set_xlabel(term("year", lang))
            ax.yaxis.set_major_formatter(_Human())
            ax.grid(axis="y", alpha=0.3)
        axes[0].set_ylabel(unit_label("yuan per person per year", lang))
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles[::-1], labels[::-1], loc="outside right center", fontsize=8, frameon=False)
        where = "" if group == "all" else term("of_group_comma", lang, group=group_label(group, lang))
        fig.suptitle(f"{title or term('income_sources', lang)}{where}{term('colon', lang)}"
                     f"{term('income_by_source', lang)}", fontsize=12)
    return fig
