"""Dynamic monitoring against return to poverty: identify households at risk, assist them, and let them
go once their income is stably above the line.

Detection uses one exponential "detection budget" per household instead of a uniform draw per household
per month: each month an at-risk household spends the hazard −log(1 − p) of its county's combined
detection chance p, and it is identified when the budget runs out. That is exactly a monthly Bernoulli
trial with chance p, costs work only for the at-risk households, and couples scenarios: with the same
seed and the same circumstances a household is identified no earlier under weaker detection. Budgets are
a hash of (stream key, household, detection count), so a household's luck does not depend on the order
of other households' detections.

The lever judges households on income excluding its own payments (kept in a sparse 12-month ring), so
a top-up never chases itself and nobody is declared out of risk on the strength of the aid alone.
"""

from collections import deque
from typing import Literal

import numpy as np

from . import kernels, policy
from .component import Component
from .events import hashed_exponential
from .households import MonitoringCategory
from .indicators import Indicator
from .params import param

SEED_001 = "seed 001_c23c8de74b03ebd3.txt: 'Trinity' monitoring of self-declaration, cadre visits, department screening"


class MonitoringParams(policy.LeverParams):
    self_declaration_monthly: float = param(
        0.03, unit="per household per month", ge=0.0, le=1.0, source=f"{SEED_001}; rate an assumption",
        doc="Chance a month that an at-risk household declares itself (before county intensity).")
    cadre_visit_monthly: float = param(
        0.05, unit="per household per month", ge=0.0, le=1.0, source=f"{SEED_001}; rate an assumption",
        doc="Chance a month that village cadres' visits find an at-risk household.")
    data_screening_monthly: float = param(
        0.08, unit="per household per month", ge=0.0, le=1.0, source=f"{SEED_001}; rate an assumption",
        doc="Chance a month that departmental data screening and early warning flags an at-risk household.")
    detection_multiplier: float = param(
        1.0, unit="ratio", ge=0.0, le=10.0,
        source="calibrated to Xinzhou's 3,741 newly identified households in 2024 (seed 000); "
        "calibration/targets.toml",
        doc="Factor on all three channels' rates: how thoroughly the mechanism is applied in practice. "
        "The channels' split is not identified by the seed totals, their product with this factor is.")
    initial_monitored_share: float = param(
        0.85, unit="share of at-risk households", ge=0.0, le=1.0,
        source="assumption: the mechanism began in 2020; twelve months at the default detection rates find "
        "1 - 0.848^12 = 86% of households at risk",
        doc="Share of households at risk when the 12-month accounts are first full (end of the warm-up) that "
        "are already monitored then. Kept apart from the channel rates so a detection scenario changes "
        "identification from the start month on, not the inherited stock.")
    processing_lag_months: int = param(
        1, unit="months", ge=0, le=12, source="public: identification within about 15 days once flagged",
        doc="Months from being flagged to being monitored and assisted.")
    rigid_expenditure_trigger_share: float = param(
        0.5, unit="share of 12-month income", gt=0.0, lt=1.0,
        source="assumption: large medical costs relative to income mark sudden hardship",
        doc="A household is at risk when its 12-month rigid expenditure exceeds this share of its income.")
    security_top_up_to: Literal["monitoring_line", "poverty_line"] = param(
        "monitoring_line", unit="line",
        source="seed 001_c23c8de74b03ebd3.txt: comprehensive security for those who cannot work",
        doc="Line up to which comprehensive security tops up the net income of households with no labourer.")
    security_margin_share: float = param(
        0.05, unit="share of the line", ge=0.0, le=1.0,
        source="assumption: a top-up standard a year's line growth above the line, so recipients clear it "
        "in the rolling 12-month check after the line rises each January",
        doc="Comprehensive security tops up to the line times (1 + this share).")
    development_assistance_yuan_per_month: float = param(
        80.0, unit="yuan per household per month", ge=0.0, le=5_000,
        source="assumption: industry incentive subsidies of about 1,000 yuan per household a year",
        doc="Cash development assistance to monitored households with labourers (jobs priority comes on top).")
    stable_months_for_elimination: int = param(
        6, unit="months", ge=1, le=36, source="assumption: risk eliminated after half a year stably above the line",
        doc="Consecutive months at or above the line (without the lever's payments) before risk is eliminated.")
    admin_cost_yuan_per_household_month: float = param(
        30.0, unit="yuan per monitored household per month", ge=0.0, le=2_000,
        source="assumption: cadre visits, verification and data work",
        doc="Administrative cost of keeping a household under monitoring.")


