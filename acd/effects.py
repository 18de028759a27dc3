"""What the router decides, as values.

Commands are imperative (the driver carries them out: the simulator, or the
service through a telephony adapter); events are past tense (facts, for
logs, metrics and consoles). Each has a ``name`` for the wire.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from acd.model import AgentId, AgentState, CallId, OverflowAction, QueueId


# --- commands -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OfferCall:
    """Ring ``agent_id`` with the waiting call; the agent is now reserved.

    The driver reports ``Router.answer`` or, after ``ring_timeout_s``
    without an answer, the router itself treats it as a no-answer on the
    next ``tick`` at or after ``deadline``.
    """

    name: ClassVar[str] = "offer_call"
    call_id: CallId
    agent_id: AgentId
    queue_id: QueueId
    at: float
    deadline: float


@dataclass(frozen=True, slots=True)
class PlaceCallback:
    """A callback request reached the head of its queue: ``agent_id`` is
    reserved for it; dial the customer and connect the agent."""

    name: ClassVar[str] = "place_callback"
    call_id: CallId
    agent_id: AgentId
    queue_id: QueueId
    at: float
    deadline: float


@dataclass(frozen=True, slots=True)
class OverflowCall:
    """The call left its queue for voicemail or a callback request that the
    driver must take (an overflow to another queue is done inside the router
    and reported as ``CallMoved``)."""

    name: ClassVar[str] = "overflow_call"
    call_id: CallId
    queue_id: QueueId
    action: OverflowAction
    at: float


@dataclass(frozen=True, slots=True)
class ScheduleWakeup:
    """Call ``Router.tick`` at ``at`` (relaxation step, overflow, RONA or
    wrap-up expiry is due then). Earlier or repeated ticks are harmless."""

    name: ClassVar[str] = "schedule_wakeup"
    at: float


# --- events ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgentStateChanged:
    name: ClassVar[str] = "agent_state_changed"
    agent_id: AgentId
    previous: AgentState
    state: AgentState
    at: float
    reason: str | None = None
    call_id: CallId | None = None


@dataclass(frozen=True, slots=True)
class CallQueued:
    name: ClassVar[str] = "call_queued"
    call_id: CallId
    queue_id: QueueId
    at: float


@dataclass(frozen=True, slots=True)
class CallRequeued:
    """Back at the head of its queue after an offer was not answered."""

    name: ClassVar[str] = "call_requeued"
    call_id: CallId
    queue_id: QueueId
    agent_id: AgentId
    at: float


@dataclass(frozen=True, slots=True)
class CallMoved:
    """Overflowed from one queue to another."""

    name: ClassVar[str] = "call_moved"
    call_id: CallId
    from_queue: QueueId
    to_queue: QueueId
    at: float


@dataclass(frozen=True, slots=True)
class CallAnswered:
    name: ClassVar[str] = "call_answered"
    call_id: CallId
    queue_id: QueueId
    agent_id: AgentId
    at: float
    waited_s: float


@dataclass(frozen=True, slots=True)
class CallAbandoned:
    name: ClassVar[str] = "call_abandoned"
    call_id: CallId
    queue_id: QueueId
    at: float
    waited_s: float


@dataclass(frozen=True, slots=True)
class CallEnded:
    name: ClassVar[str] = "call_ended"
    call_id: CallId
    agent_id: AgentId
    at: float


@dataclass(frozen=True, slots=True)
class CallbackRequested:
    """The caller hung up keeping their place; the router will reserve an
    agent and emit ``PlaceCallback`` when the request reaches the head."""

    name: ClassVar[str] = "callback_requested"
    call_id: CallId
    queue_id: QueueId
    at: float


Command = OfferCall | PlaceCallback | OverflowCall | ScheduleWakeup
Event = (
    AgentStateChanged
    | CallQueued
    | CallRequeued
    | CallMoved
    | CallAnswered
    | CallAbandoned
    | CallEnded
    | CallbackRequested
)
Effect = Command | Event
