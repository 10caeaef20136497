"""Compiled loops (numba) for the few monthly passes that NumPy can only do as many separate passes.

At full scale a month was ~60 NumPy calls over household- or slot-sized arrays, each a pass at memory
speed, plus gathers and scatters over the 100,000-300,000 households with a payment or an event. Each
kernel here does one such group of calls as one pass, with the same arithmetic in the same order and
the same types (float32 where the NumPy code worked in float32, float64 where it promoted), so results
are bit for bit those of the NumPy code they replace. `cache=True` keeps the compiled code in
`__pycache__`: only the first run after an install or a change compiles (docs/performance.md).
"""

import numba
import numpy as np

_JIT = {"cache": True, "nogil": True}


@numba.njit(**_JIT)
def positions(mask, count):
    """np.flatnonzero(mask) given its `count` of True: a branch-free compaction (a store per element;
    stores after the last True land in one spare cell)."""
    out = np.empty(count + 1, np.intp)
    k = 0
    for i in range(len(mask)):
        out[k] = i
        k += mask[i]
    return out[:count]


@numba.njit(**_JIT)
def below_line(net_12m_yuan, size, line_yuan, mask):
    """Households whose 12-month net income is below `line_yuan` (float32) per person: positions, sorted.

    A branch-free pass that fills `mask` and counts (the compiler vectorises it), then the compaction:
    in place of a threshold array, a comparison and np.flatnonzero.
    """
    count = 0
    for i in range(len(net_12m_yuan)):
        below = net_12m_yuan[i] < np.float32(size[i]) * line_yuan
        mask[i] = below
        count += below
    return positions(mask, count)


@numba.njit(**_JIT)
def monitoring_risk(net_12m_yuan, paid_12m_yuan, expense_12m_yuan, size, line_yuan, rigid_ratio, flagged, risk,
                    scratch, budget, county, county_hazard):
    """The monitoring lever's risk test for every household, and which of those at risk and not yet
    flagged are found this month (sorted).

    At risk: net income below the line; or, for households the lever paid in the last 12 months, net
    income without its payments below it (float64, as NumPy promoted); or rigid expenditure over
    `rigid_ratio` x that net income. One branch-free pass (conditions combined with `|` and `&`, as a
    random 20% of households are at risk) into `risk` and, for those at risk and not flagged, `scratch`
    (bool); then those spend their county's detection hazard from their budget (float32 budget, float64
    hazard, as NumPy computed it) and are found when it runs out.
    """
    count = 0
    for i in range(len(net_12m_yuan)):
        threshold = np.float32(size[i]) * line_yuan
        net = np.float64(net_12m_yuan[i]) - paid_12m_yuan[i]
        at_risk = ((net_12m_yuan[i] < threshold)
                   | ((paid_12m_yuan[i] > 0) & (net < np.float64(threshold)))
                   | ((expense_12m_yuan[i] > 0) & (np.float64(expense_12m_yuan[i]) > net * rigid_ratio)))
        risk[i] = at_risk
        new = at_risk & (not flagged[i])
        scratch[i] = new
        count += new
    at_risk = positions(scratch, count)
    found = np.empty(count, np.intp)
    n_found = 0
    for k in range(count):
        i = at_risk[k]
        left = np.float32(np.float64(budget[i]) - county_hazard[county[i]])
        budget[i] = left
        found[n_found] = i
        n_found += left <= 0
    return found[:n_found]


