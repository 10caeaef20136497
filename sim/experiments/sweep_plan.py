"""What a sweep or sensitivity spec runs: its design points, and the runs (design point x replicate) with
their seeds (`plan`); the spec itself is read and checked in sim/experiments/sweep_spec.py.

Seeds (common random numbers): replicate r of every design point runs with the seed of replicate r of
the root seed, `SeedSequence(root).spawn(R)[r]`, the same seed `ruralsim run --seed ROOT` gives
replicate r. Run ids are `point * R + r`. The sampled design has its own stream, spawned from the root
with key DESIGN_STREAM.
"""

import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .results import replicate_seeds
from .sweep_spec import Range, SweepSpec, _check, _field, _resolve_base, load_spec, parse_spec

DESIGN_STREAM = 2**32  # spawn key of the design sampler's stream (replicates use 0..999)
RUN_COLUMNS = ["run_id", "point", "replicate", "seed"]


@dataclass
class Plan:
    """A validated spec made concrete: the base scenario, the design points and the runs."""
    spec: SweepSpec
    source: str
    kind: str  # "sweep" or "sensitivity"
    base: Any  # Scenario
    parameters: list[str]
    design: pd.DataFrame  # point, one column per parameter
    runs: pd.DataFrame  # run_id, point, replicate, seed, one column per parameter
    spec_hash: str

    @property
    def replicates(self) -> int:
        return self.base.run.replicates

    @property
    def root_seed(self) -> int:
        return self.base.run.seed


# --- designs ----------------------------------------------------------------------------------
def _design_seed(root: int) -> int:
    return int(np.random.SeedSequence(root, spawn_key=(DESIGN_STREAM,)).generate_state(1, np.uint32)[0])


def _scale(unit: np.ndarray, ranges: dict[str, Range]) -> dict[str, list]:
    """Map points of the unit cube to the ranges; integer parameters take whole values, low..high."""
    out = {}
    for j, (key, r) in enumerate(ranges.items()):
        u = unit[:, j]
        if _field(key, "spec").annotation is int:
            vals = np.minimum(np.floor(r.low + u * (r.high - r.low + 1)), r.high).astype(np.int64)
            out[key] = [int(v) for v in vals]
        else:
            out[key] = [float(v) for v in r.low + u * (r.high - r.low)]
    return out


def sweep_design(spec: SweepSpec, root: int) -> pd.DataFrame:
    """Full factorial over the lists, crossed with the sampled points over the ranges."""
    lists = {k: v for k, v in spec.parameters.items() if not isinstance(v, Range)}
    ranges = {k: v for k, v in spec.parameters.items() if isinstance(v, Range)}
    grid = list(itertools.product(*lists.values())) if lists else [()]
    sampled: dict[str, list] = {}
    n_samples = 1
    if ranges:
        from scipy.stats import qmc

        rng = np.random.default_rng(_design_seed(root))
        if spec.design.sampler == "sobol":
            unit = qmc.Sobol(len(ranges), scramble=True, seed=rng).random_base2(int(np.log2(spec.design.samples)))
        else:
            unit = qmc.LatinHypercube(len(ranges), seed=rng).random(spec.design.samples)
        sampled = _scale(unit, ranges)
        n_samples = spec.design.samples
    rows = []
    for levels in grid:
        for s in range(n_samples):
            row = dict(zip(lists, levels))
            row.update({k: v[s] for k, v in sampled.items()})
            rows.append(row)
    return _frame(rows, list(spec.parameters))


def salib_sample(spec: SweepSpec, root: int) -> np.ndarray:
    """SALib's points in the ranges' units: Saltelli's N x (D + 2) (first and total order) or Morris's
    N x (D + 1) trajectories; deterministic given the root seed."""
    problem = salib_problem(spec)
    sens = spec.sensitivity
    if sens.method == "sobol":
        from SALib.sample import sobol as sampler

        return sampler.sample(problem, sens.samples, calc_second_order=False, scramble=True, seed=_design_seed(root))
    from SALib.sample import morris as sampler

    return sampler.sample(problem, sens.samples, num_levels=sens.levels, seed=_design_seed(root))


def sensitivity_design(spec: SweepSpec, root: int) -> pd.DataFrame:
    """The design points of the sensitivity analysis (integer parameters take whole values)."""
    x = salib_sample(spec, root)
    ranges = dict(spec.parameters)
    unit = (x - np.array([r.low for r in ranges.values()])) / np.array([r.high - r.low for r in ranges.values()])
    values = _scale(np.clip(unit, 0.0, 1.0), ranges)
    for j, key in enumerate(ranges):
        if _field(key, "spec").annotation is float:
            values[key] = [float(v) for v in x[:, j]]  # exactly SALib's values
    rows = [{k: values[k][i] for k in ranges} for i in range(len(x))]
    return _frame(rows, list(ranges))


def salib_problem(spec: SweepSpec) -> dict:
    return {"num_vars": len(spec.parameters), "names": list(spec.parameters),
            "bounds": [[float(r.low), float(r.high)] for r in spec.parameters.values()]}


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    frame.insert(0, "point", np.arange(len(frame), dtype=np.int64))
    for key in columns:
        annotation = _field(key, "spec").annotation
        if annotation is float:
            frame[key] = frame[key].astype(np.float64)
        elif annotation is int:
            frame[key] = frame[key].astype(np.int64)
        elif annotation is bool:
            frame[key] = frame[key].astype(bool)
        else:
            frame[key] = frame[key].astype(str)
    return frame


def spec_hash(spec: SweepSpec, base, kind: str) -> str:
    """Hash of everything that decides which runs are made and what they return (not names or notes)."""
    payload = {"kind": kind, "base": base.model_dump(mode="json"),
               "parameters": {k: (v.model_dump() if isinstance(v, Range) else v) for k, v in spec.parameters.items()},
               "output": spec.output.model_dump()}
    if kind == "sweep":
        payload["design"] = spec.design.model_dump()
    else:
        payload["sensitivity"] = spec.sensitivity.model_dump(include={"method", "samples", "levels"})
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def plan(spec_or_path, kind: str = "sweep") -> Plan:
    """Validate a spec (path, dict or SweepSpec) and lay out its design points and runs."""
    if isinstance(spec_or_path, Plan):
        return spec_or_path
    folder = None
    if isinstance(spec_or_path, (str, Path)):
        spec, source, folder = load_spec(spec_or_path)
    elif isinstance(spec_or_path, dict):
        spec, source = parse_spec(spec_or_path), "spec"
    else:
        spec, source = spec_or_path, "spec"
    base = _resolve_base(spec, source, folder)
    _check(spec, base, source, kind)
    root, replicates = base.run.seed, base.run.replicates
    design = sweep_design(spec, root) if kind == "sweep" else sensitivity_design(spec, root)
    seeds = replicate_seeds(root, replicates)
    n = len(design)
    runs = pd.DataFrame({
        "run_id": np.arange(n * replicates, dtype=np.int64),
        "point": np.repeat(design["point"].to_numpy(), replicates),
        "replicate": np.tile(np.arange(replicates, dtype=np.int64), n),
        "seed": np.tile(np.array(seeds, dtype=np.int64), n),
    })
    runs = runs.merge(design, on="point", how="left", sort=False)
    return Plan(spec, source, kind, base, list(spec.parameters), design, runs, spec_hash(spec, base, kind))
