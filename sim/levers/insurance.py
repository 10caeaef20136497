"""Insurance: resident medical insurance with extra assistance for poor-history households, and
agricultural disaster/price insurance that pays an indemnity on farm income lost to disasters.

Medical insurance acts through `households.medical_reimbursement_share`, which `shocks` reads when an
illness costs money: enrolled households get the reimbursement rate, lifted-out and monitored ones the
"three guarantees" extra on top (capped at 1). Agricultural insurance covers all households of key
assistance counties from 2021 (seed 001) and a share elsewhere; covered households get back a share of
the farm income `income` records as lost to disasters. The fiscal cost booked is the government's
premium subsidies, not the indemnities and reimbursements: those are paid from the insurance funds the
premiums finance, and a lever's cost should be what the budget pays when the lever is on.
"""

from typing import NamedTuple

import numba
import numpy as np

from . import policy
from ..core.component import Component, State
from ..core.indicators import Indicator
from ..core.params import param
from .policy import LeverParams
from ..core.regions import COUNTY_CLASSES
from ..kernels.common import JIT

KEY = COUNTY_CLASSES.index("key")


class InsuranceParams(LeverParams):
    fixed_at_setup = LeverParams.fixed_at_setup + ("medical_insurance_participation",)  # enrolment, drawn once

    medical_insurance_participation: float = param(
        0.9898, unit="share of households", ge=0.0, le=1.0,
        source="seed 002_88959e36fcc7a263.txt: rural cooperative medical participation 98.98%, Xinzhou 2019",
        doc="Chance a household is enrolled in resident medical insurance (drawn once per household).")
    medical_reimbursement_rate: float = param(
        0.6, unit="share of cost", ge=0.0, le=1.0,
        source="public: resident medical insurance pays ~60-70% of inpatient costs within policy scope",
        doc="Share of a serious illness's cost that insurance pays for an enrolled household.")
    poverty_medical_assistance_rate: float = param(
        0.2, unit="share of cost", ge=0.0, le=1.0,
        source="public: critical-illness insurance and medical assistance ('three guarantees') bring "
        "poverty-history households to ~80-90%",
        doc="Extra share paid for enrolled lifted-out or monitored households and recipients of dibao or "
        "extreme-poverty support (medical assistance; scaled by the lever's strength; the total is capped at 1).")
    agricultural_coverage_key: float = param(
        1.0, unit="share of households", ge=0.0, le=1.0,
        source="seed 001_c23c8de74b03ebd3.txt: full coverage of agricultural price and disaster insurance "
        "in key assistance counties in 2021",
        doc="Share of households with agricultural insurance in key assistance counties from key_coverage_from_year.")
    agricultural_coverage_other: float = param(
        0.5, unit="share of households", ge=0.0, le=1.0, source="assumption: voluntary, subsidised cover",
        doc="Share of households with agricultural insurance elsewhere (and in key counties before "
        "key_coverage_from_year).")
    key_coverage_from_year: int = param(
        2021, unit="year", ge=2000, le=2100, source="seed 001_c23c8de74b03ebd3.txt",
        doc="First year of the full coverage in key assistance counties.")
    indemnity_share: float = param(
        0.7, unit="share of loss", ge=0.0, le=1.0, source="assumption: cost-based cover with deductibles",
        doc="Share of farm income lost to a disaster that insurance pays back to a covered household.")
    medical_premium_subsidy_per_person_yuan: float = param(
        580.0, unit="yuan per enrolled person per year", ge=0.0, le=10_000.0,
        source="public: government subsidy to resident medical insurance, 580 yuan per person in 2021",
        doc="Government premium subsidy per enrolled person in the start year of the subsidy series (2021).")
    premium_subsidy_growth_per_year: float = param(
        0.05, unit="per year", ge=-0.2, le=0.5,
        source="public: the medical subsidy rose from 580 (2021) to 640 yuan (2023)",
        doc="Yearly growth of both premium subsidies from 2021.")
    agricultural_premium_subsidy_per_household_yuan: float = param(
        100.0, unit="yuan per insured household per year", ge=0.0, le=10_000.0,
        source="assumption: central, provincial and county shares of premiums for crop cover on a smallholding",
        doc="Government premium subsidy per household with agricultural insurance (2021).")


