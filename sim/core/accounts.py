"""The households' books: this month's amounts by source kept as the terms they were booked as
(`MonthAccounts`, read through `MonthView`), and rolling 12-month sums (`RollingYear`)."""

from collections.abc import Mapping

import numpy as np

from .. import kernels

MONTHS_PER_YEAR = 12
_NO_HOUSEHOLDS = np.zeros(0, np.intp)


class MonthAccounts:
    """This month's amounts by source, kept as the terms they were booked as, not as arrays per source.

    A term is `base * factor` (`credit_scaled`: wages, farm income, transfers), an array or a number
    over all households (`credit`), or amounts for some households (`credit_at`: lever payments,
    indemnities, medical costs). The month's total adds the terms up once, into one array; opening
    the next month just drops them, so no array per source is ever zeroed, filled or summed. A
    source's array is built only when someone reads it (`view[source]`, for tests and notebooks).
    Terms keep references: an array booked must not be changed before the month is closed.
    """

    def __init__(self, n: int):
        self.n = n
        self.terms: dict[str, list[tuple]] = {}  # source -> this month's terms
        self.view = MonthView(self)

    def add(self, source: str) -> None:
        self.terms.setdefault(source, [])

    def credit(self, source: str, amount) -> None:
        self.terms[source].append(("array", amount))

    def credit_scaled(self, source: str, base: np.ndarray, factor: float) -> None:
        self.terms[source].append(("scaled", base, factor))

    def credit_at(self, source: str, households: np.ndarray, amount) -> None:
        if len(households):
            self.terms[source].append(("at", households, np.asarray(amount, np.float32)))

    def open_month(self) -> None:
        for terms in self.terms.values():
            terms.clear()

    def source_array(self, source: str) -> np.ndarray:
        """One source's amounts this month as an array over households (built on demand)."""
        out = np.zeros(self.n, np.float32)
        self._add_terms(out, self.terms[source], first=False)
        return out

    def total_into(self, out: np.ndarray) -> None:
        """This month's total over all sources, written into `out` (float32 over households): the dense
        terms in one compiled pass when they are all float32 products (the usual case), then the sparse."""
        dense = [t for terms in self.terms.values() for t in terms if t[0] != "at"]
        if len(dense) > 1 and all(t[0] == "scaled" and np.result_type(t[1], t[2]) == np.float32 for t in dense):
            pairs = [(t[1], np.float32(t[2])) for t in dense]
            kernels.sum_scaled(out, pairs[0], tuple(pairs[1:]))
        elif self._add_terms(out, dense, first=True):
            out.fill(0.0)
        for terms in self.terms.values():
            for term in terms:
                if term[0] == "at":
                    kernels.scatter_add(out, term[1], term[2])

    def _add_terms(self, out: np.ndarray, terms: list[tuple], first: bool) -> bool:
        """Add terms into `out` (overwrite it with the first dense one when `first`); returns `first` after."""
        for term in terms:
            kind = term[0]
            if kind == "scaled" and np.result_type(term[1], term[2]) == np.float32:
                kernels.add_scaled(out, term[1], np.float32(term[2]), first)  # float32 product, one pass
            elif kind == "scaled":  # a product NumPy would take in float64: rounded to float32 first, as before
                product = np.multiply(term[1], term[2]).astype(np.float32)
                if first:
                    np.copyto(out, product)
                else:
                    out += product
            elif kind == "array":
                if first:
                    np.copyto(out, term[1], casting="same_kind")
                else:
                    out += term[1]
            else:
                kernels.scatter_add(out, term[1], term[2])
                continue
            first = False
        return first

    def sparse_total(self) -> tuple[np.ndarray, np.ndarray]:
        """The month's total as (households, amounts) when every credit was sparse (repeats allowed)."""
        terms = [t for ts in self.terms.values() for t in ts]
        if any(t[0] != "at" for t in terms):
            raise ValueError("a sparse total needs every credit made with credit_at")
        if not terms:
            return _NO_HOUSEHOLDS, np.zeros(0, np.float32)
        households = np.concatenate([t[1] for t in terms])
        amounts = np.concatenate([np.broadcast_to(t[2], t[1].shape) for t in terms]).astype(np.float32)
        return households, amounts


class MonthView(Mapping):
    """Read access to this month's amounts by source: `accounts.view["wages_local"]` is an array."""

    def __init__(self, accounts: MonthAccounts):
        self._accounts = accounts

    def __getitem__(self, source: str) -> np.ndarray:
        if source not in self._accounts.terms:
            raise KeyError(source)
        out = self._accounts.source_array(source)
        out.flags.writeable = False  # a copy: writing to it would change nothing
        return out

    def __iter__(self):
        return iter(self._accounts.terms)

    def __len__(self) -> int:
        return len(self._accounts.terms)


class RollingYear:
    """Rolling 12-month sums per household (float32), from monthly amounts dense or sparse.

    Dense months live in a (12, households) float32 ring; a kind of amount that is sparse (medical
    costs reach under 1% of households a month) keeps only its recipients and amounts. Each month
    adds the new month and subtracts the one falling out (float32 rounding: under 0.01 yuan a step
    on sums below 130,000 yuan); once a year the sums are rebuilt exactly (float64 accumulation), so
    rounding never adds up to more than about 0.1 yuan.
    """

    def __init__(self, n: int, *, dense: bool):
        self.total = np.zeros(n, np.float32)
        self.ring = np.zeros((MONTHS_PER_YEAR, n), np.float32) if dense else None
        self.entries: list[tuple[np.ndarray, np.ndarray] | None] = [None] * MONTHS_PER_YEAR  # sparse months
        self.pos = 0

    def push_dense(self, month: np.ndarray, other_total: np.ndarray, net: np.ndarray) -> bool:
        """Add `month` into its ring row, subtract the month falling out, and write `total - other_total`
        into `net` (one compiled pass). True when the sums were rebuilt exactly after (`net` is then stale)."""
        kernels.roll_row(self.total, self.ring[self.pos], month, other_total, net)
        return self._advance()

    def push(self, accounts: MonthAccounts) -> None:
        """Add this month's total of `accounts`, every credit of which was sparse."""
        old = self.entries[self.pos]
        if old is not None:
            kernels.scatter_add(self.total, old[0], -old[1])
        households, amounts = accounts.sparse_total()
        kernels.scatter_add(self.total, households, amounts)
        self.entries[self.pos] = (households, amounts) if len(households) else None
        self._advance()

    def _advance(self) -> bool:
        self.pos = (self.pos + 1) % MONTHS_PER_YEAR
        if self.pos == 0:  # once a year, recompute exactly to stop float drift
            self._rebuild()
        return self.pos == 0

    def _rebuild(self) -> None:
        """The sums from the months kept, added in float64 in row (entry) order; the ring's column sums
        compiled (`kernels.ring_total`: no float64 temporaries, ~1.7x faster)."""
        if self.ring is not None:
            kernels.ring_total(self.ring, self.total)
        else:
            exact = np.zeros(len(self.total))
            for entry in self.entries:
                if entry is not None:
                    np.add.at(exact, entry[0], entry[1].astype(np.float64))
            self.total[:] = exact
