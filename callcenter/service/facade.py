"""The contact center as the API and the CLI see it: one facade.

:class:`ContactCenter` is the Protocol every inbound adapter codes against
(the HTTP/WebSocket API, the CLI, the simulated workforce of the demo). It
speaks in agent ids, call ids and typed values; it knows no HTTP. Results are
frozen dataclasses with ``to_dict()`` (JSON-ready: times as ISO 8601 UTC
strings, durations in seconds). Errors are :class:`ServiceError` subclasses
(``callcenter.service.errors``); a command that raises changed nothing.

Times are seconds on the service's one clock (``callcenter.service.clock``):
Unix seconds, running faster than the wall in a sped-up demo.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, ClassVar, Protocol, runtime_checkable

from callcenter.crm.screenpop import ScreenPop
from callcenter.storage.users import Role


def iso(t: float | None) -> str | None:
    """A clock time as ISO 8601 UTC (None stays None)."""
    if t is None:
        return None
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).isoformat()


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


# --- who is asking -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Viewer:
    """The user behind a subscription or a supervisor command.

    Agents see their own events; supervisors and admins see everything.
    """

    username: str
    role: Role
    agent_id: str | None = None

    @property
    def sees_all(self) -> bool:
        return self.role in (Role.SUPERVISOR, Role.ADMIN)

    @classmethod
    def agent(cls, agent_id: str, username: str | None = None) -> Viewer:
        return cls(username or agent_id, Role.AGENT, agent_id)

    @classmethod
    def supervisor(cls, username: str) -> Viewer:
        return cls(username, Role.SUPERVISOR, None)

    def to_dict(self) -> dict[str, Any]:
        return {"username": self.username, "role": self.role.value, "agent_id": self.agent_id}


# --- enums -------------------------------------------------------------------


class TargetKind(str, Enum):
    """Where a transfer goes."""

    AGENT = "agent"
    QUEUE = "queue"
    NUMBER = "number"


class SpyMode(str, Enum):
    """Supervisor monitoring: hear both, talk to the agent only, talk to both."""

    LISTEN = "listen"
    WHISPER = "whisper"
    BARGE = "barge"


class AnswerMode(str, Enum):
    """How an agent picks up an offered call.

    ``console``: the console rings; on ``answer`` the service rings the
    agent's phone with auto-answer. ``phone``: the phone rings at once and
    the agent (or the simulated agent) picks it up there.
    """

    CONSOLE = "console"
    PHONE = "phone"


class CallStatus(str, Enum):
    """A live call as an agent or supervisor sees it."""

    IVR = "ivr"
    QUEUED = "queued"
    RINGING = "ringing"  # offered to an agent
    DIALING = "dialing"  # outbound or callback: the customer's phone rings
    TALKING = "talking"
    HELD = "held"
    CONSULTING = "consulting"  # attended transfer: caller held, agent talks to the target
    TRANSFERRED = "transferred"
    ENDED = "ended"
    ABANDONED = "abandoned"


class Direction(str, Enum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"
    CALLBACK = "callback"


# --- views ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CallView:
    """One live (or just ended) call."""

    call_id: str
    direction: Direction
    status: CallStatus
    queue: str | None
    caller_number: str | None
    customer_id: str | None
    agent_id: str | None
    arrived_at: float
    answered_at: float | None
    waited_s: float
    ivr_path: tuple[str, ...] = ()
    ivr_inputs: Mapping[str, str] = field(default_factory=dict)
    transfer_target: str | None = None  # the consulted agent or number

    def to_dict(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "direction": self.direction.value,
            "status": self.status.value,
            "queue": self.queue,
            "caller_number": self.caller_number,
            "customer_id": self.customer_id,
            "agent_id": self.agent_id,
            "arrived_at": iso(self.arrived_at),
            "answered_at": iso(self.answered_at),
            "waited_s": _r(self.waited_s),
            "ivr": {"path": list(self.ivr_path), "inputs": dict(self.ivr_inputs)},
            "transfer_target": self.transfer_target,
        }


@dataclass(frozen=True, slots=True)
class AgentStats:
    """An agent's day so far (``acd.metrics`` definitions)."""

    calls: int
    aht_s: float | None
    occupancy: float | None
    time_in_state_s: Mapping[str, float]

    def to_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "aht_s": _r(self.aht_s, 1),
            "occupancy": _r(self.occupancy, 4),
            "time_in_state_s": {k: round(v, 1) for k, v in self.time_in_state_s.items()},
        }


