"""The dashboard's indicator panels: this run (solid, so far) against the baseline (dashed, to the horizon).

Plain matplotlib Figures (no pyplot: Solara renders them from worker threads). Flows that are paid in
lumps (PV settlements, costs, returns to poverty) are drawn cumulatively so the gap between the runs
reads directly as "so much more or less since January 2021".
"""

from dataclasses import dataclass

import numpy as np
import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MultipleLocator

from ..fonts import rc
from ..i18n import PANEL_TITLES_ZH, indicator_label, term, unit_label
from .model import TOTAL_COST, Trajectory

CURRENT_COLOURS = ("#1f5fa8", "#c2571a")
# a panel's second baseline gets its own colour and dash pattern, so the two baselines of the PV panel
# (to households, to collectives) can be told apart where they run close
BASELINE_COLOURS = ("#7f7f7f", "#d9a27c")
BASELINE_DASHES = ("--", ":")


@dataclass(frozen=True)
class Panel:
    title: str
    unit: str
    indicators: tuple[str, ...]  # indicator names as the model reports them
    labels: tuple[str, ...] = ()  # legend labels when a panel has several indicators
    table_labels: tuple[str, ...] = ()  # one short label per indicator for the table of current values
    cumulative: bool = False
    divisor: float = 1.0  # e.g. 1e6 to show million yuan

    def series(self, trajectory: Trajectory, name: str) -> np.ndarray:
        values = np.nan_to_num(trajectory[name]) if self.cumulative else trajectory[name]
        values = np.cumsum(values) if self.cumulative else values
        return values / self.divisor


PANELS = (
    Panel("People below the poverty line", "persons", ("persons_below_poverty_line",),
          table_labels=("Below the poverty line (persons)",)),
    Panel("Returns to poverty since Jan 2021 (cumulative)", "households", ("returns_to_poverty_households",),
          table_labels=("Returns to poverty, cumulative (households)",), cumulative=True),
    Panel("Households under return-to-poverty monitoring", "households", ("monitored_households",),
          table_labels=("Monitored (households)",)),
    Panel("Lifted-out labourers in wage work", "persons", ("lifted_out_labourers_employed",),
          table_labels=("Lifted-out labourers employed (persons)",)),
    Panel("PV revenue since Jan 2021 (cumulative)", "million yuan",
          ("pv_to_households_yuan", "pv_to_collectives_yuan"), ("to households", "to village collectives"),
          ("PV to households, cumulative (million yuan)", "PV to collectives, cumulative (million yuan)"),
          cumulative=True, divisor=1e6),
    Panel("Fiscal cost of all levers since Jan 2021 (cumulative)", "million yuan", (TOTAL_COST,),
          table_labels=("Fiscal cost, cumulative (million yuan)",), cumulative=True, divisor=1e6),
)


def _thousands(value, _position) -> str:
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.1f}"


def _years(months: pd.DatetimeIndex) -> np.ndarray:
    """Months as fractional years (2021.0 = January 2021): plain numbers draw several times faster than dates."""
    return months.year + (months.month - 1) / 12.0


def panel_title(panel: Panel, lang: str = "en") -> str:
    """The panel's title; in Chinese from the indicators' catalogue labels (sim/ui/i18n.py)."""
    if lang != "zh":
        return panel.title
    title = PANEL_TITLES_ZH.get(panel.indicators) or "、".join(indicator_label(n, "zh") for n in panel.indicators)
    return title + (f"（{term('cumulative_since_2021', 'zh')}）" if panel.cumulative else "")


def panel_figure(panel: Panel, *, current: Trajectory, baseline: Trajectory, lang: str = "en") -> Figure:
    """One panel as a Figure about 500 x 330 pixels, sized for half the dashboard's width.

    Fixed margins rather than a constrained layout, and years as numbers rather than dates: a step
    redraws six panels, and these two choices make that about three times faster.
    """
    with matplotlib.rc_context(rc(lang)):  # the packaged CJK font for Chinese (its texts keep it when saved)
        return _panel_figure(panel, current=current, baseline=baseline, lang=lang)


def _panel_figure(panel: Panel, *, current: Trajectory, baseline: Trajectory, lang: str) -> Figure:
    base_word, run_word = term("baseline", lang), term("this_run", lang)
    figure = Figure(figsize=(5.0, 3.3), dpi=100)
    figure.subplots_adjust(left=0.17, right=0.97, top=0.9, bottom=0.1)
    axes = figure.subplots()
    for k, name in enumerate(panel.indicators):
        label = (indicator_label(name, lang) if lang == "zh" else panel.labels[k]) if panel.labels else ""
        axes.plot(_years(baseline.months), panel.series(baseline, name), color=BASELINE_COLOURS[k % 2],
                  linestyle=BASELINE_DASHES[k % 2], linewidth=1.4 if k else 1.2, label=f"{base_word} {label}".strip())
        if len(current.months):
            years, values = _years(current.months), panel.series(current, name)
            axes.plot(years, values, color=CURRENT_COLOURS[k % 2], linewidth=2.0, label=f"{run_word} {label}".strip())
            axes.plot(years[-1:], values[-1:], "o", color=CURRENT_COLOURS[k % 2])  # where this run is
    axes.xaxis.set_major_locator(MultipleLocator(2))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda year, _: f"{year:.0f}"))
    axes.set_title(panel_title(panel, lang), fontsize=11)
    axes.set_ylabel(unit_label(panel.unit, lang))
    axes.yaxis.set_major_formatter(FuncFormatter(_thousands))
    axes.set_ylim(bottom=min(0.0, axes.get_ylim()[0]))
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8, loc="best")
    return figure
