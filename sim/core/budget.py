"""The fiscal budget: an annual envelope per level of government, and spending set against it.

The model has no budget constraint in its dynamics (docs/ODD.md, section 8): levers spend what their
rules say. A planner's question is nevertheless "what can we do for 200 million yuan a year?", so a
scenario may state an envelope per level (`[budget]`) and every run can be read against it: the
report sums each level's lever costs (the existing `cost_<lever>_yuan` indicators, full population)
per calendar year and compares them with the envelope. `ruralsim optimize` uses the same sums as its
budget constraint, so the search and the report can never disagree.

Which level pays for which lever is an assumption (`county_levers`, `city_levers`): counties run the
integrated agriculture-related funds that pay workshops, training, monitoring assistance and
relocation follow-up; the city shares model-village investment and insurance premium subsidies.
Pensions, dibao, extreme-poverty support and the PV tariff subsidy come mostly from central and
provincial funds and are reported as "outside the envelopes". The county envelope is for all the
region's counties together (the indicators are region totals, not per county).
"""

from pydantic import field_validator, model_validator

from .params import ASSUMPTION, Section, param

LEVELS = ("county", "city")
# the levers with a fiscal cost indicator `cost_<lever>_yuan` (sim/policy.py, sim/means_test.py, sim/pension.py)
COST_LEVERS = ("relocation", "training", "workshops", "pv", "model_villages", "pension", "tekun", "dibao",
               "insurance", "monitoring")


class BudgetParams(Section):
    county_yuan_per_year: float | None = param(
        None, unit="yuan/year", ge=0.0, source=ASSUMPTION,
        doc="Annual envelope of the region's counties together for the county levers; left out: no envelope "
            "(unconstrained). Read against spending by `budget.report`, used as a constraint by `ruralsim optimize`.")
    city_yuan_per_year: float | None = param(
        None, unit="yuan/year", ge=0.0, source=ASSUMPTION,
        doc="Annual envelope of the city for the city levers; left out: no envelope (unconstrained).")
    county_levers: list[str] = param(
        ["workshops", "training", "monitoring", "relocation"], unit="names", source=ASSUMPTION,
        doc="Levers whose cost (cost_<lever>_yuan) the county envelope pays: counties run the integrated "
            "agriculture-related funds that pay these.")
    city_levers: list[str] = param(
        ["model_villages", "insurance"], unit="names", source=ASSUMPTION,
        doc="Levers whose cost the city envelope pays; levers in neither list (pension, dibao, tekun, pv by "
            "default: central and provincial funds) are reported as outside the envelopes.")

    @field_validator("county_levers", "city_levers")
    @classmethod
    def _known_levers(cls, v: list[str]) -> list[str]:
        bad = [lever for lever in v if lever not in COST_LEVERS]
        if bad:
            raise ValueError(f"unknown lever '{bad[0]}'; allowed: {', '.join(COST_LEVERS)}")
        if len(set(v)) != len(v):
            raise ValueError(f"a lever is listed twice (got {v})")
        return v

    @model_validator(mode="after")
    def _one_level_each(self):
        both = sorted(set(self.county_levers) & set(self.city_levers))
        if both:
            raise ValueError(f"lever '{both[0]}' is in both county_levers and city_levers; a lever is paid by one level")
        return self


def envelopes_yuan(budget) -> dict[str, float | None]:
    """{level: annual envelope in yuan, or None when the scenario sets none}."""
    return {"county": budget.county_yuan_per_year, "city": budget.city_yuan_per_year}


def has_envelope(budget) -> bool:
    return any(v is not None for v in envelopes_yuan(budget).values())


def lever_levels(budget) -> dict[str, str]:
    """{lever: 'county' | 'city' | 'outside'} for every lever with a cost indicator."""
    levels = {lever: "outside" for lever in COST_LEVERS}
    levels.update({lever: "county" for lever in budget.county_levers})
    levels.update({lever: "city" for lever in budget.city_levers})
    return levels


