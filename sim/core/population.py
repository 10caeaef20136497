"""The synthetic population: counties, villages, households and labourers from a region profile.

Everything the seeds fix comes from the profile; everything else is a parameter of the `population`
section with its source (mostly "assumption"). With `scale` < 1 a uniform sample of households is
built and every household carries the weight that brings the sample back to the region's people.
"""

from dataclasses import dataclass, fields
from typing import Annotated

import numpy as np
from pydantic import Field, field_validator

from .. import kernels
from .households import Employment, Households, Labourers
from .params import ASSUMPTION, Section, param
from ..levers.pension import monthly_pension_yuan
from .regions import COUNTY_CLASSES, PROFILES, RegionProfile
from .villages import CountyTable, VillageTable


class PopulationParams(Section):
    mean_household_size: float = param(
        2.5, unit="persons", ge=1.2, le=5.0, source=ASSUMPTION,
        doc="Mean rural household size; ~2.36 million people in ~0.94 million households (DESIGN.md). "
        "Monitored households average 2.42 (seed 000).")
    max_household_size: int = param(8, unit="persons", ge=2, le=12, source=ASSUMPTION,
                                    doc="Largest household drawn.")
    labourer_share: float = param(
        0.58, unit="share", ge=0.0, le=1.0, source=ASSUMPTION,
        doc="Chance that a member of a household without poverty history is a working-age (16-59) able labourer.")
    lifted_out_labourer_share: float = param(
        0.50, unit="share", ge=0.0, le=1.0, source=ASSUMPTION,
        doc="The same for lifted-out households (more elderly, ill and disabled members).")
    lifted_out_labourer_share_by_region: dict[str, Annotated[float, Field(ge=0.0, le=1.0)]] = param(
        {}, unit="share", source="calibrated for Xinzhou to its 181,100 lifted-out labourers in work in 2024 "
        "(seed 000); calibration/targets.toml",
        doc="Region-specific `lifted_out_labourer_share` ({region = share}; other regions take the common "
        "value). Where a region counts its poverty-lifted labourers more broadly (people registered after "
        "2014, weak labourers, workers over 60), its share differs.")
    elderly_share_of_non_labourers: float = param(
        0.50, unit="share", ge=0.0, le=1.0,
        source="assumption: gives ~20% aged 60+ and ~15% aged 0-15 at the start (public: Shanxi 2020 census, "
        "18.92% aged 60+, 16.35% aged 0-14)",
        doc="Share of non-labourers who are elderly (the rest are children and adults unable to work, split by "
        "demography.unable_share_of_young_non_labourers).")
    village_size_sigma: float = param(0.5, unit="log sd", ge=0.0, le=2.0, source=ASSUMPTION,
                                      doc="Spread of village populations within a county (lognormal).")
    poverty_concentration_sigma: float = param(
        0.8, unit="log sd", ge=0.0, le=3.0, source=ASSUMPTION,
        doc="How unevenly registered-poor households are spread over a county's villages (lognormal propensity).")
    poor_village_share: float = param(
        0.30, unit="share", ge=0.0, le=1.0, source="assumption; Shanxi had 7,993 registered poor villages (seed 003)",
        doc="Share of villages, those with most lifted-out households, flagged as former registered poor villages.")
    skill_sigma: float = param(0.35, unit="log sd", ge=0.0, le=1.5, source=ASSUMPTION,
                               doc="Spread of labourers' wage-earning ability (lognormal, mean 1).")
    lifted_out_skill_factor: float = param(0.85, unit="ratio", ge=0.1, le=1.5, source=ASSUMPTION,
                                           doc="Wage-earning ability of lifted-out labourers relative to others.")
    farm_household_size_elasticity: float = param(
        0.0, unit="elasticity", ge=0.0, le=1.0,
        source="public: land contracts fixed for 30 years from the second round (1998), 'more people, no more land; "
        "fewer people, no less land' (Rural Land Contracting Law 2002, art. 27-28; extended 30 years in 2017): a "
        "household farms the land allotted to its members at the contract, whoever left since (left-behind "
        "elderly keep their migrant children's plots)",
        doc="Farm and business income grows with household size to this power (0: with the contracted land, "
        "not with today's size).")


    @field_validator("lifted_out_labourer_share_by_region")
    @classmethod
    def _known_regions(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(v) - set(PROFILES))
        if unknown:
            raise ValueError(f"unknown region {', '.join(unknown)} (allowed: {', '.join(PROFILES)})")
        return v