@dataclass(frozen=True, slots=True)
class AgentView:
    """What an agent's console shows about the agent."""

    agent_id: str
    name: str
    state: str  # an acd.model.AgentState value
    reason: str | None
    since: float
    time_in_state_s: float
    pending_reason: str | None
    skills: Mapping[str, int]
    current_call: CallView | None
    wrap_up_until: float | None
    answer_mode: AnswerMode
    simulated: bool
    today: AgentStats

    def to_dict(self) -> dict[str, Any]:
        return {
            "agent_id": self.agent_id,
            "name": self.name,
            "state": self.state,
            "reason": self.reason,
            "since": iso(self.since),
            "time_in_state_s": _r(self.time_in_state_s, 1),
            "pending_reason": self.pending_reason,
            "skills": dict(self.skills),
            "current_call": self.current_call.to_dict() if self.current_call else None,
            "wrap_up_until": iso(self.wrap_up_until),
            "answer_mode": self.answer_mode.value,
            "simulated": self.simulated,
            "today": self.today.to_dict(),
        }


@dataclass(frozen=True, slots=True)
class QueueView:
    """A queue on the wallboard (``acd.metrics`` definitions; calls by arrival)."""

    queue_id: str
    name: str
    waiting: int
    longest_wait_s: float | None
    sl_target: float
    sl_threshold_s: float
    sl_today: float | None
    sl_30min: float | None
    asa_s: float | None
    aht_s: float | None
    abandon_rate: float | None
    offered: int
    answered: int
    abandoned: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "queue_id": self.queue_id,
            "name": self.name,
            "waiting": self.waiting,
            "longest_wait_s": _r(self.longest_wait_s, 1),
            "sl_target": self.sl_target,
            "sl_threshold_s": self.sl_threshold_s,
            "sl_today": _r(self.sl_today, 4),
            "sl_30min": _r(self.sl_30min, 4),
            "asa_s": _r(self.asa_s, 1),
            "aht_s": _r(self.aht_s, 1),
            "abandon_rate": _r(self.abandon_rate, 4),
            "offered": self.offered,
            "answered": self.answered,
            "abandoned": self.abandoned,
        }


@dataclass(frozen=True, slots=True)
class AgentSummary:
    """One row of the supervisor's agent grid."""

    agent_id: str
    name: str
    state: str
    reason: str | None
    time_in_state_s: float
    call_id: str | None
    skills: Mapping[str, int]
    simulated: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "agent_id": self.agent_id,
            "name": self.name,
            "state": self.state,
            "reason": self.reason,
            "time_in_state_s": _r(self.time_in_state_s, 1),
            "call_id": self.call_id,
            "skills": dict(self.skills),
            "simulated": self.simulated,
        }


@dataclass(frozen=True, slots=True)
class LatencyStats:
    """Screen-pop latency: OfferCall decided -> event handed to subscriptions."""

    count: int
    p50_ms: float | None
    p90_ms: float | None
    p99_ms: float | None
    max_ms: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "p50_ms": _r(self.p50_ms),
            "p90_ms": _r(self.p90_ms),
            "p99_ms": _r(self.p99_ms),
            "max_ms": _r(self.max_ms),
        }


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The whole center at one moment, for supervisors and wallboards."""

    at: float
    queues: tuple[QueueView, ...]
    agents: tuple[AgentSummary, ...]
    waiting: int
    agents_ready: int
    agents_busy: int  # reserved, busy, held or in wrap-up
    agents_logged_in: int
    calls_handled: int  # answered calls ended today
    sl_today: float | None  # all queues
    screen_pop: LatencyStats
    switch_connected: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": iso(self.at),
            "queues": [q.to_dict() for q in self.queues],
            "agents": [a.to_dict() for a in self.agents],
            "waiting": self.waiting,
            "agents_ready": self.agents_ready,
            "agents_busy": self.agents_busy,
            "agents_logged_in": self.agents_logged_in,
            "calls_handled": self.calls_handled,
            "sl_today": _r(self.sl_today, 4),
            "screen_pop": self.screen_pop.to_dict(),
            "switch_connected": self.switch_connected,
        }


@dataclass(frozen=True, slots=True)
class CallbackView:
    """A callback request waiting in a queue, keeping the caller's place."""

    call_id: str
    queue: str
    number: str | None
    customer_id: str | None
    requested_at: float
    assigned_agent: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "call_id": self.call_id,
            "queue": self.queue,
            "number": self.number,
            "customer_id": self.customer_id,
            "requested_at": iso(self.requested_at),
            "assigned_agent": self.assigned_agent,
        }


