"""The rules a roster must respect, as plain values.

Everything here is a frozen, slotted dataclass: the CLI turns YAML into
these, tests build them directly. Times inside a shift are minutes after the
shift's start; weekdays are 0 (Monday) to 6 (Sunday).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

ALL_WEEKDAYS: frozenset[int] = frozenset(range(7))
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class RosterError(Exception):
    """Base of the rostering errors."""


class RuleError(RosterError, ValueError):
    """A rule that makes no sense on its own (a break outside its shift...)."""


@dataclass(frozen=True, slots=True)
class BreakRule:
    """One break or meal inside a shift.

    The break of ``minutes`` must lie entirely within
    ``[window_start, window_end]`` minutes after the shift starts: a 15-min
    break "between 1.5 h and 3 h after start" is ``BreakRule("break", 15, 90,
    180)``. The solver picks its start among at most ``max_offsets`` evenly
    spread candidates, one interval apart, which keeps the model small.
    """

    name: str
    minutes: int
    window_start: int
    window_end: int
    paid: bool = True
    max_offsets: int = 3

    def __post_init__(self) -> None:
        if self.minutes <= 0:
            raise RuleError(f"break {self.name!r}: minutes must be > 0")
        if self.window_start < 0 or self.window_end - self.window_start < self.minutes:
            raise RuleError(
                f"break {self.name!r}: window {self.window_start}-{self.window_end} min "
                f"cannot hold {self.minutes} min"
            )
        if self.max_offsets < 1:
            raise RuleError(f"break {self.name!r}: max_offsets must be >= 1")


@dataclass(frozen=True, slots=True)
class ShiftTemplate:
    """A kind of shift: when it may start, how long it lasts, what it costs.

    ``starts`` lists the allowed start times (each one is a separate option
    for the solver); ``length_minutes`` includes the breaks; unpaid breaks are
    not counted in paid hours nor cost.
    """

    name: str
    starts: tuple[dt.time, ...]
    length_minutes: int
    weekdays: frozenset[int] = ALL_WEEKDAYS
    cost_per_hour: float = 1.0
    breaks: tuple[BreakRule, ...] = ()

    def __post_init__(self) -> None:
        if not self.starts:
            raise RuleError(f"shift {self.name!r}: no start times")
        if not 0 < self.length_minutes < 24 * 60:
            raise RuleError(f"shift {self.name!r}: length must be between 1 minute and 24 hours")
        if not self.weekdays <= ALL_WEEKDAYS:
            raise RuleError(f"shift {self.name!r}: weekdays must be 0 (Mon) to 6 (Sun)")
        previous_end = 0
        for rule in sorted(self.breaks, key=lambda b: b.window_start):
            if rule.window_end > self.length_minutes:
                raise RuleError(f"shift {self.name!r}: break {rule.name!r} window ends after the shift")
            # Non-overlapping windows mean any choice of offsets is a valid day.
            if rule.window_start < previous_end:
                raise RuleError(f"shift {self.name!r}: break windows overlap at {rule.name!r}")
            previous_end = rule.window_end

    @property
    def paid_minutes(self) -> int:
        """Length minus unpaid breaks."""
        return self.length_minutes - sum(b.minutes for b in self.breaks if not b.paid)


@dataclass(frozen=True, slots=True)
class BreakCap:
    """At most ``max_on_break`` agents on a break or meal in any interval."""

    max_on_break: int


@dataclass(frozen=True, slots=True)
class Contract:
    """What an agent's contract allows per calendar week of the horizon.

    Weeks are 7-day blocks from the horizon's first day; a shorter last block
    gets a prorated minimum (the maximum and days off apply as for a week).
    """

    name: str = "full-time"
    min_hours_week: float = 0.0
    max_hours_week: float = 40.0
    max_consecutive_days: int = 6
    min_rest_hours: float = 11.0
    days_off_per_week: int = 2

    def __post_init__(self) -> None:
        if self.max_consecutive_days < 1:
            raise RuleError(f"contract {self.name!r}: max_consecutive_days must be >= 1")
        if not 0 <= self.days_off_per_week <= 7:
            raise RuleError(f"contract {self.name!r}: days_off_per_week must be 0..7")
        if self.min_hours_week < 0 or self.max_hours_week < 0:
            raise RuleError(f"contract {self.name!r}: hours must be >= 0")
        if not 0 <= self.min_rest_hours <= 24:
            raise RuleError(f"contract {self.name!r}: min_rest_hours must be 0..24")


@dataclass(frozen=True, slots=True)
class Unavailability:
    """A time the agent cannot work.

    Either a weekday (every week) or a date; the whole day when ``start`` and
    ``end`` are both None, otherwise ``[start, end)`` on that day (``end`` None
    means until midnight).
    """

    weekday: int | None = None
    on: dt.date | None = None
    start: dt.time | None = None
    end: dt.time | None = None

    def __post_init__(self) -> None:
        if (self.weekday is None) == (self.on is None):
            raise RuleError("unavailability: give exactly one of weekday or date")
        if self.weekday is not None and self.weekday not in ALL_WEEKDAYS:
            raise RuleError("unavailability: weekday must be 0 (Mon) to 6 (Sun)")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise RuleError("unavailability: end must be after start")

    def applies_to(self, day: dt.date) -> bool:
        """Whether this period falls on ``day``."""
        return day == self.on if self.on is not None else day.weekday() == self.weekday


@dataclass(frozen=True, slots=True)
class PreferredShift:
    """Soft: the agent would rather work shifts of ``template``."""

    template: str
    weight: int = 1


@dataclass(frozen=True, slots=True)
class PreferredDayOff:
    """Soft: the agent would rather not work on this weekday or date."""

    weekday: int | None = None
    on: dt.date | None = None
    weight: int = 1

    def __post_init__(self) -> None:
        if (self.weekday is None) == (self.on is None):
            raise RuleError("preferred day off: give exactly one of weekday or date")

    def applies_to(self, day: dt.date) -> bool:
        """Whether the preference concerns ``day``."""
        return day == self.on if self.on is not None else day.weekday() == self.weekday


Preference = PreferredShift | PreferredDayOff


def _frozen_skills() -> Mapping[str, int]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Agent:
    """A person to roster: skills (name -> level), contract, limits, wishes."""

    agent_id: str
    skills: Mapping[str, int] = field(default_factory=_frozen_skills)
    contract: Contract = Contract()
    unavailable: tuple[Unavailability, ...] = ()
    preferences: tuple[Preference, ...] = ()


@dataclass(frozen=True, slots=True)
class ObjectiveWeights:
    """Weights of the objective terms; coverage terms are per agent-minute.

    Defaults make under-coverage dominant: one agent missing for one 30-min
    interval (30 x 100) outweighs the cost of any normal shift, so the solver
    never saves money by leaving a coverable interval short.
    """

    under: int = 100
    over: int = 1
    cost: int = 1
    preference: int = 100
    min_hours_shortfall: int = 400
