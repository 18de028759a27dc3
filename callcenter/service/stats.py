"""Live figures: today's call legs and agent spans (fed to ``acd.metrics``),
and the screen-pop latency histogram.

The service reports each boundary of a queue call here as it happens; the
wallboard and agent views are computed from these records with the same
formulas as reports and the simulator (``acd.metrics``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from acd.metrics import AgentStateSpan, CallRecord
from acd.model import AgentState

from callcenter.service.facade import LatencyStats

KEEP_S = 36 * 3600.0  # records older than this are dropped (a day and a half)


def day_start(t: float, tz: ZoneInfo) -> float:
    """Local midnight (in ``tz``) of the day holding clock time ``t``."""
    local = dt.datetime.fromtimestamp(t, tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


class LatencyHistogram:
    """Latencies in seconds: exact percentiles over the last ``window`` samples."""

    def __init__(self, window: int = 10000) -> None:
        self._samples: deque[float] = deque(maxlen=window)
        self.count = 0
        self.max_s = 0.0

    def record(self, seconds: float) -> None:
        self._samples.append(seconds)
        self.count += 1
        self.max_s = max(self.max_s, seconds)

    def percentile(self, q: float) -> float | None:
        """The ``q`` quantile (0-1, nearest rank) of the window, seconds."""
        if not self._samples:
            return None
        data = sorted(self._samples)
        rank = max(1, math.ceil(q * len(data)))
        return data[rank - 1]

    def stats(self) -> LatencyStats:
        def ms(v: float | None) -> float | None:
            return None if v is None else v * 1000.0

        return LatencyStats(
            count=self.count,
            p50_ms=ms(self.percentile(0.50)),
            p90_ms=ms(self.percentile(0.90)),
            p99_ms=ms(self.percentile(0.99)),
            max_ms=ms(self.max_s) if self.count else None,
        )


@dataclass(slots=True)
class _Leg:
    call_id: str
    queue: str
    arrived_at: float
    tier: int | None
    callback: bool = False
    answered_at: float | None = None
    abandoned_at: float | None = None
    ended_at: float | None = None
    wrap_up_end: float | None = None
    hold_s: float = 0.0
    hold_since: float | None = None
    agent: str | None = None
    overflowed_to: str | None = None

    def record(self) -> CallRecord:
        return CallRecord(
            call_id=self.call_id, queue=self.queue, arrived_at=self.arrived_at, answered_at=self.answered_at,
            abandoned_at=self.abandoned_at, ended_at=self.ended_at, wrap_up_end=self.wrap_up_end,
            hold_s=self.hold_s, agent=self.agent, overflowed_to=self.overflowed_to, callback=self.callback,
            tier=self.tier,
        )


class CallLegs:
    """One record per call per queue stay, as ``acd.metrics`` wants them."""

    def __init__(self) -> None:
        self._open: dict[str, _Leg] = {}  # call id -> its current leg
        self._wrapping: dict[str, _Leg] = {}  # ended legs waiting for their wrap-up end
        self._legs: list[_Leg] = []

    def enqueued(self, call_id: str, queue: str, at: float, tier: int | None, callback: bool = False) -> None:
        leg = _Leg(call_id, queue, at, tier, callback)
        self._open[call_id] = leg
        self._legs.append(leg)

    def moved(self, call_id: str, to_queue: str, at: float) -> None:
        leg = self._open.get(call_id)
        if leg is None:
            return
        leg.overflowed_to = to_queue
        leg.ended_at = at
        self.enqueued(call_id, to_queue, at, leg.tier, leg.callback)

    def answered(self, call_id: str, agent: str, at: float) -> None:
        leg = self._open.get(call_id)
        if leg is not None and leg.answered_at is None:
            leg.answered_at = at
            leg.agent = agent

    def abandoned(self, call_id: str, at: float) -> None:
        leg = self._open.pop(call_id, None)
        if leg is not None and leg.answered_at is None:
            leg.abandoned_at = at
            leg.ended_at = at

    def left(self, call_id: str, at: float) -> None:
        """Left the queue unanswered (voicemail, callback request, transfer out)."""
        leg = self._open.pop(call_id, None)
        if leg is not None and leg.ended_at is None:
            leg.ended_at = at

    def hold(self, call_id: str, at: float) -> None:
        leg = self._open.get(call_id)
        if leg is not None and leg.hold_since is None:
            leg.hold_since = at

    def unhold(self, call_id: str, at: float) -> None:
        leg = self._open.get(call_id)
        if leg is not None and leg.hold_since is not None:
            leg.hold_s += max(0.0, at - leg.hold_since)
            leg.hold_since = None

    def ended(self, call_id: str, at: float) -> None:
        leg = self._open.pop(call_id, None)
        if leg is None:
            return
        if leg.hold_since is not None:
            leg.hold_s += max(0.0, at - leg.hold_since)
            leg.hold_since = None
        leg.ended_at = at
        if leg.answered_at is not None:
            self._wrapping[call_id] = leg

    def wrap_ended(self, call_id: str, at: float) -> None:
        leg = self._wrapping.pop(call_id, None)
        if leg is not None and leg.ended_at is not None:
            leg.wrap_up_end = max(at, leg.ended_at)

    def records(self, since: float | None = None) -> list[CallRecord]:
        """Records of calls that arrived at or after ``since``."""
        return [leg.record() for leg in self._legs if since is None or leg.arrived_at >= since]

    def prune(self, before: float) -> None:
        """Forget closed legs that arrived before ``before``."""
        live = set(id(x) for x in self._open.values()) | set(id(x) for x in self._wrapping.values())
        self._legs = [leg for leg in self._legs if leg.arrived_at >= before or id(leg) in live]


class AgentSpans:
    """Every agent's state spans, closed and open."""

    def __init__(self) -> None:
        self._closed: dict[str, list[AgentStateSpan]] = {}
        self._open: dict[str, tuple[AgentState, float, str | None]] = {}

    def changed(self, agent_id: str, state: AgentState, at: float, reason: str | None) -> None:
        prev = self._open.get(agent_id)
        if prev is not None and at > prev[1]:
            self._closed.setdefault(agent_id, []).append(AgentStateSpan(agent_id, prev[0], prev[1], at, prev[2]))
        if state is AgentState.LOGGED_OUT:
            self._open.pop(agent_id, None)
        else:
            self._open[agent_id] = (state, at, reason)

    def spans(self, agent_id: str | None = None, since: float | None = None) -> list[AgentStateSpan]:
        """Spans (open ones with ``end`` None) that end after ``since``."""
        ids: Iterable[str] = [agent_id] if agent_id is not None else set(self._closed) | set(self._open)
        out: list[AgentStateSpan] = []
        for a in ids:
            for span in self._closed.get(a, ()):
                if since is None or (span.end is not None and span.end > since):
                    out.append(span)
            cur = self._open.get(a)
            if cur is not None:
                out.append(AgentStateSpan(a, cur[0], cur[1], None, cur[2]))
        return out

    def prune(self, before: float) -> None:
        for a, spans in self._closed.items():
            self._closed[a] = [s for s in spans if s.end is None or s.end >= before]
