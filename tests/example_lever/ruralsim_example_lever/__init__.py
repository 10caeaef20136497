"""Cash for work (以工代赈): villages pay idle labourers of lifted-out households for days of public
works. An example of a lever added from outside ruralsim: this package names `CashForWork` under the
`ruralsim.components` entry point; the scenario gets a `[cash_for_work]` section, the run its indicators,
the dashboard's transition rule switches it (`time_limited`), and it runs after `monitoring`."""

import numpy as np

from sim.core.component import Component
from sim.core.households import Employment
from sim.core.indicators import Indicator
from sim.core.params import param
from sim.levers import policy


class CashForWorkParams(policy.LeverParams):
    yuan_per_worker_month: float = param(
        300.0, unit="yuan per worker per month", ge=0.0, le=5_000.0, source="assumption (example lever)",
        doc="Pay for a month's days of public works to an idle labourer of a lifted-out household.")
    take_up_monthly: float = param(0.2, unit="share", ge=0.0, le=1.0, source="assumption (example lever)",
                                   doc="Chance a month that an idle labourer of a lifted-out household works.")


class CashForWork(Component):
    name = "cash_for_work"
    Params = CashForWorkParams
    after = "monitoring"  # runs after dynamic monitoring, before the month's accounts close
    time_limited = True
    income_sources = {"cash_for_work": "other_transfers"}
    indicators = (
        Indicator("cash_for_work_workers", "labourers", "stock", "Labourers paid for public works this month."),
        policy.cost_indicator("cash_for_work", "Cash-for-work wages paid."),
    )

    def setup(self, model) -> None:
        model.households.add_income_source("cash_for_work")
        self.paid_slots = np.zeros(0, np.intp)

    def step(self, model) -> None:
        hh, lab = model.households, model.labourers
        share = policy.strength(model, self.params)[hh.county[lab.household]]
        idle = (lab.state == Employment.NONE) & (lab.ill_months_left == 0) & hh.lifted_out[lab.household]
        works = idle & (self.rng.random(len(lab)) < self.params.take_up_monthly * share)
        self.paid_slots = np.flatnonzero(works)
        households = lab.household[self.paid_slots]
        hh.credit_at("cash_for_work", households, np.float32(self.params.yuan_per_worker_month))

    def report(self, model, rec) -> None:
        g = model.lab_groups
        rec.put("cash_for_work_workers", g.sum_at(self.paid_slots))
        rec.put("cost_cash_for_work_yuan", g.sum_at(self.paid_slots) * self.params.yuan_per_worker_month)
