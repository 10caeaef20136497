"""Dynamic monitoring against return to poverty: identify households at risk, assist them, and let them
go once their income is stably above the line.

Detection uses one exponential "detection budget" per household instead of a uniform draw per household
per month: each month an at-risk household spends the hazard −log(1 − p) of its county's combined
detection chance p, and it is identified when the budget runs out. That is exactly a monthly Bernoulli
trial with chance p, costs work only for the at-risk households, and couples scenarios: with the same
seed and the same circumstances a household is identified no earlier under weaker detection. Budgets are
a hash of (stream key, household, detection count), so a household's luck does not depend on the order
of other households' detections.

The lever judges households as administrations do: on verified own income (sim/dynamics/verification.py:
the annual survey, and for monitored households the cadres' visits; without means-tested assistance, so
nobody is declared out of risk on the lever's aid alone), on income collapses that screening sees between
surveys, and on sudden hardship by the official rule: per-capita income after rigid expenditure below the
monitoring line. Households that cannot work are referred to dibao and extreme-poverty support and, once
covered, leave the active stock for permanent social-assistance support.

This file holds the lever: parameters, declared states, indicators, setup/step/report; its two compiled
passes (`find_at_risk`, `monitor_month`) over one bundle of household arrays (`Arrays`), each with the
NumPy code it must match, are in sim/levers/monitoring_kernels.py.
"""

import re
from collections import deque

import numpy as np
from pydantic import field_validator

from . import policy
from .. import kernels
from ..core.component import Component, State
from ..core.events import hashed_exponential
from ..core.households import MonitoringCategory
from ..core.indicators import Indicator
from ..core.params import param
from ..dynamics.verification import Verification
from .monitoring_kernels import Arrays, find_at_risk, find_at_risk_numpy, monitor_month, monitor_month_numpy  # noqa: F401

SEED_001 = "seed 001_c23c8de74b03ebd3.txt: 'Trinity' monitoring of self-declaration, cadre visits, department screening"


class MonitoringParams(policy.LeverParams):
    self_declaration_monthly: float = param(
        0.05, unit="per household per month", ge=0.0, le=1.0, source=f"{SEED_001}; rate an assumption",
        doc="Chance a month that an at-risk household declares itself (before county intensity).")
    cadre_visit_monthly: float = param(
        0.10, unit="per household per month", ge=0.0, le=1.0,
        source=f"{SEED_001}; rate an assumption: village cadres visit every household at least once a year in "
        "the annual survey and key households monthly",
        doc="Chance a month that village cadres' visits find an at-risk household.")
    data_screening_monthly: float = param(
        0.15, unit="per household per month", ge=0.0, le=1.0,
        source=f"{SEED_001}; rate an assumption: departments compare medical, education, civil-affairs and "
        "employment records with the lifted-out register monthly to quarterly",
        doc="Chance a month that departmental data screening and early warning flags an at-risk household.")
    detection_multiplier: float = param(
        1.0, unit="ratio", ge=0.0, le=10.0,
        source="assumption: 1, the documented channel rates (not calibrated: with them nearly every household "
        "at risk is found within the year, so the count of new identifications does not inform it)",
        doc="Factor on all three channels' rates: how thoroughly the mechanism is applied in practice. At 1 a "
        "household persistently at risk is found within a year with chance 0.98.")
    mechanism_start_month: str = param(
        "2020-03", unit="YYYY-MM",
        source="public: State Council Leading Group guideline establishing return-to-poverty monitoring, March 2020",
        doc="When identification began: households at risk at the start of the run have been exposed to detection "
        "since then, so the inherited monitored stock follows from the channel rates.")
    processing_lag_months: int = param(
        1, unit="months", ge=0, le=12, source="public: identification within about 15 days once flagged",
        doc="Months from being flagged to being monitored and assisted.")
    income_drop_trigger_share: float = param(
        0.5, unit="share of verified income", gt=0.0, lt=1.0,
        source="assumption: screening flags a large fall of income ('收入大幅缩减') between surveys",
        doc="Between surveys a household is at risk when its own 12-month income is below the line and has "
        "fallen by more than this share from its verified income.")
    development_assistance_yuan_per_month: float = param(
        80.0, unit="yuan per household per month", ge=0.0, le=5_000,
        source="assumption: industry incentive subsidies of about 1,000 yuan per household a year",
        doc="Cash development assistance to monitored households with labourers (jobs priority comes on top).")
    stable_months_for_elimination: int = param(
        6, unit="months", ge=1, le=36,
        source="public: national rule, income stably above the monitoring range for in principle at least half a "
        "year (county notices implementing the 2021 guideline)",
        doc="Consecutive months out of risk before risk is eliminated: verified income at or above the line "
        "(without the lever's payments), or for households that cannot work also covered by dibao or "
        "extreme-poverty support (then moved into permanent social-assistance support).")
    reverification_interval_months: int = param(
        3, unit="months", ge=1, le=12,
        source="assumption: assistance cadres visit monitored households monthly to quarterly and update their "
        "records in the monitoring system each quarter (local implementation rules)",
        doc="Months between visits that re-verify a monitored household's income (in months divisible by it).")
    admin_cost_yuan_per_household_month: float = param(
        30.0, unit="yuan per monitored household per month", ge=0.0, le=2_000,
        source="assumption: cadre visits, verification and data work",
        doc="Administrative cost of keeping a household under monitoring.")


    @field_validator("mechanism_start_month")
    @classmethod
    def _month(cls, v: str) -> str:
        if not re.fullmatch(r"(20[1-4]\d)-(0[1-9]|1[0-2])", v):
            raise ValueError("must be a month 'YYYY-MM' between 2010-01 and 2049-12")
        return v