@dataclass
class Population:
    households: Households
    labourers: Labourers
    villages: VillageTable
    counties: CountyTable
    income_level_factor: float  # scales farm and wage levels to the region's 2020 income (see build)


def _largest_remainder(total: int, weights: np.ndarray, minimum: int = 0) -> np.ndarray:
    """Split an integer total in proportion to weights, each part at least `minimum`."""
    spare = total - minimum * len(weights)
    raw = spare * weights / weights.sum()
    counts = np.floor(raw).astype(np.int64)
    remainder = spare - counts.sum()
    counts[np.argsort(counts - raw)[:remainder]] += 1
    return counts + minimum


def build_counties(region: RegionProfile) -> CountyTable:
    """Counties by class; poverty counties get exit years, key-assistance counties exiting last. A region
    with real counties (`region.county_units`) takes each one's class, exit year and size from them."""
    if region.county_units:
        return _real_counties(region)
    classes, weights, poverty = [], [], []
    for code, name in enumerate(COUNTY_CLASSES):
        n = int(region.counties_by_class[name].value)
        n_poor = int(region.poverty_counties_by_class[name].value)
        classes += [code] * n
        weights += [region.county_size_weight_by_class[name].value] * n
        poverty += [True] * n_poor + [False] * (n - n_poor)
    classes = np.array(classes, np.int8)
    exit_year = np.zeros(len(classes), np.int16)
    # latest exit years go to the most assisted class first
    poor_order = [i for i in np.argsort(-classes, kind="stable") if poverty[i]]
    years = [year for year, count in reversed(region.exit_years) for _ in range(int(count.value))]
    if len(years) != len(poor_order):
        raise ValueError(f"region {region.name}: exit years cover {len(years)} counties, "
                         f"but it has {len(poor_order)} poverty counties")
    exit_year[poor_order] = years
    persons = _largest_remainder(int(region.rural_persons.value), np.array(weights, float))
    return CountyTable(county_class=classes, poverty_exit_year=exit_year, persons=persons)


def _real_counties(region: RegionProfile) -> CountyTable:
    units = region.county_units
    classes = np.array([COUNTY_CLASSES.index(u.county_class) for u in units], np.int8)
    if np.any(np.diff(classes) < 0):
        raise ValueError(f"region {region.name}: county units must be listed class by class")
    exit_year = np.array([u.exit_year.value for u in units], np.int16)
    persons = _largest_remainder(int(region.rural_persons.value), np.array([u.rural_weight.value for u in units]))
    return CountyTable(county_class=classes, poverty_exit_year=exit_year, persons=persons)


def incidence_weights(region: RegionProfile, counties: CountyTable) -> np.ndarray:
    """Relative registered-poor incidence of each county: its own (real counties) or its class's."""
    if region.county_units:
        return np.array([u.incidence_weight.value for u in region.county_units])
    by_class = np.array([region.poverty_incidence_weight_by_class[c].value for c in COUNTY_CLASSES])
    return by_class[counties.county_class]


