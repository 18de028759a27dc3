"""Live state of the center: agents, waiting calls, counters, events; one contract, two stores.

``MemoryStore`` keeps it in process (one node); ``RedisStore`` keeps it in
Redis, shared by several nodes, each with its own router. ``open_store``
picks one from the ``redis_url`` setting; nothing connects at import.
"""

from __future__ import annotations

from typing import Any

from callcenter.state.contract import StateStore, Subscription
from callcenter.state.errors import AgentNotFound, StateError, StateUnavailable, UnknownEvent, VersionConflict
from callcenter.state.events import (
    AgentReleased,
    AgentReserved,
    CallClaimed,
    CounterChanged,
    Received,
    WireEvent,
    decode,
    encode,
    register,
)
from callcenter.state.memory import MemoryStore
from callcenter.state.model import AssignResult, LiveAgent, NodeId, QueuedCall, QueueView, Snapshot


def open_store(redis_url: str | None, *, prefix: str = "cc", **options: Any) -> StateStore:
    """The store the settings ask for: Redis at ``redis_url``, else in process.

    Args:
        redis_url: ``redis://host:port/db``, or None/empty for one node.
        prefix: namespace of the Redis keys.
        options: passed on to ``RedisStore.from_url`` (``op_timeout``, ``retries``...).
    """
    if not redis_url:
        return MemoryStore()
    from callcenter.state.redis_store import RedisStore  # redis is only needed when asked for

    return RedisStore.from_url(redis_url, prefix=prefix, **options)


__all__ = [
    "AgentNotFound",
    "AgentReleased",
    "AgentReserved",
    "AssignResult",
    "CallClaimed",
    "CounterChanged",
    "LiveAgent",
    "MemoryStore",
    "NodeId",
    "QueueView",
    "QueuedCall",
    "Received",
    "Snapshot",
    "StateError",
    "StateStore",
    "StateUnavailable",
    "Subscription",
    "UnknownEvent",
    "VersionConflict",
    "WireEvent",
    "decode",
    "encode",
    "open_store",
    "register",
]
