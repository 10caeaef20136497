"""Ageing out of work and elderly mortality, once a year in January.

Labourer slots are fixed arrays: a labourer reaching retirement age becomes an elderly member, and
the slot is either taken by a young entrant of the same household (one of its children reaching
working age, if it has any) or left inactive. Household size changes only by elderly deaths; there are no births or moves.
"""

import numpy as np

from .component import Component
from .households import Employment
from .params import ASSUMPTION, Section, param


class DemographyParams(Section):
    retirement_age_years: int = param(60, unit="years", ge=45, le=75,
                                      source="public: working age 16-59 in rural labour statistics",
                                      doc="Age at which a labourer leaves work and counts as elderly.")
    replacement_probability: float = param(
        0.75, unit="share", ge=0.0, le=1.0, source=ASSUMPTION,
        doc="Chance that a retiring labourer's slot is taken by a young entrant of the same household "
        "(rural labour force shrinks as young people leave for towns).")
    entrant_age_years: int = param(18, unit="years", ge=16, le=30, source=ASSUMPTION,
                                   doc="Age of a young entrant to the labour force.")
    elderly_mortality_per_year: float = param(
        0.04, unit="per year", ge=0.0, le=0.3, source="assumption: rural death rate of people aged 60+",
        doc="Annual chance that one elderly member of a household dies.")


class Demography(Component):
    name = "demography"
    Params = DemographyParams

    def step(self, model) -> None:
        if model.month != 1:
            return
        p, lab, hh = self.params, model.labourers, model.households
        u = self.rng.random(len(lab))
        active = lab.active
        lab.age_years[active] += 1
        ageing = active & (lab.age_years >= p.retirement_age_years)
        # at most one child per household per year steps into a retiring labourer's slot
        children = hh.size - hh.n_labourers - hh.n_elderly
        candidates = np.flatnonzero(ageing & (u < p.replacement_probability) & (children[lab.household] > 0))
        _, first = np.unique(lab.household[candidates], return_index=True)
        replaced = np.zeros(len(lab), bool)
        replaced[candidates[first]] = True
        retired = ageing & ~replaced
        hh.n_elderly += np.bincount(lab.household[ageing], minlength=len(hh)).astype(np.int16)
        hh.n_labourers -= np.bincount(lab.household[retired], minlength=len(hh)).astype(np.int16)
        lab.state[retired] = Employment.INACTIVE
        lab.age_years[replaced] = p.entrant_age_years
        lab.state[replaced] = Employment.NONE
        lab.ill_months_left[ageing] = 0

        # one elderly death per household at most per year; the household keeps at least one member
        q = 1.0 - (1.0 - p.elderly_mortality_per_year) ** hh.n_elderly
        dies = (self.rng.random(len(hh)) < q) & (hh.size > 1) & (hh.n_elderly > 0)
        hh.n_elderly[dies] -= 1
        hh.size[dies] -= 1
