"""The dashboard's map panel: this run's latest month by county, on the packaged boundaries.

The dashboard's model records by county (`[run] by = "county"`, which changes no result), so the map
needs no second run: people below the monitoring line per 1,000 rural people in each county, in the
last simulated month, drawn offline like the `run` maps (sim/ui/plots/maps.py). Regions without named
counties (Shanxi) get no map. A plain Figure (no pyplot), as Solara draws from worker threads.
"""

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ...core.counties import counties
from ...dynamics.by_county import BY_COUNTY
from ..i18n import indicator_label, term
from ..plots.maps import draw_map
from ..plots.style import language

MAP_INDICATOR = "persons_below_monitoring_line"


def has_map(model) -> bool:
    return model.county_panel is not None and bool(counties(model.region.name))


def county_values(model, name: str = MAP_INDICATOR) -> pd.Series:
    """Per county in the last simulated month: `name` per 1,000 rural people (NaN before the first month)."""
    panel, month = model.county_panel, max(model.month_index, 0) - 1
    if month < 0:
        return pd.Series(np.nan, index=panel.labels)
    values = panel.values[month, BY_COUNTY.index(name)] / panel.values[month, BY_COUNTY.index("persons")] * 1000
    return pd.Series(values, index=panel.labels)


def map_figure(model, lang: str = "en") -> Figure:
    """The map panel as a Figure about 500 x 360 pixels."""
    with language(lang):
        figure = Figure(figsize=(5.0, 3.6), dpi=100)
        axes = figure.subplots()
        last = model.absolute_month - 1  # the last simulated month
        when = f"{last // 12}-{last % 12 + 1:02d}" if model.month_index > 0 else term("no_data", lang)
        title = f"{indicator_label(MAP_INDICATOR, lang)}{term('comma', lang)}{term('by_county', lang)}"
        draw_map(axes, county_values(model), region=model.region.name, unit=term("per_1000", lang),
                 title=f"{title}（{when}）" if lang == "zh" else f"{title} ({when})")
    return figure
