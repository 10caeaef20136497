"""Cohort demography (sim/dynamics/demography.py, kernels/demography.py): consistency of ages and sizes, the yearly
rules on small hand-made households, reproducibility, and plausible paths for the labour force and rates."""

import numpy as np
import pytest

from sim import RuralModel, kernels
from sim.dynamics.demography import DemographyParams, birth_rate_index, death_chances, life_expectancy, lower_bounds, no_event
from sim.core.households import Employment

INACTIVE, IDLE = Employment.INACTIVE, Employment.NONE


def annual(model, names, how="last"):
    df = model.indicators()
    df = df[(df.group == "all") & df.indicator.isin(names)]
    df = df.assign(year=df.month.dt.year)
    grouped = df.groupby(["year", "indicator"]).value
    return (grouped.last() if how == "last" else grouped.sum()).unstack()


def check_consistent(model):
    hh, lab, p = model.households, model.labourers, model.scenario.demography
    age = hh.member_age_years
    present = age >= 0
    assert np.all(age[present] <= 127)
    active = lab.state != INACTIVE
    assert np.array_equal(np.bincount(lab.household[active], minlength=len(hh)), hh.n_labourers)
    elderly = (present & (age >= p.retirement_age_years)).sum(axis=1)
    unable = (present & (age >= p.adult_age_years) & (age < p.retirement_age_years)).sum(axis=1)
    children = (present & (age < p.adult_age_years)).sum(axis=1)
    assert np.array_equal(hh.n_elderly, elderly)
    assert np.array_equal(hh.n_unable_adults, unable)
    assert np.array_equal(hh.n_children, children)
    assert np.array_equal(hh.size, hh.n_labourers + hh.n_children + hh.n_unable_adults + hh.n_elderly)
    assert np.all(hh.size >= 1)
    assert np.all(hh.size <= age.shape[1])
    ages = lab.age_years[active]
    assert ages.min() >= p.early_entry_age_years and ages.max() < p.retirement_age_years


def test_build_gives_every_member_an_age():
    m = RuralModel(seed=4, scale=0.02, years=1)
    check_consistent(m)
    hh = m.households
    lab = m.labourers
    # spare slots at the start, at most one per child (the warm-up January may already have used some)
    assert np.all(hh.labour_slots >= hh.n_labourers)
    assert np.array_equal(np.bincount(lab.household, minlength=len(hh)), hh.labour_slots)


def test_ages_and_sizes_stay_consistent():
    m = RuralModel(seed=2, scale=0.02, years=4).run()
    check_consistent(m)
    counts = next(c for c in m.components if c.name == "demography").counts
    assert counts[kernels.demography.NO_SLOT] == 0  # every child has its slot within spare_slot_years


def test_same_seed_gives_the_same_population_and_a_lever_does_not_change_it():
    a = RuralModel(seed=9, scale=0.01, years=3).run()
    b = RuralModel(seed=9, scale=0.01, years=3).run()
    assert np.array_equal(a.households.member_age_years, b.households.member_age_years)
    assert np.array_equal(a.labourers.age_years, b.labourers.age_years)
    assert a.indicators().equals(b.indicators())
    c = RuralModel(seed=9, scale=0.01, years=3, **{"training.enabled": False}).run()  # common random numbers
    assert np.array_equal(a.households.member_age_years, c.households.member_age_years)
    assert np.array_equal(a.households.size, c.households.size)


def test_indicators_add_up():
    m = RuralModel(seed=3, scale=0.02, years=2).run()
    t = annual(m, ["persons", "persons_aged_0_15", "persons_aged_16_59", "persons_aged_60_plus", "labourers"])
    assert np.allclose(t.persons, t.persons_aged_0_15 + t.persons_aged_16_59 + t.persons_aged_60_plus)
    assert np.all(t.labourers < t.persons_aged_16_59)
    flows = m.indicators()
    flows = flows[flows.indicator.isin(["births", "deaths", "out_migrants"]) & (flows.group == "all")]
    assert np.all(flows[flows.month.dt.month != 1].value == 0)  # events fall in January
    assert np.all(flows[flows.month.dt.month == 1].value > 0)


def test_labour_force_and_vital_rates_are_plausible():
    """Labourers fall slowly (Shanxi's people aged 15-59: -1.25% a year 2021-2023), birth and death rates
    near Shanxi's (7.06 and 7.32 per 1,000 in 2021), ageing by about a point a year."""
    m = RuralModel(seed=1, scale=0.05).run()
    t = annual(m, ["persons", "labourers", "persons_aged_0_15", "persons_aged_60_plus"])
    f = annual(m, ["births", "deaths", "out_migrants"], how="sum")
    change = t.labourers.pct_change().dropna()
    assert change.between(-0.025, -0.003).all(), change
    assert -0.02 <= (t.labourers.iloc[-1] / t.labourers.iloc[0]) ** (1 / 9) - 1 <= -0.005
    assert 5.5 <= 1000 * f.births[2021] / t.persons[2021] <= 8.5
    assert 6.0 <= 1000 * f.deaths[2021] / t.persons[2021] <= 10.0
    assert 0.18 <= t.persons_aged_60_plus[2021] / t.persons[2021] <= 0.25
    assert 0.13 <= t.persons_aged_0_15[2021] / t.persons[2021] <= 0.18
    assert t.persons[2030] < t.persons[2021]


def test_labour_force_agrees_across_scales():  # ~15 s (a full-scale run)
    small = annual(RuralModel(seed=1, scale=0.1).run(), ["labourers", "persons"])
    full = annual(RuralModel(seed=1, scale=1.0).run(), ["labourers", "persons"])
    assert np.allclose(small.labourers, full.labourers, rtol=0.01)
    assert np.allclose(small.persons, full.persons, rtol=0.01)


