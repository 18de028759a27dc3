"""Live state in Redis, shared by every service node (``redis.asyncio``).

Each change is one Lua script (one round trip, atomic on the server); the
layout of keys and the scripts are described in docs/state.md. Events go to
a Redis stream, so a node that reconnects resumes from the last position it
saw instead of losing what was published meanwhile.

Failure behaviour: the client reconnects with exponential backoff a bounded
number of times; an operation that still cannot reach the server raises
``StateUnavailable`` within ``op_timeout`` seconds. Retries are safe because
reservation and claim are idempotent per (agent, call, node).
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import Any, TypeVar

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from acd.model import AgentId, AgentState, CallId, QueueId
from callcenter.state import lua
from callcenter.state.errors import AgentNotFound, StateError, StateUnavailable, VersionConflict
from callcenter.state.events import Received, WireEvent, decode, encode
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

T = TypeVar("T")

DEFAULT_PREFIX = "cc"


def _text(value: str | None) -> str:
    return "" if value is None else value


def _str(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _strs(fields: Mapping[bytes, bytes] | Mapping[str, str] | Mapping[bytes | str, bytes | str]) -> dict[str, str]:
    return {_str(k): _str(v) for k, v in fields.items()}


def _opt(value: str) -> str | None:
    return value or None


def _pairs(flat: list[str]) -> dict[str, str]:
    return dict(zip(flat[::2], flat[1::2]))


def _agent(agent_id: AgentId, fields: Mapping[str, str]) -> LiveAgent:
    return LiveAgent(
        id=agent_id,
        state=AgentState(fields["state"]),
        reason=_opt(fields["reason"]),
        since=float(fields["since"]),
        skills=json.loads(fields["skills"]),
        call_id=_opt(fields["call"]),
        node=_opt(fields["node"]),
        version=int(fields["version"]),
    )


def _call(call_id: CallId, fields: Mapping[str, str]) -> QueuedCall:
    return QueuedCall(
        id=call_id,
        queue_id=fields["queue"],
        key=float(fields["key"]),
        enqueued_at=float(fields["at"]),
        node=_opt(fields["node"]),
        seq=int(fields["seq"]),
        claimed_by=_opt(fields["claimed"]),
        agent_id=_opt(fields["agent"]),
    )


def _escape_glob(text: str) -> str:
    return "".join("\\" + ch if ch in "*?[]\\" else ch for ch in text)


class _RedisSubscription:
    def __init__(self, store: RedisStore, after: str, block_ms: int) -> None:
        self._store = store
        self._after = after
        self._block_ms = block_ms
        self._buffer: deque[Received] = deque()
        self._closed = False

    def __aiter__(self) -> AsyncIterator[Received]:
        return self

    async def __anext__(self) -> Received:
        client = self._store._client
        stream = self._store._events
        while not self._buffer:
            if self._closed:
                raise StopAsyncIteration
            after = self._after
            reply: Any = await self._store._do(
                lambda: client.xread({stream: after}, count=100, block=self._block_ms),
                extra_s=self._block_ms / 1000,
            )
            for _stream, entries in reply or ():
                for position, fields in entries:
                    self._buffer.append(Received(position, decode(fields["e"])))
        item = self._buffer.popleft()
        self._after = item.position
        return item

    async def close(self) -> None:
        self._closed = True


class RedisStore:
    """The live-state contract on a Redis server shared by several nodes.

    Build it with ``RedisStore.from_url``; nothing connects until the first
    operation. Keys live under ``{prefix}:`` (a hash tag: one cluster slot).

    Args:
        client: a ``redis.asyncio.Redis`` with ``decode_responses=True``.
        prefix: namespace of every key; several centers can share a server.
        op_timeout: longest an operation may take, retries included, before
            ``StateUnavailable``.
        events_kept: approximate length of the event stream (older events
            are trimmed; a node away longer resumes from a fresh snapshot).
        block_ms: how long one stream read waits for new events.
    """

    def __init__(
        self,
        client: Redis,
        *,
        prefix: str = DEFAULT_PREFIX,
        op_timeout: float = 2.0,
        events_kept: int = 10_000,
        block_ms: int = 1000,
    ) -> None:
        if not prefix or "{" in prefix or "}" in prefix:
            raise ValueError(f"prefix {prefix!r}: give a non-empty name without braces")
        self._client = client
        self._prefix = prefix
        self._base = "{" + prefix + "}:"
        self._op_timeout = op_timeout
        self._maxlen = str(events_kept)
        self._block_ms = block_ms
        self._agents = self._base + "agents"
        self._queues = self._base + "queues"
        self._seq = self._base + "seq"
        self._events = self._base + "events"
        register = client.register_script
        self._put_agent = register(lua.PUT_AGENT)
        self._remove_agent = register(lua.REMOVE_AGENT)
        self._set_state = register(lua.SET_STATE)
        self._reserve = register(lua.RESERVE)
        self._release = register(lua.RELEASE)
        self._enqueue = register(lua.ENQUEUE)
        self._claim = register(lua.CLAIM)
        self._assign = register(lua.ASSIGN)
        self._remove_call = register(lua.REMOVE_CALL)
        self._incr = register(lua.INCR)
        self._waiting = register(lua.WAITING)
        self._snapshot = register(lua.SNAPSHOT)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        op_timeout: float = 2.0,
        retries: int = 3,
        backoff_base: float = 0.05,
        backoff_cap: float = 0.5,
        events_kept: int = 10_000,
        block_ms: int = 1000,
        **client_options: Any,
    ) -> RedisStore:
        """A store on the server at ``url`` (``redis://host:port/db``); no connection yet.

        Args:
            retries: reconnect attempts per operation, ``backoff_base``
                doubling up to ``backoff_cap`` seconds between them.
            client_options: passed on to ``redis.asyncio.Redis.from_url``.
        """
        options: dict[str, Any] = {
            "decode_responses": True,
            "socket_connect_timeout": min(1.0, op_timeout),
            # the deadline is kept around each whole operation (retries included),
            # so a second timer per socket read would only cost time
            "socket_timeout": None,
            "retry": Retry(ExponentialBackoff(cap=backoff_cap, base=backoff_base), retries),
        }
        options.update(client_options)
        client = Redis.from_url(url, **options)
        return cls(client, prefix=prefix, op_timeout=op_timeout, events_kept=events_kept, block_ms=block_ms)

    async def __aenter__(self) -> RedisStore:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        await self._client.aclose()

    async def _do(self, op: Callable[[], Awaitable[T]], extra_s: float = 0.0) -> T:
        try:
            async with asyncio.timeout(self._op_timeout + extra_s):
                return await op()
        except (RedisConnectionError, RedisTimeoutError, TimeoutError, OSError) as exc:
            raise StateUnavailable(f"Redis state store unreachable: {type(exc).__name__}: {exc}") from exc
        except RedisError as exc:
            raise StateError(f"Redis state store refused an operation: {exc}") from exc

    def _event(self, event: WireEvent | None) -> str:
        return "" if event is None else encode(event)

    # --- events ------------------------------------------------------------

    async def publish(self, event: WireEvent) -> str:
        body = encode(event)
        position = await self._do(
            lambda: self._client.xadd(self._events, {"e": body}, maxlen=int(self._maxlen), approximate=True)
        )
        return _str(position)

    async def subscribe(self, after: str | None = None) -> _RedisSubscription:
        if after is None:
            last: Any = await self._do(lambda: self._client.xrevrange(self._events, count=1))
            after = _str(last[0][0]) if last else "0-0"
        return _RedisSubscription(self, after, self._block_ms)

    # --- agents ------------------------------------------------------------

    def _agent_key(self, agent_id: AgentId) -> str:
        return self._base + "agent:" + agent_id

    async def put_agent(
        self, agent: LiveAgent, *, expected_version: int | None = None, event: WireEvent | None = None
    ) -> LiveAgent:
        keys = [self._agent_key(agent.id), self._agents, self._events]
        args = [
            agent.id,
            agent.state.value,
            _text(agent.reason),
            repr(float(agent.since)),
            json.dumps(dict(agent.skills), sort_keys=True, separators=(",", ":")),
            _text(agent.call_id),
            _text(agent.node),
            "" if expected_version is None else str(expected_version),
            self._event(event),
            self._maxlen,
        ]
        code, version = await self._do(lambda: self._put_agent(keys, args))
        if code == -2:
            raise VersionConflict(agent.id, expected_version or 0, int(version))
        return LiveAgent(
            agent.id, agent.state, agent.reason, float(agent.since), dict(agent.skills), agent.call_id, agent.node,
            int(version),
        )

    async def get_agent(self, agent_id: AgentId) -> LiveAgent | None:
        fields = await self._do(lambda: self._client.hgetall(self._agent_key(agent_id)))
        return _agent(agent_id, _strs(fields)) if fields else None

    async def agents(self) -> list[LiveAgent]:
        agents, _queues = await self._do(lambda: self._snapshot([self._agents, self._queues], [self._base, "0"]))
        return sorted((_agent(a, _pairs(f)) for a, f in agents), key=lambda a: a.id)

    async def remove_agent(self, agent_id: AgentId, *, event: WireEvent | None = None) -> bool:
        keys = [self._agent_key(agent_id), self._agents, self._events]
        done = await self._do(lambda: self._remove_agent(keys, [agent_id, self._event(event), self._maxlen]))
        return bool(done)

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
        keys = [self._agent_key(agent_id), self._events]
        args = [
            state.value,
            _text(reason),
            repr(float(at)),
            _text(call_id),
            "1" if state in CALL_STATES else "0",
            _text(node),
            "" if expected_version is None else str(expected_version),
            self._event(event),
            self._maxlen,
        ]
        reply = await self._do(lambda: self._set_state(keys, args))
        if reply[0] == -1:
            raise AgentNotFound(agent_id)
        if reply[0] == -2:
            raise VersionConflict(agent_id, expected_version or 0, int(reply[1]))
        return _agent(agent_id, _pairs(reply[1]))

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
        if not call_id or not node:
            raise ValueError("reserve_agent needs a call id and a node")
        keys = [self._agent_key(agent_id), self._events]
        args = [call_id, node, repr(float(at)), expected_state.value, self._event(event), self._maxlen]
        return bool(await self._do(lambda: self._reserve(keys, args)))

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
        if not call_id:
            return False
        keys = [self._agent_key(agent_id), self._events]
        args = [call_id, repr(float(at)), state.value, _text(reason), self._event(event), self._maxlen]
        return bool(await self._do(lambda: self._release(keys, args)))

    # --- calls -------------------------------------------------------------

    def _call_key(self, call_id: CallId) -> str:
        return self._base + "call:" + call_id

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
        keys = [self._call_key(call_id), self._queues, self._seq, self._events]
        args = [
            call_id, queue_id, repr(float(key)), repr(float(at)), _text(node), self._base, self._event(event),
            self._maxlen,
        ]
        fields = await self._do(lambda: self._enqueue(keys, args))
        return _call(call_id, _pairs(fields))

    async def get_call(self, call_id: CallId) -> QueuedCall | None:
        fields = await self._do(lambda: self._client.hgetall(self._call_key(call_id)))
        return _call(call_id, _strs(fields)) if fields else None

    async def waiting(self, queue_id: QueueId) -> list[QueuedCall]:
        zset = self._base + "waiting:" + queue_id
        rows = await self._do(lambda: self._waiting([zset], [self._base]))
        return sorted((_call(c, _pairs(f)) for c, f in rows), key=order_key)

    async def claim_call(
        self, call_id: CallId, *, node: NodeId, at: float, event: WireEvent | None = None
    ) -> QueuedCall | None:
        if not node:
            raise ValueError("claim_call needs a node")
        keys = [self._call_key(call_id), self._events]
        args = [call_id, node, self._base, self._event(event), self._maxlen]
        fields = await self._do(lambda: self._claim(keys, args))
        return _call(call_id, _pairs(fields)) if fields else None

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
        if not node:
            raise ValueError("assign needs a node")
        keys = [self._agent_key(agent_id), self._call_key(call_id), self._events]
        args = [
            call_id, agent_id, node, repr(float(at)), expected_state.value, self._base, self._event(event),
            self._maxlen,
        ]
        return AssignResult(await self._do(lambda: self._assign(keys, args)))

    async def remove_call(self, call_id: CallId, *, event: WireEvent | None = None) -> bool:
        keys = [self._call_key(call_id), self._events]
        args = [call_id, self._base, self._event(event), self._maxlen]
        return bool(await self._do(lambda: self._remove_call(keys, args)))

    # --- counters, snapshot ------------------------------------------------

    async def incr(self, queue_id: QueueId, counter: str, by: int = 1, *, event: WireEvent | None = None) -> int:
        keys = [self._base + "counters:" + queue_id, self._queues, self._events]
        args = [queue_id, counter, str(by), self._event(event), self._maxlen]
        return int(await self._do(lambda: self._incr(keys, args)))

    async def counters(self, queue_id: QueueId) -> dict[str, int]:
        fields = await self._do(lambda: self._client.hgetall(self._base + "counters:" + queue_id))
        return {k: int(v) for k, v in _strs(fields).items()}

    async def snapshot(self) -> Snapshot:
        agents, queues = await self._do(lambda: self._snapshot([self._agents, self._queues], [self._base, "1"]))
        return Snapshot(
            agents=tuple(sorted((_agent(a, _pairs(f)) for a, f in agents), key=lambda a: a.id)),
            queues=tuple(
                sorted(
                    (
                        QueueView(
                            q,
                            tuple(sorted((_call(c, _pairs(f)) for c, f in calls), key=order_key)),
                            {k: int(v) for k, v in _pairs(counters).items()},
                        )
                        for q, calls, counters in queues
                    ),
                    key=lambda view: view.id,
                )
            ),
        )

    # --- recovery ----------------------------------------------------------

    async def _keys(self, pattern: str) -> list[str]:
        async def scan() -> list[str]:
            match = _escape_glob(self._base) + pattern
            return [_str(k) async for k in self._client.scan_iter(match=match, count=1000)]

        return await self._do(scan)

    async def rebuild(
        self,
        *,
        from_agents: Iterable[LiveAgent],
        from_calls: Iterable[QueuedCall],
        counters: Mapping[QueueId, Mapping[str, int]] | None = None,
    ) -> None:
        counter_keys = await self._keys("counters:*")
        stale = await self._keys("agent:*") + await self._keys("call:*") + await self._keys("waiting:*")
        if counters is not None:
            stale += counter_keys
            queues = set(counters)
        else:
            queues = {k[len(self._base) + len("counters:"):] for k in counter_keys}
        agents = list(from_agents)
        calls = list(from_calls)
        # the arrival counter never goes back: ties keep their order after a rebuild
        seq = max([int(await self._do(lambda: self._client.get(self._seq)) or 0)] + [c.seq for c in calls])

        async def write() -> None:
            pipe = self._client.pipeline(transaction=True)
            for key in stale + [self._agents, self._queues]:
                pipe.delete(key)
            for a in agents:
                pipe.hset(
                    self._agent_key(a.id),
                    mapping={
                        "state": a.state.value,
                        "reason": _text(a.reason),
                        "since": repr(float(a.since)),
                        "skills": json.dumps(dict(a.skills), sort_keys=True, separators=(",", ":")),
                        "call": _text(a.call_id),
                        "node": _text(a.node),
                        "version": str(a.version),
                    },
                )
                pipe.sadd(self._agents, a.id)
            for c in calls:
                pipe.hset(
                    self._call_key(c.id),
                    mapping={
                        "queue": c.queue_id,
                        "key": repr(float(c.key)),
                        "at": repr(float(c.enqueued_at)),
                        "node": _text(c.node),
                        "seq": str(c.seq),
                        "claimed": _text(c.claimed_by),
                        "agent": _text(c.agent_id),
                    },
                )
                if c.claimed_by is None:
                    pipe.zadd(self._base + "waiting:" + c.queue_id, {c.id: c.key})
                pipe.sadd(self._queues, c.queue_id)
            for q, values in (counters or {}).items():
                if values:
                    pipe.hset(self._base + "counters:" + q, mapping={k: str(v) for k, v in values.items()})
            for q in queues:
                pipe.sadd(self._queues, q)
            pipe.set(self._seq, seq)
            await pipe.execute()

        await self._do(write)