class Monitoring(Component):
    name = "monitoring"
    Params = MonitoringParams
    indicators = (
        Indicator("monitored_households", "households", "stock", "Households under return-to-poverty monitoring."),
        Indicator("monitored_persons", "persons", "stock", "People in monitored households."),
        Indicator("newly_identified_households", "households", "flow",
                  "Households that became monitoring targets this month (after the processing lag)."),
        Indicator("newly_identified_persons", "persons", "flow", "People in those households."),
        Indicator("risk_eliminated_households", "households", "flow",
                  "Monitored households whose risk was eliminated this month (stably above the line)."),
        policy.cost_indicator("monitoring", "Comprehensive security and development assistance paid, plus the "
                              "administrative cost of monitored households."),
    )

    def setup(self, model) -> None:
        hh = model.households
        n = len(hh)
        hh.add_income_source("comprehensive_security")
        hh.add_income_source("development_assistance")
        self.key = np.uint64(self.rng.integers(0, 2**63))
        self.detections = np.zeros(n, np.uint16)  # detections so far: the budget's hash counter
        self.budget = _unit_exponential(self.key, np.arange(n), self.detections)
        self.queue: deque = deque()  # (due month index, households, categories)
        self.stable_months = np.zeros(n, np.int8)  # at most stable_months_for_elimination (<= 36)
        # the lever's own payments of the last 12 months: a sparse ring and the dense 12-month sum
        self.paid_12m = np.zeros(n, np.float64)
        self.ring: list[tuple[np.ndarray, np.ndarray]] = [(_NONE, np.zeros(0, np.float32))] * 12
        self.ring_pos = 0
        self.started = False
        # scratch arrays reused every month (full-scale arrays are costly to allocate)
        # net income without the lever's payments as judged this month, kept for the monitored households
        self.net = np.zeros(n, np.float32)
        self.risk = np.zeros(n, bool)
        self.flagged, self.scratch_bool = np.zeros(n, bool), np.zeros(n, bool)  # flagged: pending or monitored
        self.new_idx = self.eliminated_idx = self.monitored_idx = _NONE
        self.admin_weight = 1.0
        self.paid_month = np.zeros(0, np.float32)

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
        if self.started:
            hazard = self._county_hazard(model, strength)
        else:  # the inherited stock: the same households in every scenario run on the seed
            hazard = np.full(len(model.counties), -np.log1p(-min(p.initial_monitored_share, 1.0 - 1e-12)))
        found = self._find(hh, line, hazard)
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

    def _find(self, hh, line: float, county_hazard: np.ndarray) -> np.ndarray:
        """Households found at risk this month: judged without the lever's own payments, below the line or
        with rigid expenditure over the trigger share of income (fills the reused mask `self.risk`); those
        at risk and not yet flagged spend their county's hazard from their detection budget, and are found
        when it runs out.

        Rigid expenditure above a share s of income (net + expenditure) is expenditure above s / (1 - s)
        of net income. One compiled pass over the households (`kernels.monitoring_risk`).
        """
        share = self.params.rigid_expenditure_trigger_share
        return kernels.monitoring_risk(hh.net_12m_yuan, self.paid_12m, hh.expense_12m_yuan, hh.size,
                                       np.float32(line), share / (1.0 - share), self.flagged, self.risk,
                                       self.scratch_bool, self.budget, hh.county, county_hazard)

    def net_at(self, hh, idx: np.ndarray) -> np.ndarray:
        """12-month net income of households `idx` without the lever's own payments (float64)."""
        return hh.net_12m_yuan[idx] - self.paid_12m[idx]

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
        """Count months out of risk; release households stable long enough, and all where the lever ended;
        assist the others: comprehensive security for households that cannot work, development assistance
        for the others. One compiled loop over the monitored households (`kernels.monitoring_month`)."""
        p, hh = self.params, model.households
        line = model.monitoring_line_yuan if p.security_top_up_to == "monitoring_line" else model.poverty_line_yuan
        monitored = kernels.positive(hh.monitoring_category, self.scratch_bool)
        self.eliminated_idx, idx, paid, secured, security, developed, development = kernels.monitoring_month(
            monitored, hh.monitoring_category, self.stable_months, self.risk, self.flagged, hh.county,
            np.asarray(strength, np.float64), hh.n_labourers, hh.size, hh.net_12m_yuan, self.paid_12m, self.net,
            p.stable_months_for_elimination, float(line * (1.0 + p.security_margin_share)),
            float(p.development_assistance_yuan_per_month), bool(np.any(strength == 0)))
        self.monitored_idx, self.paid_month = idx, paid
        # tapering: detection effort, payments and administration scale with strength
        self.admin_weight = 1.0 if np.all(strength == 1.0) else strength[hh.county[idx]]
        hh.credit_at("comprehensive_security", secured, security)
        hh.credit_at("development_assistance", developed, development)
        self._roll(idx, paid)

    def _roll(self, idx: np.ndarray, paid: np.ndarray) -> None:
        """Roll this month's payments into the lever's own 12-month sum, dropping the month that falls out.

        float64 sums of float32 payments: adding and later subtracting the same value leaves an error
        far below a yuan over any horizon, so no periodic rebuild is needed.
        """
        old_idx, old_paid = self.ring[self.ring_pos]
        kernels.roll_payments(self.paid_12m, old_idx, old_paid, idx, paid)
        paid_some = np.flatnonzero(paid > 0)  # the ring keeps only actual payments, with 32-bit household numbers
        self.ring[self.ring_pos] = (idx[paid_some].astype(np.int32), paid[paid_some])
        self.ring_pos = (self.ring_pos + 1) % 12

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
        rec.put("cost_monitoring_yuan", g.sum_at(idx, self.paid_month + p.admin_cost_yuan_per_household_month
                                                 * self.admin_weight))


_NONE = np.zeros(0, np.intp)


def _unit_exponential(key: np.uint64, households: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Standard exponential variates, one per (household, draw number), from a splitmix64 hash of the key.

    Counter-based, so a household's k-th detection budget is the same in every scenario run on the seed.
    """
    return hashed_exponential(key, households, draws).astype(np.float32)
