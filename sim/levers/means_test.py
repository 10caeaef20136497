"""What the means-tested social-assistance programmes share (dibao, extreme-poverty support): enrolment,
review, gradual exit and payment by the compiled means test.

A programme is enrolled at the first month of the warm-up from the estimate of each household's income
(sim/dynamics/verification.py), so that the 12-month income of the first recorded month already holds a year of
assistance: the registered poor exited in 2019-2020 after every household had been verified above the
line, with dibao or extreme-poverty support for those who could not get there by work (take-up 1 for
lifted-out households). From then on the means test runs on the verified income once the 12-month
accounts are full. Payments are booked as means-tested assistance (`Households.credit_assistance`), so
verified own income leaves them out and a top-up never removes its own eligibility.
"""

import numpy as np

from .. import kernels
from ..core.component import Component, State
from ..core.events import hashed_uniform, stream_key
from ..core.households import MONTHS_PER_YEAR
from ..core.indicators import Indicator
from ..core.params import Section, param


class MeansTested(Component):
    """Subclasses set `code`, `takes_over_code`, `Params` (a ProgrammeParams) and implement `group_ok`,
    `threshold_person_yuan` and `flat_person_yuan`."""

    code: int
    takes_over_code: int = -1
    source: str  # the income source its payments are booked as
    states = (
        State("take_up_draw", np.float32, "the household's fixed uniform draw deciding whether it applies"),
        State("review_offset", np.int8, "months after enrolment, within a year, of the household's first review"),
        State("pending_due", np.int16, "month index of a pending application's decision (-1: none)"),
        State("next_review", np.int16, "month index of a recipient's next review"),
        State("exit_left", np.int8, "months of gradual exit left after income rose above the threshold"),
        State("monthly_yuan", np.float32, "the monthly payment while a recipient"),
    )

    def setup(self, model) -> None:
        hh = model.households
        n = len(hh)
        hh.add_assistance_source(self.source)
        self.take_up_draw[:] = hashed_uniform(stream_key(self.rng), np.arange(n), np.zeros(n, np.uint16))
        # (months fit small integers: 7 bytes less per household and programme than int32)
        self.review_offset[:] = self.rng.integers(0, MONTHS_PER_YEAR, n)
        self.pending_due.fill(-1)
        self.paid_idx, self.paid = np.zeros(0, np.intp), np.zeros(0, np.float32)
        self.started = False
        self.group, self.group_revision = None, 0
        self.imputed, self.imputed_key = np.zeros(n, np.float32), None
        self.candidates, self.candidates_key, self.candidate_mask = None, None, np.zeros(n, bool)
        self.quota_left = None

    def step(self, model) -> None:
        p, hh = self.params, model.households
        if self.group is None or model.month == 1:
            self.group = self.group_ok(model)
            self.group_revision += 1
        threshold_yuan = np.float64(self.threshold_person_yuan(model))
        # first month: enrol from the estimate at once; then apply, review and pay on the verified income
        # (assessments wait until the 12-month accounts are full and the first survey has been made)
        assess = not self.started or hh.months_accounted >= MONTHS_PER_YEAR
        self.paid_idx, self.paid = kernels.means_tested_month(
            np.int32(model.month_index), np.int8(self.code), np.int8(self.takes_over_code), hh.social_assistance,
            self.group, hh.verified_income_yuan, self._imputed(model), hh.size, threshold_yuan,
            np.float64(self.flat_person_yuan(model)), hh.assistance_referral, self.take_up_draw,
            np.float32(p.take_up_share), hh.lifted_out, np.float32(p.lifted_out_take_up_share), self.pending_due,
            self.next_review, self.exit_left, self.monthly_yuan,
            np.int32(p.verification_lag_months if self.started else 0), np.int32(p.review_interval_months),
            np.int8(p.gradual_exit_months), assess, hh.county, self._quota_left(model),
            self.rng.random(len(model.counties)), self._candidates(model, threshold_yuan))
        if not self.started:  # first reviews spread over the year after the accounts fill
            self.next_review[self.paid_idx] = (np.int32(model.month_index + MONTHS_PER_YEAR)
                                               + self.review_offset[self.paid_idx])
            self.started = True
        hh.credit_assistance(self.source, self.paid_idx, self.paid)

    def report(self, model, rec) -> None:
        hh, g, name = model.households, model.hh_groups, self.name
        idx = self.paid_idx
        # households, persons, lifted-out persons per group: integer sums in one pass (uniform weights, as
        # metrics requires), assembled as Groups.sum_at does
        per_group = kernels.recipient_counts(idx, hh.size, hh.lifted_out, g.edges)
        by_group = np.vstack([per_group.sum(axis=0), per_group]) if g.n_columns > 1 else per_group
        by_group = by_group * g.uniform_weight
        for k, what in enumerate(("households", "persons", "lifted_out_persons")):
            rec.put(f"{name}_recipient_{what}", by_group[:, k])
        rec.put(f"cost_{name}_yuan", g.sum_at(idx, self.paid))

    def _quota_left(self, model) -> np.ndarray:
        """Persons each county can still admit: recounted each January (sizes change), kept by the kernel
        between. Without a quota, infinite."""
        share = getattr(self.params, "quota_share_of_rural_persons", None)
        n_counties = len(model.counties)
        if share is None or share >= 1.0:  # no quota: never runs out
            if self.quota_left is None:
                self.quota_left = np.full(n_counties, np.inf)
            return self.quota_left
        if self.quota_left is None or model.month == 1:
            hh = model.households
            persons, covered = kernels.persons_by_county(hh.county, hh.size, hh.social_assistance,
                                                         np.int8(self.code), n_counties)
            self.quota_left = share * persons - covered
        return self.quota_left

    def _candidates(self, model, threshold_yuan: np.float64) -> np.ndarray:
        """The households the month's means test can concern (`kernels.means_test_candidates`: recipients,
        applicants, the eligible), recounted only when eligibility can change: after a survey (verified and
        imputed income) or a visit (verified income of monitored households), in January (sizes, the standard,
        the group). A pass over all households a month becomes one over ~a tenth of them (dibao) or fewer
        (extreme-poverty support)."""
        hh = model.households
        key = (hh.verified_revision, hh.size_revision, float(threshold_yuan), self.group_revision)
        if key != self.candidates_key:
            self.candidates = kernels.means_test_candidates(
                hh.social_assistance, np.int8(self.code), self.pending_due, self.group, hh.verified_income_yuan,
                self._imputed(model), hh.size, threshold_yuan, self.candidate_mask)
            self.candidates_key = key
        return self.candidates

    def _imputed(self, model) -> np.ndarray:
        """The income the means test imputes, recomputed after each survey and each January (sizes)."""
        hh = model.households
        key = (hh.surveys, hh.size_revision)
        if key != self.imputed_key:
            self.imputed[:] = self.imputed_yuan(model)
            self.imputed_key = key
        return self.imputed

    def imputed_yuan(self, model) -> np.ndarray:
        """Income a programme's means test counts beyond verified income (none by default)."""
        return np.zeros(len(model.households), np.float32)

    # --- what a programme defines ---------------------------------------------------------------------
    def group_ok(self, model) -> np.ndarray:
        raise NotImplementedError

    def threshold_person_yuan(self, model) -> float:
        raise NotImplementedError

    def flat_person_yuan(self, model) -> float:
        return 0.0


def programme_indicators(name: str, title: str) -> tuple[Indicator, ...]:
    return (
        Indicator(f"{name}_recipient_households", "households", "stock", f"Households receiving {title}."),
        Indicator(f"{name}_recipient_persons", "persons", "stock", f"People in households receiving {title}."),
        Indicator(f"{name}_recipient_lifted_out_persons", "persons", "stock",
                  f"People in lifted-out households receiving {title}."),
        Indicator(f"cost_{name}_yuan", "yuan", "flow", f"{title[0].upper()}{title[1:]} paid."),
    )


class ProgrammeParams(Section):
    """What every social-assistance programme has; each declares its own fields (sim/levers/dibao.py, sim/levers/tekun.py).
    Not a lever's `after_transition` rule: these programmes are permanent law, not transition-period policy."""

    enabled: bool = param(True, unit="switch", source="convention", doc="Whether the programme runs at all.")
