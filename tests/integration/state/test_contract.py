"""The live-state contract, run against both stores."""

from __future__ import annotations

import pytest

from acd.effects import AgentStateChanged, CallQueued
from acd.model import AgentState
from callcenter.state import (
    AgentNotFound,
    AgentReserved,
    AssignResult,
    CallClaimed,
    CounterChanged,
    LiveAgent,
    QueuedCall,
    Received,
    StateStore,
    VersionConflict,
    WireEvent,
)
from tests.integration.state.conftest import Stores

READY = AgentState.READY


async def ready_agent(store: StateStore, agent_id: str, **skills: int) -> LiveAgent:
    return await store.put_agent(LiveAgent(agent_id, READY, since=1.0, skills=skills or {"sales": 5}))


def test_put_and_get_agent_count_versions(stores: Stores) -> None:
    async def body() -> None:
        store = stores.open()
        assert await store.get_agent("a1") is None
        first = await store.put_agent(LiveAgent("a1", AgentState.LOGGED_OUT, skills={"sales": 7, "fr": 3}))
        assert first.version == 1
        second = await store.put_agent(LiveAgent("a1", READY, since=5.5, skills={"sales": 8}, node="n1"))
        assert second.version == 2
        assert await store.get_agent("a1") == LiveAgent("a1", READY, None, 5.5, {"sales": 8}, None, "n1", 2)
        with pytest.raises(VersionConflict) as caught:
            await store.put_agent(LiveAgent("a1", READY), expected_version=1)
        assert (caught.value.expected, caught.value.actual) == (1, 2)
        with pytest.raises(VersionConflict):
            await store.put_agent(LiveAgent("a1", READY), expected_version=0)  # 0: must be new
        assert (await store.put_agent(LiveAgent("b2", READY), expected_version=0)).version == 1
        assert [a.id for a in await store.agents()] == ["a1", "b2"]
        assert await store.remove_agent("b2") is True
        assert await store.remove_agent("b2") is False
        assert [a.id for a in await store.agents()] == ["a1"]

    stores.run(body)


def test_set_agent_state_keeps_the_call_only_in_call_states(stores: Stores) -> None:
    async def body() -> None:
        store = stores.open()
        agent = await ready_agent(store, "a1")
        assert await store.reserve_agent("a1", "c1", node="n1", at=2.0)
        busy = await store.set_agent_state("a1", AgentState.BUSY, at=3.0)
        assert (busy.state, busy.call_id, busy.node, busy.since) == (AgentState.BUSY, "c1", "n1", 3.0)
        assert busy.version == agent.version + 2
        wrap = await store.set_agent_state("a1", AgentState.WRAP_UP, at=4.0, node="n2", expected_version=busy.version)
        assert (wrap.call_id, wrap.node) == ("c1", "n2")
        with pytest.raises(VersionConflict):
            await store.set_agent_state("a1", READY, at=5.0, expected_version=busy.version)
        paused = await store.set_agent_state("a1", AgentState.NOT_READY, at=5.0, reason="break")
        assert (paused.state, paused.reason, paused.call_id) == (AgentState.NOT_READY, "break", None)
        assert await store.get_agent("a1") == paused
        with pytest.raises(AgentNotFound):
            await store.set_agent_state("ghost", READY, at=1.0)

    stores.run(body)


def test_reserve_only_a_ready_free_agent_and_replays_are_harmless(stores: Stores) -> None:
    async def body() -> None:
        store = stores.open()
        await ready_agent(store, "a1")
        assert await store.reserve_agent("a1", "c1", node="n1", at=2.0) is True
        reserved = await store.get_agent("a1")
        assert reserved is not None
        assert (reserved.state, reserved.call_id, reserved.node) == (AgentState.RESERVED, "c1", "n1")
        assert reserved.since == 2.0
        # another call, another node: refused; the same reservation again: success, no change
        assert await store.reserve_agent("a1", "c2", node="n2", at=2.1) is False
        assert await store.reserve_agent("a1", "c2", node="n1", at=2.1) is False
        assert await store.reserve_agent("a1", "c1", node="n1", at=2.2) is True
        assert await store.get_agent("a1") == reserved
        assert await store.reserve_agent("ghost", "c1", node="n1", at=2.0) is False
        # a not-ready agent is refused unless that is the state the caller expects
        await store.put_agent(LiveAgent("a2", AgentState.NOT_READY, reason="break"))
        assert await store.reserve_agent("a2", "c3", node="n1", at=3.0) is False
        assert await store.reserve_agent("a2", "c3", node="n1", at=3.0, expected_state=AgentState.NOT_READY)

    stores.run(body)


