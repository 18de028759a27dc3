"""What the consoles show, as typed values parsed from the API's JSON.

The API sends times as ISO 8601 UTC strings on the service's clock (which
runs faster than the wall in a sped-up demo); here they become Unix seconds
on that same clock. Unknown keys are ignored, so a newer service does not
break an older console.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

# Agent states, as ``acd.model.AgentState`` values (the console must not
# import the service, so they are repeated here).
LOGGED_OUT = "logged_out"
READY = "ready"
RESERVED = "reserved"
BUSY = "busy"
HELD = "held"
WRAP_UP = "wrap_up"
NOT_READY = "not_ready"
ON_CALL = (RESERVED, BUSY, HELD)

# Call statuses a console can act on.
RINGING = "ringing"
TALKING = "talking"
CONSULTING = "consulting"
DIALING = "dialing"
QUEUED = "queued"
LIVE_CALL = ("ringing", "dialing", "talking", "held", "consulting")
FINISHED_CALL = ("ended", "abandoned", "transferred")


def parse_time(text: object) -> float | None:
    """An ISO 8601 time from the API as Unix seconds (None stays None)."""
    if not isinstance(text, str) or not text:
        return None
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.timestamp()


def _f(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


def _s(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _str_map(value: object) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, Mapping) else {}


def _int_map(value: object) -> dict[str, int]:
    return {str(k): int(v) for k, v in value.items()} if isinstance(value, Mapping) else {}


def _list(value: object) -> list[Any]:
    return list(value) if isinstance(value, list) else []


# --- session -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class User:
    """The logged-in console user."""

    username: str
    role: str  # agent, supervisor, admin, qa
    agent_id: str | None = None
    display_name: str = ""

    @property
    def supervises(self) -> bool:
        return self.role in ("supervisor", "admin")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> User:
        return cls(str(data["username"]), str(data["role"]), _s(data.get("agent_id")),
                   str(data.get("display_name") or ""))


@dataclass(frozen=True, slots=True)
class Catalog:
    """Menus: queues, not-ready reasons, dispositions, agents (id -> name)."""

    queues: dict[str, str] = field(default_factory=dict)
    not_ready_reasons: tuple[str, ...] = ()
    dispositions: dict[str, str] = field(default_factory=dict)
    agents: dict[str, str] = field(default_factory=dict)

    @property
    def chosen_reasons(self) -> tuple[str, ...]:
        """Reasons an agent may pick ("no-answer" is the router's own)."""
        return tuple(r for r in self.not_ready_reasons if r != "no-answer")

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Catalog:
        return cls(_str_map(data.get("queues")), tuple(str(r) for r in _list(data.get("not_ready_reasons"))),
                   _str_map(data.get("dispositions")), _str_map(data.get("agents")))


# --- calls and agents --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Call:
    """A live (or just ended) call."""

    call_id: str
    direction: str
    status: str
    queue: str | None = None
    caller_number: str | None = None
    customer_id: str | None = None
    agent_id: str | None = None
    arrived_at: float | None = None
    answered_at: float | None = None
    waited_s: float | None = None
    ivr_path: tuple[str, ...] = ()
    ivr_inputs: dict[str, str] = field(default_factory=dict)
    transfer_target: str | None = None

    @property
    def live(self) -> bool:
        return self.status in LIVE_CALL

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Call:
        ivr = data.get("ivr") if isinstance(data.get("ivr"), Mapping) else {}
        assert isinstance(ivr, Mapping)
        return cls(
            call_id=str(data["call_id"]),
            direction=str(data.get("direction") or "inbound"),
            status=str(data.get("status") or ""),
            queue=_s(data.get("queue")),
            caller_number=_s(data.get("caller_number")),
            customer_id=_s(data.get("customer_id")),
            agent_id=_s(data.get("agent_id")),
            arrived_at=parse_time(data.get("arrived_at")),
            answered_at=parse_time(data.get("answered_at")),
            waited_s=_f(data.get("waited_s")),
            ivr_path=tuple(str(p) for p in _list(ivr.get("path"))),
            ivr_inputs=_str_map(ivr.get("inputs")),
            transfer_target=_s(data.get("transfer_target")),
        )


@dataclass(frozen=True, slots=True)
class AgentStats:
    """An agent's day so far."""

    calls: int = 0
    aht_s: float | None = None
    occupancy: float | None = None
    time_in_state_s: dict[str, float] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> AgentStats:
        if not data:
            return cls()
        times = data.get("time_in_state_s")
        return cls(int(data.get("calls") or 0), _f(data.get("aht_s")), _f(data.get("occupancy")),
                   {str(k): float(v) for k, v in times.items()} if isinstance(times, Mapping) else {})


@dataclass(frozen=True, slots=True)
class Agent:
    """The agent as their own console sees them."""

    agent_id: str
    name: str
    state: str
    reason: str | None = None
    since: float | None = None
    pending_reason: str | None = None
    skills: dict[str, int] = field(default_factory=dict)
    current_call: Call | None = None
    wrap_up_until: float | None = None
    answer_mode: str = "console"
    simulated: bool = False
    today: AgentStats = field(default_factory=AgentStats)
    as_of: float | None = None  # service time of this view (since + time in state)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Agent:
        call = data.get("current_call")
        since = parse_time(data.get("since"))
        in_state = _f(data.get("time_in_state_s"))
        return cls(
            agent_id=str(data["agent_id"]),
            name=str(data.get("name") or data["agent_id"]),
            state=str(data["state"]),
            reason=_s(data.get("reason")),
            since=since,
            pending_reason=_s(data.get("pending_reason")),
            skills=_int_map(data.get("skills")),
            current_call=Call.from_json(call) if isinstance(call, Mapping) else None,
            wrap_up_until=parse_time(data.get("wrap_up_until")),
            answer_mode=str(data.get("answer_mode") or "console"),
            simulated=bool(data.get("simulated")),
            today=AgentStats.from_json(data.get("today")),
            as_of=since + in_state if since is not None and in_state is not None else None,
        )


# --- the screen pop ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Customer:
    """The matched customer of a screen pop."""

    customer_id: str
    name: str | None = None
    account_number: str | None = None
    phones: tuple[str, ...] = ()
    tier: str | None = None
    clv: float | None = None
    monthly_profit: float | None = None
    segment: str | None = None
    rfm: str | None = None
    dedicated_agent_id: str | None = None
    notes: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Customer:
        return cls(str(data["id"]), _s(data.get("name")), _s(data.get("account_number")),
                   tuple(str(p) for p in _list(data.get("phones"))), _s(data.get("tier")), _f(data.get("clv")),
                   _f(data.get("monthly_profit")), _s(data.get("segment")), _s(data.get("rfm")),
                   _s(data.get("dedicated_agent_id")), str(data.get("notes") or ""))


@dataclass(frozen=True, slots=True)
class Interaction:
    """One past contact of the customer."""

    arrived_at: float | None
    channel: str
    direction: str
    outcome: str
    queue: str | None = None
    agent_id: str | None = None
    disposition: str | None = None
    notes: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Interaction:
        return cls(parse_time(data.get("arrived_at")), str(data.get("channel") or ""),
                   str(data.get("direction") or ""), str(data.get("outcome") or ""), _s(data.get("queue")),
                   _s(data.get("agent_id")), _s(data.get("disposition")), str(data.get("notes") or ""))


@dataclass(frozen=True, slots=True)
class Case:
    """An open case of the customer (complaints carry a deadline)."""

    case_id: str
    kind: str
    status: str
    summary: str = ""
    due_at: float | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Case:
        return cls(str(data.get("id") or ""), str(data.get("kind") or ""), str(data.get("status") or ""),
                   str(data.get("summary") or ""), parse_time(data.get("due_at")))


@dataclass(frozen=True, slots=True)
class ScreenPop:
    """Who is calling, what they did before and what to do now."""

    caller_number: str | None
    customer: Customer | None = None
    last_interactions: tuple[Interaction, ...] = ()
    open_cases: tuple[Case, ...] = ()
    ivr_path: tuple[str, ...] = ()
    ivr_inputs: dict[str, str] = field(default_factory=dict)
    waited_s: float = 0.0
    next_best_action: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ScreenPop:
        customer = data.get("customer")
        ivr = data.get("ivr") if isinstance(data.get("ivr"), Mapping) else {}
        assert isinstance(ivr, Mapping)
        return cls(
            caller_number=_s(data.get("caller_number")),
            customer=Customer.from_json(customer) if isinstance(customer, Mapping) else None,
            last_interactions=tuple(Interaction.from_json(i) for i in _list(data.get("last_interactions"))),
            open_cases=tuple(Case.from_json(c) for c in _list(data.get("open_cases"))),
            ivr_path=tuple(str(p) for p in _list(ivr.get("path"))),
            ivr_inputs=_str_map(ivr.get("inputs")),
            waited_s=_f(data.get("waited_s")) or 0.0,
            next_best_action=str(data.get("next_best_action") or ""),
        )


@dataclass(frozen=True, slots=True)
class Offer:
    """A call offered to the agent, ringing until ``deadline``."""

    call_id: str
    queue: str
    direction: str
    offered_at: float | None
    deadline: float | None
    answer_mode: str
    pop: ScreenPop


@dataclass(frozen=True, slots=True)
class Callback:
    """A callback request waiting in one of the agent's queues."""

    call_id: str
    queue: str
    number: str | None
    customer_id: str | None
    requested_at: float | None
    assigned_agent: str | None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Callback:
        return cls(str(data["call_id"]), str(data.get("queue") or ""), _s(data.get("number")),
                   _s(data.get("customer_id")), parse_time(data.get("requested_at")), _s(data.get("assigned_agent")))


# --- the supervisor's view ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueStats:
    """One queue on the wallboard."""

    queue_id: str
    name: str
    waiting: int = 0
    longest_wait_s: float | None = None
    sl_target: float = 0.8
    sl_threshold_s: float = 20.0
    sl_today: float | None = None
    sl_30min: float | None = None
    asa_s: float | None = None
    aht_s: float | None = None
    abandon_rate: float | None = None
    offered: int = 0
    answered: int = 0
    abandoned: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> QueueStats:
        return cls(
            queue_id=str(data["queue_id"]), name=str(data.get("name") or data["queue_id"]),
            waiting=int(data.get("waiting") or 0), longest_wait_s=_f(data.get("longest_wait_s")),
            sl_target=_f(data.get("sl_target")) or 0.0, sl_threshold_s=_f(data.get("sl_threshold_s")) or 0.0,
            sl_today=_f(data.get("sl_today")), sl_30min=_f(data.get("sl_30min")), asa_s=_f(data.get("asa_s")),
            aht_s=_f(data.get("aht_s")), abandon_rate=_f(data.get("abandon_rate")),
            offered=int(data.get("offered") or 0), answered=int(data.get("answered") or 0),
            abandoned=int(data.get("abandoned") or 0),
        )


@dataclass(frozen=True, slots=True)
class AgentRow:
    """One agent in the supervisor's grid; ``since`` is on the service clock."""

    agent_id: str
    name: str
    state: str
    reason: str | None = None
    since: float | None = None
    call_id: str | None = None
    skills: dict[str, int] = field(default_factory=dict)
    simulated: bool = False

    @classmethod
    def from_json(cls, data: Mapping[str, Any], at: float | None) -> AgentRow:
        in_state = _f(data.get("time_in_state_s"))
        since = at - in_state if at is not None and in_state is not None else None
        return cls(str(data["agent_id"]), str(data.get("name") or data["agent_id"]), str(data["state"]),
                   _s(data.get("reason")), since, _s(data.get("call_id")), _int_map(data.get("skills")),
                   bool(data.get("simulated")))

    def moved(self, state: str, reason: str | None, at: float | None, call_id: str | None) -> AgentRow:
        return replace(self, state=state, reason=reason, since=at, call_id=call_id)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The whole center at one moment."""

    at: float | None
    queues: tuple[QueueStats, ...] = ()
    agents: tuple[AgentRow, ...] = ()
    waiting: int = 0
    agents_ready: int = 0
    agents_busy: int = 0
    agents_logged_in: int = 0
    calls_handled: int = 0
    sl_today: float | None = None
    switch_connected: bool = True

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Snapshot:
        at = parse_time(data.get("at"))
        return cls(
            at=at,
            queues=tuple(QueueStats.from_json(q) for q in _list(data.get("queues"))),
            agents=tuple(AgentRow.from_json(a, at) for a in _list(data.get("agents"))),
            waiting=int(data.get("waiting") or 0), agents_ready=int(data.get("agents_ready") or 0),
            agents_busy=int(data.get("agents_busy") or 0), agents_logged_in=int(data.get("agents_logged_in") or 0),
            calls_handled=int(data.get("calls_handled") or 0), sl_today=_f(data.get("sl_today")),
            switch_connected=bool(data.get("switch_connected", True)),
        )


@dataclass(frozen=True, slots=True)
class Spy:
    """A supervisor's listen / whisper / barge session."""

    spy_id: str
    agent_id: str
    call_id: str
    mode: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Spy:
        return cls(str(data["spy_id"]), str(data["agent_id"]), str(data["call_id"]), str(data["mode"]))


# --- events from the WebSocket -----------------------------------------------


@dataclass(frozen=True, slots=True)
class AgentStateChanged:
    agent_id: str
    previous: str
    state: str
    at: float | None
    reason: str | None = None
    call_id: str | None = None


@dataclass(frozen=True, slots=True)
class CallOffered:
    agent_id: str
    offer: Offer
    at: float | None


@dataclass(frozen=True, slots=True)
class CallChanged:
    call: Call
    at: float | None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class SkillsChanged:
    agent_id: str
    skills: dict[str, int]
    at: float | None


@dataclass(frozen=True, slots=True)
class SwitchChanged:
    connected: bool
    at: float | None
    detail: str = ""


Event = AgentStateChanged | CallOffered | CallChanged | SkillsChanged | SwitchChanged


def parse_event(message: Mapping[str, Any]) -> Event | None:
    """A WebSocket ``event`` message as a typed event (None: a kind this console ignores)."""
    kind = message.get("event")
    at = parse_time(message.get("at"))
    if kind == "agent_state":
        return AgentStateChanged(str(message["agent_id"]), str(message.get("previous") or ""),
                                 str(message["state"]), at, _s(message.get("reason")), _s(message.get("call_id")))
    if kind == "screen_pop":
        pop = message.get("pop")
        offer = Offer(
            call_id=str(message["call_id"]), queue=str(message.get("queue") or ""),
            direction=str(message.get("direction") or "inbound"), offered_at=parse_time(message.get("offered_at")),
            deadline=parse_time(message.get("deadline")), answer_mode=str(message.get("answer_mode") or "console"),
            pop=ScreenPop.from_json(pop) if isinstance(pop, Mapping) else ScreenPop(None),
        )
        return CallOffered(str(message["agent_id"]), offer, offer.offered_at)
    if kind == "call" and isinstance(message.get("call"), Mapping):
        return CallChanged(Call.from_json(message["call"]), at, str(message.get("detail") or ""))
    if kind == "agent_skills":
        return SkillsChanged(str(message["agent_id"]), _int_map(message.get("skills")), at)
    if kind == "switch":
        return SwitchChanged(bool(message.get("connected")), at, str(message.get("detail") or ""))
    return None
