"""`ruralsim discover`: scenario discovery — under which uncertain conditions does a policy fail?

    ruralsim discover scenarios/discover/transition_end_returns.toml --workers 2

A spec names a policy (the base scenario), uncertain parameters with ranges, an outcome and a
threshold ("returns to poverty above 5,000 households a year"). The ranges are sampled by a Latin
hypercube and run as a sweep (the same Dask cluster and resumable Parquet store as `ruralsim sweep`:
stop and re-run to resume), every point on the same replicate seeds. Each point's outcome (mean over
replicates) is classified against the threshold, and EMA Workbench's PRIM (Friedman and Fisher 1999;
Bryant and Lempert 2010) peels a box of conditions where the cases of interest concentrate; CART
(scikit-learn's tree, through the workbench) is the alternative. A box is read by its coverage (the
share of all cases of interest that fall inside it) and density (the share of runs inside it that are
cases of interest), and is written out as a sentence a planner can use.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from ..core.errors import InputError
from .sweep_spec import Range, read_spec

KIND = "discover"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Outcome(_Strict):
    indicator: str
    reduce: Literal["sum", "mean", "final"] = "mean"
    from_year: int | None = Field(None, ge=2000, le=2100, description="First calendar year counted (default: all).")
    threshold: float
    above: bool = Field(True, description="Cases of interest: the outcome above the threshold (false: below).")
    label: str = ""


class Method(_Strict):
    samples: int = Field(200, ge=10, le=100_000, description="Latin hypercube points.")
    peel_alpha: float = Field(0.05, gt=0.0, lt=0.5)
    mass_min: float = Field(0.05, gt=0.0, lt=1.0, description="Smallest share of the runs a box may hold.")
    density_threshold: float = Field(0.8, gt=0.0, le=1.0, description="The box chosen on the peeling trajectory "
                                     "is the one with the largest coverage whose density reaches this.")


class DiscoverSpec(_Strict):
    name: str = "discover"
    description: str = ""
    base: str | None = None
    run: dict[str, Any] = Field(default_factory=dict)
    uncertainties: dict[str, Range] = Field(default_factory=dict)
    outcome: Outcome
    method: Method = Field(default_factory=Method)


@dataclass
class Problem:
    spec: DiscoverSpec
    plan: Any  # sweep_plan.Plan of kind "discover"
    source: str

    @property
    def name(self) -> str:
        return self.spec.name


def load(path_or_data, source: str | None = None) -> Problem:
    """Check a discovery spec against the scenario schema and lay out its sweep; a Problem or one InputError."""
    from .sweep_plan import plan
    from .sweep_spec import _check, _resolve_base, parse_spec

    spec, source, folder = read_spec(path_or_data, source, "discovery spec", DiscoverSpec, "uncertainties")
    if not spec.uncertainties:
        raise InputError(f"{source}: key 'uncertainties': missing or empty; give ranges, e.g. "
                         "\"income.wage_growth_per_year\" = { low = 0.0, high = 0.08 }")
    base_path = None
    if spec.base is not None:
        base_path = Path(spec.base) if Path(spec.base).is_absolute() or folder is None else folder / spec.base
    sweep = parse_spec({"name": spec.name, "base": None if base_path is None else str(base_path), "run": spec.run,
                        "parameters": {k: v.model_dump() for k, v in spec.uncertainties.items()},
                        "design": {"sampler": "latin_hypercube", "samples": spec.method.samples},
                        "output": {"indicators": [spec.outcome.indicator], "groups": ["all"], "reduce": "annual"}},
                       source)
    try:
        base = _resolve_base(sweep, source, None)
        _check(sweep, base, source, KIND)
    except InputError as exc:
        raise InputError(str(exc).replace("parameters.", "uncertainties.").replace("output.indicators.0",
                                                                                    "outcome.indicator")) from None
    laid_out = plan(sweep, "sweep")  # a Latin hypercube sweep ...
    laid_out.kind = KIND  # ... in a store of its own kind (never resumed as, or replaced by, a sweep)
    return Problem(spec, laid_out, source)


# --- from runs to cases ---------------------------------------------------------------------------
def outcomes(problem: Problem, results: pd.DataFrame) -> pd.DataFrame:
    """One row per design point: the uncertain values, the outcome (mean over replicates) and the case flag."""
    o = problem.spec.outcome
    rows = results[(results["indicator"] == o.indicator) & (results["group"] == "all")].copy()
    rows["year"] = rows["period"].astype(int)
    if o.from_year is not None:
        rows = rows[rows["year"] >= o.from_year]
    rows = rows.sort_values("year")
    g = rows.groupby(["point", "replicate"])["value"]
    per_run = {"sum": g.sum, "mean": g.mean, "final": g.last}[o.reduce]()
    value = per_run.groupby(level="point").mean().rename("outcome")
    frame = problem.plan.design.set_index("point").join(value, how="inner").reset_index()
    frame["case"] = frame["outcome"] > o.threshold if o.above else frame["outcome"] < o.threshold
    return frame


def run_prim(problem: Problem, cases: pd.DataFrame):
    """PRIM's first box: its peeling trajectory, the chosen box on it and its limits."""
    from ema_workbench.analysis import prim

    m = problem.spec.method
    x = cases[list(problem.spec.uncertainties)].astype(float).reset_index(drop=True)
    y = cases["case"].to_numpy(dtype=bool)
    p = prim.Prim(x, y, threshold=m.density_threshold, peel_alpha=m.peel_alpha, mass_min=m.mass_min)
    box = p.find_box()
    trajectory = box.peeling_trajectory.reset_index(drop=True)
    good = trajectory[trajectory["density"] >= m.density_threshold]
    chosen = int(good["coverage"].idxmax()) if len(good) else \
        int((trajectory["coverage"] * trajectory["density"]).idxmax())
    return trajectory, chosen, box.box_lims[chosen], p.box_init


