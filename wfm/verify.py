"""Verify a roster against a forecast by simulation.

The roster's agents work their shifts and breaks in the simulated center
(the same driver and router as ``callcenter simulate``); callers arrive as
a Poisson process with each interval's forecast calls, handle times have
the forecast AHT (exponential; the queue's wrap-up is part of the AHT).
Several replications with different seeds give the mean expected service
level, ASA and abandon rate per queue and interval; intervals below the
target are flagged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from acd.metrics import MetricSettings
from acd.model import AgentProfile, QueueConfig, RouterSettings, SkillRequirement
from simulation.center import Scenario, SimulatedCenter
from simulation.model import QueueTraffic, Roster, Traffic, exponential
from simulation.report import Report, make_report, mean_report

DAY_S = 86400.0


class VerifyError(ValueError):
    """Inputs that cannot be simulated together (the message says why)."""


@dataclass(frozen=True, slots=True)
class Flag:
    """An interval of a queue whose mean service level is below target."""

    queue: str
    interval_start: dt.datetime
    calls: float
    service_level: float


@dataclass(frozen=True, slots=True)
class Verification:
    """Mean metrics over the replications, and the intervals below target."""

    report: Report
    day0: dt.date
    forecast_calls: dict[tuple[str, float], float]
    flags: tuple[Flag, ...]
    target_sl: float
    answer_within_s: float
    replications: int

    def when(self, t: float) -> dt.datetime:
        """Simulation seconds as a local datetime."""
        return dt.datetime.combine(self.day0, dt.time()) + dt.timedelta(seconds=t)

    def rows(self) -> list[dict[str, object]]:
        """One row per queue and interval (for CSV and JSON)."""
        out: list[dict[str, object]] = []
        for q in self.report.queues:
            for k in self.report.intervals:
                row = self.report.by_queue_interval[(q, k)]
                if not row["offered"] and not self.forecast_calls.get((q, k)):
                    continue  # closed hours: nothing forecast, nothing came
                sl = row["service_level"]
                out.append(
                    {
                        "queue": q,
                        "interval_start": self.when(k).isoformat(),
                        "calls": self.forecast_calls.get((q, k), 0.0),
                        "offered": row["offered"],
                        "service_level": sl,
                        "asa_s": row["asa_s"],
                        "abandon_rate": row["abandon_rate"],
                        "occupancy": row["occupancy"],
                        "below_target": sl is not None and sl < self.target_sl,
                    }
                )
        return out


def default_center(queue_ids: Sequence[str]) -> tuple[list[QueueConfig], RouterSettings]:
    """One queue per forecast queue, needing the skill of the same name; no wrap-up."""
    return [QueueConfig(q, (SkillRequirement(q, 1),), name=q, wrap_up_s=0.0) for q in queue_ids], RouterSettings()


def _interval_s(frame: pd.DataFrame) -> float:
    steps: list[float] = []
    for _, rows in frame.groupby("queue"):
        times = np.sort(rows["interval_start"].to_numpy(dtype="datetime64[s]").astype(np.int64))
        steps.extend(np.diff(times).tolist())
    positive = [s for s in steps if s > 0]
    return float(min(positive)) if positive else 1800.0


def forecast_traffic(
    frame: pd.DataFrame, day0: dt.date, queues: Sequence[QueueConfig], patience_s: float | None
) -> tuple[Traffic, dict[tuple[str, float], float]]:
    """The forecast as simulated traffic, plus forecast calls by (queue, interval start)."""
    interval_s = _interval_s(frame)
    origin = pd.Timestamp(day0)
    seconds = (frame["interval_start"] - origin).dt.total_seconds().to_numpy()
    start = float(seconds.min())
    n = int(round((float(seconds.max()) - start) / interval_s)) + 1
    wrap = {q.id: q.wrap_up_s for q in queues}
    traffic_queues = []
    calls_at: dict[tuple[str, float], float] = {}
    for queue, rows in frame.groupby("queue", sort=True):
        qid = str(queue)
        calls = np.zeros(n)
        aht = np.full(n, float(np.average(rows["aht_s"], weights=np.maximum(rows["calls"], 1e-9))))
        ix = np.rint((seconds[rows.index] - start) / interval_s).astype(int)
        calls[ix] = rows["calls"].to_numpy(dtype=float)
        aht[ix] = rows["aht_s"].to_numpy(dtype=float)
        for i, c in zip(ix.tolist(), rows["calls"].tolist()):
            calls_at[(qid, start + i * interval_s)] = float(c)
        # The forecast AHT is talk plus wrap-up: the simulator adds the
        # queue's wrap-up after the talk it draws.
        talk = np.maximum(aht - wrap.get(qid, 0.0), 0.1 * aht)
        traffic_queues.append(
            QueueTraffic(
                qid, tuple(calls.tolist()), exponential(1.0),
                exponential(patience_s) if patience_s is not None else None, aht_s=tuple(talk.tolist()),
            )
        )
    traffic = Traffic(tuple(traffic_queues), start_s=start, interval_s=interval_s, population=None)
    return traffic, calls_at


def _on_day0(roster: Roster, day0: dt.date) -> Roster:
    """A roster without dates works the forecast's first day."""
    if roster.day0 is not None:
        shift = (dt.date.fromisoformat(roster.day0) - day0).days * DAY_S
        shifts = tuple(
            replace(s, start_s=s.start_s + shift, end_s=s.end_s + shift,
                    breaks=tuple(replace(b, start_s=b.start_s + shift) for b in s.breaks))
            for s in roster.shifts
        )
        return Roster(shifts, day0.isoformat())
    return Roster(roster.shifts, day0.isoformat())


