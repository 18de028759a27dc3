"""A rostering problem and the facts derived from it once, before modelling."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from wfm.roster.horizon import (
    DAY_MINUTES,
    Horizon,
    ShiftOption,
    break_presence,
    expand_options,
    overlap,
    presence,
    rest_conflicts,
)
from wfm.roster.requirements import RequirementsError
from wfm.roster.rules import Agent, BreakCap, ObjectiveWeights, RuleError, ShiftTemplate


@dataclass(frozen=True, slots=True)
class RosterProblem:
    """Everything the solver needs: grid, shifts, agents, requirements, weights.

    ``requirements`` maps a skill to one required head count per horizon
    interval (see :meth:`wfm.roster.requirements.RequirementTable.grid`).
    """

    horizon: Horizon
    templates: tuple[ShiftTemplate, ...]
    agents: tuple[Agent, ...]
    requirements: Mapping[str, tuple[int, ...]]
    break_cap: BreakCap | None = None
    weights: ObjectiveWeights = field(default_factory=ObjectiveWeights)


def _unavailable_spans(agent: Agent, horizon: Horizon) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for day in range(-1, horizon.days + 1):  # neighbours matter for night shifts
        date = horizon.date(day)
        for period in agent.unavailable:
            if not period.applies_to(date):
                continue
            start = period.start.hour * 60 + period.start.minute if period.start else 0
            end = period.end.hour * 60 + period.end.minute if period.end else DAY_MINUTES
            spans.append((day * DAY_MINUTES + start, day * DAY_MINUTES + end))
    return spans


class Prepared:
    """Derived facts: shift options, their interval footprints, who may work what.

    Footprints are stored relative to day 0 (``presence[s]`` maps an interval
    index to minutes) and shifted by ``day * slots_per_day`` when used.
    """

    def __init__(self, problem: RosterProblem) -> None:
        self.problem = problem
        horizon = problem.horizon
        slot = horizon.slot_minutes
        for skill, values in problem.requirements.items():
            if len(values) != horizon.n_slots:
                raise RequirementsError(f"skill {skill!r}: {len(values)} values for {horizon.n_slots} intervals")
        ids = [a.agent_id for a in problem.agents]
        if len(set(ids)) != len(ids):
            raise RuleError("agent ids must be unique")
        self.options: tuple[ShiftOption, ...] = expand_options(problem.templates, slot)
        self.presence = [presence(o, 0, slot) for o in self.options]
        self.break_footprint = [
            [[break_presence(o, 0, r, off, slot) for off in offs] for r, offs in enumerate(o.break_offsets)]
            for o in self.options
        ]
        weights = problem.weights
        self.cost = [round(o.template.cost_per_hour * o.paid_minutes / 60 * weights.cost) for o in self.options]
        self.skills: tuple[str, ...] = tuple(problem.requirements)
        # Agents with the same skills are interchangeable for coverage: a crew.
        signatures = [frozenset(s for s in a.skills if s in problem.requirements) for a in problem.agents]
        self.groups: tuple[frozenset[str], ...] = tuple(dict.fromkeys(signatures))
        self.group_of = [self.groups.index(sig) for sig in signatures]
        self.allowed = [self._allowed_for(agent) for agent in problem.agents]
        self._rest_cache: dict[int, dict[tuple[int, int], frozenset[int]]] = {}

    def _allowed_for(self, agent: Agent) -> list[tuple[int, ...]]:
        horizon = self.problem.horizon
        spans = _unavailable_spans(agent, horizon)
        out: list[tuple[int, ...]] = []
        for day in range(horizon.days):
            weekday = horizon.date(day).weekday()
            ok = []
            for option in self.options:
                if weekday not in option.template.weekdays:
                    continue
                start, end = option.span(day)
                if any(overlap(start, end, a, b) for a, b in spans):
                    continue
                ok.append(option.index)
            out.append(tuple(ok))
        return out

    def rest(self, min_rest_hours: float) -> dict[tuple[int, int], frozenset[int]]:
        """Rest conflicts for a contract's minimum rest (cached)."""
        minutes = math.ceil(min_rest_hours * 60)
        if minutes not in self._rest_cache:
            self._rest_cache[minutes] = rest_conflicts(self.options, minutes)
        return self._rest_cache[minutes]

    def slot_range(self, day: int, rel: int) -> int | None:
        """Absolute interval for a day-relative one, or None past the horizon."""
        t = day * self.problem.horizon.slots_per_day + rel
        return t if t < self.problem.horizon.n_slots else None


def week_limits(days_in_week: int, min_hours: float, max_hours: float, days_off: int) -> tuple[int, int, int]:
    """(min paid minutes, max paid minutes, max working days) for a 7-day block.

    A block shorter than a week (the horizon's tail) is the start of a week
    whose rest is not planned here: its minimum is prorated (rounded down),
    while the weekly maximum and days off apply as for a full week.
    """
    min_minutes = math.floor(min_hours * 60 * days_in_week / 7 + 1e-9)
    max_minutes = math.floor(max_hours * 60 + 1e-9)
    max_days = min(days_in_week, 7 - days_off)
    return min_minutes, max_minutes, max(0, max_days)


def fmt_day(date: dt.date) -> str:
    """``Mon 2026-01-05``."""
    return f"{date:%a} {date.isoformat()}"