def build(region: RegionProfile, scenario, *, scale: float, rng: np.random.Generator) -> Population:
    """Build the population for one run. `scenario` is the validated scenario (all sections)."""
    pop: PopulationParams = scenario.population
    inc = scenario.income
    counties = build_counties(region)
    n_villages = int(region.villages.value)

    # --- villages: per county in proportion to people, lognormal sizes within a county -----------
    village_count = _largest_remainder(n_villages, counties.persons.astype(float), minimum=1)
    v_county = np.repeat(np.arange(len(counties), dtype=np.int16), village_count)
    size_draw = rng.lognormal(0.0, pop.village_size_sigma, n_villages)
    county_draw_total = np.bincount(v_county, weights=size_draw)
    v_persons = np.maximum(1, np.round(size_draw / county_draw_total[v_county] * counties.persons[v_county]))

    # registered-poor incidence per county (class weights), spread unevenly over its villages
    county_poor = counties.persons * incidence_weights(region, counties)
    county_rate = county_poor / county_poor.sum() * region.lifted_out_persons.value / counties.persons
    propensity = rng.lognormal(0.0, pop.poverty_concentration_sigma, n_villages)
    mean_prop = np.bincount(v_county, weights=propensity * v_persons) / np.bincount(v_county, weights=v_persons)
    v_poor_rate = np.minimum(0.95, county_rate[v_county] * propensity / mean_prop[v_county])
    n_poor_villages = int(round(pop.poor_village_share * n_villages))
    poor_village = np.zeros(n_villages, bool)
    poor_village[np.argsort(-v_poor_rate)[:n_poor_villages]] = True
    villages = VillageTable(county=v_county, county_class=counties.county_class[v_county],
                            persons=v_persons.astype(np.int32), poor_village=poor_village,
                            lifted_out_rate=v_poor_rate)

    # --- households: a uniform sample of the full population, sorted by village -------------------
    n_full = region.rural_persons.value / pop.mean_household_size
    n = max(1, int(round(n_full * scale)))
    # each household's village drawn in proportion to people, then listed village by village (a count
    # and a repeat: the sorted draws without a sort)
    village_dtype = np.int16 if n_villages <= np.iinfo(np.int16).max else np.int32
    per_village = kernels.choice_counts(rng, v_persons / v_persons.sum(), n)  # = bincount of rng.choice
    hh_village = np.repeat(np.arange(n_villages, dtype=village_dtype), per_village)
    size = np.minimum(pop.max_household_size, 1 + rng.poisson(pop.mean_household_size - 1.0, n)).astype(np.int8)
    lifted_out = rng.random(n) < v_poor_rate[hh_village]
    # a uniform sample: one weight for all, as a read-only broadcast view (no array per household)
    weight = np.broadcast_to(np.float32(region.rural_persons.value / size.sum(dtype=np.int64)), (n,))
    hh_county = v_county[hh_village]

    lifted_out_share = pop.lifted_out_labourer_share_by_region.get(region.name, pop.lifted_out_labourer_share)
    labour_share = np.where(lifted_out, lifted_out_share, pop.labourer_share)
    n_lab = rng.binomial(size, labour_share).astype(np.int16)
    del labour_share
    n_elderly = rng.binomial(size - n_lab, pop.elderly_share_of_non_labourers).astype(np.int16)

    # poverty counties have lower farm income and lower earning ability (local and migrant wages alike)
    county_factor = np.where(counties.was_poverty_county, inc.poverty_county_income_factor, 1.0)

    # --- labourers: one slot per working-age labourer, contiguous per household --------------------
    m = int(n_lab.sum())
    lab_household = np.repeat(np.arange(n, dtype=np.int32), n_lab)
    first_labourer = np.zeros(n, np.int32)
    np.cumsum(n_lab[:-1], out=first_labourer[1:])
    age = (16 + 44 * rng.beta(1.3, 1.0, m)).astype(np.int16)
    skill = rng.lognormal(-pop.skill_sigma**2 / 2, pop.skill_sigma, m).astype(np.float32)
    lab_lifted_out = lifted_out[lab_household]
    skill[lab_lifted_out] *= pop.lifted_out_skill_factor
    skill *= county_factor[hh_county[lab_household]].astype(np.float32)
    lab = scenario.labour
    category = _finding_category(lab, lab_lifted_out, age)
    p_local, p_migrant = _steady_state_shares(lab)
    state = _initial_states(rng.random(m), category, p_local, p_migrant)
    labourers = Labourers(
        household=lab_household, age_years=age, skill=skill, state=state,
        ill_months_left=np.zeros(m, np.int8),
        migrant_finding_multiplier=np.ones(m, np.float32), local_finding_multiplier=np.ones(m, np.float32),
        wage_multiplier=np.ones(m, np.float32), lifted_out=lab_lifted_out)

    # --- incomes: farm/business and transfers, levels normalised to the region's 2020 income --------
    hh_factor = county_factor[hh_county] * np.where(lifted_out, inc.lifted_out_income_factor, 1.0)
    farm_draw = rng.lognormal(-inc.farm_income_sigma**2 / 2, inc.farm_income_sigma, n)
    farm = (inc.farm_income_per_household_2020_yuan * hh_factor * farm_draw
            * (size / pop.mean_household_size) ** pop.farm_household_size_elasticity)
    del hh_factor, farm_draw
    transfers = (inc.other_transfers_monthly_per_person_2020_yuan * size
                 * rng.lognormal(-inc.transfers_sigma**2 / 2, inc.transfers_sigma, n))

    # Expected 2020 wages at the labour market's steady state, to find the factor on farm and wage
    # levels that gives the region's published mean income (transfers are policy, left as set).
    # Shares in work depend on the finding category only: sum skills per category first.
    skill_sum = np.bincount(category, weights=skill, minlength=4)
    expected_wages = 12 * skill_sum * (p_local * inc.local_wage_monthly_2020_yuan
                                       + p_migrant * inc.migrant_wage_monthly_2020_yuan)
    pension_2020 = monthly_pension_yuan(scenario.pension, 2020)
    expected_transfers = 12 * (transfers.sum() + pension_2020 * n_elderly.sum())
    target_total = region.income_per_capita_2020_yuan.value * size.sum(dtype=np.int64)
    factor = float((target_total - expected_transfers) / (farm.sum() + expected_wages.sum()))
    if factor <= 0:
        raise ValueError(f"region {region.name}: transfers alone exceed the region's income; check income parameters")

    households = Households(
        village=hh_village, county=hh_county, county_class=counties.county_class[hh_county], size=size,
        lifted_out=lifted_out, weight=weight, farm_income_annual_yuan=(farm * factor).astype(np.float32),
        other_transfers_monthly_yuan=transfers.astype(np.float32), n_elderly=n_elderly,
        has_farmland=np.ones(n, bool), first_labourer=first_labourer, labour_slots=n_lab.copy())
    households.n_labourers[:] = n_lab
    labourers.wage_multiplier *= factor
    labourers = add_cohorts(households, labourers, counties, scenario, factor, rng)
    return Population(households, labourers, villages, counties, factor)


