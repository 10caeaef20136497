"""Sensitivity analysis: Sobol and Morris indices recover known functions from replicate means, and
`ruralsim sensitivity` runs a small design on Dask and writes a ranked table and a figure."""

import logging

import numpy as np
import pandas as pd
import pytest

from sim.experiments import sensitivity
from sim.ui.cli import main
from sim.experiments.sweep_plan import plan

A, B, C = "labour.migrant_job_finding_monthly", "labour.local_job_finding_monthly", "shocks.illness_monthly_per_person"

SPEC = f"""
name = "sens_test"
[run]
scale = 0.006
years = 1
replicates = {{replicates}}
seed = 5
[parameters]
"{A}" = {{{{ low = 0.0, high = 1.0 }}}}
"{B}" = {{{{ low = 0.0, high = 1.0 }}}}
"{C}" = {{{{ low = 0.0, high = 0.1 }}}}
[output]
indicators = ["returns_to_poverty_households", "persons_below_poverty_line"]
reduce = "horizon"
[sensitivity]
method = "{{method}}"
samples = {{samples}}
outcomes = ["returns_to_poverty_households"]
"""


def make_plan(tmp_path, method="sobol", samples=256, replicates=3):
    path = tmp_path / "sens.toml"
    path.write_text(SPEC.format(method=method, samples=samples, replicates=replicates))
    return plan(path, "sensitivity")


def fake_results(p, f) -> pd.DataFrame:
    """Tidy sweep rows with value = f(a, b, c) + the replicate's luck (shared by all points: CRN)."""
    runs = p.runs
    luck = np.array([50.0, -20.0, 7.0, 3.0])[runs["replicate"].to_numpy()]
    value = f(runs[A].to_numpy(), runs[B].to_numpy(), runs[C].to_numpy() * 10) + luck
    return runs.assign(indicator="returns_to_poverty_households", group="all", period="horizon", value=value)


def test_sobol_indices_of_a_known_function(tmp_path):
    p = make_plan(tmp_path)
    assert len(p.design) == 256 * (3 + 2)
    # Var(4a) = 16/12, Var(b^2) = 4/45, c has no effect: S1 = ST = 0.9375, 0.0625, 0
    table = sensitivity.analyse(p, fake_results(p, lambda a, b, c: 4 * a + b ** 2 + 0 * c))
    table = table.set_index("parameter")
    assert list(table.index) == [A, B, C] and list(table["rank"]) == [1, 2, 3]
    assert table.loc[A, "S1"] == pytest.approx(0.9375, abs=0.08)
    assert table.loc[A, "ST"] == pytest.approx(0.9375, abs=0.08)
    assert table.loc[B, "ST"] == pytest.approx(0.0625, abs=0.03)
    assert abs(table.loc[C, "ST"]) < 1e-9 and abs(table.loc[C, "S1"]) < 1e-9
    assert (table[["S1_conf", "ST_conf"]] >= 0).all().all()
    assert set(table["period"]) == {"horizon"} and set(table["group"]) == {"all"}


def test_morris_screening_of_a_known_function(tmp_path):
    p = make_plan(tmp_path, method="morris", samples=20)
    assert len(p.design) == 20 * (3 + 1)
    table = sensitivity.analyse(p, fake_results(p, lambda a, b, c: 4 * a - 2 * b + 0 * c)).set_index("parameter")
    assert list(table.index) == [A, B, C]
    # elementary effects per move of Delta = 2/3 of the range: 4 * 2/3 / (2/3) = 4
    assert table.loc[A, "mu_star"] == pytest.approx(4.0, rel=1e-6)
    assert table.loc[B, "mu"] == pytest.approx(-2.0, rel=1e-6)
    assert table.loc[C, "mu_star"] == 0


def test_missing_points_are_reported(tmp_path):
    p = make_plan(tmp_path, samples=8, replicates=1)
    results = fake_results(p, lambda a, b, c: a)
    with pytest.raises(sensitivity.IncompleteSweep, match="1 design point"):
        sensitivity.analyse(p, results[results["point"] != 3])


def test_sensitivity_end_to_end_on_dask(tmp_path, capsys):
    from distributed import Client, LocalCluster

    p = make_plan(tmp_path, samples=4, replicates=2)
    out = tmp_path / "out"
    cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=False, silence_logs=logging.CRITICAL,
                           dashboard_address=":0", scheduler_kwargs={"dashboard": False})
    client = Client(cluster)
    try:
        result = sensitivity.run_sensitivity(tmp_path / "sens.toml", client, out=out)
        code = main(["sensitivity", str(tmp_path / "sens.toml"), "--out", str(out),
                     "--scheduler", cluster.scheduler_address])  # everything done: analyses only
    finally:
        client.close()
        cluster.close()
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert len(result.results["run_id"].unique()) == len(p.runs) == 4 * 5 * 2
    # common random numbers: every design point of replicate r ran with the same seed
    assert (result.results.groupby("replicate")["seed"].nunique() == 1).all()
    table = result.table
    assert list(table["parameter"].iloc[:3].sort_values()) == sorted([A, B, C])
    assert set(table["indicator"]) == {"returns_to_poverty_households"}
    assert {"ST", "ST_conf", "S1", "S1_conf", "rank", "outcome_mean"} <= set(table.columns)
    assert (out / "sensitivity.csv").exists() and (out / "sensitivity.png").stat().st_size > 10_000
    assert "returns_to_poverty_households (all, horizon)" in captured.out and A in captured.out
    assert pd.read_csv(out / "sensitivity.csv").shape[0] == 3
