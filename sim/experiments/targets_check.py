"""`ruralsim targets`: each calibration target's simulated mean and 90% interval against its seed value,
with posterior draws where a calibration report exists; table, JSON and figure. Also the replicate
checks `ruralsim calibrate` runs on its chosen parameter set."""

import json
import os
import time
from pathlib import Path
from typing import Any

from ..core.errors import InputError
from ..core.calibrated import CALIBRATION_DIR, ROOT, calibration_record


def _relative(path) -> str:
    try:
        return str(Path(path).resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


def _plt():
    import matplotlib

    if not os.environ.get("MPLBACKEND"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def check_runs(spec, values: dict[str, float], *, replicates: int, seed: int, scale="calibration", client=None,
               base=None):
    """Each target over `replicates` runs of one parameter set: a tidy frame (replicate, target, value)."""
    import pandas as pd

    from .results import replicate_seeds
    from .targets import parameter_overrides, simulate

    overrides = parameter_overrides(spec, values)
    seeds = replicate_seeds(seed, replicates)
    if client is None:
        outs = [simulate(spec, overrides, s, scale=scale, base=base) for s in seeds]
    else:
        futures = [client.submit(simulate, spec, overrides, s, scale=scale, base=base, pure=False) for s in seeds]
        outs = client.gather(futures)
    rows = [{"replicate": r, "seed": s, "target": k, "value": v} for r, (s, out) in enumerate(zip(seeds, outs))
            for k, v in out.items()]
    return pd.DataFrame(rows)


def target_table(spec, runs, posterior_runs=None) -> "Any":
    """Per target: observed, simulated mean and 90% interval over replicates, error, within tolerance."""
    import numpy as np
    import pandas as pd

    rows = []
    for t in spec.targets:
        v = runs.loc[runs["target"] == t.id, "value"].to_numpy(float)
        mean = float(np.mean(v))
        row = {
            "target": t.id, "region": spec.runs[t.run].region, "indicator": t.indicator, "group": t.group,
            "period": t.period, "aggregate": t.aggregate, "observed": t.observed, "simulated_mean": mean,
            "simulated_p05": float(np.quantile(v, 0.05)), "simulated_p95": float(np.quantile(v, 0.95)),
            "simulated_sd": float(np.std(v, ddof=1)) if len(v) > 1 else float("nan"), "replicates": len(v),
            "error": t.error(mean), "error_kind": t.tolerance_kind, "tolerance": t.tolerance,
            "within_tolerance": t.within(mean),
        }
        row["noise_over_tolerance"] = (row["simulated_sd"] / (abs(t.observed) if t.tolerance_kind == "relative"
                                                              else 1.0)) / t.tolerance
        if posterior_runs is not None and len(posterior_runs):
            pv = posterior_runs.loc[posterior_runs["target"] == t.id, "value"].to_numpy(float)
            row.update({"posterior_mean": float(np.mean(pv)), "posterior_p05": float(np.quantile(pv, 0.05)),
                        "posterior_p95": float(np.quantile(pv, 0.95)), "posterior_draws": len(pv)})
        rows.append(row)
    return pd.DataFrame(rows)


def posterior_draws(path: Path, n: int, seed: int) -> list[dict]:
    """n parameter sets drawn from the saved posterior (weighted, without replacement where possible)."""
    import numpy as np
    import pandas as pd

    frame = pd.read_csv(path)
    w = frame["weight"].to_numpy(float)
    w = w / w.sum()
    rng = np.random.default_rng(seed)
    k = min(n, int((w > 0).sum()))
    rows = rng.choice(len(frame), size=k, replace=False, p=w)
    params = [c for c in frame.columns if c not in ("generation", "weight", "distance") and ":" not in c]
    return [{c: float(frame.loc[r, c]) for c in params} for r in rows]


def check_targets(scenario_path=None, *, replicates: int = 5, seed: int | None = None, scale=None,
                  posterior: int = 0, targets_path=None, workers: int | None = 0, progress: bool = False,
                  log=print) -> dict:
    """`ruralsim targets`: each target's simulated mean and 90% interval against the seed value."""
    import pandas as pd

    from .results import replicate_seeds, resolve
    from .targets import load_targets, parameter_overrides, simulate

    spec = load_targets(targets_path)
    scenario = resolve(scenario_path)
    if replicates < 1:
        raise InputError(f"--replicates: must be at least 1 (got {replicates})")
    if posterior < 0:
        raise InputError(f"--posterior-draws: must be 0 or more (got {posterior})")
    if scale is not None and not (0 < scale <= 1):
        raise InputError(f"--scale: must be in (0, 1] (got {scale})")
    if workers is not None and workers < 0:
        raise InputError(f"--workers: must be 0 (in this process) or more (got {workers})")
    seed = scenario.run.seed if seed is None else seed
    started = time.time()
    client, close = None, None
    if workers:
        from .cluster import connect

        client, close, _ = connect(workers=workers, dashboard=None)
    try:
        runs = check_runs(spec, {}, replicates=replicates, seed=seed, scale=scale or "check", client=client,
                          base=scenario)
        post_runs = None
        posterior_file = CALIBRATION_DIR / "report" / "posterior.csv"
        if posterior and posterior_file.exists():
            draws = posterior_draws(posterior_file, posterior, seed)
            seeds = replicate_seeds(seed + 7, len(draws))
            rows = []
            for k, (values, s) in enumerate(zip(draws, seeds)):
                out = simulate(spec, parameter_overrides(spec, values), s, scale="calibration", base=scenario)
                rows += [{"draw": k, "target": t, "value": v} for t, v in out.items()]
            post_runs = pd.DataFrame(rows)
    finally:
        if close is not None:
            close()
    table = target_table(spec, runs, post_runs)
    scales = {name: (scale or run.check_scale) for name, run in spec.runs.items()}
    return {"spec": spec, "scenario": scenario, "table": table, "runs": runs, "posterior_runs": post_runs,
            "scales": scales, "seed": seed, "replicates": replicates, "wall_seconds": time.time() - started,
            "posterior_file": str(posterior_file) if post_runs is not None else None}


def targets_json(check: dict) -> dict:
    import numpy as np

    from .results import git_commit

    table = check["table"]
    rows = json.loads(table.replace({np.nan: None}).to_json(orient="records"))
    return {"scenario": check["scenario"].name, "seed": check["seed"], "replicates": check["replicates"],
            "scales": check["scales"], "targets_file": _relative(check["spec"].source),
            "targets_sha256": check["spec"].sha256, "calibration": calibration_record(check["scenario"]),
            "all_within_tolerance": bool(table["within_tolerance"].all()),
            "posterior_draws_from": check["posterior_file"], "git_commit": git_commit(),
            "wall_seconds": round(check["wall_seconds"], 1), "targets": rows}


def format_targets(table) -> str:
    """The targets table for the terminal."""
    def fmt(v):
        if v != v:
            return "-"
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        return f"{v:.3f}"

    lines = [f"{'target':<49} {'observed':>13} {'simulated [90% interval]':>38} {'error':>8} {'tol':>6}  ok"]
    for r in table.itertuples():
        err = f"{r.error:+.1%}" if r.error_kind == "relative" else f"{r.error:+.3f}"
        tol = f"{r.tolerance:.0%}" if r.error_kind == "relative" else f"{r.tolerance:.2f}"
        sim = f"{fmt(r.simulated_mean)} [{fmt(r.simulated_p05)}, {fmt(r.simulated_p95)}]"
        lines.append(f"{r.target:<49} {fmt(r.observed):>13} {sim:>38} {err:>8} {tol:>6}  "
                     f"{'yes' if r.within_tolerance else 'NO'}")
    n_ok = int(table["within_tolerance"].sum())
    lines.append(f"{n_ok} of {len(table)} targets within tolerance")
    return "\n".join(lines)


def write_targets(check: dict, out_dir: Path, *, force: bool = False) -> list[str]:
    """targets.csv, targets.parquet, targets.json, targets.png, runs.csv and manifest.json (atomically)."""
    import matplotlib.pyplot as plt

    from ..ui import outputs

    out_dir = Path(out_dir)
    with outputs.staged(out_dir, "targets", force=force) as staging:
        table = check["table"]
        table.to_csv(staging / "targets.csv", index=False, float_format="%.6g")
        table.to_parquet(staging / "targets.parquet", index=False)
        check["runs"].to_csv(staging / "runs.csv", index=False, float_format="%.8g")
        if check["posterior_runs"] is not None:
            check["posterior_runs"].to_csv(staging / "posterior_runs.csv", index=False, float_format="%.8g")
        doc = targets_json(check)
        (staging / "targets.json").write_text(json.dumps(doc, indent=2, default=str), encoding="utf-8")
        scales = ", ".join(f"{k} {v:g}" for k, v in check["scales"].items())
        fig = targets_figure(table, title=f"{check['scenario'].name}: {check['replicates']} replicates "
                                             f"(scale {scales})")
        fig.savefig(staging / "targets.png", dpi=90)
        plt.close(fig)
        files = sorted(p.name for p in staging.iterdir()) + ["manifest.json"]
        manifest = {"kind": "targets", **{k: v for k, v in doc.items() if k != "targets"}, "files": files,
                    "scenario_resolved": check["scenario"].model_dump()}
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    return files


def targets_figure(table, title: str = ""):
    """Simulated over observed for each target with its 90% interval and the tolerance band."""
    import numpy as np

    plt = _plt()
    n = len(table)
    fig, ax = plt.subplots(figsize=(10, 0.45 * n + 1.6))
    y = np.arange(n)[::-1]
    for yi, r in zip(y, table.itertuples()):
        if r.error_kind == "relative":
            scale, obs, unit = r.observed, 1.0, "ratio"
        else:
            scale, obs, unit = 1.0, r.observed, "abs"
        to_x = (lambda v: v / scale) if unit == "ratio" else (lambda v: 1.0 + (v - obs))
        lo_tol, hi_tol = (1 - r.tolerance, 1 + r.tolerance)
        ax.fill_betweenx([yi - 0.35, yi + 0.35], lo_tol, hi_tol, color="0.88", lw=0)
        colour = "tab:green" if r.within_tolerance else "tab:red"
        ax.errorbar(to_x(r.simulated_mean), yi,
                    xerr=[[to_x(r.simulated_mean) - to_x(r.simulated_p05)], [to_x(r.simulated_p95) - to_x(r.simulated_mean)]],
                    fmt="o", color=colour, capsize=3, label=None)
        if "posterior_mean" in table.columns and r.posterior_mean == r.posterior_mean:
            ax.errorbar(to_x(r.posterior_mean), yi - 0.22,
                        xerr=[[to_x(r.posterior_mean) - to_x(r.posterior_p05)],
                              [to_x(r.posterior_p95) - to_x(r.posterior_mean)]],
                        fmt="^", color="tab:purple", ms=4, capsize=2, alpha=0.8)
    ax.axvline(1.0, color="k", lw=1)
    labels = [f"{r.target}\nobs {r.observed:,.3g}" if abs(r.observed) < 1000 else f"{r.target}\nobs {r.observed:,.0f}"
              for r in table.itertuples()]
    ax.set_yticks(y, labels, fontsize=7)
    ax.set_xlabel("simulated / observed (relative targets); 1 + simulated - observed (ratio and share targets)",
                  fontsize=8)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles = [Patch(color="0.88", label="tolerance"), Line2D([], [], marker="o", color="tab:green", ls="",
               label="mean, 90% interval (within)"), Line2D([], [], marker="o", color="tab:red", ls="",
               label="outside tolerance")]
    if "posterior_mean" in table.columns:
        handles.append(Line2D([], [], marker="^", color="tab:purple", ls="", label="posterior draws"))
    ax.legend(handles=handles, fontsize=7, loc="lower right")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.subplots_adjust(left=0.38)
    return fig


def cmd_targets(args) -> int:
    from ..ui import outputs

    if args.out is not None:  # a bad --out fails before the runs
        outputs.check_target(args.out, "targets", force=args.force)
    check = check_targets(args.scenario, replicates=args.replicates, seed=args.seed, scale=args.scale,
                          posterior=args.posterior_draws, targets_path=args.targets, workers=args.workers)
    out = args.out or Path("results") / f"targets-{check['scenario'].name}"
    files = write_targets(check, out, force=args.force)
    if args.json:
        print(json.dumps(targets_json(check), indent=2, default=str))
    else:
        print(format_targets(check["table"]))
        print(f"wrote {out}/ ({', '.join(files)}) in {check['wall_seconds']:.0f} s")
    return 0
