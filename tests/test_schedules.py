"""Dated lever schedules (sim/core/schedules.py): validation, the lever's behaviour follows the dates, and the
after_transition rule as a strength schedule."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim import RuralModel
from sim.core import schedules
from sim.ui.cli import main
from sim.experiments.compare import paired_summary
from sim.core.errors import InputError
from sim.levers.policy import LeverParams, rule_strength, rule_table
from sim.core.registry import COMPONENTS
from sim.experiments.results import run
from sim.core.scenario import load_scenario, validate

ROOT = Path(__file__).resolve().parent.parent
HALVED = ROOT / "scenarios" / "workshops_subsidy_halved_2026.toml"
TRAINING = ROOT / "scenarios" / "training_double_from_2025.toml"


def test_halving_workshop_subsidies_from_2026_lowers_jobs_after_2026_and_not_before():
    """The ODD's rule: sites paid less than they need close. Under common random numbers every indicator is
    identical before 2026; after it, fewer workshop jobs with a 90% interval excluding zero."""
    kw = dict(replicates=4, scale=0.01, years=7, seed=11)
    base, halved = run(None, **kw).indicators, run(HALVED, **kw).indicators
    before = pd.Timestamp("2026-01-01")
    pre_b, pre_h = base[base.month < before], halved[halved.month < before]
    assert len(pre_b) and np.array_equal(pre_b["value"].to_numpy(), pre_h["value"].to_numpy(), equal_nan=True)

    def after(frame, name):
        rows = frame[(frame.month >= before) & (frame.indicator == name) & (frame.group == "all")]
        return rows.groupby("replicate", as_index=False)["value"].mean().assign(indicator=name)

    for name in ("workshop_jobs", "workshops_open", "cost_workshops_yuan"):
        summary = paired_summary(after(base, name), after(halved, name), ["indicator"]).iloc[0]
        assert summary["diff_high"] < 0, (name, summary.to_dict())


def test_inline_and_table_forms_are_one_schedule():
    inline = validate({"workshops": {"subsidy_per_worker_year_yuan": {"2021-01": 1500.0, "2026-01": 750.0}}})
    table = validate({"workshops": {"subsidy_per_worker_year_yuan": 1500.0, "schedule": [
        {"from": "2021-01", "subsidy_per_worker_year_yuan": 1500.0},
        {"from": "2026-01", "subsidy_per_worker_year_yuan": 750.0}]}})
    assert inline.workshops == table.workshops
    assert validate(inline.model_dump()).workshops == inline.workshops  # the dump round-trips
    section = inline.workshops
    assert schedules.resolve(section, schedules.month_index("2025-12")).subsidy_per_worker_year_yuan == 1500.0
    assert schedules.resolve(section, schedules.month_index("2026-01")).subsidy_per_worker_year_yuan == 750.0
    assert schedules.resolve(section, schedules.month_index("2030-12")).schedule == []


@pytest.mark.parametrize("workshops, expected", [
    ({"subsidy_per_worker_year_yuan": {"2021-01": 1500, "2031-01": 750}}, "outside the horizon; allowed: a month "
     "from 2021-01 to 2030-12"),
    ({"subsidy_per_worker_year_yuan": {"2021-01": 1500, "2026-01": -1}}, "allowed: [0.0, 50000.0]"),
    ({"subsidy_per_worker_year_yuan": {"2026-13": 750}}, "'2026-13' is not a month 'YYYY-MM'"),
    ({"schedule": [{"strength": 0.5}]}, "missing 'from'"),
    ({"schedule": [{"from": "2026-01", "strength": 2.0}]}, "key 'workshops.strength' (schedule from 2026-01)"),
    ({"schedule": [{"from": "2026-01", "jobs_per_park": 10}]}, "is fixed when the lever is set up"),
    ({"schedule": [{"from": "2026-01", "subsidy": 10.0}]}, "is not a parameter"),
    ({"schedule": [{"from": "2026-01", "strength": 0.5}, {"from": "2026-01", "strength": 0.4}]}, "two values"),
    ({"schedule": [{"from": "2026-01", "strength": "half"}]}, "valid number"),
])
def test_bad_schedules_are_one_line_errors_naming_key_and_allowed(workshops, expected):
    with pytest.raises(InputError) as err:
        validate({"workshops": workshops}, "plan.toml")
    message = str(err.value)
    assert message.startswith("plan.toml: key 'workshops.") and expected in message and "\n" not in message


def test_cross_parameter_rules_hold_at_every_date():
    with pytest.raises(InputError, match=r"key 'pv' \(schedule from 2027-01\): .*must sum to 1"):
        validate({"pv": {"schedule": [{"from": "2027-01", "dividends_share": 0.5}]}})


def test_a_bad_schedule_on_the_command_line_exits_2_with_one_line(tmp_path, capsys):
    path = tmp_path / "plan.toml"
    path.write_text("[workshops]\nsubsidy_per_worker_year_yuan = { 2021-01 = 1500, 2040-01 = 750 }\n")
    assert main(["check", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "workshops.subsidy_per_worker_year_yuan" in err and "horizon" in err
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert not (tmp_path / "out").exists()


def test_shipped_schedule_scenarios_check_and_state_expectations(capsys):
    for path in (HALVED, TRAINING):
        scenario = load_scenario(path)
        assert scenario.expect and schedules.describe(scenario)
        assert main(["check", str(path)]) == 0
        assert "schedule: `" in capsys.readouterr().out


def test_a_schedule_that_changes_nothing_changes_no_result():
    """A schedule restating the baseline's values gives identical indicators (the engine's re-resolution
    of parameters is exact)."""
    kw = dict(replicates=1, scale=0.01, years=2, seed=5)
    same = validate({"name": "same", "workshops": {"schedule": [{"from": "2022-01", "strength": 1.0}]},
                     "training": {"places_per_100k_rural_persons_per_year": {"2021-01": 800.0, "2022-06": 800.0}}})
    a, b = run(None, **kw).indicators, run(same, **kw).indicators
    assert np.array_equal(a["value"].to_numpy(), b["value"].to_numpy(), equal_nan=True)


@pytest.mark.parametrize("rule", ["maintain", "taper", "end"])
def test_the_after_transition_rule_is_a_per_county_strength_schedule(rule):
    """The table the levers read equals the rule applied to each month's months-after-window, month by month."""
    model = RuralModel(seed=1, scale=0.01, years=8)
    lever = next(c for c in model.components if c.name == "workshops")
    table, first = rule_table(model, rule, 2.5)
    while model.running:
        row = table[model.absolute_month - first]
        after = model.absolute_month - model.transition_last_month - 1
        np.testing.assert_array_equal(row, rule_strength(after, rule, 2.5))
        model.step()
    assert rule == "maintain" or (table[-1] == 0).any()  # some window ends inside the horizon
    assert lever.params.after_transition == "maintain"


