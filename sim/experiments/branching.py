"""What the scenarios of a compare share, computed once per replicate (issue 19).

Under common random numbers replicate r of every scenario starts from the same seed: the same population,
the same random streams. Up to the first month in which the parameters in force differ, a scenario's run
is therefore the base's run, bit for bit, and need not be simulated again: the base is built and advanced
to that month (its *branch month*), the whole state is set aside, and the alternative continues from it.

The branch month is derived from the two scenarios, never assumed: every parameter of every section (the
descriptive keys aside), with each lever's dated schedule resolved month by month exactly as the engine
resolves it (`schedules.resolve`). A difference in force at the build (any section, including those the
population build and the levers' set-up read, and the rule after the transition period, which levers turn
into a per-county schedule at set-up) means the scenario shares nothing and runs on its own. Values must
be equal in type as well as value (an int where a float was is a difference).
"""

from typing import Any

from ..core import schedules

# keys that describe a scenario and that no component reads (the model reads its sections and `run`)
DESCRIPTIVE = ("name", "description", "question", "expect")


def build_month(scenario) -> int:
    """The absolute month a model is built at: the start month less the warm-up."""
    return schedules.month_index(scenario.run.start_month) - scenario.run.warmup_months


def end_month(scenario) -> int:
    """The absolute month after the horizon's last."""
    return schedules.month_index(scenario.run.start_month) + 12 * scenario.run.years


def in_force(scenario, absolute_month: int) -> dict:
    """Every parameter as the engine gives it to the components in a month: a scheduled section as
    `schedules.resolve` makes it (values cast as it casts them), the schedules themselves left out."""
    data = {}
    for name in type(scenario).model_fields:
        if name in DESCRIPTIVE:
            continue
        section = getattr(scenario, name)
        if getattr(section, "schedule", None):
            section = schedules.resolve(section, absolute_month)
        dumped = section.model_dump() if hasattr(section, "model_dump") else section
        if isinstance(dumped, dict):
            dumped.pop("schedule", None)
        data[name] = dumped
    return data


def _typed(value: Any) -> Any:
    """A value with its type at every level, so that 1 and 1.0 (or True) compare as different."""
    if isinstance(value, dict):
        return ("dict", tuple((k, _typed(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(_typed(v) for v in value))
    return (type(value).__name__, value)


def same_in_force(a, b, absolute_month: int) -> bool:
    return _typed(in_force(a, absolute_month)) == _typed(in_force(b, absolute_month))


def change_months(scenario) -> set[int]:
    """Months in which any of the scenario's dated schedules takes effect."""
    return {m for name in type(scenario).model_fields if name not in DESCRIPTIVE
            for m in schedules.change_months(getattr(scenario, name))}


def branch_month(base, alternative) -> int | None:
    """The first absolute month in which `alternative`'s parameters in force differ from `base`'s: the
    alternative's run equals the base's before it. None when they differ at the build (nothing shared);
    `end_month` when they never differ over the horizon.

    Parameters in force change only in a schedule's months, so the build month and those months are the
    only ones to look at."""
    first = build_month(base)
    if build_month(alternative) != first or not same_in_force(base, alternative, first):
        return None
    last = end_month(base)
    for month in sorted(change_months(base) | change_months(alternative)):
        if first < month < last and not same_in_force(base, alternative, month):
            return month
    return last
