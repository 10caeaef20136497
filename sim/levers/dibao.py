"""The rural minimum living guarantee (农村最低生活保障, dibao): a means-tested top-up to the local standard.

A household whose verified income per person (12-month net income without dibao, times the verification
factor) is under the year's dibao standard (`lines.dibao_standard_yuan_by_year`) may apply; it is enrolled
after the verification lag if still eligible, and paid the gap to the standard every month until its
next review. Take-up is imperfect and persistent (a household's draw is fixed): many eligible households
never apply. Monitored households that cannot work are referred by the monitoring lever and always apply.
Recipients whose income rises above the standard are paid on through a gradual-exit period.
"""

import numpy as np

from ..core.households import SocialAssistance
from .means_test import MeansTested, ProgrammeParams, programme_indicators
from ..core.params import param

MCA_2021 = "public: Ministry of Civil Affairs, measures for the review and confirmation of dibao (2021)"


class DibaoParams(ProgrammeParams):
    quota_share_of_rural_persons: float = param(
        0.06, unit="share of rural people", ge=0.0, le=1.0,
        source="public: rural dibao is allocated through county quotas under fiscal constraints (Golan, Sicular and "
        "Umapathi 2017, World Development 93); the share an assumption near Shanxi's coverage (1.15 million "
        "recipients in 2022, ~84% rural, of ~20 million rural registered people: ~4.8%; poorer cities higher)",
        doc="Most people a county admits to dibao, as a share of its rural people; eligible applicants beyond it "
        "wait (1 = no quota).")
    take_up_share: float = param(
        0.65, unit="share of eligible households", ge=0.0, le=1.0,
        source="assumption: most eligible rural households outside dibao in 2013 (public: Golan, Sicular and "
        "Umapathi 2017, World Development 93), exclusion much reduced by the 2016-2020 coverage campaigns",
        doc="Chance that an eligible household that is not monitored applies (fixed per household).")
    lifted_out_take_up_share: float = param(
        1.0, unit="share of eligible households", ge=0.0, le=1.0,
        source="public: registered poor households were assessed one by one for dibao in 2016-2020 ('应保尽保')",
        doc="The same for lifted-out (formerly registered) households.")
    imputed_income_per_idle_labourer_yuan: float = param(
        4_000.0, unit="yuan per labourer per year", ge=0.0, le=50_000,
        source="public: dibao means tests count income that able-bodied working-age members could earn (Ministry "
        "of Civil Affairs measures, 2021; provinces impute a share of the minimum wage, ~1,600-1,900 yuan a month "
        "in Shanxi); the share here an assumption",
        doc="Income the means test counts for each able labourer idle at the survey (neither in wage work nor "
        "farming): dibao is mainly for households that cannot earn.")
    verification_lag_months: int = param(
        2, unit="months", ge=0, le=12, source=f"{MCA_2021}: approval within 30 working days of an application",
        doc="Months from applying to the first payment (application, household survey, public notice, approval).")
    review_interval_months: int = param(
        12, unit="months", ge=1, le=36, source=f"{MCA_2021}: households with stable income reviewed once a year",
        doc="Months between reviews of a recipient's income.")
    gradual_exit_months: int = param(
        6, unit="months", ge=0, le=24, source=f"{MCA_2021}: a gradual-exit period for households whose income "
        "rises above the standard; its length an assumption",
        doc="Months a recipient found above the standard at review is still paid.")


class Dibao(MeansTested):
    name = "dibao"
    Params = DibaoParams
    income_sources = {"dibao": "social_assistance"}
    code = SocialAssistance.DIBAO
    source = "dibao"
    indicators = programme_indicators("dibao", "the rural minimum living guarantee (dibao)")

    def group_ok(self, model) -> np.ndarray:
        return np.ones(len(model.households), bool)

    def imputed_yuan(self, model) -> np.ndarray:
        p, hh = self.params, model.households
        return (hh.idle_labourers_at_survey * np.float32(p.imputed_income_per_idle_labourer_yuan)).astype(np.float32)

    def threshold_person_yuan(self, model) -> float:
        return model.dibao_standard_yuan
