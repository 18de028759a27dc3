"""Solving end to end, shift coverage (a), diagnostics of shortfalls and contracts."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from wfm.roster import (
    DEFAULT_TEMPLATES,
    Agent,
    BreakCap,
    Contract,
    ContractConflictError,
    Horizon,
    Progress,
    RosterProblem,
    ShiftTemplate,
    SolveOptions,
    Unavailability,
    check_contracts,
    generate_agents,
    solve_roster,
    solve_shift_coverage,
    summary,
)
from wfm.roster.problem import Prepared

MONDAY = dt.date(2026, 1, 5)


def bell(horizon: Horizon, peak: float, centre: float = 13.0) -> tuple[int, ...]:
    """A daily bell curve of required agents between 08:00 and 20:00."""
    out = []
    for t in range(horizon.n_slots):
        hour = (t % horizon.slots_per_day) * horizon.slot_minutes / 60
        out.append(round(peak * math.exp(-(((hour - centre) / 3) ** 2))) if 8 <= hour < 20 else 0)
    return tuple(out)


def test_ten_agents_one_week_end_to_end() -> None:
    horizon = Horizon(MONDAY, 7)
    requirements = {"sales": bell(horizon, 3), "support": bell(horizon, 2, 11)}
    agents = generate_agents(10, list(requirements), seed=3)
    problem = RosterProblem(horizon, DEFAULT_TEMPLATES, agents, requirements, BreakCap(2))
    seen: list[Progress] = []
    result = solve_roster(problem, SolveOptions(time_limit_s=5, workers=2), seen.append)
    assert result.status in ("OPTIMAL", "FEASIBLE")
    assert seen and result.first_solution_s is not None and result.first_solution_s <= result.wall_time_s
    assert [p.objective for p in seen] == sorted((p.objective for p in seen), reverse=True)
    assert 0 <= result.gap <= 1 and result.best_bound <= result.objective + 1e-6
    for hours in result.hours:
        assert hours.min_hours - 1e-9 <= hours.hours <= hours.max_hours + 1e-9
    for agent in agents:
        days = sorted(a.date for a in result.assignments if a.agent_id == agent.agent_id)
        assert len(days) == len(set(days)) <= 5  # one shift a day, two days off
    doc = summary(result)
    assert doc["status"] == result.status and set(doc["coverage"]) == {"sales", "support"}
    assert doc["shifts"] == len(result.assignments)


def test_impossible_requirement_is_diagnosed_with_interval_and_shortfall() -> None:
    horizon = Horizon(MONDAY, 1)
    requirement = [0] * horizon.n_slots
    for t in range(16, 18):  # Mon 08:00-09:00
        requirement[t] = 5
    agents = tuple(Agent(f"a{i}", {"support": 5}, Contract(min_hours_week=0)) for i in range(2))
    agents += (Agent("busy", {"support": 5}, Contract(min_hours_week=0), unavailable=(Unavailability(weekday=0),)),)
    agents += (Agent("seller", {"sales": 5}, Contract(min_hours_week=0)),)
    problem = RosterProblem(horizon, DEFAULT_TEMPLATES, agents, {"support": tuple(requirement)})
    result = solve_roster(problem, SolveOptions(time_limit_s=5, workers=2))
    assert len(result.shortfalls) == 1
    shortfall = result.shortfalls[0]
    assert (shortfall.start, shortfall.end, shortfall.short_by) == (
        dt.datetime(2026, 1, 5, 8), dt.datetime(2026, 1, 5, 9), 3
    )
    assert shortfall.agents_with_skill == 3 and shortfall.available == 2
    assert shortfall.message.startswith(
        "Mon 2026-01-05 08:00\u201309:00 short by 3 on support: only 2 agents have support and are available (of 3"
    )
    assert result.total_under == pytest.approx(3.0)


def test_max_hours_binding_is_named() -> None:
    horizon = Horizon(MONDAY, 7)
    agents = tuple(Agent(f"a{i}", {"support": 5}, Contract(min_hours_week=0, max_hours_week=16)) for i in range(2))
    requirements = {"support": bell(horizon, 2)}
    result = solve_roster(RosterProblem(horizon, DEFAULT_TEMPLATES, agents, requirements), SolveOptions(time_limit_s=5))
    assert result.shortfalls
    assert any("max hours/week binds for 2 of them" in s.message for s in result.shortfalls)


def test_contradictory_contract_is_named_agent_by_agent() -> None:
    horizon = Horizon(MONDAY, 7)
    weekend_only = tuple(Unavailability(weekday=d) for d in range(5))
    agents = (
        Agent("ok", {"s": 5}, Contract(min_hours_week=24)),
        Agent("weekend", {"s": 5}, Contract(min_hours_week=24), unavailable=weekend_only),
        Agent("upside-down", {"s": 5}, Contract(min_hours_week=40, max_hours_week=30)),
    )
    problem = RosterProblem(horizon, DEFAULT_TEMPLATES, agents, {"s": bell(horizon, 2)})
    conflicts = check_contracts(Prepared(problem))
    assert [c.agent_id for c in conflicts] == ["weekend", "upside-down"]
    assert "min 24 h cannot be reached, at most 16 h possible" in conflicts[0].message
    assert "no shift possible on Mon, Tue, Wed, Thu, Fri" in conflicts[0].message
    assert "above max" in conflicts[1].message
    with pytest.raises(ContractConflictError, match="weekend: week of 2026-01-05"):
        solve_roster(problem, SolveOptions(time_limit_s=2))


def test_shift_coverage_finds_the_cheapest_cover() -> None:
    horizon = Horizon(MONDAY, 2)
    morning = ShiftTemplate("m", (dt.time(8),), 240, cost_per_hour=10)
    long = ShiftTemplate("l", (dt.time(8),), 480, cost_per_hour=10)
    afternoon = ShiftTemplate("a", (dt.time(12),), 240, cost_per_hour=10)
    need = [0] * horizon.n_slots
    for t in range(16, 32):  # 08:00-16:00, 2 agents, day 0 only
        need[t] = 2
    agents = tuple(Agent(f"x{i}", {"s": 5}) for i in range(5))
    problem = RosterProblem(horizon, (morning, long, afternoon), agents, {"s": tuple(need)})
    solution = solve_shift_coverage(problem, time_limit_s=5, workers=1)
    assert solution.status == "OPTIMAL"
    # Any mix of two full covers costs 2 x 8 h x 10.
    assert solution.cost == 160
    assert sum(c.agents for c in solution.counts if c.template in ("m", "l")) == 2
    assert all(c.day == 0 for c in solution.counts)


def test_coverage_warm_start_gives_a_roster() -> None:
    horizon = Horizon(MONDAY, 7)
    requirements = {"sales": bell(horizon, 3)}
    agents = generate_agents(8, ["sales"], seed=2)
    problem = RosterProblem(horizon, DEFAULT_TEMPLATES, agents, requirements, BreakCap(2))
    result = solve_roster(problem, SolveOptions(time_limit_s=4, workers=2, warm_start="coverage"))
    assert result.status in ("OPTIMAL", "FEASIBLE") and result.assignments


def test_generated_agents_follow_requirement_skills() -> None:
    agents = generate_agents(60, ["a", "b"], seed=7, weights=[3, 1])
    primary = [max(agent.skills, key=lambda k: agent.skills[k]) for agent in agents]
    assert set(primary) == {"a", "b"} and primary.count("a") > primary.count("b")
    assert agents == generate_agents(60, ["a", "b"], seed=7, weights=[3, 1])
    assert all(set(agent.skills) <= {"a", "b"} and agent.skills for agent in agents)


def test_relaxation_bounds_the_roster_and_knows_weekly_capacity() -> None:
    from ortools.sat.python import cp_model

    from wfm.roster.model import build_relaxation

    horizon = Horizon(MONDAY, 7)
    day = ShiftTemplate("day", (dt.time(9),), 480, cost_per_hour=0)
    need = [0] * horizon.n_slots
    for d in range(7):
        for t in range(d * 48 + 18, d * 48 + 34):  # 09:00-17:00 every day
            need[t] = 1
    agent = Agent("a", {"s": 5}, Contract(min_hours_week=0, days_off_per_week=2))
    problem = RosterProblem(horizon, (day,), (agent,), {"s": tuple(need)})
    roster = solve_roster(problem, SolveOptions(time_limit_s=5, workers=1))
    model, _ = build_relaxation(Prepared(problem))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = 5
    assert solver.solve(model) == cp_model.OPTIMAL
    # Two days off leave two days of 8 h short, whoever works: the relaxation sees it too.
    two_days_short = 2 * 480 * problem.weights.under
    assert roster.status == "OPTIMAL" and roster.objective == two_days_short
    assert solver.objective_value == two_days_short