def run_cart(problem: Problem, cases: pd.DataFrame) -> list[dict]:
    """CART's leaves where cases of interest are the majority, largest coverage first."""
    from ema_workbench.analysis import cart

    x = cases[list(problem.spec.uncertainties)].astype(float).reset_index(drop=True)
    tree = cart.CART(x, cases["case"].to_numpy(dtype=bool), mass_min=problem.spec.method.mass_min)
    tree.build_tree()
    init = x.agg(["min", "max"]).set_axis([0, 1])
    leaves = []
    for k, (lims, stats) in enumerate(zip(tree.boxes, tree.stats)):
        if stats["density"] >= 0.5 and stats["coverage"] > 0:
            leaves.append({"box": k, "coverage": stats["coverage"], "density": stats["density"],
                           "mass": stats["mass"], "limits": _restricted(lims, init)})
    return sorted(leaves, key=lambda b: -b["coverage"])


def _restricted(lims: pd.DataFrame, init: pd.DataFrame) -> dict[str, tuple[float | None, float | None]]:
    """{parameter: (lower or None, upper or None)} for the dimensions the box restricts."""
    out = {}
    for name in lims.columns:
        lo, hi = float(lims.loc[0, name]), float(lims.loc[1, name])
        lo0, hi0 = float(init.loc[0, name]), float(init.loc[1, name])
        span = max(hi0 - lo0, 1e-12)
        lower = lo if lo > lo0 + 1e-9 * span else None
        upper = hi if hi < hi0 - 1e-9 * span else None
        if lower is not None or upper is not None:
            out[name] = (lower, upper)
    return out


# --- in planners' words ---------------------------------------------------------------------------
def _value(key: str, value: float) -> str:
    from .sweep_spec import _field

    field = _field(key, "spec")
    unit = (field.json_schema_extra or {}).get("unit", "")
    if unit in ("per year", "share"):
        return f"{value * 100:.3g}%"
    return f"{value:.3g}" + (f" {unit}" if unit and unit not in ("ratio",) else "")


def _words(key: str) -> str:
    return key.split(".", 1)[1].replace("_", " ")


