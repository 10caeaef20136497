"""Figures of calibration targets, sweep responses and sensitivity indices."""

import matplotlib.pyplot as plt
import matplotlib.ticker as mticker
import numpy as np
import pandas as pd

from .style import COLOURS, STYLE, TARGET_COLUMNS, _grid, _human, _Human, _title, _unit


def targets_figure(table: pd.DataFrame, title: str | None = None):
    """Simulated against observed, one row per target, as the ratio simulated / observed (log scale).

    `table` columns: `target` (id), `label` (text shown; default the id), `observed` (the seed value),
    `simulated` (mean over replicates), `low` and `high` (its interval, e.g. 5% and 95% over
    replicates), `tolerance` (relative: 0.2 accepts observed ± 20%; NaN for none); optional `unit`, and
    `tolerance_kind` ("relative", the default, or "absolute": the tolerance is in the target's units),
    `posterior_mean`, `posterior_p05`, `posterior_p95` (drawn as triangles). `sim.experiments.calibration.target_table`'s
    names (`simulated_mean`, `simulated_p05`, `simulated_p95`, `error_kind`) are accepted too.
    Green: the simulated mean is within tolerance; orange: outside; grey: no tolerance.
    """
    aliases = {"simulated_mean": "simulated", "simulated_p05": "low", "simulated_p95": "high",
               "error_kind": "tolerance_kind"}  # sim.experiments.calibration.target_table's names
    t = table.rename(columns={k: v for k, v in aliases.items() if k in table and v not in table}).reset_index(drop=True)
    missing = [c for c in ("observed", "simulated", "low", "high") if c not in t]
    if missing or not {"target", "label"} & set(t.columns):
        raise ValueError(f"targets_figure: missing columns {missing or ['target or label']}; expected {TARGET_COLUMNS}")
    labels = t["label"] if "label" in t else t["target"]
    obs = t["observed"].astype(float)
    ratio, low, high = (t[c].astype(float) / obs for c in ("simulated", "low", "high"))
    tol = t["tolerance"].astype(float) if "tolerance" in t else pd.Series(np.nan, index=t.index)
    if "tolerance_kind" in t:  # an absolute tolerance, in the target's units, as a share of the observed value
        tol = tol.where(t["tolerance_kind"] != "absolute", tol / obs.abs())
    inside = (ratio - 1).abs() <= tol
    colours = np.where(tol.isna(), "#777777", np.where(inside, "#1b9e77", "#d95f02"))
    y = np.arange(len(t))[::-1]
    finite = np.concatenate([ratio, low, high, 1 - tol.fillna(0), 1 + tol.fillna(0)])
    finite = finite[np.isfinite(finite) & (finite > 0)]
    lo_lim, hi_lim = min(finite.min(), 0.5) / 1.6, max(finite.max(), 2.0) * 1.6
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=(11, 0.55 * len(t) + 1.9), layout="constrained")
        for k in range(len(t)):
            if np.isfinite(tol[k]):
                ax.fill_betweenx([y[k] - 0.35, y[k] + 0.35], max(1 - tol[k], lo_lim), 1 + tol[k], color="#1b9e77",
                                 alpha=0.15, lw=0)
        ax.errorbar(ratio.clip(lo_lim, hi_lim), y, xerr=[(ratio - low).clip(lower=0).fillna(0),
                                                         (high - ratio).clip(lower=0).fillna(0)],
                    fmt="none", ecolor=colours, elinewidth=1.6)
        ax.scatter(ratio.clip(lo_lim, hi_lim), y, c=colours, s=30, zorder=3)
        if "posterior_mean" in t:  # posterior predictive: targets simulated from posterior draws
            post, plo, phi = (t[c].astype(float) / obs for c in ("posterior_mean", "posterior_p05", "posterior_p95"))
            ax.errorbar(post.clip(lo_lim, hi_lim), y - 0.25, xerr=[(post - plo).clip(lower=0).fillna(0),
                        (phi - post).clip(lower=0).fillna(0)], fmt="^", color="#7570b3", ms=5, elinewidth=1.2)
        ax.axvline(1, color="black", lw=0.9)
        ax.set_xscale("log")
        ax.set_xlim(lo_lim, hi_lim)
        ax.xaxis.set_major_locator(mticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(mticker.FuncFormatter(lambda v, _p: f"×{v:g}"))
        ax.xaxis.set_minor_formatter(mticker.NullFormatter())
        ax.set_yticks(y, labels)
        ax.set_title(f"{int(inside.sum())} of {int(tol.notna().sum())} targets within tolerance")
        handles = [plt.Line2D([], [], color=c, marker="o", ls="-", label=text) for c, text in
                   (("#1b9e77", "within tolerance"), ("#d95f02", "outside tolerance"), ("#777777", "no tolerance"))
                   if c in set(colours)]
        if "posterior_mean" in t:
            handles.append(plt.Line2D([], [], color="#7570b3", marker="^", ls="-", label="posterior predictive"))
        ax.legend(handles=handles, fontsize=8, loc="lower right")
        ax.set_xlabel("simulated ÷ observed (log scale; 1 = the seed value; shaded: tolerance)")
        ax.grid(axis="x", alpha=0.3)
        units = t["unit"] if "unit" in t else pd.Series("", index=t.index)
        for k in range(len(t)):
            ax.annotate(f"sim {_human(t['simulated'][k])} vs seed {_human(obs[k])} {units[k]}".rstrip(),
                        (1.0, y[k]), xycoords=("axes fraction", "data"), xytext=(6, 0), textcoords="offset points",
                        va="center", fontsize=8, color="#333333")
        fig.suptitle(title or "Targets: simulated (mean, bars: interval over replicates) against the seed value",
                     fontsize=12)
    return fig


def _parameter_label(key: str) -> str:
    from ...core.scenario import SECTIONS

    section, _, name = str(key).partition(".")
    field = getattr(SECTIONS.get(section), "model_fields", {}).get(name)
    unit = (field.json_schema_extra or {}).get("unit", "") if field is not None else ""
    return f"{key} ({unit})" if unit else str(key)


def sweep_response_figure(results: pd.DataFrame, outcome, x: str, hue: str | None = None, *, group: str = "all",
                          period: str | None = None, title: str | None = None):
    """An outcome (or a list of them, one panel each) against one parameter, optionally by a second (`hue`).

    `results`: the frame `sim.experiments.sweep.run_sweep` returns (run_id, point, replicate, the parameter columns,
    indicator, group, period, value). `period`: "horizon" or a year; default the horizon or the last year.
    A parameter with few values (a factorial design) shows the mean per value and the 5%-95% range of the
    runs (replicates, and any parameter not shown), as the fan charts' bands; a sampled one shows every
    design point's replicate mean with the mean in bins of x.
    """
    outcomes = [outcome] if isinstance(outcome, str) else list(outcome)
    sampled = False
    with plt.rc_context(STYLE):
        fig, axes = _grid(len(outcomes), 3.4) if len(outcomes) > 1 else plt.subplots(
            figsize=(7, 4.2), squeeze=False, layout="constrained")
        for ax, name in zip(axes.flat, outcomes):
            rows = results[(results["indicator"] == name) & (results["group"] == group)]
            when = period or ("horizon" if "horizon" in set(rows["period"]) else max(rows["period"], default=""))
            rows = rows[rows["period"] == str(when)]
            hues = [None] if hue is None else sorted(rows[hue].unique())
            discrete_hue = hue is None or len(hues) <= 8
            levels = sorted(rows[x].unique())
            categorical = not pd.api.types.is_numeric_dtype(rows[x]) or pd.api.types.is_bool_dtype(rows[x])
            if discrete_hue and len(levels) <= 12:
                for k, h in enumerate(hues):
                    sel = rows if h is None else rows[rows[hue] == h]
                    g = sel.groupby(x)["value"]
                    s = pd.DataFrame({"mean": g.mean(), "low": g.quantile(0.05), "high": g.quantile(0.95)}).reindex(levels)
                    pos = np.arange(len(levels)) if categorical else np.asarray(levels, float)
                    span = 1.0 if categorical else float(np.ptp(pos)) or 1.0
                    pos = pos + (k - (len(hues) - 1) / 2) * 0.012 * span  # dodge the hues' bars apart
                    colour = COLOURS[(k + 1) % len(COLOURS)]
                    ax.errorbar(pos, s["mean"], yerr=[s["mean"] - s["low"], s["high"] - s["mean"]], color=colour,
                                marker="o", ms=4, capsize=3, lw=1.4, label=None if h is None else f"{h}")
                ax.set_xticks(np.arange(len(levels)) if categorical else levels, [f"{v:g}" if not categorical
                                                                                  else str(v) for v in levels])
            else:
                sampled = True
                points = rows.groupby("point").agg(v=("value", "mean"), x=(x, "first"),
                                                   h=(hue or x, "first"))
                sc = ax.scatter(points["x"], points["v"], c=points["h"] if hue else COLOURS[1], s=16, alpha=0.75,
                                cmap="viridis" if hue else None)
                if hue:
                    fig.colorbar(sc, ax=ax, label=_parameter_label(hue))
                bins = pd.qcut(points["x"], min(8, max(len(points) // 4, 1)), duplicates="drop")
                trend = points.groupby(bins, observed=True).agg(x=("x", "mean"), v=("v", "mean"))
                ax.plot(trend["x"], trend["v"], color="black", lw=1.6, label="mean in bins of x")
                ax.legend(fontsize=8)
            if hue is not None and discrete_hue and ax is axes.flat[0]:
                ax.legend(title=_parameter_label(hue), fontsize=8)
            ax.set_title(f"{_title(name)} ({group}, {when})")
            ax.set_xlabel(_parameter_label(x))
            ax.set_ylabel(_unit(name, "horizon" if when == "horizon" else "year"))
            ax.yaxis.set_major_formatter(_Human())
            ax.grid(alpha=0.3)
        how = "mean and 90% range of the runs" if not sampled else "replicate mean of each design point"
        fig.suptitle(title or f"Sweep response ({how})", fontsize=12)
    return fig


def sensitivity_figure(indices: pd.DataFrame, method: str | None = None, title: str | None = None):
    """Ranked sensitivity indices per outcome (Sobol ST and S1, or Morris mu*), with confidence intervals.

    `indices`: `SensitivityResult.table` (or sensitivity.csv). Drawn by `sim.experiments.sensitivity.figure`, in STYLE.
    """
    from ...experiments.sensitivity import figure

    return figure(indices, method or ("sobol" if "ST" in indices else "morris"), title=title)
