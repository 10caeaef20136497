from sim.ui import docgen


def test_odd_parameter_tables_match_the_schema():
    assert docgen.main(["--check"]) == 0, "run: python -m sim.ui.docgen"


def test_the_api_page_is_current_and_every_entry_says_parameters_returns_and_an_example():
    from sim.ui import apidoc

    missing = {path: apidoc.missing_sections(path) for paths in apidoc.API.values() for path in paths}
    assert not {k: v for k, v in missing.items() if v}, "docstrings without Parameters:/Returns:/Example:"
    assert apidoc.main(["--check"]) == 0, "docs/api.md is out of date: run `python -m sim.ui.apidoc`"


def shared_states_table() -> str:
    """docs/levers.md's table of the shared household arrays, rendered from their declarations."""
    import numpy as np

    from sim.core.households import SHARED_STATES

    rows = ["| array | dtype | written by | read by | meaning |", "|---|---|---|---|---|"]
    for s in SHARED_STATES:
        start = "" if s.initial == 0 else f" (starts at {s.initial})"
        rows.append(f"| `{s.name}` | {np.dtype(s.dtype).name} | {s.written_by} | {', '.join(s.read_by)} | "
                    f"{s.doc}{start} |")
    return "\n".join(rows)


def test_the_shared_household_arrays_are_listed_as_declared():
    from pathlib import Path

    table = shared_states_table()
    levers = (Path(__file__).resolve().parent.parent / "docs" / "levers.md").read_text(encoding="utf-8")
    assert table in levers, f"docs/levers.md: the shared household arrays should read\n{table}"
