"""Roster CSV (``agent_id,date,start,end,breaks,skills``) and a JSON-ready summary."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wfm.roster.result import Assignment, RosterResult
from wfm.roster.rules import Agent

ROSTER_COLUMNS = ("agent_id", "date", "start", "end", "breaks", "skills")


def _skills(agent: Agent | None) -> str:
    if agent is None:
        return ""
    return ";".join(f"{name}:{level}" for name, level in agent.skills.items())


def _breaks(assignment: Assignment) -> str:
    return ";".join(f"{b.start:%H:%M}+{b.minutes}" for b in assignment.breaks)


def roster_csv(assignments: tuple[Assignment, ...], agents: Mapping[str, Agent]) -> str:
    """The roster as CSV text, one row per agent per working day."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ROSTER_COLUMNS)
    for a in sorted(assignments, key=lambda x: (x.date, x.start, x.agent_id)):
        writer.writerow(
            [a.agent_id, a.date.isoformat(), f"{a.start:%H:%M}", f"{a.end:%H:%M}", _breaks(a), _skills(agents.get(a.agent_id))]
        )
    return buffer.getvalue()


def write_roster_csv(path: Path | str, result: RosterResult, agents: tuple[Agent, ...]) -> None:
    """Write the roster CSV file."""
    Path(path).write_text(roster_csv(result.assignments, {a.agent_id: a for a in agents}), encoding="utf-8")


def _num(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 4)


def summary(result: RosterResult, with_intervals: bool = True) -> dict[str, Any]:
    """A JSON-ready summary: status, objective, bound, gap, coverage, hours, shortfalls."""
    cov = result.coverage
    skills: dict[str, Any] = {}
    for skill, required in cov.required.items():
        entry: dict[str, Any] = {
            "required_agent_hours": round(sum(required) * cov.slot_minutes / 60, 2),
            "scheduled_agent_hours": round(sum(cov.scheduled[skill]) * cov.slot_minutes / 60, 2),
            "under_agent_hours": round(cov.under_agent_hours(skill), 2),
            "over_agent_hours": round(cov.over_agent_hours(skill), 2),
        }
        if with_intervals:
            entry["intervals"] = [
                {"start": start.isoformat(), "required": r, "scheduled": round(s, 3)}
                for start, r, s in zip(cov.interval_starts, required, cov.scheduled[skill])
            ]
        skills[skill] = entry
    return {
        "status": result.status,
        "objective": _num(result.objective),
        "best_bound": _num(result.best_bound),
        "gap": _num(result.gap),
        "wall_time_s": round(result.wall_time_s, 3),
        "first_solution_s": None if result.first_solution_s is None else round(result.first_solution_s, 3),
        "solutions": result.solutions,
        "shifts": len(result.assignments),
        "under_agent_hours": round(result.total_under, 2),
        "over_agent_hours": round(result.total_over, 2),
        "coverage": skills,
        "hours": [
            {
                "agent_id": h.agent_id,
                "week_start": h.week_start.isoformat(),
                "hours": round(h.hours, 2),
                "min_hours": round(h.min_hours, 2),
                "max_hours": round(h.max_hours, 2),
            }
            for h in result.hours
        ],
        "shortfalls": [
            {
                "skill": s.skill,
                "start": s.start.isoformat(),
                "end": s.end.isoformat(),
                "short_by": round(s.short_by, 3),
                "agents_with_skill": s.agents_with_skill,
                "available": s.available,
                "binding": dict(s.binding),
                "message": s.message,
            }
            for s in result.shortfalls
        ],
        "warnings": list(result.warnings),
    }
