"""The January demographic year (`Demography._year`) and the event years it runs on.

Each household's non-labourer members are packed in the first `size - n_labourers` columns of its row
of `member_age` (-1 empty); its labourers are its contiguous slots. Every person carries the years of
their next events, drawn once from their chances by age (the year at which the chance of no event so
far falls to a uniform; tables of that chance by age, for births one per birth cohort since the birth
rate changes by year): a member its year of death; a labourer its years of death, out-migration and
next child (retirement follows from its age). Each household keeps the first of its people's event
years and of the years its members reach an age that matters, so a January only ages everyone and
visits the households whose year has come (~13%). Draws are counter-based hashed uniforms
(`labour._hash24`) per slot, or per household and draw number, and year: the same seed gives the same
demography whatever the levers do (they never make a slot inactive).

Timing convention: a person of age a in January (after the birthday) has the chance of their age for
the year ahead; an event in that year takes effect the next January (a death is then counted).
"""

import numba
import numpy as np

from .common import positions
from .labour import _hash24

_JIT = {"cache": True, "nogil": True}

# event numbers in the hash counter (counter = (year * EVENTS + event) * DRAWS + draw)
DEATH, OUT_MIGRATION, BIRTH, ENTRY = 0, 1, 2, 3
EVENTS = 4
DRAWS = 64  # more than the member draws of a household in a year (at most three times its width)
NEVER = 32767  # an event year that never comes (int16)
# diagnostic counts returned by `demography_year`
ENTRANTS, RETIREMENTS, NO_SLOT, N_COUNTS = 0, 1, 2, 3


@numba.njit(inline="always")
def _uniform(key, unit, year, event, draw):
    counter = (np.int64(year) * EVENTS + event) * DRAWS + draw
    return (np.float32(_hash24(key, unit, counter)) + np.float32(0.5)) * np.float32(2.0**-24)


@numba.njit(inline="always")
def _event_year(none, age, year, u):
    """The January after the year of the event for someone of `age` now: year + the first k >= 1 where
    the chance of no event over ages age .. age+k-1, none[age + k] / none[age], falls to `u` or below.
    `none[x]` is the chance of no event over the ages below x (1 at x = 0, non-increasing; 0 from an age
    with a certain event). NEVER if none (a binary search)."""
    if none[age] <= 0:
        return min(year + 1, NEVER)  # an event was certain already: it comes at once
    if none[len(none) - 1] >= none[age]:
        return NEVER  # no event possible at the ages left
    target = none[age] * np.float64(u)
    lo = age + 1  # the first age x > age with none[x] <= target (branch-free lower bound: the chance falls)
    n = len(none) - lo
    while n > 1:
        half = n >> 1
        lo = lo + half if none[lo + half - 1] > target else lo
        n -= half
    if none[lo] > target:
        return NEVER
    return min(year + lo - age, NEVER)


@numba.njit(inline="always")
def _event_year_from(none, lower, age, year, u):
    """`_event_year` with a table of lower bounds of the answer by age and uniform bucket (`lower_bounds`):
    a look-up and a step or two up instead of a binary search."""
    if none[age] <= 0:
        return min(year + 1, NEVER)
    if none[len(none) - 1] >= none[age]:
        return NEVER
    target = none[age] * np.float64(u)
    x = np.int64(lower[age, np.int64(np.float64(u) * (lower.shape[1] - 1))])
    last = len(none) - 1
    while x < last and none[x] > target:
        x += 1
    if none[x] > target:
        return NEVER
    return min(year + x - age, NEVER)


@numba.njit(inline="always")
def _next_year(h, m, member_age, member_death_year, lo, hi, lab_state, lab_age, slot_death_year, slot_out_year,
               slot_birth_year, year, inactive, early_entry_age, adult_age, retirement_age):
    """The first year after `year` with an event in household h: a member's death or an age at which
    kinds change or children start work; a labourer's death, out-migration, child or retirement."""
    first = np.int64(NEVER)
    for c in range(m):
        a = np.int64(member_age[h, c])
        first = min(first, np.int64(member_death_year[h, c]))
        if a < early_entry_age:
            first = min(first, year + early_entry_age - a)
        elif a < adult_age:
            first = min(first, year + adult_age - a)
        elif a < retirement_age:
            first = min(first, year + retirement_age - a)
    for s in range(lo, hi):
        if lab_state[s] != inactive:
            first = min(first, np.int64(slot_death_year[s]), np.int64(slot_out_year[s]),
                        np.int64(slot_birth_year[s]), year + max(retirement_age - np.int64(lab_age[s]), 1))
    return first