def _roster_days(forecast: pd.DataFrame, roster: Roster) -> pd.DataFrame:
    """The forecast rows on the days a dated roster covers (a roster of one
    undated day works the forecast's first day)."""
    if not roster.shifts:
        raise VerifyError("the roster has no shifts")
    if roster.day0 is None:
        first = pd.Timestamp(forecast["interval_start"].min()).normalize()
        last = first
    else:
        day0 = pd.Timestamp(roster.day0)
        first = day0 + pd.Timedelta(days=min(s.start_s for s in roster.shifts) // DAY_S)
        last = day0 + pd.Timedelta(days=max(s.start_s for s in roster.shifts) // DAY_S)
    days = forecast["interval_start"].dt.normalize()
    kept = forecast[(days >= first) & (days <= last)]
    if kept.empty:
        raise VerifyError(
            f"the forecast has no intervals on the roster's days ({first.date()} to {last.date()})"
        )
    return kept.reset_index(drop=True)


def verify(
    roster: Roster,
    forecast: pd.DataFrame,
    *,
    queues: Sequence[QueueConfig] | None = None,
    agents: Sequence[AgentProfile] = (),
    settings: RouterSettings | None = None,
    target_sl: float = 0.8,
    answer_within_s: float = 20.0,
    patience_s: float | None = None,
    replications: int = 5,
    seed: int = 1,
    progress: Callable[[int], None] | None = None,
) -> Verification:
    """Simulate ``roster`` against ``forecast`` ``replications`` times.

    Args:
        roster: shifts and breaks (with skills, or agents from ``agents``).
        forecast: a forecast frame (``wfm.forecast.read_forecast_csv``).
        queues: the center's queues (default: one per forecast queue,
            needing the skill of the same name).
        agents: the center's agent profiles (the roster's skills win).
        settings: router settings (default: the routing core's defaults).
        target_sl: service-level target, fraction.
        answer_within_s: service-level threshold, seconds.
        patience_s: mean caller patience (exponential); None: nobody abandons.
        replications: independent runs to average.
        seed: seed of the first run (the others follow it).
        progress: called with the number of runs done.

    Raises:
        VerifyError: an empty forecast, a forecast queue the center lacks,
            or rostered agents without skills.
    """
    if forecast.empty:
        raise VerifyError("the forecast has no rows")
    if replications < 1:
        raise VerifyError("replications must be at least 1")
    forecast = _roster_days(forecast, roster)
    first = pd.Timestamp(forecast["interval_start"].min()).date()
    day0 = min(dt.date.fromisoformat(roster.day0), first) if roster.day0 else first
    ids = sorted(str(q) for q in forecast["queue"].unique())
    if queues is None:
        queues, default_settings = default_center(ids)
        settings = settings or default_settings
    known = {q.id for q in queues}
    unknown = [q for q in ids if q not in known]
    if unknown:
        raise VerifyError(f"forecast queue(s) not in the center: {', '.join(unknown)}")
    traffic, calls_at = forecast_traffic(forecast, day0, queues, patience_s)
    rostered = _on_day0(roster, day0)
    profiles = {a.id: a for a in agents}
    missing = sorted({s.agent_id for s in rostered.shifts if s.skills is None and s.agent_id not in profiles})
    if missing:
        raise VerifyError(f"rostered agents without skills (no skills column, not in the center): {', '.join(missing)}")
    scenario = Scenario(tuple(queues), tuple(agents), settings or RouterSettings(), traffic, rostered)
    metric = {q.id: MetricSettings(answer_within_s=answer_within_s) for q in queues}
    everyone = list(agents) + [
        AgentProfile(a, s) for a, s in rostered.agent_skills().items() if a not in profiles
    ]
    reports: list[Report] = []
    for k in range(replications):
        try:
            run = SimulatedCenter(scenario, seed + k).run()
        except ValueError as exc:
            raise VerifyError(str(exc)) from None
        reports.append(make_report(run, queues, everyone, metric, traffic.interval_s))
        if progress is not None:
            progress(k + 1)
    mean = mean_report(reports)
    flags: list[Flag] = []
    for (q, at), row in mean.by_queue_interval.items():
        sl = row["service_level"]
        if sl is not None and sl < target_sl and calls_at.get((q, at), 0.0) > 0:
            start = dt.datetime.combine(day0, dt.time()) + dt.timedelta(seconds=at)
            flags.append(Flag(q, start, calls_at[(q, at)], sl))
    flags.sort(key=lambda f: (f.interval_start, f.queue))
    return Verification(mean, day0, calls_at, tuple(flags), target_sl, answer_within_s, replications)


__all__ = ["Flag", "Verification", "VerifyError", "default_center", "forecast_traffic", "verify"]
