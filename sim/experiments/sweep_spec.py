"""Sweep specs: a TOML file naming a base scenario, the parameters to vary, replicates and what to keep.

A spec is validated as strictly as a scenario: unknown keys, unknown parameters, values outside a
parameter's allowed range, unknown indicators are InputErrors naming the file and the key, raised
before any run starts. The optimisation and discovery specs are read and checked by the same code
(`read_spec`, `_field`, `_resolve_base`), so their messages and rules cannot drift apart. What a
checked spec runs (its design points, runs and seeds) is sim/experiments/sweep_plan.py.
"""

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..core.errors import InputError, read_input_text
from .results import indicator_catalogue
from ..core.scenario import SECTIONS, RunParams, check_name, default_scenario, load_scenario, with_overrides

GROUPS = ("all", "demonstration", "steady", "key")
DEFAULT_INDICATORS = ["persons_below_poverty_line", "persons_below_monitoring_line",
                      "returns_to_poverty_households", "income_per_capita_mean_yuan"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Range(_Strict):
    low: int | float = Field(description="Lowest value (inclusive).")
    high: int | float = Field(description="Highest value (inclusive).")


class Design(_Strict):
    sampler: Literal["latin_hypercube", "sobol"] = Field(
        "latin_hypercube", description="How ranges are sampled (scipy.stats.qmc).")
    samples: int = Field(16, ge=1, le=1_000_000, description="Points sampled over the ranges (sobol: a power of 2).")


class Output(_Strict):
    indicators: list[str] = Field(default_factory=lambda: list(DEFAULT_INDICATORS), min_length=1)
    groups: list[str] = Field(default_factory=lambda: ["all"], min_length=1)
    reduce: Literal["annual", "final_year", "horizon"] = Field(
        "annual", description="annual: one value per year; final_year: the last year's; horizon: flows summed "
        "and stocks averaged over the whole horizon.")


class Sensitivity(_Strict):
    method: Literal["sobol", "morris"] = "sobol"
    samples: int = Field(32, ge=2, le=1_000_000,
                         description="sobol: base samples N (N x (D + 2) points, a power of 2); morris: trajectories.")
    levels: int = Field(4, ge=2, le=100, description="Morris grid levels.")
    outcomes: list[str] | None = Field(None, description="Indicators to analyse (default: all of [output]).")
    confidence: float = Field(0.95, gt=0.0, lt=1.0, description="Confidence level of the intervals.")


class SweepSpec(_Strict):
    name: str = "sweep"
    description: str = ""
    base: str | None = Field(None, description="Base scenario file, relative to the spec (default: the baseline).")
    run: dict[str, Any] = Field(default_factory=dict, description="[run] settings of the base for every run.")
    parameters: dict[str, list[bool | int | float | str] | Range] = Field(default_factory=dict)
    replicates_only: bool = Field(False, description="true: no [parameters]; run the base's replicates only "
                                  "(one design point), e.g. to measure replicate noise.")
    design: Design = Field(default_factory=Design)
    output: Output = Field(default_factory=Output)
    sensitivity: Sensitivity = Field(default_factory=Sensitivity)

    @field_validator("name")
    @classmethod
    def _usable_name(cls, v: str) -> str:  # it becomes results/sweep-<name>
        return check_name(v)


def load_spec(path: str | Path) -> tuple[SweepSpec, str, Path | None]:
    """Read and validate a spec file (structure only; `plan` checks it against the scenario schema)."""
    path = Path(path)
    data = read_toml(path, "sweep spec")
    if "name" not in data:
        try:
            data["name"] = check_name(path.stem)  # the file's stem, as for scenarios
        except ValueError:
            pass  # the default name "sweep"
    return parse_spec(data, str(path)), str(path), path.parent


def read_toml(path: Path, what: str) -> dict:
    """A spec file's table; an InputError naming the file if it is missing or not TOML."""
    try:
        return tomllib.loads(read_input_text(path, what))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None


def read_spec(path_or_data, source: str | None, what: str, model: type[BaseModel], table: str):
    """Read an optimisation or discovery spec (a file, or its table as a dict) into `model`, its `table` of
    parameter ranges keyed by dotted names as a sweep spec's [parameters] is: returns the spec, where it came
    from (for messages) and the folder its `base` is relative to. Structure only: an InputError names the key
    that is unknown, missing or invalid (said in the words of the spec's own table)."""
    folder = None
    if isinstance(path_or_data, (str, Path)):
        path = Path(path_or_data)
        data = read_toml(path, what)
        data.setdefault("name", path.stem)
        source, folder = str(path), path.parent
    else:
        data, source = dict(path_or_data), source or "spec"
    if isinstance(data.get(table), dict):
        data[table] = _flatten(data[table])
    try:
        return model.model_validate(data), source, folder
    except ValidationError as exc:
        err = exc.errors()[0]
        if err["type"] == "extra_forbidden" and len(err["loc"]) == 1:
            raise InputError(f"{source}: key '{err['loc'][0]}': unknown key; allowed keys: "
                             f"{', '.join(model.model_fields)}") from None
        if err["type"] == "missing":
            raise InputError(f"{source}: key '{'.'.join(map(str, err['loc']))}': missing") from None
        raise InputError(f"{source}: {_describe(err).replace('parameters.', f'{table}.')}") from None


def parse_spec(data: dict, source: str = "spec") -> SweepSpec:
    data = dict(data)
    scenario_keys = sorted(set(data) & (set(SECTIONS) | {"expect", "question"}) - set(SweepSpec.model_fields))
    if scenario_keys:
        raise InputError(f"{source}: is a scenario file (it has {', '.join(scenario_keys)}), not a sweep spec; a "
                         "spec names its base scenario (base = \"scenario.toml\") and the [parameters] to vary "
                         "(see docs/sweeps.md)")
    if isinstance(data.get("parameters"), dict):
        data["parameters"] = _flatten(data["parameters"])
        for key, value in data["parameters"].items():
            where = f"key 'parameters.\"{key}\"'"
            if isinstance(value, dict):
                try:
                    Range.model_validate(value)
                except ValidationError as exc:
                    extra = [str(e["loc"][0]) for e in exc.errors() if e["type"] == "extra_forbidden"]
                    if extra or any(e["type"] == "missing" for e in exc.errors()):
                        raise InputError(f"{source}: {where}: a range has the keys low and high "
                                         f"(got {', '.join(value) or 'none'})") from None
                    bad = exc.errors()[0]["loc"][0]
                    raise InputError(f"{source}: {where}: range '{bad}' must be a number "
                                     f"(got {value[bad]!r})") from None
            elif not isinstance(value, list):
                raise InputError(f"{source}: {where}: give a list of values (full factorial) or a range "
                                 f"{{ low = ..., high = ... }} (got {value!r})")
    try:
        return SweepSpec.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"{source}: {_describe(exc.errors()[0])}") from None