@dataclass(frozen=True, slots=True)
class SpySession:
    """A supervisor listening to (or whispering to, or barging into) a call."""

    spy_id: str
    supervisor: str
    agent_id: str
    call_id: str
    mode: SpyMode

    def to_dict(self) -> dict[str, Any]:
        return {
            "spy_id": self.spy_id,
            "supervisor": self.supervisor,
            "agent_id": self.agent_id,
            "call_id": self.call_id,
            "mode": self.mode.value,
        }


@dataclass(frozen=True, slots=True)
class Catalog:
    """The center's reference lists a console needs to build its menus."""

    queues: Mapping[str, str]  # id -> name
    not_ready_reasons: tuple[str, ...]
    dispositions: Mapping[str, str]  # code -> name
    agents: Mapping[str, str]  # id -> name

    def to_dict(self) -> dict[str, Any]:
        return {
            "queues": dict(self.queues),
            "not_ready_reasons": list(self.not_ready_reasons),
            "dispositions": dict(self.dispositions),
            "agents": dict(self.agents),
        }


# --- events pushed to subscribers -------------------------------------------


@dataclass(frozen=True, slots=True)
class AgentStateEvent:
    """An agent changed state."""

    name: ClassVar[str] = "agent_state"
    agent_id: str
    previous: str
    state: str
    at: float
    reason: str | None = None
    call_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.name, "agent_id": self.agent_id, "previous": self.previous, "state": self.state,
            "at": iso(self.at), "reason": self.reason, "call_id": self.call_id,
        }


@dataclass(frozen=True, slots=True)
class ScreenPopEvent:
    """A call is offered to the agent: who is calling and what to do.

    ``deadline`` is when the offer times out (ring no answer).
    """

    name: ClassVar[str] = "screen_pop"
    agent_id: str
    call_id: str
    queue: str
    direction: Direction
    offered_at: float
    deadline: float
    answer_mode: AnswerMode
    pop: ScreenPop
    external_url: str | None = None  # the queue's external CRM link, when it has one

    def to_dict(self) -> dict[str, Any]:
        return {
            "event": self.name, "agent_id": self.agent_id, "call_id": self.call_id, "queue": self.queue,
            "direction": self.direction.value, "offered_at": iso(self.offered_at), "deadline": iso(self.deadline),
            "answer_mode": self.answer_mode.value, "pop": self.pop.to_dict(), "external_url": self.external_url,
        }


@dataclass(frozen=True, slots=True)
class CallEvent:
    """A call changed: queued, ringing, talking, held, transferred, ended ..."""

    name: ClassVar[str] = "call"
    call: CallView
    at: float
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"event": self.name, "at": iso(self.at), "detail": self.detail, "call": self.call.to_dict()}


@dataclass(frozen=True, slots=True)
class SkillsEvent:
    """An agent's skills were changed."""

    name: ClassVar[str] = "agent_skills"
    agent_id: str
    skills: Mapping[str, int]
    at: float

    def to_dict(self) -> dict[str, Any]:
        return {"event": self.name, "agent_id": self.agent_id, "skills": dict(self.skills), "at": iso(self.at)}


@dataclass(frozen=True, slots=True)
class SwitchEvent:
    """The telephony switch went up or down (supervisors only)."""

    name: ClassVar[str] = "switch"
    connected: bool
    at: float
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"event": self.name, "connected": self.connected, "at": iso(self.at), "detail": self.detail}


ServiceEvent = AgentStateEvent | ScreenPopEvent | CallEvent | SkillsEvent | SwitchEvent


