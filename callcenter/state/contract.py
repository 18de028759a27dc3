"""The one contract both live-state stores keep.

The store holds the shared truth of the center (agents, waiting calls,
counters, events); the routing decisions stay in ``acd`` (pure), one router
per node. What the store guarantees is what several routers cannot do alone:
an agent is never reserved twice and a call never claimed twice, whichever
node asks.

Every mutating method takes an optional ``event``: it is appended to the
event log in the same atomic step as the change, so a console never sees an
event for a change that did not happen nor misses one that did. Reservation
and claim are idempotent per (agent, call, node): asking again for what the
same node already holds answers success, so a retry after a lost reply is
safe.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Mapping
from typing import Protocol

from acd.model import AgentId, AgentState, CallId, QueueId
from callcenter.state.events import Received, WireEvent
from callcenter.state.model import AssignResult, LiveAgent, NodeId, QueuedCall, Snapshot


class Subscription(Protocol):
    """Events published on any node after the subscription point, in log order."""

    def __aiter__(self) -> AsyncIterator[Received]: ...

    async def __anext__(self) -> Received: ...

    async def close(self) -> None:
        """Stop listening and free the connection."""


class StateStore(Protocol):
    """Live state of the center: implemented by ``MemoryStore`` and ``RedisStore``.

    Raises ``StateUnavailable`` from any method when the backing server
    cannot be reached within the store's bounded retry budget.
    """

    async def close(self) -> None:
        """Release connections; the store object is unusable afterwards."""

    # --- agents ------------------------------------------------------------

    async def put_agent(
        self, agent: LiveAgent, *, expected_version: int | None = None, event: WireEvent | None = None
    ) -> LiveAgent:
        """Write an agent's whole record (login, skill change); returns it with its new version.

        The stored version becomes the previous one plus one (1 for a new
        agent); ``agent.version`` is ignored.

        Raises:
            VersionConflict: ``expected_version`` is given and differs (0 = must be new).
        """

    async def get_agent(self, agent_id: AgentId) -> LiveAgent | None:
        """The agent's record, or None if the store has none."""

    async def agents(self) -> list[LiveAgent]:
        """All agents, sorted by id."""

    async def remove_agent(self, agent_id: AgentId, *, event: WireEvent | None = None) -> bool:
        """Forget the agent; False if it was not there."""

    async def set_agent_state(
        self,
        agent_id: AgentId,
        state: AgentState,
        *,
        at: float,
        reason: str | None = None,
        call_id: CallId | None = None,
        node: NodeId | None = None,
        expected_version: int | None = None,
        event: WireEvent | None = None,
    ) -> LiveAgent:
        """Change an agent's state; returns the new record.

        The call is set to ``call_id`` when given; otherwise kept for states
        tied to a call (reserved, busy, held, wrap-up) and cleared for the
        others. ``node`` is kept when None.

        Raises:
            AgentNotFound: no record for the agent.
            VersionConflict: ``expected_version`` is given and differs.
        """

    async def reserve_agent(
        self,
        agent_id: AgentId,
        call_id: CallId,
        *,
        node: NodeId,
        at: float,
        expected_state: AgentState = AgentState.READY,
        event: WireEvent | None = None,
    ) -> bool:
        """Atomically reserve the agent for the call.

        Succeeds only if the agent is in ``expected_state`` and tied to no
        call; then its state becomes reserved, its call ``call_id``, its
        node ``node``, and its version grows. False otherwise (also for an
        unknown agent).
        """

    async def release_agent(
        self,
        agent_id: AgentId,
        call_id: CallId,
        *,
        at: float,
        state: AgentState = AgentState.READY,
        reason: str | None = None,
        event: WireEvent | None = None,
    ) -> bool:
        """Untie the agent from the call and put it in ``state``.

        False (nothing changed) when the agent is not tied to that call.
        """

    # --- calls -------------------------------------------------------------

    async def enqueue_call(
        self,
        call_id: CallId,
        queue_id: QueueId,
        key: float,
        *,
        at: float,
        node: NodeId | None = None,
        event: WireEvent | None = None,
    ) -> QueuedCall:
        """Put the call in its queue with the router's static priority key.

        Also requeues a claimed call (after an unanswered offer; the claim
        and its agent are cleared, the agent is not touched) and moves a
        waiting call to another queue. A known call keeps its arrival
        ``seq`` and ``enqueued_at``.
        """

    async def get_call(self, call_id: CallId) -> QueuedCall | None:
        """The call's record, or None."""

    async def waiting(self, queue_id: QueueId) -> list[QueuedCall]:
        """The queue's waiting calls in service order (key, then arrival)."""

    async def claim_call(
        self, call_id: CallId, *, node: NodeId, at: float, event: WireEvent | None = None
    ) -> QueuedCall | None:
        """Atomically take a waiting call out of its queue for ``node``.

        Returns the claimed record, or None if the call is unknown or
        claimed by another node.
        """

    async def assign(
        self,
        call_id: CallId,
        agent_id: AgentId,
        *,
        node: NodeId,
        at: float,
        expected_state: AgentState = AgentState.READY,
        event: WireEvent | None = None,
    ) -> AssignResult:
        """Carry out a routing decision in one atomic step: claim the call and reserve the agent.

        Either both happen or neither; the result says which side was not
        available.
        """

    async def remove_call(self, call_id: CallId, *, event: WireEvent | None = None) -> bool:
        """Forget the call (answered and ended, abandoned, overflowed out); False if unknown."""

    # --- counters, snapshot ------------------------------------------------

    async def incr(
        self, queue_id: QueueId, counter: str, by: int = 1, *, event: WireEvent | None = None
    ) -> int:
        """Add ``by`` to a queue's counter; returns the new value."""

    async def counters(self, queue_id: QueueId) -> dict[str, int]:
        """A queue's counters (empty if none)."""

    async def snapshot(self) -> Snapshot:
        """All agents and all queues (waiting calls and counters), for supervisors."""

    # --- events ------------------------------------------------------------

    async def publish(self, event: WireEvent) -> str:
        """Append an event for every subscriber on every node; returns its position."""

    async def subscribe(self, after: str | None = None) -> Subscription:
        """Events published after this call (or after position ``after``, to resume)."""

    # --- recovery ----------------------------------------------------------

    async def rebuild(
        self,
        *,
        from_agents: Iterable[LiveAgent],
        from_calls: Iterable[QueuedCall],
        counters: Mapping[QueueId, Mapping[str, int]] | None = None,
    ) -> None:
        """Replace all agents and calls (and counters, when given) with the service's own records.

        For when the backing server lost data. Run it while routers are
        paused: it is not atomic with concurrent updates. Records keep the
        versions and ``seq`` they carry.
        """
