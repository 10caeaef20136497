"""Cohort demography, once a year in January: ageing, deaths by age, retirement, out-migration of the
young, children entering the labour force, births.

Every person has an age. Labourers are the labour slots (`Labourers.age_years`); every other member
(children, working-age people unable to work, the elderly) is a column of the household's row in
`Households.member_age_years` (fixed width = the largest household size, -1 for an empty column).
`size = n_labourers + n_children + n_unable_adults + n_elderly` always: children are members under
`adult_age_years` (0-17, those of 16-17 still at school), unable adults members of `adult_age_years`
to retirement age who did not enter the labour force, the elderly members of retirement age and over.
Spare (inactive) labour slots are allocated at the start (sim/core/population.py: `add_cohorts`) so that a
child reaching working age takes a slot without any reallocation; slots freed by retirement, death or
out-migration are reused first. The year is one compiled call (`kernels.demography_year`): everyone
carries the years of their next events (counter-based draws per slot and per household: common random
numbers), so only the households where something happens are visited (docs/ODD.md, section 7.3).
"""

import numpy as np

from .. import kernels
from ..core.component import Component
from ..core.events import stream_key
from ..core.households import Employment
from ..core.indicators import Indicator
from ..core.params import ASSUMPTION, Section, param

MAX_AGE = 127  # member ages are int8
FIRST_COHORT, LAST_COHORT = 1850, 2150  # birth cohorts of the birth tables (year - age)

SHANXI_BIRTH_RATES = "public: Shanxi crude birth rate 8.26 (2020), 7.06 (2021), 6.75 (2022), 6.13 (2023) per 1,000, " \
    "Shanxi population sample survey communiques (Shanxi Statistics Bureau, 2022-03 and 2024-02); 6.94 (2024), " \
    "shanxi.gov.cn population overview"


