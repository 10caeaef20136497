"""The labour market for wage work: job finding and loss for local and migrant jobs, and wages.

Workshop jobs and public-welfare posts belong to their levers; this component leaves those
labourers alone (apart from wages it does not pay). One uniform per labourer slot per month drives
both finding (for those out of work) and loss (for those in work), so scenarios share their draws.
"""

import numpy as np

from .component import Component
from .households import Employment
from .params import ASSUMPTION, Section, param


class LabourParams(Section):
    local_job_finding_monthly: float = param(
        0.04, unit="per month", ge=0.0, le=1.0, source=ASSUMPTION,
        doc="Chance a labourer out of wage work finds a local wage job in a month.")
    migrant_job_finding_monthly: float = param(
        0.035, unit="per month", ge=0.0, le=1.0, source=ASSUMPTION,
        doc="Chance a labourer out of wage work finds a migrant job in a month (before training effects).")
    local_job_loss_monthly: float = param(0.03, unit="per month", ge=0.0, le=1.0, source=ASSUMPTION,
                                          doc="Chance a local wage job ends in a month.")
    migrant_job_loss_monthly: float = param(0.025, unit="per month", ge=0.0, le=1.0, source=ASSUMPTION,
                                            doc="Chance a migrant job ends in a month (outside downturns).")
    lifted_out_finding_factor: float = param(
        0.8, unit="ratio", ge=0.0, le=2.0, source=ASSUMPTION,
        doc="Job finding of lifted-out labourers relative to others (skills, networks, health).")
    older_worker_age_years: int = param(50, unit="years", ge=30, le=75, source=ASSUMPTION,
                                        doc="From this age, job finding is reduced by older_worker_finding_factor.")
    older_worker_finding_factor: float = param(0.6, unit="ratio", ge=0.0, le=1.0, source=ASSUMPTION,
                                               doc="Job finding of older labourers relative to younger ones.")


class LabourMarket(Component):
    name = "labour"
    Params = LabourParams

    def setup(self, model) -> None:
        hh, lab = model.households, model.labourers
        hh.add_income_source("wages_local")
        hh.add_income_source("wages_migrant")
        self.lifted_out = hh.lifted_out[lab.household]
        self.wage_bin = 2 * lab.household.astype(np.intp)
        self._update_finding_factor(lab)

    def _update_finding_factor(self, lab) -> None:
        p = self.params
        self.finding_factor = (np.where(self.lifted_out, p.lifted_out_finding_factor, 1.0) * np.where(
            lab.age_years >= p.older_worker_age_years, p.older_worker_finding_factor, 1.0)).astype(np.float32)
        self.largest_finding_factor = float(self.finding_factor.max(initial=0.0))

    def step(self, model) -> None:
        p, lab, hh = self.params, model.labourers, model.households
        if model.month == 1:  # ages change in January
            self._update_finding_factor(lab)
        u = self.rng.random(len(lab), dtype=np.float32)
        # Only slots whose draw is below the largest monthly chance can change state: find them first.
        largest = max(p.local_job_loss_monthly, p.migrant_job_loss_monthly,
                      (p.migrant_job_finding_monthly * float(lab.migrant_finding_multiplier.max())
                       + p.local_job_finding_monthly * float(lab.local_finding_multiplier.max()))
                      * self.largest_finding_factor)
        idx = np.flatnonzero(u < largest)
        ui, state = u[idx], lab.state[idx]
        loses = ((state == Employment.LOCAL) & (ui < p.local_job_loss_monthly)) | (
            (state == Employment.MIGRANT) & (ui < p.migrant_job_loss_monthly))
        seeking = ((state == Employment.NONE) | (state == Employment.FARMING)) & (lab.ill_months_left[idx] == 0)
        f = self.finding_factor[idx]
        f_migrant = p.migrant_job_finding_monthly * f * lab.migrant_finding_multiplier[idx]
        to_migrant = seeking & (ui < f_migrant)
        f_local = p.local_job_finding_monthly * f * lab.local_finding_multiplier[idx]
        to_local = seeking & ~to_migrant & (ui < f_migrant + f_local)
        farms = hh.has_farmland[lab.household[idx]]
        state[loses] = np.where(farms[loses], Employment.FARMING, Employment.NONE)
        state[to_migrant] = Employment.MIGRANT
        state[to_local] = Employment.LOCAL
        lab.state[idx] = state
        self._pay(model)

    def _pay(self, model) -> None:
        """Local and migrant wages per household in one scatter: bin = 2 * household + is_migrant."""
        lab, hh, inc = model.labourers, model.households, model.scenario.income
        growth = (1 + inc.wage_growth_per_year) ** model.years_since_2020
        local = lab.state == Employment.LOCAL
        migrant = lab.state == Employment.MIGRANT
        level = (lab.local_wage_factor * local) * np.float32(growth * inc.local_wage_monthly_2020_yuan)
        level += migrant * np.float32(growth * inc.migrant_wage_monthly_2020_yuan)
        level *= lab.skill
        level *= lab.wage_multiplier
        n = len(hh)
        sums = np.bincount(self.wage_bin + migrant, weights=level, minlength=2 * n).astype(np.float32)
        hh.credit("wages_local", sums[0::2])
        hh.credit("wages_migrant", sums[1::2])
