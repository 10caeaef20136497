"""Figures of a calibration's report (`calibration/report/`, written by `ruralsim calibrate`): prior
against posterior, posterior correlations, the ABC generations."""

import math

from ...experiments.targets_check import _plt


def prior_posterior_figure(spec, summary):
    """Per parameter: the uniform prior (on the fit scale) and the weighted posterior, with contraction."""
    import numpy as np

    plt = _plt()
    params = spec.parameters
    cols = 3
    rows = math.ceil(len(params) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows), squeeze=False)
    post = summary["posterior"]
    table = summary["summary"].set_index("parameter")
    for ax, p in zip(axes.flat, params):
        lo, hi = p.fit_bounds
        z = np.array([p.to_fit(v) for v in post[p.name]])
        ax.hist(z, bins=20, range=(lo, hi), weights=post["weight"], density=True, color="tab:blue", alpha=0.5,
                label="ABC posterior")
        ax.hlines(1.0 / (hi - lo), lo, hi, colors="k", linestyles="--", label="prior")
        row = table.loc[p.name]
        ax.axvline(p.to_fit(row["posterior_median"]), color="tab:blue", lw=1, ls=":", label="posterior median")
        ax.axvline(p.to_fit(row["chosen"]), color="tab:red", lw=1.5, label="chosen (emulator best fit)")
        ax.set_title(f"{p.name}\ncontraction {row['contraction']:.2f}", fontsize=8)
        ax.set_xlabel(("log10 " if p.log else "") + p.name.split(".")[-1], fontsize=7)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(params):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.suptitle("Prior (dashed) and posterior of each calibrated parameter", fontsize=10)
    fig.tight_layout()
    return fig


def correlation_figure(correlations):
    plt = _plt()
    n = len(correlations)
    fig, ax = plt.subplots(figsize=(1.2 * n + 3, 1.0 * n + 2))
    im = ax.imshow(correlations.to_numpy(float), vmin=-1, vmax=1, cmap="RdBu_r")
    labels = [c.split(".")[-1] for c in correlations.columns]
    ax.set_xticks(range(n), labels, rotation=40, ha="right", fontsize=7)
    ax.set_yticks(range(n), labels, fontsize=7)
    for i in range(n):
        for j in range(n):
            ax.text(j, i, f"{correlations.iat[i, j]:.2f}", ha="center", va="center", fontsize=7)
    fig.colorbar(im, ax=ax, shrink=0.8)
    ax.set_title("Posterior correlations (fit scale)", fontsize=10)
    fig.tight_layout()
    return fig


def generations_figure(generations):
    plt = _plt()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 3.2))
    g = generations["generation"]
    a1.plot(g, generations["epsilon"], "o-", label="epsilon (threshold)")
    a1.plot(g, generations["distance_median"], "s-", label="median distance of accepted")
    a1.set_yscale("log")
    a1.set_xlabel("generation")
    a1.set_ylabel("distance (RMS of errors / sigma)")
    a1.legend(fontsize=7)
    a2.plot(g, generations["acceptance_rate"], "o-", color="tab:green")
    a2.set_xlabel("generation")
    a2.set_ylabel("acceptance rate")
    a2.set_ylim(0, 1)
    fig.suptitle("ABC-SMC: distance and acceptance by generation", fontsize=10)
    fig.tight_layout()
    return fig
