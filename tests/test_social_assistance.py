"""Social protection: dibao, extreme-poverty support, the basic pension, and income as administrations
verify it (issue 13)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import RuralModel, kernels
from sim.core.households import SocialAssistance
from sim.core.params import growth_index, value_in_year
from sim.levers.pension import monthly_pension_yuan

SMALL = {"seed": 4, "scale": 0.03}


def _component(model, name):
    return next(c for c in model.components if c.name == name)


def _values(model, name):
    df = model.indicators()
    return df[(df.indicator == name) & (df.group == "all")]["value"].to_numpy()


@pytest.fixture(scope="module")
def base():
    return RuralModel(years=3, **SMALL).run()


@pytest.fixture(scope="module")
def no_dibao():
    return RuralModel(years=3, **SMALL, **{"dibao.enabled": False}).run()


def _means_test(n=6, **kw):
    args = dict(month=0, own_code=1, takes_over_code=-1, social=np.zeros(n, np.int8), group_ok=np.ones(n, bool),
                verified_yuan=np.full(n, 3000.0, np.float32), imputed_yuan=np.zeros(n, np.float32),
                size=np.full(n, 2, np.int8), threshold_person_yuan=5000.0, flat_person_yuan=0.0,
                referral=np.zeros(n, bool), take_up_draw=np.linspace(0.05, 0.95, n).astype(np.float32),
                take_up=0.5, lifted_out=np.zeros(n, bool), lifted_out_take_up=1.0,
                pending_due=np.full(n, -1, np.int32), next_review=np.zeros(n, np.int32),
                exit_left=np.zeros(n, np.int8), monthly_yuan=np.zeros(n, np.float32), lag_months=2,
                review_months=12, exit_months=3, assess=True, county=np.zeros(n, np.int16),
                quota_left=np.full(1, np.inf), households=np.arange(n))
    args.update(kw)
    return args


def _run(args):
    order = ("month", "own_code", "takes_over_code", "social", "group_ok", "verified_yuan", "imputed_yuan", "size",
             "threshold_person_yuan", "flat_person_yuan", "referral", "take_up_draw", "take_up", "lifted_out",
             "lifted_out_take_up", "pending_due", "next_review", "exit_left", "monthly_yuan", "lag_months",
             "review_months", "exit_months", "assess", "county", "quota_left", "county_u", "households")
    args.setdefault("county_u", np.full(len(args["quota_left"]), 0.5))
    typed = dict(args, month=np.int32(args["month"]), own_code=np.int8(args["own_code"]),
                 takes_over_code=np.int8(args["takes_over_code"]), take_up=np.float32(args["take_up"]),
                 lifted_out_take_up=np.float32(args["lifted_out_take_up"]), lag_months=np.int32(args["lag_months"]),
                 review_months=np.int32(args["review_months"]), exit_months=np.int8(args["exit_months"]))
    return kernels.means_tested_month(*(typed[k] for k in order))


def test_means_test_applies_waits_the_lag_and_tops_up_to_the_standard():
    args = _means_test()
    idx, paid = _run(args)
    assert len(idx) == 0  # applications pending
    applied = args["take_up_draw"] < 0.5
    assert np.array_equal(args["pending_due"] >= 0, applied)
    args["month"] = 2
    idx, paid = _run(args)
    assert np.array_equal(idx, np.flatnonzero(applied))
    assert np.allclose(paid, (5000.0 * 2 - 3000.0) / 12)
    assert np.all(args["social"][idx] == 1) and np.all(args["next_review"][idx] == 14)


def test_referral_overrides_take_up_and_lifted_out_households_always_apply():
    n = 6
    args = _means_test(n, take_up=0.0, lag_months=0)
    args["referral"][0] = True
    args["lifted_out"][1] = True
    idx, _ = _run(args)
    assert list(idx) == [0, 1]


def test_review_gradual_exit_and_flat_standard():
    args = _means_test(4, take_up=1.0, lag_months=0)
    _run(args)
    args["verified_yuan"][:] = 20_000.0  # incomes rose above the standard
    args["month"] = 12
    idx, _ = _run(args)
    assert len(idx) == 4 and np.all(args["exit_left"] == 3)  # gradual exit: still paid
    for month in (13, 14):
        args["month"] = month
        idx, _ = _run(args)
    assert len(idx) == 4
    args["month"] = 15
    idx, _ = _run(args)
    assert len(idx) == 0 and not np.any(args["social"])
    flat = _means_test(2, take_up=1.0, lag_months=0, flat_person_yuan=6500.0)
    _, paid = _run(flat)
    assert np.allclose(paid, 6500.0 * 2 / 12)


def test_a_county_quota_admits_applicants_until_it_is_full_and_frees_places_on_exit():
    args = _means_test(6, take_up=1.0, lag_months=0, quota_left=np.full(1, 5.0))  # room for two households of 2
    idx, _ = _run(args)
    assert list(idx) == [0, 1] and args["quota_left"][0] == 1.0
    args["verified_yuan"][0] = 50_000.0  # household 0 leaves at its review, without a gradual exit
    args.update(month=12, exit_months=0)
    idx, _ = _run(args)
    assert 0 not in idx and 2 in idx  # its place went to the next applicant


def test_a_full_quota_admits_the_next_in_turn_by_chance_and_smaller_households_do_not_jump_the_queue():
    """Places left (2) under the next applicant's size (4): admitted with chance 2/4, the county owing the rest;
    otherwise the county's queue stops for the month, the one-person households behind it included. In
    expectation the persons admitted equal the places, so a sampled county (a place or two freed at a time)
    admits the same mix of sizes as the full county."""
    def month(u):
        args = _means_test(3, take_up=1.0, lag_months=0, size=np.array([4, 1, 1], np.int8),
                           quota_left=np.full(1, 2.0), county_u=np.full(1, u))
        idx, _ = _run(args)
        return list(idx), args["quota_left"][0]

    assert month(0.4) == ([0], -2.0)  # 0.4 x 4 < 2: in, and the county owes two places
    assert month(0.6) == ([], 2.0)  # 0.6 x 4 >= 2: waits, and so do households 1 and 2
    admitted = [4 * len(month(u)[0]) for u in np.linspace(0.0005, 0.9995, 1000)]
    assert abs(np.mean(admitted) - 2.0) < 0.01  # persons admitted = places, in expectation


def test_a_programme_takes_over_only_the_one_it_may():
    args = _means_test(3, own_code=2, takes_over_code=1, take_up=1.0, lag_months=0)
    args["social"][:] = [1, 0, 3]
    idx, _ = _run(args)
    assert list(idx) == [0, 1] and list(args["social"]) == [2, 2, 3]


@pytest.mark.parametrize("own_code, takes_over_code, exit_months, quota", [(1, -1, 3, 40.0), (2, 1, 0, np.inf)])
def test_the_means_test_over_its_candidates_is_the_means_test_over_all_households(own_code, takes_over_code,
                                                                                  exit_months, quota):
    """`means_test_candidates` leaves out only households the month cannot touch: run over them alone (recounted
    when verified income changes, as MeansTested does), every state array and payment is the full pass's."""
    n, rng = 400, np.random.default_rng(3)
    base = _means_test(n, own_code=own_code, takes_over_code=takes_over_code, exit_months=exit_months,
                       social=rng.choice(np.array([0, 0, 0, 1, 2, 3], np.int8), n), group_ok=rng.random(n) < 0.7,
                       verified_yuan=rng.uniform(2000, 14000, n).astype(np.float32),
                       imputed_yuan=rng.uniform(0, 1000, n).astype(np.float32),
                       size=rng.integers(1, 5, n).astype(np.int8),
                       referral=rng.random(n) < 0.1, take_up_draw=rng.random(n).astype(np.float32), take_up=0.6,
                       lifted_out=rng.random(n) < 0.3, county=rng.integers(0, 3, n).astype(np.int16),
                       quota_left=np.full(3, quota))
    full = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in base.items()}
    sparse = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in base.items()}
    scratch = np.zeros(n, bool)
    for month in range(30):
        if month % 7 == 0:  # a survey: verified income moves; the candidates are recounted
            moved = rng.uniform(0.7, 1.3, n).astype(np.float32)
            for args in (full, sparse):
                args["verified_yuan"] = args["verified_yuan"] * moved
            sparse["households"] = kernels.means_test_candidates(
                sparse["social"], np.int8(own_code), sparse["pending_due"], sparse["group_ok"], sparse["verified_yuan"],
                sparse["imputed_yuan"], sparse["size"], np.float64(sparse["threshold_person_yuan"]), scratch)
            assert len(sparse["households"]) < n
        full["month"] = sparse["month"] = month
        idx_full, paid_full = _run(full)
        idx_sparse, paid_sparse = _run(sparse)
        assert np.array_equal(idx_full, idx_sparse) and np.array_equal(paid_full, paid_sparse)
        for key in ("social", "pending_due", "next_review", "exit_left", "monthly_yuan", "quota_left"):
            assert np.array_equal(full[key], sparse[key]), key
    assert (full["social"] == own_code).sum() > 10