def _finding_category(lab, lifted_out: np.ndarray, age: np.ndarray) -> np.ndarray:
    """0-3 per labourer: 2 x lifted-out + older worker, what job finding depends on (before levers)."""
    category = (age >= lab.older_worker_age_years).astype(np.int8)
    category += 2 * lifted_out
    return category


def _steady_state_shares(lab) -> tuple[np.ndarray, np.ndarray]:
    """Long-run shares in local and migrant work of the labour market's job-finding/loss chain, per
    finding category (see `_finding_category`)."""
    lifted_out, older = np.array([0, 0, 1, 1], bool), np.array([0, 1, 0, 1], bool)
    f = np.where(lifted_out, lab.lifted_out_finding_factor, 1.0) * np.where(older, lab.older_worker_finding_factor, 1.0)
    f_local, f_migrant = lab.local_job_finding_monthly * f, lab.migrant_job_finding_monthly * f
    odds_local = f_local / lab.local_job_loss_monthly
    odds_migrant = f_migrant / lab.migrant_job_loss_monthly
    p_none = 1.0 / (1.0 + odds_local + odds_migrant)
    return p_none * odds_local, p_none * odds_migrant


def _initial_states(u: np.ndarray, category: np.ndarray, p_local: np.ndarray, p_migrant: np.ndarray) -> np.ndarray:
    state = np.full(len(u), Employment.FARMING, np.int8)
    state[u < (p_local + p_migrant)[category]] = Employment.LOCAL
    state[u < p_migrant[category]] = Employment.MIGRANT
    return state


