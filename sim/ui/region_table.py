"""The region table: each real county with its figures and their sources, and the totals the model keeps.

    ruralsim region [NAME] [--lang zh]            # print it
    python -m sim.ui.region_table --write         # regenerate docs/regions.md (tests check it is current)

Per county: code, names, 2021 class, poverty-county status and exit year (from seeds/counties.toml, each
with its source label), the public 2016 residents and urbanisation rate, and what the model puts in the
county (rural people, households, villages, registered poor: "derived" from the seed totals as
sim/core/population.py splits them). The totals line is checked against the seed figures.
"""

import sys
from pathlib import Path

import pandas as pd

from ..core.counties import counties, model_units, region_header
from ..core.regions import COUNTY_CLASSES, PROFILES, get_region
from .formatting import fmt
from .i18n import term

DOC = Path(__file__).resolve().parents[2] / "docs" / "regions.md"
MODEL_SOURCE = {
    "rural_persons": "derived: the region's rural people split over county units by the profile's class weights "
                     "(sim/core/population.py)",
    "households_model": "derived: rural people / population.mean_household_size",
    "villages": "derived: the seed's villages split in proportion to rural people, at least 1 a county",
    "registered_poor": "derived: the seed's registered poor split by rural people x the class's incidence weight",
}


# where the region's real counties drive the population (sim/core/regions.py, county_units)
REAL_COUNTY_SOURCE = {
    "rural_persons": "derived: the region's rural people split in proportion to each county's 2016 rural residents "
                     "(residents x (1 - urbanisation rate), public)",
    "registered_poor": "derived: the seed's registered poor split by rural people x the incidence weight of the "
                       "county's poverty status (assumption, below)",
}


def region_frame(region: str, mean_household_size: float | None = None) -> pd.DataFrame:
    """One row per county unit (named where the region has a table) and a total row."""
    from ..core.scenario import default_scenario

    size = default_scenario().population.mean_household_size if mean_household_size is None else mean_household_size
    profile = get_region(region)
    units = model_units(profile, size)
    named = {c.model_unit: c for c in counties(region)}
    rows = []
    for i in range(len(units["persons"])):
        c = named.get(i)
        rows.append({
            "code": c.code if c else f"{region}-{i + 1:03d}", "name_zh": c.name_zh if c else "",
            "pinyin": c.pinyin if c else "", "name_en": c.name_en if c else "",
            "class_2021": COUNTY_CLASSES[units["county_class"][i]],
            "poverty_county": c.poverty_county if c else ("poverty" if units["exit_year"][i] else "none"),
            "exit_year": int(units["exit_year"][i]) or None,
            "residents_2016": c.residents_2016 if c else None, "urbanisation_2016": c.urbanisation_2016 if c else None,
            "rural_persons": units["persons"][i], "households_model": units["households"][i],
            "villages": units["villages"][i], "registered_poor": units["registered_poor"][i],
            "sources": c.sources if c else {}})
    frame = pd.DataFrame(rows)
    total = {k: frame[k].sum() for k in ("rural_persons", "households_model", "villages", "registered_poor")}
    return pd.concat([frame, pd.DataFrame([{"code": "total", **total}])], ignore_index=True)


def format_region_table(region: str, lang: str = "en") -> str:
    """The table as text (also Markdown): counties, totals beside the seed figures, then the sources."""
    profile = get_region(region)
    frame = region_frame(region)
    header = region_header(region)
    title = f"{header.get('name_zh', '')} {profile.title}".strip() if lang == "zh" else profile.title
    cols = ["code", "county", "pinyin", "class_2021", "poverty_county", "exit_year", "residents_2016",
            "urbanisation_2016", "rural_persons", "households_model", "villages", "registered_poor"]
    lines = [f"## {title}", "", "| " + " | ".join(term(c, lang) for c in cols) + " |",
             "|" + "---|" * len(cols)]
    for r in frame.itertuples():
        total = r.code == "total"
        name = "" if total else (r.name_zh if lang == "zh" else r.name_en) or ""
        cells = [term("total", lang) if total else r.code, name, "" if total else r.pinyin,
                 "" if total else term(r.class_2021, lang), "" if total else term(_status(r.poverty_county), lang),
                 "" if total or pd.isna(r.exit_year) else str(int(r.exit_year)), _num(r.residents_2016),
                 "" if pd.isna(r.urbanisation_2016) else f"{r.urbanisation_2016:.1%}", fmt(round(r.rural_persons)),
                 fmt(round(r.households_model)), fmt(round(r.villages)), fmt(round(r.registered_poor))]
        lines.append("| " + " | ".join(cells) + " |")
    seed_row = ["", term("seed_total", lang), "", "", "", "", "", "", fmt(profile.rural_persons.value), "",
                fmt(profile.villages.value), fmt(profile.lifted_out_persons.value)]
    lines.append("| " + " | ".join(seed_row) + " |")
    lines += ["", f"{term('source', lang)}:", ""]
    figures = profile.figures()
    for key in ("rural_persons", "villages", "lifted_out_persons"):
        lines.append(f"- {key}: {figures[key].source}")
    if header.get("figures_source"):
        lines.append(f"- residents_2016, urbanisation_2016: {header['figures_source']}")
    for key, source in {**MODEL_SOURCE, **(REAL_COUNTY_SOURCE if profile.county_units else {})}.items():
        lines.append(f"- {term(key, lang)}: {source}")
    if header.get("incidence_weight_source") and profile.county_units:
        weights = ", ".join(f"{k} {v:g}" for k, v in header["incidence_weight"].items())
        lines.append(f"- registered-poor incidence weight ({weights}): {header['incidence_weight_source']}")
    for c in counties(region):
        lines.append(f"- {c.code} {c.name_zh} {c.name_en}: " + "; ".join(f"{k}: {v}" for k, v in c.sources.items()))
    return "\n".join(lines)


def _status(value: str) -> str:
    return value if value in ("national", "provincial", "none") else "national"


def _num(value) -> str:
    return "" if value is None or pd.isna(value) else fmt(value)


def document() -> str:
    parts = ["# Regions and their counties", "",
             "Generated by `python -m sim.ui.region_table --write` from `seeds/counties.toml` and the region "
             "profiles (`sim/core/regions.py`); `ruralsim region NAME [--lang zh]` prints the same. Each "
             "county's figures are labelled public, seed, derived or assumption (sources under each table). "
             "Xinzhou's counties drive its population: each county's class, exit year (its transition "
             "window), rural people (in proportion to its 2016 rural residents) and registered poor come "
             "from the table, the totals from the seeds. Shanxi's 117 units are not named yet; Rucheng is "
             "one county.", ""]
    for region in PROFILES:
        parts += [format_region_table(region), ""]
    return "\n".join(parts)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--write" in argv:
        DOC.write_text(document(), encoding="utf-8")
        return 0
    print(document())
    return 0


if __name__ == "__main__":
    sys.exit(main())
