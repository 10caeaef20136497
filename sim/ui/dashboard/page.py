"""The Solara page: the levers in a sidebar, indicator panels and tables, in planners' words.

Our own page rather than Mesa's SolaraViz, whose sidebar speaks to modellers ("Play Interval (ms)",
"Render Interval (steps)", "Use Threads", "Step: 78", a "PAGE 0" tab). Here the controls say what they
do: advance the run by a month or a year, run it to the horizon, or restart it with the levers as set;
the run's position is a month ("simulated through March 2023, 27 of 120 months"). Each lever shows its
value and the baseline's exact value (a slider snaps to its step; the value shown is the one the run
uses). The indicator panels are matplotlib figures drawing the baseline to the horizon beside this run.
Tables are plain Vuetify elements (no Markdown, whose template loads extra JavaScript).
"""

import io
import os

import ipywidgets
import solara

from ..formatting import fmt
from ...core.regions import PROFILES
from . import REGION_ENV, SCALE_ENV
from ..i18n import LANGS, control_label, indicator_label, region_label, term, unit_label
from .levers import LEVERS, model_params, settings_rows
from .map_panel import has_map, map_figure
from .model import DashboardModel
from .plots import PANELS, Panel, panel_figure

ADVANCE_MONTH, ADVANCE_YEAR, RUN_TO_END, RESTART = ("Advance 1 month", "Advance 1 year", "Run to the end",
                                                    "Restart with these levers")

CSS = """
.ruralsim-table th, .ruralsim-table td { font-size: 12px !important; padding: 0 6px !important; }
.ruralsim-table td:last-child { overflow-wrap: anywhere; }
.ruralsim-lever { margin-bottom: 6px; }
.ruralsim-lever .v-input__slider { margin-top: 0; }
.ruralsim-note { font-size: 12px; color: #555; }
"""


