"""`ruralsim optimize`: spec checks (exit 2, one line), the Pareto front, resuming, the written scenario files."""

import json

import numpy as np
import pandas as pd
import pytest

from sim.ui.cli import main
from sim.core.errors import InputError
from sim.experiments.optimize_report import pareto_mask

SPEC = {
    "name": "tiny",
    "run": {"scale": 0.01, "years": 1, "replicates": 2, "seed": 11},
    "levers": {"workshops.sites_multiplier": {"low": 0.5, "high": 2.5},
               "insurance.poverty_medical_assistance_rate": {"low": 0.1, "high": 0.4},
               "workshops.after_transition": ["maintain", "end"]},
    "objectives": [{"indicator": "returns_to_poverty_households", "reduce": "sum", "direction": "minimize"},
                   {"indicator": "cost_budget_yuan", "reduce": "sum", "direction": "minimize"}],
    "budget": {"county_yuan_per_year": 8.0e7},
    "search": {"trials": 4, "population": 4, "seed": 3},
    "recheck": {"points": 1, "replicates": 2},
}


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster

    cluster = LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=":0")
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


def _toml(data: dict) -> str:
    import tomli_w

    return tomli_w.dumps(data)


@pytest.mark.parametrize("change, expected", [
    ({"levers": {"workshops.nonsense": {"low": 0, "high": 1}}},
     "key 'levers.\"workshops.nonsense\"': unknown parameter; allowed in [workshops]:"),
    ({"levers": {"workshops.sites_multiplier": {"low": 0.5, "high": 99.0}}}, "workshops.sites_multiplier"),
    ({"levers": {"workshops.after_transition": ["maintain", "forever"]}}, "workshops.after_transition"),
    ({"levers": {"workshops.after_transition": {"low": 0, "high": 1}}}, "a range needs a numeric parameter"),
    ({"objectives": [{"indicator": "happiness"}]}, "key 'objectives.0.indicator': unknown indicator 'happiness'"),
    ({"objectives": [{"indicator": "returns_to_poverty_households", "direction": "up"}]}, "objectives.0.direction"),
    ({"budget": {}}, "key 'constraints.budget': true, but neither the base scenario nor the spec's [budget]"),
    ({"budget": {"county_yuan_per_year": -3.0}}, "budget.county_yuan_per_year"),
    ({"search": {"trials": 4, "population": 8}}, "key 'search.population'"),
    ({"colour": "red"}, "key 'colour': unknown key; allowed keys: name, description, base"),
])
def test_bad_specs_exit_2_with_one_line(change, expected, tmp_path, capsys):
    spec = {**SPEC, **change}
    path = tmp_path / "bad.toml"
    path.write_text(_toml(spec), encoding="utf-8")
    code = main(["optimize", str(path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    assert err.count("\n") == 0 and str(path) in err and expected in err, err
    assert not (tmp_path / "out").exists()  # checked before anything is written


def test_pareto_mask_keeps_exactly_the_non_dominated_points():
    rng = np.random.default_rng(0)
    for directions in (["minimize", "minimize"], ["minimize", "maximize", "minimize"]):
        values = rng.integers(0, 6, size=(40, len(directions))).astype(float)
        mask = pareto_mask(values, directions)
        signed = values * np.array([1 if d == "minimize" else -1 for d in directions])

        def dominates(a, b):
            return np.all(a <= b) and np.any(a < b)

        for i in range(len(values)):
            dominated = any(dominates(signed[j], signed[i]) for j in range(len(values)) if j != i)
            assert mask[i] == (not dominated)


def test_optimize_resume_pareto_files_and_recheck(client, tmp_path):
    import optuna

    from sim.experiments import optimize as opt
    from sim.experiments.optimize_spec import load
    from sim.core.scenario import load_scenario

    out = tmp_path / "study"
    problem = load(SPEC, "tiny.toml")
    first = opt.optimize(problem, out=out, client=client, trials=4, report=False)
    assert first["trials"] == 4 and first["resumed"] == 0

    # a session killed mid-generation leaves asked trials RUNNING: the next session runs them first
    study = opt.open_study(out, problem)
    orphan = study.ask()
    opt.suggest(orphan, problem)
    again = opt.optimize(problem, out=out, client=client, trials=8)
    assert again["resumed"] == 4 and again["trials"] == 8
    states = [t.state for t in opt.open_study(out, problem).get_trials(deepcopy=False)]
    assert states.count(optuna.trial.TrialState.COMPLETE) == 8 and optuna.trial.TrialState.RUNNING not in states

    trials = pd.read_csv(out / "trials.csv")
    assert len(trials) == 8
    names = ["returns_to_poverty_households_sum", "cost_budget_yuan_sum"]
    feasible = trials[trials["feasible"]]
    front = trials[trials["pareto"]]
    assert len(front) >= 1 and front["feasible"].all()
    for row in front.itertuples():  # no feasible trial dominates a Pareto point
        x = np.array([getattr(row, n) for n in names])
        others = feasible[names].to_numpy()
        assert not np.any(np.all(others <= x, axis=1) & np.any(others < x, axis=1))
    assert (trials["budget_excess"] <= 0).equals(trials["feasible"])

    # every Pareto point is a scenario file that loads, and re-running it on the same seeds gives its scores
    points = sorted((out / "pareto").glob("point-*.toml"))
    assert {int(p.stem.split("-")[1]) for p in points} == set(front["trial"])
    row = front.iloc[0]
    scenario = load_scenario(out / "pareto" / f"point-{row['trial']}.toml")
    assert scenario.workshops.sites_multiplier == pytest.approx(row["workshops.sites_multiplier"])
    from sim import run

    result = run(scenario)
    table = opt.annual_table_from_result(result)
    values = opt.objective_values(table, problem)
    assert values["returns_to_poverty_households_sum"].mean() == pytest.approx(row[names[0]], rel=1e-9)
    assert values["cost_budget_yuan_sum"].mean() == pytest.approx(row[names[1]], rel=1e-9)

    checked = pd.read_csv(out / "recheck.csv")
    assert set(checked["objective"]) == set(names) and (checked["replicates"] == 2).all()
    assert (checked["diff_low"] <= checked["diff"]).all() and (checked["diff"] <= checked["diff_high"]).all()
    assert (out / "pareto.png").stat().st_size > 0 and (out / "recheck" / "comparison.parquet").exists()
    baseline = json.loads((out / "baseline.json").read_text())
    assert set(baseline["objectives"]) == set(names)


def test_a_different_spec_in_the_same_directory_is_refused(client, tmp_path):
    from sim.experiments import optimize as opt
    from sim.experiments.optimize_spec import load

    out = tmp_path / "study"
    opt.optimize(load(SPEC, "tiny.toml"), out=out, client=client, trials=2, report=False)
    other = {**SPEC, "levers": {"workshops.sites_multiplier": {"low": 0.5, "high": 1.5}}}
    with pytest.raises(InputError, match="holds an optimisation of a different spec"):
        opt.optimize(load(other, "other.toml"), out=out, client=client, trials=2, report=False)
    (out / "my_notes.csv").write_text("mine", encoding="utf-8")  # a file of the user's in the store
    with pytest.raises(InputError, match="holds files ruralsim optimize did not write"):
        opt.optimize(load(SPEC, "tiny.toml"), out=out, client=client, trials=2, report=False)
    assert (out / "my_notes.csv").read_text() == "mine"


def test_out_holding_someone_elses_files_is_refused(tmp_path, capsys):
    path = tmp_path / "spec.toml"
    path.write_text(_toml(SPEC), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["optimize", str(path), "--out", str(out), "--workers", "1"]) == 2
    assert "not a ruralsim optimize store" in capsys.readouterr().err
    assert (out / "notes.txt").read_text() == "mine"
