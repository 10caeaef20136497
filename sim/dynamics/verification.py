"""How administrations see income: each household's own yearly income (everything but means-tested
assistance, net of rigid expenditure) as verified in the annual survey, which the means tests (dibao,
extreme-poverty support) read, and what the poverty-alleviation register counts on top of it, which the
monitoring lever and the official poverty count read (two agencies, two ways of counting income).

Village cadres verify income once a year (the annual concentrated survey) from records, visits and
neighbours' reports; between surveys a household's verified income stands, and only departmental
screening of events (large medical bills, income collapse) reaches the monitoring lever. The verified
figure weighs this year's 12-month income with the last verified one (administrations look for stable
income, so one bad or good year moves it only partly), times a measurement error that persists from one
survey to the next (the same cadres judge the same household from the same records): log error AR(1),
mean one in levels. Before the first 12-month accounts exist (the first warm-up month), income is
estimated as this year's farm income plus twelve times the month's other income, so assistance can
start with the run: the registered poor had all been verified before their exit in 2019-2020.
"""

import numpy as np

from .. import kernels
from ..core.component import Component
from ..core.events import hashed_uniform, stream_key
from ..core.households import MONTHS_PER_YEAR, Employment
from .income import farm_index, wage_index
from ..core.params import ASSUMPTION, Section, param


class VerificationParams(Section):
    survey_month: int = param(
        10, unit="calendar month", ge=1, le=12,
        source="assumption: provinces run the annual concentrated survey of incomes in the third quarter",
        doc="Month of the annual income survey that re-verifies every household.")
    register_extra_per_person_2020_yuan: float = param(
        2_500.0, unit="yuan per person per year", ge=0.0, le=10_000,
        source="calibrated (calibration/targets.toml): the poverty-alleviation register counts income the "
        "civil-affairs means test and a household survey do not (own produce at market value, policy payments "
        "recorded in the register, remittances reported to cadres). Public: lifted-out people's registered income "
        "was 12,550 yuan in 2021 (national rural revitalisation administration) while the household survey's "
        "poorest fifth of rural people had 4,856 (NBS 2021)",
        doc="Income per person that the register (monitoring, the official poverty count) adds to verified "
        "income, at 2020 levels (grows with the wage index). The dibao and extreme-poverty means tests do "
        "without it.")
    weight_of_current_year: float = param(
        0.5, unit="share", gt=0.0, le=1.0, source=ASSUMPTION,
        doc="Weight of this year's 12-month income in the newly verified income (the rest: the last verified).")
    error_sigma: float = param(
        0.15, unit="log sd", ge=0.0, le=1.0, source=ASSUMPTION,
        doc="Spread of the verification error on a household's income (lognormal, mean 1).")
    supporter_share: float = param(
        0.65, unit="share of households", ge=0.0, le=1.0,
        source="assumption: most rural elderly living alone have adult children obliged to support them; checked "
        "against Xinzhou's 23,400 rural extreme-poverty recipients in 2019 (public: Xinzhou statistical bulletin "
        "2019) in docs/validation.md",
        doc="Chance that a household has someone outside it obliged and able to support its members (adult "
        "children): the means tests count that support, and extreme-poverty support is only for those without.")
    error_persistence: float = param(
        0.7, unit="correlation per survey", ge=0.0, lt=1.0, source=ASSUMPTION,
        doc="Correlation of a household's log verification error from one survey to the next.")


class Verification(Component):
    name = "verification"
    Params = VerificationParams

    def setup(self, model) -> None:
        hh = model.households
        n = len(hh)
        self.z = self.rng.standard_normal(n).astype(np.float32)
        self.estimated = self.surveyed = False
        draw = hashed_uniform(stream_key(self.rng), np.arange(n), np.zeros(n, np.uint16))
        hh.has_supporter[:] = draw < self.params.supporter_share

    def step(self, model) -> None:
        hh = model.households
        # what the poverty-alleviation register adds to verified income this year, per person (read by the
        # monitoring lever and the register's poverty count in metrics)
        model.register_extra_per_person_yuan = self.params.register_extra_per_person_2020_yuan * wage_index(model)
        if not self.estimated:
            hh.verification_factor[:] = self._factor()
            hh.verified_income_yuan[:] = self._annual_estimate(model) * hh.verification_factor
            self.count_idle(model)
            hh.surveys += 1
            hh.verified_revision += 1
            self.estimated = True
        elif hh.months_accounted >= MONTHS_PER_YEAR and (not self.surveyed or model.month == self.params.survey_month):
            self._survey(model, hh)
            self.count_idle(model)
            hh.surveys += 1
            hh.verified_revision += 1

    def own_income_12m(self, hh) -> np.ndarray:
        """The last 12 months' income without means-tested assistance, net of rigid expenditure."""
        return hh.net_12m_yuan - hh.assistance_12m_yuan

    def _survey(self, model, hh) -> None:
        p = self.params
        if self.surveyed:
            rho = np.float32(p.error_persistence)
            shock = self.rng.standard_normal(len(self.z)).astype(np.float32)
            self.z = rho * self.z + np.sqrt(1 - rho * rho) * shock
        hh.verification_factor[:] = self._factor()
        now = self.own_income_12m(hh) * hh.verification_factor
        w = np.float32(p.weight_of_current_year if self.surveyed else 1.0)
        hh.verified_income_yuan[:] = w * now + (1 - w) * hh.verified_income_yuan
        self.surveyed = True

    @staticmethod
    def reverify(hh, idx: np.ndarray) -> None:
        """A visit by cadres to households `idx`: their verified income becomes the last 12 months' own income
        as the same cadres judge it (the last survey's error factor), with no weight on the old figure, since
        elimination then asks for months of stability anyway."""
        if len(idx):
            own = hh.net_12m_yuan[idx] - hh.assistance_12m_yuan[idx]
            hh.verified_income_yuan[idx] = own * hh.verification_factor[idx]
            hh.verified_revision += 1

    @staticmethod
    def count_idle(model) -> None:
        """Able labourers idle at the survey (neither in wage work nor farming, not ill), per household."""
        hh, lab = model.households, model.labourers
        kernels.idle_labourers(lab.household, lab.state, lab.ill_months_left, Employment.NONE,
                               hh.idle_labourers_at_survey)

    def _factor(self) -> np.ndarray:
        s = np.float32(self.params.error_sigma)
        return np.exp(s * self.z - s * s / 2)

    @staticmethod
    def _annual_estimate(model) -> np.ndarray:
        """This year's farm and business income plus twelve times this month's other income (booked so far)."""
        hh = model.households
        total = np.zeros(len(hh), np.float32)
        for source in hh.income.terms:
            if source != "farm_business":
                total += hh.income.source_array(source)
        farm = hh.farm_income_annual_yuan * hh.has_farmland * np.float32(farm_index(model))
        return MONTHS_PER_YEAR * total + farm