def test_dibao_recipients_were_under_the_standard_and_are_paid_the_gap(base):
    hh, dibao = base.households, _component(base, "dibao")
    idx = dibao.paid_idx
    assert len(idx) > 0 and np.all(hh.social_assistance[idx] == SocialAssistance.DIBAO)
    assert np.all(dibao.paid > 0)
    assert np.allclose(hh.income_month["dibao"][idx], dibao.paid)
    # booked as means-tested assistance: verified own income leaves it out
    assert hh.assistance_12m_yuan[idx].min() > 0


def test_dibao_lifts_people_above_the_poverty_line(base, no_dibao):
    verified = "persons_below_poverty_line_verified"
    # the verified poor are few (about 0.05% of people): pooled over four seeds, three of them at scale 0.05,
    # with and without dibao on the same seeds. Dibao takes about a sixth off (monitored households' falls,
    # which visits reveal, wait for the means test's lag and the county quota); at this size the noise of the
    # pooled ratio is a few points
    with_dibao, without = [_values(base, verified)[-12:].mean()], [_values(no_dibao, verified)[-12:].mean()]
    for seed in (5, 6, 7):
        options = {**SMALL, "seed": seed, "scale": 0.05}
        with_dibao.append(_values(RuralModel(years=3, **options).run(), verified)[-12:].mean())
        without.append(_values(RuralModel(years=3, **options, **{"dibao.enabled": False}).run(), verified)[-12:].mean())
    assert sum(with_dibao) < 0.9 * sum(without), (with_dibao, without)
    # the survey-style measure falls too, less: the means test sees the verified income, not this one
    survey = "persons_below_poverty_line"
    assert _values(base, survey)[-12:].mean() < _values(no_dibao, survey)[-12:].mean()
    assert np.all(_values(no_dibao, "cost_dibao_yuan") == 0)
    assert _values(base, "cost_dibao_yuan").sum() > 0


