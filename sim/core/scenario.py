"""Scenario files: TOML validated against one schema assembled from the components' sections.

`[run]` and `[population]` belong to the engine and the population builder; every other section is
a component's `Params`. Unknown keys, wrong types and out-of-range values are InputErrors that name
the file, the key, what is wrong and what is allowed.
"""

import re
import tomllib
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ValidationError, create_model, field_validator, model_validator

from . import schedules
from .errors import InputError, read_input_text
from .budget import BudgetParams
from .params import Section, allowed_range, param
from .population import PopulationParams
from .regions import PROFILES
from .registry import COMPONENTS

DEFAULT_SCENARIO_FILE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.toml"


class RunParams(Section):
    region: str = param("xinzhou", unit="name", source="DESIGN.md: Xinzhou is the default region",
                        doc=f"Region profile: one of {', '.join(PROFILES)}.")
    start_month: str = param("2021-01", unit="YYYY-MM", source="seed 001: first month of the transition period",
                             doc="First simulated (recorded) month.")
    years: int = param(10, unit="years", ge=1, le=30, source="DESIGN.md", doc="Horizon of the run.")
    scale: float = param(1.0, unit="share", gt=0.0, le=1.0, source="DESIGN.md",
                         doc="Share of households simulated; weights scale results to the full population.")
    seed: int = param(20210101, unit="integer", ge=0, le=2**63 - 1, source="convention",
                      doc="Root seed; replicate seeds are spawned from it.")
    replicates: int = param(1, unit="runs", ge=1, le=1000, source="convention",
                            doc="Independent replicates (each its own population and shocks).")
    by: Literal["class", "county"] = param(
        "class", unit="name", source="issue 17",
        doc="Results by county class (default) or also by county: 'county' adds rows with group = the county's "
        "code (sim/dynamics/by_county.py; a few indicators), and maps by county; it changes no other result.")
    warmup_months: int = param(12, unit="months", ge=12, le=120, source="convention",
                               doc="Months simulated before the start month so 12-month incomes are filled.")

    @field_validator("region")
    @classmethod
    def _known_region(cls, v: str) -> str:
        if v not in PROFILES:
            raise ValueError(f"unknown region '{v}'; allowed: {', '.join(PROFILES)}")
        return v

    @field_validator("start_month")
    @classmethod
    def _month(cls, v: str) -> str:
        m = re.fullmatch(r"(\d{4})-(\d{2})", v)
        if not m or not (1 <= int(m.group(2)) <= 12) or not (2015 <= int(m.group(1)) <= 2040):
            raise ValueError("must be a month 'YYYY-MM' between 2015-01 and 2040-12")
        return v


class Expectation(Section):
    """What a scenario is expected to do to one indicator relative to the baseline (checked by tests,
    reported by `ruralsim compare` and docs/scenarios.md)."""

    indicator: str = param("", unit="name", source="scenario author", doc="Indicator name.")
    direction: Literal["increase", "decrease"] = param("decrease", unit="sign", source="scenario author",
                                                       doc="Expected sign of scenario minus baseline.")
    group: str = param("all", unit="name", source="scenario author", doc="Group: all or a county class.")


NAME_RULE = ("a non-empty name of letters, digits, '-', '_', '.', '+' or spaces, not starting with '.' or a space, "
             "without '/', '\\' or '..', at most 100 characters")


def check_name(name: str) -> str:
    """A scenario name becomes a directory under results/: it must stay one plain directory name."""
    if (not isinstance(name, str) or not name.strip() or len(name) > 100 or name[0] in ". " or name[-1] == " "
            or ".." in name or not re.fullmatch(r"[\w.+\- ]+", name)):
        raise ValueError(f"not a usable scenario name; allowed: {NAME_RULE}")
    return name


def _sections() -> dict[str, tuple[type, Any]]:
    fields: dict[str, tuple[type, Any]] = {
        "name": (str, "baseline"),
        "description": (str, ""),
        "question": (str, ""),
        "expect": (list[Expectation], []),
        "run": (RunParams, RunParams()),
        "population": (PopulationParams, PopulationParams()),
    }
    for component in COMPONENTS:
        if component.Params.model_fields:
            fields[component.name] = (component.Params, component.Params())
    fields["budget"] = (BudgetParams, BudgetParams())  # issue 16: read against spending, no dynamics (sim/budget.py)
    return fields


_CALIBRATED: ContextVar[bool | None] = ContextVar("calibrated", default=None)  # None: the environment decides


