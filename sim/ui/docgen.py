"""Tables generated from the code, so they cannot drift: the parameter tables in docs/ODD.md (from the
scenario schema) and the dashboard's controls in docs/dashboard.md (from its levers, whose time-limited
levers are those the components declare `time_limited`).

    python -m sim.ui.docgen          # rewrite the tables between the markers
    python -m sim.ui.docgen --check  # exit 1 if a page is out of date (the tests run this)
"""

import re
import sys
from pathlib import Path

from ..core.params import describe
from ..core.scenario import SECTIONS

ODD = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"
MARKER = re.compile(r"(<!-- params:(\w+) -->\n)(.*?)(<!-- /params -->)", re.S)
CALIBRATED = re.compile(r"(<!-- calibrated -->\n)(.*?)(<!-- /calibrated -->)", re.S)
DASHBOARD = ODD.parent / "dashboard.md"
CONTROLS = re.compile(r"(<!-- dashboard:controls -->\n)(.*?)(<!-- /dashboard:controls -->)", re.S)


def table(section: str) -> str:
    rows = ["| parameter | default | unit | allowed | source | meaning |", "|---|---|---|---|---|---|"]
    for r in describe(SECTIONS[section]):
        default = r["default"]
        if isinstance(default, float):
            default = f"{default:g}"
        if isinstance(default, list):
            default = ", ".join(f"{v:g}" if isinstance(v, (int, float)) else str(v) for v in default)
        if default is None:
            default = "none"
        rows.append(f"| `{section}.{r['name']}` | {default} | {r['unit']} | {r['range']} | {r['source']} | {r['doc']} |")
    return "\n".join(rows) + "\n"


def calibrated_table() -> str:
    """The values `ruralsim calibrate` wrote (calibration/calibrated.toml) beside the schema defaults."""
    from ..core.calibrated import calibrated_path, calibrated_values
    from ..experiments.targets import load_targets, schema_defaults

    sections, provenance = calibrated_values(enabled=True)
    if not sections:
        return "No calibrated values: every parameter runs at its schema default.\n"
    informed = {p.name: ", ".join(p.informed_by) for p in load_targets().parameters}
    chosen = provenance.get("parameters", {})
    rows = [f"From `{calibrated_path().relative_to(ODD.parent.parent)}`: {provenance.get('method', '')}; "
            f"seed {provenance.get('seed')}, budget {provenance.get('budget')}, {provenance.get('date', '')[:10]}, "
            f"commit {str(provenance.get('git_commit', ''))[:10]}.", "",
            "| parameter | schema default | calibrated | informed by |", "|---|---|---|---|"]
    for name, value in chosen.items():
        default = f"{schema_defaults([name])[name]:g}"  # a per-region entry: the common value
        rows.append(f"| `{name}` | {default} | **{value:g}** | {informed.get(name, '')} |")
    return "\n".join(rows) + "\n"


def _number(value) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def controls_table() -> str:
    """The dashboard's controls (sim/ui/dashboard/levers.py: LEVERS): the scenario parameters each sets, the
    values it offers and the schema default (the page starts from the calibrated baseline). Only this
    package's sections: a lever another installed package adds is documented there."""
    from ..core.registry import BUILT_IN
    from .dashboard.levers import LEVERS

    built_in = {c.name for c in BUILT_IN}
    rows = ["| control | scenario parameter(s) it sets | values | schema default |", "|---|---|---|---|"]
    for lever in LEVERS:
        parameters = [p for p in lever.parameters if p.split(".")[0] in built_in]
        sections, names = zip(*(p.split(".") for p in parameters))
        if len(parameters) > 1 and len(set(names)) == 1:
            sets = f"`{names[0]}` of " + ", ".join(f"`{s}`" for s in sections)
        else:
            sets = ", ".join(f"`{p}`" for p in parameters)
        if lever.relative:
            sets += ", set to its baseline value times the control"
        c = lever.control
        values = (", ".join(f"`{v}`" for v in c["values"]) if "values" in c
                  else f"{_number(c['min'])} to {_number(c['max'])} in steps of {_number(c['step'])}")
        default = 1 if lever.relative else SECTIONS[sections[0]].model_fields[names[0]].default
        rows.append(f"| {lever.label} | {sets} | {values} | {_number(default)} |")
    return "\n".join(rows) + "\n"


def render(text: str) -> str:
    text = MARKER.sub(lambda m: m.group(1) + table(m.group(2)) + m.group(4), text)
    return CALIBRATED.sub(lambda m: m.group(1) + calibrated_table() + m.group(3), text)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = ODD.read_text(encoding="utf-8")
    new = render(text)
    missing = set(SECTIONS) - {"expect"} - set(section_names(text))
    page = DASHBOARD.read_text(encoding="utf-8")
    new_page = CONTROLS.sub(lambda m: m.group(1) + controls_table() + m.group(3), page)
    if "--check" in argv:
        if new != text or missing:
            print(f"{ODD} is out of date (missing sections: {sorted(missing)}); run python -m sim.ui.docgen")
            return 1
        if new_page != page or not CONTROLS.search(page):
            print(f"{DASHBOARD}: the controls table is out of date; run python -m sim.ui.docgen")
            return 1
        return 0
    ODD.write_text(new, encoding="utf-8")
    DASHBOARD.write_text(new_page, encoding="utf-8")
    if missing:
        print(f"add a '<!-- params:NAME --><!-- /params -->' block for: {sorted(missing)}")
    return 0


def section_names(text: str) -> list[str]:
    return [m.group(2) for m in MARKER.finditer(text)]


if __name__ == "__main__":
    sys.exit(main())
