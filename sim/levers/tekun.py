"""Extreme-poverty support (特困人员救助供养, tekun): a fixed support standard for people who cannot work,
have no income to speak of and no one obliged and able to support them.

Eligible: a household with no labourer and no child (only elderly or disabled members), whose verified
income per person is under the dibao standard, and that has no supporter outside it (adult children who
are not modelled as people: a fixed share of households has someone, `verification.supporter_share`). It is
paid the support standard (1.3 x the dibao standard) per person; it takes over from dibao. Reviewed once
a year; leaves when the household gains a labourer or its income rises above the dibao standard.
"""

import numpy as np

from ..core.households import SocialAssistance
from .means_test import MeansTested, ProgrammeParams, programme_indicators
from ..core.params import ASSUMPTION, param


class TekunParams(ProgrammeParams):
    standard_ratio_to_dibao: float = param(
        1.3, unit="ratio", ge=1.0, le=3.0,
        source="public: the basic living standard of extreme-poverty support is at least 1.3 x the local dibao "
        "standard (Ministry of Civil Affairs, reported 2022)",
        doc="Support standard per person as a multiple of the dibao standard.")
    take_up_share: float = param(0.9, unit="share of eligible households", ge=0.0, le=1.0, source=ASSUMPTION,
                                 doc="Chance that an eligible household applies (village cadres know them).")
    lifted_out_take_up_share: float = param(1.0, unit="share of eligible households", ge=0.0, le=1.0,
                                            source="public: registered poor households were assessed one by one",
                                            doc="The same for lifted-out households.")
    verification_lag_months: int = param(2, unit="months", ge=0, le=12, source="assumption: as dibao",
                                         doc="Months from applying to the first payment.")
    review_interval_months: int = param(12, unit="months", ge=1, le=36, source="assumption: as dibao",
                                        doc="Months between reviews.")
    gradual_exit_months: int = param(0, unit="months", ge=0, le=24, source=ASSUMPTION,
                                     doc="Months paid after a review finds the household no longer eligible.")


class Tekun(MeansTested):
    name = "tekun"
    Params = TekunParams
    income_sources = {"extreme_poverty_support": "social_assistance"}
    code = SocialAssistance.EXTREME_POVERTY
    takes_over_code = SocialAssistance.DIBAO
    source = "extreme_poverty_support"
    indicators = programme_indicators("tekun", "extreme-poverty support (tekun)")

    def group_ok(self, model) -> np.ndarray:
        """Only elderly or disabled members (no labourer, no child), and no supporter."""
        hh = model.households
        children = hh.size - hh.n_labourers - hh.n_elderly
        return (hh.n_labourers == 0) & (children <= 0) & ~hh.has_supporter

    def threshold_person_yuan(self, model) -> float:
        return model.dibao_standard_yuan

    def flat_person_yuan(self, model) -> float:
        return self.params.standard_ratio_to_dibao * model.dibao_standard_yuan
