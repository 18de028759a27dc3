"""A hand-written ContactCenter for the API's own tests.

It records each command with its arguments and returns canned views; a
test may make the next command raise. Its event bus hands EVERY event to
EVERY subscriber (the real service filters by viewer), so the tests prove
the API's own filtering too.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError

from callcenter.crm.screenpop import build_screen_pop
from callcenter.service.errors import NotPermitted, ServiceError
from callcenter.service.facade import (
    AgentStats,
    AgentStateEvent,
    AgentSummary,
    AgentView,
    AnswerMode,
    CallbackView,
    CallStatus,
    CallView,
    Catalog,
    Direction,
    LatencyStats,
    QueueView,
    ScreenPopEvent,
    ServiceEvent,
    Snapshot,
    SpyMode,
    SpySession,
    TargetKind,
    Viewer,
)
from callcenter.storage.users import Role, User

T0 = 1_741_000_000.0


def agent_view(agent_id: str, state: str = "ready") -> AgentView:
    return AgentView(
        agent_id=agent_id, name=f"Agent {agent_id}", state=state, reason=None, since=T0, time_in_state_s=12.0,
        pending_reason=None, skills={"billing": 5}, current_call=call_view("c0", agent_id), wrap_up_until=None,
        answer_mode=AnswerMode.CONSOLE, simulated=False,
        today=AgentStats(calls=3, aht_s=180.0, occupancy=0.5, time_in_state_s={"ready": 60.0}),
    )


def call_view(call_id: str, agent_id: str | None, status: CallStatus = CallStatus.TALKING) -> CallView:
    return CallView(
        call_id=call_id, direction=Direction.INBOUND, status=status, queue="billing", caller_number="+15551234567",
        customer_id="C1", agent_id=agent_id, arrived_at=T0, answered_at=T0 + 5, waited_s=5.0,
        ivr_path=("menu",), ivr_inputs={"menu": "1"},
    )


def snapshot() -> Snapshot:
    queue = QueueView("billing", "Billing", 2, 30.0, 0.8, 20.0, 0.9, 0.85, 10.0, 200.0, 0.05, 10, 9, 1)
    agent = AgentSummary("a1", "Agent a1", "ready", None, 3.0, None, {"billing": 5}, False)
    return Snapshot(T0, (queue,), (agent,), 2, 1, 0, 1, 9, 0.9, LatencyStats(5, 1.0, 2.0, 3.0, 3.5), True)


def catalog() -> Catalog:
    return Catalog({"billing": "Billing"}, ("break", "lunch"), {"resolved": "Resolved"}, {"a1": "Agent a1"})


def screen_pop(agent_id: str, call_id: str) -> ScreenPopEvent:
    pop = build_screen_pop("+15551234567", None, ivr_path=("menu",))
    return ScreenPopEvent(agent_id, call_id, "billing", Direction.INBOUND, T0, T0 + 15, AnswerMode.CONSOLE, pop)


def state_event(agent_id: str, state: str = "ready") -> AgentStateEvent:
    return AgentStateEvent(agent_id, "not_ready", state, T0)


@dataclass
class _Subscriber:
    viewer: Viewer
    loop: asyncio.AbstractEventLoop
    queue: asyncio.Queue[ServiceEvent | None]


@dataclass
class FakeCenter:
    """Records commands; returns canned values; broadcasts published events."""

    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    fail_with: ServiceError | None = None
    switch_connected: bool = True
    subscribers: list[_Subscriber] = field(default_factory=list)
    closed_subscriptions: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _record(self, name: str, *args: Any) -> None:
        self.calls.append((name, args))
        if self.fail_with is not None:
            error, self.fail_with = self.fail_with, None
            raise error

    async def authenticate(self, username: str, password: str) -> Viewer | None:
        return Viewer(username, Role.SUPERVISOR) if password == "center-pass" else None

    def catalog(self) -> Catalog:
        self._record("catalog")
        return catalog()

    async def login_agent(self, agent_id: str, answer_mode: AnswerMode = AnswerMode.CONSOLE) -> AgentView:
        self._record("login_agent", agent_id, answer_mode)
        return agent_view(agent_id, "not_ready")

    async def logout_agent(self, agent_id: str) -> AgentView:
        self._record("logout_agent", agent_id)
        return agent_view(agent_id, "logged_out")

    async def set_ready(self, agent_id: str) -> AgentView:
        self._record("set_ready", agent_id)
        return agent_view(agent_id, "ready")

    async def set_not_ready(self, agent_id: str, reason: str) -> AgentView:
        self._record("set_not_ready", agent_id, reason)
        return agent_view(agent_id, "not_ready")

    async def answer(self, agent_id: str, call_id: str) -> CallView:
        self._record("answer", agent_id, call_id)
        return call_view(call_id, agent_id)

    async def hangup(self, agent_id: str, call_id: str) -> CallView:
        self._record("hangup", agent_id, call_id)
        return call_view(call_id, agent_id, CallStatus.ENDED)

    async def hold(self, agent_id: str, call_id: str) -> CallView:
        self._record("hold", agent_id, call_id)
        return call_view(call_id, agent_id, CallStatus.HELD)

    async def unhold(self, agent_id: str, call_id: str) -> CallView:
        self._record("unhold", agent_id, call_id)
        return call_view(call_id, agent_id)

    async def transfer(self, agent_id: str, call_id: str, target_kind: TargetKind, target: str,
                       attended: bool = False) -> CallView:
        self._record("transfer", agent_id, call_id, target_kind, target, attended)
        return call_view(call_id, agent_id, CallStatus.CONSULTING if attended else CallStatus.TRANSFERRED)

    async def complete_transfer(self, agent_id: str, call_id: str) -> CallView:
        self._record("complete_transfer", agent_id, call_id)
        return call_view(call_id, agent_id, CallStatus.TRANSFERRED)

    async def cancel_transfer(self, agent_id: str, call_id: str) -> CallView:
        self._record("cancel_transfer", agent_id, call_id)
        return call_view(call_id, agent_id)

    async def wrap_up(self, agent_id: str, call_id: str, disposition: str, notes: str = "") -> AgentView:
        self._record("wrap_up", agent_id, call_id, disposition, notes)
        return agent_view(agent_id, "ready")

    async def extend_wrap_up(self, agent_id: str, seconds: float) -> AgentView:
        self._record("extend_wrap_up", agent_id, seconds)
        return agent_view(agent_id, "wrap_up")

    async def dial(self, agent_id: str, number_or_customer_id: str) -> CallView:
        self._record("dial", agent_id, number_or_customer_id)
        return call_view("out1", agent_id, CallStatus.DIALING)

    async def callbacks(self, agent_id: str) -> tuple[CallbackView, ...]:
        self._record("callbacks", agent_id)
        return (CallbackView("cb1", "billing", "+15550000000", None, T0, None),)

    async def agent_view(self, agent_id: str) -> AgentView:
        self._record("agent_view", agent_id)
        return agent_view(agent_id)

    async def snapshot(self) -> Snapshot:
        self._record("snapshot")
        if not self.switch_connected:
            view = snapshot()
            return Snapshot(**{**{f: getattr(view, f) for f in view.__slots__}, "switch_connected": False})
        return snapshot()

    async def force_state(self, agent_id: str, state: str, reason: str | None = None) -> AgentView:
        self._record("force_state", agent_id, state, reason)
        return agent_view(agent_id, state)

    async def set_skills(self, agent_id: str, skills: Mapping[str, int]) -> AgentView:
        self._record("set_skills", agent_id, dict(skills))
        return agent_view(agent_id)

    async def spy(self, supervisor_id: str, agent_id: str, mode: SpyMode) -> SpySession:
        self._record("spy", supervisor_id, agent_id, mode)
        return SpySession("s1", supervisor_id, agent_id, "c0", mode)

    async def end_spy(self, supervisor_id: str, spy_id: str) -> None:
        self._record("end_spy", supervisor_id, spy_id)

    def subscribe(self, viewer: Viewer) -> AsyncIterator[ServiceEvent]:
        # As the service does: only agents, supervisors and admins get events.
        if viewer.role not in (Role.AGENT, Role.SUPERVISOR, Role.ADMIN):
            raise NotPermitted(f"role {viewer.role.value!r} has no live events")
        return self._subscription(viewer)

    async def _subscription(self, viewer: Viewer) -> AsyncIterator[ServiceEvent]:
        sub = _Subscriber(viewer, asyncio.get_running_loop(), asyncio.Queue())
        with self._lock:
            self.subscribers.append(sub)
        try:
            while (event := await sub.queue.get()) is not None:
                yield event
        finally:
            with self._lock:
                self.subscribers.remove(sub)
                self.closed_subscriptions += 1

    def publish(self, *events: ServiceEvent) -> None:
        """Hand ``events`` to every subscriber at once; safe from any thread."""
        with self._lock:
            subs = list(self.subscribers)
        for sub in subs:
            sub.loop.call_soon_threadsafe(_put_all, sub.queue, events)

    def end_subscriptions(self) -> None:
        """End every subscription, as a stopping service does."""
        with self._lock:
            subs = list(self.subscribers)
        for sub in subs:
            sub.loop.call_soon_threadsafe(_put_all, sub.queue, (None,))


def _put_all(queue: asyncio.Queue[ServiceEvent | None], events: tuple[ServiceEvent | None, ...]) -> None:
    for event in events:
        queue.put_nowait(event)


class FakeUsers:
    """Users in memory with real argon2 hashes (cheap parameters)."""

    def __init__(self, up: bool = True) -> None:
        self.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        self.users: dict[str, tuple[User, str]] = {}
        self.up = up

    def add(self, username: str, role: Role, password: str, agent_id: str | None = None) -> User:
        user = User(len(self.users) + 1, username, role, username.title(), agent_id, True,
                    dt.datetime(2025, 3, 3, tzinfo=dt.timezone.utc))
        self.users[username] = (user, self.hasher.hash(password))
        return user

    async def verify(self, username: str, password: str) -> User | None:
        found = self.users.get(username)
        if found is None:
            return None
        try:
            self.hasher.verify(found[1], password)
        except VerificationError:
            return None
        return found[0]

    async def ping(self) -> bool:
        return self.up
