"""RuralModel: the monthly clock, the population arrays, the villages as agents (made when asked for), and the
component loop."""

import time

import mesa
import numpy as np
import pandas as pd

from . import population
from .component import component_rng
from .errors import InputError
from .indicators import Groups, Recorder
from .recorded import Recorded
from .regions import COUNTY_CLASSES, get_region
from .registry import COMPONENTS, employment_names
from .scenario import default_scenario, with_overrides
from .schedules import Scheduled
from .villages import Village


class RuralModel(mesa.Model):
    """Households and labourers as arrays, villages as thin agents, components stepped in registry order.

    No component reads the village agents: they are made the first time something asks for them
    (`model.agents`, `agents_by_type`, `agent_types`: the dashboard, Mesa's tools), which saves building
    ~2,700 of them in every run of a sweep or a calibration. They draw no random numbers, so results do not
    depend on whether or when they exist.

    Keyword arguments override the scenario: `scale`, `years`, `region` go to its `[run]` section, and
    any `section.parameter` (or `section__parameter`, for `mesa.batch_run`) to that section. Without a
    seed (as `mesa.batch_run` calls it) a fresh one is drawn and kept in `self.seed`.

    Parameters:
        scenario: a validated Scenario (default: the shipped baseline with the calibrated values)
        seed: the replicate's seed (non-negative integer); the same seed gives the same run
        scale, years, region: `[run]` settings
        indicators: the names of the indicators the caller reads (a sweep's outputs, a calibration's
            targets), or None (default) for all. Only those are computed and recorded, the others stay NaN:
            a component whose indicators are all left out does no report work at all (issue 19: in a small
            run the monthly reports are about a third of the time). The dynamics, and so every computed
            value, are the same as in a full run.
        overrides: any `section__parameter=value`
    Example:
        >>> model = sim.RuralModel(seed=1, scale=0.05)
        >>> model.step(); model.household(0)
    """

    def __init__(self, *, scenario=None, seed: int | None = None, scale: float | None = None,
                 years: int | None = None, region: str | None = None, indicators=None, **overrides):
        run_overrides = {f"run.{k}": v for k, v in (("scale", scale), ("years", years), ("region", region))
                         if v is not None}
        scenario = default_scenario() if scenario is None else scenario
        if run_overrides or overrides:
            scenario = with_overrides(scenario, {**run_overrides, **overrides})
        if seed is None:
            seed = int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> 1)
        if not isinstance(seed, (int, np.integer)) or seed < 0:
            raise InputError(f"seed: must be a non-negative integer (got {seed!r})")
        self.seed = int(seed)
        super().__init__(rng=self.seed)
        self.scenario = scenario
        run = scenario.run
        self.region = get_region(run.region)
        self.scale = run.scale
        start_year, start_month = (int(x) for x in run.start_month.split("-"))
        self.start_month_index = start_year * 12 + start_month - 1
        self.n_months = run.years * 12
        self.month_index = -run.warmup_months  # negative during warm-up; recorded from 0

        pop = population.build(self.region, scenario, scale=run.scale, rng=component_rng(self.seed, "population"))
        self.households, self.labourers = pop.households, pop.labourers
        self.villages, self.counties = pop.villages, pop.counties
        self.income_level_factor = pop.income_level_factor
        self.employment_names = employment_names()  # labourer states by code, lever jobs included
        self._village_agents_made = False

        components = [cls(getattr(scenario, cls.name, None), component_rng(self.seed, cls.name)) for cls in COMPONENTS]
        self.components = [c for c in components if c.enabled]
        # levers with dated schedules get their parameters as in force each month (sim/core/schedules.py)
        self.schedules = [Scheduled(c) for c in self.components if getattr(c.params, "schedule", None)]
        for scheduled in self.schedules:
            scheduled.at(self.absolute_month, force=True)
        self.component_seconds = {c.name: 0.0 for c in self.components}  # wall time per component
        self._setup_groups()
        self.recorder = _recorder(components, self.groups, self.n_months, indicators)
        # the components with an indicator to compute report each month; the others skip their report
        self.reporting = [c for c in self.components if self.recorder.wants(*(i.name for i in c.indicators))]
        # a disabled lever still reports: zero for its stocks and flows (nothing paid, nobody served),
        # undefined for its ratios, so scenarios with and without it compare on the same indicators
        for c in components:
            if not c.enabled:
                for i in c.indicators:
                    if i.kind != "ratio" and self.recorder.wants(i.name):
                        self.recorder.values[:, self.recorder.index[i.name], :] = 0.0
        self._datacollector = None  # made when asked for (`datacollector`)
        for component in self.components:
            component.allocate(len(self.households), len(self.labourers), len(self.villages))
            component.setup(self)
        self.county_panel = None  # `[run] by = "county"`: indicators by county, read-only (issue 17)
        if run.by == "county":
            from ..dynamics.by_county import CountyPanel

            self.county_panel = CountyPanel(self)
        while self.month_index < 0:
            self._advance(record=False)

    # --- the clock ---------------------------------------------------------------------------
    @property
    def absolute_month(self) -> int:
        return self.start_month_index + self.month_index

    @property
    def year(self) -> int:
        return self.absolute_month // 12

    @property
    def month(self) -> int:
        """Calendar month, 1-12."""
        return self.absolute_month % 12 + 1

    @property
    def date(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def years_since_2020(self) -> float:
        """Years from January 2020 to the current month: the base of growth indexes."""
        return (self.absolute_month - 2020 * 12) / 12

    def household(self, i: int) -> dict:
        """One household as a dict of its attributes, the shared household arrays (`households.SHARED_STATES`),
        this month's income by source and the states the components declare (under each component's name; a
        labourer state as the list over the household's labourer slots, a village state as its village's
        entry), for inspection.

        Parameters:
            i: the household's index (0 .. number of simulated households - 1)
        Returns:
            a dict
        Example:
            >>> model.household(0)["size"]
        """
        hh = self.households
        out = hh.view(i)
        slots = np.arange(hh.first_labourer[i], hh.first_labourer[i] + hh.labour_slots[i])
        for component in self.components:
            if component.states:
                out[component.name] = component.state_of(i, slots, int(hh.village[i]))
        return out

    # --- village agents, made on demand ------------------------------------------------------
    def _make_village_agents(self) -> None:
        if not getattr(self, "_village_agents_made", True):  # (True: before the villages exist)
            self._village_agents_made = True
            for index in range(len(self.villages)):
                Village(self, index)

    @property
    def agents(self) -> mesa.agent.AgentSet:
        """Every agent (the villages, made at the first call)."""
        self._make_village_agents()
        return super().agents

    @property
    def agents_by_type(self) -> dict:
        self._make_village_agents()
        return super().agents_by_type

    @property
    def agent_types(self) -> list:
        self._make_village_agents()
        return super().agent_types

    # --- stepping ----------------------------------------------------------------------------
    def step(self) -> None:
        """One month. After the horizon the model stops (`running` is False) and further steps do nothing."""
        if self.month_index >= self.n_months:
            self.running = False
            return
        self._advance(record=True)
        if self._datacollector is not None:
            self._datacollector.collect(self)
        if self.month_index >= self.n_months:
            self.running = False

    def run(self, progress=None) -> "RuralModel":
        """Step to the end of the horizon.

        Parameters:
            progress: called with the month index after each month, or None
        Returns:
            the model itself (to chain: `RuralModel(seed=1).run().indicators()`)
        Example:
            >>> model = sim.RuralModel(seed=1, scale=0.05, years=2).run()
        """
        while self.running:
            self.step()
            if progress is not None:
                progress(self.month_index)
        return self

    def release(self) -> None:
        """Let this model be freed once the caller drops it: mesa 3.3 keeps every model with agents alive
        in its class-level id counter `mesa.Agent._ids` (~50 MB a run at scale 0.04), which fills a
        worker that runs thousands of models. Its agents keep working; new ones restart their ids."""
        mesa.Agent._ids.pop(self, None)

    # --- continuing under another scenario (compare, issue 19) --------------------------------
    def continue_as(self, scenario) -> None:
        """From the current month on, run under `scenario`: its sections become the components' parameters
        (its dated schedules as in force from this month) and `model.scenario`. The state is kept, so this
        is what a run of `scenario` on the same seed holds now only if every parameter in force so far
        was the same: sim/experiments/branching.py finds that month; this method does not check it."""
        self.scenario = scenario
        for component in self.components:
            component.params = getattr(scenario, component.name, None)
        self.schedules = [Scheduled(c) for c in self.components if getattr(c.params, "schedule", None)]
        for scheduled in self.schedules:
            scheduled.at(self.absolute_month, force=True)

    def _advance(self, *, record: bool) -> None:
        clock, seconds = time.perf_counter, self.component_seconds
        self.households.open_month()
        self.villages.open_month()
        for scheduled in self.schedules:
            scheduled.at(self.absolute_month)
        for component in self.components:
            started = clock()
            component.step(self)
            seconds[component.name] += clock() - started
        if self.county_panel is not None:
            self.county_panel.observe(self, record)
        if record:
            self.recorder.month = self.month_index
            for component in self.reporting:
                started = clock()
                component.report(self, self.recorder)
                seconds[component.name] += clock() - started
        self.month_index += 1

    # --- groups and results --------------------------------------------------------------------
    def _setup_groups(self) -> None:
        present = sorted(set(np.unique(self.counties.county_class).tolist()))
        self.groups = ["all"] + [COUNTY_CLASSES[c] for c in present] if len(present) > 1 else ["all"]
        class_to_column = np.zeros(len(COUNTY_CLASSES), np.intp)
        if len(present) > 1:
            class_to_column[present] = np.arange(1, len(present) + 1)
        n = len(self.groups)
        hh, lab = self.households, self.labourers
        self.hh_groups = Groups(hh.county_class, class_to_column, hh.weight, n)
        self.lab_groups = Groups(hh.county_class[lab.household], class_to_column, hh.weight[lab.household], n)
        # villages are complete at any scale: weight 1
        self.village_groups = Groups(self.villages.county_class, class_to_column, np.ones(len(self.villages)), n)

    @property
    def datacollector(self) -> mesa.DataCollector:
        """Mesa's DataCollector of the computed indicators' region-wide values, a row per recorded month (what
        Mesa's tools read). Made at the first call from the recorder, then collected by every step: collecting
        ~100 reporters a month (each value deep-copied) for a run that never reads them cost ~1.5% of a small
        run (issue 19)."""
        if self._datacollector is None:
            names = self.recorder.computed
            self._datacollector = mesa.DataCollector(model_reporters={name: _latest(name) for name in names})
            recorded = self.recorder.values[:max(self.month_index, 0), :, 0]
            for name in names:
                self._datacollector.model_vars[name] = [float(v) for v in recorded[:, self.recorder.index[name]]]
        return self._datacollector

    def latest(self, name: str) -> float:
        """The last recorded region-wide value of an indicator (what the DataCollector reads)."""
        month = max(self.month_index - 1, 0)
        return float(self.recorder.values[month, self.recorder.index[name], 0])

    def indicators(self) -> pd.DataFrame:
        """Recorded months as a tidy frame, every computed indicator (all, unless the model was told which) at
        full-population scale.

        Parameters:
            (none)
        Returns:
            a DataFrame: month, indicator, group, value
        Example:
            >>> sim.RuralModel(seed=1, scale=0.05, years=1).run().indicators()
        """
        return self.recorded().frame()

    def recorded(self) -> Recorded:
        """The recorded months so far, copied out of the model (`Recorded.frame()` gives `indicators()`), so the
        model can be freed before the frame is built."""
        months_done = max(self.month_index, 0)
        rec = self.recorder
        names = rec.computed  # (all, unless the model was told which to compute)
        values = rec.values[:months_done]
        # (a copy either way: the indexing of a subset copies)
        values = values[:, [rec.index[n] for n in names]] if rec.wanted is not None else values.copy()
        panel = self.county_panel
        if panel is None:
            return Recorded(self.scenario.run.start_month, values, names, list(self.groups))
        from ..dynamics.by_county import BY_COUNTY

        return Recorded(self.scenario.run.start_month, values, names, list(self.groups),
                        panel.values[:months_done].copy(), tuple(BY_COUNTY), tuple(panel.labels))


def _recorder(components, groups: list[str], n_months: int, wanted) -> Recorder:
    """The recorder of every component's indicators; `wanted` (names, or None for all) are the ones computed."""
    declared = [i for c in components for i in c.indicators]
    if isinstance(wanted, str):
        wanted = [wanted]
    try:
        return Recorder(declared, groups, n_months, wanted=wanted)
    except KeyError as exc:
        raise InputError(f"indicators: {exc.args[0]} "
                         "(the catalogue: `sim.experiments.results.indicator_catalogue()`)") from None


def _latest(name: str):
    return lambda model: model.latest(name)
