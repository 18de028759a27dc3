"""Agent reservations through the Redis live-state store, beside a bare Lua script.

5,000 agents with 5 skills each out of 200. Each worker picks a skill (a
call needing it) and a random agent holding it, reserves, then releases:

* ``store``: ``RedisStore.reserve_agent`` + ``RedisStore.release_agent``;
* ``bare``: the baseline, a minimal reserve script and a minimal release
  script run with EVALSHA through ``redis.asyncio``, nothing else, on a
  copy of the agents under their own keys.

Rounds alternate between the two (the machine is shared); the best round of
each is compared, the goal being at least 0.8x the bare script.

Then whole routing decisions: calls queued in the store, each taken by
``assign`` (claim the call + reserve the agent + log the event, one script).
Round trips per decision are counted on the client's connections and
cross-checked with the server's ``INFO commandstats``; the goal is at most 2.
Last, a consistency check: the independent log of successful reservations
never holds an agent twice, and the agents' versions on the server add up
to the log's counts.

Uses the server at ``REDIS_URL``, or starts a throwaway redis-server.

    python benchmarks/bench_state.py [--agents N] [--skills S] [--seconds T] [--workers W] [--calls C]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import secrets
import statistics
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from redis import Redis as SyncRedis
from redis.asyncio import Redis
from redis.asyncio.connection import Connection

from acd.model import AgentState
from callcenter.state import AgentReserved, AssignResult, LiveAgent
from callcenter.state.redis_store import RedisStore
from callcenter.state.testing import LocalRedis

BARE_RESERVE = """
local s = redis.call('HMGET', KEYS[1], 'state', 'call')
if s[1] ~= 'ready' or s[2] ~= '' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'reserved', 'call', ARGV[1])
return 1
"""

BARE_RELEASE = """
if redis.call('HGET', KEYS[1], 'call') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], 'state', 'ready', 'call', '')
return 1
"""

Log = list[tuple[str, str, str]]  # (op, agent, call)


class CountingConnection(Connection):
    """Counts writes to the socket: one per round trip (a pipeline is one write)."""

    sent = 0

    async def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        CountingConnection.sent += 1
        await super().send_packed_command(command, check_health)


def build_agents(
    n_agents: int, n_skills: int, per_agent: int, seed: int
) -> tuple[list[LiveAgent], dict[str, list[str]]]:
    rng = random.Random(seed)
    skills = [f"s{k:03d}" for k in range(n_skills)]
    agents: list[LiveAgent] = []
    holders: dict[str, list[str]] = {s: [] for s in skills}
    for i in range(n_agents):
        mine = rng.sample(skills, per_agent)
        agent = LiveAgent(f"a{i:05d}", AgentState.READY, since=0.0, skills={s: rng.randint(1, 10) for s in mine})
        agents.append(agent)
        for s in mine:
            holders[s].append(agent.id)
    return agents, holders


async def timed(workers: int, seconds: float, step: Callable[[int, random.Random], Awaitable[bool]]) -> float:
    """Run ``step`` in ``workers`` loops for ``seconds``; successful steps per second."""
    deadline = time.perf_counter() + seconds
    counts = [0] * workers

    async def loop(w: int) -> None:
        rng = random.Random(w)
        while time.perf_counter() < deadline:
            if await step(w, rng):
                counts[w] += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop(w) for w in range(workers)))
    return sum(counts) / (time.perf_counter() - started)


def check_log(log: Log) -> Counter[str]:
    held: set[str] = set()
    taken: Counter[str] = Counter()
    for op, agent, _call in log:
        if op == "reserve":
            if agent in held:
                raise AssertionError(f"agent {agent} reserved twice")
            held.add(agent)
            taken[agent] += 1
        else:
            held.remove(agent)
    return taken


def evalsha_calls(url: str) -> int:
    with SyncRedis.from_url(url) as raw:
        stats = raw.info("commandstats")
    return int(stats.get("cmdstat_evalsha", {}).get("calls", 0))


async def run(url: str, args: argparse.Namespace, own_server: bool) -> None:
    prefix = "bench-" + secrets.token_hex(4)
    agents, holders = build_agents(args.agents, args.skills, 5, seed=1)
    skills = list(holders)
    stores = [RedisStore.from_url(url, prefix=prefix) for _ in range(args.workers)]
    router = RedisStore.from_url(url, prefix=prefix, connection_class=CountingConnection)
    stores.append(router)  # the decision phase's node, its round trips counted
    bare = Redis.from_url(url, decode_responses=True, max_connections=args.workers * 2)
    log: Log = []
    try:
        started = time.perf_counter()
        await stores[0].rebuild(from_agents=agents, from_calls=[])
        base = "{" + prefix + "}:"
        pipe = bare.pipeline(transaction=False)
        for a in agents:
            pipe.hset(base + "bare:" + a.id, mapping={"state": "ready", "call": ""})
        await pipe.execute()
        loaded = time.perf_counter() - started
        print(f"loaded {len(agents)} agents, {len(skills)} skills, 5 per agent in {loaded:.2f} s")
        reserve_sha = await bare.script_load(BARE_RESERVE)
        release_sha = await bare.script_load(BARE_RELEASE)
        seq = [0]

        async def store_step(w: int, rng: random.Random) -> bool:
            agent = rng.choice(holders[rng.choice(skills)])
            seq[0] += 1
            call = f"c{seq[0]}"
            store = stores[w]
            if not await store.reserve_agent(agent, call, node=f"n{w}", at=1.0):
                return False
            log.append(("reserve", agent, call))
            log.append(("release", agent, call))
            if not await store.release_agent(agent, call, at=2.0):
                raise AssertionError(f"release of {agent} for {call} refused")
            return True

        async def bare_step(w: int, rng: random.Random) -> bool:
            agent = rng.choice(holders[rng.choice(skills)])
            seq[0] += 1
            call = f"c{seq[0]}"
            key = base + "bare:" + agent
            if not await bare.evalsha(reserve_sha, 1, key, call):
                return False
            await bare.evalsha(release_sha, 1, key, call)
            return True

        await timed(args.workers, 0.3, store_step)  # warm up connections and script caches
        await timed(args.workers, 0.3, bare_step)
        rates: dict[str, list[float]] = {"store": [], "bare": []}
        ratios: list[float] = []
        for round_ in range(args.rounds):
            for name, step in (("bare", bare_step), ("store", store_step)):
                rates[name].append(await timed(args.workers, args.seconds, step))
            ratios.append(rates["store"][-1] / rates["bare"][-1])
            print(f"round {round_ + 1}: bare {rates['bare'][-1]:6.0f}/s  store {rates['store'][-1]:6.0f}/s  "
                  f"ratio {ratios[-1]:.2f}x")
        best_store, best_bare = max(rates["store"]), max(rates["bare"])
        print(f"reservations (reserve + release) with {args.workers} workers: best store {best_store:.0f}/s, "
              f"best bare script {best_bare:.0f}/s, ratio of bests {best_store / best_bare:.2f}x, "
              f"median paired ratio {statistics.median(ratios):.2f}x (goal >= 0.80x)")

        # routing decisions: one assign per call, with its event in the same script
        calls = [f"q{i}" for i in range(args.calls)]
        for i, call in enumerate(calls):
            await stores[0].enqueue_call(call, "sales", float(i), at=float(i), node="n0")
        CountingConnection.sent = 0
        evalsha_before = evalsha_calls(url)
        decisions = 0
        taken_by_assign: list[tuple[str, str]] = []
        rng = random.Random(7)
        started = time.perf_counter()
        busy: set[str] = set()  # the node's own view, as its router's pools would have it
        for call in calls:
            while True:
                agent = rng.choice(holders[rng.choice(skills)])
                if agent in busy:
                    continue
                decisions += 1
                result = await router.assign(
                    call, agent, node="n0", at=3.0, event=AgentReserved(agent, call, "n0", 3.0)
                )
                if result is AssignResult.ASSIGNED:
                    taken_by_assign.append((agent, call))
                    busy.add(agent)
                    break
        elapsed = time.perf_counter() - started
        trips = CountingConnection.sent
        evalsha_delta = evalsha_calls(url) - evalsha_before
        print(f"routing decisions: {len(calls)} calls, {decisions} assign calls, "
              f"{len(calls) / elapsed:.0f} calls routed/s (one worker, sequential)")
        print(f"round trips per decision: {trips / decisions:.2f} counted on the connection "
              f"({trips / len(calls):.2f} per call routed); "
              f"server saw {evalsha_delta / decisions:.2f} EVALSHA per decision"
              + ("" if own_server else " (shared server: other clients may add to that)") + "; goal <= 2")
        assert trips / decisions <= 2

        # consistency: the log against the server's own count of changes
        taken = check_log(log)
        for agent, call in taken_by_assign:
            log.append(("reserve", agent, call))
        final = await stores[0].agents()
        reserved = {a.id: a.call_id for a in final if a.state is AgentState.RESERVED}
        assert reserved == {agent: call for agent, call in taken_by_assign}, "reserved agents differ from the log"
        assert len(set(reserved)) == len(taken_by_assign), "an agent was assigned two calls"
        expected_versions = {a.id: a.version + 2 * taken[a.id] + (1 if a.id in reserved else 0) for a in agents}
        assert {a.id: a.version for a in final} == expected_versions, "versions do not match the log"
        assert await stores[0].waiting("sales") == []
        print(f"consistency: {sum(taken.values())} reserve/release pairs and {len(taken_by_assign)} assignments "
              f"logged; no agent held twice; every agent's version matches the log")
    finally:
        for store in stores:
            await store.close()
        with SyncRedis.from_url(url) as raw:
            keys = list(raw.scan_iter(match="{" + prefix + "}:*", count=1000))
            for start in range(0, len(keys), 1000):
                raw.delete(*keys[start:start + 1000])
        await bare.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=5000)
    parser.add_argument("--skills", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=1.0, help="length of one timed round")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--workers", type=int, default=4, help="concurrent routers, each with its own client")
    parser.add_argument("--calls", type=int, default=2000, help="calls routed in the decision phase")
    args = parser.parse_args()
    url = os.environ.get("REDIS_URL")
    if url:
        print("Redis at REDIS_URL")
        asyncio.run(run(url, args, own_server=False))
        return
    with LocalRedis() as server:
        print("Redis: a throwaway redis-server started for this run")
        asyncio.run(run(server.url, args, own_server=True))


if __name__ == "__main__":
    main()
