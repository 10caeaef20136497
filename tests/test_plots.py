"""Every plotting function returns a Figure whose panels have titles and unit labels (synthetic data; fast)."""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from sim.ui import plots

MONTHS = pd.date_range("2021-01-01", periods=36, freq="MS")
PV = list(plots.PV_FLOWS) + ["public_welfare_posts"]
UNITS = ("persons", "households", "yuan", "ratio", "share", "posts", "index")


def tidy(scenario: str = "baseline", replicates: int = 3, shift: float = 0.0) -> pd.DataFrame:
    rng = np.random.default_rng(len(scenario))
    rows = []
    names = list(plots.KEY_INDICATORS) + PV
    for r in range(replicates):
        for g, level in (("all", 1.0), ("demonstration", 0.2), ("steady", 0.3), ("key", 0.5)):
            for name in names:
                base = 0.96 if name == "poverty_county_income_ratio" else 1e5 * level
                values = base * (1 + shift + 0.05 * rng.standard_normal(len(MONTHS)))
                rows.append(pd.DataFrame({"scenario": scenario, "replicate": r, "seed": r, "month": MONTHS,
                                          "indicator": name, "group": g, "value": values}))
    return pd.concat(rows, ignore_index=True)


@pytest.fixture(scope="module")
def base():
    return tidy()


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def check(fig, *, units=True) -> None:
    """A Figure; every visible panel titled; y (or x) labels name a unit; a figure title."""
    assert isinstance(fig, Figure)
    assert fig.get_suptitle()
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"]
    assert axes
    for ax in axes:
        assert ax.get_title(), "panel without a title"
        if units:
            label = (ax.get_ylabel() + " " + ax.get_xlabel()).lower()
            assert any(u in label for u in UNITS) or "÷" in label or "(" in label, f"no unit in {label!r}"


def test_fan_chart_and_grids(base):
    fig = plots.fan_chart(base, "persons_below_poverty_line")
    assert isinstance(fig, Figure) and fig.axes[0].get_ylabel() == "persons"
    fig = plots.fan_chart(base, "returns_to_poverty_households", annual=True)
    assert fig.axes[0].get_ylabel() == "households per year"
    check(plots.key_indicators_figure(base))
    check(plots.by_class_figure(base, annual=True))


def test_year_ticks_on_time_axes(base):
    fig = plots.fan_chart(base, "persons_below_poverty_line")
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
    assert labels and all(len(t) == 4 and t.startswith("20") for t in labels)


def test_scenarios_figure_accepts_tables_and_lists(base):
    alt = tidy("more_workshops", shift=-0.1)
    fig = plots.scenarios_figure([base, alt], annual=True)
    check(fig)
    assert len(fig.legends) == 1 and len(fig.legends[0].get_texts()) == 2
    check(plots.scenarios_figure(pd.concat([base, alt]), names=["persons_below_poverty_line"], group="key"))


def test_paired_difference_figures(base):
    alt = tidy("more_workshops", shift=-0.1)
    check(plots.difference_over_time_figure(base, [alt]))
    rows = [{"scenario": "more_workshops", "indicator": n, "group": "all", "period": "horizon", "base": 100.0,
             "alternative": 90.0, "diff": -10.0, "diff_low": -12.0, "diff_high": -8.0}
            for n in plots.KEY_INDICATORS]
    check(plots.comparison_figure(pd.DataFrame(rows)), units=False)


def test_pv_flows_figure(base):
    fig = plots.pv_flows_figure(base)
    check(fig)
    top = fig.axes[0]
    assert top.get_ylabel() == "million yuan per year"
    assert len(top.get_legend().get_texts()) == 5
    assert [t.get_text() for t in fig.axes[1].get_xticklabels()] == ["2021", "2022", "2023"]


def test_targets_figure_with_a_synthetic_table():
    table = pd.DataFrame({
        "target": ["a", "b", "c", "d"], "label": ["PV revenue 2024", "New monitored 2024", "Ratio 2020", "Share"],
        "observed": [591e6, 3741, 0.745, 0.6], "simulated": [415e6, 60000, 0.96, 0.61],
        "low": [410e6, 58000, 0.95, 0.6], "high": [420e6, 62000, 0.97, 0.62], "tolerance": [0.05, 0.05, np.nan, 0.05],
        "tolerance_kind": ["relative", "relative", "relative", "absolute"],
        "unit": ["yuan", "households", "ratio", "share"]})
    fig = plots.targets_figure(table)
    check(fig)
    ax = fig.axes[0]
    assert sorted(t.get_text() for t in ax.get_yticklabels()) == sorted(table["label"])
    assert "simulated ÷ observed" in ax.get_xlabel()


