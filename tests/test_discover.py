"""`ruralsim discover`: spec checks, PRIM and CART on conditions with a known answer, a small real run resumed."""

import numpy as np
import pandas as pd
import pytest

from sim.experiments import discover as disc
from sim.ui.cli import main

SPEC = {
    "name": "tiny_discovery",
    "run": {"scale": 0.01, "years": 2, "replicates": 1, "seed": 5},
    "uncertainties": {"shocks.illness_monthly_per_person": {"low": 0.001, "high": 0.008},
                      "income.farm_growth_per_year": {"low": 0.0, "high": 0.08}},
    "outcome": {"indicator": "returns_to_poverty_households", "reduce": "sum", "threshold": 1.0e9},
    "method": {"samples": 12, "mass_min": 0.1},
}


def _toml(data):
    import tomli_w

    return tomli_w.dumps(data)


@pytest.mark.parametrize("change, expected", [
    ({"uncertainties": {"shocks.nonsense": {"low": 0, "high": 1}}}, "key 'uncertainties.\"shocks.nonsense\"'"),
    ({"uncertainties": {"shocks.illness_monthly_per_person": {"low": 0.0, "high": 5.0}}},
     "shocks.illness_monthly_per_person"),
    ({"uncertainties": {}}, "key 'uncertainties': missing or empty"),
    ({"outcome": {"indicator": "joy", "threshold": 1.0}}, "key 'outcome.indicator': unknown indicator 'joy'"),
    ({"outcome": {"indicator": "returns_to_poverty_households"}}, "key 'outcome.threshold': missing"),
    ({"method": {"samples": 2}}, "method.samples"),
])
def test_bad_specs_exit_2_with_one_line(change, expected, tmp_path, capsys):
    path = tmp_path / "bad.toml"
    path.write_text(_toml({**SPEC, **change}), encoding="utf-8")
    assert main(["discover", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and str(path) in err and expected in err, err
    assert not (tmp_path / "out").exists()


def test_prim_and_cart_find_a_planted_box():
    problem = disc.load(SPEC, "s.toml")
    rng = np.random.default_rng(1)
    n = 400
    cases = pd.DataFrame({"point": range(n),
                          "shocks.illness_monthly_per_person": rng.uniform(0.001, 0.008, n),
                          "income.farm_growth_per_year": rng.uniform(0.0, 0.08, n)})
    cases["case"] = (cases["shocks.illness_monthly_per_person"] > 0.006) & (cases["income.farm_growth_per_year"] < 0.04)
    trajectory, chosen, lims, init = disc.run_prim(problem, cases)
    limits = disc._restricted(lims, init)
    row = trajectory.loc[chosen]
    assert row["density"] >= 0.8 and row["coverage"] >= 0.7
    assert limits["shocks.illness_monthly_per_person"][0] == pytest.approx(0.006, abs=0.0005)
    assert 0.038 <= limits["income.farm_growth_per_year"][1] <= 0.055  # the widest box at density >= 0.8
    words = disc.sentence(problem, limits, row["coverage"], row["density"])
    assert "illness monthly per person > 0.00" in words and "per person per month" in words
    assert "farm growth per year < " in words and "%" in words  # rates a year in percent
    assert words.startswith("returns to poverty households (sum) exceed 1,000,000,000 when ")
    leaves = disc.run_cart(problem, cases)
    assert leaves and leaves[0]["density"] > 0.9 and leaves[0]["coverage"] > 0.7


def test_discover_runs_resumes_and_reanalyses_without_running_again(tmp_path):
    from distributed import Client, LocalCluster

    out = tmp_path / "d"
    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0") as cluster, \
            Client(cluster) as client:
        first = disc.discover(SPEC, out=out, client=client)
        assert "no box" in first["sentences"][0]  # a threshold above every outcome: no case of interest
        cases = first["cases"]
        assert len(cases) == 12
        middle = float(np.median(cases["outcome"]))
        spec = {**SPEC, "outcome": {**SPEC["outcome"], "threshold": middle}}
        second = disc.discover(spec, out=out, client=client)  # same runs (the threshold is analysis only)
    assert second["cases"]["outcome"].equals(cases["outcome"])
    boxes = pd.read_csv(out / "boxes.csv")
    prim = boxes[boxes["method"] == "prim"]
    assert len(prim) >= 1 and prim["coverage"].between(0, 1).all() and prim["density"].between(0, 1).all()
    assert (out / "prim_trajectory.png").exists() and (out / "prim_box.png").exists()
    assert "coverage" in (out / "discovery.md").read_text()
    import json

    assert json.loads((out / "manifest.json").read_text())["sessions"][-1]["to_run"] == 0