class Monitoring(Component):
    name = "monitoring"
    Params = MonitoringParams
    income_sources = {"development_assistance": "other_transfers"}
    states = (
        State("detections", np.uint16, "times found so far: the counter of the detection budget's hash"),
        State("budget", np.float32, "detection budget left (unit exponential); found when it runs out"),
        State("stable_months", np.int8, "consecutive months out of risk while monitored (at most 36)"),
        State("risk", np.bool_, "at risk this month, as the register sees it"),
        State("flagged", np.bool_, "found: waiting for enrolment, monitored, or in permanent support"),
        State("supported", np.bool_, "risk eliminated into permanent social-assistance support"),
    )
    indicators = (
        Indicator("monitored_households", "households", "stock",
                  "Households under active return-to-poverty monitoring (not those moved into permanent support)."),
        Indicator("monitored_persons", "persons", "stock", "People in monitored households."),
        Indicator("newly_identified_households", "households", "flow",
                  "Households that became monitoring targets this month (after the processing lag)."),
        Indicator("newly_identified_persons", "persons", "flow", "People in those households."),
        Indicator("risk_eliminated_households", "households", "flow",
                  "Monitored households whose risk was eliminated this month (stably above the line, or covered "
                  "by social assistance for those that cannot work)."),
        Indicator("permanent_support_households", "households", "stock",
                  "Households that cannot work whose risk was eliminated into permanent social-assistance support "
                  "(dibao or extreme-poverty support), reported apart from the active monitoring stock."),
        Indicator("permanent_support_persons", "persons", "stock", "People in those households."),
        policy.cost_indicator("monitoring", "Development assistance paid, plus the administrative cost of "
                              "monitored households."),
    )

    def setup(self, model) -> None:
        hh = model.households
        n = len(hh)
        hh.add_assistance_source("development_assistance")
        self.key = np.uint64(self.rng.integers(0, 2**63))
        self.budget[:] = _unit_exponential(self.key, np.arange(n), self.detections)
        self.queue: deque = deque()  # (due month index, households, categories)
        self.started = False
        self.scratch_bool = np.zeros(n, bool)
        self.new_idx = self.eliminated_idx = self.monitored_idx = _NONE
        self.admin_weight = 1.0
        self.paid_month = np.zeros(0, np.float32)
        year, month = (int(x) for x in self.params.mechanism_start_month.split("-"))
        self.months_operating_at_start = max(0, model.start_month_index - (year * 12 + month - 1))

    # --- the month ---------------------------------------------------------------------------
    def step(self, model) -> None:
        hh = model.households
        self.new_idx = self.eliminated_idx = self.monitored_idx = _NONE
        self.paid_month, self.admin_weight = np.zeros(0, np.float32), 1.0
        if hh.months_accounted < 12:  # 12-month sums not yet full: nothing to judge on
            return
        p = self.params
        strength = policy.strength(model, p)
        line = float(model.monitoring_line_yuan)
        hazard = self._county_hazard(model, strength)
        if not self.started:
            # the inherited stock: at risk now and found at some point since the mechanism began, at the same
            # rates (the same households in every scenario run on the seed)
            hazard = hazard * self.months_operating_at_start
        if self.started and model.month % p.reverification_interval_months == 0:
            # visits: the verified income of the monitored
            Verification.reverify(hh, kernels.positive(hh.monitoring_category, self.scratch_bool))
        found = self._find(model, line, hazard)
        self.detections[found] += 1
        self.budget[found] = _unit_exponential(self.key, found, self.detections[found])
        # not lifted out: marginal if income is under the line even before rigid spending, else the
        # spending is what put the household at risk (sudden severe hardship)
        low_income = self.net_at(hh, found) + hh.expense_12m_yuan[found] < hh.size[found] * np.float32(line)
        category = np.where(hh.lifted_out[found], MonitoringCategory.UNSTABLE_LIFTED_OUT,
                            np.where(low_income, MonitoringCategory.MARGINAL,
                                     MonitoringCategory.SUDDEN_HARDSHIP)).astype(np.int8)
        self.flagged[found] = True
        if not self.started:  # the stock monitored at the start: already enrolled, not newly identified
            hh.monitoring_category[found] = category
            self.started = True
        else:
            self.queue.append((model.month_index + p.processing_lag_months, found, category))
        self._enrol_due(model, strength)
        self._eliminate(model, strength)

    def _find(self, model, line: float, county_hazard: np.ndarray) -> np.ndarray:
        """Households found at risk this month (`find_at_risk`, one compiled pass over the households)."""
        extra = np.float64(getattr(model, "register_extra_per_person_yuan", 0.0))
        return find_at_risk(self.arrays(model.households), extra, np.float32(line),
                            1.0 - self.params.income_drop_trigger_share, county_hazard)

    def arrays(self, hh) -> "Arrays":
        """The bundle of household arrays the compiled passes read and write."""
        return Arrays(hh.verified_income_yuan, hh.net_12m_yuan, hh.assistance_12m_yuan, hh.expense_12m_yuan,
                      hh.size, hh.county, hh.n_labourers, hh.social_assistance, hh.monitoring_category,
                      hh.assistance_referral, self.flagged, self.supported, self.risk, self.scratch_bool,
                      self.budget, self.stable_months)

    @staticmethod
    def net_at(hh, idx: np.ndarray) -> np.ndarray:
        """12-month net income of households `idx` without means-tested assistance (float64)."""
        return hh.net_12m_yuan[idx].astype(np.float64) - hh.assistance_12m_yuan[idx]

    def _county_hazard(self, model, strength: np.ndarray) -> np.ndarray:
        """Per county, −log of the chance that no channel finds an at-risk household this month."""
        p = self.params
        effort = policy.intensity(model) * strength
        miss = np.ones(len(effort))
        for rate in (p.self_declaration_monthly, p.cadre_visit_monthly, p.data_screening_monthly):
            miss *= 1.0 - np.minimum(rate * p.detection_multiplier * effort, 1.0)
        return -np.log(np.maximum(miss, 1e-12))

    def _enrol_due(self, model, strength) -> None:
        hh = model.households
        due = []
        while self.queue and self.queue[0][0] <= model.month_index:
            _, idx, category = self.queue.popleft()
            keep = strength[hh.county[idx]] > 0  # where the lever has ended, flagged households are dropped
            self.flagged[idx[~keep]] = False
            idx, category = idx[keep], category[keep]
            hh.monitoring_category[idx] = category
            self.stable_months[idx] = 0
            due.append(idx)
        if due:
            self.new_idx = np.concatenate(due)

    def _eliminate(self, model, strength) -> None:
        """Count months out of risk; release households stable long enough (those that cannot work into
        permanent social-assistance support), and all where the lever ended; refer those that cannot work
        to dibao and extreme-poverty support, pay development assistance to the others. One compiled loop
        over the monitored households (`monitor_month`)."""
        p, hh = self.params, model.households
        monitored = kernels.positive(hh.monitoring_category, self.scratch_bool)
        self.eliminated_idx, _, idx, paid, developed, development = monitor_month(
            self.arrays(hh), monitored, np.asarray(strength, np.float64), p.stable_months_for_elimination,
            float(p.development_assistance_yuan_per_month), bool(np.any(strength == 0)))
        self.monitored_idx, self.paid_month = idx, paid
        # tapering: detection effort, payments and administration scale with strength
        self.admin_weight = 1.0 if np.all(strength == 1.0) else strength[hh.county[idx]]
        hh.credit_assistance("development_assistance", developed, development)

    # --- indicators --------------------------------------------------------------------------
    def report(self, model, rec) -> None:
        """Sums over the few households concerned rather than masks over all of them (cheaper at full scale)."""
        hh, g, p = model.households, model.hh_groups, self.params
        idx = self.monitored_idx
        rec.put("monitored_households", g.sum_at(idx))
        rec.put("monitored_persons", g.sum_at(idx, hh.size[idx]))
        rec.put("newly_identified_households", g.sum_at(self.new_idx))
        rec.put("newly_identified_persons", g.sum_at(self.new_idx, hh.size[self.new_idx]))
        rec.put("risk_eliminated_households", g.sum_at(self.eliminated_idx))
        supported = np.flatnonzero(self.supported)
        rec.put("permanent_support_households", g.sum_at(supported))
        rec.put("permanent_support_persons", g.sum_at(supported, hh.size[supported]))
        rec.put("cost_monitoring_yuan", g.sum_at(idx, self.paid_month + p.admin_cost_yuan_per_household_month
                                                 * self.admin_weight))


_NONE = np.zeros(0, np.intp)


def _unit_exponential(key: np.uint64, households: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Standard exponential variates, one per (household, draw number), from a splitmix64 hash of the key.

    Counter-based, so a household's k-th detection budget is the same in every scenario run on the seed.
    """
    return hashed_exponential(key, households, draws).astype(np.float32)