class DemographyParams(Section):
    retirement_age_years: int = param(60, unit="years", ge=45, le=75,
                                      source="public: working age 16-59 in rural labour statistics",
                                      doc="Age at which a labourer leaves work and counts as elderly.")
    early_entry_age_years: int = param(
        16, unit="years", ge=14, le=17, source="public: working age 16-59 in rural labour statistics",
        doc="Age at which children who leave school after junior secondary start work.")
    early_entry_share: float = param(
        0.15, unit="share", ge=0.0, le=1.0,
        source="assumption; public: national gross enrolment in senior secondary education 91.2% in 2020 "
        "(Ministry of Education), lower in rural Shanxi",
        doc="Share of children who enter the labour force at `early_entry_age_years` (the rest stay at "
        "school and enter at `adult_age_years`).")
    adult_age_years: int = param(
        18, unit="years", ge=16, le=22, source="assumption: end of senior secondary school",
        doc="Age at which the remaining children enter the labour force (or, if unable to work, stay as "
        "unable adults).")
    unable_share_at_entry: float = param(
        0.02, unit="share", ge=0.0, le=0.5, source="assumption: disability among young adults",
        doc="Chance that a child reaching `adult_age_years` is unable to work (disabled or ill) and stays a "
        "non-working adult member.")
    out_migration_per_year: float = param(
        0.008, unit="per year", ge=0.0, le=0.2,
        source="assumption; public: China's registered (hukou) urbanisation rose 45.4% (2020) to 48.3% (2023) "
        "(NBS census communique no. 7; Ministry of Public Security 2024-08), ~1.8% of rural-registered people "
        "a year, part of it villages reclassified as urban",
        doc="Annual chance that a labourer aged `early_entry_age_years` to `out_migration_max_age_years` leaves "
        "the rural population for good (studies, urban registration, marriage away).")
    out_migration_max_age_years: int = param(34, unit="years", ge=16, le=59, source=ASSUMPTION,
                                              doc="Oldest age at which labourers out-migrate.")
    mortality_gompertz_a: float = param(
        4.6e-5, unit="per year", gt=0.0, le=0.01,
        source="assumption: with the slope, background and infant terms gives life expectancy at birth 77.0 "
        "years; public: China 77.93 (2020, National Health Commission), Shanxi 74.92 (2010 census)",
        doc="Gompertz level: the annual death hazard at age a is `background + a_level x exp(b x a)`.")
    mortality_gompertz_b: float = param(0.09, unit="per year of age", ge=0.03, le=0.15,
                                        source="assumption: usual adult Gompertz slope (mortality doubles in ~8 years)",
                                        doc="Gompertz slope of the death hazard by age.")
    mortality_background: float = param(3e-4, unit="per year", ge=0.0, le=0.01, source=ASSUMPTION,
                                        doc="Age-independent death hazard (accidents).")
    infant_mortality: float = param(
        0.006, unit="per birth", ge=0.0, le=0.1, source="public: rural infant mortality 6.2 per 1,000 in 2020 "
        "(China health statistics yearbook)", doc="Extra chance of death in the first year of life (age 0 to 1).")
    birth_chance_per_young_labourer: float = param(
        0.0275, unit="per year", ge=0.0, le=0.5,
        source="assumption, set so that the 2021 crude birth rate is ~7 per 1,000 (Shanxi 7.06, 2021)",
        doc="Annual chance, in 2021, that a labourer aged `fertile_age_min_years` to `fertile_age_max_years` "
        "has a child (each birth is counted once: the household has at most one a year).")
    fertile_age_min_years: int = param(20, unit="years", ge=15, le=30, source=ASSUMPTION,
                                       doc="Youngest labourer age with births.")
    fertile_age_max_years: int = param(39, unit="years", ge=30, le=50, source=ASSUMPTION,
                                       doc="Oldest labourer age with births.")
    birth_rate_per_1000_from_2020: list[float] = param(
        [8.26, 7.06, 6.75, 6.13, 6.94], unit="births per 1,000 people, 2020, 2021, ...", source=SHANXI_BIRTH_RATES,
        doc="Crude birth rates by year from 2020: the birth chance follows them relative to 2021's.")
    birth_rate_trend_after: float = param(
        -0.03, unit="per year", ge=-0.5, le=0.5,
        source="assumption: births keep falling (Shanxi's rate fell 9% a year on average 2020-2023)",
        doc="Change of the birth chance per year after the last year of `birth_rate_per_1000_from_2020`.")
    # --- the members at the start (sim/core/population.py: add_cohorts) ---
    spare_slot_years: int = param(
        11, unit="years", ge=0, le=60, source="convention: the default run (10 years after a 1-year warm-up)",
        doc="Spare labour slots at the start let every child enter the labour force within this many years "
        "(beyond the slots retirements free). Later, an entrant whose household has no free slot leaves it "
        "(counted as an out-migrant). More years cost memory and time in every pass over the slots.")
    unable_share_of_young_non_labourers: float = param(
        0.08, unit="share", ge=0.0, le=1.0, source="assumption: working-age people unable to work (disabled, "
        "chronically ill, full-time carers)",
        doc="At the start, share of the non-labourer, non-elderly members who are adults unable to work "
        "(the rest are children 0-17).")
    child_age_max_years: int = param(
        17, unit="years", ge=15, le=21,
        source="public: Shanxi 2020 census, ages 0-9 and 10-19 about equally many (3.73 and 3.71 million)",
        doc="Children's ages at the start are uniform from 0 to this age.")
    elderly_age_shares_by_decade: list[float] = param(
        [0.594, 0.285, 0.108, 0.013], unit="shares of 60-69, 70-79, 80-89, 90+",
        source="public: Shanxi 2020 census, 3.93, 1.89, 0.71, 0.08 million people aged 60-69, 70-79, 80-89, "
        "90+ (NBS via citypopulation.de)",
        doc="Elderly members' ages at the start: a decade by these shares, uniform within it (90-99 for 90+).")


DEMOGRAPHY_INDICATORS = (
    Indicator("labourers", "persons", "stock",
              "Active labourers: working-age people able to work (in work, farming or out of work)."),
    Indicator("persons_aged_0_15", "persons", "stock", "Rural people aged 0-15."),
    Indicator("persons_aged_16_59", "persons", "stock", "Rural people aged 16-59 (labourers, pupils of 16-17, "
              "adults unable to work)."),
    Indicator("persons_aged_60_plus", "persons", "stock", "Rural people aged 60 and over."),
    Indicator("unable_adults", "persons", "stock",
              "Working-age adults (18-59) who are not labourers: disabled, chronically ill or carers."),
    Indicator("births", "persons", "flow", "Births (booked in January, for the year)."),
    Indicator("deaths", "persons", "flow", "Deaths (booked in January, for the year)."),
    Indicator("out_migrants", "persons", "flow",
              "People leaving the rural population for good (booked in January, for the year)."),
)


