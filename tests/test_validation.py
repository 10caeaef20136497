"""The validation page's rows (sim/experiments/validation.py) on a small run: every row filled, and the
issue-13 reach check computed from the monthly indicators it summarises."""
import numpy as np
import pytest

from sim.experiments.results import run
from sim.experiments.validation import build_rows


@pytest.fixture(scope="module")
def xinzhou():
    return run(None, replicates=2, scale=0.02, seed=3)


def test_every_row_has_a_model_value_and_a_verdict(xinzhou):
    rows = build_rows(xinzhou, None)
    assert len(rows) >= 15
    for row in rows:
        assert row.model and "nan" not in row.model, row
        assert row.verdict, row


def test_reach_check_pools_person_months_of_the_decade(xinzhou):
    rows = {r.what: r for r in build_rows(xinzhou, None)}
    row = next(r for w, r in rows.items() if w.startswith("Of people below the monitoring line 12 months"))
    d = xinzhou.indicators
    d = d[(d.group.astype(str) == "all") & (d.month.dt.year.between(2021, 2030))]
    per = d.pivot_table(index="replicate", columns="indicator", values="value", aggfunc="sum", observed=True)
    share = 1 - (per["persons_below_monitoring_line_verified_12_months_unreached"]
                 / per["persons_below_monitoring_line_verified_12_months"])
    assert row.model.startswith(f"{100 * share.mean():.1f}%")
    assert row.verdict == "check: " + ("met" if share.min() >= 0.9 else "NOT met")
