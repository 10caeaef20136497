"""docs/api.md: the analyst's API, rendered from the docstrings so the page cannot drift from the code.

    python -m sim.ui.apidoc          # rewrite docs/api.md
    python -m sim.ui.apidoc --check  # exit 1 if docs/api.md is out of date (the tests run this)

Every entry of `API` documents its parameters (with units), what it returns and an example, in sections
headed `Parameters:`, `Returns:` and `Example:` (a class: `Parameters:` and `Example:`).
"""

import importlib
import inspect
import re
import sys
from pathlib import Path

API_MD = Path(__file__).resolve().parents[2] / "docs" / "api.md"
API: dict[str, list[str]] = {
    "Running a scenario": ["sim.run", "sim.experiments.results.RunResult", "sim.experiments.results.RunResult.annual",
                           "sim.experiments.results.RunResult.summary", "sim.experiments.results.RunResult.households", "sim.annual"],
    "Scenarios": ["sim.load_scenario", "sim.scenario_from_dict", "sim.core.scenario.with_overrides"],
    "Comparing scenarios": ["sim.experiments.compare.compare", "sim.experiments.compare.Comparison.horizon"],
    "Stepping the model by hand": ["sim.RuralModel", "sim.RuralModel.run", "sim.RuralModel.indicators",
                                   "sim.RuralModel.household"],
    "Figures": ["sim.ui.plots.fan_chart", "sim.ui.plots.key_indicators_figure", "sim.ui.plots.by_class_figure",
                "sim.ui.plots.scenarios_figure", "sim.ui.plots.comparison_figure", "sim.ui.plots.paired_difference_figure",
                "sim.ui.plots.difference_over_time_figure", "sim.ui.plots.pv_flows_figure",
                "sim.ui.plots.income_composition_figure", "sim.ui.plots.maps.county_maps_figure",
                "sim.ui.plots.maps.difference_maps_figure"],
    "Exploratory modelling (EMA Workbench)": ["sim.experiments.ema.model", "sim.experiments.ema.reduce"],
    "Sweeps and sensitivity": ["sim.experiments.sweep.run_sweep", "sim.experiments.sensitivity.run_sensitivity"],
    "Budget, optimisation and scenario discovery": ["sim.core.budget.report", "sim.experiments.optimize.optimize",
                                                    "sim.experiments.discover.discover"],
}
SECTIONS = ("Parameters:", "Returns:", "Example:")


def resolve(path: str):
    """The object a dotted path names (module, then attributes)."""
    parts = path.split(".")
    for k in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:k]))
        except ImportError:
            continue
        for attr in parts[k:]:
            obj = getattr(obj, attr)
        return obj
    raise ImportError(path)


def missing_sections(path: str) -> list[str]:
    obj = resolve(path)
    doc = inspect.getdoc(obj) or ""
    needed = ("Parameters:", "Example:") if inspect.isclass(obj) else SECTIONS
    return [s for s in needed if not re.search(rf"^{s}\s*$", doc, re.M)]


def _render_doc(doc: str) -> list[str]:
    out, section = [], None
    for line in doc.splitlines():
        stripped = line.strip()
        if stripped in SECTIONS:
            if section == "Example:":
                out.append("```")
            section = stripped
            out += ([] if out and out[-1] == "" else [""]) + [f"**{stripped[:-1]}**", ""]
            if section == "Example:":
                out.append("```python")
            continue
        if section == "Parameters:" and re.match(r"^\s{4}[\w*]+(, [\w*]+)*:", line):
            names, _, text = stripped.partition(":")
            out.append("- " + ", ".join(f"`{n}`" for n in names.split(", ")) + f":{text}")
        elif section == "Parameters:" and line.startswith("        "):
            out[-1] += " " + stripped
        elif section == "Example:":
            out.append(line[4:] if line.startswith("    ") else line)
        else:
            out.append(stripped if section else line)
    if section == "Example:":
        out.append("```")
    return out


def render() -> str:
    lines = ["# API", "",
             "The Python API for analysts: run scenarios and read tidy pandas tables, compare scenarios, step the",
             "model by hand, draw figures, explore with the EMA Workbench. Generated from the docstrings by",
             "`python -m sim.ui.apidoc` (the tests check it is current). Money is in yuan, rates per month or year as",
             "the names say (`_yuan`, `_monthly`, `_per_year`); every indicator's unit and kind is in",
             "`result.manifest[\"indicators\"]`. The examples assume",
             "`import sim, sim.experiments.compare, sim.ui.plots, sim.experiments.ema, sim.core.scenario, sim.experiments.sweep, sim.experiments.sensitivity`.", ""]
    for title, paths in API.items():
        lines += [f"## {title}", ""]
        for path in paths:
            obj = resolve(path)
            try:
                signature = str(inspect.signature(obj))
            except (TypeError, ValueError):
                signature = ""
            if inspect.isclass(obj):
                signature = ""
            lines += [f"### `{path}{signature}`", ""]
            lines += _render_doc(inspect.getdoc(obj) or "")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = render()
    if "--check" in argv:
        current = API_MD.read_text(encoding="utf-8") if API_MD.exists() else ""
        if current != text:
            print(f"{API_MD} is out of date: run `python -m sim.ui.apidoc`", file=sys.stderr)
            return 1
        return 0
    API_MD.write_text(text, encoding="utf-8")
    print(f"wrote {API_MD}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
