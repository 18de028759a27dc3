"""The one clock: every component takes time from it.

``now()`` is Unix seconds; a :class:`ScaledClock` starts where it is told
(e.g. 10:00 today in the center's time zone) and runs ``speed`` times faster
than the wall, so a demo or a test can live through an hour in a minute.
Timers (``call_at``) and sleeps are in clock seconds and are scaled to loop
time here, in one place. Nothing touches the event loop before first use.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Protocol


class Timer(Protocol):
    """A pending ``call_at``; cancelling a fired or cancelled timer does nothing."""

    def cancel(self) -> None: ...


class Clock(Protocol):
    """Time for the whole service (and the simulated switch)."""

    def now(self) -> float:
        """Clock seconds (Unix time, maybe sped up)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` of clock time."""
        ...

    def call_at(self, when: float, callback: Callable[[], None]) -> Timer:
        """Run ``callback`` in the loop at clock time ``when`` (at once if past)."""
        ...


class ScaledClock:
    """Clock time = ``start + speed * (monotonic now - monotonic at creation)``.

    Args:
        start: clock time at creation (default: the wall's Unix time).
        speed: clock seconds per real second (1: real time).
    """

    def __init__(self, start: float | None = None, speed: float = 1.0) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        self.speed = float(speed)
        self.start = time.time() if start is None else float(start)
        self._t0 = time.monotonic()

    def now(self) -> float:
        return self.start + (time.monotonic() - self._t0) * self.speed

    def real_delay(self, when: float) -> float:
        """Real seconds until clock time ``when`` (0 if past)."""
        return max(0.0, (when - self.now()) / self.speed)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.speed)

    def call_at(self, when: float, callback: Callable[[], None]) -> Timer:
        return asyncio.get_running_loop().call_later(self.real_delay(when), callback)


class SystemClock(ScaledClock):
    """The wall clock, at real speed."""

    def __init__(self) -> None:
        super().__init__(None, 1.0)
