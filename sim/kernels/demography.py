"""The January demographic year in one compiled pass over the households (`Demography._year`).

Each household's non-labourer members are a row of `member_age` (-1 for an empty column); its labourers
are its contiguous slots. Every chance is a counter-based hashed uniform (`labour._hash24`): per slot
(deaths, out-migration, births) or per household and member column (deaths, labour entry), keyed by
the year, so a person's luck depends on no one else's events and is shared by scenarios on one seed.
"""

import numba
import numpy as np

from .labour import _hash24

_JIT = {"cache": True, "nogil": True}

# event numbers in the hash counter (counter = (year * EVENTS + event) * COLUMNS + column)
DEATH, OUT_MIGRATION, BIRTH, ENTRY = 0, 1, 2, 3
EVENTS = 4
COLUMNS = 16  # more than any member table's width
# diagnostic counts returned by `demography_year`
ENTRANTS, RETIREMENTS, NO_SLOT, N_COUNTS = 0, 1, 2, 3


@numba.njit(inline="always")
def _uniform(key, unit, year, event, column):
    counter = (np.int64(year) * EVENTS + event) * COLUMNS + column
    return (np.float32(_hash24(key, unit, counter)) + np.float32(0.5)) * np.float32(2.0**-24)


@numba.njit(**_JIT)
def demography_year(member_age, size, n_labourers, n_elderly, n_children, n_unable, n_under_16, first_labourer,
                    labour_slots, lab_age, lab_state, lab_ill, death_chance, out_migration_chance, birth_chance,
                    early_entry_share, unable_share, early_entry_age, adult_age, retirement_age, max_size,
                    slot_key, member_key, year, inactive, idle, births, deaths, out_migrants):
    """One year for every household, in this order: everyone ages a year; deaths by age (members and
    labourers); labourers at retirement age become elderly members; out-migration of labourers by age;
    members reaching `early_entry_age` (with `early_entry_share`) or `adult_age` (unless unable, with
    `unable_share`) take the household's lowest free slot as a labourer out of work (without a free slot
    they leave, counted as out-migrants); at most one birth per household, from its labourers by age,
    while it has fewer than `max_size` members. Nobody dies or leaves a one-person household.

    Chances are float32 tables by age (index = age in years, 0-127). Writes the members' counts by kind
    and this year's births, deaths and out-migrants per household; returns the counts of entrants,
    retirements and entrants without a free slot.
    """
    counts = np.zeros(N_COUNTS, np.int64)
    n_columns = member_age.shape[1]
    for h in range(len(size)):
        row = member_age[h]
        lo = first_labourer[h]
        hi = lo + labour_slots[h]
        dead = 0
        left = 0
        born = 0
        # a year older
        for c in range(n_columns):
            if row[c] >= 0 and row[c] < 127:
                row[c] += 1
        for s in range(lo, hi):
            if lab_state[s] != inactive:
                lab_age[s] += 1
        # deaths
        for c in range(n_columns):
            a = row[c]
            if a >= 0 and size[h] > 1 and _uniform(member_key, h, year, DEATH, c) < death_chance[a]:
                row[c] = -1
                size[h] -= 1
                dead += 1
        for s in range(lo, hi):
            if (lab_state[s] != inactive and size[h] > 1
                    and _uniform(slot_key, s, year, DEATH, 0) < death_chance[lab_age[s]]):
                lab_state[s] = inactive
                lab_ill[s] = 0
                n_labourers[h] -= 1
                size[h] -= 1
                dead += 1
        # retirement: the labourer joins the members as elderly (a free column always exists: members and
        # labourers together are the size, which never exceeds the table's width)
        for s in range(lo, hi):
            if lab_state[s] != inactive and lab_age[s] >= retirement_age:
                for c in range(n_columns):
                    if row[c] < 0:
                        row[c] = min(lab_age[s], 127)
                        break
                lab_state[s] = inactive
                lab_ill[s] = 0
                n_labourers[h] -= 1
                counts[RETIREMENTS] += 1
        # permanent out-migration of labourers
        for s in range(lo, hi):
            if (lab_state[s] != inactive and size[h] > 1
                    and _uniform(slot_key, s, year, OUT_MIGRATION, 0) < out_migration_chance[lab_age[s]]):
                lab_state[s] = inactive
                lab_ill[s] = 0
                n_labourers[h] -= 1
                size[h] -= 1
                left += 1
        # labour entry: school leavers at the early entry age, everyone else (able) at the adult age
        for c in range(n_columns):
            a = row[c]
            if a != early_entry_age and a != adult_age:
                continue
            u = _uniform(member_key, h, year, ENTRY, c)
            if (a == early_entry_age and u >= early_entry_share) or (a == adult_age and u < unable_share):
                continue
            slot = -1
            for s in range(lo, hi):
                if lab_state[s] == inactive:
                    slot = s
                    break
            if slot >= 0:
                row[c] = -1
                lab_state[slot] = idle
                lab_age[slot] = a
                lab_ill[slot] = 0
                n_labourers[h] += 1
                counts[ENTRANTS] += 1
            elif size[h] > 1:  # no slot to work from here: the young adult leaves the household
                row[c] = -1
                size[h] -= 1
                left += 1
                counts[NO_SLOT] += 1
        # births: at most one a year, to a household with a labourer of childbearing age and room for a child
        if size[h] < max_size:
            free = -1
            for c in range(n_columns):
                if row[c] < 0:
                    free = c
                    break
            if free >= 0:
                for s in range(lo, hi):
                    if (lab_state[s] != inactive and birth_chance[lab_age[s]] > 0
                            and _uniform(slot_key, s, year, BIRTH, 0) < birth_chance[lab_age[s]]):
                        row[free] = 0
                        size[h] += 1
                        born = 1
                        break
        # members by kind
        children = 0
        unable = 0
        elderly = 0
        under_16 = 0
        for c in range(n_columns):
            a = row[c]
            if a < 0:
                continue
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
    return counts
