"""The planning grid: days, intervals, and shifts placed on it.

All times are integer minutes from midnight of the horizon's first day; an
interval (slot) ``t`` covers ``[t * slot_minutes, (t + 1) * slot_minutes)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from wfm.roster.rules import BreakRule, RuleError, ShiftTemplate

DAY_MINUTES = 24 * 60


@dataclass(frozen=True, slots=True)
class Horizon:
    """``days`` consecutive days from ``start``, cut into ``slot_minutes`` intervals."""

    start: dt.date
    days: int
    slot_minutes: int = 30

    def __post_init__(self) -> None:
        if self.days < 1:
            raise RuleError("the horizon needs at least one day")
        if self.slot_minutes <= 0 or DAY_MINUTES % self.slot_minutes:
            raise RuleError("the interval length must divide a day (e.g. 15 or 30 minutes)")

    @property
    def slots_per_day(self) -> int:
        """Intervals in one day."""
        return DAY_MINUTES // self.slot_minutes

    @property
    def n_slots(self) -> int:
        """Intervals inside the horizon."""
        return self.days * self.slots_per_day

    def date(self, day: int) -> dt.date:
        """The calendar date of day index ``day``."""
        return self.start + dt.timedelta(days=day)

    def slot_start(self, slot: int) -> dt.datetime:
        """The local datetime an interval starts."""
        return dt.datetime.combine(self.start, dt.time()) + dt.timedelta(minutes=slot * self.slot_minutes)

    def slot_of(self, when: dt.datetime) -> int:
        """The interval index of a datetime (may fall outside the horizon)."""
        delta = when - dt.datetime.combine(self.start, dt.time())
        return int(delta.total_seconds() // 60) // self.slot_minutes

    def weeks(self) -> list[range]:
        """Day indices of each 7-day block from the first day (the last may be short)."""
        return [range(w, min(w + 7, self.days)) for w in range(0, self.days, 7)]


@dataclass(frozen=True, slots=True)
class ShiftOption:
    """One template at one start time: the unit the solver chooses per day."""

    index: int
    template: ShiftTemplate
    start_minute: int  # minutes after midnight of its day
    break_offsets: tuple[tuple[int, ...], ...]  # per break rule, candidate starts after shift start

    @property
    def name(self) -> str:
        """``template@HH:MM``."""
        return f"{self.template.name}@{self.start_minute // 60:02d}:{self.start_minute % 60:02d}"

    @property
    def length(self) -> int:
        """Minutes from start to end, breaks included."""
        return self.template.length_minutes

    @property
    def paid_minutes(self) -> int:
        """Minutes paid (unpaid breaks excluded)."""
        return self.template.paid_minutes

    def span(self, day: int) -> tuple[int, int]:
        """Absolute ``[start, end)`` minutes when worked on day index ``day``."""
        start = day * DAY_MINUTES + self.start_minute
        return start, start + self.length


def overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    """Minutes two half-open intervals share."""
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def break_offsets(rule: BreakRule, step: int) -> tuple[int, ...]:
    """Candidate break starts (minutes after shift start) inside the window.

    Candidates are ``step`` apart from the window start; the last start still
    lets the break end by ``window_end`` (inclusive: a break may end exactly at
    the window's end). At most ``rule.max_offsets``, spread evenly.
    """
    latest = rule.window_end - rule.minutes
    every = list(range(rule.window_start, latest + 1, step))
    if len(every) <= rule.max_offsets:
        return tuple(every)
    if rule.max_offsets == 1:
        return (every[len(every) // 2],)
    last = len(every) - 1
    picks = sorted({round(i * last / (rule.max_offsets - 1)) for i in range(rule.max_offsets)})
    return tuple(every[i] for i in picks)


def expand_options(templates: tuple[ShiftTemplate, ...], slot_minutes: int) -> tuple[ShiftOption, ...]:
    """Every (template, start time) pair as a :class:`ShiftOption`.

    Raises:
        RuleError: a start time off the interval grid, or duplicate names.
    """
    names = [t.name for t in templates]
    if len(set(names)) != len(names):
        raise RuleError("shift template names must be unique")
    options: list[ShiftOption] = []
    for template in templates:
        for start in sorted(set(template.starts)):
            minute = start.hour * 60 + start.minute
            if minute % slot_minutes:
                raise RuleError(
                    f"shift {template.name!r}: start {start:%H:%M} is not on the {slot_minutes}-minute grid"
                )
            offsets = tuple(break_offsets(rule, slot_minutes) for rule in template.breaks)
            options.append(ShiftOption(len(options), template, minute, offsets))
    return tuple(options)


def presence(option: ShiftOption, day: int, slot_minutes: int) -> dict[int, int]:
    """Interval index -> minutes the shift covers in it (breaks not deducted)."""
    start, end = option.span(day)
    out: dict[int, int] = {}
    for slot in range(start // slot_minutes, (end - 1) // slot_minutes + 1):
        minutes = overlap(start, end, slot * slot_minutes, (slot + 1) * slot_minutes)
        if minutes:
            out[slot] = minutes
    return out


def break_presence(option: ShiftOption, day: int, rule: int, offset: int, slot_minutes: int) -> dict[int, int]:
    """Interval index -> minutes of break ``rule`` taken at ``offset`` in it."""
    start = option.span(day)[0] + offset
    end = start + option.template.breaks[rule].minutes
    out: dict[int, int] = {}
    for slot in range(start // slot_minutes, (end - 1) // slot_minutes + 1):
        minutes = overlap(start, end, slot * slot_minutes, (slot + 1) * slot_minutes)
        if minutes:
            out[slot] = minutes
    return out


def rest_conflicts(options: tuple[ShiftOption, ...], min_rest_minutes: int) -> dict[tuple[int, int], frozenset[int]]:
    """For (option, day gap) the later options that start too soon after it.

    Key ``(s, g)``: option ``s`` worked on some day ``d``; value: options that
    may not be worked on day ``d + g`` because the rest between the end of
    ``s`` and their start would be under ``min_rest_minutes`` (or they would
    overlap). Gaps of 1 and 2 days are checked: shifts last under 24 h and
    rests are short enough that longer gaps never conflict.
    """
    out: dict[tuple[int, int], frozenset[int]] = {}
    for s in options:
        end = s.span(0)[1]
        for gap in (1, 2):
            bad = frozenset(o.index for o in options if o.span(gap)[0] - end < min_rest_minutes)
            if bad:
                out[(s.index, gap)] = bad
    return out
