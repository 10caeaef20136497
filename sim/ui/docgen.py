"""Parameter tables in docs/ODD.md are generated from the scenario schema, so they cannot drift.

    python -m sim.ui.docgen          # rewrite the tables between the markers in docs/ODD.md
    python -m sim.ui.docgen --check  # exit 1 if docs/ODD.md is out of date (the tests run this)
"""

import re
import sys
from pathlib import Path

from ..core.params import describe
from ..core.scenario import SECTIONS

ODD = Path(__file__).resolve().parents[2] / "docs" / "ODD.md"
MARKER = re.compile(r"(<!-- params:(\w+) -->\n)(.*?)(<!-- /params -->)", re.S)
CALIBRATED = re.compile(r"(<!-- calibrated -->\n)(.*?)(<!-- /calibrated -->)", re.S)


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


def render(text: str) -> str:
    text = MARKER.sub(lambda m: m.group(1) + table(m.group(2)) + m.group(4), text)
    return CALIBRATED.sub(lambda m: m.group(1) + calibrated_table() + m.group(3), text)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    text = ODD.read_text(encoding="utf-8")
    new = render(text)
    missing = set(SECTIONS) - {"expect"} - set(section_names(text))
    if "--check" in argv:
        if new != text or missing:
            print(f"{ODD} is out of date (missing sections: {sorted(missing)}); run python -m sim.ui.docgen")
            return 1
        return 0
    ODD.write_text(new, encoding="utf-8")
    if missing:
        print(f"add a '<!-- params:NAME --><!-- /params -->' block for: {sorted(missing)}")
    return 0


def section_names(text: str) -> list[str]:
    return [m.group(2) for m in MARKER.finditer(text)]


if __name__ == "__main__":
    sys.exit(main())
