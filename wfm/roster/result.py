"""What a solve returns: the roster, its coverage and how good it is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from wfm.roster.horizon import DAY_MINUTES
from wfm.roster.problem import Prepared, week_limits


@dataclass(frozen=True, slots=True)
class BreakPlacement:
    """One break of one agent on one day."""

    name: str
    start: dt.datetime
    minutes: int


@dataclass(frozen=True, slots=True)
class Assignment:
    """One agent working one shift on one day."""

    agent_id: str
    date: dt.date
    template: str
    start: dt.datetime
    end: dt.datetime
    breaks: tuple[BreakPlacement, ...]
    paid_minutes: int


@dataclass(frozen=True, slots=True)
class AgentHours:
    """Paid hours an agent got in one week against the contract."""

    agent_id: str
    week_start: dt.date
    hours: float
    min_hours: float
    max_hours: float


@dataclass(frozen=True, slots=True)
class Coverage:
    """Required vs scheduled agents per skill and interval (breaks deducted).

    A multi-skilled agent counts for each of their skills; ``pooled_*`` count
    each person once against the sum of all requirements.
    """

    interval_starts: tuple[dt.datetime, ...]
    required: Mapping[str, tuple[int, ...]]
    scheduled: Mapping[str, tuple[float, ...]]
    pooled_required: tuple[int, ...]
    pooled_scheduled: tuple[float, ...]
    slot_minutes: int

    def under_agent_hours(self, skill: str) -> float:
        """Agent-hours below requirement for a skill."""
        return sum(
            max(0.0, r - s) for r, s in zip(self.required[skill], self.scheduled[skill])
        ) * self.slot_minutes / 60

    def over_agent_hours(self, skill: str) -> float:
        """Agent-hours above requirement for a skill."""
        return sum(
            max(0.0, s - r) for r, s in zip(self.required[skill], self.scheduled[skill])
        ) * self.slot_minutes / 60


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A run of intervals where a skill is under-covered, and why."""

    skill: str
    start: dt.datetime
    end: dt.datetime
    short_by: float
    agents_with_skill: int
    available: int
    binding: Mapping[str, int]
    message: str


@dataclass(frozen=True, slots=True)
class RosterResult:
    """The outcome of a roster solve."""

    status: str
    objective: float
    best_bound: float
    gap: float
    wall_time_s: float
    first_solution_s: float | None
    solutions: int
    assignments: tuple[Assignment, ...]
    coverage: Coverage
    hours: tuple[AgentHours, ...]
    shortfalls: tuple[Shortfall, ...]
    warnings: tuple[str, ...]

    @property
    def total_under(self) -> float:
        """Agent-hours short, summed over skills."""
        return sum(self.coverage.under_agent_hours(k) for k in self.coverage.required)

    @property
    def total_over(self) -> float:
        """Agent-hours above requirement, summed over skills."""
        return sum(self.coverage.over_agent_hours(k) for k in self.coverage.required)


def relative_gap(objective: float, bound: float) -> float:
    """``|objective - bound| / max(1, |objective|)``, 0 when proven optimal."""
    return abs(objective - bound) / max(1.0, abs(objective))


def compute_coverage(
    prep: Prepared,
    shifts: Mapping[tuple[int, int], int],
    break_offsets: Mapping[tuple[int, int], tuple[int, ...]],
) -> Coverage:
    """Scheduled agents per skill and interval for a roster.

    Args:
        prep: derived problem facts.
        shifts: (agent, day) -> option index.
        break_offsets: (agent, day) -> chosen offset index per break rule.
    """
    problem = prep.problem
    horizon = problem.horizon
    slot = horizon.slot_minutes
    scheduled = {k: [0.0] * horizon.n_slots for k in problem.requirements}
    pooled = [0.0] * horizon.n_slots
    for (a, day), s in shifts.items():
        minutes: dict[int, int] = dict(prep.presence[s])
        for r, o in enumerate(break_offsets.get((a, day), ())):
            for rel, m in prep.break_footprint[s][r][o].items():
                minutes[rel] -= m
        skills = [k for k in problem.agents[a].skills if k in scheduled]
        for rel, m in minutes.items():
            t = prep.slot_range(day, rel)
            if t is None:
                continue
            pooled[t] += m / slot
            for k in skills:
                scheduled[k][t] += m / slot
    required = dict(problem.requirements)
    return Coverage(
        interval_starts=tuple(horizon.slot_start(t) for t in range(horizon.n_slots)),
        required=required,
        scheduled={k: tuple(v) for k, v in scheduled.items()},
        pooled_required=tuple(sum(r[t] for r in required.values()) for t in range(horizon.n_slots)),
        pooled_scheduled=tuple(pooled),
        slot_minutes=slot,
    )


def agent_hours(prep: Prepared, shifts: Mapping[tuple[int, int], int]) -> tuple[AgentHours, ...]:
    """Paid hours per agent and week, with the contract's (prorated) limits."""
    problem = prep.problem
    out: list[AgentHours] = []
    for a, agent in enumerate(problem.agents):
        contract = agent.contract
        for week in problem.horizon.weeks():
            low, high, _ = week_limits(
                len(week), contract.min_hours_week, contract.max_hours_week, contract.days_off_per_week
            )
            paid = sum(prep.options[shifts[(a, d)]].paid_minutes for d in week if (a, d) in shifts)
            out.append(AgentHours(agent.agent_id, problem.horizon.date(week[0]), paid / 60, low / 60, high / 60))
    return tuple(out)


def make_assignments(
    prep: Prepared,
    shifts: Mapping[tuple[int, int], int],
    break_offsets: Mapping[tuple[int, int], tuple[int, ...]],
) -> tuple[Assignment, ...]:
    """Turn (agent, day) -> option choices into dated assignments."""
    problem = prep.problem
    origin = dt.datetime.combine(problem.horizon.start, dt.time())
    out: list[Assignment] = []
    for (a, day), s in sorted(shifts.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        option = prep.options[s]
        start = day * DAY_MINUTES + option.start_minute
        breaks = tuple(
            BreakPlacement(
                rule.name,
                origin + dt.timedelta(minutes=start + option.break_offsets[r][o]),
                rule.minutes,
            )
            for r, (rule, o) in enumerate(zip(option.template.breaks, break_offsets.get((a, day), ())))
        )
        out.append(
            Assignment(
                agent_id=problem.agents[a].agent_id,
                date=problem.horizon.date(day),
                template=option.template.name,
                start=origin + dt.timedelta(minutes=start),
                end=origin + dt.timedelta(minutes=start + option.length),
                breaks=breaks,
                paid_minutes=option.paid_minutes,
            )
        )
    return tuple(out)
