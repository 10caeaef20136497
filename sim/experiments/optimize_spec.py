"""Optimisation specs (`ruralsim optimize SPEC`): the levers to search, the objectives, the budget constraint.

A spec is checked as strictly as a sweep spec, against the same scenario schema, before any cluster
starts: an unknown lever, a range outside the parameter's allowed range, an option the parameter does
not take, an unknown indicator or reduction, a budget constraint without an envelope — each is an
InputError naming the file and the key (exit code 2, one line). The spec hash covers everything that
decides what a trial means (base scenario, levers, objectives, constraint, search seed and population),
but not the number of trials: raising `search.trials` and re-running continues the same study.
"""

import hashlib
import json
import typing
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ..core.errors import InputError
from ..core.scenario import check_name, with_overrides
from .sweep_spec import Range, _field, _resolve_base, read_spec

# derived indicators an objective may name besides the catalogue's
DERIVED = {"cost_total_yuan": "all levers' fiscal costs (every cost_*_yuan indicator) summed",
           "cost_budget_yuan": "the costs paid from the budget's envelopes (county and city levers) summed"}
REDUCTIONS = {"sum": "the sum over the horizon's years of the annual values (for a flow: its horizon total)",
              "mean": "the mean over the horizon's years of the annual values (flows summed per year, stocks "
                      "at December)",
              "final": "the last year's annual value"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Objective(_Strict):
    indicator: str = Field(description="An indicator (group 'all'), or cost_total_yuan / cost_budget_yuan.")
    reduce: Literal["sum", "mean", "final"] = "sum"
    direction: Literal["minimize", "maximize"] = "minimize"
    label: str = Field("", description="Words for tables and figures (default: the indicator's name).")

    @property
    def name(self) -> str:
        return f"{self.indicator}_{self.reduce}"


class Constraints(_Strict):
    budget: bool = Field(True, description="Every year's spending of each level within its envelope "
                         "(mean over replicates); needs an envelope in [budget].")


class Search(_Strict):
    trials: int = Field(48, ge=2, le=100_000, description="Trials in all (a trial = one lever mix x replicates).")
    population: int = Field(12, ge=2, le=10_000, description="NSGA-II population: trials per generation.")
    seed: int = Field(1, ge=0, le=2**32 - 1, description="Seed of the sampler (not of the model).")


class Recheck(_Strict):
    points: int = Field(3, ge=0, le=50, description="Pareto points re-run with more replicates (0: none).")
    replicates: int = Field(10, ge=2, le=1000, description="Replicates of the re-check (common random numbers).")


class OptimizeSpec(_Strict):
    name: str = "optimize"
    description: str = ""
    base: str | None = Field(None, description="Base scenario file, relative to the spec (default: the baseline).")
    run: dict[str, Any] = Field(default_factory=dict, description="[run] settings of every trial.")
    levers: dict[str, list[bool | int | float | str] | Range] = Field(default_factory=dict)
    objectives: list[Objective] = Field(default_factory=list)
    budget: dict[str, Any] = Field(default_factory=dict, description="[budget] of the base, overridden.")
    constraints: Constraints = Field(default_factory=Constraints)
    search: Search = Field(default_factory=Search)
    recheck: Recheck = Field(default_factory=Recheck)

    @field_validator("name")
    @classmethod
    def _usable_name(cls, v: str) -> str:  # it becomes results/optimize-<name>
        return check_name(v)


@dataclass
class Problem:
    """A validated spec made concrete: the base scenario (with the spec's [run] and [budget]) and the levers."""
    spec: OptimizeSpec
    source: str
    base: Any  # Scenario
    spec_hash: str

    @property
    def levers(self) -> dict:
        return self.spec.levers

    @property
    def objectives(self) -> list[Objective]:
        return self.spec.objectives

    @property
    def uses_budget(self) -> bool:
        return self.spec.constraints.budget


def load(path_or_data, source: str | None = None) -> Problem:
    """Read and check a spec file (or dict) against the scenario schema; a Problem or one InputError."""
    spec, source, folder = read_spec(path_or_data, source, "optimisation spec", OptimizeSpec, "levers")
    base = _resolve_base(spec, source, folder)  # type: ignore[arg-type]  (same fields as a sweep spec's)
    if spec.budget:
        base = with_overrides(base, {f"budget.{k}": v for k, v in spec.budget.items()}, f"{source}: [budget]")
    _check(spec, base, source)
    return Problem(spec, source, base, spec_hash(spec, base))


def _check(spec: OptimizeSpec, base, source: str) -> None:
    from ..core.regions import check_scale
    from .results import indicator_catalogue

    if not spec.levers:
        raise InputError(f"{source}: key 'levers': missing or empty; name the lever parameters to search, e.g. "
                         "\"workshops.sites_multiplier\" = { low = 0.5, high = 2.0 }")
    for key, values in spec.levers.items():
        where = f"key 'levers.\"{key}\"'"
        try:
            field = _field(key, source)
        except InputError as exc:
            raise InputError(str(exc).replace("parameters.", "levers.")) from None
        if key.startswith(("run.", "budget.")):
            raise InputError(f"{source}: {where}: not a lever; set it in the spec's [run] or [budget] table")
        if isinstance(values, Range):
            if field.annotation not in (int, float):
                options = typing.get_args(field.annotation)
                raise InputError(f"{source}: {where}: a range needs a numeric parameter; give a list of options"
                                 + (f" from {', '.join(map(str, options))}" if options else ""))
            if not values.low < values.high:
                raise InputError(f"{source}: {where}: low must be below high (got low = {values.low}, "
                                 f"high = {values.high})")
            checked = [values.low, values.high]
        else:
            if len(values) < 2 or len(set(map(repr, values))) != len(values):
                raise InputError(f"{source}: {where}: give at least two different options (got {values})")
            checked = values
        for value in checked:
            with_overrides(base, {key: value}, f"{source}: [levers]")
    if not spec.objectives:
        raise InputError(f"{source}: key 'objectives': missing; add [[objectives]] tables with indicator, reduce "
                         f"({', '.join(REDUCTIONS)}) and direction (minimize, maximize)")
    catalogue = indicator_catalogue()
    for k, objective in enumerate(spec.objectives):
        if objective.indicator not in catalogue and objective.indicator not in DERIVED:
            raise InputError(f"{source}: key 'objectives.{k}.indicator': unknown indicator '{objective.indicator}'; "
                             f"allowed: {', '.join([*DERIVED, *catalogue])}")
    names = [o.name for o in spec.objectives]
    if len(set(names)) != len(names):
        raise InputError(f"{source}: key 'objectives': an indicator and reduction is named twice ({names})")
    if spec.constraints.budget:
        from ..core.budget import has_envelope

        if not has_envelope(base.budget):
            raise InputError(f"{source}: key 'constraints.budget': true, but neither the base scenario nor the "
                             "spec's [budget] sets an envelope (county_yuan_per_year, city_yuan_per_year); add one "
                             "or set constraints.budget = false")
    if spec.search.population > spec.search.trials:
        raise InputError(f"{source}: key 'search.population': {spec.search.population} is more than search.trials "
                         f"({spec.search.trials}); one generation would not finish")
    check_scale(base, source)


def spec_hash(spec: OptimizeSpec, base) -> str:
    """What a trial means: base, levers, objectives, constraint, sampler seed and population (not the trials)."""
    payload = {"base": base.model_dump(mode="json"),
               "levers": {k: (v.model_dump() if isinstance(v, Range) else v) for k, v in spec.levers.items()},
               "objectives": [o.model_dump(exclude={"label"}) for o in spec.objectives],
               "constraints": spec.constraints.model_dump(),
               "search": spec.search.model_dump(exclude={"trials"})}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()
