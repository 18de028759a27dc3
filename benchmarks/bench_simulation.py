"""Simulator speed: calls per wall-second for a 500-agent, 24-hour day.

Beside it, in the same run, a minimal simpy M/M/c model (a Resource, one
process per customer) with c = 100 and c = 1000 at the same load: the
floor of what simpy itself costs per call. Prints both ratios and the
day's wall time. Goals: at least 0.3x raw simpy, the day under 30 s.

The day's wall time counts everything: building the center (arrivals,
customers), the run, and the records and spans of the result. The raw
models run after the day's objects are freed, so that the collector does
not rescan the day's millions of records while timing simpy (which would
slow simpy down and flatter the ratios).

    python3 benchmarks/bench_simulation.py [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import random
import sys
import time
from pathlib import Path

import simpy

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from acd.model import AgentProfile, QueueConfig, RouterSettings, SkillRequirement  # noqa: E402
from simulation.center import Scenario, SimulatedCenter  # noqa: E402
from simulation.model import Population, QueueTraffic, Roster, Shift, Traffic, exponential, lognormal  # noqa: E402

AGENTS = 500
LOAD = 0.85
AHT_S = 300.0
WRAP_S = 30.0
QUEUES = ("sales", "support", "billing", "claims", "vip")


def day_scenario() -> Scenario:
    """500 agents all day on five queues (two skills each), loaded ~85 %."""
    queues = tuple(QueueConfig(q, (SkillRequirement(q, 3),), wrap_up_s=WRAP_S) for q in QUEUES)
    agents = tuple(
        AgentProfile(f"a{i:03d}", {QUEUES[i % 5]: 3 + i % 7, QUEUES[(i + 1) % 5]: 3 + (i // 5) % 5})
        for i in range(AGENTS)
    )
    # Work per call is talk + wrap-up; ring time is extra idle time.
    calls_per_s = LOAD * AGENTS / (AHT_S + WRAP_S)
    per_interval = calls_per_s * 1800.0 / len(QUEUES)
    traffic = Traffic(
        queues=tuple(
            QueueTraffic(q, (per_interval,) * 48, lognormal(AHT_S, 0.8), exponential(300.0)) for q in QUEUES
        ),
        start_s=0.0,
        interval_s=1800.0,
        population=Population(customers=200000),
        ring_delay=lognormal(3.0, 0.5),
        no_answer_probability=0.01,
    )
    roster = Roster(tuple(Shift(a.id, 0.0, 30 * 3600.0) for a in agents))
    return Scenario(queues, agents, RouterSettings(), traffic, roster)


def raw_simpy(servers: int, customers: int, seed: int = 1) -> float:
    """Customers per wall-second of a minimal simpy M/M/c at the same load."""
    rng = random.Random(seed)
    env = simpy.Environment()
    desk = simpy.Resource(env, capacity=servers)
    rate = LOAD * servers / AHT_S

    def customer() -> simpy.events.ProcessGenerator:
        with desk.request() as req:
            yield req
            yield env.timeout(rng.expovariate(1.0 / AHT_S))

    def source() -> simpy.events.ProcessGenerator:
        for _ in range(customers):
            yield env.timeout(rng.expovariate(rate))
            env.process(customer())

    env.process(source())
    began = time.perf_counter()
    env.run()
    return customers / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="print the top functions of the day's run")
    args = parser.parse_args()
    scenario = day_scenario()
    began = time.perf_counter()
    center = SimulatedCenter(scenario, seed=1, start_s=0.0, until_s=24 * 3600.0)
    setup = time.perf_counter() - began
    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    run = center.run()
    if profiler:
        profiler.disable()
    wall = time.perf_counter() - began
    answered = sum(r.answered_at is not None for r in run.records)
    ours = run.calls / wall
    calls = run.calls
    del center, run
    gc.collect()
    raw100 = raw_simpy(100, 200_000)
    raw1000 = raw_simpy(1000, 200_000)
    print(f"day: {AGENTS} agents, 24 h, {calls} calls ({answered} answered), "
          f"wall {wall:.2f} s (set-up {setup:.2f} s)")
    print(f"simulator:          {ours:10.0f} calls/s")
    print(f"raw simpy M/M/100:  {raw100:10.0f} calls/s   ratio {ours / raw100:.2f}x")
    print(f"raw simpy M/M/1000: {raw1000:10.0f} calls/s   ratio {ours / raw1000:.2f}x")
    if profiler:
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    main()
