"""The one interface every part of the monthly loop implements, core dynamics and policy levers alike.

A component declares its scenario section (`name` and `Params`), the indicators it reports, and
three hooks the engine calls: `setup` once after the population is built, `step` each month in the
registry's order, `report` each recorded month after every component has stepped. The engine never
names a component; sim/core/registry.py lists them in order.
"""

import zlib
from typing import ClassVar

import numpy as np

from .indicators import Indicator
from .params import Section


class Component:
    name: ClassVar[str]  # scenario section and random-stream key
    Params: ClassVar[type[Section]]
    indicators: ClassVar[tuple[Indicator, ...]] = ()

    def __init__(self, params: Section, rng: np.random.Generator):
        self.params = params
        self.rng = rng

    @property
    def enabled(self) -> bool:
        """Levers have an `enabled` switch; core dynamics are always on."""
        return getattr(self.params, "enabled", True)

    def setup(self, model) -> None:
        """Allocate state arrays, register income sources, add village columns."""

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
