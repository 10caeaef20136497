"""Calibration targets: which seed statistic is which model indicator, when, where and how close.

`calibration/targets.toml` (validated here) lists, for each seed statistic the model can produce, the
indicator, group, period and aggregation, the simulation that produces it (region, start, years,
scales), a tolerance and an observation uncertainty with their reasons; the free parameters with
their priors; and, for every other seed statistic, whether it is an input or outside the model.

    spec = load_targets()                        # the shipped file
    values = simulate(spec, overrides, seed=1)   # {target id: simulated value} at calibration scale
"""

import hashlib
import math
import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ..core import seeds
from ..core.errors import InputError, read_input_text

ROOT = Path(__file__).resolve().parents[2]
TARGETS_FILE = ROOT / "calibration" / "targets.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CalibrationSettings(_Strict):
    seed: int = Field(20240418, ge=0, le=2**63 - 1)
    budget: int = Field(1000, ge=1)
    population_size: int = Field(80, ge=2)
    max_generations: int = Field(12, ge=1)
    min_acceptance_rate: float = Field(0.02, ge=0.0, le=1.0)
    check_replicates: int = Field(8, ge=1)
    refine_steps: int = Field(2, ge=0, le=10)


class RunSpec(_Strict):
    region: str
    start_month: str = "2021-01"
    years: int = Field(ge=1, le=30)
    calibration_scale: float = Field(gt=0.0, le=1.0)
    check_scale: float = Field(1.0, gt=0.0, le=1.0)
    why: str = ""

    def overrides(self, scale: float) -> dict:
        return {"run.region": self.region, "run.start_month": self.start_month, "run.years": self.years,
                "run.scale": float(scale), "run.replicates": 1}


class Target(_Strict):
    id: str
    run: str
    indicator: str
    group: str = "all"
    period: str = Field(pattern=r"^\d{4}(-\d{2})?$")
    aggregate: Literal["sum", "december", "month"]
    tolerance: float = Field(gt=0.0)
    tolerance_kind: Literal["relative", "absolute"]
    sigma: float = Field(gt=0.0)
    denominator: str | None = None
    # a synthetic observation (parameter-recovery tests); shipped targets read seeds/statistics.toml or,
    # for public figures beyond the seeds, seeds/public.toml
    value: float | None = None
    why: str = Field(min_length=10)

    @model_validator(mode="after")
    def _period_matches(self):
        monthly = "-" in self.period
        if monthly != (self.aggregate == "month"):
            raise ValueError("period 'YYYY-MM' goes with aggregate 'month'; 'YYYY' with 'sum' or 'december'")
        return self

    @property
    def observed(self) -> float:
        if self.value is not None:
            return self.value
        public = seeds.public_figures()
        if self.id in public:
            return public[self.id].value
        stats = seeds.statistics()
        value = stats[self.id].value
        return value / stats[self.denominator].value if self.denominator else value

    @property
    def sigma_abs(self) -> float:
        """The observation uncertainty in the indicator's own units."""
        return self.sigma * abs(self.observed) if self.tolerance_kind == "relative" else self.sigma

    def error(self, simulated: float) -> float:
        """Relative error (sim/obs - 1) for relative targets; sim - obs for absolute ones."""
        if self.tolerance_kind == "relative":
            return simulated / self.observed - 1.0
        return simulated - self.observed

    def within(self, simulated: float) -> bool:
        return bool(abs(self.error(simulated)) <= self.tolerance)

    def months(self, start_month: str) -> tuple[int, int]:
        """[first, last) recorded-month indexes the statistic reads, for a run starting at start_month."""
        y0, m0 = (int(x) for x in start_month.split("-"))
        start = y0 * 12 + m0 - 1
        if self.aggregate == "month":
            y, m = (int(x) for x in self.period.split("-"))
            first = y * 12 + m - 1 - start
            return first, first + 1
        first = int(self.period) * 12 - start
        if self.aggregate == "december":
            return first + 11, first + 12
        return first, first + 12


class Prior(_Strict):
    name: str
    prior: Literal["uniform", "loguniform"]
    low: float
    high: float
    multiplies: list[str] = Field(default_factory=list)
    informed_by: list[str] = Field(default_factory=list)
    why: str = Field(min_length=10)

    @model_validator(mode="after")
    def _bounds(self):
        if not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.prior == "loguniform" and self.low <= 0:
            raise ValueError("a loguniform prior needs low > 0")
        return self

    # the fit works on a transformed scale where the prior is uniform
    @property
    def log(self) -> bool:
        return self.prior == "loguniform"

    def to_fit(self, value: float) -> float:
        return math.log10(value) if self.log else value

    def from_fit(self, x: float) -> float:
        return 10.0 ** x if self.log else x

    @property
    def fit_bounds(self) -> tuple[float, float]:
        return self.to_fit(self.low), self.to_fit(self.high)

    @property
    def prior_mean(self) -> float:
        """Mean of the prior on the parameter's own scale."""
        if self.log:
            return (self.high - self.low) / math.log(self.high / self.low)
        return (self.low + self.high) / 2

    @property
    def prior_centre(self) -> float:
        """Centre of the prior on the fit scale, back-transformed (the geometric centre for loguniform)."""
        lo, hi = self.fit_bounds
        return self.from_fit((lo + hi) / 2)

    def overrides(self, value: float, defaults: dict[str, float]) -> dict[str, float]:
        """Scenario keys and values for one value of the parameter."""
        if self.multiplies:
            return {key: float(defaults[key] * value) for key in self.multiplies}
        return {self.name: float(value)}


