"""The supervisor's live picture: queues, agents, history and alerts.

Pure state, no I/O: the screen feeds it snapshots and events and reads it
back. Agent rows change on every ``agent_state`` event at once; queue
figures come from snapshots, which the screen reloads after call events
(the event stream carries no queue figures).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from agent_console.config import AlertRules
from agent_console.format import duration, percent
from agent_console.model import (
    ON_CALL,
    AgentRow,
    AgentStateChanged,
    Call,
    CallChanged,
    Event,
    QueueStats,
    SkillsChanged,
    Snapshot,
    SwitchChanged,
)

HISTORY_MINUTES = 60


@dataclass(frozen=True, slots=True)
class Alert:
    """One thing the supervisor should look at; ``key`` identifies it across refreshes."""

    key: str
    level: str  # "error" or "warning"
    text: str


class History:
    """Per queue, the most callers seen waiting in each minute of service time."""

    def __init__(self, minutes: int = HISTORY_MINUTES) -> None:
        self.minutes = minutes
        self._buckets: dict[str, dict[int, float]] = {}

    def record(self, queue_id: str, at: float, waiting: float) -> None:
        buckets = self._buckets.setdefault(queue_id, {})
        minute = int(at // 60)
        buckets[minute] = max(buckets.get(minute, 0.0), waiting)
        for old in [m for m in buckets if m <= minute - self.minutes]:
            del buckets[old]

    def series(self, queue_id: str, now: float) -> list[float]:
        """One value a minute for the last hour up to ``now``; a minute
        without a sample repeats the one before (nothing changed then)."""
        buckets = self._buckets.get(queue_id, {})
        if not buckets:
            return []
        end = int(now // 60)
        first = max(min(buckets), end - self.minutes + 1)
        out: list[float] = []
        last = 0.0
        for minute in range(first, end + 1):
            last = buckets.get(minute, last)
            out.append(last)
        return out


@dataclass
class Board:
    """Everything the supervisor screen shows, kept current by events."""

    at: float | None = None
    queues: dict[str, QueueStats] = field(default_factory=dict)
    agents: dict[str, AgentRow] = field(default_factory=dict)
    calls: dict[str, Call] = field(default_factory=dict)  # the agents' live calls
    switch_connected: bool = True
    agents_ready: int = 0
    calls_handled: int = 0
    sl_today: float | None = None
    history: History = field(default_factory=History)

    def load(self, snapshot: Snapshot) -> None:
        """Take a snapshot (on connect, reconnect, and after call events)."""
        self.at = snapshot.at
        self.queues = {q.queue_id: q for q in snapshot.queues}
        known = self.agents
        self.agents = {}
        for row in snapshot.agents:
            before = known.get(row.agent_id)
            # Keep the exact start of the state when it did not change.
            if before is not None and before.state == row.state and before.since is not None:
                row = replace(row, since=before.since)
            self.agents[row.agent_id] = row
        self.calls = {cid: c for cid, c in self.calls.items() if any(a.call_id == cid for a in self.agents.values())}
        self.switch_connected = snapshot.switch_connected
        self.agents_ready = snapshot.agents_ready
        self.calls_handled = snapshot.calls_handled
        self.sl_today = snapshot.sl_today
        if snapshot.at is not None:
            for q in snapshot.queues:
                self.history.record(q.queue_id, snapshot.at, q.waiting)

    def apply(self, event: Event) -> bool:
        """Apply one event; True when queue figures may have changed."""
        if isinstance(event, AgentStateChanged):
            row = self.agents.get(event.agent_id)
            if row is not None:
                # The call itself comes from call events (whose ids the
                # snapshot shares); a state change only says whether there is one.
                call_id = row.call_id if event.state in ON_CALL else None
                self.agents[event.agent_id] = row.moved(event.state, event.reason, event.at, call_id)
            return False
        if isinstance(event, SkillsChanged):
            row = self.agents.get(event.agent_id)
            if row is not None:
                self.agents[event.agent_id] = replace(row, skills=dict(event.skills))
            return False
        if isinstance(event, SwitchChanged):
            self.switch_connected = event.connected
            return False
        if isinstance(event, CallChanged):
            call = event.call
            row = self.agents.get(call.agent_id) if call.agent_id else None
            if call.live and row is not None:
                self.calls[call.call_id] = call
                if row.call_id != call.call_id:
                    self.agents[row.agent_id] = replace(row, call_id=call.call_id)
            else:
                self.calls.pop(call.call_id, None)
                if row is not None and row.call_id == call.call_id:
                    self.agents[row.agent_id] = replace(row, call_id=None)
            return True
        return False

    def call_of(self, row: AgentRow) -> Call | None:
        return self.calls.get(row.call_id) if row.call_id else None

    def longest_wait(self, queue: QueueStats, now: float) -> float | None:
        """The longest wait now: the snapshot's, grown by the time since."""
        if not queue.waiting or queue.longest_wait_s is None:
            return None
        return queue.longest_wait_s + max(0.0, now - (self.at or now))

    def rows(self, sort: str = "agent", text: str = "") -> list[AgentRow]:
        """Agent rows matching ``text`` (id, name, state, reason or a skill), sorted."""
        needle = text.strip().lower()
        rows = [r for r in self.agents.values() if not needle or needle in _haystack(r)]
        if sort == "state":
            rows.sort(key=lambda r: (_STATE_ORDER.get(r.state, 9), r.agent_id))
        elif sort == "time":
            rows.sort(key=lambda r: (r.since is None, r.since or 0.0, r.agent_id))
        elif sort == "name":
            rows.sort(key=lambda r: (r.name, r.agent_id))
        else:
            rows.sort(key=lambda r: r.agent_id)
        return rows

    def alerts(self, now: float, rules: AlertRules) -> list[Alert]:
        """Service level under target, long waits, agents stuck in a state."""
        out: list[Alert] = []
        for q in self.queues.values():
            worst = min((v for v in (q.sl_30min, q.sl_today) if v is not None), default=None)
            if worst is not None and q.sl_target and worst < q.sl_target:
                which = "30 min" if q.sl_30min is not None and q.sl_30min == worst else "today"
                out.append(Alert(f"sl:{q.queue_id}", "error",
                                 f"{q.name}: service level {which} {percent(worst)} < {percent(q.sl_target)}"))
            wait = self.longest_wait(q, now)
            if wait is not None and wait > rules.wait_over_s:
                out.append(Alert(f"wait:{q.queue_id}", "error",
                                 f"{q.name}: a caller has waited {duration(wait)} ({q.waiting} waiting)"))
        for row in sorted(self.agents.values(), key=lambda r: r.agent_id):
            limit = rules.stuck_s.get(row.state)
            if limit is None or row.since is None:
                continue
            held = now - row.since
            if held > limit:
                reason = f" ({row.reason})" if row.reason else ""
                out.append(Alert(f"stuck:{row.agent_id}", "warning",
                                 f"{row.agent_id} {row.name}: {row.state.replace('_', ' ')}{reason} "
                                 f"for {duration(held)}"))
        return out


_STATE_ORDER = {"reserved": 0, "busy": 1, "held": 2, "wrap_up": 3, "ready": 4, "not_ready": 5, "logged_out": 6}


def _haystack(row: AgentRow) -> str:
    parts: Iterable[str] = (row.agent_id, row.name, row.state, row.reason or "", *row.skills)
    return " ".join(parts).lower()
