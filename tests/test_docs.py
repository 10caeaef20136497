from sim.ui import docgen


def test_odd_parameter_tables_match_the_schema():
    assert docgen.main(["--check"]) == 0, "run: python -m sim.ui.docgen"


def test_the_api_page_is_current_and_every_entry_says_parameters_returns_and_an_example():
    from sim.ui import apidoc

    missing = {path: apidoc.missing_sections(path) for paths in apidoc.API.values() for path in paths}
    assert not {k: v for k, v in missing.items() if v}, "docstrings without Parameters:/Returns:/Example:"
    assert apidoc.main(["--check"]) == 0, "docs/api.md is out of date: run `python -m sim.ui.apidoc`"
