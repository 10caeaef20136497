"""The dashboard's levers: what a planner can move, and which scenario parameters each one sets.

Every control maps onto real scenario parameters (docs/ODD.md), and its starting value is the
baseline's, read from the scenario schema — so an untouched dashboard runs exactly the baseline, and
the settings table can show the baseline value beside the current one. Needs no Solara.
"""

from dataclasses import dataclass
from typing import Any

from ...core.regions import PROFILES
from ...core.registry import time_limited_levers
from ...core.scenario import default_scenario

# The time-limited levers that the transition rule switches (those declaring `time_limited`; monitoring
# is permanent and stays on), as in scenarios/transition_abrupt_end.toml and transition_taper.toml.
TIME_LIMITED_SECTIONS = time_limited_levers()

# Scale that simulates about 20,000 households, so a month steps in about 10 ms; Shanxi's 40,000 is the
# smallest that leaves no village empty on average (sim/core/regions.py, min_scale).
DEFAULT_SCALE_BY_REGION = {"xinzhou": 0.02, "shanxi": 0.005, "rucheng": 0.15}
FALLBACK_SCALE = 0.02


def default_scale(region: str) -> float:
    return DEFAULT_SCALE_BY_REGION.get(region, FALLBACK_SCALE)


def baseline_value(dotted: str) -> Any:
    section, name = dotted.split(".")
    return getattr(getattr(default_scenario(), section), name)


@dataclass(frozen=True)
class Lever:
    """One control. `keyword` is DashboardModel's argument; `parameters` the scenario keys it sets (all
    to the control's value, or to their baseline times it if `relative`); the baseline is the first
    parameter's value in the baseline scenario (with any calibrated values)."""

    keyword: str
    label: str  # with its unit: the control's label and the settings table's
    parameters: tuple[str, ...]
    control: dict  # mesa UserInputs spec without "value": type, min, max, step or values
    # a factor on the baseline's value (baseline 1) rather than the value itself: for parameters whose
    # calibrated value means little to a planner ("half as thorough" reads better than 0.0064)
    relative: bool = False

    @property
    def baseline(self) -> Any:
        if self.relative:
            return 1.0
        value = baseline_value(self.parameters[0])
        return int(value) if self.control.get("type") == "SliderInt" else value

    def settle(self, value: Any) -> Any:
        """The baseline itself for a slider value that is only the baseline rounded to the slider's step.

        A browser slider snaps its value to its step (0.534 shows and comes back as 0.53); without
        this, touching nothing would still change the scenario.
        """
        step = self.control.get("step")
        if step and isinstance(value, (int, float)) and abs(value - self.baseline) <= step / 2 + 1e-9:  # ties too
            return self.baseline
        return value

    def overrides(self, value: Any) -> dict[str, Any]:
        if self.relative:
            return {p: baseline_value(p) * value for p in self.parameters}
        return {p: value for p in self.parameters}


LEVERS = (
    Lever("after_transition", "After the transition period (time-limited levers)",
          tuple(f"{s}.after_transition" for s in TIME_LIMITED_SECTIONS),
          {"type": "Select", "values": ["maintain", "taper", "end"]}),
    Lever("transition_extension_years", "Transition period extended by (years)",
          ("transition.extension_years",), {"type": "SliderInt", "min": 0, "max": 10, "step": 1}),
    Lever("pv_household_share", "PV: share of village funds paid to households",
          ("pv.household_share_of_village_funds",), {"type": "SliderFloat", "min": 0.0, "max": 1.0, "step": 0.01}),
    Lever("pv_post_wage_yuan_per_month", "PV: public-welfare post wage (yuan/month)",
          ("pv.post_wage_yuan_per_month",), {"type": "SliderInt", "min": 100, "max": 1500, "step": 50}),
    Lever("workshop_sites_multiplier", "Workshops: number of sites (multiplier)",
          ("workshops.sites_multiplier",), {"type": "SliderFloat", "min": 0.0, "max": 3.0, "step": 0.25}),
    Lever("workshop_subsidy_yuan_per_worker_year", "Workshops: subsidy (yuan per worker-year)",
          ("workshops.subsidy_per_worker_year_yuan",), {"type": "SliderInt", "min": 0, "max": 5000, "step": 250}),
    Lever("monitoring_detection_factor", "Monitoring: detection of at-risk households (x baseline)",
          ("monitoring.detection_multiplier",), {"type": "SliderFloat", "min": 0.0, "max": 2.0, "step": 0.1},
          relative=True),
)
LEVERS_BY_KEYWORD = {lever.keyword: lever for lever in LEVERS}


def baseline_levers() -> dict[str, Any]:
    return {lever.keyword: lever.baseline for lever in LEVERS}


def scenario_overrides(lever_values: dict[str, Any]) -> dict[str, Any]:
    """Dotted scenario overrides for the levers moved away from the baseline (none: the baseline itself)."""
    overrides: dict[str, Any] = {}
    for keyword, value in lever_values.items():
        lever = LEVERS_BY_KEYWORD[keyword]
        if value != lever.baseline:
            overrides.update(lever.overrides(value))
    return overrides


def compact_parameters(parameters: tuple[str, ...]) -> str:
    """'pv.x, workshops.x' -> '{pv, workshops}.x'; 'monitoring.a, monitoring.b' -> 'monitoring.{a, b}'."""
    sections, names = zip(*(p.split(".") for p in parameters))
    if len(parameters) == 1:
        return parameters[0]
    if len(set(names)) == 1:
        return f"{{{', '.join(sections)}}}.{names[0]}"
    if len(set(sections)) == 1:
        return f"{sections[0]}.{{{', '.join(names)}}}"
    return ", ".join(parameters)


def settings_rows(lever_values: dict[str, Any], lang: str = "en") -> list[dict[str, Any]]:
    """One row per lever: label, scenario parameters, baseline value, this run's value, changed or not
    (a relative lever's parameters say, in `lang`, that the lever multiplies their baseline)."""
    from ..i18n import term

    return [{"lever": lever.label, "baseline": lever.baseline,
             "parameters": compact_parameters(lever.parameters) + (term("relative_lever", lang) if lever.relative
                                                                    else ""),
             "this_run": lever_values[lever.keyword], "changed": lever_values[lever.keyword] != lever.baseline}
            for lever in LEVERS]


def model_params(*, region: str = "xinzhou", scale: float | None = None, seed: int | None = None) -> dict:
    """SolaraViz `model_params`: a region choice and the levers (controls), the rest fixed."""
    params: dict[str, Any] = {
        "region": {"type": "Select", "label": "Region", "value": region, "values": list(PROFILES)},
    }
    for lever in LEVERS:
        params[lever.keyword] = {**lever.control, "label": lever.label, "value": lever.baseline}
    params["scale"] = scale  # None: the region's default (DEFAULT_SCALE_BY_REGION)
    params["seed"] = default_scenario().run.seed if seed is None else seed
    return params
