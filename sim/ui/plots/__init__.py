"""Figures for analysts and planners (matplotlib only; every function returns a Figure).

Inputs are the tidy tables the API returns: `RunResult.indicators` (scenario, replicate, seed, month,
indicator, group, value), `Comparison.table`, the targets table, the sweep results frame and the
sensitivity indices. Bands and bars are quantiles over replicates (a run's luck: 90% and 50%); the
intervals of a paired difference over the horizon are `sim.experiments.compare`'s 90% t-intervals. One style
(STYLE) for all figures; titles, units on the axes, years on time axes.
"""

# style first: it picks the file-only backend before anything draws
from .style import CLASS_COLOURS, COLOURS, KEY_INDICATORS, PV_FLOWS, STYLE, TARGET_COLUMNS, language  # isort: skip
from .analysis import sensitivity_figure, sweep_response_figure, targets_figure
from .income import income_composition_figure
from .runs import (by_class_figure, comparison_figure, difference_over_time_figure, fan_chart, key_indicators_figure,
                   paired_difference_figure, pv_flows_figure, scenarios_figure)

__all__ = [
    "CLASS_COLOURS", "COLOURS", "KEY_INDICATORS", "PV_FLOWS", "STYLE", "TARGET_COLUMNS", "by_class_figure",
    "comparison_figure", "difference_over_time_figure", "fan_chart", "income_composition_figure", "key_indicators_figure",
    "paired_difference_figure", "pv_flows_figure", "scenarios_figure", "sensitivity_figure", "sweep_response_figure",
    "targets_figure", "language",
]