def event_agent(event: ServiceEvent) -> str | None:
    """The agent an event concerns (None: center-wide, supervisors only)."""
    if isinstance(event, (AgentStateEvent, ScreenPopEvent, SkillsEvent)):
        return event.agent_id
    if isinstance(event, CallEvent):
        return event.call.agent_id
    return None


# --- the facade --------------------------------------------------------------


@runtime_checkable
class ContactCenter(Protocol):
    """Everything a console can ask of the contact center.

    Agent commands take the agent's id; the API checks that the logged-in
    user is that agent (or a supervisor) before calling. Every method raises
    :class:`~callcenter.service.errors.ServiceError` subclasses only:
    ``UnknownAgent``, ``UnknownCall``, ``NotYourCall``, ``InvalidState``,
    ``UnknownReason``, ``UnknownDisposition``, ``InvalidRequest``,
    ``NotPermitted``, ``SwitchUnavailable``.
    """

    # users
    async def authenticate(self, username: str, password: str) -> Viewer | None:
        """The user if the password is right and the account active, else None."""
        ...

    def catalog(self) -> Catalog:
        """Queues, not-ready reasons, dispositions and agents, for menus."""
        ...

    # agent session and state
    async def login_agent(self, agent_id: str, answer_mode: AnswerMode = AnswerMode.CONSOLE) -> AgentView:
        """Log in (not ready, reason ``login``). Logging in again changes only the answer mode."""
        ...

    async def logout_agent(self, agent_id: str) -> AgentView:
        """Log out; allowed from ready, not ready and wrap-up."""
        ...

    async def set_ready(self, agent_id: str) -> AgentView:
        ...

    async def set_not_ready(self, agent_id: str, reason: str) -> AgentView:
        """Not ready with a configured reason; during a call it applies after wrap-up."""
        ...

    # calls
    async def answer(self, agent_id: str, call_id: str) -> CallView:
        """Take the call offered to the agent (console answer mode)."""
        ...

    async def hangup(self, agent_id: str, call_id: str) -> CallView:
        """End the agent's call (or cancel an outbound call still dialing)."""
        ...

    async def hold(self, agent_id: str, call_id: str) -> CallView:
        ...

    async def unhold(self, agent_id: str, call_id: str) -> CallView:
        ...

    async def transfer(
        self, agent_id: str, call_id: str, target_kind: TargetKind, target: str, attended: bool = False
    ) -> CallView:
        """Blind: the call leaves the agent at once. Attended: the caller is
        held while the agent talks to the target; then ``complete_transfer``
        or ``cancel_transfer``. A queue target is always blind."""
        ...

    async def complete_transfer(self, agent_id: str, call_id: str) -> CallView:
        ...

    async def cancel_transfer(self, agent_id: str, call_id: str) -> CallView:
        ...

    async def wrap_up(self, agent_id: str, call_id: str, disposition: str, notes: str = "") -> AgentView:
        """Record the disposition and notes and end the after-call work."""
        ...

    async def extend_wrap_up(self, agent_id: str, seconds: float) -> AgentView:
        ...

    async def dial(self, agent_id: str, number_or_customer_id: str) -> CallView:
        """An outbound call: the agent's phone first, then the customer."""
        ...

    async def callbacks(self, agent_id: str) -> tuple[CallbackView, ...]:
        """Callback requests waiting in the queues the agent serves."""
        ...

    # views
    async def agent_view(self, agent_id: str) -> AgentView:
        ...

    async def snapshot(self) -> Snapshot:
        ...

    # supervisor
    async def force_state(self, agent_id: str, state: str, reason: str | None = None) -> AgentView:
        """``ready``, ``not_ready`` (with a reason) or ``logged_out``."""
        ...

    async def set_skills(self, agent_id: str, skills: Mapping[str, int]) -> AgentView:
        ...

    async def spy(self, supervisor_id: str, agent_id: str, mode: SpyMode) -> SpySession:
        """Ring the supervisor's phone into the agent's call (listen, whisper or barge)."""
        ...

    async def end_spy(self, supervisor_id: str, spy_id: str) -> None:
        ...

    # events
    def subscribe(self, viewer: Viewer) -> AsyncIterator[ServiceEvent]:
        """Events for one viewer until the iterator is closed: an agent gets
        their own state changes, screen pops and call updates; a supervisor
        gets everything. Slow readers lose the oldest events, never block
        the service."""
        ...