def _format(value) -> str:
    return fmt(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def _table(header: list[str], rows: list[list], *, bold_rows: set[int] = frozenset(), testid: str = ""):
    def cells(tag, values, bold=False):
        style = "font-weight: bold" if bold else ""
        return [solara.v.Html(tag=tag, style_=style, children=[_format(v)]) for v in values]

    return solara.v.SimpleTable(dense=True, class_="ruralsim-table", attributes={"data-testid": testid}, children=[
        solara.v.Html(tag="thead", children=[solara.v.Html(tag="tr", children=cells("th", header))]),
        solara.v.Html(tag="tbody", children=[solara.v.Html(tag="tr", children=cells("td", row, k in bold_rows))
                                             for k, row in enumerate(rows)]),
    ])


def _text(text: str, testid: str, classes: str = "") -> None:
    """A line of text that a browser test can find by its test id."""
    solara.v.Html(tag="div", class_=classes, attributes={"data-testid": testid}, children=[text])


def status(model: DashboardModel, lang: str = "en") -> str:
    """Where the run is, as a month: 'simulated through March 2023 (27 of 120 months)'."""
    done, total = max(model.month_index, 0), model.n_months
    if not done:
        return term("not_started", lang, month=_month(model.scenario.run.start_month, lang))
    return term("simulated_through", lang, month=term("month", lang, month=model.current().months[-1]), done=done,
                total=total) + (term("horizon_end", lang) if done >= total else "")


def _month(yyyy_mm: str, lang: str = "en") -> str:
    import datetime

    return term("month", lang, month=datetime.date(int(yyyy_mm[:4]), int(yyyy_mm[5:7]), 1))


def _value(value, lang: str) -> str:
    """A lever's value as shown: a number, or a choice's word (maintain, taper, end) in `lang`."""
    return control_label(value, value, lang) if isinstance(value, str) else _format(value)


@solara.component
def IndicatorPlot(model: DashboardModel, panel: Panel, version: int, lang: str = "en"):
    """One panel as a PNG, redrawn only when the model (restart), its month (advance) or the language changes."""

    def draw() -> bytes:
        buffer = io.BytesIO()
        panel_figure(panel, current=model.current(), baseline=model.baseline, lang=lang).savefig(buffer, format="png")
        return buffer.getvalue()

    png = solara.use_memo(draw, [model, version, lang])
    return ipywidgets.Image.element(value=png, format="png")


@solara.component
def CountyMap(model: DashboardModel, version: int, lang: str = "en"):
    """This run's last month by county (sim/ui/dashboard/map_panel.py), as a PNG."""

    def draw() -> bytes:
        buffer = io.BytesIO()
        map_figure(model, lang).savefig(buffer, format="png")
        return buffer.getvalue()

    png = solara.use_memo(draw, [model, version, lang])
    with solara.Column(gap="0px") as main:
        solara.v.Html(tag="div", attributes={"data-testid": "county-map"},
                      children=[ipywidgets.Image.element(value=png, format="png")])
    return main


@solara.component
def IndicatorsNow(model: DashboardModel, version: int, lang: str = "en"):
    """This run against the baseline in the last simulated month: the numbers behind the panels."""
    current, baseline = model.current(), model.baseline
    months = len(current.months)
    with solara.Column(gap="4px") as main:
        if not months:
            solara.Text(term("now_none", lang, button=control_label("advance_month", ADVANCE_MONTH, lang)))
            return main
        solara.Text(term("now_head", lang, month=term("month", lang, month=current.months[-1]), seed=model.seed,
                         region=region_label(model.region.name, model.region.title, lang), scale=f"{model.scale:g}"))
        rows = []
        for panel in PANELS:
            for label, name in zip(panel.table_labels, panel.indicators):
                now, base = panel.series(current, name)[-1], panel.series(baseline, name)[months - 1]
                if lang == "zh":
                    label = f"{indicator_label(name, lang)}（{unit_label(panel.unit, lang)}）"
                rows.append([label, float(now), float(base), float(now - base)])
        _table([term(k, lang) for k in ("indicator", "this_run", "baseline", "difference_col")], rows,
               testid="indicators-now")
    return main


@solara.component
def SettingsAgainstBaseline(model: DashboardModel, lang: str = "en"):
    """The levers of the run shown against the baseline; changed ones in bold."""
    rows = settings_rows(model.lever_values, lang)
    changed = {k for k, row in enumerate(rows) if row["changed"]}
    with solara.Column(gap="4px") as main:
        solara.Text(term("levers_head", lang, n=len(changed), button=control_label("restart", RESTART, lang)))
        labels = {lever.label: control_label(lever.keyword, lever.label, lang) for lever in LEVERS}
        _table([term(k, lang) for k in ("lever", "baseline", "this_run", "scenario_parameters")],
               [[labels[r["lever"]], _value(r["baseline"], lang), _value(r["this_run"], lang), r["parameters"]]
                for r in rows],
               bold_rows=changed, testid="settings")
    return main


@solara.component
def LeverControl(lever, value: solara.Reactive, lang: str = "en"):
    """A lever: its label with the value the run will use and the baseline's exact value, then the control."""
    shown = lever.settle(value.value)
    label = control_label(lever.keyword, lever.label, lang)
    with solara.Column(gap="0px", classes=["ruralsim-lever"]) as main:
        if lever.control["type"] == "Select":
            solara.Select(label=label, values=lever.control["values"], value=value)
            solara.Text(term("baseline_value", lang, value=_value(lever.baseline, lang)), classes=["ruralsim-note"])
            return main
        same = term("same_as_baseline", lang) if shown == lever.baseline else \
            term("baseline_is", lang, value=_format(lever.baseline))
        _text(f"{label}: {_format(shown)} ({same})", f"lever-{lever.keyword}")
        slider = solara.SliderInt if lever.control["type"] == "SliderInt" else solara.SliderFloat
        slider(label="", value=value, min=lever.control["min"], max=lever.control["max"],
               step=lever.control["step"], thumb_label=False)
    return main


@solara.component
def DashboardPage(model: solara.Reactive, params: dict):
    """The whole page on a given reactive model (tests pass their own and read it back)."""
    version = solara.use_reactive(0)
    region = solara.use_reactive(model.value.region.name)
    lang = solara.use_reactive("en")  # English by default; the catalogue's Chinese (sim/ui/i18n.py) on demand
    levers = {lever.keyword: solara.use_reactive(model.value.lever_values[lever.keyword])  # noqa: SH103
              for lever in LEVERS}  # LEVERS is fixed: the hooks run in the same order on every render

    def advance(months: int) -> None:
        m = model.value
        for _ in range(max(0, min(months, m.n_months - max(m.month_index, 0)))):
            m.step()
        version.set(version.value + 1)

    def restart() -> None:
        scale = params.get("scale") if region.value == params["region"]["value"] else None
        model.set(DashboardModel(region=region.value, scale=scale, seed=params.get("seed"),
                                 **{k: lever.settle(levers[k].value) for k, lever in
                                    ((lv.keyword, lv) for lv in LEVERS)}))
        version.set(version.value + 1)

    def word(key: str, english: str) -> str:
        return control_label(key, english, lang.value)

    m = model.value
    at_end = max(m.month_index, 0) >= m.n_months
    with solara.Column() as main:
        solara.Style(CSS)
        solara.Title(term("dash_tab", lang.value))
        solara.AppBarTitle(term("dash_title", lang.value))
        with solara.Sidebar():
            with solara.Card(term("card_run", lang.value)):
                _text(status(m, lang.value), "status")
                with solara.Row(gap="6px", style={"flex-wrap": "wrap", "margin-top": "8px"}):
                    solara.Button(word("advance_month", ADVANCE_MONTH), on_click=lambda: advance(1), color="primary",
                                  disabled=at_end)
                    solara.Button(word("advance_year", ADVANCE_YEAR), on_click=lambda: advance(12), color="primary",
                                  disabled=at_end)
                    solara.Button(word("run_to_end", RUN_TO_END), on_click=lambda: advance(m.n_months),
                                  color="primary", disabled=at_end)
            with solara.Card(term("card_levers", lang.value)):
                solara.Text(term("levers_note", lang.value),
                            classes=["ruralsim-note"])
                solara.Select(label=word("region", "Region"), values=list(PROFILES), value=region)
                for lever in LEVERS:
                    LeverControl(lever, levers[lever.keyword], lang.value)
                solara.Button(word("restart", RESTART), on_click=restart, color="primary", style={"margin-top": "8px"})
            with solara.Card():
                solara.Select(label=word("language", "Language"), values=list(LANGS), value=lang)
        v = version.value
        with solara.Columns([1, 1]):
            IndicatorPlot(m, PANELS[0], v, lang.value)
            IndicatorPlot(m, PANELS[1], v, lang.value)
        with solara.Columns([1, 1]):
            IndicatorsNow(m, v, lang.value)
            SettingsAgainstBaseline(m, lang.value)
        for k in (2, 4):
            with solara.Columns([1, 1]):
                IndicatorPlot(m, PANELS[k], v, lang.value)
                IndicatorPlot(m, PANELS[k + 1], v, lang.value)
        if has_map(m):
            with solara.Columns([1, 1]):
                CountyMap(m, v, lang.value)
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
