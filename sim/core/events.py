"""Random events without a uniform per unit per month: counter-based draws and waiting times.

A monthly event with chance p (a job ends, a labourer finds work, a household falls ill) is usually
drawn as one uniform per unit per month. At full Xinzhou scale that is 1.3 million draws a month for
the labour market alone (~3 ms), although only a few percent of units have an event. Here each unit
instead holds the time of its next event:

* The unit has a monthly hazard h = -ln(1 - p) and an exponential budget E. Its event falls in the
  first month by whose end the hazard spent since the budget was drawn reaches E. With h constant
  that is month k with chance (1 - p)^(k-1) p: exactly the monthly trial with chance p.
* When the hazard changes (the unit's state changed), the rest of the budget is carried over at the
  new rate; when it drops to 0 the unit is parked, and when it becomes positive again a fresh budget
  is drawn (the process is memoryless, so this is still the monthly trial).
* Budgets are a hash of (stream key, unit, event number), so a unit's luck does not depend on how
  many events other units had, nor on which scenario runs: two scenarios on one seed give a unit the
  same event times as long as its hazard is the same in both, and the earlier one under the higher
  hazard otherwise (common random numbers).

Each month the units due are found with one comparison over a float array (~0.5 ms per million
units), and all further work (new budgets, secondary draws) touches only them.
"""

import numpy as np

from .. import kernels

MAX_HAZARD = 50.0  # a monthly chance of 1 - e^-50, i.e. certain; keeps the arithmetic finite


def stream_key(rng: np.random.Generator) -> np.uint64:
    """A 63-bit key for counter-based draws, from a child of a component's stream.

    Spawning a child does not advance the stream, so the component's other draws stay as they were.
    """
    return np.uint64(rng.spawn(1)[0].integers(0, 2**63))


def hashed_uniform(key: np.uint64, units: np.ndarray, counters: np.ndarray) -> np.ndarray:
    """Uniforms in (0, 1), one per (unit, counter), from a splitmix64 hash of the key (float32, 24 bits).

    Counter-based: the value for a unit and counter is fixed by the key alone, whatever else is drawn.
    24 bits (steps of 6e-8) are plenty for monthly chances and keep the conversion cheap. One compiled
    pass (`kernels.hashed_uniform`; tests/test_kernels.py checks it against the same hash in NumPy).
    """
    return kernels.hashed_uniform(np.uint64(key), units, counters, np.empty(len(units), np.float32))


def hashed_exponential(key: np.uint64, units: np.ndarray, counters: np.ndarray) -> np.ndarray:
    """Standard exponential variates, one per (unit, counter) (float32)."""
    e = np.log(hashed_uniform(key, units, counters))
    np.negative(e, out=e)
    return e


def hazard_of(chance) -> np.ndarray:
    """Monthly hazard -ln(1 - p) of a monthly chance p, float32 (capped so a certain event stays finite)."""
    with np.errstate(divide="ignore"):
        hazard = -np.log(np.float32(1.0) - np.asarray(chance, np.float32))
    return np.minimum(hazard, np.float32(MAX_HAZARD))


class WaitingTimes:
    """The month of each unit's next event, for events of a monthly hazard that changes now and then.

    `time[i]` is the unit's event time on a continuous month axis: month m covers (m - 1, m], so the
    event falls in month ceil(time). `due(m)` lists the units whose event falls in month m (callers
    must call it every month and `renew` what it returns); `change` applies a new hazard from month m.
    The hazards themselves are the caller's (it knows them from the units' states), which keeps this
    to a float and a counter per unit.
    """

    def __init__(self, key: np.uint64, hazard: np.ndarray, month: int):
        n = len(hazard)
        self.key = key
        self.count = np.zeros(n, np.uint16)  # budgets drawn so far: the hash counter (wraps after 65,535)
        self.time = np.full(n, np.inf, np.float32)
        self.scratch_mask = np.zeros(n, bool)  # reused each month (callers may borrow it between calls)
        self._draw(np.arange(n), month, hazard)

    def due(self, month: int) -> np.ndarray:
        """Units whose event falls in `month` (sorted)."""
        return np.flatnonzero(np.less_equal(self.time, month, out=self.scratch_mask))

    def renew(self, idx: np.ndarray, month: int, hazard) -> None:
        """After the event of `month`: a fresh budget, spent at `hazard` from the next month on."""
        self._draw(idx, month + 1, hazard)

    def change(self, idx: np.ndarray, month: int, hazard, old_hazard) -> None:
        """The units' hazard is `hazard` from `month` on, `old_hazard` before (earlier events are done).

        The unspent budget carries over at the new rate; a parked unit (hazard 0) gets a fresh one.
        """
        hazard = np.broadcast_to(np.asarray(hazard, np.float32), idx.shape)
        old = np.broadcast_to(np.asarray(old_hazard, np.float32), idx.shape)
        # (selections through np.flatnonzero: boolean-mask indexing is several times slower on mixed masks)
        carry = np.flatnonzero((old > 0) & (hazard > 0))
        start = np.float32(month - 1)  # the event time still ahead is measured from the end of last month
        i = idx[carry]
        self.time[i] = start + (self.time[i] - start) * (old[carry] / hazard[carry])
        self.time[idx[np.flatnonzero(hazard <= 0)]] = np.inf  # parked
        fresh = np.flatnonzero((old <= 0) & (hazard > 0))
        self._draw(idx[fresh], month, hazard[fresh])

    def _draw(self, idx: np.ndarray, month: int, hazard) -> None:
        """Fresh budgets for `idx`, spent at `hazard` from `month` on."""
        count = self.count[idx] + np.uint16(1)
        self.count[idx] = count
        self.restart(idx, hashed_uniform(self.key, idx, count), month, hazard)

    def restart(self, idx: np.ndarray, uniforms: np.ndarray, month: int, hazard) -> None:
        """Budgets for `idx` from their uniforms (drawn with the key and the advanced `count`, here or by a
        compiled caller), spent at `hazard` from `month` on."""
        budget = np.log(uniforms)  # float32: the exponential budget -log(u)
        np.negative(budget, out=budget)
        # inf where the hazard is 0: parked (NaN, never due, where a uniform rounded to 1 gave a 0 budget)
        with np.errstate(divide="ignore", invalid="ignore"):
            budget /= np.broadcast_to(np.asarray(hazard, np.float32), idx.shape)
        budget += np.float32(month - 1)
        self.time[idx] = budget
