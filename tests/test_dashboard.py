"""The planners' dashboard (`ruralsim dashboard`, sim/ui/dashboard/).

Three layers: the levers and the model behind the page (core dependencies only); the page rendered
headless with Solara (needs the [dashboard] extra); and the served page driven in Debian's Chromium
with Playwright (needs the extra, playwright and /usr/bin/chromium). What cannot run here skips with
the reason, never passes silently.
"""

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from sim.ui.dashboard.levers import LEVERS, LEVERS_BY_KEYWORD, baseline_levers, model_params, scenario_overrides
from sim.ui.dashboard.model import DashboardModel
from sim.core.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
EXTRA_MISSING = [m for m in ("solara", "solara_assets", "ipyvuetify", "altair", "networkx")
                 if importlib.util.find_spec(m) is None]
needs_extra = pytest.mark.skipif(bool(EXTRA_MISSING), reason=f"dashboard extra not installed (missing "
                                 f"{', '.join(EXTRA_MISSING)}): pip install -e '.[dashboard]'")
CHROMIUM = os.environ.get("RURALSIM_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
PV_SHARE_LABEL = "PV: share of village funds paid to households"


def start_values(params: dict) -> dict:
    """The keyword arguments SolaraViz's first model gets: control values and fixed parameters."""
    return {k: v["value"] if isinstance(v, dict) else v for k, v in params.items()}


# --- levers and model (no Solara) ---------------------------------------------------------------

def test_untouched_levers_run_exactly_the_baseline():
    assert scenario_overrides(baseline_levers()) == {}
    model = DashboardModel(**start_values(model_params()))
    for _ in range(3):
        model.step()
    current = model.current()
    assert len(current.months) == 3
    for name in ("persons_below_poverty_line", "monitored_households", "cost_total_yuan"):
        np.testing.assert_array_equal(current[name], model.baseline[name][:3])


def test_a_slider_rounding_the_baseline_to_its_step_still_means_the_baseline():
    share = LEVERS_BY_KEYWORD["pv_household_share"].baseline  # the slider's step is 0.01
    for shown in (share + 0.004, share + 0.005, share - 0.005):  # half a step away (0.545 shows as 0.55): a tie
        model = DashboardModel(scale=0.005, pv_household_share=shown)
        assert model.lever_values["pv_household_share"] == share
        assert scenario_overrides(model.lever_values) == {}
    moved = DashboardModel(scale=0.005, pv_household_share=share - 0.02)
    assert moved.scenario.pv.household_share_of_village_funds == pytest.approx(share - 0.02)


def test_levers_set_the_scenario_parameters_they_name():
    moved = {"after_transition": "end", "transition_extension_years": 2, "pv_household_share": 0.8,
             "pv_post_wage_yuan_per_month": 800, "workshop_sites_multiplier": 2.0,
             "workshop_subsidy_yuan_per_worker_year": 2500, "monitoring_detection_factor": 0.5}
    assert set(moved) == {lever.keyword for lever in LEVERS}
    model = DashboardModel(scale=0.005, **moved)
    scenario = model.scenario
    assert scenario.pv.after_transition == scenario.model_villages.after_transition == "end"
    assert scenario.monitoring.after_transition == "maintain"  # permanent mechanism
    assert scenario.transition.extension_years == 2
    assert scenario.pv.household_share_of_village_funds == 0.8
    assert scenario.pv.post_wage_yuan_per_month == 800
    assert scenario.workshops.sites_multiplier == 2.0
    assert scenario.workshops.subsidy_per_worker_year_yuan == 2500
    # half the baseline's detection: the same rates as scenarios/monitoring_weaker_detection.toml
    weaker = load_scenario(ROOT / "scenarios" / "monitoring_weaker_detection.toml").monitoring
    for channel in ("self_declaration_monthly", "cadre_visit_monthly", "data_screening_monthly"):
        assert getattr(scenario.monitoring, channel) * scenario.monitoring.detection_multiplier == pytest.approx(
            getattr(weaker, channel) * weaker.detection_multiplier)


def test_model_params_fit_the_model_and_regions_get_small_scales():
    params = model_params(region="rucheng")
    model = DashboardModel(**start_values(params))
    assert model.region.name == "rucheng" and model.scale == 0.15
    assert params["region"]["values"] == ["xinzhou", "shanxi", "rucheng"]
    for lever in LEVERS:
        assert params[lever.keyword]["value"] == lever.baseline


# --- the page, headless -----------------------------------------------------------------------

@needs_extra
def _all_widgets(widget):
    """A widget and everything inside it (`rc.find(cls)` alone stops at the first match, not its children)."""
    import ipywidgets

    yield widget
    children = getattr(widget, "children", None) or []
    for child in children if isinstance(children, (list, tuple)) else [children]:
        if isinstance(child, ipywidgets.Widget):
            yield from _all_widgets(child)


def _texts(widget) -> list[str]:
    """The words a widget shows: its text children and its label."""
    children = getattr(widget, "children", None)
    texts = [c for c in children if isinstance(c, str)] if isinstance(children, (list, tuple)) else []
    label = getattr(widget, "label", None)
    return texts + ([label] if isinstance(label, str) and label else [])


def test_page_renders_controls_and_plots_that_follow_the_model():
    import ipyvuetify as v
    import ipywidgets
    import solara

    from sim.ui.dashboard.page import ADVANCE_MONTH, RESTART, DashboardPage
    from sim.ui.formatting import fmt

    params = model_params()
    model = solara.reactive(DashboardModel(**start_values(params)))

    @solara.component
    def App():  # the sidebar needs an AppLayout around it, as the server provides
        with solara.AppLayout() as main:
            DashboardPage(model, params)
        return main

    _, rc = solara.render(App(), handle_error=False)
    selects = {s.widget.label: s.widget for s in rc.find(v.Select)}
    assert "Region" in selects
    labels = {lever.keyword: rc.find(v.Html, attributes={"data-testid": f"lever-{lever.keyword}"})
              for lever in LEVERS if lever.control["type"] != "Select"}
    sliders = {}
    for lever in LEVERS:
        if lever.control["type"] == "Select":
            assert lever.label in selects
            continue
        text = labels[lever.keyword].widget.children[0]
        assert text.startswith(lever.label) and "(the baseline)" in text
        assert f": {fmt(lever.baseline)} " in text, "the label shows the baseline's exact value"
    for slider in rc.find(v.Slider).widgets:
        sliders[len(sliders)] = slider
    assert len(sliders) == len([lever for lever in LEVERS if lever.control["type"] != "Select"])
    assert len(rc.find(ipywidgets.Image).widgets) == 7  # six panels and the map by county
    rc.find(v.Html, attributes={"data-testid": "county-map"}).assert_single()
    page_text = " ".join(str(w.children) for w in rc.find(v.Html).widgets)
    for modellers_words in ("Play Interval", "Render Interval", "Use Threads", "PAGE 0", "Step:"):
        assert modellers_words not in page_text

    def images():
        return [bytes(w.value) for w in rc.find(ipywidgets.Image).widgets]

    def click(label):
        rc.find(v.Btn, children=[label]).widget.click()

    def status():
        return rc.find(v.Html, attributes={"data-testid": "status"}).widget.children[0]

    assert status().startswith("Not started: the run begins in January 2021")
    before = images()
    click(ADVANCE_MONTH)
    assert model.value.month_index == 1
    assert status() == "Simulated through January 2021 (1 of 120 months)"
    assert images() != before, "the plots did not redraw after a step"
    untouched = images()

    pv_index = [lever.keyword for lever in LEVERS if lever.control["type"] != "Select"].index("pv_household_share")
    sliders[pv_index].v_model = 1.0
    assert labels["pv_household_share"].widget.children[0].startswith(f"{PV_SHARE_LABEL}: 1 (baseline")
    click(RESTART)
    assert model.value.lever_values["pv_household_share"] == 1.0
    assert model.value.scenario.pv.household_share_of_village_funds == 1.0
    assert model.value.month_index == 0
    click(ADVANCE_MONTH)
    assert images() != untouched, "moving a lever did not change the plots"
    # the settings table shows the moved lever in bold
    rc.find(v.Html, tag="td", children=[PV_SHARE_LABEL], style_="font-weight: bold").assert_single()
    current, baseline = model.value.current(), model.value.baseline
    assert current["persons_below_poverty_line"][0] != baseline["persons_below_poverty_line"][0]

    # the language setting: controls and panels in Chinese, from the one catalogue (sim/ui/i18n.py)
    english = images()
    selects = {s.widget.label: s.widget for s in rc.find(v.Select)}
    selects["Language"].v_model = "zh"
    rc.find(v.Btn, children=["前进1个月"]).assert_single()
    assert {s.widget.label for s in rc.find(v.Select)} >= {"地区", "语言", "过渡期结束后（有时限的帮扶政策）"}
    assert images() != english, "the panels were not redrawn in Chinese"
    rc.find(v.Html, tag="th", children=["本次运行"]).assert_not_empty()  # the tables' headers too
    # every word a planner reads is Chinese (the rule of tests/test_zh_output.py); allowed: the product's
    # name and the scenario parameters' codes in the settings table, which are what a scenario file says
    from sim.ui.dashboard.levers import compact_parameters
    from tests.test_zh_output import CJK, english_left

    assert CJK.search(status()) and "（共120个月，已完成1个月）" in status()
    words = [text for w in _all_widgets(rc.find(ipywidgets.Widget).widgets[0]) for text in _texts(w)]
    assert "本次运行" in words and len(words) > 50
    codes = [compact_parameters(lever.parameters) for lever in LEVERS] + ["ruralsim"]
    assert english_left("\n".join(words), codes) == []


# --- the served page in a real browser --------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("localhost", 0))
        return s.getsockname()[1]


def _wait_until_served(url: str, process, log: Path, timeout_seconds: float = 60) -> None:
    deadline = time.monotonic() + timeout_seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"ruralsim dashboard exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"ruralsim dashboard did not serve {url} within {timeout_seconds} s: {log.read_text()[-2000:]}")


@pytest.fixture
def served_dashboard(tmp_path):
    """`ruralsim dashboard` on a free port, run from an empty directory; its URL.

    Solara's CDN is pointed at a closed local port, so an asset missing from solara-assets would
    break the page instead of being fetched quietly by the server.
    """
    port = _free_port()
    log = tmp_path / "dashboard.log"
    env = {**os.environ, "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/no-cdn-offline/"}
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "sim", "dashboard", "--port", str(port)],
                                   cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://localhost:{port}/"
        _wait_until_served(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def chromium_page():
    """A Playwright page in Debian's Chromium (playwright cannot download browsers here)."""
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("playwright not installed: pip install -e '.[test]'")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install -y chromium, or set RURALSIM_CHROMIUM)")
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        except Error as exc:
            pytest.skip(f"cannot launch Chromium at {CHROMIUM}: {str(exc).splitlines()[0]}")
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.set_default_timeout(30_000)
        yield page
        browser.close()


