"""Both stores answer the same to the same operations (a model-based check).

Random sequences of operations run against a ``MemoryStore`` and a
``RedisStore``; every answer (or error) and the final snapshot must match,
versions and arrival numbers included.
"""

from __future__ import annotations

import asyncio
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from acd.model import AgentState
from callcenter.state import LiveAgent, MemoryStore, StateError, StateStore
from callcenter.state.redis_store import RedisStore
from tests.integration.state.conftest import delete_prefix, new_prefix

AGENTS = st.sampled_from(["a1", "a2", "a3"])
CALLS = st.sampled_from(["c1", "c2", "c3", "c4"])
NODES = st.sampled_from(["n1", "n2"])
QUEUES = st.sampled_from(["sales", "support"])
STATES = st.sampled_from(list(AgentState))
TIMES = st.integers(0, 100).map(float)
KEYS = st.integers(-3, 3).map(lambda k: k / 2)

OPS = st.one_of(
    st.tuples(st.just("put_agent"), AGENTS, STATES, st.sampled_from([None, "break"]), st.none() | st.integers(0, 3)),
    st.tuples(st.just("set_agent_state"), AGENTS, STATES, TIMES, st.none() | CALLS, st.none() | NODES,
              st.none() | st.integers(0, 4)),
    st.tuples(
        st.just("reserve_agent"), AGENTS, CALLS, NODES, TIMES, st.sampled_from([AgentState.READY, AgentState.NOT_READY])
    ),
    st.tuples(st.just("release_agent"), AGENTS, CALLS, TIMES, STATES),
    st.tuples(st.just("enqueue_call"), CALLS, QUEUES, KEYS, TIMES, st.none() | NODES),
    st.tuples(st.just("claim_call"), CALLS, NODES, TIMES),
    st.tuples(st.just("assign"), CALLS, AGENTS, NODES, TIMES),
    st.tuples(st.just("remove_call"), CALLS),
    st.tuples(st.just("remove_agent"), AGENTS),
    st.tuples(st.just("incr"), QUEUES, st.sampled_from(["offered", "answered"]), st.integers(-2, 5)),
    st.tuples(st.just("waiting"), QUEUES),
)


async def apply(store: StateStore, op: tuple[Any, ...]) -> object:
    kind, *args = op
    try:
        if kind == "put_agent":
            agent_id, state, reason, expected = args
            return await store.put_agent(
                LiveAgent(agent_id, state, reason, 1.0, {"sales": 3}), expected_version=expected
            )
        if kind == "set_agent_state":
            agent_id, state, at, call_id, node, expected = args
            return await store.set_agent_state(
                agent_id, state, at=at, call_id=call_id, node=node, expected_version=expected
            )
        if kind == "reserve_agent":
            agent_id, call_id, node, at, expected_state = args
            return await store.reserve_agent(agent_id, call_id, node=node, at=at, expected_state=expected_state)
        if kind == "release_agent":
            agent_id, call_id, at, state = args
            return await store.release_agent(agent_id, call_id, at=at, state=state)
        if kind == "enqueue_call":
            call_id, queue_id, key, at, node = args
            return await store.enqueue_call(call_id, queue_id, key, at=at, node=node)
        if kind == "claim_call":
            call_id, node, at = args
            return await store.claim_call(call_id, node=node, at=at)
        if kind == "assign":
            call_id, agent_id, node, at = args
            return await store.assign(call_id, agent_id, node=node, at=at)
        if kind == "remove_call":
            return await store.remove_call(args[0])
        if kind == "remove_agent":
            return await store.remove_agent(args[0])
        if kind == "incr":
            return await store.incr(*args)
        return await store.waiting(args[0])
    except StateError as exc:
        return type(exc)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops=st.lists(OPS, max_size=30))
def test_memory_and_redis_stores_agree(redis_url: str, ops: list[tuple[Any, ...]]) -> None:
    prefix = new_prefix()

    async def body() -> None:
        memory = MemoryStore()
        redis = RedisStore.from_url(redis_url, prefix=prefix)
        try:
            for op in ops:
                assert await apply(memory, op) == await apply(redis, op), op
            assert await memory.snapshot() == await redis.snapshot()
        finally:
            await redis.close()

    try:
        asyncio.run(body())
    finally:
        delete_prefix(redis_url, prefix)
