"""The Solara page: Mesa's SolaraViz with the levers as model parameters, indicator panels and tables.

SolaraViz supplies the sidebar (Reset / Play / Step, the controls built from `model_params`) and
re-creates the model from the controls on Reset. The indicator panels are our own matplotlib
components rather than mesa's `make_plot_component`, because each draws the baseline to the horizon
beside this run, with dates, units and planners' titles. Tables are plain Vuetify elements (no
Markdown, whose template loads extra JavaScript).
"""

import io
import os
import warnings

import ipywidgets
import solara

# mesa 3.3.1's ComponentsView trips Solara's rules-of-hooks check when it is imported; harmless
warnings.filterwarnings("ignore", message=r".*ComponentsView: `use_state` found despite early return")
from mesa.visualization import SolaraViz  # noqa: E402
from mesa.visualization.utils import update_counter  # noqa: E402

from . import REGION_ENV, SCALE_ENV  # noqa: E402
from .levers import model_params, settings_rows  # noqa: E402
from .model import DashboardModel  # noqa: E402
from .plots import PANELS, Panel, panel_figure  # noqa: E402

TITLE = "ruralsim: rural revitalisation policy dashboard"

# Mesa's sliders put a long label beside a short track and show no value: label above, value always
# shown; a tall table scrolls inside its grid cell instead of running under the next one.
CSS = """
.vue-grid-item { overflow-y: auto; }
.ruralsim-table th, .ruralsim-table td { font-size: 12px !important; padding: 0 6px !important; }
.ruralsim-table td:last-child { overflow-wrap: anywhere; }
.v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-input__slider .v-input__slot > .v-label { flex: 1 0 100%; max-width: 100%; margin-bottom: 30px; }
.v-input__slider .v-slider__thumb-label-container { display: block !important; }
"""


def _format(value) -> str:
    if isinstance(value, float):
        if value != value:
            return "-"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:,.3g}"
    return str(value)


def _table(header: list[str], rows: list[list], *, bold_rows: set[int] = frozenset(), testid: str = ""):
    def cells(tag, values, bold=False):
        style = "font-weight: bold" if bold else ""
        return [solara.v.Html(tag=tag, style_=style, children=[_format(v)]) for v in values]

    return solara.v.SimpleTable(dense=True, class_="ruralsim-table", attributes={"data-testid": testid}, children=[
        solara.v.Html(tag="thead", children=[solara.v.Html(tag="tr", children=cells("th", header))]),
        solara.v.Html(tag="tbody", children=[solara.v.Html(tag="tr", children=cells("td", row, k in bold_rows))
                                             for k, row in enumerate(rows)]),
    ])


@solara.component
def IndicatorPlot(model: DashboardModel, panel: Panel):
    """One panel as a PNG, redrawn only when the model (Reset) or its month (Step) changes."""
    update_counter.get()

    def draw() -> bytes:
        buffer = io.BytesIO()
        panel_figure(panel, current=model.current(), baseline=model.baseline).savefig(buffer, format="png")
        return buffer.getvalue()

    png = solara.use_memo(draw, [model, model.month_index])
    return ipywidgets.Image.element(value=png, format="png")


@solara.component
def IndicatorsNow(model: DashboardModel):
    """This run against the baseline in the last simulated month: the numbers behind the panels."""
    update_counter.get()
    current, baseline = model.current(), model.baseline
    months = len(current.months)
    with solara.Column(gap="4px") as main:
        if not months:
            solara.Text("This run against the baseline: no month simulated yet; press Step or ▶.")
            return main
        solara.Text(f"This run against the baseline, {current.months[-1]:%B %Y} ({model.region.title}; "
                    f"scale {model.scale:g}, seed {model.seed})")
        rows = []
        for panel in PANELS:
            for label, name in zip(panel.table_labels, panel.indicators):
                now, base = panel.series(current, name)[-1], panel.series(baseline, name)[months - 1]
                rows.append([label, float(now), float(base), float(now - base)])
        _table(["indicator", "this run", "baseline", "difference"], rows, testid="indicators-now")
    return main


@solara.component
def SettingsAgainstBaseline(model: DashboardModel):
    """The levers of the run shown against the baseline; changed ones in bold."""
    update_counter.get()
    rows = settings_rows(model.lever_values)
    changed = {k for k, row in enumerate(rows) if row["changed"]}
    with solara.Column(gap="4px") as main:
        solara.Text(f"Levers of this run against the baseline: {len(changed)} changed (bold). "
                    "Moved controls apply on Reset.")
        _table(["lever", "baseline", "this run", "scenario parameter(s)"],
               [[r["lever"], r["baseline"], r["this_run"], r["parameters"]] for r in rows],
               bold_rows=changed, testid="settings")
    return main


def _plot(panel: Panel):
    return lambda model: IndicatorPlot(model, panel)


COMPONENTS = [_plot(PANELS[0]), _plot(PANELS[1]), IndicatorsNow, SettingsAgainstBaseline,
              *(_plot(p) for p in PANELS[2:])]


@solara.component
def DashboardPage(model: solara.Reactive, params: dict):
    """SolaraViz on a given reactive model (tests pass their own and read it back)."""
    with solara.Column() as main:
        solara.Style(CSS)
        SolaraViz(model, components=[(component, 0) for component in COMPONENTS],
                  model_params=params, name=TITLE, play_interval=50)
    return main


def _configured_params() -> dict:
    scale = os.environ.get(SCALE_ENV)
    return model_params(region=os.environ.get(REGION_ENV, "xinzhou"), scale=float(scale) if scale else None)


@solara.component
def Page():
    """One model per browser session, from `ruralsim dashboard`'s region and scale."""
    params = solara.use_memo(_configured_params, [])
    start = solara.use_memo(lambda: DashboardModel(**{k: v["value"] if isinstance(v, dict) else v
                                                      for k, v in params.items()}), [])
    model = solara.use_reactive(start)
    return DashboardPage(model, params)