def test_release_needs_the_right_call(stores: Stores) -> None:
    async def body() -> None:
        store = stores.open()
        await ready_agent(store, "a1")
        assert await store.release_agent("a1", "c1", at=1.0) is False
        assert await store.reserve_agent("a1", "c1", node="n1", at=2.0)
        assert await store.release_agent("a1", "other", at=3.0) is False
        assert await store.release_agent("a1", "c1", at=3.0, state=AgentState.NOT_READY, reason="no-answer")
        agent = await store.get_agent("a1")
        assert agent is not None
        assert (agent.state, agent.reason, agent.call_id, agent.since) == (AgentState.NOT_READY, "no-answer", None, 3.0)
        assert await store.release_agent("a1", "c1", at=4.0) is False
        assert await store.reserve_agent("a1", "c2", node="n1", at=5.0) is False  # not ready
        await store.set_agent_state("a1", READY, at=6.0)
        assert await store.reserve_agent("a1", "c2", node="n2", at=7.0)

    stores.run(body)


def test_waiting_calls_in_priority_key_order_then_arrival(stores: Stores) -> None:
    async def body() -> None:
        store = stores.open()
        await store.enqueue_call("c1", "sales", 10.0, at=10.0, node="n1")
        await store.enqueue_call("c2", "sales", -50.0, at=11.0, node="n2")  # a valuable caller
        await store.enqueue_call("c3", "sales", 10.0, at=12.0, node="n1")  # same key as c1, later
        await store.enqueue_call("c0", "sales", 10.0, at=13.0)  # same key, later still: arrival decides, not the id
        await store.enqueue_call("s1", "support", 1.0, at=14.0)
        assert [c.id for c in await store.waiting("sales")] == ["c2", "c1", "c3", "c0"]
        assert [c.id for c in await store.waiting("support")] == ["s1"]
        assert await store.waiting("nothing") == []
        assert await store.get_call("c1") == QueuedCall("c1", "sales", 10.0, 10.0, "n1", seq=1)
        # overflow to another queue keeps arrival order and time
        moved = await store.enqueue_call("c1", "support", 0.5, at=20.0)
        assert moved == QueuedCall("c1", "support", 0.5, 10.0, "n1", seq=1)
        assert [c.id for c in await store.waiting("sales")] == ["c2", "c3", "c0"]
        assert [c.id for c in await store.waiting("support")] == ["c1", "s1"]
        assert await store.remove_call("c3") is True
        assert await store.remove_call("c3") is False
        assert await store.get_call("c3") is None
        assert [c.id for c in await store.waiting("sales")] == ["c2", "c0"]

    stores.run(body)


def test_claim_is_atomic_and_requeue_puts_the_call_back(stores: Stores) -> None:
    async def body() -> None:
        store = stores.open()
        await store.enqueue_call("c1", "sales", 1.0, at=1.0, node="n1")
        claimed = await store.claim_call("c1", node="n2", at=2.0)
        assert claimed is not None and (claimed.claimed_by, claimed.waiting) == ("n2", False)
        assert await store.claim_call("c1", node="n1", at=2.0) is None
        assert await store.claim_call("c1", node="n2", at=2.0) == claimed  # replay
        assert await store.claim_call("ghost", node="n1", at=2.0) is None
        assert await store.waiting("sales") == []
        back = await store.enqueue_call("c1", "sales", 0.0, at=3.0)
        assert (back.claimed_by, back.key, back.enqueued_at) == (None, 0.0, 1.0)
        assert [c.id for c in await store.waiting("sales")] == ["c1"]
        assert (await store.claim_call("c1", node="n1", at=4.0)) is not None

    stores.run(body)


