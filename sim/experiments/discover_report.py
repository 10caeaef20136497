"""Files of `ruralsim discover`, written into its store beside the runs: cases.csv (one row per sampled
condition), boxes.csv (PRIM's box and CART's leaves with coverage, density and limits), discovery.md
(the sentences), prim_trajectory.png (coverage against density along the peeling, the chosen box
marked) and prim_box.png (the box's limits on each restricted parameter's sampled range, with the runs)."""

from pathlib import Path

import numpy as np
import pandas as pd

from .sweep_store import _atomic_write


def write(result: dict, out: Path) -> list[Path]:
    from .discover import _boxes_table

    problem = result["problem"]
    written = [out / "cases.csv", out / "boxes.csv", out / "discovery.md"]
    _atomic_write(out / "cases.csv", lambda p: result["cases"].to_csv(p, index=False))
    cart = _boxes_table("cart", [(b["box"], b, b["limits"]) for b in result.get("cart", [])])
    boxes = pd.concat([result.get("prim", pd.DataFrame()), cart], ignore_index=True)
    _atomic_write(out / "boxes.csv", lambda p: boxes.to_csv(p, index=False))
    o = problem.spec.outcome
    lines = [f"# Scenario discovery: {problem.name}", "", problem.spec.description, "",
             f"Outcome: `{o.indicator}` ({o.reduce}{f' from {o.from_year}' if o.from_year else ''}), cases of "
             f"interest {'above' if o.above else 'below'} {o.threshold:,.0f}; {len(result['cases'])} Latin "
             f"hypercube points x {problem.plan.replicates} replicate(s) (common random numbers); base "
             f"`{problem.spec.base or 'baseline'}`, scale {problem.plan.base.run.scale:g}, "
             f"{problem.plan.base.run.years} years from {problem.plan.base.run.start_month}.", ""]
    labels = ["PRIM (chosen box)"] + [f"CART leaf {k + 1}" for k in range(len(result["sentences"]) - 1)]
    lines += [f"- **{label}**: {text}" for label, text in zip(labels, result["sentences"])]
    lines += ["", "Coverage: the share of all cases of interest inside the box. Density: the share of the runs "
              "inside the box that are cases of interest. Mass: the share of all runs inside the box. The "
              "intervals and boxes describe the model at this scale and these ranges, not the world.", ""]
    _atomic_write(out / "discovery.md", lambda p: p.write_text("\n".join(lines), encoding="utf-8"))
    if "trajectory" in result:
        trajectory_figure(result, out / "prim_trajectory.png")
        box_figure(result, out / "prim_box.png")
        written += [out / "prim_trajectory.png", out / "prim_box.png"]
    return written


def trajectory_figure(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t, chosen = result["trajectory"], result["chosen"]
    fig, ax = plt.subplots(figsize=(6, 4.5))
    points = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=22)
    ax.plot(t["coverage"], t["density"], c="0.7", lw=0.8, zorder=0)
    ax.scatter([t.loc[chosen, "coverage"]], [t.loc[chosen, "density"]], s=160, facecolors="none",
               edgecolors="tab:red", lw=2, label=f"chosen box ({chosen})")
    ax.axhline(result["problem"].spec.method.density_threshold, c="tab:red", ls=":", lw=1,
               label="density threshold")
    fig.colorbar(points, ax=ax, label="restricted parameters", ticks=range(int(t["res_dim"].max()) + 1))
    ax.set_xlabel("coverage (share of all cases of interest in the box)")
    ax.set_ylabel("density (share of the box's runs that are cases)")
    ax.set_title(f"PRIM peeling trajectory: {result['problem'].name}", fontsize=10)
    ax.legend(fontsize=8, loc="lower left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    _atomic_write(path, lambda p: fig.savefig(p, dpi=120, format="png"))
    plt.close(fig)


def box_figure(result: dict, path: Path) -> None:
    """Each restricted parameter on its sampled range: cases (red) and other runs (grey), the box shaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cases, limits = result["cases"], result["limits"]
    names = list(limits) or list(result["problem"].spec.uncertainties)[:1]
    fig, axes = plt.subplots(len(names), 1, figsize=(7, 1.1 + 1.0 * len(names)), squeeze=False)
    rng = np.random.default_rng(0)  # vertical jitter only, for legibility
    for ax, name in zip(axes[:, 0], names):
        values = cases[name].to_numpy(float)
        jitter = rng.uniform(-0.3, 0.3, len(values))
        is_case = cases["case"].to_numpy(bool)
        ax.scatter(values[~is_case], jitter[~is_case], s=8, c="0.6", label="other runs")
        ax.scatter(values[is_case], jitter[is_case], s=8, c="tab:red", label="cases of interest")
        lower, upper = limits.get(name, (None, None))
        ax.axvspan(values.min() if lower is None else lower, values.max() if upper is None else upper,
                   color="tab:blue", alpha=0.15, label="PRIM box")
        ax.set_yticks([])
        ax.set_ylabel(name.split(".", 1)[1], rotation=0, ha="right", va="center", fontsize=8)
    axes[0, 0].legend(fontsize=7, ncol=3, loc="upper center", bbox_to_anchor=(0.5, 1.6))
    fig.tight_layout()
    _atomic_write(path, lambda p: fig.savefig(p, dpi=120, format="png"))
    plt.close(fig)
