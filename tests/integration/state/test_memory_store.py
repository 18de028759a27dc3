"""What only the in-process store does: snapshot files, and what closing means."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from acd.effects import CallQueued
from acd.model import AgentState
from callcenter.state import LiveAgent, MemoryStore, QueuedCall, StateUnavailable, open_store
from callcenter.state.redis_store import RedisStore


def test_dump_and_load_carry_the_state_over_a_clean_restart(tmp_path: Path) -> None:
    path = tmp_path / "state.json"

    async def body() -> None:
        before = MemoryStore()
        await before.put_agent(LiveAgent("a1", AgentState.READY, since=1.5, skills={"sales": 5}))
        await before.put_agent(LiveAgent("a2", AgentState.NOT_READY, reason="lunch", skills={"fr": 1}))
        await before.enqueue_call("c1", "sales", -3.25, at=2.0, node="n1")
        await before.enqueue_call("c2", "sales", 1.0, at=3.0)
        assert await before.reserve_agent("a1", "c2", node="n1", at=4.0)
        assert await before.claim_call("c2", node="n1", at=4.0) is not None
        await before.incr("sales", "offered", 2)
        await before.dump(path)
        seen = await before.snapshot()
        await before.close()

        after = MemoryStore()  # nothing survives the process by itself
        assert (await after.snapshot()).agents == ()
        await after.load(path)
        assert await after.snapshot() == seen
        assert await after.get_call("c2") == QueuedCall("c2", "sales", 1.0, 3.0, None, 2, claimed_by="n1")
        assert (await after.enqueue_call("c3", "sales", 0.0, at=5.0)).seq == 3

    asyncio.run(body())


def test_load_refuses_a_file_that_is_not_a_dump(tmp_path: Path) -> None:
    path = tmp_path / "other.json"
    path.write_text('{"agents": []}')
    with pytest.raises(ValueError, match="not a live-state dump"):
        asyncio.run(MemoryStore().load(path))


def test_a_closed_store_is_unavailable_and_ends_its_subscriptions() -> None:
    async def body() -> None:
        store = MemoryStore()
        sub = await store.subscribe()
        waiter = asyncio.ensure_future(anext(sub))
        await asyncio.sleep(0)
        await sub.close()
        with pytest.raises(StopAsyncIteration):
            await waiter
        await store.close()
        with pytest.raises(StateUnavailable, match="closed"):
            await store.publish(CallQueued("c1", "sales", 1.0))

    asyncio.run(body())


def test_open_store_follows_the_redis_url_setting() -> None:
    async def body() -> None:
        assert isinstance(open_store(None), MemoryStore)
        assert isinstance(open_store(""), MemoryStore)
        store = open_store("redis://127.0.0.1:1/0", prefix="x")  # nothing connects yet
        assert isinstance(store, RedisStore)
        await store.close()

    asyncio.run(body())