class Insurance(Component):
    name = "insurance"
    Params = InsuranceParams
    states = (
        State("monitored", np.bool_, "monitored or assisted last month, as applied to the medical shares"),
        State("enrolled", np.bool_, "enrolled in resident medical insurance (drawn once, at setup)"),
        State("u_agricultural", np.float32, "the household's fixed uniform draw against its county's agricultural "
              "coverage (the same in every scenario run on the seed)"),
        State("covered", np.bool_, "agricultural insurance this year: the draw below the county's coverage"),
    )
    income_sources = {"insurance_indemnity": "other_transfers"}
    time_limited = True
    indicators = (
        Indicator("medically_insured_persons", "persons", "stock",
                  "People in households enrolled in medical insurance."),
        Indicator("insurance_indemnity_yuan", "yuan", "flow",
                  "Agricultural insurance indemnities paid to households this month."),
        policy.cost_indicator("insurance", "Government premium subsidies for medical and agricultural insurance this "
                                           "month (indemnities and reimbursements are paid by the insurance funds)."),
    )

    def setup(self, model) -> None:
        hh, p = model.households, self.params
        hh.add_income_source("insurance_indemnity")
        n = len(hh)
        u_medical, u_agricultural = self.rng.random((2, n), dtype=np.float32)
        self.u_agricultural[:] = u_agricultural
        self.enrolled[:] = u_medical < p.medical_insurance_participation
        self.lifted_out_idx = np.flatnonzero(hh.lifted_out & self.enrolled).astype(np.int32)  # enrolled, lifted out
        self.household_county = hh.county
        if np.any(self.household_county[1:] < self.household_county[:-1]):
            raise ValueError("insurance: households must be sorted by county (they are sorted by village)")
        # households sorted by county: per-county values spread to households by np.repeat (cheaper than a gather)
        n_counties = len(model.counties)
        self.households_per_county = np.bincount(self.household_county, minlength=n_counties)
        self.lifted_out_per_county = np.bincount(self.household_county[self.lifted_out_idx], minlength=n_counties)
        self.key_county = model.counties.county_class == KEY
        self.indemnity_households, self.indemnity = np.zeros(0, np.intp), np.zeros(0, np.float32)
        self.strength, self.year = np.ones(len(model.counties)), None
        self.applied_params = self.params
        # shares in place before the first month's illnesses (full strength: every window is open then)
        self._medical_shares(hh)
        self._agricultural_cover(model)

    def step(self, model) -> None:
        hh = model.households
        strength = policy.strength(model, self.params)
        # a dated schedule hands the lever new parameters (sim/core/schedules.py): shares and cover follow them
        changed = not np.array_equal(strength, self.strength) or self.params is not self.applied_params
        self.strength, self.applied_params = strength, self.params
        if changed:
            self._medical_shares(hh)
        if changed or model.year != self.year:
            self._agricultural_cover(model)
        self._update_monitored(hh)
        # indemnities: only households with a farm loss this month (in villages hit by a disaster)
        self.indemnity_households = hh.farm_loss_households
        self.indemnity = hh.farm_loss_yuan * (
            np.float32(self.params.indemnity_share) * self.covered[self.indemnity_households])
        hh.credit_at("insurance_indemnity", self.indemnity_households, self.indemnity)

    def _medical_shares(self, hh) -> None:
        """Enrolled households get the reimbursement rate; lifted-out ones the assisted rate of their county."""
        rate = self.params.medical_reimbursement_rate
        extra = self.params.poverty_medical_assistance_rate * self.strength
        self.assisted_rate = np.minimum(1.0, rate + extra).astype(np.float32)
        share = hh.medical_reimbursement_share
        np.multiply(self.enrolled, np.float32(rate), out=share)
        share[self.lifted_out_idx] = np.repeat(self.assisted_rate, self.lifted_out_per_county)
        boosted = np.flatnonzero(self.monitored & self.enrolled & ~hh.lifted_out)
        share[boosted] = self.assisted_rate[self.household_county[boosted]]

    def _agricultural_cover(self, model) -> None:
        """Cover by county class; the key-county tilt is a transition-period measure, the general level is not.

        Also the year's premium subsidies (household sizes change only in January)."""
        p, hh, g = self.params, model.households, model.hh_groups
        other = p.agricultural_coverage_other
        key = p.agricultural_coverage_key if model.year >= p.key_coverage_from_year else other
        coverage = np.where(self.key_county, other + (key - other) * self.strength, other).astype(np.float32)
        self.covered[:] = self.u_agricultural < np.repeat(coverage, self.households_per_county)
        growth = (1 + p.premium_subsidy_growth_per_year) ** (model.year - 2021)
        if model.year != self.year:
            self.insured_persons = g.sum(hh.size * self.enrolled)
        self.year = model.year
        self.monthly_cost = growth / 12 * (p.medical_premium_subsidy_per_person_yuan * self.insured_persons
                                           + p.agricultural_premium_subsidy_per_household_yuan * g.count(self.covered))

    def _update_monitored(self, hh) -> None:
        """Monitored households and social-assistance recipients get the assisted rate while so (lifted-out
        ones always have it).

        Only households whose status changed are touched. Shocks run before this lever and monitoring
        after it, so an identification reaches the reimbursement of illnesses two months later (an
        administrative lag we accept rather than reorder the month)."""
        follow_monitoring(self.arrays(hh), self.assisted_rate, np.float32(self.params.medical_reimbursement_rate))

    def arrays(self, hh) -> "Arrays":
        """The bundle of household arrays the compiled pass reads and writes."""
        return Arrays(hh.monitoring_category, hh.social_assistance, self.enrolled, hh.lifted_out, self.household_county,
                      self.monitored, hh.medical_reimbursement_share)

    def report(self, model, rec) -> None:
        rec.put("medically_insured_persons", self.insured_persons)
        rec.put("insurance_indemnity_yuan", model.hh_groups.sum_at(self.indemnity_households, self.indemnity))
        rec.put("cost_insurance_yuan", self.monthly_cost)