@numba.njit(**_JIT)
def start_years(member_age, member_death_year, size, n_labourers, first_labourer, labour_slots, lab_age, lab_state,
                slot_death_year, slot_out_year, slot_birth_year, next_year, survival, survival_lower, stay, stay_lower,
                no_birth, first_cohort, slot_key, member_key, year, inactive, early_entry_age, adult_age,
                retirement_age):
    """At the start (`year`: the year before the first January): every person's event years and each
    household's first (`demography_year` keeps them up to date)."""
    for h in range(len(size)):
        m = size[h] - n_labourers[h]
        for c in range(member_age.shape[1]):
            member_death_year[h, c] = NEVER
        for c in range(m):
            member_death_year[h, c] = _event_year_from(survival, survival_lower, member_age[h, c], year,
                                                  _uniform(member_key, h, year, DEATH, c))
        lo = first_labourer[h]
        hi = lo + labour_slots[h]
        for s in range(lo, hi):
            slot_death_year[s] = NEVER
            slot_out_year[s] = NEVER
            slot_birth_year[s] = NEVER
            if lab_state[s] != inactive:
                a = lab_age[s]
                slot_death_year[s] = _event_year_from(survival, survival_lower, a, year,
                                                      _uniform(slot_key, s, year, DEATH, 0))
                slot_out_year[s] = _event_year_from(stay, stay_lower, a, year,
                                                    _uniform(slot_key, s, year, OUT_MIGRATION, 0))
                slot_birth_year[s] = _event_year(no_birth[year - a - first_cohort], a, year,
                                                 _uniform(slot_key, s, year, BIRTH, 0))
        next_year[h] = _next_year(h, m, member_age, member_death_year, lo, hi, lab_state, lab_age, slot_death_year,
                                  slot_out_year, slot_birth_year, year, inactive, early_entry_age, adult_age,
                                  retirement_age)