def spending_by_level(annual_costs, budget):
    """Annual spending per level from annual values of the cost indicators.

    Parameters:
        annual_costs: a frame with columns [replicate,] year, indicator, value (group 'all' only), e.g.
            `sim.annual(result.indicators)` filtered to the `cost_*_yuan` indicators
        budget: a scenario's `[budget]` section
    Returns:
        a DataFrame: [replicate,] year, level (county, city, outside), spent_yuan
    """
    import pandas as pd

    levels = lever_levels(budget)
    costs = annual_costs[annual_costs["indicator"].astype(str).str.match(r"^cost_.*_yuan$")].copy()
    lever = costs["indicator"].astype(str).str.removeprefix("cost_").str.removesuffix("_yuan")
    costs["level"] = pd.Categorical(lever.map(levels).fillna("outside"), categories=[*LEVELS, "outside"])
    keys = [k for k in ("replicate",) if k in costs] + ["year", "level"]
    return costs.groupby(keys, observed=False)["value"].sum().rename("spent_yuan").reset_index()


def report(result_or_indicators, budget=None):
    """Spending against the budget, per year and level: the planner's "are we within the envelope?".

    Parameters:
        result_or_indicators: a RunResult (its scenario's `[budget]` is used) or a tidy monthly indicators table
        budget: the `[budget]` section to read against (default: the result's scenario's)
    Returns:
        a DataFrame, one row per year and level (county, city, outside): spent_yuan (mean over replicates),
        spent_low_yuan and spent_high_yuan (5th and 95th percentiles over replicates), envelope_yuan (NaN:
        none), share_of_envelope, within (True/False; NA without an envelope), levers (the levers summed);
        flows are summed over the year's simulated months (`months` says how many)
    Example:
        >>> result = sim.run(scale=0.02, years=2, overrides={"budget.county_yuan_per_year": 2e8})
        >>> sim.budget.report(result)
    """
    import numpy as np
    import pandas as pd

    from ..experiments.results import annual

    indicators = getattr(result_or_indicators, "indicators", result_or_indicators)
    if budget is None:
        budget = result_or_indicators.scenario.budget
    cost = indicators[indicators["indicator"].astype(str).str.startswith("cost_") & (indicators["group"] == "all")]
    yearly = annual(cost)
    months = yearly.groupby("year")["months"].max()
    by_level = spending_by_level(yearly, budget)
    if "replicate" not in by_level:
        by_level["replicate"] = 0
    g = by_level.groupby(["year", "level"], observed=False)["spent_yuan"]
    out = pd.DataFrame({"spent_yuan": g.mean(), "spent_low_yuan": g.quantile(0.05),
                        "spent_high_yuan": g.quantile(0.95)}).reset_index()
    envelope = envelopes_yuan(budget)
    out["envelope_yuan"] = out["level"].map(lambda lv: envelope.get(lv)).astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share_of_envelope"] = out["spent_yuan"] / out["envelope_yuan"]
    out["within"] = pd.array([pd.NA if np.isnan(e) else bool(s <= e)
                              for s, e in zip(out["spent_yuan"], out["envelope_yuan"])], dtype="boolean")
    levels = lever_levels(budget)
    out["levers"] = out["level"].map(lambda lv: ", ".join(k for k, v in levels.items() if v == lv))
    out["months"] = out["year"].map(months).astype(int)
    out["level"] = out["level"].astype(str)
    return out


def summary_lines(result, budget=None, lang: str = "en") -> list[str]:
    """One line per level with an envelope: the worst year's spending against it, for `run` and `compare`
    (`lang="zh"`: the words, levels and levers from the catalogue, sim/ui/i18n.py)."""
    from ..ui.formatting import fmt
    from ..ui.i18n import section_label, term

    budget = result.scenario.budget if budget is None else budget
    if not has_envelope(budget):
        return []
    table = report(result, budget)
    lines = []
    for level, envelope in envelopes_yuan(budget).items():
        if envelope is None:
            continue
        rows = table[table["level"] == level]
        worst = rows.loc[rows["spent_yuan"].idxmax()]
        over = rows[~rows["within"].astype(bool)]
        verdict = term("within_every_year", lang) if over.empty else \
            term("over_years", lang, n=len(over), total=len(rows), years=", ".join(map(str, over["year"])))
        levers = worst["levers"] if lang != "zh" else \
            "、".join(section_label(k, lang) for k in str(worst["levers"]).split(", ") if k)
        lines.append(term("budget_line", lang, scenario=result.scenario.name, level=term(f"level_{level}", lang),
                          levers=levers, spent=fmt(worst["spent_yuan"]), year=int(worst["year"]),
                          envelope=fmt(envelope), verdict=verdict))
    return lines