@numba.njit(**_JIT)
def monitoring_month(monitored, category, stable_months, risk, flagged, county, strength, n_labourers, size,
                     net_12m_yuan, paid_12m_yuan, net_out, stable_needed, security_line_yuan, development_yuan,
                     any_ended):
    """Elimination and assistance for the `monitored` households (sorted) in one loop (Monitoring._eliminate).

    Counts months out of risk, releases households stable long enough (or where the lever ended), and
    for the others works out comprehensive security (no labourer: a twelfth of the gap to
    `security_line_yuan` x size, float64 then float32) or development assistance. Returns the
    eliminated, the still monitored and each one's payment, and the payments split by kind:
    (households, amounts) on security and on development assistance.
    """
    n = len(monitored)
    eliminated, kept = np.empty(n, np.intp), np.empty(n, np.intp)
    paid = np.empty(n, np.float32)
    secured, security = np.empty(n, np.intp), np.empty(n, np.float32)
    developed, development = np.empty(n, np.intp), np.empty(n, np.float32)
    n_eliminated = n_kept = n_secured = n_developed = 0
    for k in range(n):
        i = monitored[k]
        months = np.int8((stable_months[i] + 1) * (not risk[i]))
        stable_months[i] = months
        stable = months >= stable_needed
        eliminated[n_eliminated] = i
        n_eliminated += stable
        share = strength[county[i]]
        if stable or (any_ended and share == 0):  # released (a few percent a month)
            category[i] = 0
            flagged[i] = False
            stable_months[i] = 0
            continue
        net = np.float32(np.float64(net_12m_yuan[i]) - paid_12m_yuan[i])
        net_out[i] = net
        kept[n_kept] = i
        if n_labourers[i] == 0:
            amount = np.float32(max(size[i] * security_line_yuan - np.float64(net), 0.0) * (1 / 12) * share)
            secured[n_secured], security[n_secured] = i, amount
            n_secured += 1
        else:
            amount = np.float32(development_yuan * share)
            developed[n_developed], development[n_developed] = i, amount
            n_developed += 1
        paid[n_kept] = amount
        n_kept += 1
    return (eliminated[:n_eliminated], kept[:n_kept], paid[:n_kept], secured[:n_secured], security[:n_secured],
            developed[:n_developed], development[:n_developed])


@numba.njit(**_JIT)
def roll_payments(paid_12m_yuan, old_households, old_paid, households, paid):
    """The lever's 12-month payment sums: the month falling out subtracted, then this month added (float64)."""
    for k in range(len(old_households)):
        paid_12m_yuan[old_households[k]] -= old_paid[k]
    for k in range(len(households)):
        paid_12m_yuan[households[k]] += paid[k]


@numba.njit(**_JIT)
def rebase_wages(local_base, migrant_base, household, skill, wage_multiplier, slots, old, new, known_state,
                 local, migrant):
    """Move the wage values (skill x multiplier, float32) of slots that entered or left local or migrant
    work between their households' wage bases, in slot order as np.add.at did; remember the states."""
    for k in range(len(slots)):
        s = slots[k]
        if old[k] != new[k]:
            value = skill[s] * wage_multiplier[s]
            h = household[s]
            delta = np.int8(new[k] == local) - np.int8(old[k] == local)
            if delta != 0:
                local_base[h] += np.float32(delta) * value
            delta = np.int8(new[k] == migrant) - np.int8(old[k] == migrant)
            if delta != 0:
                migrant_base[h] += np.float32(delta) * value
        known_state[s] = new[k]


@numba.njit(**_JIT)
def add_scaled(out, base, factor, overwrite):
    """`out = base x factor` or `out += base x factor` in float32, one pass (NumPy: a product, then a sum)."""
    if overwrite:
        for i in range(len(out)):
            out[i] = np.float32(base[i]) * factor
    else:
        for i in range(len(out)):
            out[i] += np.float32(base[i]) * factor


@numba.njit(**_JIT)
def roll_row(total, row, new_row, other_total, net):
    """Swap a month's row of a 12-month ring: total - old + new (float32, in that order), the row stored,
    and `net = total - other_total`, one pass for three NumPy passes and a subtraction."""
    for i in range(len(total)):
        t = (total[i] - row[i]) + new_row[i]
        total[i] = t
        row[i] = new_row[i]
        net[i] = t - other_total[i]


@numba.njit(**_JIT)
def income_bins(income_12m_yuan, size, weight, starts, stops, per_capita, first_bin, shift, n_bins):
    """Per group (households `starts[c]:stops[c]`), the people (size x weight, float64) in each per-capita
    income bin (`indicators.bin_index`), added in household order as np.bincount did: a division pass
    (vectorised, into the float32 work array `per_capita`), then one pass that reads each bin off the
    float's bits and adds to it, instead of five NumPy passes and a bincount per group. An empty
    `weight` counts people alone (uniform weights, applied by the caller).
    """
    for i in range(len(income_12m_yuan)):
        per_capita[i] = income_12m_yuan[i] / np.float32(size[i])
    bits = per_capita.view(np.int32)
    people = np.zeros((len(starts), n_bins))
    for c in range(len(starts)):
        histogram = people[c]
        if len(weight) == 0:  # (two loops rather than a test per household)
            for i in range(starts[c], stops[c]):
                histogram[min(max((np.int64(bits[i]) >> shift) - (first_bin - 1), 0), n_bins - 1)] += size[i]
        else:
            for i in range(starts[c], stops[c]):
                histogram[min(max((np.int64(bits[i]) >> shift) - (first_bin - 1), 0), n_bins - 1)] += (
                    size[i] * weight[i])
    return people


