"""The labour market for wage work: job finding and loss for local and migrant jobs, and wages.

Workshop jobs and public-welfare posts belong to their levers; this component leaves those
labourers alone (apart from wages it does not pay). Transitions are drawn as waiting times per slot
(sim/core/events.py), so a month costs work only for the slots that change, and scenarios run on one seed
share each slot's luck.
"""

import numpy as np

from .. import kernels
from ..core.component import Component
from .income import wage_index
from ..core.events import WaitingTimes, hazard_of, stream_key
from ..core.households import Employment
from ..core.params import ASSUMPTION, Section, param


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
    """Job finding and loss as waiting times (sim/core/events.py), wages as per-household sums kept up to date.

    Each labourer slot holds the time of its next transition at the hazard of its state: job loss for
    local and migrant workers, finding for those out of wage work. Each month only the slots due are
    touched; slots another component moved (a workshop hire, an illness, retirement) are found by
    comparing states with last month's and get the hazard of their new state. An illness blocks job
    finding: a finding due while ill is dropped and a fresh waiting time drawn (memoryless, so this is
    exactly "no trial while ill"). Finding chances change with age (January) and with the multipliers
    levers set, which they report (`Labourers.multipliers_changed`); only those slots are re-derived.

    Wages: each household's wage bases (skill x multipliers over its local workers, and
    over its migrant workers) change only when a slot enters or leaves wage work, so they are updated
    for those slots alone, and the month's wages are the bases times the month's wage levels.
    """

    name = "labour"
    Params = LabourParams
    income_sources = {"wages_local": "wages_local", "wages_migrant": "wages_migrant"}

    def setup(self, model) -> None:
        hh, lab = model.households, model.labourers
        hh.add_income_source("wages_local")
        hh.add_income_source("wages_migrant")
        self.budget_key, self.destination_key = stream_key(self.rng), stream_key(self.rng)
        self.times: WaitingTimes | None = None  # built at the first step, after every lever's setup
        self.known_state = lab.state.copy()
        # hazard by state (index state + 1); SEEKING marks states whose hazard is the slot's finding hazard
        p = self.params
        self.state_hazard = np.zeros(max(model.employment_names) + 2, np.float32)  # by state + 1; lever jobs 0
        self.state_hazard[Employment.LOCAL + 1] = hazard_of(p.local_job_loss_monthly)
        self.state_hazard[Employment.MIGRANT + 1] = hazard_of(p.migrant_job_loss_monthly)
        self.state_hazard[[Employment.NONE + 1, Employment.FARMING + 1]] = SEEKING

    def step(self, model) -> None:
        if self.times is None:
            self._start(model)
        else:
            self._follow_changes(model)
            self._follow_inputs(model)
        self._transitions(model)
        self._pay(model)

    # --- hazards -----------------------------------------------------------------------------
    def _start(self, model) -> None:
        """First month: every slot's finding chances, waiting time and the households' wage bases."""
        lab = model.labourers
        n = len(lab)
        self.finding_hazard = np.zeros(n, np.float32)
        self.older = np.zeros(n, bool)  # the age group the finding chances were derived for
        lab.changed_slots.clear()  # everything is derived from the current multipliers now
        lab.wages_changed = False
        self._derive(model, np.arange(n))
        self.times = WaitingTimes(self.budget_key, self._hazard(np.arange(n), lab.state), model.month_index)
        self._rebuild_wage_bases(model)
        self.known_state[:] = lab.state

    def _derive(self, model, slots: np.ndarray) -> None:
        """Finding hazard of `slots`, from their age and multipliers."""
        p, lab = self.params, model.labourers
        self.older[slots] = lab.age_years[slots] >= p.older_worker_age_years
        f_migrant, f_local = self._finding_chances(model, slots)
        self.finding_hazard[slots] = hazard_of(np.minimum(f_migrant + f_local, np.float32(1.0)))

    def _finding_chances(self, model, slots: np.ndarray):
        """Monthly chances of finding migrant and local work (for the age group last derived)."""
        p, lab = self.params, model.labourers
        factor = (np.where(lab.lifted_out[slots], np.float32(p.lifted_out_finding_factor), np.float32(1.0))
                  * np.where(self.older[slots], np.float32(p.older_worker_finding_factor), np.float32(1.0)))
        f_migrant = factor * np.float32(p.migrant_job_finding_monthly) * lab.migrant_finding_multiplier[slots]
        f_local = factor * np.float32(p.local_job_finding_monthly) * lab.local_finding_multiplier[slots]
        return f_migrant, f_local

    def _follow_inputs(self, model) -> None:
        """Slots whose age group (January) or multipliers (reported by levers) changed: new hazards."""
        p, lab = self.params, model.labourers
        parts = list(lab.changed_slots)
        if model.month == 1:
            parts.append(np.flatnonzero((lab.age_years >= p.older_worker_age_years) != self.older))
        if not parts:
            return
        slots = np.concatenate(parts)  # repeats are harmless: every update below writes the same value twice
        lab.changed_slots.clear()
        state = lab.state[slots]
        old = self._hazard(slots, state)
        self._derive(model, slots)
        self.times.change(slots, model.month_index, self._hazard(slots, state), old)
        if lab.wages_changed:
            self._rebuild_wage_bases(model)
            lab.wages_changed = False

    def _hazard(self, slots: np.ndarray, state: np.ndarray) -> np.ndarray:
        """Monthly hazard of the slots in the given states: loss in wage work, finding out of it, else 0."""
        hazard = np.take(self.state_hazard, state + 1)
        seeking = np.flatnonzero(hazard == SEEKING)
        hazard[seeking] = self.finding_hazard[slots[seeking]]
        return hazard

    def _follow_changes(self, model) -> None:
        """Slots other components moved since last month: new hazards, wage bases updated."""
        lab = model.labourers
        changed, hazard, old_hazard = kernels.state_changes(  # (wage bases and known states follow)
            lab.state, self.known_state, self.times.scratch_mask, self.state_hazard, SEEKING, self.finding_hazard,
            lab.household, lab.skill, lab.wage_multiplier, self.local_base, self.migrant_base, Employment.LOCAL,
            Employment.MIGRANT)
        if len(changed):
            self.times.change(changed, model.month_index, hazard, old_hazard)

    # --- the month's transitions ---------------------------------------------------------------
    def _transitions(self, model) -> None:
        """Slots due this month lose their job or find one; the destination is a hashed draw per event.

        One compiled pass over the slots due (`kernels.labour_month`): moves, destinations, wage bases
        and the new budgets' uniforms; the waiting times are finished in NumPy (`WaitingTimes.restart`:
        the same float32 logarithm as every other waiting time).
        """
        p, lab, hh, month = self.params, model.labourers, model.households, model.month_index
        due, uniforms, hazard = kernels.labour_month(
            self.times.time, month, self.times.scratch_mask, lab.state, self.state_hazard, SEEKING, lab.household,
            hh.has_farmland, lab.ill_months_left, Employment.FARMING, Employment.NONE, self.finding_hazard,
            self.times.count, self.times.key, self.destination_key, lab.lifted_out, self.older,
            np.float32(p.lifted_out_finding_factor), np.float32(p.older_worker_finding_factor),
            np.float32(p.migrant_job_finding_monthly), np.float32(p.local_job_finding_monthly),
            lab.migrant_finding_multiplier, lab.local_finding_multiplier, Employment.LOCAL, Employment.MIGRANT,
            self.local_base, self.migrant_base, lab.skill, lab.wage_multiplier, self.known_state)
        self.times.restart(due, uniforms, month + 1, hazard)

    # --- wages -------------------------------------------------------------------------------
    def _rebuild_wage_bases(self, model) -> None:
        """Each household's sum of wage values over its local and over its migrant workers."""
        lab = model.labourers
        self.local_base, self.migrant_base = kernels.wage_bases(
            lab.state, lab.household, lab.skill, lab.wage_multiplier, len(model.households),
            Employment.LOCAL, Employment.MIGRANT)

    def _pay(self, model) -> None:
        """This month's wages: the households' wage bases times the month's wage levels."""
        hh, inc = model.households, model.scenario.income
        growth = wage_index(model)
        hh.credit_scaled("wages_local", self.local_base, growth * inc.local_wage_monthly_2020_yuan)
        hh.credit_scaled("wages_migrant", self.migrant_base, growth * inc.migrant_wage_monthly_2020_yuan)


SEEKING = np.float32(-1.0)  # marker in the hazard-by-state table: the slot's own finding hazard applies
