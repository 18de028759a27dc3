"""A queue's history as a day x interval matrix, the shape the methods work on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

from wfm.history import interval_minutes


@dataclass(frozen=True, slots=True)
class QueueSeries:
    """One queue's history on a full grid of consecutive days.

    Row ``d`` is ``first_day + d``; column ``s`` is the interval starting
    ``slots[s]`` minutes after midnight. Intervals without a row in the
    history count as no calls.

    Attributes:
        queue: queue name.
        first_day: the date of row 0.
        interval_min: 15 or 30.
        slots: minutes after midnight of each column, ascending.
        calls: offered calls, shape (days, slots).
        handled: handled calls, same shape.
        aht_s: average handle time of the handled calls, same shape.
    """

    queue: str
    first_day: date
    interval_min: int
    slots: tuple[int, ...]
    calls: np.ndarray
    handled: np.ndarray
    aht_s: np.ndarray

    @property
    def days(self) -> int:
        """Number of days (rows)."""
        return int(self.calls.shape[0])

    def day(self, index: int) -> date:
        """The date of row ``index`` (may lie past the history, for forecasts)."""
        return self.first_day + timedelta(days=index)

    def start(self, index: int, slot: int) -> datetime:
        """The local start of interval ``slot`` on row ``index``."""
        return datetime.combine(self.day(index), time()) + timedelta(minutes=self.slots[slot])


def to_series(history: pd.DataFrame) -> list[QueueSeries]:
    """Split a validated history frame into one ``QueueSeries`` per queue, by name."""
    series = []
    for queue, group in history.groupby("queue", sort=True):
        stamps = pd.to_datetime(group["interval_start"])
        length = interval_minutes(stamps, source=f"queue '{queue}'")
        day_of = stamps.dt.normalize()
        first = day_of.min()
        rows = ((day_of - first) // pd.Timedelta(days=1)).to_numpy(dtype=np.int64)
        minute = (stamps.dt.hour * 60 + stamps.dt.minute).to_numpy(dtype=np.int64)
        slots = np.unique(minute)
        cols = np.searchsorted(slots, minute)
        shape = (int(rows.max()) + 1, len(slots))
        calls = np.zeros(shape)
        handled = np.zeros(shape)
        aht = np.zeros(shape)
        calls[rows, cols] = group["offered"].to_numpy(dtype=float)
        handled[rows, cols] = group["handled"].to_numpy(dtype=float)
        aht[rows, cols] = group["aht_s"].to_numpy(dtype=float)
        series.append(
            QueueSeries(
                queue=str(queue),
                first_day=first.date(),
                interval_min=length,
                slots=tuple(int(s) for s in slots),
                calls=calls,
                handled=handled,
                aht_s=aht,
            )
        )
    return series