def death_chances(p: DemographyParams) -> np.ndarray:
    """Annual chance of death by age (index = age, 0-127; certain at 127), float32."""
    age = np.arange(MAX_AGE + 1, dtype=np.float64)
    q = 1.0 - np.exp(-(p.mortality_background + p.mortality_gompertz_a * np.exp(p.mortality_gompertz_b * age)))
    q[0] += p.infant_mortality
    q[MAX_AGE] = 1.0
    return np.minimum(q, 1.0).astype(np.float32)


def no_event(chance: np.ndarray) -> np.ndarray:
    """Chance of no event over the ages below each age (1 at age 0, 0 after a certain event), float64,
    one longer than the table of chances by age: what event years are drawn from."""
    out = np.ones(len(chance) + 1)
    np.cumprod(1.0 - np.asarray(chance, np.float64), out=out[1:])
    return out


def lower_bounds(none: np.ndarray, buckets: int = 1024) -> np.ndarray:
    """For each age and uniform bucket [j/B, (j+1)/B), the earliest age at which the event can fall: the
    exact answer at the bucket's top (the answer falls as the uniform rises). int16 (ages, B + 1)."""
    u = np.minimum((np.arange(buckets + 1) + 1) / buckets, 1.0)
    target = none[:, None] * u[None, :]
    first = np.searchsorted(-none, -target.ravel(), side="left").reshape(target.shape)
    ages = np.arange(len(none))[:, None]
    return np.minimum(np.maximum(first, ages + 1), len(none) - 1).astype(np.int16)


def no_birth_by_cohort(p: DemographyParams, birth_chance: np.ndarray) -> np.ndarray:
    """`no_event` of the birth chances for each birth cohort (rows from FIRST_COHORT to LAST_COHORT; a
    labourer of age a in January y is of cohort y - a): at age a the chance is birth_chance[a] times the
    birth-rate index of the January after (y + 1)."""
    cohorts = np.arange(FIRST_COHORT, LAST_COHORT + 1)
    januaries = cohorts[:, None] + np.arange(len(birth_chance))[None, :] + 1
    index = np.array([birth_rate_index(p, int(y)) for y in range(januaries.min(), januaries.max() + 1)])
    chance = np.minimum(birth_chance[None, :] * index[januaries - januaries.min()], 1.0)
    return np.ascontiguousarray(np.vstack([no_event(row) for row in chance]))


_TABLES: dict = {}  # (kind, the inputs) -> a table the kernels only read


def _cached(key: tuple, make):
    """A table that depends on parameters alone, made once per process for each set of them: about 15 ms of
    every build on the loaded machine, most of the fixed cost of setting demography up in a small run
    (issue 19). Kept for the last few parameter sets (a sweep's worker sees few)."""
    table = _TABLES.get(key)
    if table is None:
        if len(_TABLES) >= 32:
            _TABLES.clear()
        table = _TABLES[key] = make()
    return table


def life_expectancy(q: np.ndarray) -> float:
    """Life expectancy at birth of a table of annual death chances by age (deaths mid-year)."""
    q = np.asarray(q, np.float64)
    alive = np.cumprod(np.r_[1.0, 1.0 - q[:-1]])
    return float((alive * (1.0 - q / 2)).sum())


def birth_rate_index(p: DemographyParams, year: int) -> float:
    """The year's birth chance relative to 2021's (the public series, then the trend)."""
    rates = p.birth_rate_per_1000_from_2020
    k = year - 2020
    if k < 0:
        rate = rates[0]
    elif k < len(rates):
        rate = rates[k]
    else:
        rate = rates[-1] * (1.0 + p.birth_rate_trend_after) ** (k - len(rates) + 1)
    base = rates[1] if len(rates) > 1 else rates[0]
    return rate / base