def test_assign_takes_both_sides_or_neither(stores: Stores) -> None:
    async def body() -> None:
        store = stores.open()
        await ready_agent(store, "a1")
        await ready_agent(store, "a2")
        await store.enqueue_call("c1", "sales", 1.0, at=1.0)
        await store.enqueue_call("c2", "sales", 2.0, at=1.0)
        assert await store.assign("c1", "a1", node="n1", at=2.0) is AssignResult.ASSIGNED
        assert await store.assign("c1", "a1", node="n1", at=2.0) is AssignResult.ASSIGNED  # replay
        agent = await store.get_agent("a1")
        call = await store.get_call("c1")
        assert agent is not None and (agent.state, agent.call_id, agent.node) == (AgentState.RESERVED, "c1", "n1")
        assert call is not None and (call.claimed_by, call.agent_id) == ("n1", "a1")
        assert await store.assign("c1", "a2", node="n2", at=2.0) is AssignResult.CALL_UNAVAILABLE
        assert await store.assign("c2", "a1", node="n2", at=2.0) is AssignResult.AGENT_UNAVAILABLE
        # the refused side is left exactly as it was
        assert [c.id for c in await store.waiting("sales")] == ["c2"]
        untouched = await store.get_agent("a2")
        assert untouched is not None and (untouched.state, untouched.version) == (READY, 1)
        assert await store.assign("ghost", "a2", node="n2", at=2.0) is AssignResult.CALL_UNAVAILABLE
        assert await store.assign("c2", "ghost", node="n2", at=2.0) is AssignResult.AGENT_UNAVAILABLE
        assert await store.assign("c2", "a2", node="n2", at=3.0) is AssignResult.ASSIGNED
        assert await store.waiting("sales") == []

    stores.run(body)


def test_counters_and_snapshot(stores: Stores) -> None:
    async def body() -> None:
        store = stores.open()
        await ready_agent(store, "b")
        await ready_agent(store, "a", fr=2)
        await store.enqueue_call("c1", "sales", 3.0, at=1.0)
        await store.enqueue_call("c2", "sales", 2.0, at=1.0)
        assert await store.incr("sales", "offered") == 1
        assert await store.incr("sales", "offered", 2) == 3
        assert await store.incr("support", "abandoned") == 1
        assert await store.counters("sales") == {"offered": 3}
        assert await store.counters("nothing") == {}
        assert await store.assign("c2", "b", node="n1", at=2.0) is AssignResult.ASSIGNED
        snap = await store.snapshot()
        assert [a.id for a in snap.agents] == ["a", "b"]
        assert snap.agents[0].skills == {"fr": 2}
        assert snap.agents[1].call_id == "c2"
        assert [q.id for q in snap.queues] == ["sales", "support"]
        assert [c.id for c in snap.queues[0].waiting] == ["c1"]
        assert snap.queues[0].counters == {"offered": 3}
        assert snap.queues[1].waiting == () and snap.queues[1].counters == {"abandoned": 1}

    stores.run(body)


def test_events_reach_every_subscriber_in_order_and_typed(stores: Stores) -> None:
    async def body() -> None:
        node1, node2 = stores.open(), stores.open()
        await node1.publish(CallQueued("c0", "sales", 0.5))  # before anyone listens: not delivered
        sub1 = await node1.subscribe()
        sub2 = await node2.subscribe()
        sent: list[WireEvent] = [
            AgentStateChanged("a1", AgentState.LOGGED_OUT, READY, 1.0, reason="login"),
            CallQueued("c1", "sales", 2.0),
            CounterChanged("sales", "offered", 4, 2.5),
        ]
        await node1.publish(sent[0])
        await node2.publish(sent[1])
        await node1.publish(sent[2])
        got1 = [await anext(sub1) for _ in sent]
        got2 = [await anext(sub2) for _ in sent]
        assert [r.event for r in got1] == sent == [r.event for r in got2]
        assert [r.position for r in got1] == [r.position for r in got2]
        assert isinstance(got1[0].event, AgentStateChanged) and got1[0].event.state is READY
        await sub1.close()
        await sub2.close()

    stores.run(body)


