"""Every notebook under notebooks/ runs top to bottom without an error, at a small scale, and is committed
without outputs.

The notebooks read their size from the environment (RURALSIM_SCALE, RURALSIM_REPLICATES,
RURALSIM_YEARS, and in 03 RURALSIM_WORKERS and RURALSIM_TRAJECTORIES); the kernel is this
interpreter's `python3` (ipykernel installed in the virtualenv, no global kernel needed).
"""

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
SMALL = {"RURALSIM_SCALE": "0.01", "RURALSIM_REPLICATES": "2", "RURALSIM_YEARS": "6", "RURALSIM_WORKERS": "2",
         "RURALSIM_TRAJECTORIES": "3", "RURALSIM_EXPERIMENTS": "8"}
CELL_TIMEOUT = 300  # seconds


def test_there_are_notebooks():
    assert [p.name[:3] for p in NOTEBOOKS] == ["01_", "02_", "03_", "04_", "05_"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: clear the outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_clean(path, monkeypatch):
    for key, value in SMALL.items():
        monkeypatch.setenv(key, os.environ.get(f"TEST_{key}", value))
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "1")  # this virtualenv's kernel, not a user-level one
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute()  # raises CellExecutionError, naming the cell, on any error
    errors = [o for cell in nb.cells for o in cell.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
    images = sum("image/png" in o.get("data", {}) for cell in nb.cells for o in cell.get("outputs", []))
    assert images >= 1, "the notebook showed no figure"