def _flatten(table: dict, prefix: str = "") -> dict:
    """`labour.x = [..]` written unquoted in TOML nests tables; flatten them back to dotted keys."""
    out = {}
    for key, value in table.items():
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and not ({"low", "high"} & set(value)):
            out.update(_flatten(value, dotted + "."))
        else:
            out[dotted] = value
    return out


def _describe(err: dict) -> str:
    loc = [str(p) for p in err["loc"] if not str(p).startswith(("list[", "Range", "function-"))]
    # drop pydantic's union branch names (e.g. 'bool', 'int') that follow a list index
    while len(loc) > 2 and loc[-1] in ("bool", "int", "float", "str"):
        loc.pop()
    key = ".".join(loc) or "(top level)"
    if key.startswith("parameters.") and len(loc) > 1:
        key = f'parameters."{loc[1]}"' + "".join(f".{p}" for p in loc[2:])
    if err["type"] == "extra_forbidden":
        return f"key '{key}': unknown key; allowed keys: {', '.join(_allowed_keys(loc))}"
    value = err.get("input")
    shown = "a table" if isinstance(value, dict) else repr(value)
    if key.startswith("parameters."):
        return f"key '{key}': {err['msg']} (got {shown}); give a list of booleans, numbers or strings"
    return f"key '{key}': {err['msg'].removeprefix('Value error, ')} (got {shown})"


def _allowed_keys(loc: list[str]) -> list[str]:
    model: Any = SweepSpec
    for part in loc[:-1]:
        field = getattr(model, "model_fields", {}).get(part)
        if field is None or not hasattr(field.annotation, "model_fields"):
            return list(Range.model_fields) if loc and loc[0] == "parameters" else list(model.model_fields)
        model = field.annotation
    return list(model.model_fields)


