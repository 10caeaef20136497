"""Dated lever schedules: a lever's numeric parameters may change on dates inside the horizon.

Planners think in dates ("halve workshop subsidies from 2026", "a new training programme from 2025").
A lever section says so in either of two ways, which mean the same thing:

    [workshops]
    subsidy_per_worker_year_yuan = { 2021-01 = 1500, 2026-01 = 750 }   # inline: the value from each date

    [[workshops.schedule]]                                             # a table per change
    from = "2026-01"
    subsidy_per_worker_year_yuan = 750
    strength = 0.5

The inline form is rewritten into `schedule` entries when the section is validated (its first value is
also the value before the first date, as in the yearly tables of `sim/core/params.py`), so a scenario holds
one representation: each parameter's value before any change, plus the dated changes. The engine gives
a lever its parameters as in force each month (`resolve`), so a change reaches the lever's behaviour,
not only its cost. Parameters a lever reads only while it is set up (sites, stations, enrolment) are
listed in its Params' `fixed_at_setup` and may not be scheduled: a schedule there would silently do
nothing. The transition-period rule (`after_transition`) becomes a per-county strength schedule in
`sim/levers/policy.py` and multiplies the lever's own `strength`.
"""

import re
from typing import Any

from pydantic import ValidationError

from .params import allowed_range

MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
FROM = "from"


def month_index(text: str) -> int:
    """'YYYY-MM' -> months since year 0 (the model's `absolute_month`)."""
    year, month = (int(x) for x in text.split("-"))
    return year * 12 + month - 1


def month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def is_month(text: Any) -> bool:
    return isinstance(text, str) and MONTH.fullmatch(text) is not None


def numeric_fields(section_cls) -> list[str]:
    """Parameters of a section a schedule may name: numbers (not switches, rules or lists), not fixed at setup."""
    fixed = set(getattr(section_cls, "fixed_at_setup", ()))
    return [name for name, field in section_cls.model_fields.items()
            if field.annotation in (int, float) and name not in fixed]


def inline_to_entries(section_cls, data: Any) -> Any:
    """Before validation: `param = {YYYY-MM = value, ...}` becomes the first value plus `schedule` entries."""
    if not isinstance(data, dict):
        return data
    inline = {k: v for k, v in data.items() if isinstance(v, dict) and k in section_cls.model_fields
              and section_cls.model_fields[k].annotation in (int, float)}
    if not inline:
        return data
    out = dict(data)
    entries = list(out.get("schedule", []) or []) if isinstance(out.get("schedule", []), list) else out["schedule"]
    for name, table in inline.items():
        if not table:  # left as given: validation then says a number is wanted
            continue
        dates = sorted(table)  # a bad date sorts somewhere; `check` names it
        out[name] = table[dates[0]]  # the value before the first date, and in force from it
        if isinstance(entries, list):
            entries += [{FROM: d, name: table[d]} for d in dates]
    out["schedule"] = entries
    return out


def entry_changes(entry: dict) -> dict:
    return {k: v for k, v in entry.items() if k != FROM}


def check(section, section_name: str, start_month: str, years: int) -> str | None:
    """The first problem with a section's schedule as one line, or None: each entry needs `from`, a month
    inside the horizon, and parameters that may follow a schedule with values their range allows
    (checked by validating the section as in force from that date, so rules across parameters hold too)."""
    entries = getattr(section, "schedule", None)
    if not entries:
        return None
    cls = type(section)
    allowed = numeric_fields(cls)
    first, last = month_index(start_month), month_index(start_month) + 12 * years - 1
    horizon = f"{start_month} to {month_text(last)}"
    seen: set[tuple[str, str]] = set()
    for k, entry in enumerate(entries):
        when, names = entry.get(FROM), [n for n in entry if n != FROM]
        where = f"key '{section_name}.{names[0]}' (schedule from {when})" if len(names) == 1 and when is not None \
            else f"key '{section_name}.schedule.{k}'"
        if when is None:
            return f"{where}: missing 'from' (the month 'YYYY-MM' the change takes effect)"
        if not is_month(when):
            return f"{where}: '{when}' is not a month 'YYYY-MM'"
        if not first <= month_index(when) <= last:
            return f"{where}: {when} is outside the horizon; allowed: a month from {horizon}"
        changes = entry_changes(entry)
        if not changes:
            return f"{where}: names no parameter to change; allowed: {', '.join(allowed)}"
        for name in changes:
            if name not in allowed:
                why = "is fixed when the lever is set up" if name in cls.model_fields else "is not a parameter"
                return f"key '{section_name}.{name}' (schedule from {when}): {why}; a schedule may change: " \
                       f"{', '.join(allowed)}"
            if (when, name) in seen:
                return f"key '{section_name}.{name}': two values from {when}; give one"
            seen.add((when, name))
    for when in sorted({e[FROM] for e in entries}):
        data = resolved_data(section, month_index(when))
        try:
            cls.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            key = f"{section_name}.{loc}" if loc else section_name
            shown = "" if not loc else f" (got {data.get(str(err['loc'][0]))!r})"
            field = cls.model_fields.get(str(err["loc"][0])) if loc else None
            rng = f"; allowed: {allowed_range(field)}" if field is not None and allowed_range(field) != "any" else ""
            msg = err["msg"].removeprefix("Value error, ")
            return f"key '{key}' (schedule from {when}): {msg}{shown}{rng}"
    return None


def resolved_data(section, absolute_month: int) -> dict:
    """The section's values in force in a month, as plain data without the schedule."""
    data = section.model_dump()
    entries = data.pop("schedule", [])
    for entry in sorted(entries, key=lambda e: e[FROM]):
        if month_index(entry[FROM]) <= absolute_month:
            data.update(entry_changes(entry))
    data["schedule"] = []
    return data


def change_months(section) -> set[int]:
    """Months in which a scheduled value takes effect."""
    return {month_index(e[FROM]) for e in getattr(section, "schedule", None) or []}


def resolve(section, absolute_month: int):
    """The section as in force in a month: a copy with the scheduled values applied (no re-validation:
    `check` validated every date's combination when the scenario was loaded)."""
    if not getattr(section, "schedule", None):
        return section
    data = resolved_data(section, absolute_month)
    fields = type(section).model_fields
    changed = {k: (float(v) if fields[k].annotation is float else v) for k, v in data.items()
               if k != "schedule" and getattr(section, k) != v}
    return section.model_copy(update={**changed, "schedule": []})


class Scheduled:
    """The engine's view of a component's schedule: hands the component its parameters each month."""

    def __init__(self, component):
        self.component = component
        self.section = component.params
        self.months = change_months(self.section)

    def at(self, absolute_month: int, *, force: bool = False) -> None:
        if force or absolute_month in self.months:
            self.component.params = resolve(self.section, absolute_month)


def describe(scenario) -> list[str]:
    """One line per scheduled parameter, for reports: "`workshops.subsidy_per_worker_year_yuan`: 1,500 from
    2021-01, 750 from 2026-01" (the first value without a date when it holds from before the first change)."""
    lines = []
    for section_name, section in scenario:
        entries = getattr(section, "schedule", None)
        if not entries:
            continue
        names = list(dict.fromkeys(n for e in entries for n in entry_changes(e)))
        for name in names:
            steps = sorted((e[FROM], e[name]) for e in entries if name in e)
            start = getattr(section, name)
            parts = ([] if steps[0][1] == start else [f"{start:,g} before"]) + [f"{v:,g} from {d}" for d, v in steps]
            lines.append(f"`{section_name}.{name}`: " + ", ".join(parts))
    return lines
