"""Villages and counties: small tables of arrays, with villages also visible as thin `mesa.Agent`s.

Village decisions are vectorised over the arrays; a `Village` agent is a view onto its row, so
Mesa tools (agent sets, visualisation) see villages without a second copy of their state.
"""

import mesa
import numpy as np

from .regions import COUNTY_CLASSES


class VillageTable:
    """One row per administrative village. Levers add their own columns with `add`."""

    def __init__(self, *, county, county_class, persons, poor_village, lifted_out_rate=None):
        self.county = county  # int16
        self.county_class = county_class  # int8 index into COUNTY_CLASSES
        self.persons = persons  # int32, full-scale rural persons
        self.poor_village = poor_village  # bool, a registered poor village before 2020
        # float64, chance a household of the village is lifted out (what the population draws from):
        # the village's expected structure, known at any scale
        self.lifted_out_rate = np.zeros(len(county)) if lifted_out_rate is None else lifted_out_rate
        self.columns: dict[str, np.ndarray] = {}
        # village collective income: this month's (yuan, by source) and rolling 12 months
        self.collective_income_month: dict[str, np.ndarray] = {}
        self.collective_income_12m_yuan = np.zeros(len(county), np.float64)
        self._collective_ring = np.zeros((12, len(county)), np.float64)
        self._ring_pos = 0

    def add_collective_source(self, source: str) -> np.ndarray:
        """Register a source of village collective income (idempotent)."""
        return self.collective_income_month.setdefault(source, np.zeros(len(self), np.float64))

    def credit_collective(self, source: str, amount_yuan) -> None:
        self.collective_income_month[source] += amount_yuan

    def open_month(self) -> None:
        for arr in self.collective_income_month.values():
            arr.fill(0.0)

    def close_month(self) -> None:
        total = sum(self.collective_income_month.values(), np.zeros(len(self)))
        self.collective_income_12m_yuan += total - self._collective_ring[self._ring_pos]
        self._collective_ring[self._ring_pos] = total
        self._ring_pos = (self._ring_pos + 1) % 12

    def __len__(self) -> int:
        return len(self.county)

    def add(self, name: str, values: np.ndarray) -> np.ndarray:
        """Add a lever-owned column (e.g. PV capacity); names must be unique."""
        if name in self.columns:
            raise ValueError(f"village column '{name}' already exists")
        self.columns[name] = values
        return values


class CountyTable:
    def __init__(self, *, county_class, poverty_exit_year, persons):
        self.county_class = county_class  # int8 index into COUNTY_CLASSES
        self.poverty_exit_year = poverty_exit_year  # int16, 0 = never a poverty county
        self.persons = persons  # int64, full-scale rural persons

    def __len__(self) -> int:
        return len(self.county_class)

    @property
    def was_poverty_county(self) -> np.ndarray:
        return self.poverty_exit_year > 0


class Village(mesa.Agent):
    """A thin agent: a view onto row `index` of the model's VillageTable."""

    def __init__(self, model, index: int):
        super().__init__(model)
        self.index = index

    @property
    def county(self) -> int:
        return int(self.model.villages.county[self.index])

    @property
    def county_class(self) -> str:
        return COUNTY_CLASSES[self.model.villages.county_class[self.index]]

    @property
    def persons(self) -> int:
        return int(self.model.villages.persons[self.index])

    def __getattr__(self, name: str):
        # lever columns (e.g. village.pv_capacity_kw) read through to the table
        columns = self.__dict__.get("model") and self.model.villages.columns
        if columns and name in columns:
            return columns[name][self.index].item()
        raise AttributeError(name)