@numba.njit(**_JIT)
def first_in_pools(pool, order, shift, candidate, quota):
    """Per pool, the `quota[pool]` candidates that come first by `order` (ties by position), as a mask.

    What sorting all candidates by (pool, order, position) and taking each pool's first `quota` gives
    (`jobs.fill`), without the sort: the candidates are placed by pool (a counting sort; a store per
    element, a spare cell per pool), and a pool with more candidates than places keeps its `quota`
    smallest keys `order << shift | position` (unique) by a partition, linear in its candidates.
    """
    n, n_pools = len(pool), len(quota)
    counts = np.zeros(n_pools, np.int64)
    for i in range(n):
        counts[pool[i]] += candidate[i] & (quota[pool[i]] > 0)
    start = np.empty(n_pools + 1, np.int64)
    start[0] = 0
    for p in range(n_pools):
        start[p + 1] = start[p] + counts[p] + 1
    cursor = start[:-1].copy()
    keys = np.empty(start[-1], np.int64)
    for i in range(n):
        p = pool[i]
        keys[cursor[p]] = (order[i] << shift) | i
        cursor[p] += candidate[i] & (quota[p] > 0)
    selected = np.zeros(n, np.bool_)
    low = (np.int64(1) << shift) - 1
    for p in range(n_pools):
        q, c = quota[p], counts[p]
        if q <= 0 or c == 0:
            continue
        pool_keys = keys[start[p]:start[p] + c]
        if c > q:
            pool_keys = np.partition(pool_keys, q - 1)[:q]
        for key in pool_keys:
            selected[key & low] = True
    return selected


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


@numba.njit(**_JIT)
def relocation_month(slots, draw, quit_chance, state, household, has_farmland, ill_months_left, category, pool,
                     n_pools, resettled, farming, idle):
    """The follow-up workers' month before the jobs are filled (`Relocation.step`): holders whose draw is
    below `quit_chance` leave (to farming where the household has land); then per slot whether it holds
    a job, whether it could take one (idle or farming, not ill, not just quit) and its priority
    (0 monitored household, 1 lifted-out), and the jobs held per pool."""
    n = len(slots)
    holding, available = np.empty(n, np.bool_), np.empty(n, np.bool_)
    rank = np.empty(n, np.int8)
    held = np.zeros(n_pools, np.int64)
    for k in range(n):
        s = slots[k]
        h = household[s]
        job_state = state[s]
        holds = job_state == resettled
        quits = holds & (draw[k] < quit_chance)
        if quits:
            job_state = farming if has_farmland[h] else idle
            state[s] = job_state
        holding[k] = holds & (not quits)
        held[pool[k]] += holds & (not quits)
        available[k] = ((job_state == idle) | (job_state == farming)) & (ill_months_left[s] == 0) & (not quits)
        rank[k] = 1 - (category[h] > 0)
    return holding, available, rank, held


@numba.njit(**_JIT)
def add_at(out, idx, amounts):
    """`np.add.at(out, idx, amounts)` for float32 `out` and `amounts` (one per index), in index order."""
    for k in range(len(idx)):
        out[idx[k]] += amounts[k]


@numba.njit(**_JIT)
def add_at_scalar(out, idx, amount):
    """`np.add.at(out, idx, amount)` for one float32 amount."""
    for k in range(len(idx)):
        out[idx[k]] += amount


def scatter_add(out, idx, amounts) -> None:
    """`np.add.at(out, idx, amounts)` (float32 `out`; amounts float32, one per index or one for all),
    compiled: NumPy's ufunc.at pays a per-element dispatch."""
    if amounts.ndim == 0:
        add_at_scalar(out, idx, amounts[()])
    elif amounts.shape == idx.shape:
        add_at(out, idx, amounts)
    else:  # broadcast amounts: NumPy's rules and checks
        np.add.at(out, idx, amounts)


@numba.njit(**_JIT)
def positive(values, scratch):
    """np.flatnonzero(values > 0), through the reused bool array `scratch`: a counting pass (vectorised)
    and the branch-free compaction, without NumPy's temporary mask."""
    count = 0
    for i in range(len(values)):
        is_positive = values[i] > 0
        scratch[i] = is_positive
        count += is_positive
    return positions(scratch, count)


@numba.njit(inline="always")
def _block_sum(a, start, n):
    """NumPy's `pairwise_sum` on at most 128 elements: in order below 8, else 8 accumulators."""
    if n < 8:
        total = 0.0
        for i in range(start, start + n):
            total += a[i]
        return total
    r = a[start:start + 8].copy()
    i = 8
    while i < n - (n % 8):
        for j in range(8):
            r[j] += a[start + i + j]
        i += 8
    total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n:
        total += a[start + i]
        i += 1
    return total


