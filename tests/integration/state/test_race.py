"""Several routers race for the same agents: nobody is ever reserved twice.

Each router has its own store object (for Redis: its own client and
connections, so requests really interleave on the server). The routers keep
an independent log of what the store told them: a reservation is written
after the store said yes, a release before it is asked for, so if the store
ever let two routers hold one agent the log shows an agent reserved while
still held.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter

from acd.model import AgentState
from callcenter.state import AssignResult, LiveAgent, StateStore
from tests.integration.state.conftest import Stores

ROUTERS = 4
AGENTS = 12
CALLS = 300
ATTEMPTS = 300

Log = list[tuple[str, str, str, str]]  # (op, agent, call, router)


def check_log(log: Log) -> Counter[str]:
    """Replay the log; returns successful reservations per agent."""
    holder: dict[str, tuple[str, str]] = {}
    taken: Counter[str] = Counter()
    for op, agent, call, router in log:
        if op == "reserve":
            assert agent not in holder, f"{agent} reserved by {router} for {call} while held by {holder[agent]}"
            holder[agent] = (router, call)
            taken[agent] += 1
        else:
            assert holder.pop(agent) == (router, call)
    assert not holder, f"still held at the end: {holder}"
    return taken


async def seed(store: StateStore) -> list[str]:
    agents = [f"a{i:02d}" for i in range(AGENTS)]
    for agent in agents:
        await store.put_agent(LiveAgent(agent, AgentState.READY, skills={"sales": 5}))
    return agents


async def hold(rng: random.Random) -> None:
    for _ in range(rng.randrange(3)):
        await asyncio.sleep(0)


def test_concurrent_reservations_never_share_an_agent(stores: Stores) -> None:
    log: Log = []

    async def router(name: str, store: StateStore, agents: list[str]) -> int:
        rng = random.Random(name)
        won = 0
        for attempt in range(ATTEMPTS):
            agent = rng.choice(agents)
            call = f"{name}-{attempt}"
            if await store.reserve_agent(agent, call, node=name, at=float(attempt)):
                log.append(("reserve", agent, call, name))
                won += 1
                await hold(rng)
                log.append(("release", agent, call, name))
                assert await store.release_agent(agent, call, at=float(attempt))
        return won

    async def body() -> None:
        agents = await seed(stores.open())
        routers = [router(f"n{i}", stores.open(), agents) for i in range(ROUTERS)]
        won = await asyncio.gather(*routers)
        taken = check_log(log)
        assert sum(taken.values()) == sum(won) > ATTEMPTS  # contention, and plenty of wins
        final = await stores.open().agents()
        assert all(a.state is AgentState.READY and a.call_id is None for a in final)
        # every reservation and every release bumped the version once
        assert {a.id: a.version for a in final} == {a: 1 + 2 * taken[a] for a in agents}

    stores.run(body)


def test_concurrent_routing_decisions_assign_each_call_once(stores: Stores) -> None:
    log: Log = []

    async def router(name: str, store: StateStore, agents: list[str], calls: list[str]) -> None:
        rng = random.Random(name)
        mine = calls[:]
        rng.shuffle(mine)  # every router sees every call, in its own order
        for call in mine:
            while True:
                result = await store.assign(call, rng.choice(agents), node=name, at=1.0)
                if result is AssignResult.CALL_UNAVAILABLE:
                    break
                if result is AssignResult.ASSIGNED:
                    stored = await store.get_call(call)
                    assert stored is not None and stored.claimed_by == name and stored.agent_id is not None
                    agent = stored.agent_id
                    log.append(("reserve", agent, call, name))
                    await store.incr("sales", "answered")
                    await hold(rng)
                    log.append(("release", agent, call, name))
                    assert await store.release_agent(agent, call, at=2.0)
                    assert await store.remove_call(call)
                    break

    async def body() -> None:
        setup = stores.open()
        agents = await seed(setup)
        calls = [f"c{i:03d}" for i in range(CALLS)]
        for i, call in enumerate(calls):
            await setup.enqueue_call(call, "sales", float(i), at=float(i))
        await asyncio.gather(*(router(f"n{i}", stores.open(), agents, calls) for i in range(ROUTERS)))
        check_log(log)
        assert sorted(call for op, _, call, _ in log if op == "reserve") == calls  # each call exactly once
        assert len({router for _, _, _, router in log}) == ROUTERS  # all of them won some
        assert await setup.counters("sales") == {"answered": CALLS}
        assert await setup.waiting("sales") == []
        assert all(a.state is AgentState.READY for a in await setup.agents())

    stores.run(body)
