"""Region profiles: the seed figures (by statistic id) plus named assumptions for what the seeds leave open.

A profile fixes who lives where: people, villages, counties with their class and poverty-exit year,
and the registered-poor history. Every figure is either read from seeds/statistics.toml or carries
its own source string ("assumption: ..." when it is ours).
"""

from dataclasses import dataclass, field

from . import seeds
from .errors import InputError

COUNTY_CLASSES = ("demonstration", "steady", "key")


@dataclass(frozen=True)
class Figure:
    """A number with where it comes from."""

    value: float
    source: str


@dataclass(frozen=True)
class CountyUnit:
    """One real county as the population builder uses it (seeds/counties.toml): its class, its exit year
    (0: not a poverty county; the transition window runs from it), its relative rural size and its
    relative registered-poor incidence."""

    code: str
    county_class: str
    exit_year: Figure
    rural_weight: Figure
    incidence_weight: Figure


@dataclass(frozen=True)
class RegionProfile:
    name: str
    title: str
    rural_persons: Figure
    villages: Figure
    lifted_out_persons: Figure
    income_per_capita_2020_yuan: Figure
    # per class: number of county units, how many of them were poverty counties, relative size
    counties_by_class: dict[str, Figure]
    poverty_counties_by_class: dict[str, Figure]
    county_size_weight_by_class: dict[str, Figure]
    # relative registered-poor incidence by class (normalised so lifted-out persons sum to the total)
    poverty_incidence_weight_by_class: dict[str, Figure]
    # poverty-exit years: (year, number of poverty counties that exited that year), earliest first
    exit_years: tuple[tuple[int, Figure], ...]
    notes: tuple[str, ...] = field(default=())
    # real counties, in model-unit order; when given they replace the class rules above for who is where
    county_units: tuple[CountyUnit, ...] = field(default=())

    @property
    def n_counties(self) -> int:
        return int(sum(f.value for f in self.counties_by_class.values()))

    def figures(self) -> dict[str, Figure]:
        """Flat name -> Figure map for the manifest and the docs."""
        out = {
            "rural_persons": self.rural_persons,
            "villages": self.villages,
            "lifted_out_persons": self.lifted_out_persons,
            "income_per_capita_2020_yuan": self.income_per_capita_2020_yuan,
        }
        for label, table in (
            ("counties", self.counties_by_class),
            ("poverty_counties", self.poverty_counties_by_class),
            ("county_size_weight", self.county_size_weight_by_class),
            ("poverty_incidence_weight", self.poverty_incidence_weight_by_class),
        ):
            out.update({f"{label}.{k}": v for k, v in table.items()})
        out.update({f"poverty_exit.{year}": fig for year, fig in self.exit_years})
        for unit in self.county_units:
            out.update({f"county.{unit.code}.{k}": getattr(unit, k)
                        for k in ("exit_year", "rural_weight", "incidence_weight")})
        return out


def _seed(stat_id: str) -> Figure:
    stat = seeds.statistics()[stat_id]
    return Figure(stat.value, f"seed {stat.seed} ({stat_id})")


def _assume(value: float, why: str) -> Figure:
    return Figure(value, f"assumption: {why}")


def _public_value(figure_id: str) -> float:
    return seeds.public_figures()[figure_id].value


def _public(value: float, where: str) -> Figure:
    return Figure(value, f"public source: {where}")