class Other(_Strict):
    id: str
    role: Literal["input", "outside"]
    used_by: str = ""
    why: str = ""

    @model_validator(mode="after")
    def _explained(self):
        if self.role == "input" and not self.used_by:
            raise ValueError("an input says where it is used (used_by)")
        if self.role == "outside" and not self.why:
            raise ValueError("a statistic outside the model says why (why)")
        return self


class TargetSpec(_Strict):
    calibration: CalibrationSettings = CalibrationSettings()
    runs: dict[str, RunSpec]
    target: list[Target]
    parameter: list[Prior]
    other: list[Other] = Field(default_factory=list)
    source: str = ""
    sha256: str = ""

    @property
    def targets(self) -> list[Target]:
        return self.target

    @property
    def parameters(self) -> list[Prior]:
        return self.parameter

    def runs_needed(self) -> list[str]:
        return [name for name in self.runs if any(t.run == name for t in self.target)]


def parse_targets(text: str, source: str = "targets.toml") -> TargetSpec:
    """Validate a targets file; anything wrong is an InputError naming the file and the key."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{source}: not valid TOML: {exc}") from None
    try:
        spec = TargetSpec.model_validate({**raw, "source": str(source),
                                          "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()})
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        raise InputError(f"{source}: key '{key}': {err['msg'].removeprefix('Value error, ')}") from None
    _check_references(spec, source)
    return spec


def _check_references(spec: TargetSpec, source: str) -> None:
    from ..core.regions import PROFILES
    from .results import indicator_catalogue

    stats = seeds.statistics()
    catalogue = indicator_catalogue()
    for name, run in spec.runs.items():
        if run.region not in PROFILES:
            raise InputError(f"{source}: key 'runs.{name}.region': unknown region '{run.region}' "
                             f"(allowed: {', '.join(PROFILES)})")
        if not re.fullmatch(r"\d{4}-\d{2}", run.start_month):
            raise InputError(f"{source}: key 'runs.{name}.start_month': must be 'YYYY-MM'")
    seen: dict[str, str] = {}
    for k, t in enumerate(spec.targets):
        where = f"target.{k}"
        if t.value is None and t.id not in stats and t.id not in seeds.public_figures():
            raise InputError(f"{source}: key '{where}.id': '{t.id}' is neither a seed statistic "
                             "(seeds/statistics.toml) nor a public figure (seeds/public.toml)")
        if t.denominator and t.denominator not in stats:
            raise InputError(f"{source}: key '{where}.denominator': '{t.denominator}' is not a seed statistic")
        if t.run not in spec.runs:
            raise InputError(f"{source}: key '{where}.run': unknown run '{t.run}' (allowed: {', '.join(spec.runs)})")
        if t.indicator not in catalogue:
            raise InputError(f"{source}: key '{where}.indicator': unknown indicator '{t.indicator}'")
        if t.aggregate == "sum" and catalogue[t.indicator].kind != "flow":
            raise InputError(f"{source}: key '{where}.aggregate': 'sum' is for flows; "
                             f"'{t.indicator}' is a {catalogue[t.indicator].kind}")
        if t.group not in ("all", "demonstration", "steady", "key"):
            raise InputError(f"{source}: key '{where}.group': unknown group '{t.group}'")
        run = spec.runs[t.run]
        first, last = t.months(run.start_month)
        if first < 0 or last > run.years * 12:
            raise InputError(f"{source}: key '{where}.period': {t.period} is outside run '{t.run}' "
                             f"({run.start_month}, {run.years} years)")
        if t.id in seen:
            raise InputError(f"{source}: key '{where}.id': '{t.id}' is listed twice")
        seen[t.id] = "target"
    for k, o in enumerate(spec.other):
        if o.id not in stats:
            raise InputError(f"{source}: key 'other.{k}.id': '{o.id}' is not a seed statistic")
        if o.id in seen:
            raise InputError(f"{source}: key 'other.{k}.id': '{o.id}' is listed twice")
        seen[o.id] = o.role
    target_ids = {t.id for t in spec.targets}
    names = set()
    for k, p in enumerate(spec.parameters):
        keys = p.multiplies or [p.name]
        for key in keys:
            if not is_scenario_parameter(key):
                raise InputError(f"{source}: key 'parameter.{k}': '{key}' is not a scenario parameter")
        for t in p.informed_by:
            if t not in target_ids:
                raise InputError(f"{source}: key 'parameter.{k}.informed_by': '{t}' is not a target")
        if p.name in names:
            raise InputError(f"{source}: key 'parameter.{k}.name': '{p.name}' is listed twice")
        names.add(p.name)
    if not spec.targets or not spec.parameters:
        raise InputError(f"{source}: needs at least one [[target]] and one [[parameter]]")


def is_scenario_parameter(key: str) -> bool:
    """`section.field`, or `section.field.entry` for a table-valued field (e.g. a value per region)."""
    from ..core.scenario import Scenario

    section, _, rest = key.partition(".")
    field_name, _, entry = rest.partition(".")
    model = Scenario.model_fields.get(section)
    field = getattr(model.annotation, "model_fields", {}).get(field_name) if model else None
    if field is None:
        return False
    return not entry or getattr(field.annotation, "__origin__", None) is dict


def load_targets(path: str | Path | None = None) -> TargetSpec:
    path = Path(path) if path is not None else TARGETS_FILE
    return parse_targets(read_input_text(path, "targets"), str(path))


def unclassified_statistics(spec: TargetSpec) -> list[str]:
    """Seed statistics that are neither a target nor listed as input/outside (should be none)."""
    listed = {t.id for t in spec.targets} | {o.id for o in spec.other}
    return sorted(set(seeds.statistics()) - listed)


# --- simulating the targets --------------------------------------------------------------------------
@cache
def _raw_base():
    """Schema defaults without the calibrated overlay: what the calibration starts from."""
    from ..core.scenario import validate

    return validate({"name": "calibration"}, "calibration base", calibrated=False)


def schema_defaults(keys) -> dict[str, float]:
    """Schema default per key; a per-region entry (`section.x_by_region.name`) has the common `x`'s."""
    base = _raw_base()
    out = {}
    for key in keys:
        section, _, field = key.partition(".")
        field, _, entry = field.partition(".")
        values = getattr(base, section)
        out[key] = getattr(values, field.removesuffix("_by_region")) if entry else getattr(values, field)
    return out