def plain(value: Any) -> Any:
    """NumPy scalars and arrays as the Python values the strict schema takes (numpy.int64 -> int, ...),
    through dicts and lists; a section object given to `Scenario(...)` as the values it was given."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, BaseModel):
        return plain(value.model_dump(include=value.model_fields_set))
    return value


def _prepare(cls, data: Any) -> Any:
    """Before validation, however a scenario is built (a file, a dict, `Scenario(...)` in Python): NumPy
    values made plain, and the calibrated values filled in where the data leaves a parameter out, so a
    scenario built in Python equals the same scenario read from a file."""
    from .calibrated import overlay_calibrated

    if not isinstance(data, dict):
        return data
    return overlay_calibrated(plain(data), enabled=_CALIBRATED.get())


Scenario = create_model("Scenario", __base__=Section, __validators__={
    "_name": field_validator("name")(lambda cls, v: check_name(v)),
    "_prepare": model_validator(mode="before")(classmethod(_prepare))}, **_sections())
Scenario.__doc__ = """A complete scenario: the run settings and every component's parameters.

Built in Python it takes the calibrated values (calibration/calibrated.toml) for every parameter left out,
exactly as a scenario file does, e.g. `Scenario(workshops={"sites_multiplier": 2.0})`; NumPy scalars are
accepted. `RURALSIM_CALIBRATED=0` gives the schema defaults."""

SECTIONS = {name: spec[0] for name, spec in _sections().items() if isinstance(spec[1], Section)}
SECTIONS["expect"] = Expectation


def _allowed(loc: tuple) -> str:
    """What is allowed at a location of the schema, for error messages."""
    model: Any = Scenario
    for key in loc[:-1]:
        field = model.model_fields.get(key) if hasattr(model, "model_fields") else None
        if field is None:
            return ""
        model = field.annotation
    if not hasattr(model, "model_fields"):
        return ""
    field = model.model_fields.get(loc[-1])
    if field is None:
        return "allowed keys: " + ", ".join(model.model_fields)
    kind = getattr(field.annotation, "__name__", str(field.annotation))
    interval = allowed_range(field)
    return f"allowed: {kind} in {interval}" if interval != "any" else f"allowed: {kind}"


def _describe(err: dict) -> str:
    loc = tuple(str(p) for p in err["loc"])
    key = ".".join(loc) or "(top level)"
    if err["type"] == "extra_forbidden":
        return f"key '{key}': unknown key; {_allowed(loc)}"
    value = err.get("input")
    shown = repr(value) if not isinstance(value, dict) else "a table"
    msg = err["msg"].removeprefix("Value error, ")
    allowed = _allowed(loc)
    return f"key '{key}': {msg} (got {shown}){'; ' + allowed if allowed and 'allowed' not in msg else ''}"


def validate(data: dict, source: str = "scenario", *, calibrated: bool | None = None) -> Any:
    """Validate a scenario given as nested dicts (a parsed TOML file).

    Parameters the file leaves out take the calibrated values (calibration/calibrated.toml, written by
    `ruralsim calibrate`) where there are any, else the schema defaults. `calibrated=False`, or the
    environment variable RURALSIM_CALIBRATED=0, gives the raw schema defaults (sim/core/calibrated.py).
    """
    token = _CALIBRATED.set(calibrated)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{source}: {_describe(exc.errors()[0])}") from None
    finally:
        _CALIBRATED.reset(token)
    for component in COMPONENTS:  # dated schedules: dates inside the horizon, values inside the ranges
        problem = schedules.check(getattr(scenario, component.name, None), component.name,
                                  scenario.run.start_month, scenario.run.years)
        if problem:
            raise InputError(f"{source}: {problem}")
    known = {i.name for c in COMPONENTS for i in c.indicators}
    for k, e in enumerate(scenario.expect):
        if e.indicator not in known:
            raise InputError(f"{source}: key 'expect.{k}.indicator': unknown indicator '{e.indicator}' "
                             f"(allowed: {', '.join(sorted(known))})")
        if e.group not in ("all", "demonstration", "steady", "key"):
            raise InputError(f"{source}: key 'expect.{k}.group': unknown group '{e.group}' "
                             "(allowed: all, demonstration, steady, key)")
    return scenario


def load_scenario(path: str | Path | None = None) -> Any:
    """Read and validate a scenario TOML file; parameters it leaves out take the calibrated values.

    Parameters:
        path: a TOML file (its name without `.toml` is the scenario's name unless it sets `name`), or None for
            the shipped Xinzhou baseline
    Returns:
        a validated Scenario (pydantic model: `scenario.workshops.subsidy_per_worker_year_yuan`, ...)
    Example:
        >>> s = sim.load_scenario("scenarios/workshops_subsidy_halved_2026.toml")
        >>> s.workshops.schedule
    """
    if path is None:
        return default_scenario()
    path = Path(path)
    text = read_input_text(path, "scenario")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    if isinstance(data, dict) and "name" not in data:
        try:
            check_name(path.stem)
        except ValueError:
            raise InputError(f"{path}: key 'name': missing, and the file name '{path.name}' is not a usable name; "
                             f"add name = \"...\" ({NAME_RULE})") from None
        data["name"] = path.stem  # the file's stem: scenarios/foo.toml is "foo" (results/foo)
    return validate(data, str(path))


@cache
def _default(_calibration_key=None):
    if DEFAULT_SCENARIO_FILE.exists():
        return load_scenario(DEFAULT_SCENARIO_FILE)
    return validate({}, "schema defaults")


def default_scenario():
    """The shipped baseline (scenarios/baseline.toml) with the calibrated values, or the defaults it is built on."""
    from .calibrated import calibration_key

    return _default(calibration_key()).model_copy(deep=True)


def scenario_from_dict(data: dict, source: str = "scenario dict") -> Any:
    """A validated scenario from nested dicts, as a TOML file would give them. Left-out parameters take the
    calibrated values exactly as in a file; NumPy scalars are accepted; bad input raises InputError naming
    the key, what is wrong and what is allowed.

    Parameters:
        data: {section: {parameter: value}}, plus optional name, description, question, expect
        source: what to call the input in error messages
    Returns:
        a validated Scenario
    Example:
        >>> s = sim.scenario_from_dict({"name": "more_posts", "pv": {"household_share_of_village_funds": 0.7}})
    """
    if not isinstance(data, dict):
        raise InputError(f"{source}: a scenario is a dict of sections (got {type(data).__name__})")
    return validate(data, source)


def with_overrides(scenario, overrides: dict[str, Any], source: str = "override") -> Any:
    """A copy of `scenario` with dotted keys replaced, re-validated. Setting a lever parameter replaces its
    whole path over time: schedule entries of that parameter are dropped (give a dated value as an inline
    schedule).

    Parameters:
        scenario: a validated Scenario
        overrides: {"section.key": value}, e.g. {"run.scale": 0.1, "pv.household_share_of_village_funds": 0.3}
            (`section__key` works too, for mesa.batch_run); {"workshops.subsidy_per_worker_year_yuan":
            {"2021-01": 1500, "2026-01": 750}} for a schedule
        source: what to call the overrides in error messages
    Returns:
        a new validated Scenario
    Example:
        >>> cut = sim.core.scenario.with_overrides(sim.load_scenario(), {"workshops.subsidy_per_worker_year_yuan": 750.0})
    """
    if not isinstance(overrides, dict):
        raise InputError(f"{source}: overrides must be a dict of 'section.key' to values "
                         f"(got {type(overrides).__name__})")
    data = scenario.model_dump()
    for dotted, value in overrides.items():
        parts = str(dotted).replace("__", ".").split(".")
        target = data
        for part in parts[:-1]:
            if part not in target or not isinstance(target[part], dict):
                raise InputError(f"{source}: key '{dotted}': unknown section '{part}'; allowed: {', '.join(SECTIONS)}")
            target = target[part]
        if parts[-1] != "schedule" and isinstance(target.get("schedule"), list):
            entries = [{k: v for k, v in e.items() if k != parts[-1]} for e in target["schedule"]]
            target["schedule"] = [e for e in entries if set(e) - {schedules.FROM}]
        target[parts[-1]] = plain(value)
    return validate(data, source)


def parse_setting(text: str, option: str = "--set") -> tuple[str, Any]:
    """'KEY=VALUE' from the command line: the value read as TOML (750, 0.3, true, "end", an inline table
    { 2021-01 = 1500, 2026-01 = 750 }), or as plain text when it is not TOML (end, 2025-12)."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip() or not raw.strip():
        raise InputError(f"{option} '{text}': expected KEY=VALUE, e.g. {option} workshops.subsidy_per_worker_year_yuan=750")
    try:
        value = tomllib.loads(f"value = {raw.strip()}")["value"]
    except tomllib.TOMLDecodeError:
        value = raw.strip()
    return key.strip(), value
