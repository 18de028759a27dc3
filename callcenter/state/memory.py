"""In-process live state for a single node.

Every method runs to completion without awaiting in between, so on one
asyncio loop each one is atomic: that is the whole of the no-double-
reservation guarantee here. Nothing survives the process; ``dump`` writes a
snapshot file the service may take on clean shutdown and ``load`` reads it
back on start.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections import deque
from collections.abc import AsyncIterator, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from acd.model import AgentId, AgentState, CallId, QueueId
from callcenter.state.errors import AgentNotFound, StateUnavailable, VersionConflict
from callcenter.state.events import Received, WireEvent
from callcenter.state.model import (
    CALL_STATES,
    AssignResult,
    LiveAgent,
    NodeId,
    QueuedCall,
    QueueView,
    Snapshot,
    order_key,
)

DUMP_FORMAT = 1


class _MemorySubscription:
    def __init__(self, store: MemoryStore, after: int) -> None:
        self._store = store
        self._after = after
        self._closed = False

    def __aiter__(self) -> AsyncIterator[Received]:
        return self

    async def __anext__(self) -> Received:
        while True:
            if self._closed:
                raise StopAsyncIteration
            found = self._store._event_after(self._after)
            if found is not None:
                self._after = found[0]
                return Received(str(found[0]), found[1])
            await self._store._wait_for_event()

    async def close(self) -> None:
        self._closed = True
        self._store._wake()


class MemoryStore:
    """The live-state contract in process memory (one node, no persistence).

    Args:
        events_kept: how many recent events a subscriber can resume from.
    """

    def __init__(self, *, events_kept: int = 10_000) -> None:
        self._agents: dict[AgentId, LiveAgent] = {}
        self._calls: dict[CallId, QueuedCall] = {}
        self._counters: dict[QueueId, dict[str, int]] = {}
        self._queues: set[QueueId] = set()
        self._seq = 0
        self._events: deque[tuple[int, WireEvent]] = deque(maxlen=events_kept)
        self._last_event = 0
        self._new_event: asyncio.Event | None = None
        self._closed = False

    async def __aenter__(self) -> MemoryStore:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        self._closed = True
        self._wake()

    def _check(self) -> None:
        if self._closed:
            raise StateUnavailable("the in-process state store is closed")

    # --- events ------------------------------------------------------------

    def _append(self, event: WireEvent | None) -> str:
        if event is None:
            return ""
        self._last_event += 1
        self._events.append((self._last_event, event))
        self._wake()
        return str(self._last_event)

    def _wake(self) -> None:
        if self._new_event is not None:
            self._new_event.set()
            self._new_event = None

    async def _wait_for_event(self) -> None:
        if self._new_event is None:
            self._new_event = asyncio.Event()
        await self._new_event.wait()

    def _event_after(self, position: int) -> tuple[int, WireEvent] | None:
        if not self._events or self._events[-1][0] <= position:
            return None
        # positions are consecutive, so the index is arithmetic
        start = self._events[0][0]
        index = max(0, position + 1 - start)
        return self._events[index]

    async def publish(self, event: WireEvent) -> str:
        self._check()
        return self._append(event)

    async def subscribe(self, after: str | None = None) -> _MemorySubscription:
        self._check()
        return _MemorySubscription(self, self._last_event if after is None else int(after))

    # --- agents ------------------------------------------------------------

    async def put_agent(
        self, agent: LiveAgent, *, expected_version: int | None = None, event: WireEvent | None = None
    ) -> LiveAgent:
        self._check()
        old = self._agents.get(agent.id)
        version = old.version if old is not None else 0
        if expected_version is not None and expected_version != version:
            raise VersionConflict(agent.id, expected_version, version)
        new = replace(agent, skills=dict(agent.skills), version=version + 1)
        self._agents[agent.id] = new
        self._append(event)
        return new

    async def get_agent(self, agent_id: AgentId) -> LiveAgent | None:
        self._check()
        return self._agents.get(agent_id)

    async def agents(self) -> list[LiveAgent]:
        self._check()
        return [self._agents[k] for k in sorted(self._agents)]

    async def remove_agent(self, agent_id: AgentId, *, event: WireEvent | None = None) -> bool:
        self._check()
        if self._agents.pop(agent_id, None) is None:
            return False
        self._append(event)
        return True

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
        self._check()
        old = self._agents.get(agent_id)
        if old is None:
            raise AgentNotFound(agent_id)
        if expected_version is not None and expected_version != old.version:
            raise VersionConflict(agent_id, expected_version, old.version)
        if call_id is None and state in CALL_STATES:
            call_id = old.call_id
        new = replace(
            old,
            state=state,
            reason=reason,
            since=at,
            call_id=call_id,
            node=old.node if node is None else node,
            version=old.version + 1,
        )
        self._agents[agent_id] = new
        self._append(event)
        return new

    def _can_reserve(self, agent: LiveAgent | None, call_id: CallId, node: NodeId, expected: AgentState) -> int:
        # 2 = a replay of this very reservation, 1 = free to reserve, 0 = no
        if agent is None:
            return 0
        if agent.state is AgentState.RESERVED and agent.call_id == call_id and agent.node == node:
            return 2
        return 1 if agent.state is expected and agent.call_id is None else 0

    def _reserve(self, agent: LiveAgent, call_id: CallId, node: NodeId, at: float) -> None:
        self._agents[agent.id] = replace(
            agent,
            state=AgentState.RESERVED,
            reason=None,
            since=at,
            call_id=call_id,
            node=node,
            version=agent.version + 1,
        )

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
        self._check()
        agent = self._agents.get(agent_id)
        verdict = self._can_reserve(agent, call_id, node, expected_state)
        if verdict == 1 and agent is not None:
            self._reserve(agent, call_id, node, at)
            self._append(event)
        return verdict > 0

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
        self._check()
        agent = self._agents.get(agent_id)
        if agent is None or agent.call_id != call_id:
            return False
        self._agents[agent_id] = replace(
            agent, state=state, reason=reason, since=at, call_id=None, version=agent.version + 1
        )
        self._append(event)
        return True

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
        self._check()
        old = self._calls.get(call_id)
        if old is None:
            self._seq += 1
            call = QueuedCall(call_id, queue_id, key, at, node, self._seq)
        else:
            call = replace(old, queue_id=queue_id, key=key, claimed_by=None, agent_id=None)
            if node is not None:
                call = replace(call, node=node)
        self._calls[call_id] = call
        self._queues.add(queue_id)
        self._append(event)
        return call

    async def get_call(self, call_id: CallId) -> QueuedCall | None:
        self._check()
        return self._calls.get(call_id)

    def _waiting(self, queue_id: QueueId) -> list[QueuedCall]:
        calls = [c for c in self._calls.values() if c.queue_id == queue_id and c.claimed_by is None]
        calls.sort(key=order_key)
        return calls

    async def waiting(self, queue_id: QueueId) -> list[QueuedCall]:
        self._check()
        return self._waiting(queue_id)

    def _can_claim(self, call: QueuedCall | None, node: NodeId, agent_id: AgentId | None) -> int:
        # 2 = a replay of this very claim, 1 = free to claim, 0 = no
        if call is None:
            return 0
        if call.claimed_by is None:
            return 1
        return 2 if call.claimed_by == node and call.agent_id == agent_id else 0

    async def claim_call(
        self, call_id: CallId, *, node: NodeId, at: float, event: WireEvent | None = None
    ) -> QueuedCall | None:
        self._check()
        call = self._calls.get(call_id)
        verdict = self._can_claim(call, node, None)
        if verdict == 0 or call is None:
            return None
        if verdict == 1:
            call = replace(call, claimed_by=node)
            self._calls[call_id] = call
            self._append(event)
        return call

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
        self._check()
        call = self._calls.get(call_id)
        agent = self._agents.get(agent_id)
        claim = self._can_claim(call, node, agent_id)
        if claim == 0 or call is None:
            return AssignResult.CALL_UNAVAILABLE
        reserve = self._can_reserve(agent, call_id, node, expected_state)
        if reserve == 0 or agent is None:
            return AssignResult.AGENT_UNAVAILABLE
        if claim == 2 and reserve == 2:
            return AssignResult.ASSIGNED
        self._calls[call_id] = replace(call, claimed_by=node, agent_id=agent_id)
        self._reserve(agent, call_id, node, at)
        self._append(event)
        return AssignResult.ASSIGNED

    async def remove_call(self, call_id: CallId, *, event: WireEvent | None = None) -> bool:
        self._check()
        if self._calls.pop(call_id, None) is None:
            return False
        self._append(event)
        return True

    # --- counters, snapshot ------------------------------------------------

    async def incr(self, queue_id: QueueId, counter: str, by: int = 1, *, event: WireEvent | None = None) -> int:
        self._check()
        counters = self._counters.setdefault(queue_id, {})
        counters[counter] = counters.get(counter, 0) + by
        self._queues.add(queue_id)
        self._append(event)
        return counters[counter]

    async def counters(self, queue_id: QueueId) -> dict[str, int]:
        self._check()
        return dict(self._counters.get(queue_id, {}))

    async def snapshot(self) -> Snapshot:
        self._check()
        return Snapshot(
            agents=tuple(self._agents[k] for k in sorted(self._agents)),
            queues=tuple(
                QueueView(q, tuple(self._waiting(q)), dict(self._counters.get(q, {}))) for q in sorted(self._queues)
            ),
        )

    # --- recovery and files ------------------------------------------------

    async def rebuild(
        self,
        *,
        from_agents: Iterable[LiveAgent],
        from_calls: Iterable[QueuedCall],
        counters: Mapping[QueueId, Mapping[str, int]] | None = None,
    ) -> None:
        self._check()
        self._agents = {a.id: replace(a, skills=dict(a.skills)) for a in from_agents}
        self._calls = {c.id: c for c in from_calls}
        self._seq = max((c.seq for c in self._calls.values()), default=self._seq)
        if counters is not None:
            self._counters = {q: dict(c) for q, c in counters.items()}
        self._queues = {c.queue_id for c in self._calls.values()} | set(self._counters)

    async def dump(self, path: str | os.PathLike[str]) -> None:
        """Write agents, calls and counters to a JSON file (atomically: temp file, then rename).

        Events are not written: a console that reconnects after a restart
        starts from a fresh snapshot.
        """
        self._check()
        body: dict[str, Any] = {
            "format": DUMP_FORMAT,
            "seq": self._seq,
            "agents": [_agent_json(a) for a in self._agents.values()],
            "calls": [_call_json(c) for c in self._calls.values()],
            "counters": self._counters,
        }
        text = json.dumps(body, indent=1, allow_nan=False)
        await asyncio.to_thread(_write_atomically, Path(path), text)

    async def load(self, path: str | os.PathLike[str]) -> None:
        """Replace the state with a file written by ``dump``.

        Raises:
            ValueError: the file is not a dump of this format.
        """
        self._check()
        text = await asyncio.to_thread(Path(path).read_text, "utf-8")
        body = json.loads(text)
        if not isinstance(body, dict) or body.get("format") != DUMP_FORMAT:
            raise ValueError(f"{path}: not a live-state dump of format {DUMP_FORMAT}")
        await self.rebuild(
            from_agents=[_agent_from_json(a) for a in body["agents"]],
            from_calls=[QueuedCall(**c) for c in body["calls"]],
            counters=body["counters"],
        )
        self._seq = max(self._seq, int(body["seq"]))


def _agent_json(agent: LiveAgent) -> dict[str, Any]:
    return {
        "id": agent.id,
        "state": agent.state.value,
        "reason": agent.reason,
        "since": agent.since,
        "skills": dict(agent.skills),
        "call_id": agent.call_id,
        "node": agent.node,
        "version": agent.version,
    }


def _agent_from_json(body: Mapping[str, Any]) -> LiveAgent:
    return LiveAgent(**{**body, "state": AgentState(body["state"])})


def _call_json(call: QueuedCall) -> dict[str, Any]:
    return {
        "id": call.id,
        "queue_id": call.queue_id,
        "key": call.key,
        "enqueued_at": call.enqueued_at,
        "node": call.node,
        "seq": call.seq,
        "claimed_by": call.claimed_by,
        "agent_id": call.agent_id,
    }


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, "utf-8")
    os.replace(tmp, path)