def test_extreme_poverty_support_is_for_households_that_cannot_work_without_supporters(base):
    hh, tekun = base.households, _component(base, "tekun")
    idx = tekun.paid_idx
    assert len(idx) > 0
    children = hh.size - hh.n_labourers - hh.n_elderly
    # eligibility is judged in January; a household that gained a labourer since leaves at its next step
    assert np.all(~hh.has_supporter[idx]) and np.mean((hh.n_labourers[idx] == 0) & (children[idx] <= 0)) > 0.95
    standard = base.scenario.tekun.standard_ratio_to_dibao * base.dibao_standard_yuan
    assert np.allclose(tekun.paid, standard * hh.size[idx] / 12, rtol=1e-5)


def test_pension_follows_the_yearly_table(base):
    p = base.scenario.pension
    assert monthly_pension_yuan(p, 2024) == pytest.approx(123.0 + p.individual_account_monthly_yuan + p.provincial_supplement_monthly_yuan)
    hh = base.households
    last_year = (base.absolute_month - 1) // 12  # the year of the last month run
    expected = hh.n_elderly * np.float32(monthly_pension_yuan(p, last_year))
    assert np.allclose(hh.income_month["pension"], expected, rtol=1e-6)


def test_verified_income_changes_only_at_the_survey_and_visits():
    """Everyone's verified income changes at the annual survey; between surveys only monitored households',
    in visit months (their records are updated each `reverification_interval_months`)."""
    model = RuralModel(years=2, **SMALL)
    hh = model.households
    survey = model.scenario.verification.survey_month
    interval = model.scenario.monitoring.reverification_interval_months
    before, visited = hh.verified_income_yuan.copy(), 0
    for _ in range(24):
        monitored = hh.monitoring_category > 0  # before the month: whom a visit this month concerns
        model.step()
        changed = before != hh.verified_income_yuan
        month = model.month - 1 or 12  # the month just stepped
        survey_month = model.month_index == 1 or month == survey
        assert changed.any() == (survey_month or (month % interval == 0 and monitored.any())), model.date
        if not survey_month:
            assert not (changed & ~monitored).any(), model.date
            visited += changed.sum()
        before = hh.verified_income_yuan.copy()
    assert visited > 0


@settings(max_examples=50, deadline=None)
@given(rates=st.dictionaries(st.sampled_from([str(y) for y in range(2019, 2031)]),
                             st.floats(-0.1, 0.3), max_size=8),
       default=st.floats(-0.05, 0.15), year=st.integers(2019, 2030))
def test_growth_index_year_means_follow_the_rates(rates, default, year):
    """Consecutive calendar years' levels differ by exactly the year's rate."""
    def year_mean(y):
        return np.mean([growth_index(rates, default, (y - 2020) + m / 12) for m in range(12)])
    ratio = year_mean(year + 1) / year_mean(year)
    assert ratio == pytest.approx(1 + rates.get(str(year + 1), default), rel=1e-12)


def test_value_in_year_holds_and_grows_after_the_table():
    table = {"2021": 100.0, "2023": 120.0}
    assert value_in_year(table, 2020, 0.1) == 100.0
    assert value_in_year(table, 2022, 0.1) == pytest.approx(110.0)
    assert value_in_year(table, 2025, 0.1) == pytest.approx(120.0 * 1.21)
