"""The real county-level units of a region (seeds/counties.toml), matched to the model's county units.

The model builds anonymous county units from the region profile, class by class (sim/core/population.py).
Planners think in named counties, so this table gives each unit its administrative code, Chinese name,
pinyin, poverty-county status, exit year and 2021 class, each with its source, and computes what the
model puts in each unit (rural people, households, villages, registered poor) so the region table can
show them beside the public figures and the totals can be checked against the seed figures. Regions
without a table (Shanxi's 117 units) get placeholder labels `<region>-001`, ... .
"""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from .errors import InputError
from .regions import COUNTY_CLASSES, RegionProfile

COUNTIES_FILE = Path(__file__).resolve().parents[2] / "seeds" / "counties.toml"
POVERTY_STATUS = ("none", "provincial", "national")


@dataclass(frozen=True)
class County:
    """One real county-level unit and the model unit it names; `sources` labels each figure."""

    model_unit: int
    code: str
    name_zh: str
    pinyin: str
    name_en: str
    poverty_county: str
    exit_year: int
    class_2021: str
    sources: dict
    residents_2016: float | None = None
    urbanisation_2016: float | None = None

    def name(self, lang: str = "en") -> str:
        return self.name_zh if lang == "zh" else self.name_en

    @property
    def rural_residents_2016(self) -> float | None:
        """Residents outside towns: the county's relative rural size (derived from the two public figures)."""
        if self.residents_2016 is None or self.urbanisation_2016 is None:
            return None
        return self.residents_2016 * (1.0 - self.urbanisation_2016)


@cache
def _table(path: Path = COUNTIES_FILE) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: cannot read the county table: {exc}") from None


def region_header(region: str) -> dict:
    """The region's own entry (code, names, source of the population figures), {} without a table."""
    return {k: v for k, v in _table().get(region, {}).items() if k != "county"}


@cache
def counties(region: str) -> tuple[County, ...]:
    """The region's real counties in model-unit order (empty when the region has no table)."""
    rows = _table().get(region, {}).get("county", [])
    out = []
    for row in rows:
        sources = {k[:-len("_source")]: v for k, v in row.items() if k.endswith("_source")}
        fields = {k: v for k, v in row.items() if not k.endswith("_source")}
        county = County(sources=sources, **fields)
        if county.poverty_county not in POVERTY_STATUS or county.class_2021 not in COUNTY_CLASSES:
            raise InputError(f"{COUNTIES_FILE}: county {county.code}: poverty_county must be one of "
                             f"{POVERTY_STATUS} and class_2021 one of {COUNTY_CLASSES}")
        out.append(county)
    if [c.model_unit for c in out] != list(range(len(out))):
        raise InputError(f"{COUNTIES_FILE}: region {region}: model_unit must run 0, 1, ... in file order")
    return tuple(out)


def group_labels(region: str, n_units: int) -> list[str]:
    """The `group` of each model county unit in by-county results: its code, else `<region>-NNN`."""
    named = counties(region)
    if len(named) == n_units:
        return [c.code for c in named]
    return [f"{region}-{i + 1:03d}" for i in range(n_units)]


def county_names(region: str, lang: str = "en") -> dict[str, str]:
    """{group label: county name} for the region's named counties."""
    return {c.code: c.name(lang) for c in counties(region)}


def model_units(profile: RegionProfile, mean_household_size: float) -> dict[str, np.ndarray]:
    """What the model puts in each county unit at full scale: class, exit year, rural persons, households,
    villages and registered poor (as sim/core/population.py splits them)."""
    from .population import _largest_remainder, build_counties, incidence_weights

    units = build_counties(profile)
    persons = units.persons.astype(float)
    villages = _largest_remainder(int(profile.villages.value), persons, minimum=1)
    poor = persons * incidence_weights(profile, units)
    poor = poor / poor.sum() * profile.lifted_out_persons.value
    return {"county_class": units.county_class, "exit_year": units.poverty_exit_year, "persons": persons,
            "households": persons / mean_household_size, "villages": villages.astype(float),
            "registered_poor": poor}


def check_matches_model(profile: RegionProfile) -> list[str]:
    """Disagreements between the table and the model's units (class, poverty, exit year): none expected."""
    named = counties(profile.name)
    if not named:
        return []
    units = model_units(profile, 1.0)
    if len(named) != len(units["persons"]):
        return [f"{profile.name}: the table has {len(named)} counties, the model {len(units['persons'])} units"]
    problems = []
    for c in named:
        cls = COUNTY_CLASSES[units["county_class"][c.model_unit]]
        year = int(units["exit_year"][c.model_unit])
        if cls != c.class_2021 or year != c.exit_year:
            problems.append(f"{c.code} {c.name_en}: table {c.class_2021}/{c.exit_year}, model {cls}/{year}")
    return problems