@needs_extra
def test_browser_lever_and_step_change_the_plotted_indicator(served_dashboard, chromium_page, tmp_path):
    from playwright.sync_api import expect

    page, url = chromium_page, served_dashboard
    external = []

    def local_only(route):  # the page must work offline: no CDN, no telemetry
        if route.request.url.startswith(url):
            route.continue_()
        else:
            external.append(route.request.url)
            route.abort()

    page.route("**/*", local_only)
    page.goto(url)
    step = page.get_by_role("button", name="Advance 1 month")
    step.wait_for()
    status = page.get_by_test_id("status")
    poverty_row = page.get_by_test_id("indicators-now").locator("tr", has_text="Below the poverty line")
    first_plot = page.locator("img").first

    step.click()
    expect(status).to_have_text("Simulated through January 2021 (1 of 120 months)")
    poverty_row.wait_for()
    before = poverty_row.inner_text().split("\t")  # label, this run, baseline, difference
    assert before[1] == before[2] and before[3].strip() == "0", before
    plot_before = first_plot.get_attribute("src")

    slider = page.locator(".ruralsim-lever", has_text=PV_SHARE_LABEL).get_by_role("slider")
    slider.focus()
    slider.press("End")  # to the maximum: every PV yuan to households
    expect(page.get_by_test_id("lever-pv_household_share")).to_contain_text(": 1 (baseline")
    page.get_by_role("button", name="Restart with these levers").click()
    settings_row = page.get_by_test_id("settings").locator("tr", has_text=PV_SHARE_LABEL)
    expect(settings_row.locator("td").nth(2)).to_have_text("1")  # this run's value, beside the baseline's
    expect(status).to_contain_text("Not started")
    step.click()
    expect(status).to_have_text("Simulated through January 2021 (1 of 120 months)")
    page.wait_for_function("([img, src]) => img.getAttribute('src') !== src", arg=[first_plot.element_handle(),
                                                                                  plot_before])
    after = poverty_row.inner_text().split("\t")
    county_map = page.get_by_test_id("county-map").locator("img")
    expect(county_map).to_be_visible()  # the map by county, drawn from the packaged boundaries
    assert county_map.evaluate("img => img.naturalWidth") > 300
    page.screenshot(path=tmp_path / "dashboard.png", full_page=True)
    assert after[1] != after[2], f"the poverty count did not move with the lever: {after}"
    assert after[2] == before[2], "the baseline changed"
    assert external == [], f"the page fetched from outside: {external}"
    body = page.locator("body").inner_text()
    for modellers_words in ("Play Interval", "Render Interval", "Use Threads", "PAGE 0", "Step:"):
        assert modellers_words not in body


