"""Issue 17: real counties (seeds/counties.toml), results by county, maps, and Chinese beside English."""

import re
import socket
import warnings

import numpy as np
import pandas as pd
import pytest

from sim import RuralModel
from sim.core import counties as county_table
from sim.core.regions import get_region
from sim.core.scenario import default_scenario, with_overrides
from sim.dynamics.by_county import BY_COUNTY
from sim.experiments.results import indicator_catalogue
from sim.ui import i18n
from sim.ui.cli import main
from sim.ui.dashboard import page
from sim.ui.dashboard.levers import LEVERS, model_params
from sim.ui.region_table import DOC, document, region_frame

CJK = re.compile(r"[\u4e00-\u9fff]")
XINZHOU_CODES = {"140902", "140921", "140922", "140923", "140924", "140925", "140926", "140927", "140928", "140929",
                 "140930", "140931", "140932", "140981"}


def _by_county_model(years=1, scale=0.02, seed=7, by="county"):
    scenario = with_overrides(default_scenario(), {"run.by": by, "run.scale": scale, "run.years": years})
    return RuralModel(scenario=scenario, seed=seed).run()


# --- the county table --------------------------------------------------------------------------------

def test_xinzhou_has_its_14_real_counties_matched_to_the_model_units():
    named = county_table.counties("xinzhou")
    assert {c.code for c in named} == XINZHOU_CODES
    assert all(CJK.search(c.name_zh) and c.pinyin and c.name_en for c in named)
    assert county_table.check_matches_model(get_region("xinzhou")) == []
    assert sum(c.poverty_county == "national" for c in named) == 11  # 11 national + 1 provincial (public reports)
    assert sum(c.exit_year == 2018 for c in named) == 6  # seed 002: six counties out by 2019
    for c in named:  # every figure labelled
        assert set(c.sources) == {"poverty_county", "exit_year", "class_2021"}
        assert all(s.startswith(("public:", "seed ", "derived:", "assumption:")) for s in c.sources.values())


@pytest.mark.parametrize("region", ["xinzhou", "rucheng", "shanxi"])
def test_county_totals_match_the_seed_figures(region):
    profile = get_region(region)
    total = region_frame(region).iloc[-1]
    assert total["code"] == "total"
    assert total["villages"] == profile.villages.value  # 2,672 for Xinzhou (seed 000)
    assert total["registered_poor"] == pytest.approx(profile.lifted_out_persons.value)  # 467,400 (seed 002)
    assert total["rural_persons"] == profile.rural_persons.value


