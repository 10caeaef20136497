"""Regenerate the figures of docs/analysis.md by running the notebooks.

    .venv/bin/python docs/figures/generate.py [--scale 0.05] [--replicates 5] [--years 10]

Executes notebooks/*.ipynb (the outputs stay in memory; the committed notebooks keep none) and saves
the figure of every code cell tagged `figure:<name>` as docs/figures/<name>.png. The settings used
are written to docs/figures/generated.txt.
"""

import argparse
import base64
import os
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "figures"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="0.05")
    parser.add_argument("--replicates", default="5")
    parser.add_argument("--years", default="10")
    args = parser.parse_args()
    os.environ.update({"RURALSIM_SCALE": args.scale, "RURALSIM_REPLICATES": args.replicates,
                       "RURALSIM_YEARS": args.years, "JUPYTER_PREFER_ENV_PATH": "1",
                       "MPLBACKEND": "module://matplotlib_inline.backend_inline"})
    saved = []
    started = time.time()
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        t = time.time()
        NotebookClient(nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
        print(f"{path.name}: {time.time() - t:.0f} s")
        for cell in nb.cells:
            names = [tag.removeprefix("figure:") for tag in cell.metadata.get("tags", []) if tag.startswith("figure:")]
            images = [o["data"]["image/png"] for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
            if names and images:
                (OUT / f"{names[0]}.png").write_bytes(base64.b64decode(images[-1]))
                saved.append(f"{names[0]}.png")
    (OUT / "generated.txt").write_text(
        f"python docs/figures/generate.py --scale {args.scale} --replicates {args.replicates} --years {args.years}\n"
        f"{time.strftime('%Y-%m-%d')}, {(time.time() - started) / 60:.1f} min: {', '.join(saved)}\n", encoding="utf-8")
    print(f"wrote {len(saved)} figures to {OUT}")


if __name__ == "__main__":
    main()
