"""Business hours (weekly, holidays, special days, time zones) and check digits."""

from __future__ import annotations

from datetime import date, datetime, time, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.config.ivr import load_flow
from callcenter.config.loader import ConfigError
from ivr.checks import luhn_digit, luhn_valid, mod11_digit, mod11_valid
from ivr.errors import NaiveTime
from ivr.hours import is_holiday, is_open
from ivr.model import Schedule
from tests.unit.ivr.builders import TAIPEI

UTC = timezone.utc


def schedule(tmp_path: Path, body: str) -> Schedule:
    lines = [line.strip() for line in body.strip().splitlines()]
    text = "start: h\nnodes:\n  h: {kind: hangup}\nschedules:\n  s:\n" + "".join(f"    {line}\n" for line in lines)
    path = tmp_path / "hours.yaml"
    path.write_text(text, encoding="utf-8")
    return load_flow(path).schedules["s"]


@pytest.fixture
def office(tmp_path: Path) -> Schedule:
    return schedule(tmp_path, """\
            timezone: Asia/Taipei
            hours: {mon-fri: "08:00-12:00, 13:00-20:00", sat: "09:00-24:00"}
            holidays: [2026-04-03]
            special: {2026-12-31: "08:00-10:00", 2026-04-04: closed}
        """)


@pytest.mark.parametrize(("local", "expected"), [
    (datetime(2026, 3, 2, 7, 59), False),   # Monday, before opening
    (datetime(2026, 3, 2, 8, 0), True),     # start is inclusive
    (datetime(2026, 3, 2, 12, 30), False),  # lunch gap
    (datetime(2026, 3, 2, 19, 59), True),
    (datetime(2026, 3, 2, 20, 0), False),   # end is exclusive
    (datetime(2026, 3, 7, 23, 59), True),   # Saturday until midnight
    (datetime(2026, 3, 8, 12, 0), False),   # Sunday: no hours given
    (datetime(2026, 4, 3, 10, 0), False),   # a Friday holiday
    (datetime(2026, 4, 4, 10, 0), False),   # special day: closed
    (datetime(2026, 12, 31, 9, 0), True),   # special day replaces Thursday's hours
    (datetime(2026, 12, 31, 11, 0), False),
])
def test_local_hours(office: Schedule, local: datetime, expected: bool) -> None:
    assert is_open(office, local.replace(tzinfo=TAIPEI)) is expected


def test_the_zone_of_the_event_does_not_matter(office: Schedule) -> None:
    # 01:30 UTC on Monday is 09:30 in Taipei: open; 12:30 UTC is 20:30 there: closed.
    assert is_open(office, datetime(2026, 3, 2, 1, 30, tzinfo=UTC))
    assert not is_open(office, datetime(2026, 3, 2, 12, 30, tzinfo=UTC))
    # 20:00 UTC on Thursday 2 April is already the holiday in Taipei.
    assert is_holiday(office, datetime(2026, 4, 2, 20, 0, tzinfo=UTC))
    assert not is_holiday(office, datetime(2026, 4, 2, 15, 0, tzinfo=UTC))
    with pytest.raises(NaiveTime):
        is_open(office, datetime(2026, 3, 2, 10, 0))


def test_daylight_saving_follows_local_wall_time(tmp_path: Path) -> None:
    new_york = schedule(tmp_path, """\
            timezone: America/New_York
            hours: {daily: "09:00-17:00"}
        """)
    # 13:30 UTC is 08:30 EST in winter (closed) and 09:30 EDT in summer (open).
    assert not is_open(new_york, datetime(2026, 1, 12, 13, 30, tzinfo=UTC))
    assert is_open(new_york, datetime(2026, 7, 13, 13, 30, tzinfo=UTC))
    # The day the clocks go forward (8 March 2026) still opens at 09:00 local.
    assert is_open(new_york, datetime(2026, 3, 8, 9, 0, tzinfo=ZoneInfo("America/New_York")))


@given(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)))
def test_wrapping_day_ranges_match_the_list(at: datetime) -> None:
    sched = Schedule("s", "Asia/Taipei", {d: ((time(8), time(20)),) for d in (5, 6, 0)}, frozenset({date(2026, 1, 1)}))
    local = at.astimezone(TAIPEI)
    expected = local.weekday() in (5, 6, 0) and 8 <= local.hour < 20 and local.date() != date(2026, 1, 1)
    assert is_open(sched, at) is expected


@pytest.mark.parametrize(("body", "message"), [
    ('timezone: Mars/Olympus\n    hours: {mon: "08:00-17:00"}', "unknown time zone 'Mars/Olympus'"),
    ('timezone: UTC\n    hours: {mon: "17:00-08:00"}', "ends before it starts"),
    ('timezone: UTC\n    hours: {mon: "8-17"}', "HH:MM"),
    ('timezone: UTC\n    hours: {mon-fri: "08:00-17:00", fri: "08:00-12:00"}', "fri is given twice"),
    ('timezone: UTC\n    hours: {monday: "08:00-17:00"}', "use mon..sun"),
    ('timezone: UTC\n    hours: {sat-sun: "25:00-26:00"}', "does not exist"),
])
def test_bad_schedules_name_the_line(tmp_path: Path, body: str, message: str) -> None:
    text = "start: h\nnodes:\n  h: {kind: hangup}\nschedules:\n  s:\n    " + body + "\n"
    path = tmp_path / "f.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message) as info:
        load_flow(path)
    assert info.value.line in (5, 6, 7)


def test_check_digits_known_values() -> None:
    assert luhn_valid("79927398713") and not luhn_valid("79927398710")
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("7") and not luhn_valid("12a4")
    assert mod11_digit("123456789") == 2 and mod11_valid("1234567892")
    assert not mod11_valid("1234567891") and not mod11_valid("1")


@given(st.text(alphabet="0123456789", min_size=1, max_size=18), st.integers(0, 17), st.integers(1, 9))
def test_check_digits_catch_any_single_wrong_digit(payload: str, where: int, delta: int) -> None:
    number = payload + str(luhn_digit(payload))
    assert luhn_valid(number)
    i = where % len(number)
    wrong = number[:i] + str((int(number[i]) + delta) % 10) + number[i + 1:]
    assert not luhn_valid(wrong)
    digit = mod11_digit(payload)
    if digit is not None:
        number = payload + str(digit)
        assert mod11_valid(number)
        assert not mod11_valid(number[:i] + str((int(number[i]) + delta) % 10) + number[i + 1:])
