"""Household microdata (sim/experiments/microdata.py): one row per simulated household in chosen months, consistent with the
indicators, written by `ruralsim run --microdata`."""

import numpy as np
import pandas as pd
import pytest

import sim
from sim.ui.cli import main
from sim.core.errors import InputError
from sim.dynamics.income_sources import CATEGORIES


@pytest.fixture(scope="module")
def result():
    return sim.run(None, replicates=2, scale=0.01, years=2, seed=13, microdata=["2021-06", "end"])


def test_one_row_per_household_per_replicate_in_the_months_asked_for(result):
    assert sorted(result.microdata) == ["2021-06", "2022-12"]
    households = result.households(month="2022-12")
    assert set(households["replicate"]) == {0, 1}
    one = result.households(month="2022-12", replicate=1)
    assert one["household"].is_unique and len(one) == (households["replicate"] == 1).sum()
    for column in ("weight", "village", "county", "county_class", "lifted_out", "income_12m_yuan",
                   "labourers_workshop", "monitoring_category", "social_assistance"):
        assert column in households.columns, column
    assert result.households().equals(households)  # default: the last month kept


def test_microdata_agree_with_the_indicators(result):
    """Weighted sums of the microdata are the tidy table's region-wide values for the same month."""
    frame = result.indicators
    month = pd.Timestamp("2022-12-01")
    value = frame[(frame.month == month) & (frame.group == "all") & (frame.replicate == 0)] \
        .set_index("indicator")["value"]
    h = result.households("2022-12", replicate=0)
    w = h["weight"]
    assert (w * h["size"]).sum() == pytest.approx(value["persons"], rel=1e-9)
    assert (w * h["lifted_out"]).sum() == pytest.approx(value["lifted_out_households"], rel=1e-9)
    assert (w * (h["monitoring_category"] != "none")).sum() == pytest.approx(value["monitored_households"], rel=1e-9)
    assert (w * h["labourers_workshop"]).sum() == pytest.approx(value["workshop_jobs"], rel=1e-6)
    persons = (w * h["size"]).sum()
    for cat in CATEGORIES:
        per_capita = (w * h[f"income_{cat}_yuan"]).sum() / persons
        assert per_capita == pytest.approx(value[f"income_{cat}_per_capita_yuan"], rel=1e-4, abs=1e-6), cat


def test_asking_for_a_month_not_kept_or_outside_the_horizon_is_a_clear_error(result):
    with pytest.raises(InputError, match=r"no microdata kept for it; kept: 2021-06, 2022-12"):
        result.households(month="2022-01")
    with pytest.raises(InputError, match="outside the horizon"):
        sim.run(None, scale=0.01, years=1, microdata="2024-01")
    with pytest.raises(InputError, match="no household microdata kept"):
        sim.run(None, scale=0.01, years=1).households()


def test_run_microdata_writes_parquet_for_the_chosen_months(tmp_path, capsys):
    out = tmp_path / "out"
    code = main(["run", "--scale", "0.01", "--years", "1", "--microdata", "2021-03", "--microdata", "end",
                 "--out", str(out), "--quiet"])
    assert code == 0, capsys.readouterr().err
    march = pd.read_parquet(out / "households_2021-03.parquet")
    assert len(march) > 1000 and np.isclose(march["weight"].iloc[0], 100, rtol=0.05)
    assert (out / "households_2021-12.parquet").exists()
    assert main(["run", "--microdata", "2021-13", "--out", str(tmp_path / "bad"), "--quiet"]) == 2
    assert "not a month" in capsys.readouterr().err
