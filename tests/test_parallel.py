"""Parallel replicates (sim/experiments/parallel.py): bit-identical to serial in `run`, `compare` and on the command line."""

from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.ui.cli import main
from sim.experiments.compare import compare
from sim.core.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
TINY = dict(replicates=3, scale=0.01, years=1, seed=21)


def test_two_workers_give_the_serial_results_bit_for_bit():
    serial = sim.run(None, workers=1, **TINY)
    parallel = sim.run(None, workers=2, **TINY)
    pd.testing.assert_frame_equal(serial.indicators, parallel.indicators, check_exact=True)
    assert serial.manifest["income_level_factor"] == parallel.manifest["income_level_factor"]
    assert parallel.manifest["workers"]["workers"] == 2


def test_compare_with_workers_matches_serial():
    kw = dict(replicates=2, scale=0.01, years=1, seed=5)
    alt = [ROOT / "scenarios" / "workshops_double.toml"]
    serial, parallel = compare(None, alt, **kw), compare(None, alt, workers=2, **kw)
    pd.testing.assert_frame_equal(serial.table, parallel.table, check_exact=True)


def test_the_command_line_writes_the_same_indicators_with_workers_2(tmp_path, capsys):
    common = ["run", "--scale", "0.01", "--years", "1", "--replicates", "2", "--seed", "8", "--quiet"]
    assert main([*common, "--workers", "1", "--out", str(tmp_path / "one")]) == 0
    assert main([*common, "--workers", "2", "--out", str(tmp_path / "two")]) == 0
    one = pd.read_parquet(tmp_path / "one" / "indicators.parquet")
    two = pd.read_parquet(tmp_path / "two" / "indicators.parquet")
    pd.testing.assert_frame_equal(one, two, check_exact=True)


@pytest.mark.parametrize("workers", [0, -2])
def test_bad_workers_exit_2_with_one_line(workers, tmp_path, capsys):
    assert main(["run", "--workers", str(workers), "--out", str(tmp_path / "o"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--workers" in err and "at least 1" in err
    with pytest.raises(InputError, match="--workers"):
        sim.run(None, workers=0, **TINY)


def test_a_dask_scheduler_gives_the_serial_results():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        on_cluster = sim.run(None, scheduler=cluster.scheduler_address, **TINY)
    pd.testing.assert_frame_equal(sim.run(None, **TINY).indicators, on_cluster.indicators, check_exact=True)
    assert on_cluster.manifest["workers"]["scheduler"].startswith(("tcp://", "inproc://"))
