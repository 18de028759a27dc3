"""Roster CSV: shifts, breaks, skills, and errors that name file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulation.errors import RosterError
from simulation.roster import format_roster, load_roster, parse_roster


def test_a_one_day_roster_gives_shifts_and_breaks_in_seconds() -> None:
    roster = parse_roster("agent_id,start,end,breaks\na01,08:00,16:30,10:00+15;12:00+30\n")
    (shift,) = roster.shifts
    assert (shift.agent_id, shift.start_s, shift.end_s) == ("a01", 8 * 3600, 16.5 * 3600)
    assert [(b.start_s, b.duration_s, b.reason) for b in shift.breaks] == [
        (10 * 3600, 900, "break"),
        (12 * 3600, 1800, "lunch"),
    ]
    assert shift.skills is None and roster.day0 is None


def test_dates_night_shifts_and_skills() -> None:
    text = (
        "agent_id,date,start,end,breaks,skills\n"
        "a01,2026-01-06,22:00,06:00,01:00+30,sales:7;support:4\n"
        "a01,2026-01-05,08:00,12:00,,sales:7;support:4\n"
    )
    roster = parse_roster(text)
    night, day = roster.shifts
    assert roster.day0 == "2026-01-05"
    assert (night.start_s, night.end_s) == (86400 + 22 * 3600, 2 * 86400 + 6 * 3600)
    assert night.breaks[0].start_s == 2 * 86400 + 3600
    assert day.breaks == ()
    assert roster.agent_skills() == {"a01": {"sales": 7, "support": 4}}


def test_format_and_parse_round_trip() -> None:
    text = "agent_id,date,start,end,breaks,skills\na02,2026-01-05,09:00,17:00,11:00+15;13:00+45,billing:5\n"
    roster = parse_roster(text)
    assert parse_roster(format_roster(roster.shifts, day0=__import__("datetime").date(2026, 1, 5))) == roster


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("a01,8h00,16:00,", "bad time '8h00': expected HH:MM"),
        ("a01,08:00,25:00,", "bad time '25:00'"),
        ("a01,08:00,16:00,10:00-15", "bad break '10:00-15': expected HH:MM+MINUTES"),
        ("a01,08:00,16:00,07:00+15", "not inside the shift"),
        ("a01,08:00,16:00,10:00+x", "minutes 'x' is not a number"),
        ("a01,08:00,16:00,10:00+30;10:15+15", "breaks overlap"),
        (",08:00,16:00,", "empty agent_id"),
    ],
)
def test_errors_name_the_file_and_line(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("agent_id,start,end,breaks\na00,08:00,16:00,\n" + row + "\n")
    with pytest.raises(RosterError) as info:
        load_roster(path)
    assert str(info.value).startswith(f"{path}:3: ")
    assert message in str(info.value)


def test_header_and_skill_errors() -> None:
    with pytest.raises(RosterError, match=r"^r.csv:1: missing column\(s\) breaks"):
        parse_roster("agent_id,start,end\n", "r.csv")
    with pytest.raises(RosterError, match=r"^r.csv:2: bad skill 'sales:11': level must be 1-10"):
        parse_roster("agent_id,start,end,breaks,skills\na01,08:00,16:00,,sales:11\n", "r.csv")
    with pytest.raises(RosterError, match=r"^r.csv:3: shift of a01 overlaps its shift on line 2"):
        parse_roster("agent_id,start,end,breaks\na01,08:00,16:00,\na01,12:00,18:00,\n", "r.csv")
    with pytest.raises(RosterError, match="bad date '2026-13-01'"):
        parse_roster("agent_id,date,start,end,breaks\na01,2026-13-01,08:00,16:00,\n", "r.csv")


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="nope.csv: file not found"):
        load_roster(tmp_path / "nope.csv")