# --- checking a spec against the scenario schema --------------------------------------------------
def _field(key: str, source: str):
    section, _, name = key.partition(".")
    if section not in SECTIONS or section == "expect" or not name or "." in name:
        raise InputError(f"{source}: key 'parameters.\"{key}\"': unknown parameter; write 'section.parameter' "
                         f"with a section of: {', '.join(s for s in SECTIONS if s != 'expect')}")
    fields = SECTIONS[section].model_fields
    if name not in fields:
        raise InputError(f"{source}: key 'parameters.\"{key}\"': unknown parameter; allowed in [{section}]: "
                         f"{', '.join(fields)}")
    if section == "run" and name in ("seed", "replicates"):
        raise InputError(f"{source}: key 'parameters.\"{key}\"': cannot be varied; set it in the spec's [run] table")
    if getattr(fields[name].annotation, "__origin__", None) is list:
        raise InputError(f"{source}: key 'parameters.\"{key}\"': a list-valued parameter cannot be swept")
    return fields[name]


def _check_value(base, key: str, value, source: str) -> None:
    with_overrides(base, {key: value}, f"{source}: [parameters]")


def _resolve_base(spec: SweepSpec, source: str, folder: Path | None):
    if spec.base is None:
        base = default_scenario()
    else:
        path = Path(spec.base)
        if not path.is_absolute() and folder is not None:
            path = folder / path
        base = load_scenario(path)
    unknown = set(spec.run) - set(RunParams.model_fields)
    if unknown:
        raise InputError(f"{source}: key 'run.{sorted(unknown)[0]}': unknown key; allowed keys: "
                         f"{', '.join(RunParams.model_fields)}")
    return with_overrides(base, {f"run.{k}": v for k, v in spec.run.items()}, source) if spec.run else base


def _check(spec: SweepSpec, base, source: str, kind: str) -> None:
    catalogue = indicator_catalogue()
    for k, name in enumerate(spec.output.indicators):
        if name not in catalogue:
            raise InputError(f"{source}: key 'output.indicators.{k}': unknown indicator '{name}'; allowed: "
                             f"{', '.join(catalogue)}")
    for k, group in enumerate(spec.output.groups):
        if group not in GROUPS:
            raise InputError(f"{source}: key 'output.groups.{k}': unknown group '{group}'; allowed: "
                             f"{', '.join(GROUPS)}")
    for key, values in spec.parameters.items():
        field = _field(key, source)
        if isinstance(values, Range):
            if field.annotation not in (int, float):
                raise InputError(f"{source}: key 'parameters.\"{key}\"': a range needs a numeric parameter; "
                                 "give a list of values instead")
            if not values.low < values.high:
                raise InputError(f"{source}: key 'parameters.\"{key}\"': low must be below high "
                                 f"(got low = {values.low}, high = {values.high})")
            for bound in (values.low, values.high):
                _check_value(base, key, bound, source)
        else:
            if not values:
                raise InputError(f"{source}: key 'parameters.\"{key}\"': empty list of values")
            if len(set(map(repr, values))) != len(values):
                raise InputError(f"{source}: key 'parameters.\"{key}\"': values repeat (got {values})")
            for value in values:
                _check_value(base, key, value, source)
    if spec.design.sampler == "sobol" and not _power_of_two(spec.design.samples):
        raise InputError(f"{source}: key 'design.samples': the sobol sampler needs a power of 2 "
                         f"(got {spec.design.samples})")
    sens = spec.sensitivity
    for k, name in enumerate(sens.outcomes or []):
        if name not in spec.output.indicators:
            raise InputError(f"{source}: key 'sensitivity.outcomes.{k}': '{name}' is not among output.indicators "
                             f"({', '.join(spec.output.indicators)})")
    if kind == "sweep" and not spec.parameters and not spec.replicates_only:
        raise InputError(f"{source}: key 'parameters': missing or empty, so the sweep would run the base scenario "
                         "only; add [parameters] with the values to vary, or set replicates_only = true to run "
                         "just the base's replicates (a scenario file is not a sweep spec: name it in a spec's "
                         "base = \"...\")")
    if spec.parameters and spec.replicates_only:
        raise InputError(f"{source}: key 'replicates_only': true, but [parameters] varies "
                         f"{', '.join(spec.parameters)}; remove one of them")
    from ..core.regions import check_scale

    check_scale(base, source)
    if kind == "sensitivity":
        if not spec.parameters:
            raise InputError(f"{source}: key 'parameters': sensitivity analysis needs at least one range")
        lists = [k for k, v in spec.parameters.items() if not isinstance(v, Range)]
        if lists:
            raise InputError(f"{source}: key 'parameters.\"{lists[0]}\"': sensitivity analysis needs ranges "
                             "{ low = ..., high = ... }, not a list of values")
        if sens.method == "sobol" and not _power_of_two(sens.samples):
            raise InputError(f"{source}: key 'sensitivity.samples': Sobol analysis needs a power of 2 "
                             f"(got {sens.samples})")


def _power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0