def xinzhou() -> RegionProfile:
    registered = seeds.value("xinzhou_registered_poor_at_registration")
    incidence = seeds.value("xinzhou_poverty_incidence_at_registration")
    exited_2018 = seeds.value("xinzhou_counties_exited_2018")
    poverty_counties = 12.0
    return RegionProfile(
        name="xinzhou",
        title="Xinzhou city, Shanxi",
        rural_persons=Figure(
            round(registered / incidence),
            "derived: seed 002_88959e36fcc7a263.txt, 467,400 registered poor / 19.81% incidence",
        ),
        villages=_seed("xinzhou_village_party_secretaries_2024"),
        lifted_out_persons=_seed("xinzhou_registered_poor_at_registration"),
        income_per_capita_2020_yuan=Figure(
            round(_public_value("xinzhou_rural_income_2019") * _public_value("shanxi_rural_income_2020")
                  / _public_value("shanxi_rural_income_2019")),
            "derived: Xinzhou's 2019 rural per-capita disposable income, 9,183 yuan, grown at Shanxi's 2020 rate "
            "(13,878 / 12,902); seeds/public.toml",
        ),
        counties_by_class={
            "demonstration": _assume(2, "the two non-poverty county units (city district and county-level city)"),
            "steady": _assume(4, "split of Xinzhou's 12 former poverty counties between steady and key"),
            "key": _assume(8, "split of Xinzhou's 12 former poverty counties between steady and key"),
        },
        poverty_counties_by_class={
            "demonstration": _assume(0, "demonstration counties were not poverty counties"),
            "steady": _assume(4, "public reports: 11 national and 1 provincial poverty counties in Xinzhou"),
            "key": _assume(8, "public reports: 11 national and 1 provincial poverty counties in Xinzhou"),
        },
        county_size_weight_by_class={
            "demonstration": _assume(2.0, "urban-fringe county units have about twice the rural people"),
            "steady": _assume(1.0, "reference"),
            "key": _assume(0.8, "mountain key-assistance counties are smaller"),
        },
        poverty_incidence_weight_by_class={
            "demonstration": _assume(0.15, "few registered poor outside poverty counties"),
            "steady": _assume(0.6, "registered-poor incidence relative to key counties"),
            "key": _assume(1.0, "reference"),
        },
        exit_years=(
            (2018, _seed("xinzhou_counties_exited_2018")),
            (2019, _assume(poverty_counties - exited_2018, "the rest exited in 2019; all Shanxi poverty counties were removed by 2020 (seed 003)")),
        ),
        county_units=_county_units("xinzhou"),
    )


def _county_units(region: str) -> tuple[CountyUnit, ...]:
    """The region's real counties as population units, when every one has its public size (else none)."""
    from .counties import counties, region_header

    named = counties(region)
    header = region_header(region)
    if not named or any(c.rural_residents_2016 is None for c in named) or "incidence_weight" not in header:
        return ()
    size_source = f"derived: 2016 residents x (1 - urbanisation rate), {header['figures_source']}"
    incidence_source = header["incidence_weight_source"]
    return tuple(CountyUnit(code=c.code, county_class=c.class_2021,
                            exit_year=Figure(c.exit_year, c.sources["exit_year"]),
                            rural_weight=Figure(round(c.rural_residents_2016), size_source),
                            incidence_weight=Figure(header["incidence_weight"][c.poverty_county],
                                                    f"{incidence_source} ({c.poverty_county} poverty county)"))
                 for c in named)


def shanxi() -> RegionProfile:
    return RegionProfile(
        name="shanxi",
        title="Shanxi province, by county class",
        rural_persons=_assume(
            20_000_000,
            "rural registered population; 3.29 million lifted out (seed 003) is then ~16% incidence",
        ),
        villages=_assume(19_300, "administrative villages after the 2019-2020 village merging"),
        lifted_out_persons=_seed("shanxi_poor_lifted_out_2014_2020"),
        income_per_capita_2020_yuan=_public(_public_value("shanxi_rural_income_2020"),
                                            "Shanxi statistical bulletin 2020, rural per-capita disposable income "
                                            "(seeds/public.toml)"),
        counties_by_class={
            "demonstration": _seed("shanxi_demonstration_counties_2021"),
            "steady": _seed("shanxi_steady_counties_2021"),
            "key": _seed("shanxi_key_assistance_counties_2021"),
        },
        poverty_counties_by_class={
            "demonstration": _assume(0, "demonstration counties were not poverty counties"),
            "steady": _assume(12, "58 poverty counties (seed 003) less the 46 key counties"),
            "key": _assume(46, "every key-assistance county was a poverty county"),
        },
        county_size_weight_by_class={
            "demonstration": _assume(1.3, "plains counties are more populous"),
            "steady": _assume(1.0, "reference"),
            "key": _assume(0.7, "mountain key-assistance counties are smaller"),
        },
        poverty_incidence_weight_by_class={
            "demonstration": _assume(0.15, "few registered poor outside poverty counties"),
            "steady": _assume(0.6, "registered-poor incidence relative to key counties"),
            "key": _assume(1.0, "reference"),
        },
        exit_years=(
            (2017, _assume(15, "exit batches; all 58 removed by 2020 (seed 003)")),
            (2018, _assume(21, "exit batches; all 58 removed by 2020 (seed 003)")),
            (2019, _assume(22, "exit batches; all 58 removed by 2020 (seed 003)")),
        ),
    )


