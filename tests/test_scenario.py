import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.core.errors import InputError
from sim.core.params import allowed_range, describe
from sim.core.scenario import DEFAULT_SCENARIO_FILE, SECTIONS, Scenario, load_scenario, validate

ROOT = Path(__file__).resolve().parent.parent


def test_baseline_file_is_the_schema_defaults(monkeypatch):
    # the file itself sets no parameter; the calibrated values (calibration/calibrated.toml) come on top
    monkeypatch.setenv("RURALSIM_CALIBRATED", "0")
    base = load_scenario(ROOT / "scenarios" / "baseline.toml").model_dump()
    defaults = Scenario().model_dump()
    base.pop("description"), defaults.pop("description")
    assert base == defaults


def test_shipped_default_is_found_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert DEFAULT_SCENARIO_FILE.exists()
    assert load_scenario(None).run.region == "xinzhou"


def test_every_parameter_declares_unit_source_and_doc():
    for section_name, section in SECTIONS.items():
        for row in describe(section):
            assert row["unit"], (section_name, row["name"])
            assert row["source"], (section_name, row["name"])
            assert len(row["doc"]) > 10, (section_name, row["name"])


def test_every_shipped_scenario_validates():
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        load_scenario(path)


def _bounded_fields():
    """(section, key, field) for every numeric parameter with a range."""
    out = []
    for section_name, section in SECTIONS.items():
        for key, field in section.model_fields.items():
            if field.annotation in (int, float) and allowed_range(field) != "any":
                out.append((section_name, key, field))
    return out


BOUNDED = _bounded_fields()


@settings(max_examples=60, deadline=None)
@given(choice=st.sampled_from(BOUNDED), excess=st.floats(min_value=1e-3, max_value=1e9))
def test_out_of_range_values_name_the_key_and_the_range(choice, excess):
    section, key, field = choice
    bounds = {k: getattr(m, k) for m in field.metadata for k in ("ge", "gt", "le", "lt") if getattr(m, k, None) is not None}
    high = bounds.get("le", bounds.get("lt"))
    low = bounds.get("ge", bounds.get("gt"))
    if high is not None:
        value = high + excess
    else:
        value = low - excess
    if field.annotation is int:
        value = int(value) + (1 if high is not None else -1)
    with pytest.raises(InputError) as err:
        validate({section: {key: value}}, "s.toml")
    message = str(err.value)
    assert message.startswith("s.toml: ")
    assert f"'{section}.{key}'" in message
    assert allowed_range(field) in message
    assert "\n" not in message


@settings(max_examples=40, deadline=None)
@given(choice=st.sampled_from(BOUNDED), text=st.text(min_size=1, max_size=8))
def test_wrong_types_are_rejected(choice, text):
    section, key, _ = choice
    with pytest.raises(InputError, match=f"'{section}.{key}'"):
        validate({section: {key: text}}, "s.toml")


@settings(max_examples=40, deadline=None)
@given(section=st.sampled_from(sorted(set(SECTIONS) - {"expect"})), key=st.from_regex(r"[a-z_]{3,12}", fullmatch=True))
def test_unknown_keys_list_the_allowed_ones(section, key):
    if key in SECTIONS[section].model_fields:
        return
    with pytest.raises(InputError, match="unknown key; allowed keys: "):
        validate({section: {key: 1}}, "s.toml")


@pytest.mark.parametrize("bad", [True, 1.5, "10"])
def test_integers_are_strict(bad):
    with pytest.raises(InputError, match="run.years"):
        validate({"run": {"years": bad}}, "s.toml")


def test_unknown_region_lists_the_regions():
    with pytest.raises(InputError, match="allowed: xinzhou, shanxi, rucheng"):
        validate({"run": {"region": "taiyuan"}})


def test_broken_toml_and_missing_file(tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[run\nyears = 3")
    with pytest.raises(InputError, match="broken.toml: not valid TOML"):
        load_scenario(broken)
    with pytest.raises(InputError, match="nope.toml: file not found"):
        load_scenario(tmp_path / "nope.toml")
    with pytest.raises(InputError, match="is a directory"):
        load_scenario(tmp_path)


def test_farm_profile_must_sum_to_one():
    with pytest.raises(InputError, match="income.farm_monthly_profile"):
        validate({"income": {"farm_monthly_profile": [0.1] * 12}})


def test_toml_types_are_preserved(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text('name = "x"\n[pension]\nindividual_account_monthly_yuan = 200\n')
    assert tomllib.loads(path.read_text())["pension"]["individual_account_monthly_yuan"] == 200
    assert load_scenario(path).pension.individual_account_monthly_yuan == 200.0


# --- names (issue 14): a name becomes results/<name>; it must stay one plain directory name ----------
@settings(max_examples=300, deadline=None)
@given(name=st.text(max_size=20))
def test_a_scenario_name_is_one_plain_directory_name_or_refused(name):
    try:
        scenario = validate({"name": name})
    except InputError as exc:
        assert "key 'name'" in str(exc) and "\n" not in str(exc).replace(repr(name), "")
        return
    target = Path("results") / scenario.name
    assert target.parent == Path("results") and target.name == name
    assert name.strip() and ".." not in name and "/" not in name and "\\" not in name and not name.startswith(".")


@pytest.mark.parametrize("name", ["", " ", "../../x", "a/b", "a\\b", "..", ".", ".hidden", "x/../y"])
def test_bad_names_are_refused_by_check(name, tmp_path, capsys):
    from sim.ui.cli import main

    path = tmp_path / "s.toml"
    path.write_text(f"name = {name!r}\n".replace("'", '"') if "\\" not in name else 'name = "a\\\\b"\n')
    for command in (["check", str(path)], ["run", str(path), "--scale", "0.01", "--years", "1", "--quiet"]):
        code = main(command)
        err = capsys.readouterr().err
        assert code == 2 and "key 'name'" in err and str(path) in err and err.count("\n") == 1


def test_a_scenario_without_name_is_named_after_its_file(tmp_path):
    path = tmp_path / "cheaper_training.toml"
    path.write_text("[training]\n")
    assert load_scenario(path).name == "cheaper_training"
    assert load_scenario(ROOT / "scenarios" / "baseline.toml").name == "baseline"
    odd = tmp_path / "a..b.toml"
    odd.write_text("")
    with pytest.raises(InputError, match="key 'name': missing"):
        load_scenario(odd)