def parameter_overrides(spec: TargetSpec, values: dict[str, float]) -> dict[str, float]:
    """Scenario keys for a set of parameter values ({parameter name: value})."""
    defaults = schema_defaults([k for p in spec.parameters for k in p.multiplies])
    out: dict[str, float] = {}
    for p in spec.parameters:
        if p.name in values:
            out.update(p.overrides(values[p.name], defaults))
    return out


def read_statistic(model, target: Target) -> float:
    """A target's value from a finished model's recorder."""
    rec = model.recorder
    first, last = target.months(model.scenario.run.start_month)
    column = model.groups.index(target.group)
    values = rec.values[first:last, rec.index[target.indicator], column]
    return float(values.sum() if target.aggregate == "sum" else values[-1])


def simulate_run(spec: TargetSpec, run_name: str, scenario, seed: int, scale: float) -> dict[str, float]:
    """Run one of the spec's simulations for `scenario`'s parameters; its targets' values."""
    from ..core.model import RuralModel
    from ..core.scenario import with_overrides

    run = spec.runs[run_name]
    scenario = with_overrides(scenario, run.overrides(scale), f"run '{run_name}'")
    targets = [t for t in spec.targets if t.run == run_name]
    # only the targets' indicators are computed (the others cost report work nobody reads)
    model = RuralModel(scenario=scenario, seed=int(seed), indicators={t.indicator for t in targets})
    try:
        model.run()
        return {t.id: read_statistic(model, t) for t in targets}
    finally:
        model.release()


def run_seed(seed: int, run_name: str) -> int:
    """The seed of one region's run within an evaluation (independent streams per run)."""
    key = int.from_bytes(hashlib.sha256(run_name.encode()).digest()[:4], "little")
    return int(np.random.SeedSequence(int(seed), spawn_key=(key,)).generate_state(1, np.uint64)[0] >> 1)


def simulate(spec: TargetSpec, overrides: dict[str, float], seed: int, *, scale: str | float = "calibration",
             base=None) -> dict[str, float]:
    """Every target's simulated value for one parameter set (all runs, one seed each).

    `scale`: "calibration", "check" or a number. `base`: the scenario whose other parameters apply
    (default: the schema defaults without the calibrated overlay).
    """
    from ..core.scenario import with_overrides

    base = _raw_base() if base is None else base
    scenario = with_overrides(base, overrides, "calibration parameters") if overrides else base
    out: dict[str, float] = {}
    for name in spec.runs_needed():
        run = spec.runs[name]
        s = {"calibration": run.calibration_scale, "check": run.check_scale}.get(scale, scale)
        out.update(simulate_run(spec, name, scenario, run_seed(seed, name), float(s)))
    return {t.id: out[t.id] for t in spec.targets}


def distance(spec: TargetSpec, simulated: dict[str, float]) -> float:
    """Root mean square of the targets' errors in units of their observation uncertainty."""
    z = [(simulated[t.id] - t.observed) / t.sigma_abs for t in spec.targets]
    z = [v if np.isfinite(v) else 1e6 for v in z]
    return float(np.sqrt(np.mean(np.square(z))))
