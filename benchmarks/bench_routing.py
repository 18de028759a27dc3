"""Routing decisions per second and decision latency of ``acd.Router``.

Two regimes, each against a lower bound measured in the same run:

* overload: every agent busy, ``--queued`` calls waiting. A decision is an
  agent finishing wrap-up and being matched with the best waiting call it
  can serve (``end_wrap_up``); a new call then arrives (``enqueue``, which
  just queues it) to keep the backlog steady. Answer and hangup are not
  timed.
* underload: agents idle. A decision is a call arriving and being matched
  with an agent (``enqueue``) plus the agent's release after the call
  (``end_wrap_up`` putting it back in the ready pools).

The bound is the bare minimum for one decision: per-skill ``heapq`` pools
of ready agents keyed by idle time; pick the longest-idle agent of the
call's rarest skill that meets its levels, mark it reserved, release it
into its skills' pools. It knows nothing of priorities, policies,
relaxation, timers or events.

Run: ``python3 benchmarks/bench_routing.py [--quick]``.
"""

from __future__ import annotations

import argparse
import gc
import heapq
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout

from acd.effects import OfferCall
from acd.model import (
    AgentProfile,
    Call,
    QueueConfig,
    RelaxationStep,
    SelectionPolicy,
    SkillRequirement,
)
from acd.router import Router

N_LANGUAGES = 10  # skills 0..9 are languages, the rest products


@dataclass(frozen=True, slots=True)
class Center:
    agents: list[AgentProfile]
    queues: list[QueueConfig]


def build_center(n_agents: int, n_skills: int, n_queues: int, seed: int) -> Center:
    """Agents with 5 skills (one language, four products, levels 1-10);
    queues needing one product skill, or a language and a product."""
    rng = random.Random(seed)
    languages = [f"lang{i}" for i in range(N_LANGUAGES)]
    products = [f"prod{i}" for i in range(n_skills - N_LANGUAGES)]
    agents = []
    for i in range(n_agents):
        skills = {rng.choice(languages): rng.randint(1, 10)}
        for p in rng.sample(products, 4):
            skills[p] = rng.randint(1, 10)
        agents.append(AgentProfile(f"a{i}", skills, performance=rng.random()))
    policies = list(SelectionPolicy)
    queues = []
    for i in range(n_queues):
        reqs = [SkillRequirement(rng.choice(products), rng.randint(1, 4))]
        if rng.random() < 0.5:
            reqs.insert(0, SkillRequirement(rng.choice(languages), rng.randint(1, 3)))
        queues.append(
            QueueConfig(
                f"q{i}",
                tuple(reqs),
                policy=policies[i % len(policies)],
                priority=rng.randint(0, 10),
                relaxation=(RelaxationStep(60.0, min_level=1),),
                wrap_up_s=20.0,
            )
        )
    return Center(agents, queues)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Figures:
    decisions: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.decisions / self.seconds if self.seconds else 0.0

    def line(self, label: str) -> str:
        p50 = percentile(self.latencies, 0.5) * 1e6
        p99 = percentile(self.latencies, 0.99) * 1e6
        return f"{label:<34} {self.rate:>11,.0f}/s   p50 {p50:>7.1f} us   p99 {p99:>8.1f} us"


def _offer(effects: list[object]) -> OfferCall | None:
    for e in effects:
        if isinstance(e, OfferCall):
            return e
    return None


