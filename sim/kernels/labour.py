"""The labour market's month for the slots whose event is due, the wage bases, and the counter-based
hash behind every waiting time's budget (`sim/core/events.py`)."""

import numba
import numpy as np

from .common import _JIT, positions

_GOLDEN, _COUNTER = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xD1B54A32D192ED03)
_MIX1, _MIX2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


@numba.njit(inline="always")
def _hash24(key, unit, counter):
    """splitmix64 of (key, unit, counter), its top 24 bits (`events.hashed_uniform`'s integer part)."""
    z = (np.uint64(unit) * _GOLDEN) ^ (np.uint64(counter) * _COUNTER) ^ key
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return (z ^ (z >> np.uint64(31))) >> np.uint64(40)


@numba.njit(**_JIT)
def hashed_uniform(key, units, counters, out):
    """`events.hashed_uniform` in one pass: integer hashing is exact, the float32 steps are NumPy's."""
    for k in range(len(units)):
        out[k] = (np.float32(_hash24(key, units[k], counters[k])) + np.float32(0.5)) * np.float32(2.0**-24)
    return out


@numba.njit(inline="always")
def _move_wage(local_base, migrant_base, h, value, old, new, local, migrant):
    """A slot's wage value (float32) leaves the household's base of its old kind of work and joins its new."""
    delta = np.int8(new == local) - np.int8(old == local)
    if delta != 0:
        local_base[h] += np.float32(delta) * value
    delta = np.int8(new == migrant) - np.int8(old == migrant)
    if delta != 0:
        migrant_base[h] += np.float32(delta) * value


@numba.njit(**_JIT)
def labour_month(time, month, scratch, state, state_hazard, seeking, household, has_farmland, ill_months_left,
                 farming, idle, finding_hazard, count, budget_key, destination_key, lifted_out, older,
                 lifted_out_factor, older_factor, migrant_chance, local_chance, migrant_multiplier,
                 local_multiplier, local, migrant, local_base, migrant_base, skill, wage_multiplier, known_state):
    """The labour market's month for the slots whose event is due, in one pass over them (each slot's
    arrays are touched once, not once per NumPy step):

    - workers lose their job (to farming where the household has land, else idle); seekers that are
      not ill find one, migrant when a hashed draw (`destination_key`, the slot's budget count) is below
      the migrant share of their finding chances, else local;
    - wage values move between the households' bases and `known_state` follows (as in `labour_month`);
    - a new budget is started (`WaitingTimes.renew`): the count advances and its hashed uniform is
      returned with the hazard it is spent at (the finding hazard, or the new job's loss hazard); the
      caller takes the logarithm in NumPy, as for every other waiting time.

    Returns the due slots (sorted), their budget uniforms and hazards.
    """
    n_due = 0
    for s in range(len(time)):
        is_due = time[s] <= month
        scratch[s] = is_due
        n_due += is_due
    due = positions(scratch, n_due)
    uniforms, hazard = np.empty(n_due, np.float32), np.empty(n_due, np.float32)
    for k in range(n_due):
        s = due[k]
        old = state[s]
        new = old
        next_hazard = finding_hazard[s]
        if state_hazard[old + 1] == seeking:
            if ill_months_left[s] == 0:
                factor = ((lifted_out_factor if lifted_out[s] else np.float32(1.0))
                          * (older_factor if older[s] else np.float32(1.0)))
                f_migrant = factor * migrant_chance * migrant_multiplier[s]
                f_local = factor * local_chance * local_multiplier[s]
                finding = min(f_migrant + f_local, np.float32(1.0))
                share = min(f_migrant, np.float32(1.0)) / finding if finding > 0 else np.float32(0.0)
                draw = (np.float32(_hash24(destination_key, s, count[s])) + np.float32(0.5)) * np.float32(2.0**-24)
                new = migrant if draw < share else local
                next_hazard = state_hazard[new + 1]
        else:
            new = farming if has_farmland[household[s]] else idle
        state[s] = new
        if old != new:
            _move_wage(local_base, migrant_base, household[s], skill[s] * wage_multiplier[s], old, new, local,
                       migrant)
        known_state[s] = new
        c = np.uint16(count[s] + 1)
        count[s] = c
        uniforms[k] = (np.float32(_hash24(budget_key, s, c)) + np.float32(0.5)) * np.float32(2.0**-24)
        hazard[k] = next_hazard
    return due, uniforms, hazard


@numba.njit(**_JIT)
def wage_bases(state, household, skill, wage_multiplier, n_households, local, migrant):
    """Per household, the sum of its local and of its migrant workers' wage values (skill, which holds the
    home county's level, x wage multiplier; float32), added in float64 in slot order as np.bincount did,
    then rounded to float32: one pass instead of two masks, two gathers and two bincounts."""
    local_base, migrant_base = np.zeros(n_households), np.zeros(n_households)
    for s in range(len(state)):
        if state[s] == local:
            local_base[household[s]] += np.float64(skill[s] * wage_multiplier[s])
        elif state[s] == migrant:
            migrant_base[household[s]] += np.float64(skill[s] * wage_multiplier[s])
    return local_base.astype(np.float32), migrant_base.astype(np.float32)


@numba.njit(**_JIT)
def state_changes(state, known_state, scratch, state_hazard, seeking, finding_hazard, household, skill,
                  wage_multiplier, local_base, migrant_base, local, migrant):
    """Slots whose state other components changed since last month (sorted), with their hazards in the
    new and the old state (the state's, or the slot's finding hazard where the state seeks work); their
    wage values move between the households' bases and `known_state` follows (as in `labour_month`).
    One scan into `scratch` (bool), then a loop over the changed."""
    n_changed = 0
    for s in range(len(state)):
        is_changed = state[s] != known_state[s]
        scratch[s] = is_changed
        n_changed += is_changed
    changed = positions(scratch, n_changed)
    hazard, old_hazard = np.empty(n_changed, np.float32), np.empty(n_changed, np.float32)
    for k in range(n_changed):
        s = changed[k]
        old, new = known_state[s], state[s]
        hazard[k] = finding_hazard[s] if state_hazard[new + 1] == seeking else state_hazard[new + 1]
        old_hazard[k] = finding_hazard[s] if state_hazard[old + 1] == seeking else state_hazard[old + 1]
        _move_wage(local_base, migrant_base, household[s], skill[s] * wage_multiplier[s], old, new, local, migrant)
        known_state[s] = new
    return changed, hazard, old_hazard