@needs_extra
def test_a_port_in_use_exits_2_with_one_line(capsys):
    from sim.ui.cli import main

    with socket.socket() as taken:
        taken.bind(("localhost", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["dashboard", "--port", str(port)])
    err = capsys.readouterr().err
    assert code == 2 and f"--port {port}: already in use" in err and err.count("\n") == 1


def test_a_dashboard_scale_below_the_floor_exits_2(capsys):
    from sim.ui.cli import main

    code = main(["dashboard", "--scale", "1e-6"])
    err = capsys.readouterr().err
    assert code == 2 and "smallest allowed scale" in err and err.count("\n") == 1


def test_the_two_pv_baselines_are_drawn_differently():
    from sim.ui.dashboard.plots import PANELS, panel_figure

    model = DashboardModel(scale=0.01, years=1)
    model.step()
    pv = next(p for p in PANELS if len(p.indicators) == 2)
    lines = panel_figure(pv, current=model.current(), baseline=model.baseline).axes[0].get_lines()
    baselines = [line for line in lines if line.get_label().startswith("baseline")]
    assert len(baselines) == 2
    assert baselines[0].get_color() != baselines[1].get_color()
    assert baselines[0].get_linestyle() != baselines[1].get_linestyle()


def test_every_panel_and_the_map_read_in_chinese():
    """The panels' and the map's titles, axes, ticks and legends in Chinese (rule of tests/test_zh_output.py)."""
    import matplotlib.text

    from sim.ui.dashboard.map_panel import map_figure
    from sim.ui.dashboard.plots import PANELS, panel_figure
    from tests.test_zh_output import english_left

    model = DashboardModel(scale=0.01, years=1)
    model.step()
    figures = [panel_figure(p, current=model.current(), baseline=model.baseline, lang="zh") for p in PANELS]
    texts = []
    for fig in [*figures, map_figure(model, "zh")]:
        fig.canvas.draw()
        texts += [t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_visible() and t.get_text()]
    assert any("光伏收益" in t for t in texts)
    assert english_left("\n".join(texts), []) == []