def test_death_table_gives_a_plausible_life_expectancy():
    q = death_chances(DemographyParams())
    assert 76.0 <= life_expectancy(q) <= 78.0
    assert q[127] == 1.0 and np.all(np.diff(q[1:]) > 0)


def test_birth_rate_index_follows_the_series_then_the_trend():
    p = DemographyParams()
    assert birth_rate_index(p, 2021) == 1.0
    assert birth_rate_index(p, 2023) == pytest.approx(6.13 / 7.06)
    assert birth_rate_index(p, 2026) == pytest.approx(6.94 / 7.06 * (1 + p.birth_rate_trend_after) ** 2)


def year(member_age, lab_age, lab_state, *, first, slots, size, death=0.0, out=0.0, birth=0.0, early=0.0,
         unable=0.0, max_size=8):
    """One demographic year (2021) on hand-made households (ages as of the year before, 2020), chances
    the same at every age (0 or 1 make the events certain)."""
    n = len(size)
    member_age = np.array(member_age, np.int8)
    lab_age, lab_state = np.array(lab_age, np.int16), np.array(lab_state, np.int8)
    first, slots = np.array(first, np.int32), np.array(slots, np.int16)
    n_lab = np.array([np.sum(lab_state[f:f + s] != INACTIVE) for f, s in zip(first, slots)], np.int16)
    z = lambda: np.zeros(n, np.int16)  # noqa: E731
    hh = dict(size=np.array(size, np.int8), n_labourers=n_lab, n_elderly=z(), n_children=z(), n_unable=z(),
              n_under_16=np.zeros(n, np.int8))
    table = lambda v: np.full(128, v, np.float32)  # noqa: E731
    births, deaths, out_migrants = (np.zeros(n, np.int8) for _ in range(3))
    member_death_year = np.empty(member_age.shape, np.int16)
    slot_years = tuple(np.empty(len(lab_age), np.int16) for _ in range(3))
    next_year = np.empty(n, np.int16)
    survival, stay = no_event(table(death)), no_event(table(out))
    tables = (survival, lower_bounds(survival), stay, lower_bounds(stay), np.tile(no_event(table(birth)), (300, 1)),
              1850)
    keys = (np.uint64(1), np.uint64(2))
    # event years drawn as of 2020 with the ages given; 2021's January ages everyone first
    kernels.start_years(member_age, member_death_year, hh["size"], n_lab, first, slots, lab_age, lab_state,
                        *slot_years, next_year, *tables, *keys, 2020, INACTIVE, 16, 18, 60)
    counts = kernels.demography_year(
        member_age, member_death_year, hh["size"], n_lab, hh["n_elderly"], hh["n_children"], hh["n_unable"],
        hh["n_under_16"], first, slots, lab_age, lab_state, np.zeros(len(lab_age), np.int8), *slot_years, next_year,
        *tables, np.float32(early), np.float32(unable), 16, 18, 60, max_size, *keys, 2021, INACTIVE, IDLE, births,
        deaths, out_migrants, np.zeros(n, bool))
    return dict(member_age=member_age, lab_age=lab_age, lab_state=lab_state, counts=counts, births=births,
                deaths=deaths, out_migrants=out_migrants, **hh)


def test_a_child_of_adult_age_takes_the_lowest_free_slot():
    r = year([[17, 40, -1]], [30, 0, 0], [IDLE, INACTIVE, INACTIVE], first=[0], slots=[3], size=[3])
    assert r["lab_state"].tolist() == [IDLE, IDLE, INACTIVE]
    assert r["lab_age"].tolist() == [31, 18, 0]
    assert sorted(r["member_age"][0].tolist()) == [-1, -1, 41]
    assert r["n_labourers"][0] == 2 and r["n_unable"][0] == 1 and r["size"][0] == 3
    assert r["counts"][kernels.demography.ENTRANTS] == 1


def test_without_a_free_slot_the_young_adult_leaves():
    r = year([[17, -1]], [30], [IDLE], first=[0], slots=[1], size=[2])
    assert r["size"][0] == 1 and r["out_migrants"][0] == 1 and r["counts"][kernels.demography.NO_SLOT] == 1


def test_retirement_moves_a_labourer_to_the_elderly():
    r = year([[-1, -1]], [59, 20], [IDLE, IDLE], first=[0], slots=[2], size=[2])
    assert r["lab_state"].tolist() == [INACTIVE, IDLE]
    assert r["n_elderly"][0] == 1 and 60 in r["member_age"][0] and r["size"][0] == 2


def test_nobody_dies_or_leaves_a_one_person_household_and_births_need_room():
    r = year([[80, -1], [-1, -1]], [0, 30], [INACTIVE, IDLE], first=[0, 1], slots=[1, 1], size=[1, 1],
             death=1.0, out=1.0)
    assert r["size"].tolist() == [1, 1] and r["deaths"].sum() == 0 and r["out_migrants"].sum() == 0
    r = year([[-1, -1], [-1, -1]], [30, 30], [IDLE, IDLE], first=[0, 1], slots=[1, 1], size=[1, 1], birth=1.0,
             max_size=2)
    assert r["births"].tolist() == [1, 1] and r["n_under_16"].tolist() == [1, 1] and r["size"].tolist() == [2, 2]
    r = year([[5, -1]], [30], [IDLE], first=[0], slots=[1], size=[2], birth=1.0, max_size=2)
    assert r["births"][0] == 0 and r["size"][0] == 2
