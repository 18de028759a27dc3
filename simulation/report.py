"""Standard metrics of a run, per queue and per interval, ready to print.

Every figure comes from ``acd.metrics`` (one definition for the whole
platform). Rates are fractions 0-1, times seconds; ``None`` where nothing
was there to measure.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from acd.metrics import AgentStateSpan, MetricSettings, Stats, summarize
from acd.model import AgentId, AgentProfile, QueueConfig, QueueId
from simulation.center import RunResult
from simulation.model import Distribution, DistKind

DAY_S = 86400.0
FIELDS = ("offered", "answered", "abandoned", "left", "service_level", "asa_s", "aht_s", "abandon_rate", "occupancy", "p_wait")


@dataclass(frozen=True, slots=True)
class Report:
    """Metrics of one run (or the mean of several, see ``mean_report``).

    ``intervals`` are the interval start times inside the window; the maps
    are keyed by queue, by interval start, and by (queue, interval start).
    """

    start_s: float
    end_s: float
    interval_s: float
    queues: tuple[QueueId, ...]
    intervals: tuple[float, ...]
    total: Mapping[str, float | None]
    by_queue: Mapping[QueueId, Mapping[str, float | None]]
    by_interval: Mapping[float, Mapping[str, float | None]]
    by_queue_interval: Mapping[tuple[QueueId, float], Mapping[str, float | None]]
    callbacks: Mapping[QueueId, int]


def metric_settings(queues: Sequence[QueueConfig], ring_delay: Distribution | None) -> dict[QueueId, MetricSettings]:
    """Each queue's service-level threshold; P(wait) ignores ringing.

    Waits include the ring time, so a call counts as having waited when its
    wait exceeds the 95th percentile of the ring delay.
    """
    immediate = _p95(ring_delay)
    return {q.id: MetricSettings(answer_within_s=q.service_level.threshold_s, immediate_s=immediate) for q in queues}


def _p95(dist: Distribution | None) -> float:
    if dist is None or dist.mean_s <= 0:
        return 0.0
    if dist.kind is DistKind.FIXED:
        return dist.mean_s
    if dist.kind is DistKind.EXPONENTIAL:
        return dist.mean_s * math.log(20.0)
    sigma = math.sqrt(math.log1p(dist.cv**2))
    return math.exp(math.log(dist.mean_s) - sigma**2 / 2 + 1.6449 * sigma)


def agent_queues(queues: Sequence[QueueConfig], agents: Sequence[AgentProfile]) -> dict[AgentId, list[QueueId]]:
    """The queues each agent can serve at the queue's full requirements."""
    out: dict[AgentId, list[QueueId]] = {}
    for a in agents:
        out[a.id] = [q.id for q in queues if all(a.skills.get(r.skill, 0) >= r.min_level for r in q.requirements)]
    return out


def _row(stats: Stats) -> dict[str, float | None]:
    return {name: getattr(stats, name) for name in FIELDS}


def make_report(
    run: RunResult,
    queues: Sequence[QueueConfig],
    agents: Sequence[AgentProfile],
    settings: Mapping[QueueId, MetricSettings],
    interval_s: float,
) -> Report:
    """Summarise a run with the standard metrics.

    Args:
        run: the run.
        queues: the center's queues (all are reported, even without calls).
        agents: agent profiles, for per-queue occupancy.
        settings: metric definitions per queue (see ``metric_settings``).
        interval_s: reporting interval, seconds.
    """
    s = summarize(
        run.records,
        _clip(run),
        interval_s=interval_s,
        settings=settings,
        origin=run.start_s,
        agent_queues=agent_queues(queues, agents),
    )
    n = int(math.ceil((run.end_s - run.start_s) / interval_s - 1e-9))
    intervals = tuple(run.start_s + k * interval_s for k in range(n))
    ids = tuple(q.id for q in queues)
    empty = _row(summarize([]).total)
    callbacks: dict[QueueId, int] = {q: 0 for q in ids}
    for r in run.callbacks:
        if r.answered_at is not None:
            callbacks[r.queue] = callbacks.get(r.queue, 0) + 1
    return Report(
        start_s=run.start_s,
        end_s=run.end_s,
        interval_s=interval_s,
        queues=ids,
        intervals=intervals,
        total=_row(s.total),
        by_queue={q: _row(s.by_queue[q]) if q in s.by_queue else empty for q in ids},
        by_interval={k: _row(s.by_interval[k]) if k in s.by_interval else empty for k in intervals},
        by_queue_interval={
            (q, k): _row(s.by_queue_interval[(q, k)]) if (q, k) in s.by_queue_interval else empty
            for q in ids
            for k in intervals
        },
        callbacks=callbacks,
    )


def _clip(run: RunResult) -> list[AgentStateSpan]:
    """Agent time inside the window only (the drain is not part of the day)."""
    out = []
    for span in run.spans:
        end = span.end if span.end is not None else run.end_s
        lo, hi = max(span.start, run.start_s), min(end, run.end_s)
        if hi > lo:
            out.append(AgentStateSpan(span.agent_id, span.state, lo, hi, span.reason))
    return out


def mean_report(reports: Sequence[Report]) -> Report:
    """The mean of each figure over several runs (``None`` where no run had one)."""
    if not reports:
        raise ValueError("no reports to average")
    first = reports[0]

    def avg(rows: Sequence[Mapping[str, float | None]]) -> dict[str, float | None]:
        out: dict[str, float | None] = {}
        for name in FIELDS:
            values = [r[name] for r in rows if r[name] is not None]
            out[name] = sum(v for v in values if v is not None) / len(values) if values else None
        return out

    return Report(
        start_s=first.start_s,
        end_s=first.end_s,
        interval_s=first.interval_s,
        queues=first.queues,
        intervals=first.intervals,
        total=avg([r.total for r in reports]),
        by_queue={q: avg([r.by_queue[q] for r in reports]) for q in first.queues},
        by_interval={k: avg([r.by_interval[k] for r in reports]) for k in first.intervals},
        by_queue_interval={key: avg([r.by_queue_interval[key] for r in reports]) for key in first.by_queue_interval},
        callbacks={q: round(sum(r.callbacks.get(q, 0) for r in reports) / len(reports)) for q in first.queues},
    )


def clock(t: float) -> str:
    """Seconds from midnight of day 0 as ``HH:MM`` (``d2 HH:MM`` on later days)."""
    day, rest = divmod(int(round(t)), int(DAY_S))
    hhmm = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}"
    return hhmm if day == 0 else f"d{day + 1} {hhmm}"


def to_json(report: Report) -> dict[str, Any]:
    """A plain dict for ``--json``: queues, total, and intervals with their queues."""
    return {
        "start": clock(report.start_s),
        "end": clock(report.end_s),
        "interval_min": report.interval_s / 60.0,
        "queues": {q: dict(report.by_queue[q], callbacks=report.callbacks.get(q, 0)) for q in report.queues},
        "total": dict(report.total),
        "intervals": [
            dict(
                report.by_interval[k],
                start=clock(k),
                queues={q: dict(report.by_queue_interval[(q, k)]) for q in report.queues},
            )
            for k in report.intervals
        ],
    }