def test_an_event_is_published_with_its_change_and_only_then(stores: Stores) -> None:
    async def body() -> None:
        store = stores.open()
        await ready_agent(store, "a1")
        await store.enqueue_call("c1", "sales", 1.0, at=1.0)
        sub = await store.subscribe()
        taken = AgentReserved("a1", "c1", "n1", 2.0)
        assert await store.assign("c1", "a1", node="n1", at=2.0, event=taken) is AssignResult.ASSIGNED
        # refused changes publish nothing, replays publish nothing again
        other = AgentReserved("a1", "c9", "n2", 2.0)
        assert await store.reserve_agent("a1", "c9", node="n2", at=2.0, event=other) is False
        assert await store.assign("c1", "a1", node="n1", at=2.0, event=taken) is AssignResult.ASSIGNED
        assert await store.claim_call("c1", node="n2", at=2.0, event=CallClaimed("c1", "sales", "n2", 2.0)) is None
        marker = CounterChanged("sales", "offered", 1, 3.0)
        assert await store.incr("sales", "offered", event=marker) == 1
        assert [(await anext(sub)).event, (await anext(sub)).event] == [taken, marker]
        await sub.close()

    stores.run(body)


def test_a_subscriber_resumes_after_its_last_position(stores: Stores) -> None:
    async def body() -> None:
        store = stores.open()
        sub = await store.subscribe()
        for i in range(3):
            await store.publish(CallQueued(f"c{i}", "sales", float(i)))
        seen: list[Received] = [await anext(sub), await anext(sub)]
        await sub.close()  # the node goes away after two events
        await store.publish(CallQueued("c3", "sales", 3.0))
        again = await store.subscribe(after=seen[-1].position)
        rest = [await anext(again), await anext(again)]
        assert [r.event.call_id for r in rest] == ["c2", "c3"]  # type: ignore[attr-defined]
        await again.close()

    stores.run(body)


def test_rebuild_replaces_agents_and_calls_from_the_services_records(stores: Stores) -> None:
    async def body() -> None:
        store = stores.open()
        await ready_agent(store, "stale")
        await store.enqueue_call("old", "sales", 1.0, at=1.0)
        await store.incr("sales", "offered", 5)
        agents = [
            LiveAgent("a1", AgentState.BUSY, since=9.0, skills={"sales": 4}, call_id="c1", node="n1", version=12),
            LiveAgent("a2", READY, since=8.0, skills={"fr": 9}, version=3),
        ]
        calls = [
            QueuedCall("c1", "sales", 5.0, 5.0, "n1", 7, claimed_by="n1", agent_id="a1"),
            QueuedCall("c2", "sales", 6.0, 6.0, "n2", 8),
            QueuedCall("c3", "support", -1.0, 7.0, "n2", 9),
        ]
        await store.rebuild(from_agents=agents, from_calls=calls)
        assert await store.agents() == agents
        assert [c.id for c in await store.waiting("sales")] == ["c2"]
        assert await store.get_call("c1") == calls[0]
        assert await store.get_call("old") is None
        assert await store.counters("sales") == {"offered": 5}  # kept when not given
        later = await store.enqueue_call("c4", "sales", 6.0, at=10.0)
        assert later.seq > 9  # arrival order continues after the rebuilt calls
        await store.rebuild(from_agents=agents, from_calls=calls, counters={"sales": {"answered": 2}})
        assert await store.counters("sales") == {"answered": 2}
        snap = await store.snapshot()
        assert [q.id for q in snap.queues] == ["sales", "support"]
        # the agents' versions go on from the rebuilt ones
        assert (await store.set_agent_state("a2", AgentState.NOT_READY, at=10.0, reason="break")).version == 4

    stores.run(body)
