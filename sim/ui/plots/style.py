"""One style for every figure: colours, titles and units from the indicator catalogue, number formats,
the grid of panels. Importing it selects a file-only backend outside Jupyter."""


import contextlib
import sys

import matplotlib

if "ipykernel" not in sys.modules:  # files only (no GUI), except in Jupyter, where figures show inline
    matplotlib.use("Agg", force=False)
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker as mticker  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ...experiments.results import annual, indicator_catalogue  # noqa: E402

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


_LANG = {"lang": "en"}  # the language figures are drawn in (`language`)


@contextlib.contextmanager
def language(lang: str = "en"):
    """Figures drawn (and saved) inside use `lang` for indicator titles, units and group names, and for
    Chinese the packaged CJK font (sim/ui/fonts.py); English, the default, changes nothing."""
    from ..fonts import rc

    previous, _LANG["lang"] = _LANG["lang"], lang
    try:
        with matplotlib.rc_context(rc(lang)):
            yield
    finally:
        _LANG["lang"] = previous


def _title(name: str, lang: str | None = None) -> str:
    """persons_below_poverty_line -> Persons below poverty line (or its Chinese label: sim/ui/i18n.py)."""
    from ..i18n import indicator_label

    return indicator_label(name, lang or _LANG["lang"])


def _unit(indicator: str, period: str = "month") -> str:
    """Axis label: the catalogue unit, with 'per month' / 'per year' / 'over the horizon' for flows."""
    from ..i18n import term, unit_label

    info, lang = indicator_catalogue().get(indicator), _LANG["lang"]
    if info is None:
        return ""
    unit = unit_label(info.unit, lang)
    if info.kind != "flow":
        return unit
    return f"{unit} {term('horizon' if period == 'horizon' else 'per_' + period, lang)}"


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


def _grid(n: int, height: float = 3.1):
    rows = max((n + 1) // 2, 1)
    fig, axes = plt.subplots(rows, 2, figsize=(11, height * rows + 0.6), squeeze=False, layout="constrained")
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    return fig, axes


def _present(indicators: pd.DataFrame, names) -> list[str]:
    have = set(indicators["indicator"].astype(str))
    return [n for n in names if n in have]
