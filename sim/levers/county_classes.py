"""County classes: demonstration, steady progress and key assistance counties get different intensity
of assistance (seed 001). Publishes `model.assistance_intensity` per county; levers scale their
per-county effort (jobs, places, detection) by it through `policy.intensity`.
"""

import numpy as np

from ..core.component import Component
from ..core.params import Section, param
from ..core.regions import COUNTY_CLASSES


class CountyClassParams(Section):
    enabled: bool = param(True, unit="switch", source="convention",
                          doc="Whether classes differ in intensity (off: intensity 1 everywhere).")
    demonstration_intensity: float = param(
        0.6, unit="ratio", ge=0.0, le=5.0, source="assumption: demonstration counties lead on their own means",
        doc="Assistance intensity in demonstration counties, relative to steady-progress counties.")
    steady_intensity: float = param(1.0, unit="ratio", ge=0.0, le=5.0, source="reference",
                                    doc="Assistance intensity in steady-progress counties.")
    key_intensity: float = param(
        1.5, unit="ratio", ge=0.0, le=5.0, source="assumption: key assistance counties get tilted funds and projects",
        doc="Assistance intensity in key assistance counties.")


class CountyClasses(Component):
    name = "county_classes"
    Params = CountyClassParams

    def setup(self, model) -> None:
        p = self.params
        by_class = np.array([getattr(p, f"{c}_intensity") for c in COUNTY_CLASSES])
        model.assistance_intensity = by_class[model.counties.county_class]