def rucheng() -> RegionProfile:
    return RegionProfile(
        name="rucheng",
        title="Rucheng county, Chenzhou (Hunan)",
        rural_persons=_assume(330_000, "rural registered population of the county"),
        villages=_seed("rucheng_villages_2021"),
        lifted_out_persons=_assume(60_000, "registered poor of a mountain poverty county of this size"),
        income_per_capita_2020_yuan=_assume(11_500, "rural per-capita income of a former poverty county in Hunan"),
        counties_by_class={
            "demonstration": _assume(0, "a single county"),
            "steady": _assume(0, "a single county"),
            "key": _assume(1, "a former poverty county receiving key assistance"),
        },
        poverty_counties_by_class={
            "demonstration": _assume(0, "a single county"),
            "steady": _assume(0, "a single county"),
            "key": _assume(1, "a former national poverty county"),
        },
        county_size_weight_by_class={c: _assume(1.0, "a single county") for c in COUNTY_CLASSES},
        poverty_incidence_weight_by_class={c: _assume(1.0, "a single county") for c in COUNTY_CLASSES},
        exit_years=((2019, _assume(1, "exit year of the county")),),
    )


PROFILES = {"xinzhou": xinzhou, "shanxi": shanxi, "rucheng": rucheng}


def get_region(name: str) -> RegionProfile:
    try:
        return PROFILES[name]()
    except KeyError:
        raise InputError(f"unknown region '{name}' (allowed: {', '.join(PROFILES)})") from None


# --- the scale floor -----------------------------------------------------------------------------
# A run simulates a uniform sample of `scale` x the region's households, spread over its villages in
# proportion to their people (sim/core/population.py). Below some scale most villages, and then whole
# counties, have no simulated household at all, and results per village or county class are empty or
# made of a handful of households weighted up to thousands. The rule: the sample must give every
# village at least HOUSEHOLDS_PER_VILLAGE households on average and every county at least
# HOUSEHOLDS_PER_COUNTY in expectation. It is checked where a user chooses the scale (run, compare,
# check, sweep, targets, dashboard); the calibration's own cheap runs (calibration/targets.toml) may go
# below it on purpose, for region-wide targets only.
HOUSEHOLDS_PER_VILLAGE = 2.0
HOUSEHOLDS_PER_COUNTY = 50.0


def min_scale(region: str | RegionProfile, mean_household_size: float) -> float:
    """The smallest allowed scale for a region (see the rule above), rounded up to 2 significant digits."""
    import math

    from .population import build_counties

    profile = get_region(region) if isinstance(region, str) else region
    households = profile.rural_persons.value / mean_household_size
    smallest_county = build_counties(profile).persons.min() / mean_household_size
    floor = max(HOUSEHOLDS_PER_VILLAGE * profile.villages.value / households,
                HOUSEHOLDS_PER_COUNTY / smallest_county)
    digits = 1 - math.floor(math.log10(floor))
    return min(1.0, math.ceil(floor * 10**digits) / 10**digits)


def check_scale(scenario, source: str = "options") -> None:
    """InputError when the scenario's scale leaves villages or counties of its region without households."""
    run = scenario.run
    floor = min_scale(run.region, scenario.population.mean_household_size)
    if run.scale < floor:
        raise InputError(f"{source}: key 'run.scale': {run.scale:g} is below the smallest allowed scale for "
                         f"{run.region}, {floor:g} (at least {HOUSEHOLDS_PER_VILLAGE:g} simulated households per "
                         f"village on average and {HOUSEHOLDS_PER_COUNTY:g} per county); use --scale {floor:g} "
                         "or more")
