"""The one interface every part of the monthly loop implements, core dynamics and policy levers alike.

A component declares its scenario section (`name` and `Params`), the indicators it reports, and
three hooks the engine calls: `setup` once after the population is built, `step` each month in the
registry's order, `report` each recorded month after every component has stepped. The engine never
names a component; sim/core/registry.py lists them in order.

A component declares its per-household state (`states`: name, dtype, meaning); the engine allocates
each as a zeroed array before `setup` (as an attribute of the component) and `model.household(i)` shows it.

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


@dataclass(frozen=True)
class State:
    """A per-household state array a component owns: its name (the component's attribute), NumPy dtype and
    what it means."""

    name: str
    dtype: type
    doc: str


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

    def allocate(self, n_households: int) -> None:
        """The declared states, zeroed (the engine calls this before `setup`)."""
        for state in self.states:
            setattr(self, state.name, np.zeros(n_households, state.dtype))

    def state_of(self, i: int) -> dict:
        """Household `i`'s declared states, by name."""
        return {state.name: getattr(self, state.name)[i].item() for state in self.states}

    def setup(self, model) -> None:
        """Fill the declared states, register income sources, add village columns."""

    def step(self, model) -> None:
        """Advance one month."""

    def report(self, model, rec) -> None:
        """Write this month's indicators into the recorder."""


def component_rng(seed: int, name: str) -> np.random.Generator:
    """A stream per component keyed by its name, not its position.

    Two scenarios run with the same seed give each component the same stream even when they enable
    different levers, which is what common random numbers across scenarios need.
    """
    key = zlib.crc32(name.encode("utf-8"))
    return np.random.default_rng(np.random.SeedSequence(entropy=seed, spawn_key=(key,)))
