"""Business hours: a weekly schedule, holidays and special days, in a time zone.

The time always comes from the caller of these functions (an event's
``at``), never from a clock.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from ivr.errors import NaiveTime
from ivr.model import Schedule


def local_time(schedule: Schedule, at: datetime) -> datetime:
    """``at`` in the schedule's time zone.

    Raises:
        NaiveTime: ``at`` has no time zone.
    """
    if at.tzinfo is None or at.utcoffset() is None:
        raise NaiveTime(f"time {at.isoformat()} has no time zone; schedule {schedule.name!r} needs one")
    return at.astimezone(ZoneInfo(schedule.timezone))


def is_holiday(schedule: Schedule, at: datetime) -> bool:
    """True when the local date of ``at`` is one of the schedule's holidays."""
    return local_time(schedule, at).date() in schedule.holidays


def is_open(schedule: Schedule, at: datetime) -> bool:
    """True when the center is open at ``at`` by this schedule.

    Holidays are closed all day; a special day's ranges replace the weekly
    ones; otherwise the weekday's ranges apply (local wall-clock time, so
    daylight-saving changes need no care here).
    """
    local = local_time(schedule, at)
    day: date = local.date()
    if day in schedule.holidays:
        return False
    ranges = schedule.special.get(day, schedule.weekly.get(local.weekday(), ()))
    now = local.time().replace(tzinfo=None)
    return any(_within(now, start, end) for start, end in ranges)


def _within(now: time, start: time, end: time | None) -> bool:
    return start <= now and (end is None or now < end)
