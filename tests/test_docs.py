from sim import docgen


def test_odd_parameter_tables_match_the_schema():
    assert docgen.main(["--check"]) == 0, "run: python -m sim.docgen"