@numba.njit(**_JIT)
def demography_year(member_age, member_death_year, size, n_labourers, n_elderly, n_children, n_unable, n_under_16,
                    first_labourer, labour_slots, lab_age, lab_state, lab_ill, slot_death_year, slot_out_year,
                    slot_birth_year, next_year, survival, survival_lower, stay, stay_lower, no_birth, first_cohort,
                    early_entry_share,
                    unable_share, early_entry_age, adult_age, retirement_age, max_size, slot_key, member_key, year,
                    inactive, idle, births, deaths, out_migrants, due):
    """One year: everyone ages; in the households whose first event year has come, in this order:
    members whose death year has come die; labourers whose death year has come die; labourers at
    retirement age become elderly members (keeping their death year); labourers whose out-migration
    year has come leave; members reaching `early_entry_age` (with `early_entry_share`) or `adult_age`
    (unless unable, with `unable_share`) take the household's lowest free slot as labourers out of work
    (without a free slot they leave, counted as out-migrants); one child is born if a labourer's year
    of a child has come and the household has fewer than `max_size` members. Nobody dies or leaves a
    one-person household (the year is drawn again from there).

    Writes the members' counts by kind and the year's births, deaths and out-migrants per household
    (`due`: a bool work array); returns the counts of entrants, retirements and entrants without a slot.
    """
    counts = np.zeros(N_COUNTS, np.int64)
    flat = member_age.reshape(-1)
    for i in range(len(flat)):  # a year older (branch-free: -1 stays, ages stop at 127)
        a = flat[i]
        flat[i] = a + (a >= 0) - (a == 127)
    for s in range(len(lab_state)):
        lab_age[s] += lab_state[s] != inactive
    n_due = 0
    for h in range(len(size)):
        births[h] = 0
        deaths[h] = 0
        out_migrants[h] = 0
        is_due = next_year[h] <= year
        due[h] = is_due
        n_due += is_due
    for h in positions(due, n_due):
        m = size[h] - n_labourers[h]  # members in the row
        lo = first_labourer[h]
        hi = lo + labour_slots[h]
        changed = False
        dead = 0
        left = 0
        draw = 0  # the household's member draws this year
        entry_due = False
        for c in range(m):
            a = member_age[h, c]
            if a == early_entry_age or a == adult_age:
                entry_due = True
                changed = True
            elif a == retirement_age:
                changed = True
        # members' deaths
        c = 0
        while c < m:
            if member_death_year[h, c] > year:
                c += 1
                continue
            if size[h] == 1:  # the last member stays: another year drawn
                member_death_year[h, c] = _event_year_from(survival, survival_lower, member_age[h, c], year,
                                                      _uniform(member_key, h, year, DEATH, draw))
                draw += 1
                c += 1
                continue
            m -= 1
            member_age[h, c] = member_age[h, m]  # the last member moves here
            member_death_year[h, c] = member_death_year[h, m]
            member_age[h, m] = -1
            size[h] -= 1
            dead += 1
            changed = True
        # labourers: deaths, retirement (joining the members as elderly), out-migration
        for s in range(lo, hi):
            if lab_state[s] == inactive:
                continue
            a = lab_age[s]
            if slot_death_year[s] <= year:
                if size[h] > 1:
                    dead += 1
                    size[h] -= 1
                    lab_state[s] = inactive
                else:
                    slot_death_year[s] = _event_year_from(survival, survival_lower, a, year,
                                                          _uniform(slot_key, s, year, DEATH, 0))
            if lab_state[s] != inactive and a >= retirement_age:
                member_age[h, m] = min(a, 127)
                member_death_year[h, m] = slot_death_year[s]
                m += 1
                counts[RETIREMENTS] += 1
                lab_state[s] = inactive
            if lab_state[s] != inactive and slot_out_year[s] <= year:
                if size[h] > 1:
                    left += 1
                    size[h] -= 1
                    lab_state[s] = inactive
                else:
                    slot_out_year[s] = _event_year_from(stay, stay_lower, a, year,
                                                        _uniform(slot_key, s, year, OUT_MIGRATION, 0))
            if lab_state[s] == inactive:
                lab_ill[s] = 0
                n_labourers[h] -= 1
                changed = True
        # labour entry: school leavers at the early entry age, everyone else (able) at the adult age
        if entry_due:
            c = 0
            while c < m:
                a = member_age[h, c]
                if a != early_entry_age and a != adult_age:
                    c += 1
                    continue
                v = _uniform(member_key, h, year, ENTRY, draw)
                draw += 1
                if (a == early_entry_age and v >= early_entry_share) or (a == adult_age and v < unable_share):
                    c += 1
                    continue
                slot = -1
                for s in range(lo, hi):
                    if lab_state[s] == inactive:
                        slot = s
                        break
                if slot >= 0:
                    lab_state[slot] = idle
                    lab_age[slot] = a
                    lab_ill[slot] = 0
                    slot_death_year[slot] = member_death_year[h, c]
                    slot_out_year[slot] = _event_year_from(stay, stay_lower, a, year,
                                                      _uniform(slot_key, slot, year, OUT_MIGRATION, 0))
                    slot_birth_year[slot] = _event_year(no_birth[year - a - first_cohort], a, year,
                                                        _uniform(slot_key, slot, year, BIRTH, 0))
                    n_labourers[h] += 1
                    counts[ENTRANTS] += 1
                elif size[h] > 1:  # no slot to work from here: the young adult leaves the household
                    size[h] -= 1
                    left += 1
                    counts[NO_SLOT] += 1
                else:
                    c += 1
                    continue
                m -= 1
                member_age[h, c] = member_age[h, m]
                member_death_year[h, c] = member_death_year[h, m]
                member_age[h, m] = -1
        # a child, if a labourer's year has come (at most one a year) and there is room
        child = False
        for s in range(lo, hi):
            if lab_state[s] != inactive and slot_birth_year[s] <= year:
                child = True
                slot_birth_year[s] = _event_year(no_birth[year - lab_age[s] - first_cohort], lab_age[s], year,
                                                 _uniform(slot_key, s, year, BIRTH, 1))
        born = 0
        if child and size[h] < max_size:
            member_age[h, m] = 0
            member_death_year[h, m] = _event_year_from(survival, survival_lower, 0, year,
                                                       _uniform(member_key, h, year, BIRTH, draw))
            draw += 1
            m += 1
            size[h] += 1
            born = 1
            changed = True
        if changed:
            children = 0
            unable = 0
            elderly = 0
            under_16 = 0
            for c in range(m):
                a = member_age[h, c]
                if a >= retirement_age:
                    elderly += 1
                elif a >= adult_age:
                    unable += 1
                else:
                    children += 1
                    under_16 += a < early_entry_age
            n_elderly[h] = elderly
            n_unable[h] = unable
            n_children[h] = children
            n_under_16[h] = under_16
        births[h] = born
        deaths[h] = dead
        out_migrants[h] = left
        next_year[h] = _next_year(h, m, member_age, member_death_year, lo, hi, lab_state, lab_age, slot_death_year,
                                  slot_out_year, slot_birth_year, year, inactive, early_entry_age, adult_age,
                                  retirement_age)
    return counts


@numba.njit(**_JIT)
def spare_slots_needed(member_age, first_labourer, n_labourers, lab_age, years, entry_age, adult_age, retirement_age):
    """Per household, the spare slots that let every child (a member under `adult_age`) take a slot as
    early as `entry_age` within `years` years, given that its labourers retire at `retirement_age` and
    free theirs: the most, over those years, by which entries so far exceed retirements so far (deaths
    and out-migration only free more). The most is reached at a child's entry year, so only those are
    tried."""
    out = np.zeros(len(first_labourer), np.int16)
    for h in range(len(first_labourer)):
        need = 0
        for c in range(member_age.shape[1]):
            a = member_age[h, c]
            if a < 0:
                break  # members are packed
            if a >= adult_age:
                continue
            t = max(entry_age - a, 1)  # this child's entry year (years from now)
            if t > years:
                continue
            entered = 0
            for k in range(member_age.shape[1]):
                b = member_age[h, k]
                if b < 0:
                    break
                entered += (b < adult_age) & (max(entry_age - b, 1) <= t)
            retired = 0
            for s in range(first_labourer[h], first_labourer[h] + n_labourers[h]):
                retired += lab_age[s] + t >= retirement_age
            need = max(need, entered - retired)
        out[h] = need
    return out
