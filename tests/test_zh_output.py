"""`--lang zh` leaves no English where a planner reads: terminal tables and every figure text of a tiny
`ruralsim run` and `ruralsim compare` (scale 0.01), with no missing-glyph warning.

The rule: after removing what is typed by the user or names a file (scenario file names, the output
directory and the output files), no run of two or more ASCII letters may remain, except option names
written as options (`--scale`). Numbers, signs, brackets, `%` and one-letter number suffixes
(`2k`, `1e6`) are allowed: they read the same in both languages. A new English string in these
outputs, or a new indicator, unit or cost reading without its Chinese, fails here. Figure titles join
their parts with full-width punctuation (：，), not an ASCII colon or comma beside Chinese.
"""

import re
import warnings

import matplotlib.figure
import pytest

from sim.experiments.compare import cost_reading
from sim.ui import i18n
from sim.ui.cli import main

SCENARIOS = ("scenarios/baseline.toml", "scenarios/pv_more_to_households.toml", "scenarios/monitoring_off.toml")
ENGLISH_WORD = re.compile(r"(?<!-)(?<![-\w])[A-Za-z]{2,}")
CJK = re.compile(r"[\u4e00-\u9fff]")
ASCII_JOIN = re.compile(r"[\u4e00-\u9fff][:,] |[:,] [\u4e00-\u9fff]")
ALLOWED_OPTIONS = re.compile(r"--[a-z][a-z-]*")


def english_left(text: str, allowed: list[str]) -> list[str]:
    for word in sorted(allowed, key=len, reverse=True):
        text = text.replace(word, " ")
    return ENGLISH_WORD.findall(ALLOWED_OPTIONS.sub(" ", text))


@pytest.fixture
def figure_texts(monkeypatch):
    """Every text of every figure saved while the test runs (titles, axis labels, ticks, legends, notes)."""
    texts, save = [], matplotlib.figure.Figure.savefig

    def recording_save(fig, *args, **kwargs):
        fig.canvas.draw()  # tick labels exist only once drawn
        texts.extend(t.get_text() for t in fig.findobj(matplotlib.text.Text) if t.get_visible())
        return save(fig, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", recording_save)
    return texts


def _run_without_glyph_warnings(argv: list[str]) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(argv) == 0
    glyphs = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert not glyphs, glyphs[:3]


def test_compare_in_chinese_has_no_english_words(tmp_path, capsys, figure_texts):
    out = tmp_path / "cmp"
    _run_without_glyph_warnings(["compare", *SCENARIOS, "--lang", "zh", "--scale", "0.01", "--replicates", "2",
                                 "--years", "2", "--by", "county", "--out", str(out)])
    printed = capsys.readouterr().out
    names = [p.split("/")[-1][:-5] for p in SCENARIOS]
    files = [p.name for p in out.iterdir()]
    assert "difference_maps_1.png" in files  # the maps were drawn, so checked
    assert "情景预期" in printed and "财政支出变化" in printed
    assert english_left(printed, [str(out), *names, *files]) == []
    assert figure_texts and english_left("\n".join(figure_texts), names) == []
    assert not [t for t in figure_texts if ASCII_JOIN.search(t)]


def test_run_in_chinese_has_no_english_words(tmp_path, capsys, figure_texts):
    out = tmp_path / "run"
    _run_without_glyph_warnings(["run", SCENARIOS[0], "--lang", "zh", "--scale", "0.01", "--replicates", "2",
                                 "--years", "1", "--out", str(out)])
    printed = capsys.readouterr().out
    files = [p.name for p in out.iterdir()]
    assert english_left(printed, [str(out), "baseline", *files]) == []
    assert figure_texts and english_left("\n".join(figure_texts), ["baseline"]) == []
    assert not [t for t in figure_texts if ASCII_JOIN.search(t)]


def test_every_cost_reading_has_chinese():
    """cost_reading's every branch: a new reading in compare.py without Chinese fails here, not on a planner."""
    for d_cost in (-1.0, 0.0, 1.0):
        for d_returns, low, high in ((-1.0, -2.0, -0.5), (1.0, 0.5, 2.0), (0.0, -1.0, 1.0)):
            reading, _ = cost_reading(d_cost, d_returns, low, high)
            assert CJK.search(i18n.compare_sentence(reading, "zh")), reading


def test_the_rule_catches_english():
    assert english_left("情景预期 fiscal costs", []) == ["fiscal", "costs"]
    assert english_left("决策请用全样本（--scale 1）；2k，1e6", []) == []


def test_budget_lines_in_chinese(small_run):
    """The [budget] line `run` and `compare` print, with an envelope every year exceeds (1 yuan)."""
    from sim.core import budget
    from sim.core.scenario import validate

    envelope = validate({"budget": {"county_yuan_per_year": 1.0, "county_levers": ["pv", "workshops"]}}).budget
    english, = budget.summary_lines(small_run, budget=envelope)
    chinese, = budget.summary_lines(small_run, budget=envelope, lang="zh")
    assert english.startswith("budget (baseline): county levers (") and "OVER it in" in english
    assert "县级政策" in chinese and "光伏收益分配" in chinese and "年超出" in chinese
    assert english_left(chinese, ["baseline"]) == []