def add_cohorts(households: Households, labourers: Labourers, counties: CountyTable, scenario, wage_factor: float,
                rng: np.random.Generator) -> Labourers:
    """Ages for every member and spare labour slots for the children (cohort demography, sim/dynamics/demography.py).

    The non-labourers who are not elderly are split into adults unable to work and children; every
    non-labourer member gets an age in `households.member_age_years` (elderly by the census decades,
    unable adults uniform over working age, children uniform 0-17). Each household then gets inactive
    slots after its labourers (skill drawn as a labourer's, the region's wage level), as many as its
    children need to enter the labour force within `demography.spare_slot_years` beyond the slots its
    retiring labourers free (`kernels.spare_slots_needed`), so no slot is ever reallocated. Returns the
    labourers with the spare slots; the households' `first_labourer` and `labour_slots` follow. Draws
    come after every other draw of `build`, so the rest of the population is the same as without cohorts.
    """
    demo, pop, inc = scenario.demography, scenario.population, scenario.income
    hh, n = households, len(households)
    n_lab = hh.labour_slots.astype(np.int64)
    n_elderly = hh.n_elderly.astype(np.int64)
    rest = hh.size.astype(np.int64) - n_lab - n_elderly
    n_unable = rng.binomial(rest, demo.unable_share_of_young_non_labourers)
    n_children = rest - n_unable

    # --- member ages: columns hold the elderly first, then unable adults, then children --------------
    members = n_elderly + n_unable + n_children
    width = max(pop.max_household_size, int(hh.size.max(initial=1)))
    member_hh = np.repeat(np.arange(n), members)
    column = np.arange(members.sum()) - np.repeat(np.cumsum(members) - members, members)
    is_elderly = column < n_elderly[member_hh]
    is_child = column >= (n_elderly + n_unable)[member_hh]
    is_unable = ~is_elderly & ~is_child
    age = np.empty(len(member_hh), np.int64)
    shares = np.asarray(demo.elderly_age_shares_by_decade, float)
    decade = rng.choice(len(shares), size=int(is_elderly.sum()), p=shares / shares.sum())
    age[is_elderly] = demo.retirement_age_years + 10 * decade + rng.integers(0, 10, len(decade))
    age[is_unable] = rng.integers(demo.adult_age_years, demo.retirement_age_years, int(is_unable.sum()))
    age[is_child] = rng.integers(0, demo.child_age_max_years + 1, int(is_child.sum()))
    ages = np.full((n, width), -1, np.int8)
    ages[member_hh, column] = np.minimum(age, 127)
    hh.member_age_years = ages
    hh.n_children = n_children.astype(np.int16)
    hh.n_unable_adults = n_unable.astype(np.int16)

    # --- spare slots after the household's labourers: enough for its children to enter within the
    # horizon `demography.spare_slot_years` where retirements do not free slots first --------------
    spare_count = kernels.spare_slots_needed(ages, hh.first_labourer, hh.labour_slots, labourers.age_years,
                                             demo.spare_slot_years, demo.early_entry_age_years, demo.adult_age_years,
                                             demo.retirement_age_years).astype(np.int64)
    slots = n_lab + spare_count
    first = np.zeros(n, np.int64)
    np.cumsum(slots[:-1], out=first[1:])
    old_to_new = first[labourers.household] + (np.arange(len(labourers)) - hh.first_labourer[labourers.household])
    spare_hh = np.repeat(np.arange(n), spare_count)
    spare = first[spare_hh] + n_lab[spare_hh] + (np.arange(len(spare_hh)) - np.repeat(np.cumsum(spare_count)
                                                                                      - spare_count, spare_count))
    skill = rng.lognormal(-pop.skill_sigma**2 / 2, pop.skill_sigma, len(spare_hh)).astype(np.float32)
    skill[hh.lifted_out[spare_hh]] *= pop.lifted_out_skill_factor
    county_factor = np.where(counties.was_poverty_county, inc.poverty_county_income_factor, 1.0)
    skill *= county_factor[hh.county[spare_hh]].astype(np.float32)
    spare_values = {"household": spare_hh, "age_years": 0, "skill": skill, "state": Employment.INACTIVE,
                    "ill_months_left": 0, "migrant_finding_multiplier": 1.0, "local_finding_multiplier": 1.0,
                    "wage_multiplier": wage_factor, "lifted_out": hh.lifted_out[spare_hh]}
    total = int(slots.sum())
    arrays = {}
    for f in fields(Labourers):
        old = getattr(labourers, f.name)
        if not isinstance(old, np.ndarray):
            continue
        new = np.empty(total, old.dtype)
        new[old_to_new] = old
        new[spare] = spare_values[f.name]
        arrays[f.name] = new
    hh.first_labourer = first.astype(hh.first_labourer.dtype)
    hh.labour_slots = slots.astype(hh.labour_slots.dtype)
    return Labourers(**arrays)