class Driver:
    """Plays calls through a router with zero talk time; times the decisions."""

    def __init__(self, center: Center, seed: int) -> None:
        self.center = center
        self.router = Router(center.queues, center.agents, seed=seed)
        self.rng = random.Random(seed + 1)
        self.now = 0.0
        self.n = 0
        self.talking: dict[str, str] = {}  # agent -> call
        self.busy: list[str] = []
        for a in center.agents:
            self.router.login(a.id, 0.0)
        self.queue_ids = [q.id for q in center.queues]

    def new_call(self) -> Call:
        self.n += 1
        return Call(f"c{self.n}", self.rng.choice(self.queue_ids), self.now, tier=self.rng.randint(1, 5))

    def connect(self, offer: OfferCall) -> None:
        self.router.answer(offer.call_id, self.now)
        self.talking[offer.agent_id] = offer.call_id
        self.busy.append(offer.agent_id)

    def pop_busy(self) -> str:
        i = self.rng.randrange(len(self.busy))
        self.busy[i], self.busy[-1] = self.busy[-1], self.busy[i]
        return self.busy.pop()

    def overload(self, queued: int, decisions: int) -> Figures:
        r = self.router
        for _ in range(len(self.center.agents) + queued):
            r.enqueue(self.new_call(), self.now)
        for a in self.center.agents:
            offer = _offer(r.set_ready(a.id, self.now))  # type: ignore[arg-type]
            if offer is not None:
                self.connect(offer)
        latencies: list[float] = []
        spent = 0.0
        perf = time.perf_counter
        while len(latencies) < decisions and self.busy:
            self.now += 0.005
            r.tick(self.now)
            agent = self.pop_busy()
            r.hangup(self.talking.pop(agent), self.now)
            t0 = perf()
            effects = r.end_wrap_up(agent, self.now)
            t1 = perf()
            offer = _offer(effects)  # type: ignore[arg-type]
            if offer is not None:
                latencies.append(t1 - t0)
                self.connect(offer)
            spent += t1 - t0
            t0 = perf()
            effects = r.enqueue(self.new_call(), self.now)
            t1 = perf()
            spent += t1 - t0
            offer = _offer(effects)  # type: ignore[arg-type]
            if offer is not None:
                latencies.append(t1 - t0)
                self.connect(offer)
        return Figures(len(latencies), spent, latencies)

    def underload(self, decisions: int) -> Figures:
        r = self.router
        for a in self.center.agents:
            r.set_ready(a.id, self.now)
        latencies: list[float] = []
        spent = 0.0
        perf = time.perf_counter
        while len(latencies) < decisions:
            self.now += 0.005
            r.tick(self.now)
            call = self.new_call()
            t0 = perf()
            effects = r.enqueue(call, self.now)
            t1 = perf()
            offer = _offer(effects)  # type: ignore[arg-type]
            if offer is None:
                r.abandon(call.id, self.now)  # nobody can serve this queue now
                continue
            r.answer(call.id, self.now)
            r.hangup(call.id, self.now)
            t2 = perf()
            r.end_wrap_up(offer.agent_id, self.now)
            t3 = perf()
            latencies.append(t1 - t0)
            spent += (t1 - t0) + (t3 - t2)
        return Figures(len(latencies), spent, latencies)


def bound(center: Center, decisions: int, seed: int) -> Figures:
    """Bare per-skill heapq pools: pick longest idle meeting levels, reserve, release."""
    rng = random.Random(seed + 1)
    skills = [dict(a.skills) for a in center.agents]
    version = [0] * len(skills)
    ready = [True] * len(skills)
    pools: dict[str, list[tuple[float, int, int]]] = {}
    count: dict[str, int] = {}
    for i, sk in enumerate(skills):
        for s in sk:
            pools.setdefault(s, []).append((0.0, i, 0))
            count[s] = count.get(s, 0) + 1
    for heap in pools.values():
        heapq.heapify(heap)
    reqs = [tuple((r.skill, r.min_level) for r in q.requirements) for q in center.queues]
    now = 0.0
    latencies: list[float] = []
    spent = 0.0
    perf = time.perf_counter
    while len(latencies) < decisions:
        now += 0.005
        need = rng.choice(reqs)
        t0 = perf()
        skill = min(need, key=lambda r: count.get(r[0], 0))[0]
        heap = pools.get(skill, [])
        stash = []
        chosen = -1
        while heap:
            entry = heapq.heappop(heap)
            i = entry[1]
            if not ready[i] or version[i] != entry[2]:
                continue
            if all(skills[i].get(s, 0) >= lvl for s, lvl in need):
                chosen = i
                break
            stash.append(entry)
        for entry in stash:
            heapq.heappush(heap, entry)
        t1 = perf()
        if chosen < 0:
            continue
        ready[chosen] = False  # reserve
        for s in skills[chosen]:
            count[s] -= 1
        t2 = perf()
        ready[chosen] = True  # release after the call
        version[chosen] += 1
        for s in skills[chosen]:
            count[s] += 1
            heapq.heappush(pools[s], (now, chosen, version[chosen]))
        t3 = perf()
        latencies.append(t1 - t0)
        spent += t3 - t0
    return Figures(len(latencies), spent, latencies)


def run(n_agents: int, n_queues: int, queued: int, decisions: int, seed: int, label: str) -> None:
    center = build_center(n_agents, 200, n_queues, seed)
    print(f"\n{label}: {n_agents} agents, 200 skills, {n_queues} queues, {queued} queued calls")
    gc.collect()
    gc.freeze()  # setup objects are long-lived; keep collector pauses about the work
    lower = bound(center, decisions, seed)
    print(lower.line("bound (bare heapq pools)"))
    over = Driver(center, seed).overload(queued, decisions)
    print(over.line("router, overload (agent frees)"))
    under = Driver(center, seed).underload(decisions)
    print(under.line("router, underload (call arrives)"))
    for name, fig in (("overload", over), ("underload", under)):
        p99_ms = percentile(fig.latencies, 0.99) * 1e3
        print(f"  {name}: {fig.rate / lower.rate:.2f}x the bound's rate, p99 {p99_ms:.3f} ms")
    gc.unfreeze()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short run")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    decisions = 3_000 if args.quick else 20_000
    run(5_000, 200, 2_000, decisions, args.seed, "target")
    run(7_500, 5_000, 5_000, decisions // 2, args.seed, "scale ceiling")


if __name__ == "__main__":
    main()
