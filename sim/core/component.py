"""The one interface every part of the monthly loop implements, core dynamics and policy levers alike.

A component declares its scenario section (`name` and `Params`), the indicators it reports, and
three hooks the engine calls: `setup` once after the population is built, `step` each month in the
registry's order, `report` each recorded month after every component has stepped (only when the run computes
one of its indicators: a sweep or a calibration asks for the few it reads). The engine never
names a component; sim/core/registry.py lists them in order.

A component declares its state (`states`: name, dtype, meaning, and whether there is one entry per
household, per labourer slot or per village); the engine allocates each as a zeroed array before `setup`
(as an attribute of the component) and `model.household(i)` shows it (a labourer state as a list over
the household's slots, a village state as its village's entry). State that one component writes and others read lives on the households, declared
in `households.SHARED_STATES` with its writer and readers.

What else a component declares, so that nothing outside it lists it: the job states its jobs put
labourers in (`job_states`), the category of each income source it credits (`income_sources`), whether
the transition rule switches it (`time_limited`), and, for a component from another package (the
`ruralsim.components` entry point), the component it runs after (`after`).
"""

import zlib
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from .indicators import Indicator
from .params import Section


PER = ("household", "labourer", "village")  # what a state has one entry for


@dataclass(frozen=True)
class State:
    """A state array a component owns: its name (the component's attribute), NumPy dtype, what it means,
    and `per`: "household" (one entry per household), "labourer" (one per labourer slot) or "village".

    The household arrays several components share (sim/core/households.py: `SHARED_STATES`) are declared
    the same way, with the value they start at, the component that writes them and those that read them,
    so that no component imports another to learn its state and the table says who depends on whom."""

    name: str
    dtype: type
    doc: str
    per: str = "household"
    initial: float = 0
    written_by: str = ""
    read_by: tuple[str, ...] = ()

    def __post_init__(self):
        if self.per not in PER:
            raise ValueError(f"state '{self.name}': per must be one of {PER} (got {self.per!r})")

    def allocate(self, n: int) -> np.ndarray:
        """The array of `n` entries at the initial value."""
        return np.full(n, self.initial, self.dtype)


@dataclass(frozen=True)
class JobState:
    """A labourer state a lever's jobs put people in: its name (microdata columns), its code in the
    labourers' `state` array (2 or more: in work, like local and migrant wage work; unique across
    components) and what it means."""

    name: str
    code: int
    doc: str


class Component:
    name: ClassVar[str]  # scenario section and random-stream key
    Params: ClassVar[type[Section]]
    indicators: ClassVar[tuple[Indicator, ...]] = ()
    states: ClassVar[tuple[State, ...]] = ()
    job_states: ClassVar[tuple[JobState, ...]] = ()
    # income source -> its category in income by source (sim/dynamics/income_sources.py: CATEGORIES)
    income_sources: ClassVar[dict[str, str]] = {}
    time_limited: ClassVar[bool] = False  # switched by the transition rule (after_transition); the dashboard's
    after: ClassVar[str | None] = None  # an added component: the name of the component it runs after

    def __init__(self, params: Section, rng: np.random.Generator):
        self.params = params
        self.rng = rng

    @property
    def enabled(self) -> bool:
        """Levers have an `enabled` switch; core dynamics are always on."""
        return getattr(self.params, "enabled", True)

    def allocate(self, n_households: int, n_labourers: int = 0, n_villages: int = 0) -> None:
        """The declared states, zeroed (the engine calls this before `setup`)."""
        sizes = {"household": n_households, "labourer": n_labourers, "village": n_villages}
        for state in self.states:
            setattr(self, state.name, state.allocate(sizes[state.per]))

    def state_of(self, i: int, slots: np.ndarray | None = None, village: int = 0) -> dict:
        """Household `i`'s declared states, by name; a labourer state as the list over its `slots`, a
        village state as the entry of its `village`."""
        at = {"household": i, "labourer": slots, "village": village}
        return {state.name: getattr(self, state.name)[at[state.per]].tolist() for state in self.states}

    def setup(self, model) -> None:
        """Fill the declared states, register income sources, add village columns."""

    def step(self, model) -> None:
        """Advance one month."""

    def report(self, model, rec) -> None:
        """Write this month's indicators into the recorder. It must change no state the months read: a run that
        computes none of the component's indicators skips it (`RuralModel(indicators=...)`), and one that
        computes some may skip blocks whose indicators it does not (`rec.wants(name, ...)`)."""


def component_rng(seed: int, name: str) -> np.random.Generator:
    """A stream per component keyed by its name, not its position.

    Two scenarios run with the same seed give each component the same stream even when they enable
    different levers, which is what common random numbers across scenarios need.
    """
    key = zlib.crc32(name.encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(key,)))
