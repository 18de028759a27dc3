"""Requirements CSV, roster CSV and the agents/shifts YAML files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from callcenter.config.loader import ConfigError
from callcenter.config.roster import load_agents, load_shifts
from wfm.roster import (
    Agent,
    Assignment,
    BreakPlacement,
    Horizon,
    PreferredDayOff,
    PreferredShift,
    RequirementsError,
    Unavailability,
    parse_requirements,
    roster_csv,
)


def test_requirements_in_the_simple_layout() -> None:
    table = parse_requirements(
        "skill,interval_start,required\n"
        "sales,2026-01-05T08:00:00,2\n"
        "sales,2026-01-05T08:30:00,3\n"
        "support,2026-01-05T08:00:00,1.2\n"
    )
    assert table.slot_minutes == 30 and table.skills == ("sales", "support")
    grid = table.grid(Horizon(dt.date(2026, 1, 5), 1))
    assert grid["sales"][16:18] == (2, 3)
    assert grid["support"][16] == 2  # a fractional requirement rounds up
    assert sum(grid["sales"]) == 5


def test_requirements_from_the_staffing_output() -> None:
    text = (
        "queue,interval_start,calls,aht_s,traffic_erlangs,agents,scheduled,service_level,asa_s,occupancy\n"
        "billing,2026-01-05T09:00:00,40,300,6.7,9,11,0.82,12.0,0.74\n"
        "billing,2026-01-05T09:15:00,42,300,7.0,9,11,0.81,13.0,0.77\n"
    )
    table = parse_requirements(text)
    assert table.slot_minutes == 15
    assert [(r.skill, r.required) for r in table.rows] == [("billing", 11), ("billing", 11)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,b,c\n1,2,3\n", "<requirements>:1: expected columns skill,interval_start,required"),
        ("skill,interval_start,required\nsales,monday,2\n", "<requirements>:2: interval_start 'monday'"),
        ("skill,interval_start,required\nsales,2026-01-05T08:00:00,x\n", "<requirements>:2: required 'x' is not a number"),
        ("skill,interval_start,required\nsales,2026-01-05T08:00:00,-1\n", "<requirements>:2: required must be >= 0"),
        ("skill,interval_start,required\n", "<requirements>: no requirement rows"),
    ],
)
def test_bad_requirements_name_the_line(text: str, message: str) -> None:
    with pytest.raises(RequirementsError) as info:
        parse_requirements(text)
    assert str(info.value).startswith(message)


def test_roster_csv_format() -> None:
    day = dt.date(2026, 1, 5)
    night = Assignment(
        "A1", day, "night", dt.datetime(2026, 1, 5, 22), dt.datetime(2026, 1, 6, 6),
        (BreakPlacement("break", dt.datetime(2026, 1, 6, 0, 30), 15), BreakPlacement("lunch", dt.datetime(2026, 1, 6, 2), 30)),
        450,
    )
    plain = Assignment("A2", day, "day", dt.datetime(2026, 1, 5, 9), dt.datetime(2026, 1, 5, 17), (), 480)
    agents = {"A1": Agent("A1", {"sales": 7, "support": 4}), "A2": Agent("A2", {"sales": 5})}
    assert roster_csv((night, plain), agents).splitlines() == [
        "agent_id,date,start,end,breaks,skills",
        "A2,2026-01-05,09:00,17:00,,sales:5",
        "A1,2026-01-05,22:00,06:00,00:30+15;02:00+30,sales:7;support:4",
    ]


def test_agents_yaml(tmp_path: Path) -> None:
    path = tmp_path / "agents.yaml"
    path.write_text(
        "contracts:\n"
        "  part-time: {min_hours_week: 16, max_hours_week: 24, days_off_per_week: 3}\n"
        "agents:\n"
        "  - id: A1\n"
        "    skills: {sales: 7, support: 4}\n"
        "    contract: part-time\n"
        "    unavailable:\n"
        "      - {weekday: Sat}\n"
        "      - {date: 2026-01-07, start: '08:00', end: 12:00}\n"
        "    preferences: {shifts: [early], days_off: [Sun], weight: 2}\n"
        "  - id: A2\n"
        "    skills: {billing: 5}\n"
    )
    first, second = load_agents(path)
    assert first.contract.name == "part-time" and first.contract.days_off_per_week == 3
    assert first.unavailable == (
        Unavailability(weekday=5),
        Unavailability(on=dt.date(2026, 1, 7), start=dt.time(8), end=dt.time(12)),
    )
    assert first.preferences == (PreferredShift("early", 2), PreferredDayOff(weekday=6, weight=2))
    assert second.contract.name == "full-time" and dict(second.skills) == {"billing": 5}


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("agents:\n  - id: A1\n    skills: {sales: 12}\n", 3, "level must be 1..10"),
        ("agents:\n  - id: A1\n    skills: {sales: 5}\n    contract: nope\n", 1, "unknown contract 'nope'"),
        ("agents:\n  - id: A1\n    skills: {s: 5}\n    unavailable:\n      - {weekday: Someday}\n", 5, "expected a weekday"),
    ],
)
def test_agents_yaml_errors_name_file_and_line(tmp_path: Path, body: str, line: int, message: str) -> None:
    path = tmp_path / "agents.yaml"
    path.write_text(body)
    with pytest.raises(ConfigError) as info:
        load_agents(path)
    assert str(info.value).startswith(f"{path}:{line}:")
    assert message in str(info.value)


def test_shifts_yaml(tmp_path: Path) -> None:
    path = tmp_path / "shifts.yaml"
    path.write_text(
        "break_cap: 4\n"
        "templates:\n"
        "  - name: early\n"
        "    starts: [07:00, '07:30']\n"
        "    length_min: 510\n"
        "    weekdays: [Mon, Tue, Wed, Thu, Fri]\n"
        "    cost_per_hour: 20\n"
        "  - name: short\n"
        "    starts: ['17:00']\n"
        "    length_min: 240\n"
        "    breaks:\n"
        "      - {name: break, minutes: 15, window_min: [60, 180]}\n"
    )
    (early, short), cap = load_shifts(path)
    assert cap is not None and cap.max_on_break == 4
    assert early.starts == (dt.time(7), dt.time(7, 30)) and early.weekdays == frozenset(range(5))
    assert [b.name for b in early.breaks] == ["break", "lunch", "break"]  # the defaults fit 8.5 h
    assert [(b.minutes, b.window_start, b.window_end) for b in short.breaks] == [(15, 60, 180)]


def test_shifts_yaml_rule_error_points_at_the_template(tmp_path: Path) -> None:
    path = tmp_path / "shifts.yaml"
    path.write_text(
        "templates:\n"
        "  - name: ok\n"
        "    starts: ['08:00']\n"
        "    length_min: 480\n"
        "  - name: tiny\n"
        "    starts: ['08:00']\n"
        "    length_min: 120\n"
        "    breaks: [{minutes: 30, window_min: [60, 200]}]\n"
    )
    with pytest.raises(ConfigError, match=r":5: shift 'tiny': break 'break' window ends after the shift"):
        load_shifts(path)
