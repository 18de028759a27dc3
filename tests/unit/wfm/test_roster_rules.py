"""Constraint families of the roster model, each on a tiny instance where it binds."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace

import pytest

from wfm.roster import (
    Agent,
    Assignment,
    BreakCap,
    BreakRule,
    Contract,
    Horizon,
    PreferredDayOff,
    PreferredShift,
    RosterProblem,
    RosterResult,
    RuleError,
    ShiftTemplate,
    SolveOptions,
    Unavailability,
    solve_roster,
)
from wfm.roster.horizon import break_offsets, expand_options, rest_conflicts

MONDAY = dt.date(2026, 1, 5)
FAST = SolveOptions(time_limit_s=10, workers=2)
LOOSE = Contract(min_hours_week=0, max_hours_week=168, max_consecutive_days=7, min_rest_hours=0, days_off_per_week=0)


def contract(**changes: float) -> Contract:
    return replace(LOOSE, **changes)


def at(clock: str) -> dt.time:
    return dt.time.fromisoformat(clock)


def template(name: str = "day", start: str = "09:00", hours: float = 8, breaks: tuple[BreakRule, ...] = ()) -> ShiftTemplate:
    return ShiftTemplate(name, (at(start),), int(hours * 60), breaks=breaks)


def need(horizon: Horizon, per_day: dict[int, tuple[str, str, int]] | None = None, everyday: tuple[str, str, int] | None = None) -> tuple[int, ...]:
    """A requirement series: (from, to, agents) on chosen days or every day."""
    values = [0] * horizon.n_slots
    for day in range(horizon.days):
        spec = (per_day or {}).get(day, everyday)
        if spec is None:
            continue
        first, last, agents = spec
        a = horizon.slot_of(dt.datetime.combine(horizon.date(day), at(first)))
        b = horizon.slot_of(dt.datetime.combine(horizon.date(day), at(last)))
        for t in range(a, b):
            values[t] = agents
    return tuple(values)


def solve(problem: RosterProblem) -> RosterResult:
    result = solve_roster(problem, FAST)
    assert result.status in ("OPTIMAL", "FEASIBLE")
    return result


def worked_days(result: RosterResult, agent_id: str, horizon: Horizon) -> list[int]:
    return sorted((a.date - horizon.start).days for a in result.assignments if a.agent_id == agent_id)


def longest_run(days: list[int]) -> int:
    best = run = 0
    previous = None
    for d in days:
        run = run + 1 if previous is not None and d == previous + 1 else 1
        best = max(best, run)
        previous = d
    return best


@pytest.mark.parametrize(("days", "limit", "expected"), [(7, 3, 6), (4, 3, 3), (3, 3, 3), (7, 1, 4)])
def test_max_consecutive_days_is_respected_and_not_stricter(days: int, limit: int, expected: int) -> None:
    horizon = Horizon(MONDAY, days)
    agent = Agent("a", {"s": 5}, contract(max_consecutive_days=limit))
    problem = RosterProblem(horizon, (template(),), (agent,), {"s": need(horizon, everyday=("09:00", "17:00", 1))})
    worked = worked_days(solve(problem), "a", horizon)
    assert longest_run(worked) <= limit
    # Every window of limit+1 days may hold `limit` working days, no fewer: an off-by-one would change the count.
    assert len(worked) == expected


def test_days_off_per_week_count() -> None:
    horizon = Horizon(MONDAY, 14)
    agent = Agent("a", {"s": 5}, contract(days_off_per_week=2))
    problem = RosterProblem(horizon, (template(),), (agent,), {"s": need(horizon, everyday=("09:00", "17:00", 1))})
    worked = worked_days(solve(problem), "a", horizon)
    assert Counter(d // 7 for d in worked) == {0: 5, 1: 5}


def test_rest_between_shifts() -> None:
    horizon = Horizon(MONDAY, 2)
    late = template("late", "14:00")
    early = template("early", "06:00")
    requirement = {"s": need(horizon, {0: ("14:00", "22:00", 1), 1: ("06:00", "14:00", 1)})}
    rested = Agent("a", {"s": 5}, contract(min_rest_hours=11))
    short_rest = Agent("a", {"s": 5}, contract(min_rest_hours=8))
    # 22:00 -> 06:00 is 8 h: allowed with an 8 h minimum, not with 11 h.
    assert len(solve(RosterProblem(horizon, (late, early), (short_rest,), requirement)).assignments) == 2
    result = solve(RosterProblem(horizon, (late, early), (rested,), requirement))
    assert len(result.assignments) == 1
    assert result.shortfalls and "minimum rest" in result.shortfalls[0].message


def test_rest_conflicts_cover_shifts_crossing_midnight() -> None:
    night = template("night", "22:00")
    morning = template("morning", "08:00")
    options = expand_options((night, morning), 30)
    conflicts = rest_conflicts(options, 11 * 60)
    # Night ends 06:00 next day: a morning shift that day is 2 h later; two days later is fine.
    assert 1 in conflicts[(0, 1)]
    assert (0, 2) not in conflicts or 1 not in conflicts[(0, 2)]
    # A morning shift ending 16:00 leaves 6 h before the night shift: too short only on the same day.
    assert 0 not in conflicts.get((1, 1), frozenset())


def test_break_offsets_stay_inside_their_window() -> None:
    assert break_offsets(BreakRule("b", 15, 90, 180), 30) == (90, 120, 150)
    # A break may end exactly at the window's end.
    assert break_offsets(BreakRule("lunch", 30, 60, 90), 30) == (60,)
    assert break_offsets(BreakRule("lunch", 30, 0, 300, max_offsets=3), 30) == (0, 120, 270)
    with pytest.raises(RuleError):
        BreakRule("b", 45, 60, 90)


def test_breaks_are_placed_inside_windows_and_under_the_cap() -> None:
    horizon = Horizon(MONDAY, 1)
    rules = (BreakRule("break", 15, 60, 150), BreakRule("lunch", 30, 180, 300, paid=False))
    shift = template("day", "08:00", 8, rules)
    agents = tuple(Agent(f"a{i}", {"s": 5}, LOOSE) for i in range(3))
    requirement = {"s": need(horizon, everyday=("08:00", "16:00", 3))}
    result = solve(RosterProblem(horizon, (shift,), agents, requirement, BreakCap(1)))
    assert len(result.assignments) == 3
    on_break: Counter[dt.datetime] = Counter()
    for assignment in result.assignments:
        assert [b.name for b in assignment.breaks] == ["break", "lunch"]
        for placed, rule in zip(assignment.breaks, rules):
            offset = (placed.start - assignment.start).total_seconds() / 60
            assert rule.window_start <= offset and offset + rule.minutes <= rule.window_end
        for placed in assignment.breaks:
            slot = placed.start.replace(minute=placed.start.minute // 30 * 30)
            on_break[slot] += 1
    assert max(on_break.values()) == 1


def test_break_cap_of_zero_leaves_the_shift_unworkable() -> None:
    horizon = Horizon(MONDAY, 1)
    shift = template("day", "08:00", 8, (BreakRule("lunch", 30, 180, 300),))
    problem = RosterProblem(horizon, (shift,), (Agent("a", {"s": 5}, LOOSE),),
                            {"s": need(horizon, everyday=("08:00", "16:00", 1))}, BreakCap(0))
    result = solve(problem)
    assert result.assignments == ()
    assert "break cap" in result.shortfalls[0].message


def test_max_hours_per_week() -> None:
    horizon = Horizon(MONDAY, 7)
    agent = Agent("a", {"s": 5}, contract(max_hours_week=24))
    problem = RosterProblem(horizon, (template(),), (agent,), {"s": need(horizon, everyday=("09:00", "17:00", 1))})
    result = solve(problem)
    assert sum(a.paid_minutes for a in result.assignments) == 24 * 60
    assert result.shortfalls[0].binding.get("max_hours", 0) == 1


def test_min_hours_are_met_even_without_demand() -> None:
    horizon = Horizon(MONDAY, 7)
    agent = Agent("a", {"s": 5}, contract(min_hours_week=32, max_hours_week=40))
    problem = RosterProblem(horizon, (template(),), (agent,), {"s": need(horizon, {0: ("09:00", "17:00", 1)})})
    result = solve(problem)
    assert sum(a.paid_minutes for a in result.assignments) == 32 * 60
    assert result.hours[0].hours == 32


def test_unavailability_blocks_overlapping_shifts() -> None:
    horizon = Horizon(MONDAY, 3)
    agent = Agent("a", {"s": 5}, LOOSE, unavailable=(
        Unavailability(weekday=1),  # Tuesday, all day
        Unavailability(on=MONDAY + dt.timedelta(days=2), start=at("16:00"), end=at("18:00")),
    ))
    problem = RosterProblem(horizon, (template(),), (agent,), {"s": need(horizon, everyday=("09:00", "17:00", 1))})
    result = solve(problem)
    assert worked_days(result, "a", horizon) == [0]
    assert {s.start.date() for s in result.shortfalls} == {MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)}


def test_preferences_choose_between_equal_rosters() -> None:
    horizon = Horizon(MONDAY, 2)
    early, late = template("early", "07:00"), template("late", "12:00")
    requirement = {"s": need(horizon, everyday=("12:00", "15:00", 1))}
    agents = (
        Agent("x", {"s": 5}, LOOSE, preferences=(PreferredDayOff(weekday=0),)),
        Agent("y", {"s": 5}, LOOSE, preferences=(PreferredDayOff(weekday=1), PreferredShift("late"))),
    )
    result = solve(RosterProblem(horizon, (early, late), agents, requirement))
    worked = {(a.agent_id, a.date.weekday()): a.template for a in result.assignments}
    # Each works on the other's wished day off; y gets the late shift it prefers.
    assert worked.keys() == {("y", 0), ("x", 1)}
    assert worked[("y", 0)] == "late"


def test_night_shift_covers_the_next_morning() -> None:
    horizon = Horizon(MONDAY, 2)
    night = template("night", "22:00")
    requirement = {"s": need(horizon, {1: ("00:00", "06:00", 1)})}
    result = solve(RosterProblem(horizon, (night,), (Agent("a", {"s": 5}, LOOSE),), requirement))
    assert [(a.date, a.start.hour, a.end.date()) for a in result.assignments] == [(MONDAY, 22, MONDAY + dt.timedelta(days=1))]
    assert result.total_under == 0


def test_template_rules_are_checked() -> None:
    with pytest.raises(RuleError, match="window ends after the shift"):
        ShiftTemplate("t", (at("08:00"),), 240, breaks=(BreakRule("lunch", 30, 200, 300),))
    with pytest.raises(RuleError, match="overlap"):
        ShiftTemplate("t", (at("08:00"),), 480, breaks=(BreakRule("a", 15, 60, 180), BreakRule("b", 15, 120, 240)))
    with pytest.raises(RuleError, match="grid"):
        expand_options((template("t", "08:15"),), 30)


def test_assignment_values_are_dated() -> None:
    horizon = Horizon(MONDAY, 1)
    result = solve(RosterProblem(horizon, (template(),), (Agent("a", {"s": 5}, LOOSE),),
                                 {"s": need(horizon, everyday=("09:00", "17:00", 1))}))
    assert result.assignments == (
        Assignment("a", MONDAY, "day", dt.datetime(2026, 1, 5, 9), dt.datetime(2026, 1, 5, 17), (), 480),
    )
    assert result.status == "OPTIMAL" and result.gap == 0
