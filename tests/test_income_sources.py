"""Income by source (sim/dynamics/income_sources.py): the categories add up to the 12-month income, counts of lifted-out
households and persons, every source classified, the composition figure in run's outputs."""

import numpy as np
import pandas as pd
import pytest

import sim
from sim import RuralModel
from sim.dynamics.income_sources import CATEGORIES, category_of_source, indicator_name
from sim.experiments.results import annual, indicator_catalogue


@pytest.fixture(scope="module")
def model():
    # 2020 warm-up, then 2021-2022: the categories of 2022 should add up to December 2022's 12-month income
    return RuralModel(seed=4, scale=0.01, years=2).run()


def _yearly_sum(frame, name, year):
    rows = frame[(frame.indicator == name) & (frame.month.dt.year == year)]
    return rows.groupby("group")["value"].sum()


def _december(frame, name, year):
    rows = frame[(frame.indicator == name) & (frame.month == pd.Timestamp(f"{year}-12-01"))]
    return rows.set_index("group")["value"]


@pytest.mark.parametrize("lifted_out", [False, True])
def test_the_sources_of_a_year_add_up_to_its_12_month_income_per_person(model, lifted_out):
    frame = model.indicators()
    total = sum(_yearly_sum(frame, indicator_name(c, lifted_out), 2022) for c in CATEGORIES)
    mean = _december(frame, "income_per_capita_mean_lifted_out_yuan" if lifted_out else
                     "income_per_capita_mean_yuan", 2022)
    pd.testing.assert_series_equal(total.sort_index(), mean.sort_index(), check_names=False, rtol=1e-4)
    assert len(total) >= 2  # all and the county classes


def test_lifted_out_counts_are_the_weighted_households_and_people(model):
    hh = model.households
    frame = model.indicators()
    last = frame[(frame.month == frame.month.max()) & (frame.group == "all")].set_index("indicator")["value"]
    weight = hh.weight.astype(np.float64)
    assert last["lifted_out_households"] == pytest.approx((weight * hh.lifted_out).sum(), rel=1e-9)
    assert last["lifted_out_persons"] == pytest.approx((weight * hh.size * hh.lifted_out).sum(), rel=1e-9)
    assert 0 < last["lifted_out_persons"] < last["persons"]


def test_every_registered_income_source_has_one_category(model):
    assert set(model.households.income.terms) <= set(category_of_source())
    assert set(category_of_source().values()) <= set(CATEGORIES)
    declared = [s for c in model.components for s in c.income_sources]
    assert len(declared) == len(set(declared))  # each source declared by one component


def test_indicators_carry_unit_and_kind_and_sources_respond_to_their_lever():
    catalogue = indicator_catalogue()
    for cat in CATEGORIES:
        for lifted in (False, True):
            info = catalogue[indicator_name(cat, lifted)]
            assert (info.unit, info.kind) == ("yuan per person", "flow")
    kw = dict(replicates=1, scale=0.01, years=1, seed=9)
    base = sim.run(None, **kw)
    double = sim.run(None, overrides={"workshops.sites_multiplier": 2.0}, **kw)
    off = sim.run(None, overrides={"workshops.enabled": False}, **kw)

    def year(result, name):
        a = annual(result.indicators)
        return a[(a.indicator == name) & (a.group == "all")]["value"].sum()

    name = indicator_name("wages_workshop")
    assert year(off, name) == 0 < year(base, name) < year(double, name)
    assert year(base, indicator_name("wages_workshop", True)) > year(base, name)  # lifted-out people come first


def test_run_outputs_include_the_income_composition_figure(small_run, tmp_path):
    from sim.ui import outputs

    written = outputs.write_run(small_run, tmp_path)
    assert (tmp_path / "income_by_source.png").stat().st_size > 10_000
    assert "income_by_source.png" in [p.name for p in written]