def test_region_table_prints_the_counties_with_sources_in_both_languages(capsys):
    assert main(["region", "xinzhou", "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "忻府区" in out and "合计" in out and "467,400" in out and "2,672" in out and "public:" in out
    assert main(["region", "xinzhou"]) == 0
    assert "Kelan" in capsys.readouterr().out
    assert main(["region", "nowhere"]) == 2


def test_docs_regions_page_is_current():
    assert DOC.read_text(encoding="utf-8") == document(), "run: python -m sim.ui.region_table --write"


# --- results by county -------------------------------------------------------------------------------

def test_by_county_changes_no_result_and_its_counts_add_up_to_the_region():
    plain, by_county = _by_county_model(by="class"), _by_county_model(by="county")
    np.testing.assert_array_equal(plain.recorder.values, by_county.recorder.values)
    frame = by_county.indicators()
    codes = set(county_table.group_labels("xinzhou", 14))
    assert codes == XINZHOU_CODES and codes <= set(frame["group"])
    assert not (set(plain.indicators()["group"]) & codes)
    for name in BY_COUNTY:
        rows = frame[frame["indicator"] == name]
        if indicator_catalogue()[name].kind == "ratio":
            continue
        region = rows[rows["group"] == "all"].set_index("month")["value"]
        summed = rows[rows["group"].isin(codes)].groupby("month")["value"].sum()
        np.testing.assert_allclose(summed.loc[region.index], region, rtol=1e-9, err_msg=name)
    assert frame.loc[frame["indicator"] == "persons_below_monitoring_line", "value"].sum() > 0


def test_regions_without_named_counties_get_placeholder_groups():
    assert county_table.group_labels("shanxi", 117)[:2] == ["shanxi-001", "shanxi-002"]
    assert county_table.group_labels("rucheng", 1) == ["431026"]


# --- languages -----------------------------------------------------------------------------------------

def test_every_indicator_has_english_and_chinese():
    for name, info in indicator_catalogue().items():
        assert i18n.indicator_label(name, "en"), name
        assert CJK.search(i18n.indicator_label(name, "zh") or ""), f"{name}: no Chinese label in sim/ui/i18n.py"
        assert i18n.unit_label(info.unit, "zh") != info.unit or not info.unit.isascii(), info.unit


def test_every_parameter_has_a_chinese_name():
    from sim.core.params import describe
    from sim.core.scenario import SECTIONS

    for section, model in SECTIONS.items():
        if section == "expect":
            continue
        for row in describe(model):
            dotted = f"{section}.{row['name']}"
            assert CJK.search(i18n.parameter_zh(dotted) or ""), f"{dotted}: no Chinese name in sim/ui/i18n_params.py"
            assert i18n.parameter_label(dotted, "en") == dotted


def test_every_dashboard_control_has_english_and_chinese():
    controls = {lever.keyword: lever.label for lever in LEVERS}
    controls.update({k: v["label"] for k, v in model_params().items() if isinstance(v, dict)})
    controls.update({"advance_month": page.ADVANCE_MONTH, "advance_year": page.ADVANCE_YEAR,
                     "run_to_end": page.RUN_TO_END, "restart": page.RESTART})
    for lever in LEVERS:
        controls.update({v: v for v in lever.control.get("values", [])})
    for key, english in controls.items():
        assert english and i18n.control_label(key, english, "en") == english
        assert CJK.search(i18n.control_label(key, english, "zh")), f"dashboard control {key}: no Chinese label"


def test_every_dashboard_panel_has_a_chinese_title_and_labels():
    from sim.ui.dashboard.plots import PANELS, panel_title

    for panel in PANELS:
        assert CJK.search(panel_title(panel, "zh")) and panel_title(panel, "en") == panel.title
        assert all(i18n.indicator_zh(n) for n in panel.indicators), panel.indicators
        assert CJK.search(i18n.unit_label(panel.unit, "zh")), panel.unit


def test_policy_terms_are_the_documents_terms():
    words = " ".join([*i18n.INDICATORS_ZH.values(), *i18n.CONTROLS_ZH.values(), *i18n.SECTIONS_ZH.values(),
                      *i18n.INCOME_SOURCES_ZH.values()])
    for term in ("监测对象", "防止返贫动态监测", "过渡期", "光伏收益", "就业帮扶车间", "公益岗位", "低保", "特困供养"):
        assert term in words, term


def test_a_bad_language_stops_with_one_line(capsys):
    assert main(["region", "xinzhou", "--lang", "fr"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


# --- maps and the CJK font -------------------------------------------------------------------------------

def _synthetic_county_rows() -> pd.DataFrame:
    months = pd.date_range("2021-01-01", periods=12, freq="MS")
    rows = []
    for k, code in enumerate(sorted(XINZHOU_CODES)):
        for name, value in (("persons", 100_000.0 + k), ("persons_below_monitoring_line", 5_000.0 + 100 * k)):
            rows += [{"replicate": 0, "month": m, "indicator": name, "group": code, "value": value} for m in months]
    return pd.DataFrame(rows)


def test_maps_draw_from_the_packaged_boundaries_and_font_without_network(monkeypatch, tmp_path):
    from sim.ui import fonts
    from sim.ui.plots import language, maps

    def no_network(*args, **kwargs):
        raise AssertionError("a map or font tried to use the network")

    monkeypatch.setattr(socket, "socket", no_network)
    maps.boundary.cache_clear()
    assert fonts.cjk_font_path().is_file()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a warning: fail on it
        with language("zh"):
            fig = maps.county_maps_figure(_synthetic_county_rows(), region="xinzhou",
                                          names=["persons_below_monitoring_line"])
            fig.savefig(tmp_path / "map.png")
    ax = fig.axes[0]
    assert len(ax.patches) == 14
    assert "监测线以下人口" in ax.get_title()
    assert {t.get_text().split("\n")[0] for t in ax.texts} == {c.name_zh for c in county_table.counties("xinzhou")}
    assert (tmp_path / "map.png").stat().st_size > 10_000
    values = maps.county_values(_synthetic_county_rows(), "persons_below_monitoring_line")
    assert values["140902"] == pytest.approx(1000 * 5_000.0 / 100_000.0)  # per 1,000 rural people


# --- the real counties drive Xinzhou's population (issue 17, part B) -----------------------------------

def test_xinzhou_counties_get_their_real_size_registered_poor_and_exit_year():
    named = county_table.counties("xinzhou")
    units = county_table.model_units(get_region("xinzhou"), 2.5)
    rural = np.array([c.rural_residents_2016 for c in named])
    np.testing.assert_allclose(units["persons"] / units["persons"].sum(), rural / rural.sum(), atol=1e-6)
    rate = units["registered_poor"] / units["persons"]
    status = np.array([c.poverty_county for c in named])
    assert rate[status == "national"].min() > rate[status == "provincial"].max() > rate[status == "none"].max()
    assert 0.15 < units["registered_poor"].sum() / units["persons"].sum() < 0.25  # 19.81% region-wide (seed 002)


def test_transition_windows_follow_each_countys_real_exit_year():
    model = RuralModel(seed=1, scale=0.01, years=1)
    transition = next(c for c in model.components if c.name == "transition")
    window = transition.params.window_years + transition.params.extension_years
    for c in county_table.counties("xinzhou"):
        assert model.counties.poverty_exit_year[c.model_unit] == c.exit_year
        exit_year = c.exit_year or 2019  # non-poverty counties follow the latest exit
        assert transition.last_month[c.model_unit] == (exit_year + window) * 12 + 11, c.code
