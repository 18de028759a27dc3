"""Values the live-state store holds and returns.

All are frozen, slotted dataclasses; times are floats of seconds on the
service's injected clock. ``None`` means "no value" for every optional field
(the Redis edge stores it as an empty string).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from acd.model import AgentId, AgentState, CallId, QueueId, SkillId

NodeId = str

# States in which an agent is tied to a call: a state change into one of them
# keeps the agent's current call unless a new one is given.
CALL_STATES = frozenset({AgentState.RESERVED, AgentState.BUSY, AgentState.HELD, AgentState.WRAP_UP})


@dataclass(frozen=True, slots=True)
class LiveAgent:
    """One agent's live record.

    ``version`` grows by one with every change the store makes; pass it back
    as ``expected_version`` for an optimistic update. ``node`` is the service
    node that last reserved the agent or changed its state (``None`` if none).
    """

    id: AgentId
    state: AgentState = AgentState.LOGGED_OUT
    reason: str | None = None
    since: float = 0.0
    skills: Mapping[SkillId, int] = field(default_factory=dict)
    call_id: CallId | None = None
    node: NodeId | None = None
    version: int = 0

    @property
    def reserved(self) -> bool:
        """True when the agent is tied to a call (offered, talking or wrapping up)."""
        return self.call_id is not None


@dataclass(frozen=True, slots=True)
class QueuedCall:
    """A call the store knows: waiting in its queue, or claimed by a node.

    ``key`` is the router's static priority key (``aging_per_s * enqueued_at
    - base``, smaller is served first); ``seq`` breaks ties in arrival order
    and is given by the store. ``claimed_by`` is the node that took the call
    out of its queue, ``agent_id`` the agent reserved for it by ``assign``.
    """

    id: CallId
    queue_id: QueueId
    key: float
    enqueued_at: float
    node: NodeId | None = None
    seq: int = 0
    claimed_by: NodeId | None = None
    agent_id: AgentId | None = None

    @property
    def waiting(self) -> bool:
        """True while the call sits in its queue (nobody claimed it)."""
        return self.claimed_by is None


@dataclass(frozen=True, slots=True)
class QueueView:
    """One queue for a wallboard: its waiting calls in service order, and its counters."""

    id: QueueId
    waiting: tuple[QueuedCall, ...]
    counters: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything a supervisor console starts from: all agents and queues, sorted by id."""

    agents: tuple[LiveAgent, ...]
    queues: tuple[QueueView, ...]


class AssignResult(str, Enum):
    """Outcome of ``assign``: both sides taken, or which side was not available."""

    ASSIGNED = "assigned"
    AGENT_UNAVAILABLE = "agent_unavailable"  # not in the expected state, or reserved already
    CALL_UNAVAILABLE = "call_unavailable"  # gone, or claimed by another node


def order_key(call: QueuedCall) -> tuple[float, int]:
    """Service order of waiting calls: priority key, then arrival."""
    return (call.key, call.seq)