class Demography(Component):
    name = "demography"
    Params = DemographyParams
    indicators = DEMOGRAPHY_INDICATORS

    def setup(self, model) -> None:
        p, hh, lab = self.params, model.households, model.labourers
        if not p.early_entry_age_years < p.adult_age_years < p.retirement_age_years:
            raise ValueError("demography: need early_entry_age_years < adult_age_years < retirement_age_years")
        n = len(hh)
        self.slot_key, self.member_key = stream_key(self.rng), stream_key(self.rng)
        # chances by age: death, out-migration, a child (2021's level; by cohort, the birth-rate index scales it)
        self.death_chance = death_chances(p)
        self.out_migration_chance = np.zeros(MAX_AGE + 1, np.float32)
        self.out_migration_chance[p.early_entry_age_years:p.out_migration_max_age_years + 1] = p.out_migration_per_year
        self.birth_chance = np.zeros(MAX_AGE + 1, np.float32)
        self.birth_chance[p.fertile_age_min_years:p.fertile_age_max_years + 1] = p.birth_chance_per_young_labourer
        self.survival, self.stay = no_event(self.death_chance), no_event(self.out_migration_chance)
        self.survival_lower = _cached(("lower", self.survival.tobytes()), lambda: lower_bounds(self.survival))
        self.stay_lower = _cached(("lower", self.stay.tobytes()), lambda: lower_bounds(self.stay))
        self.no_birth = _cached(("no_birth", tuple(p.birth_rate_per_1000_from_2020), p.birth_rate_trend_after,
                                 self.birth_chance.tobytes()), lambda: no_birth_by_cohort(p, self.birth_chance))
        # everyone's event years (members: death; labourers: death, out-migration, next child) and each
        # household's first, from the year before the first January
        age = hh.member_age_years
        self.member_death_year = np.empty(age.shape, np.int16)
        self.slot_years = tuple(np.empty(len(lab), np.int16) for _ in range(3))  # death, out-migration, child
        self.next_year = np.empty(n, np.int16)
        first_january = model.year if model.month == 1 else model.year + 1
        kernels.start_years(age, self.member_death_year, hh.size, hh.n_labourers, hh.first_labourer, hh.labour_slots,
                            lab.age_years, lab.state, *self.slot_years, self.next_year, self.survival,
                            self.survival_lower, self.stay, self.stay_lower, self.no_birth, FIRST_COHORT,
                            self.slot_key, self.member_key, first_january - 1, Employment.INACTIVE,
                            p.early_entry_age_years, p.adult_age_years, p.retirement_age_years)
        self.n_under_16 = ((age >= 0) & (age < p.early_entry_age_years)).sum(axis=1, dtype=np.int8)
        self.births = np.zeros(n, np.int8)
        self.deaths = np.zeros(n, np.int8)
        self.out_migrants = np.zeros(n, np.int8)
        self.due = np.zeros(n, bool)
        self.counts = np.zeros(kernels.DEMOGRAPHY_COUNTS, np.int64)
        self.happened = False  # events this month (January)
        self.stocks_revision = None

    def step(self, model) -> None:
        self.happened = False
        if model.month != 1:
            return
        self._year(model)

    def _year(self, model) -> None:
        p, hh, lab = self.params, model.households, model.labourers
        self.counts = kernels.demography_year(
            hh.member_age_years, self.member_death_year, hh.size, hh.n_labourers, hh.n_elderly, hh.n_children,
            hh.n_unable_adults, self.n_under_16, hh.first_labourer, hh.labour_slots, lab.age_years, lab.state,
            lab.ill_months_left, *self.slot_years, self.next_year, self.survival, self.survival_lower, self.stay,
            self.stay_lower, self.no_birth, FIRST_COHORT, np.float32(p.early_entry_share),
            np.float32(p.unable_share_at_entry), p.early_entry_age_years, p.adult_age_years, p.retirement_age_years,
            hh.member_age_years.shape[1], self.slot_key, self.member_key, model.year, Employment.INACTIVE,
            Employment.NONE, self.births, self.deaths, self.out_migrants, self.due)
        self.happened = True
        hh.sizes_changed()

    def report(self, model, rec) -> None:
        hh, g = model.households, model.hh_groups
        if self.stocks_revision != hh.size_revision:  # people by age change only in January
            n_16_59 = (hh.n_labourers + hh.n_children + hh.n_unable_adults).astype(np.int16)
            n_16_59 -= self.n_under_16
            self.stocks = {
                "labourers": g.sum(hh.n_labourers),  # (the active slots)
                "persons_aged_0_15": g.sum(self.n_under_16),
                "persons_aged_16_59": g.sum(n_16_59),
                "persons_aged_60_plus": g.sum(hh.n_elderly),
                "unable_adults": g.sum(hh.n_unable_adults),
            }
            self.stocks_revision = hh.size_revision
        for name, value in self.stocks.items():
            rec.put(name, value)
        for name, per_household in (("births", self.births), ("deaths", self.deaths),
                                    ("out_migrants", self.out_migrants)):
            rec.put(name, g.sum(per_household) if self.happened else 0.0)

