"""Memory of a run (issue 19): what a run imports, that a finished replicate's model is freed before its
frame and figures, and that the detached record gives the model's own frame."""

import gc
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sim import RuralModel
from sim.core import memory
from sim.core.recorded import Recorded
from sim.experiments import parallel
from sim.experiments.results import resolve

ROOT = Path(__file__).resolve().parent.parent

# what `ruralsim run` must not hold while the months run: matplotlib is imported when the figures are drawn,
# Dask only for a cluster (scipy and pandas come with mesa, which a model subclasses: not checked)
NOT_DURING_A_RUN = ("matplotlib", "dask", "distributed")

IMPORTS = """
import json, sys
import sim, sim.ui.cli, sim.ui.outputs
from sim import RuralModel
RuralModel(seed=1, scale=0.01, years=1).run().indicators()
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[1:]))))
"""


def test_a_run_imports_neither_matplotlib_nor_dask():
    done = subprocess.run([sys.executable, "-c", IMPORTS, *NOT_DURING_A_RUN], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_the_cli_imports_matplotlib_only_to_draw(tmp_path):
    """`ruralsim run` up to the end of its months: the figures' imports come after (sim/ui/outputs.py)."""
    script = ("import sys\nfrom sim.ui import cli\nfrom sim.experiments import results\nseen = {}\n"
              "def run(*a, **k):\n    out = original(*a, **k)\n    seen['mpl'] = 'matplotlib' in sys.modules\n"
              "    return out\noriginal, results.run = results.run, run\n"
              f"code = cli.main(['run', '--scale', '0.01', '--years', '1', '--quiet', '--out', {str(tmp_path / 'o')!r}])\n"
              "print(code, seen['mpl'], 'matplotlib' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip().splitlines()[-1].split() == ["0", "False", "True"]


def _live_models() -> int:
    return sum(isinstance(o, RuralModel) for o in gc.get_objects())


def test_a_replicate_frees_its_model_before_building_its_frame(monkeypatch):
    monkeypatch.setattr(parallel, "GIVE_BACK_HOUSEHOLDS", 0)  # as a full-scale replicate does
    seen = []
    original = Recorded.frame

    def frame(self):
        seen.append(_live_models())
        return original(self)

    monkeypatch.setattr(Recorded, "frame", frame)
    gc.collect()
    before = _live_models()
    scenario = resolve(None, scale=0.01, years=1)
    out, _, _ = parallel.replicate(scenario, 7, 0)
    assert seen == [before]  # the replicate's model was gone when its frame was built
    assert list(out.columns) == ["scenario", "replicate", "seed", "month", "indicator", "group", "value"]


def test_the_detached_record_is_a_copy_and_its_frame_holds_every_recorded_value():
    for overrides in ({}, {"run__by": "county"}):
        model = RuralModel(seed=3, scale=0.01, years=1, **overrides).run()
        assert (model.county_panel is not None) == bool(overrides)
        recorded = model.recorded()
        frame = recorded.frame()
        pd.testing.assert_frame_equal(frame, model.indicators(), check_exact=True)
        # month by month, indicator by indicator, group by group: the recorder's defined values, in order
        values = model.recorder.values.reshape(-1)
        head = frame.iloc[:int((~np.isnan(values)).sum())]
        np.testing.assert_array_equal(head["value"].to_numpy(), values[~np.isnan(values)])
        assert head["indicator"].iloc[0] == model.recorder.indicators[0].name and head["group"].iloc[0] == "all"
        assert len(frame) > len(head) if overrides else len(frame) == len(head)  # the by-county rows after
        model.recorder.values[:] = -1.0  # a copy: what the model does next cannot change it
        assert (recorded.values != -1.0).any()


def test_give_back_without_malloc_trim(monkeypatch):
    """Where glibc's malloc_trim is missing (macOS, musl) only the collection runs."""
    monkeypatch.setattr(memory, "_malloc_trim", lambda: None)
    memory.give_back()
    assert memory._malloc_trim() is None
