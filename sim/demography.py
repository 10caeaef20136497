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


CHUNK = 1 << 18


def draws_at(rng: np.random.Generator, n: int, idx: np.ndarray) -> np.ndarray:
    """`rng.random(n)[idx]` without holding all n draws: the stream is drawn in chunks, which yields
    the same numbers (idx sorted)."""
    out = np.empty(len(idx))
    cuts = np.searchsorted(idx, np.arange(0, n + CHUNK, CHUNK))
    for k, start in enumerate(range(0, n, CHUNK)):
        u = rng.random(min(CHUNK, n - start))
        out[cuts[k]:cuts[k + 1]] = u[idx[cuts[k]:cuts[k + 1]] - start]
    return out


class Demography(Component):
    name = "demography"
    Params = DemographyParams

    def step(self, model) -> None:
        if model.month != 1:
            return
        self._age_labourers(model)
        self._elderly_deaths(model)

    def _age_labourers(self, model) -> None:
        """A year older; those reaching retirement age leave work, some slots taken by a young entrant.

        One uniform per slot, whatever its state (common random numbers); the rest touches only the
        few slots reaching retirement age.
        """
        p, lab, hh = self.params, model.labourers, model.households
        active = lab.state != Employment.INACTIVE
        np.add(lab.age_years, active, out=lab.age_years, casting="unsafe")
        ageing = np.flatnonzero(active & (lab.age_years >= p.retirement_age_years))
        u = draws_at(self.rng, len(lab), ageing)
        household = lab.household[ageing]
        # at most one child per household per year steps into a retiring labourer's slot
        children = (hh.size[household] - hh.n_labourers[household] - hh.n_elderly[household]) > 0
        candidates = np.flatnonzero((u < p.replacement_probability) & children)  # positions in ageing
        _, first = np.unique(household[candidates], return_index=True)
        is_replaced = np.zeros(len(ageing), bool)
        is_replaced[candidates[first]] = True
        replaced, retired = ageing[is_replaced], ageing[~is_replaced]
        np.add.at(hh.n_elderly, household, np.int16(1))  # (matching types: ufunc.at is slow otherwise)
        np.subtract.at(hh.n_labourers, household[~is_replaced], np.int16(1))
        lab.state[retired] = Employment.INACTIVE
        lab.age_years[replaced] = p.entrant_age_years
        lab.state[replaced] = Employment.NONE
        lab.ill_months_left[ageing] = 0

    def _elderly_deaths(self, model) -> None:
        """One elderly death per household at most per year; the household keeps at least one member."""
        p, hh = self.params, model.households
        chance_by_elderly = 1.0 - (1.0 - p.elderly_mortality_per_year) ** np.arange(int(hh.n_elderly.max()) + 1)
        exposed = np.flatnonzero((hh.size > 1) & (hh.n_elderly > 0))
        u = draws_at(self.rng, len(hh), exposed)
        dies = exposed[u < chance_by_elderly[hh.n_elderly[exposed]]]
        hh.n_elderly[dies] -= 1
        hh.size[dies] -= 1
        hh.sizes_changed()