def test_every_schedulable_parameter_is_read_while_the_lever_runs(monkeypatch):
    """A parameter a schedule may change must be read after setup; one read only at setup belongs in the
    lever's `fixed_at_setup` (else a schedule would silently do nothing)."""
    read: dict[str, set[str]] = {}
    levers = [c for c in COMPONENTS if issubclass(c.Params, LeverParams)]
    for cls in levers:
        for hook in ("step", "report"):  # after setup: what the lever reads each month
            original = getattr(cls, hook)

            def recording(self, *args, _original=original, _name=cls.name):
                params_cls = type(self.params)
                real = params_cls.__getattribute__

                def record(obj, key):
                    read.setdefault(_name, set()).add(key)
                    return real(obj, key)

                monkeypatch.setattr(params_cls, "__getattribute__", record)
                try:
                    return _original(self, *args)
                finally:
                    monkeypatch.setattr(params_cls, "__getattribute__", real)

            monkeypatch.setattr(cls, hook, recording)
    # every lever's strength changes once (insurance rebuilds its shares then); model villages start early
    changes = {c.name: {"schedule": [{"from": "2022-01", "strength": 0.9}]} for c in levers}
    changes["model_villages"]["start_year"] = 2021
    scenario = validate({"run": {"scale": 0.01, "years": 2}, **changes})
    RuralModel(scenario=scenario, seed=3).run()
    unread = {c.name: [n for n in schedules.numeric_fields(c.Params) if n not in read.get(c.name, ())]
              for c in levers}
    assert not any(unread.values()), unread


def test_compare_checks_an_alternatives_schedule_against_the_horizon_it_runs_over():
    """compare runs every scenario over the base's horizon: a date beyond it is a one-line error, not a
    change that silently never happens."""
    from sim.experiments.compare import compare

    with pytest.raises(InputError, match=r"workshops_subsidy_halved_2026.toml: key 'workshops.subsidy_per_worker_year_yuan'"
                                         r" \(schedule from 2026-01\): 2026-01 is outside the horizon"):
        compare(None, [HALVED], replicates=2, scale=0.01, years=3)
