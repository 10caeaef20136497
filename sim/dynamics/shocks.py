"""Shocks: illness with medical costs, natural disasters on farm income, and migrant job losses.

Illness is drawn as a waiting time per household (sim/core/events.py: the household's next illness, at
the hazard of its size), so a month touches only the households falling ill, and scenarios sharing a
seed share their illnesses; the cost and, for a sick labourer, the slot are drawn for the ill only.
Out-of-pocket costs (after whatever share `households.medical_reimbursement_share` the insurance
lever sets) are rigid expenditure. Disasters hit whole villages for a year of farm income.
"""

import numpy as np
from scipy.special import ndtri

from ..core.component import Component, State
from ..core.events import WaitingTimes, hazard_of, stream_key
from ..core.households import Employment
from ..core.params import ASSUMPTION, Section, param


class ShocksParams(Section):
    illness_monthly_per_person: float = param(
        0.003, unit="per person per month", ge=0.0, le=0.1, source=ASSUMPTION,
        doc="Chance a person has a serious, costly illness in a month.")
    illness_cost_mean_yuan: float = param(
        15_000, unit="yuan", ge=0.0, le=500_000, source=ASSUMPTION,
        doc="Mean total medical cost of a serious illness, before reimbursement.")
    illness_cost_sigma: float = param(1.0, unit="log sd", ge=0.0, le=3.0, source=ASSUMPTION,
                                      doc="Spread of illness costs (lognormal).")
    illness_work_loss_months: int = param(3, unit="months", ge=0, le=24, source=ASSUMPTION,
                                          doc="Months a sick labourer cannot work; their job is lost.")
    disaster_probability_per_village_year: float = param(
        0.04, unit="per village per year", ge=0.0, le=1.0, source=ASSUMPTION,
        doc="Chance a village is hit by drought, hail or flood in a year.")
    disaster_farm_loss_share: float = param(0.4, unit="share", ge=0.0, le=1.0, source=ASSUMPTION,
                                            doc="Share of farm income lost in a hit village.")
    disaster_duration_months: int = param(12, unit="months", ge=1, le=36, source=ASSUMPTION,
                                          doc="Months over which a disaster depresses farm income.")
    migrant_shock_probability_per_year: float = param(
        0.1, unit="per year", ge=0.0, le=1.0, source=ASSUMPTION,
        doc="Chance of a region-wide downturn in migrant labour markets in a year.")
    migrant_shock_job_loss_share: float = param(
        0.2, unit="share", ge=0.0, le=1.0, source=ASSUMPTION,
        doc="Share of migrant workers who lose their job in such a downturn.")


class Shocks(Component):
    name = "shocks"
    Params = ShocksParams
    # village state other components read (the village columns of the same names, `disaster_` before the second)
    states = (
        State("disaster_months_left", np.int16, "months left of a current disaster in the village", per="village"),
        State("farm_loss_share", np.float32, "share of farm income lost to the current disaster", per="village"),
    )

    def setup(self, model) -> None:
        hh = model.households
        hh.add_expense_kind("medical_out_of_pocket")
        model.villages.add("disaster_months_left", self.disaster_months_left)
        model.villages.add("disaster_farm_loss_share", self.farm_loss_share)
        self.migrant_shock_months = []
        self.person_hazard = float(hazard_of(self.params.illness_monthly_per_person))
        self.illness_key = stream_key(self.rng)
        self.illness: WaitingTimes | None = None  # next illness of each household, built at the first step
        self.sizes = hh.size.copy()  # household sizes the illness hazards were set for
        self.sick = np.zeros(0, np.intp)  # labourer slots with months of illness left

    def step(self, model) -> None:
        self._illness(model)
        self._disasters(model)
        self._migrant_downturn(model)

    def _illness(self, model) -> None:
        """Illnesses due this month (a waiting time per household at its size's hazard), their costs and
        the labourers they keep from work."""
        p, hh, lab = self.params, model.households, model.labourers
        self._recover(lab)
        ill = self._ill_households(model)
        if len(ill) == 0:
            return
        cost_quantile, who = self.rng.random((2, len(ill)))
        sigma = p.illness_cost_sigma
        cost = p.illness_cost_mean_yuan * np.exp(sigma * ndtri(cost_quantile) - sigma**2 / 2)
        reimbursed = hh.medical_reimbursement_share[ill]  # set by the insurance lever; 0 without it
        hh.charge_at("medical_out_of_pocket", ill, (cost * (1.0 - reimbursed)).astype(np.float32))

        # the sick member is a labourer with chance (labour slots / size); that labourer stops work
        slots = hh.labour_slots[ill]
        pick = np.floor(who * hh.size[ill]).astype(np.int64)
        is_labourer = pick < slots
        slot = hh.first_labourer[ill[is_labourer]] + pick[is_labourer]
        slot = slot[lab.state[slot] != Employment.INACTIVE]
        lab.ill_months_left[slot] = p.illness_work_loss_months
        lab.state[slot] = Employment.NONE
        if p.illness_work_loss_months > 0:  # a slot twice in the list is harmless: `_recover` counts it once
            self.sick = np.concatenate([self.sick, slot])

    def _ill_households(self, model) -> np.ndarray:
        """Households whose illness falls in this month; hazards follow household sizes (January)."""
        hh, month = model.households, model.month_index
        if self.illness is None:
            self.illness = WaitingTimes(self.illness_key, hh.size * self.person_hazard, month)
            self.sizes = hh.size.copy()
        elif model.month == 1:  # sizes change only in January (elderly deaths)
            changed = np.flatnonzero(hh.size != self.sizes)
            self.illness.change(changed, month, hh.size[changed] * self.person_hazard,
                                self.sizes[changed] * self.person_hazard)
            self.sizes[changed] = hh.size[changed]
        ill = self.illness.due(month)
        self.illness.renew(ill, month, hh.size[ill] * self.person_hazard)
        return ill

    def _recover(self, lab) -> None:
        """One month less of illness for the sick (a short list, not a pass over every slot).

        Fancy-index assignment writes a repeated slot once, so repeats in the list decrement once."""
        sick = self.sick[lab.ill_months_left[self.sick] > 0]  # others may have reset a slot (retirement)
        lab.ill_months_left[sick] -= 1
        self.sick = sick[lab.ill_months_left[sick] > 0]

    def _disasters(self, model) -> None:
        p = self.params
        ongoing = self.disaster_months_left > 0
        self.disaster_months_left[ongoing] -= 1
        hit = self.rng.random(len(self.disaster_months_left)) < p.disaster_probability_per_village_year / 12
        self.disaster_months_left[hit] = p.disaster_duration_months
        self.farm_loss_share[:] = np.where(self.disaster_months_left > 0, p.disaster_farm_loss_share, 0.0)

    def _migrant_downturn(self, model) -> None:
        p, lab = self.params, model.labourers
        if self.rng.random() >= p.migrant_shock_probability_per_year / 12:
            return
        self.migrant_shock_months.append(model.date)
        loses = (lab.state == Employment.MIGRANT) & (self.rng.random(len(lab)) < p.migrant_shock_job_loss_share)
        lab.state[loses] = Employment.NONE
