"""The service's clock as seen from the console.

The service runs on its own clock (in a sped-up demo, faster than the wall
and set to another hour), and every event carries a time on it. The console
counts "time in state" and wrap-up countdowns on that clock, so it follows
it: each observed service time pins the offset, and two observations far
enough apart give the rate.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol


class ServiceClock(Protocol):
    """Service time now, kept in step by what the server reports."""

    def now(self) -> float: ...
    def observe(self, service_time: float | None) -> None: ...


class FollowingClock:
    """Estimates service time from observed service times and a local clock.

    Args:
        local: monotonic seconds on this machine.
        min_span_s: local seconds between two observations before their
            ratio is trusted as the rate.
    """

    def __init__(self, local: Callable[[], float] = time.monotonic, min_span_s: float = 2.0) -> None:
        self._local = local
        self._min_span_s = min_span_s
        self._anchor: tuple[float, float] | None = None  # (service, local) of the last observation
        self._base: tuple[float, float] | None = None  # an earlier one, for the rate
        self.rate = 1.0

    def observe(self, service_time: float | None) -> None:
        if service_time is None:
            return
        here = self._local()
        if self._base is None:
            self._base = (service_time, here)
        elif here - self._base[1] >= self._min_span_s:
            rate = (service_time - self._base[0]) / (here - self._base[1])
            # A rate outside what the service allows means a restart or a
            # jump: start measuring again.
            if 0.05 <= rate <= 3600:
                self.rate = rate
            self._base = (service_time, here)
        self._anchor = (service_time, here)

    def now(self) -> float:
        if self._anchor is None:
            return time.time()
        service, here = self._anchor
        return service + (self._local() - here) * self.rate


class FixedClock:
    """A clock that stands still (snapshots, docs screenshots)."""

    def __init__(self, at: float) -> None:
        self.at = at

    def now(self) -> float:
        return self.at

    def observe(self, service_time: float | None) -> None:
        """Ignored: fixed time stays fixed."""
