"""EMA Workbench connector: an `ema_workbench.Model` whose levers and uncertainties come from the scenario
schema and whose outcomes are scalar reductions of indicators.

Policy analysts explore with the EMA Workbench (Kwakkel 2017): sample uncertainties and levers, run the
model for each experiment, then find the conditions under which a policy fails (PRIM) or rank what matters
(SALib). Wrapping `sim.run` by hand means mapping dotted keys to identifiers, building scenario dicts and
reducing the monthly table to numbers; `model()` does it once, from the schema, so names, ranges and
categorical options cannot drift from what a scenario file allows.

    from sim.experiments import ema
    from ema_workbench import SequentialEvaluator, perform_experiments
    m = ema.model(uncertainties=["monitoring.detection_multiplier", "shocks.illness_monthly"],
                  levers=["pv.household_share_of_village_funds", "workshops.after_transition"],
                  outcomes=[("persons_below_poverty_line", "mean"), ("cost_pv_yuan", "sum")],
                  scale=0.02, years=6)
    with SequentialEvaluator(m) as evaluator:
        experiments, outcomes = perform_experiments(m, scenarios=20, policies=2, evaluator=evaluator)

Each experiment runs `sim.run` with the base scenario, the sampled values as overrides, and the same root
seed for every experiment (common random numbers: differences between experiments show the parameters,
not the luck). Needs the optional `ema-workbench` package (`pip install -e '.[ema]'`).
"""

import typing
from typing import Any, Iterable

import numpy as np

from ..core.errors import InputError
from ..core.params import allowed_range
from .results import annual, indicator_catalogue, resolve, run
from ..core.scenario import SECTIONS

REDUCTIONS = {
    "mean": "mean over the horizon's years of the annual values (flows summed per year, stocks at December)",
    "final": "the last year's annual value",
    "sum": "the sum over the horizon of a flow (e.g. a cost)",
}
DEFAULT_OUTCOMES = (("persons_below_poverty_line", "mean"), ("returns_to_poverty_households", "sum"),
                    ("income_per_capita_mean_yuan", "final"))


def identifier(key: str) -> str:
    """'pv.household_share_of_village_funds' -> 'pv__household_share_of_village_funds' (EMA names are Python
    identifiers; `sim.core.scenario.with_overrides` reads the double underscore as the dot)."""
    return key.replace(".", "__")


def dotted(name: str) -> str:
    return name.replace("__", ".", 1)


def parameter(key: str, bounds: tuple | list | None = None):
    """The EMA parameter for a scenario key, from the schema: a real or integer range (the schema's bounds,
    or narrower `bounds`), categorical options (a rule such as after_transition) or a switch."""
    import ema_workbench as ema

    section, _, name = key.partition(".")
    field = getattr(SECTIONS.get(section), "model_fields", {}).get(name)
    if field is None or section in ("expect", "run"):
        known = ", ".join(f"{s}.{n}" for s, cls in SECTIONS.items() if s not in ("expect", "run")
                          for n in cls.model_fields)
        raise InputError(f"ema: key '{key}': not a scenario parameter; allowed: {known}")
    kind = field.annotation
    if kind is bool:
        return ema.BooleanParameter(identifier(key))
    if typing.get_origin(kind) is typing.Literal:
        options = list(typing.get_args(kind)) if bounds is None else list(bounds)
        bad = [o for o in options if o not in typing.get_args(kind)]
        if bad:
            raise InputError(f"ema: key '{key}': option {bad[0]!r} not allowed; allowed: {', '.join(typing.get_args(kind))}")
        return ema.CategoricalParameter(identifier(key), options)
    if kind not in (int, float):
        raise InputError(f"ema: key '{key}': a {getattr(kind, '__name__', kind)} cannot be sampled; "
                         "allowed: numbers, switches and rules")
    low, high = _schema_bounds(field)
    if bounds is not None:
        lo, hi = bounds
        if lo < low or hi > high or lo >= hi:
            raise InputError(f"ema: key '{key}': range [{lo}, {hi}] outside the schema's {allowed_range(field)}")
        low, high = lo, hi
    if not (np.isfinite(low) and np.isfinite(high)):
        raise InputError(f"ema: key '{key}': the schema gives no finite range ({allowed_range(field)}); "
                         "give one, e.g. {key: (low, high)}")
    if kind is int:
        return ema.IntegerParameter(identifier(key), int(low), int(high))
    return ema.RealParameter(identifier(key), float(low), float(high))


