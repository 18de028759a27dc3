"""One queue, N identical agents: the simulator in the shape of queueing theory.

Poisson arrivals at a constant rate, exponential handle times, exponential
patience (or none), no wrap-up, no ring delay, no missed offers: M/M/N
(Erlang C) or M/M/N+M (Erlang A, Palm). Calls still go through the real
router, so this checks the whole driver against the formulas.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import simpy

from acd.metrics import MetricSettings, Stats, call_stats, occupancy
from acd.model import AgentProfile, QueueConfig, RouterSettings, SkillRequirement
from simulation.center import RunResult, Scenario, SimulatedCenter
from simulation.model import Roster, Shift, Traffic, QueueTraffic, exponential

QUEUE = "q"
INTERVAL_S = 900.0


@dataclass(frozen=True, slots=True)
class SingleQueue:
    """The single-queue model.

    Attributes:
        calls_per_hour: arrival rate.
        aht_s: mean handle time (exponential).
        agents: identical agents, all logged in throughout.
        answer_within_s: service-level threshold.
        hours: measured time, after the warm-up.
        patience_s: mean caller patience (exponential); None: nobody hangs up.
        warmup_s: simulated time before measuring (the center starts empty).
    """

    calls_per_hour: float
    aht_s: float
    agents: int
    answer_within_s: float = 20.0
    hours: float = 8.0
    patience_s: float | None = None
    warmup_s: float = 1800.0

    def __post_init__(self) -> None:
        if self.calls_per_hour <= 0 or self.aht_s <= 0 or self.agents < 1 or self.hours <= 0:
            raise ValueError("calls_per_hour, aht_s and hours must be > 0 and agents >= 1")
        if self.warmup_s < 0 or self.answer_within_s < 0:
            raise ValueError("warmup_s and answer_within_s must be >= 0")
        if self.patience_s is not None and self.patience_s <= 0:
            raise ValueError("patience_s must be > 0 (or None for no abandonment)")


@dataclass(frozen=True, slots=True)
class SingleQueueResult:
    """Measured figures of the queue (calls arriving after the warm-up)."""

    stats: Stats
    occupancy: float | None
    run: RunResult


def scenario(model: SingleQueue) -> Scenario:
    """The center, traffic and roster of ``model``."""
    end = model.warmup_s + model.hours * 3600.0
    intervals = int(-(-end // INTERVAL_S))
    per_interval = model.calls_per_hour * INTERVAL_S / 3600.0
    calls = tuple(per_interval for _ in range(intervals))
    queue = QueueConfig(QUEUE, (SkillRequirement(QUEUE, 1),), name="q", wrap_up_s=0.0)
    agents = tuple(AgentProfile(f"n{i + 1:04d}", {QUEUE: 1}) for i in range(model.agents))
    # Everyone works past the end, so the drain has staff.
    roster = Roster(tuple(Shift(a.id, 0.0, end + 10 * 86400.0) for a in agents))
    traffic = Traffic(
        queues=(
            QueueTraffic(
                QUEUE,
                calls,
                exponential(model.aht_s),
                exponential(model.patience_s) if model.patience_s is not None else None,
            ),
        ),
        start_s=0.0,
        interval_s=INTERVAL_S,
        population=None,
    )
    return Scenario((queue,), agents, RouterSettings(), traffic, roster)


def run_single_queue(
    model: SingleQueue,
    seed: int,
    *,
    env: simpy.Environment | None = None,
    progress: Callable[[float], None] | None = None,
) -> SingleQueueResult:
    """Simulate ``model`` once and measure it with the standard metrics.

    Args:
        model: the queue.
        seed: same seed, same result.
        env: a simpy environment starting at 0 (default: virtual time).
        progress: called with the simulated time as the run goes.

    Returns:
        Stats of the calls that arrived after the warm-up (service level:
        answered within T over answered + abandoned) and the agents'
        occupancy over the same time.
    """
    end = model.warmup_s + model.hours * 3600.0
    center = SimulatedCenter(scenario(model), seed, start_s=0.0, until_s=end, env=env)
    run = center.run(progress=progress)
    measured = [r for r in run.records if r.arrived_at >= model.warmup_s]
    stats = call_stats(measured, MetricSettings(answer_within_s=model.answer_within_s))
    occ = occupancy(run.spans, model.warmup_s, end)
    return SingleQueueResult(stats, occ, run)
