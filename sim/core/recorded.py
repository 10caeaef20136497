"""A model's recorded months, detached from the model: what `RuralModel.indicators()` turns into a tidy frame.

Kept apart so a replicate can copy its recorded values out (kilobytes), free the model, and only then build
the frame: pandas' first frame of a process maps and caches ~20 MB, which would otherwise sit on top of a
full-scale model's memory at the end of its months (issue 19).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Recorded:
    """Recorded values `[month, indicator, group]` with their labels (and the by-county panel's, when kept)."""

    start_month: str  # "YYYY-MM"
    values: np.ndarray  # [month, indicator, group], months recorded so far
    names: list[str]
    groups: list[str]
    county_values: np.ndarray | None = None  # [month, indicator, county], `[run] by = "county"`
    county_names: tuple[str, ...] = ()
    county_labels: tuple[str, ...] = ()

    def frame(self) -> pd.DataFrame:
        """The tidy frame: month, indicator, group, value (undefined values left out)."""
        months_done = len(self.values)
        month_dates = pd.date_range(f"{self.start_month}-01", periods=months_done, freq="MS")
        index = pd.MultiIndex.from_product([month_dates, self.names, self.groups],
                                           names=["month", "indicator", "group"])
        frame = pd.DataFrame({"value": self.values.reshape(-1)}, index=index).reset_index()
        if self.county_values is not None:  # group = the county's code
            index = pd.MultiIndex.from_product([month_dates, list(self.county_names), list(self.county_labels)],
                                               names=["month", "indicator", "group"])
            by_county = pd.DataFrame({"value": self.county_values.reshape(-1)}, index=index).reset_index()
            frame = pd.concat([frame, by_county], ignore_index=True)
        return frame.dropna(subset=["value"]).reset_index(drop=True)