def sweep_results(sampled: bool) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    points = 24 if sampled else 6
    for point in range(points):
        rate = rng.uniform(0.4, 0.8) if sampled else [0.5, 0.6, 0.7][point % 3]
        enabled = bool(point // 3 % 2) if not sampled else bool(point % 2)
        for r in range(3):
            for name in ("persons_below_poverty_line", "returns_to_poverty_households"):
                rows.append({"run_id": point * 3 + r, "point": point, "replicate": r, "seed": r,
                             "monitoring.enabled": enabled, "insurance.medical_reimbursement_rate": rate,
                             "indicator": name, "group": "all", "period": "horizon",
                             "value": 1e5 * (1.5 - rate) * (0.5 if enabled else 1) + rng.normal(0, 2e3)})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("sampled", [False, True])
def test_sweep_response_figure(sampled):
    results = sweep_results(sampled)
    x, hue = "insurance.medical_reimbursement_rate", "monitoring.enabled"
    fig = plots.sweep_response_figure(results, "persons_below_poverty_line", x, hue=hue)
    check(fig)
    assert fig.axes[0].get_xlabel() == "insurance.medical_reimbursement_rate (share of cost)"
    fig = plots.sweep_response_figure(results, ["persons_below_poverty_line", "returns_to_poverty_households"], hue)
    check(fig)
    assert fig.axes[1].get_ylabel() == "households over the horizon"


@pytest.mark.parametrize("method", ["sobol", "morris"])
def test_sensitivity_figure(method):
    rows = []
    for k, p in enumerate(["pv.household_share_of_village_funds", "workshops.sites_multiplier"]):
        row = {"indicator": "returns_to_poverty_households", "group": "all", "period": "horizon",
               "outcome_mean": 1.0, "outcome_sd": 0.1, "rank": k + 1, "parameter": p}
        row.update({"ST": 0.6 / (k + 1), "ST_conf": 0.05, "S1": 0.5 / (k + 1), "S1_conf": 0.05} if method == "sobol"
                   else {"mu_star": 100.0 / (k + 1), "mu_star_conf": 10.0, "mu": 90.0, "sigma": 5.0})
        rows.append(row)
    fig = plots.sensitivity_figure(pd.DataFrame(rows))
    check(fig, units=False)
    assert ("Sobol" if method == "sobol" else "mu*") in fig.axes[0].get_xlabel()


def test_figures_from_a_real_run(small_run):
    for fig in (plots.pv_flows_figure(small_run.indicators), plots.scenarios_figure(small_run),
                plots.key_indicators_figure(small_run.indicators, annual=True)):
        check(fig)


def test_sweep_directory_gets_one_response_figure_per_parameter(tmp_path):
    """What `ruralsim sweep` writes beside its dataset (sim.ui.outputs.write_sweep_figures)."""
    import json

    from sim.ui.outputs import write_sweep_figures

    (tmp_path / "results").mkdir()
    sweep_results(sampled=False).to_parquet(tmp_path / "results" / "part-00000.parquet", index=False)
    parameters = ["monitoring.enabled", "insurance.medical_reimbursement_rate"]
    (tmp_path / "manifest.json").write_text(json.dumps({
        "name": "tiny", "design": {"parameters": parameters},
        "spec": {"output": {"indicators": ["persons_below_poverty_line", "returns_to_poverty_households"],
                            "groups": ["all"]}}}))
    files = write_sweep_figures(tmp_path)
    assert [p.name for p in files] == [f"response_{p}.png" for p in parameters]
    assert all(p.stat().st_size > 10_000 for p in files)


def test_targets_figure_reads_the_calibration_table_with_a_posterior():
    """sim.experiments.calibration.target_table's column names, and posterior predictive intervals."""
    table = pd.DataFrame({"target": ["xinzhou_pv_revenue_2024", "rucheng_share"], "observed": [591e6, 0.6],
                          "simulated_mean": [580e6, 0.62], "simulated_p05": [570e6, 0.6],
                          "simulated_p95": [590e6, 0.64], "error_kind": ["relative", "absolute"],
                          "tolerance": [0.05, 0.05], "posterior_mean": [585e6, 0.61],
                          "posterior_p05": [560e6, 0.55], "posterior_p95": [600e6, 0.66]})
    fig = plots.targets_figure(table)
    check(fig)
    assert "posterior predictive" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    with pytest.raises(ValueError, match="missing columns"):
        plots.targets_figure(table.drop(columns=["simulated_mean"]))


def test_county_class_lines_differ_in_style_so_none_hides_another(base):
    fig = plots.by_class_figure(base)
    lines = [l for l in fig.axes[0].get_lines() if l.get_label() in ("demonstration", "steady", "key")]
    assert len(lines) == 3
    styles = {(l.get_linestyle(), l.get_marker()) for l in lines}
    assert len(styles) == 3, "two classes drawn alike would hide each other where they coincide"


def test_comparison_figure_draws_visible_interval_bars_and_their_numbers():
    rows = [{"scenario": "s", "indicator": n, "group": "all", "period": "horizon", "base": 100.0,
             "alternative": 99.9, "diff": -0.1, "diff_low": -0.15, "diff_high": -0.05} for n in plots.KEY_INDICATORS]
    rows[0].update(diff=-30.0, diff_low=-40.0, diff_high=-20.0)
    fig = plots.comparison_figure(pd.DataFrame(rows))
    ax = fig.axes[0]
    caps = [l for l in ax.get_lines() if l.get_marker() == "|"]
    assert len(caps) >= 2 * len(plots.KEY_INDICATORS), "every interval has caps, even a narrow one"
    texts = [t.get_text() for t in ax.texts]
    assert "-30% [-40, -20]" in texts and "-0.1% [-0.15, -0.05]" in texts


def test_scenarios_png_shows_the_paired_difference_per_year():
    rows = [{"scenario": s, "indicator": n, "group": "all", "period": str(y), "diff": d, "diff_low": d - 1,
             "diff_high": d + 1} for s, d in (("a", -5.0), ("b", 3.0)) for n in plots.KEY_INDICATORS
            for y in (2021, 2022)]
    fig = plots.paired_difference_figure(pd.DataFrame(rows))
    check(fig)
    ax = fig.axes[0]
    assert "scenario − baseline" in ax.get_title()
    xs = [tuple(c.get_xdata()) for c in ax.get_lines() if len(c.get_xdata()) == 2 and c.get_linestyle() == "-"]
    assert len(set(xs)) >= 2, "the scenarios are offset so neither hides the other"
    fig.canvas.draw()
    assert {"2021", "2022"} <= {t.get_text() for t in ax.get_xticklabels()}
