"""The EMA Workbench connector (sim/experiments/ema.py), with EMA's sequential evaluator at small scale."""

import numpy as np
import pytest

ema = pytest.importorskip("ema_workbench")

from sim.experiments import ema as connector  # noqa: E402
from sim.core.errors import InputError  # noqa: E402

SMALL = dict(scale=0.01, years=2, seed=3)


def test_levers_and_uncertainties_come_from_the_schema():
    m = connector.model(uncertainties=["monitoring.detection_multiplier", "workshops.after_transition"],
                        levers={"workshops.sites_multiplier": (0.0, 2.0), "pv.settlement_months": None},
                        outcomes=[("workshop_jobs", "mean")], **SMALL)
    share = m.uncertainties["monitoring__detection_multiplier"]
    from sim.levers.monitoring import MonitoringParams

    bounds = {k: getattr(x, k) for x in MonitoringParams.model_fields["detection_multiplier"].metadata
              for k in ("ge", "le", "gt") if getattr(x, k, None) is not None}
    assert share.lower_bound >= bounds.get("ge", bounds.get("gt")) and share.upper_bound == bounds["le"]
    assert sorted(m.uncertainties["workshops__after_transition"].categories.keys()) == ["end", "maintain", "taper"]
    assert (m.levers["workshops__sites_multiplier"].lower_bound, m.levers["workshops__sites_multiplier"].upper_bound) \
        == (0.0, 2.0)
    assert isinstance(m.levers["pv__settlement_months"], ema.IntegerParameter)
    assert [o.name for o in m.outcomes] == ["workshop_jobs_mean"]


@pytest.mark.parametrize("kwargs, expected", [
    ({"uncertainties": ["pv.no_such_key"]}, "not a scenario parameter"),
    ({"levers": {"workshops.sites_multiplier": (0.0, 50.0)}}, "outside the schema's [0.0, 10.0]"),
    ({"outcomes": ["no_such_indicator"]}, "unknown indicator"),
    ({"outcomes": [("persons_below_poverty_line", "sum")]}, "'sum' needs a flow"),
    ({"levers": {"pv.after_transition": ["maintain", "sometimes"]}}, "option 'sometimes' not allowed"),
])
def test_bad_requests_are_one_line_errors(kwargs, expected):
    with pytest.raises(InputError, match="^ema: ") as err:
        connector.model(**kwargs, **SMALL)
    assert expected in str(err.value) and "\n" not in str(err.value)


def test_experiments_with_the_sequential_evaluator_show_the_lever():
    m = connector.model(uncertainties=["monitoring.detection_multiplier"],
                        levers={"workshops.sites_multiplier": (0.0, 3.0)},
                        outcomes=[("workshop_jobs", "mean"), ("cost_workshops_yuan", "sum")], **SMALL)
    policies = [ema.Policy("none", workshops__sites_multiplier=0.0), ema.Policy("triple", workshops__sites_multiplier=3.0)]
    with ema.SequentialEvaluator(m) as evaluator:
        experiments, outcomes = ema.perform_experiments(m, scenarios=2, policies=policies, evaluator=evaluator)
    assert len(experiments) == 4 and set(outcomes) == {"workshop_jobs_mean", "cost_workshops_yuan_sum"}
    jobs = outcomes["workshop_jobs_mean"]
    none = experiments["policy"].to_numpy() == "none"
    assert np.all(jobs[none] == 0) and np.all(jobs[~none] > 1000)
    # the same sampled values give the same outcome (one seed for every experiment)
    again = m.function(**{"monitoring__detection_multiplier": float(experiments["monitoring__detection_multiplier"][0]),
                          "workshops__sites_multiplier": float(experiments["workshops__sites_multiplier"][0])})
    assert again["workshop_jobs_mean"] == jobs[0]
