"""The registry: the month's order, what derives from the components' declarations, and levers added from
another installed package through the `ruralsim.components` entry point."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.core.component import Component, State
from sim.core.registry import BUILT_IN, COMPONENTS, assemble, employment_names, time_limited_levers
from sim.ui.dashboard.levers import TIME_LIMITED_SECTIONS

EXAMPLE = Path(__file__).parent / "example_lever"


def test_lists_of_levers_derive_from_the_declarations():
    assert [c.name for c in COMPONENTS] == [c.name for c in BUILT_IN]  # nothing installed in the test venv
    assert set(time_limited_levers()) == {"pv", "workshops", "relocation", "training", "insurance", "model_villages"}
    assert TIME_LIMITED_SECTIONS == time_limited_levers()
    assert employment_names() == {-1: "inactive", 0: "none", 1: "farming", 2: "local", 3: "migrant", 4: "workshop",
                                  5: "post", 6: "resettlement"}


def _component(name, after=None):
    return type(name.title(), (Component,), {"name": name, "after": after})


def test_added_components_go_after_the_one_they_name_and_errors_name_them():
    a, b = _component("a"), _component("b")
    x, y = _component("x", after="a"), _component("y", after="x")
    assert assemble((a, b), [y, x]) == (a, x, y, b)
    with pytest.raises(ValueError, match="'z'.*declare `after`"):
        assemble((a, b), [_component("z", after="nowhere")])
    with pytest.raises(ValueError, match="'a'.*already taken"):
        assemble((a, b), [_component("a", after="b")])


def _installed(tmp_path) -> dict:
    """An environment in which the example lever is installed: its package and a dist-info with the entry
    point on the path (what `pip install tests/example_lever` leaves in site-packages)."""
    info = tmp_path / "ruralsim_example_lever-0.1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: ruralsim-example-lever\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text("[ruralsim.components]\ncash_for_work = ruralsim_example_lever:CashForWork\n")
    root = Path(__file__).resolve().parent.parent
    path = os.pathsep.join([str(tmp_path), str(EXAMPLE), str(root), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path}


SCRIPT = """
import json
import sim
from sim.core.registry import COMPONENTS, time_limited_levers
from sim.core.scenario import load_scenario
names = [c.name for c in COMPONENTS]
model = sim.RuralModel(seed=3, scale=0.005, years=1, cash_for_work__yuan_per_worker_month=400.0).run()
off = sim.RuralModel(seed=3, scale=0.005, years=1, cash_for_work__enabled=False).run()
print(json.dumps({
    "after_monitoring": names[names.index("monitoring") + 1],
    "time_limited": "cash_for_work" in time_limited_levers(),
    "section": load_scenario(None).cash_for_work.yuan_per_worker_month,
    "workers": model.latest("cash_for_work_workers"),
    "cost": model.latest("cost_cash_for_work_yuan"),
    "income": model.latest("income_other_transfers_per_capita_yuan"),
    "income_off": off.latest("income_other_transfers_per_capita_yuan"),
    "cost_off": off.latest("cost_cash_for_work_yuan"),
}))
"""


def test_a_lever_from_an_installed_package_runs_in_its_place(tmp_path):
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=_installed(tmp_path), capture_output=True, text=True,
                         timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["after_monitoring"] == "cash_for_work"
    assert result["time_limited"]
    assert result["section"] == 300.0
    assert result["workers"] > 0
    assert result["cost"] == pytest.approx(result["workers"] * 400.0)
    assert result["income"] > result["income_off"]  # its pay counts as other transfers
    assert result["cost_off"] == 0.0


def test_the_wheel_lists_every_subpackage_and_modules_stay_short():
    import tomllib

    root = Path(__file__).resolve().parent.parent
    listed = set(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(root).parts) for p in (root / "sim").rglob("__init__.py")}
    assert found == listed
    long = {str(p.relative_to(root)): n for p in (root / "sim").rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 430}
    assert not long, f"modules above ~400 lines: {long}"


def test_declared_states_are_allocated_per_household_labourer_slot_or_village():
    import numpy as np

    component = type("Counted", (Component,), {"name": "counted", "states": (
        State("flag", np.bool_, "per household"), State("draw", np.float32, "per slot", per="labourer"),
        State("pool", np.int16, "per village", per="village"))})(None, None)
    component.allocate(3, 5, 2)
    component.draw[:] = np.arange(5)
    component.pool[:] = (7, 9)
    assert len(component.flag) == 3 and component.flag.dtype == np.bool_
    assert len(component.pool) == 2 and component.pool.dtype == np.int16
    assert component.state_of(1, np.array([2, 3]), village=1) == {"flag": False, "draw": [2.0, 3.0], "pool": 9}
    with pytest.raises(ValueError, match="per must be"):
        State("x", np.int8, "per county", per="county")