def _schema_bounds(field) -> tuple[float, float]:
    low, high = -np.inf, np.inf
    for m in field.metadata:
        for attr in ("ge", "gt"):
            if getattr(m, attr, None) is not None:
                low = getattr(m, attr) if attr == "ge" else np.nextafter(getattr(m, attr), np.inf)
        for attr in ("le", "lt"):
            if getattr(m, attr, None) is not None:
                high = getattr(m, attr) if attr == "le" else np.nextafter(getattr(m, attr), -np.inf)
    return low, high


def outcome_name(indicator: str, how: str) -> str:
    return f"{indicator}_{how}"


def reduce(indicators, indicator: str, how: str, group: str = "all") -> float:
    """One number from a run's tidy indicators, averaged over replicates: how EMA outcomes are made.

    Parameters:
        indicators: a tidy table (`RunResult.indicators`)
        indicator: the indicator's name
        how: "mean" (over the years of annual values), "final" (last year) or "sum" (over the horizon)
        group: "all" or a county class
    Returns:
        a float in the indicator's unit (per year for annual values)
    Example:
        >>> sim.experiments.ema.reduce(sim.run(scale=0.02).indicators, "cost_workshops_yuan", "sum")
    """
    yearly = annual(indicators[(indicators["indicator"] == indicator) & (indicators["group"] == group)])
    full = yearly[yearly["months"] == 12]
    yearly = full if not full.empty else yearly
    per_replicate = yearly.groupby(["replicate", "year"])["value"].sum().unstack("year")
    if how == "mean":
        values = per_replicate.mean(axis=1)
    elif how == "final":
        values = per_replicate.iloc[:, -1]
    else:
        values = per_replicate.sum(axis=1)
    return float(values.mean())


def _check_outcomes(outcomes) -> list[tuple[str, str]]:
    catalogue = indicator_catalogue()
    out = []
    for item in outcomes:
        indicator, how = (item, "mean") if isinstance(item, str) else tuple(item)
        if indicator not in catalogue:
            raise InputError(f"ema: outcome '{indicator}': unknown indicator; allowed: {', '.join(catalogue)}")
        if how not in REDUCTIONS:
            raise InputError(f"ema: outcome '{indicator}': unknown reduction '{how}'; allowed: {', '.join(REDUCTIONS)}")
        if how == "sum" and catalogue[indicator].kind != "flow":
            raise InputError(f"ema: outcome '{indicator}': 'sum' needs a flow (it is a {catalogue[indicator].kind}); "
                             "allowed: mean, final")
        out.append((indicator, how))
    return out


def _parameters(keys) -> list:
    items = keys.items() if isinstance(keys, dict) else ((k, None) for k in keys)
    return [parameter(k, b) for k, b in items]


def model(name: str = "ruralsim", *, uncertainties: Iterable[str] | dict = (), levers: Iterable[str] | dict = (),
          outcomes: Iterable = DEFAULT_OUTCOMES, scenario=None, replicates: int = 1, scale: float | None = None,
          years: int | None = None, seed: int | None = None, region: str | None = None):
    """An `ema_workbench.Model` over `sim.run`, its parameters and outcomes taken from the schema.

    Parameters:
        name: the EMA model's name (an identifier)
        uncertainties, levers: scenario keys ("monitoring.detection_multiplier"), or a dict of key to a narrower
            (low, high) range or a list of options; names become identifiers (dots as "__"); ranges and
            options otherwise come from the schema
        outcomes: indicators with a reduction, ("cost_pv_yuan", "sum"); a bare name means "mean" (REDUCTIONS);
            each becomes a ScalarOutcome named `<indicator>_<reduction>`
        scenario: the base (a file, Scenario or dict; the baseline by default)
        replicates, scale, years, seed, region: run settings; every experiment uses the same seed
    Returns:
        an ema_workbench.Model (function: sim.run with the sampled values as overrides)
    Example:
        >>> m = sim.experiments.ema.model(uncertainties=["monitoring.detection_multiplier"],
        ...                   levers=["workshops.after_transition"], scale=0.02, years=6)
    """
    import ema_workbench as ema

    reductions = _check_outcomes(outcomes)
    base = resolve(scenario, replicates=replicates, scale=scale, years=years, seed=seed, region=region)

    def evaluate(**values: Any) -> dict[str, float]:
        overrides = {dotted(k): v for k, v in values.items()}
        result = run(base, overrides=overrides)
        return {outcome_name(i, how): reduce(result.indicators, i, how) for i, how in reductions}

    m = ema.Model(name, function=evaluate)
    m.uncertainties = _parameters(uncertainties)
    m.levers = _parameters(levers)
    m.outcomes = [ema.ScalarOutcome(outcome_name(i, how)) for i, how in reductions]
    return m
