"""The terminal tables of `ruralsim run` and `ruralsim compare`, in English or Chinese.

Every word a planner reads here comes from the catalogue (sim/ui/i18n.py), so `--lang zh` shows no
English but scenario file names, indicator kinds' codes are translated too, and numbers and the
`--scale 1` option stay as typed. Kept apart from cli.py, which only parses and dispatches.
"""

from .formatting import fmt, fmt_signed
from .i18n import compare_sentence, display_width, indicator_label, ljust, region_label, term, unit_label


def rjust(text: str, width: int) -> str:
    """`text` right-aligned in `width` terminal columns (Chinese characters take two)."""
    return " " * max(0, width - display_width(text)) + text


def format_summary(result, lang: str = "en") -> str:
    """The summary table for the terminal: first and last full year, mean [90% interval] (`lang="zh"`:
    indicators and units by their Chinese labels)."""
    table = result.summary()
    years = sorted({c.split("_")[-1] for c in table.columns if c.startswith("mean_")})
    label = {n: indicator_label(n, lang) if lang == "zh" else n for n in table.index}
    head_label = term("indicator", lang)
    name_width = max(display_width(s) for s in [head_label, *label.values()])
    replicates = result.indicators["replicate"].nunique()
    region = result.manifest["region"]
    head = term("run_head", lang, scenario=result.scenario.name, n=replicates, scale=result.scenario.run.scale,
                region=region_label(region.get("name", ""), region["title"], lang))
    lines = [head, f"{ljust(head_label, name_width)}  " + "  ".join(f"{y:>28}" for y in years)
             + f"  {term('unit', lang)}"]
    for name, row in table.iterrows():
        cells = []
        for y in years:
            mean, lo, hi = row[f"mean_{y}"], row[f"p05_{y}"], row[f"p95_{y}"]
            cell = fmt(mean) + (f" [{fmt(lo)}, {fmt(hi)}]" if replicates > 1 else "")
            cells.append(f"{cell:>28}")
        lines.append(f"{ljust(label[name], name_width)}  " + "  ".join(cells) + f"  {unit_label(row['unit'], lang)}")
    return "\n".join(lines)


def comparison_rows(comparison, name: str) -> list[tuple[str, object]]:
    """One alternative's horizon rows in the planner's order, with their section: the scenario's stated
    expectations, then the fiscal costs, then the key outcomes, then everything else (catalogue order)."""
    from .plots.style import KEY_INDICATORS
    from ..experiments.results import indicator_catalogue

    horizon = comparison.horizon()
    frame = horizon[horizon["scenario"] == name].set_index("indicator")
    expected = [] if comparison.expectations.empty else \
        list(comparison.expectations.loc[comparison.expectations["scenario"] == name, "indicator"])
    catalogue = list(indicator_catalogue())
    sections = [("stated expectations", expected),
                ("fiscal costs", [n for n in catalogue if n.startswith("cost_")]),
                ("key outcomes", list(KEY_INDICATORS)),
                ("other indicators", catalogue)]
    rows, seen = [], set()
    for section, names in sections:
        for n in names:
            if n in frame.index and n not in seen:
                seen.add(n)
                rows.append((section, frame.loc[n]))
    return rows


def format_comparison(comparison, lang: str = "en") -> str:
    """Per alternative: base, alternative and the paired difference with its 90% interval (horizon), in the
    planner's order, with each indicator's unit and kind; then the costs against returns to poverty.
    `lang="zh"`: every word by the catalogue (sim/ui/i18n.py)."""
    from ..experiments.compare import INTERVAL_NOTE, cost_summary
    from ..experiments.results import indicator_catalogue

    run = comparison.base.scenario.run
    catalogue = indicator_catalogue()
    lines = [term("compare_head", lang, base=comparison.base.scenario.name, n=run.replicates, scale=f"{run.scale:g}",
                  region=region_label(run.region, run.region, lang), years=run.years, start=run.start_month),
             term("compare_values", lang), term("note", lang, text=compare_sentence(INTERVAL_NOTE, lang))]
    expected = {(r.scenario, r.indicator): r for r in comparison.expectations.itertuples()} \
        if not comparison.expectations.empty else {}
    costs = cost_summary(comparison.costs) if not comparison.costs.empty else None
    for name in comparison.horizon()["scenario"].unique():
        rows = comparison_rows(comparison, name)
        label = {str(r.name): indicator_label(str(r.name), lang) if lang == "zh" else str(r.name) for _, r in rows}
        unit = {str(r.name): unit_label(catalogue[str(r.name)].unit, lang) for _, r in rows}
        width = max(display_width(s) for s in [term("indicator", lang), *label.values()])
        unit_width = max(display_width(s) for s in [term("unit", lang), *unit.values()])
        num = max(11, *(len(fmt(r[c])) for _, r in rows for c in ("base", "alternative")))
        lines += ["", name,
                  f"  {ljust(term('indicator', lang), width)}  {ljust(term('unit', lang), unit_width)}  "
                  f"{ljust(term('kind', lang), 5)}  {rjust(term('base', lang), num)}  {rjust(term('scenario', lang), num)}  "
                  f"{ljust(term('diff_interval', lang), 34)}"]
        section = None
        for current, r in rows:
            if current != section:
                section = current
                lines.append(f"  -- {term(section, lang)}")
            star = "*" if (r.diff_low > 0 or r.diff_high < 0) else " "
            interval = f"{fmt_signed(r['diff'])} [{fmt_signed(r.diff_low)}, {fmt_signed(r.diff_high)}]{star}"
            note = ""
            if (name, r.name) in expected:
                e = expected[(name, r.name)]
                verdict = term("holds" if e.interval_excludes_zero else "not_shown", lang)
                note = "  " + term("expected_to", lang, direction=term(e.direction, lang), verdict=verdict)
            info = catalogue[str(r.name)]
            lines.append(f"  {ljust(label[str(r.name)], width)}  {ljust(unit[str(r.name)], unit_width)}  "
                         f"{ljust(term(info.kind, lang), 5)}  {fmt(r['base']):>{num}}  "
                         f"{fmt(r['alternative']):>{num}}  {interval:<34}{note}".rstrip())
        if costs is not None and (costs["scenario"] == name).any():
            c = costs[costs["scenario"] == name].iloc[0]
            lines.append("  " + term("cost_line", lang, cost=fmt_signed(c.cost_change_yuan),
                                     cost_low=fmt_signed(c.cost_low), cost_high=fmt_signed(c.cost_high),
                                     returns=fmt_signed(c.returns_to_poverty_change),
                                     returns_low=fmt_signed(c.returns_low), returns_high=fmt_signed(c.returns_high)))
            reading = compare_sentence(c.reading, lang)
            if c.yuan_per_return == c.yuan_per_return:
                lines.append(f"  {fmt(c.yuan_per_return)} {reading} [{fmt(c.yuan_per_return_low)}, "
                             f"{fmt(c.yuan_per_return_high)}]")
            else:
                lines.append("  " + term("it_reading", lang, reading=reading))
    return "\n".join(lines)