# --- the compiled pass and the NumPy it matches ---------------------------------------------------------
class Arrays(NamedTuple):
    """What following the assisted status reads (per household) and writes (`monitored`, `share`)."""

    category: np.ndarray  # monitoring category (0 not monitored)
    social_assistance: np.ndarray  # 0 none, 1 dibao, 2 extreme-poverty support
    enrolled: np.ndarray  # in resident medical insurance
    lifted_out: np.ndarray
    county: np.ndarray
    monitored: np.ndarray  # the lever's state: assisted as last seen (written)
    share: np.ndarray  # medical reimbursement share (written)


@numba.njit(**JIT)
def follow_monitoring(a, assisted_rate, rate):
    """Households whose assisted status (monitored, or receiving dibao or extreme-poverty support) changed
    since last month: `monitored` follows, and enrolled households not lifted out (who always have it) get
    the assisted reimbursement rate of their county while assisted, the ordinary rate otherwise. One pass;
    the changes are a few a month."""
    for h in range(len(a.category)):
        now = (a.category[h] > 0) | (a.social_assistance[h] > 0)
        if now != a.monitored[h]:
            a.monitored[h] = now
            if a.enrolled[h] and not a.lifted_out[h]:
                a.share[h] = assisted_rate[a.county[h]] if now else rate


def follow_monitoring_numpy(a, assisted_rate, rate):
    """`follow_monitoring` in NumPy."""
    now = (a.category > 0) | (a.social_assistance > 0)
    changed = np.flatnonzero(now != a.monitored)
    a.monitored[changed] = now[changed]
    changed = changed[a.enrolled[changed] & ~a.lifted_out[changed]]
    a.share[changed] = np.where(now[changed], assisted_rate[a.county[changed]], rate)
