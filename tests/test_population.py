import numpy as np
import pytest

from sim.core import population
from sim.core.households import Employment
from sim.core.regions import COUNTY_CLASSES, get_region
from sim.core.scenario import default_scenario


def build(region="xinzhou", scale=0.05, seed=1):
    return population.build(get_region(region), default_scenario(), scale=scale, rng=np.random.default_rng(seed))


def test_xinzhou_profile_matches_the_seeds():
    r = get_region("xinzhou")
    assert r.rural_persons.value == pytest.approx(467_400 / 0.1981, abs=1)
    assert r.villages.value == 2672
    assert r.n_counties == 14
    assert r.lifted_out_persons.value == 467_400


def test_shanxi_and_rucheng_profiles():
    shanxi = get_region("shanxi")
    assert [shanxi.counties_by_class[c].value for c in COUNTY_CLASSES] == [31, 40, 46]
    assert sum(f.value for f in shanxi.poverty_counties_by_class.values()) == 58
    assert get_region("rucheng").villages.value == 217


def test_every_region_figure_has_a_source():
    for name in ("xinzhou", "shanxi", "rucheng"):
        for key, fig in get_region(name).figures().items():
            assert fig.source.startswith(("seed", "assumption", "public", "derived")), (name, key)


@pytest.mark.parametrize("region", ["xinzhou", "shanxi", "rucheng"])
def test_population_reproduces_the_region(region):
    scale = 0.002 if region == "shanxi" else 0.05
    pop = build(region, scale=scale)
    r = get_region(region)
    hh = pop.households
    assert len(pop.villages) == r.villages.value
    assert len(pop.counties) == r.n_counties
    persons = (hh.size * hh.weight).sum(dtype=np.float64)
    assert persons == pytest.approx(r.rural_persons.value, rel=1e-4)
    lifted_persons = (hh.size * hh.weight * hh.lifted_out).sum(dtype=np.float64)
    assert lifted_persons == pytest.approx(r.lifted_out_persons.value, rel=0.08)
    assert np.all(np.diff(hh.village) >= 0), "households sorted by village"
    assert np.all(np.diff(pop.labourers.household) >= 0), "labourers sorted by household"
    assert np.all(np.diff(hh.county_class) >= 0), "households sorted by county class"


def test_labour_slots_are_consistent():
    pop = build()
    hh, lab = pop.households, pop.labourers
    counts = np.bincount(lab.household, minlength=len(hh))
    assert np.array_equal(counts, hh.labour_slots)
    assert np.all(hh.n_labourers + hh.n_elderly <= hh.size)
    # every labourer is active at the start; spare (inactive) slots follow them, at most one per child
    active = lab.state != Employment.INACTIVE
    assert np.array_equal(np.bincount(lab.household[active], minlength=len(hh)), hh.n_labourers)
    assert np.all(hh.labour_slots <= hh.n_labourers + hh.n_children)
    position = np.arange(len(lab)) - hh.first_labourer[lab.household]
    assert np.array_equal(active, position < hh.n_labourers[lab.household])
    assert np.all(lab.household[hh.first_labourer[hh.labour_slots > 0]] == np.flatnonzero(hh.labour_slots > 0))


def test_region_income_level_is_hit():
    """The builder scales farm and wage levels to the region's 2020 per-capita income."""
    from sim import RuralModel

    m = RuralModel(seed=3, scale=0.05, years=1, **{"run.start_month": "2020-12"})
    m.step()
    value = m.latest("income_per_capita_mean_yuan")  # the 12 months of 2020
    assert value == pytest.approx(get_region("xinzhou").income_per_capita_2020_yuan.value, rel=0.05)


def test_lifted_out_households_are_poorer():
    pop = build()
    hh = pop.households
    per_capita_farm = hh.farm_income_annual_yuan / hh.size
    assert per_capita_farm[hh.lifted_out].mean() < per_capita_farm[~hh.lifted_out].mean()
