"""The January demographic year in one compiled pass over the households (`Demography._year`).

Each household's non-labourer members are a row of `member_age` (-1 for an empty column); its labourers
are its contiguous slots. Every chance is a counter-based hashed uniform (`labour._hash24`): per slot
(deaths, out-migration, births) or per household and draw number (members' deaths, labour entry),
keyed by the year: the same seed gives the same demography whatever the levers do (they never make a
slot inactive), so scenarios on one seed share it exactly.
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


@numba.njit(**_JIT)
def household_uniforms(key, year, out):
    """Three uniforms per household (deaths, out-migration, births) for `year`, in one vectorisable pass."""
    for h in range(out.shape[0]):
        for e in range(3):
            out[h, e] = _uniform(key, h, year, e, 0)


@numba.njit(inline="always")
def _first_event(u, chances_survival, p):
    """Sequential screening step: `u` is uniform on [0, 1 - S) given at least one event; with the survival
    so far, the event falls on this unit when u < 1 - survival x (1 - p)."""
    return u < np.float32(1.0) - chances_survival * (np.float32(1.0) - p)


@numba.njit(**_JIT)
def demography_year(member_age, size, n_labourers, n_elderly, n_children, n_unable, n_under_16, first_labourer,
                    labour_slots, lab_household, lab_age, lab_state, lab_ill, death_chance, out_migration_chance,
                    birth_chance, early_entry_share, unable_share, early_entry_age, adult_age, retirement_age, max_size,
                    slot_key, member_key, year, inactive, idle, births, deaths, out_migrants, uniforms, alive, stay,
                    no_birth, due, member_death_year, member_next_year, log_survival):
    """One year for every household: everyone ages a year and may die (chance by age); labourers at
    retirement age become elderly members; labourers may out-migrate (chance by age); members reaching
    `early_entry_age` (with `early_entry_share`) or `adult_age` (unless unable, with `unable_share`) take the
    household's lowest free slot as labourers out of work (without a free slot they leave, counted as
    out-migrants); at most one birth per household, from its labourers by age (chance by age), while it
    has fewer than `max_size` members. Nobody dies or leaves a one-person household.

    Independent events per person are drawn with one uniform per household and kind (`uniforms`, from
    `household_uniforms`): the household has no event with chance S = prod(1 - p_i) (u >= 1 - S, most
    households); otherwise the first person with an event is the one where the running survival
    crosses u, and the persons after it get their own hashed uniforms (by slot, or by household and
    member draw number). This is exactly one independent trial per person at a fraction of the draws.

    Two branch-light passes (members by fixed-width rows, then slots) age everyone and find the
    households where something may happen (a death, retirement, an age at which kinds change or children
    enter, an out-migration or a birth by the same screening over all labourers, a superset); only those
    (about a tenth) go through the events. `alive`, `stay`, `no_birth` (float32) and `due` (bool) are
    work arrays over households. A household's members are packed in the first `size - n_labourers`
    columns of its row. Chances are float32 tables by age (0-127). Writes the members' counts by kind and
    the year's births, deaths and out-migrants per household; returns the counts of entrants,
    retirements and entrants without a free slot.
    """
    counts = np.zeros(N_COUNTS, np.int64)
    one = np.float32(1.0)
    width = member_age.shape[1]
    flat = member_age.reshape(-1)
    for i in range(len(flat)):  # everyone a year older (branch-free: -1 stays, ages stop at 127)
        a = flat[i]
        flat[i] = a + (a >= 0) - (a == 127)
    for h in range(len(size)):
        alive[h] = one
        stay[h] = one
        no_birth[h] = one
        due[h] = member_next_year[h] <= year
    for s in range(len(lab_state)):
        if lab_state[s] != inactive:
            h = lab_household[s]
            a = lab_age[s] + 1
            lab_age[s] = a
            alive[h] *= one - death_chance[a]
            stay[h] *= one - out_migration_chance[a]
            no_birth[h] *= one - birth_chance[a]
            due[h] |= a >= retirement_age
    n_due = 0
    for h in range(len(size)):
        births[h] = 0
        deaths[h] = 0
        out_migrants[h] = 0
        is_due = (due[h] or uniforms[h, 0] < one - alive[h] or uniforms[h, 1] < one - stay[h]
                  or uniforms[h, 2] < one - no_birth[h])
        due[h] = is_due
        n_due += is_due
    # the year's events of the households where something may happen
    for h in positions(due, n_due):
        m = size[h] - n_labourers[h]  # members in the row
        lo = first_labourer[h]
        hi = lo + labour_slots[h]
        changed = False
        dead = 0
        left = 0
        draw = 0  # the household's extra member draws this year
        entry_due = False
        for c in range(m):
            a = member_age[h, c]
            if a == early_entry_age or a == adult_age:
                entry_due = True
                changed = True
            elif a == retirement_age:
                changed = True
        # members' deaths (their death years), then labourers' (screening)
        c = 0
        while c < m:
            if member_death_year[h, c] > year:
                c += 1
                continue
            if size[h] == 1:  # the last member stays: another year drawn
                member_death_year[h, c] = _death_year(log_survival, member_age[h, c], year,
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
        u = uniforms[h, 0]
        if u < one - alive[h] and size[h] > 1:
            found = False
            running = one
            for s in range(lo, hi):
                if lab_state[s] == inactive:
                    continue
                p = death_chance[lab_age[s]]
                if found:
                    dies = _uniform(slot_key, s, year, DEATH, 0) < p
                else:
                    dies = _first_event(u, running, p)
                    running *= one - p
                    found = dies
                if dies and size[h] > 1:
                    lab_state[s] = inactive
                    lab_ill[s] = 0
                    n_labourers[h] -= 1
                    size[h] -= 1
                    dead += 1
                    changed = True
        # retirement: the labourer joins the members as elderly; the chances of staying and of no birth
        stay_h = one
        no_birth_h = one
        for s in range(lo, hi):
            if lab_state[s] == inactive:
                continue
            a = lab_age[s]
            if a >= retirement_age:
                member_age[h, m] = min(a, 127)
                member_death_year[h, m] = _death_year(log_survival, min(a, 127), year,
                                                      _uniform(member_key, h, year, DEATH, draw))
                draw += 1
                m += 1
                counts[RETIREMENTS] += 1
                lab_state[s] = inactive
                lab_ill[s] = 0
                n_labourers[h] -= 1
                changed = True
            else:
                stay_h *= one - out_migration_chance[a]
                no_birth_h *= one - birth_chance[a]
        # permanent out-migration of labourers
        u = uniforms[h, 1]
        if u < one - stay_h and size[h] > 1:
            found = False
            running = one
            for s in range(lo, hi):
                if lab_state[s] == inactive:
                    continue
                p = out_migration_chance[lab_age[s]]
                if found:
                    goes = p > 0 and _uniform(slot_key, s, year, OUT_MIGRATION, 0) < p
                else:
                    goes = _first_event(u, running, p)
                    running *= one - p
                    found = goes
                if goes and size[h] > 1:
                    lab_state[s] = inactive
                    lab_ill[s] = 0
                    n_labourers[h] -= 1
                    size[h] -= 1
                    left += 1
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
        # a birth (chance 1 - prod(1 - f) over the labourers left after deaths and retirements), if there is room
        born = 0
        if uniforms[h, 2] < one - no_birth_h and size[h] < max_size:
            member_age[h, m] = 0
            member_death_year[h, m] = _death_year(log_survival, 0, year, _uniform(member_key, h, year, BIRTH, draw))
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
        member_next_year[h] = _next_member_year(member_age[h], member_death_year[h], m, year, early_entry_age,
                                                adult_age, retirement_age)
    return counts


@numba.njit(inline="always")
def _next_member_year(ages, death_years, m, year, early_entry_age, adult_age, retirement_age):
    """The first year after `year` in which one of the `m` members (ages as of `year`) dies or reaches an
    age at which kinds change or children enter the labour force."""
    first = np.int64(NEVER)
    for c in range(m):
        a = np.int64(ages[c])
        first = min(first, np.int64(death_years[c]))
        if a < early_entry_age:
            first = min(first, year + early_entry_age - a)
        elif a < adult_age:
            first = min(first, year + adult_age - a)
        elif a < retirement_age:
            first = min(first, year + retirement_age - a)
    return first


@numba.njit(inline="always")
def _death_year(log_survival, age, year, u):
    """The year of death of a person of `age` alive after `year`'s January: year + the first k >= 1 where
    the chance of surviving the ages age+1 .. age+k falls to `u` or below (`log_survival[x]`: the sum of
    log(1 - q) up to age x, -inf at the last age, so the search ends there)."""
    target = log_survival[age] + np.log(np.float64(u))
    k = 1
    while age + k < len(log_survival) - 1 and log_survival[age + k] > target:
        k += 1
    return min(year + k, NEVER)


@numba.njit(**_JIT)
def member_years(member_age, size, n_labourers, member_key, year, log_survival, early_entry_age, adult_age,
                 retirement_age, member_death_year, member_next_year):
    """At the start (`year`: the year before the first January): every member's death year and each
    household's next member event year (`demography_year` keeps both up to date)."""
    for h in range(len(size)):
        m = size[h] - n_labourers[h]
        for c in range(member_age.shape[1]):
            member_death_year[h, c] = NEVER
        for c in range(m):
            member_death_year[h, c] = _death_year(log_survival, member_age[h, c], year,
                                                  _uniform(member_key, h, year, DEATH, c))
        member_next_year[h] = _next_member_year(member_age[h], member_death_year[h], m, year, early_entry_age,
                                                adult_age, retirement_age)


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
