"""Redis store across restarts: of the service, of Redis, and Redis losing its data."""

from __future__ import annotations

import time

import pytest
from redis import Redis

from acd.effects import CallQueued
from acd.model import AgentState
from callcenter.state import LiveAgent, QueuedCall, StateStore, StateUnavailable
from callcenter.state.redis_store import RedisStore
from callcenter.state.testing import LocalRedis, free_port
from tests.integration.state.conftest import Stores, new_prefix

READY = AgentState.READY


async def populate(store: StateStore) -> None:
    await store.put_agent(LiveAgent("a1", READY, since=1.0, skills={"sales": 5, "fr": 2}))
    await store.put_agent(LiveAgent("a2", READY, since=1.0, skills={"sales": 3}))
    await store.enqueue_call("c1", "sales", 4.0, at=4.0, node="n1")
    await store.enqueue_call("c2", "sales", 5.0, at=5.0, node="n1")
    assert await store.reserve_agent("a1", "c9", node="n1", at=6.0)
    await store.incr("sales", "offered", 7)


def test_a_new_store_object_sees_everything_after_a_service_restart(redis_stores: Stores) -> None:
    async def body() -> None:
        before = redis_stores.open()
        await populate(before)
        seen = await before.snapshot()
        await before.close()
        after = redis_stores.open()  # the service came back: a new client, the same keys
        assert await after.snapshot() == seen
        assert await after.reserve_agent("a1", "c1", node="n2", at=7.0) is False  # still held

    redis_stores.run(body)


def test_the_key_layout_is_the_documented_one(redis_stores: Stores) -> None:
    async def body() -> None:
        await populate(redis_stores.open())

    redis_stores.run(body)
    base = "{" + redis_stores.prefix + "}:"
    assert redis_stores.url is not None
    with Redis.from_url(redis_stores.url, decode_responses=True) as raw:
        assert raw.smembers(base + "agents") == {"a1", "a2"}
        assert raw.hgetall(base + "agent:a1") == {
            "state": "reserved", "reason": "", "since": "6.0", "skills": '{"fr":2,"sales":5}',
            "call": "c9", "node": "n1", "version": "2",
        }
        assert raw.zrange(base + "waiting:sales", 0, -1, withscores=True) == [("c1", 4.0), ("c2", 5.0)]
        assert raw.hgetall(base + "call:c1") == {
            "queue": "sales", "key": "4.0", "at": "4.0", "node": "n1", "seq": "1", "claimed": "", "agent": "",
        }
        assert raw.smembers(base + "queues") == {"sales"}
        assert raw.hgetall(base + "counters:sales") == {"offered": "7"}
        assert raw.type(base + "events") in ("none", "stream")


def test_an_unreachable_server_raises_state_unavailable_quickly() -> None:
    async def body() -> None:
        store = RedisStore.from_url(f"redis://127.0.0.1:{free_port()}/0", prefix=new_prefix(), op_timeout=1.0)
        started = time.monotonic()
        with pytest.raises(StateUnavailable, match="unreachable"):
            await store.get_agent("a1")
        assert time.monotonic() - started < 2.0
        await store.close()

    Stores("redis").run(body)


def test_redis_restart_fails_fast_while_down_then_everything_is_back(own_redis: LocalRedis) -> None:
    prefix = new_prefix()

    async def body() -> None:
        store = RedisStore.from_url(own_redis.url, prefix=prefix, op_timeout=1.0, block_ms=200)
        try:
            await populate(store)
            seen = await store.snapshot()
            sub = await store.subscribe()
            await store.publish(CallQueued("c3", "sales", 8.0))
            last = await anext(sub)

            own_redis.stop(kill=True)  # a crash: only the append-only file is left
            for attempt in (store.reserve_agent("a2", "c1", node="n1", at=9.0), store.snapshot()):
                started = time.monotonic()
                with pytest.raises(StateUnavailable):
                    await attempt
                assert time.monotonic() - started < 2.5
            with pytest.raises(StateUnavailable):
                await anext(sub)  # the listener learns it too, and may resume later

            own_redis.start()
            assert await store.snapshot() == seen  # the same store object reconnected
            assert await store.reserve_agent("a2", "c1", node="n1", at=10.0) is True
            await store.publish(CallQueued("c4", "sales", 11.0))
            resumed = await store.subscribe(after=last.position)
            assert (await anext(resumed)).event == CallQueued("c4", "sales", 11.0)
            await resumed.close()
        finally:
            await store.close()

    Stores("redis").run(body)


def test_a_frozen_server_times_out_instead_of_hanging(own_redis: LocalRedis) -> None:
    prefix = new_prefix()

    async def body() -> None:
        store = RedisStore.from_url(own_redis.url, prefix=prefix, op_timeout=0.5, retries=1)
        try:
            await populate(store)
            own_redis.pause()
            try:
                started = time.monotonic()
                with pytest.raises(StateUnavailable):
                    await store.reserve_agent("a2", "c1", node="n1", at=9.0)
                assert time.monotonic() - started < 1.5
            finally:
                own_redis.resume()
            # the frozen server may have run the request on waking: asking again is safe
            assert await store.reserve_agent("a2", "c1", node="n1", at=9.0) is True
            agent = await store.get_agent("a2")
            assert agent is not None and (agent.state, agent.call_id, agent.version) == (AgentState.RESERVED, "c1", 2)
            # and no late reply to the abandoned request is mistaken for a new one
            assert await store.counters("sales") == {"offered": 7}
            assert [c.id for c in await store.waiting("sales")] == ["c1", "c2"]
        finally:
            await store.close()

    Stores("redis").run(body)


def test_rebuild_after_redis_lost_its_data(own_redis: LocalRedis) -> None:
    prefix = new_prefix()

    async def body() -> None:
        store = RedisStore.from_url(own_redis.url, prefix=prefix, op_timeout=1.0)
        try:
            await populate(store)
            agents = await store.agents()
            calls = [c for c in (await store.waiting("sales"))]
            with Redis(port=own_redis.port) as raw:
                raw.flushall()  # our own server: simulate a restart without persistence
            assert await store.agents() == []
            await store.rebuild(from_agents=agents, from_calls=calls, counters={"sales": {"offered": 7}})
            assert await store.agents() == agents
            assert await store.waiting("sales") == calls
            assert await store.reserve_agent("a1", "c1", node="n1", at=9.0) is False  # the reservation was rebuilt
            assert (await store.enqueue_call("c5", "sales", 1.0, at=9.0)).seq == 3
            assert await store.get_call("c5") == QueuedCall("c5", "sales", 1.0, 9.0, None, 3)
        finally:
            await store.close()

    Stores("redis").run(body)