def sentence(problem: Problem, limits: dict, coverage: float, density: float) -> str:
    o = problem.spec.outcome
    what = o.label or o.indicator.replace("_", " ")
    window = f" from {o.from_year}" if o.from_year else ""
    conditions = []
    for key, (lower, upper) in limits.items():
        if lower is not None and upper is not None:
            conditions.append(f"{_words(key)} is between {_value(key, lower)} and {_value(key, upper)}")
        elif lower is not None:
            conditions.append(f"{_words(key)} > {_value(key, lower)}")
        else:
            conditions.append(f"{_words(key)} < {_value(key, upper)}")
    when = " and ".join(conditions) if conditions else "whatever the uncertain values (no restriction found)"
    side = "exceed" if o.above else "fall below"
    return (f"{what} ({o.reduce}{window}) {side} {o.threshold:,.0f} when {when} "
            f"(coverage {coverage:.0%}: that share of all such runs lies in this box; "
            f"density {density:.0%}: that share of the runs in the box {side} it)")


# --- the command ----------------------------------------------------------------------------------
def discover(spec, *, out, client=None, workers=None, scheduler=None, slurm=None, progress=False) -> dict:
    """Run (or resume) the sample as a sweep store in `out`, then PRIM and CART; writes the boxes and figures.

    Parameters:
        spec: a discovery spec file (scenarios/discover/*.toml), a dict or a Problem
        out: the store directory (resumed when it holds this spec's runs)
        client / workers / scheduler / slurm: where the runs go (as for `sim.sweep.run_sweep`)
    Returns:
        {"cases": one row per point, "prim": boxes table, "cart": leaves, "sentences": [...], "failures": [...]}
    Example:
        >>> sim.discover.discover("scenarios/discover/transition_end_returns.toml", out="results/d", workers=2)
    """
    from .sweep import run_sweep

    problem = spec if isinstance(spec, Problem) else load(spec)
    results = run_sweep(problem.plan, client=client, out=out, workers=workers, scheduler=scheduler, slurm=slurm,
                        kind=KIND, progress=progress, dashboard=None)
    cases = outcomes(problem, results)
    out = Path(out)
    result = {"problem": problem, "cases": cases, "failures": results.attrs.get("failures", []), "out": out}
    n_cases = int(cases["case"].sum())
    if n_cases == 0 or n_cases == len(cases):
        result.update(prim=pd.DataFrame(), cart=[], sentences=[
            f"no box: {n_cases} of {len(cases)} runs are cases of interest; move the threshold "
            f"({problem.spec.outcome.threshold:g}) inside the outcomes' range "
            f"[{cases['outcome'].min():,.0f}, {cases['outcome'].max():,.0f}]"])
    else:
        trajectory, chosen, lims, init = run_prim(problem, cases)
        limits = _restricted(lims, init)
        row = trajectory.loc[chosen]
        leaves = run_cart(problem, cases)
        sentences = [sentence(problem, limits, row["coverage"], row["density"])]
        sentences += [sentence(problem, b["limits"], b["coverage"], b["density"]) for b in leaves[:2]]
        result.update(prim=_boxes_table("prim", [(chosen, row, limits)]), cart=leaves, sentences=sentences,
                      trajectory=trajectory, chosen=chosen, limits=limits)
    from .discover_report import write

    write(result, out)
    return result


def _boxes_table(method: str, boxes) -> pd.DataFrame:
    rows = []
    for k, stats, limits in boxes:
        for key, (lower, upper) in (limits or {"(none)": (None, None)}).items():
            rows.append({"method": method, "box": k, "coverage": stats["coverage"], "density": stats["density"],
                         "mass": stats["mass"], "parameter": key, "lower": lower, "upper": upper})
    return pd.DataFrame(rows)


def format_boxes(result: dict) -> str:
    cases = result["cases"]
    lines = [f"{int(cases['case'].sum())} of {len(cases)} sampled conditions are cases of interest "
             f"(outcome range {cases['outcome'].min():,.0f} to {cases['outcome'].max():,.0f})"]
    labels = ["PRIM"] + [f"CART leaf {k + 1}" for k in range(len(result["sentences"]) - 1)]
    lines += [f"  {label}: {text}" for label, text in zip(labels, result["sentences"])]
    return "\n".join(lines)