@numba.njit(**_JIT)
def pairwise_sum(a, start, n):
    """Sum of a[start:start + n] as NumPy's float64 `ndarray.sum` rounds it (its `pairwise_sum`: blocks of
    at most 128 summed by `_block_sum`, halves cut at multiples of 8, left + right). Iterative, with the
    recursion's frames on a small stack: numba's cache cannot reload recursive functions."""
    frame_start, frame_n = np.empty(64, np.int64), np.empty(64, np.int64)
    frame_phase = np.zeros(64, np.int8)
    sums = np.empty(64)
    frames, n_sums = 1, 0
    frame_start[0], frame_n[0] = start, n
    while frames > 0:
        t = frames - 1
        m = frame_n[t]
        if m <= 128:
            sums[n_sums] = _block_sum(a, frame_start[t], m)
            n_sums += 1
            frames -= 1
            continue
        half = m // 2
        half -= half % 8
        if frame_phase[t] == 2:  # both halves summed: combine
            sums[n_sums - 2] = sums[n_sums - 2] + sums[n_sums - 1]
            n_sums -= 1
            frames -= 1
            continue
        frame_start[frames] = frame_start[t] + half * frame_phase[t]  # left half, then right half
        frame_n[frames] = half if frame_phase[t] == 0 else m - half
        frame_phase[frames] = 0
        frame_phase[t] += 1
        frames += 1
    return sums[0]


@numba.njit(**_JIT)
def income_distribution(people, edges, upper, midpoints):
    """Median and Gini per row of a binned income distribution (`indicators.binned_median` and
    `binned_gini`: the same arithmetic and summation order), without their dozen row-sized temporaries."""
    n_rows, n_bins = people.shape
    median, gini = np.full(n_rows, np.nan), np.full(n_rows, np.nan)
    cum, term = np.empty(n_bins), np.empty(n_bins)
    wx = np.empty(n_bins)
    for r in range(n_rows):
        w = people[r]
        total = pairwise_sum(w, 0, n_bins)
        half = total / 2
        running, below = 0.0, 0
        for b in range(n_bins):
            running += w[b]
            cum[b] = running
            below += running < half
            wx[b] = w[b] * midpoints[b]
        if total > 0:
            k = min(below, n_bins - 1)
            before = cum[k] - w[k]
            frac = (half - before) / w[k] if w[k] > 0 else 0.5
            median[r] = edges[k] + frac * (upper[k] - edges[k])
        total_x = pairwise_sum(wx, 0, n_bins)
        if total > 0 and total_x > 0:
            running = 0.0
            for b in range(n_bins):
                running += wx[b]
                # an empty bin's term is +0 either way (0 x a non-negative number): skip the divisions
                term[b] = (w[b] / total) * (2 * (running / total_x) - wx[b] / total_x) if w[b] != 0 else 0.0
            gini[r] = 1.0 - pairwise_sum(term, 0, n_bins)
    return median, gini


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
def labour_month(time, month, scratch, state, state_hazard, seeking, household, has_farmland, ill_months_left,
                 farming, idle, finding_hazard, count, budget_key, destination_key, lifted_out, older,
                 lifted_out_factor, older_factor, migrant_chance, local_chance, migrant_multiplier,
                 local_multiplier, local, migrant, local_base, migrant_base, skill, wage_multiplier, known_state):
    """The labour market's month for the slots whose event is due, in one pass over them (each slot's
    arrays are touched once, not once per NumPy step):

    - workers lose their job (to farming where the household has land, else idle); seekers that are
      not ill find one, migrant when a hashed draw (`destination_key`, the slot's budget count) is below
      the migrant share of their finding chances, else local;
    - wage values move between the households' bases and `known_state` follows (`rebase_wages`);
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
            value = skill[s] * wage_multiplier[s]
            h = household[s]
            delta = np.int8(new == local) - np.int8(old == local)
            if delta != 0:
                local_base[h] += np.float32(delta) * value
            delta = np.int8(new == migrant) - np.int8(old == migrant)
            if delta != 0:
                migrant_base[h] += np.float32(delta) * value
        known_state[s] = new
        c = np.uint16(count[s] + 1)
        count[s] = c
        uniforms[k] = (np.float32(_hash24(budget_key, s, c)) + np.float32(0.5)) * np.float32(2.0**-24)
        hazard[k] = next_hazard
    return due, uniforms, hazard
