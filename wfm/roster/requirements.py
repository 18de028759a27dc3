"""Agents required per interval and skill, read from CSV.

Two layouts are accepted:

* ``skill,interval_start,required``;
* the staffing output (``queue,interval_start,...,scheduled,...``): a queue
  is the skill of the same name and ``scheduled`` is the requirement.

``interval_start`` is an ISO 8601 local datetime (``2026-01-05T08:30:00``).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from wfm.roster.horizon import DAY_MINUTES, Horizon
from wfm.roster.rules import RosterError


class RequirementsError(RosterError):
    """A requirements file that cannot be read; the message names the line."""


@dataclass(frozen=True, slots=True)
class RequirementRow:
    """Agents needed on ``skill`` during the interval starting at ``start``."""

    skill: str
    start: dt.datetime
    required: int


@dataclass(frozen=True, slots=True)
class RequirementTable:
    """All rows of a requirements file and the interval length they use."""

    rows: tuple[RequirementRow, ...]
    slot_minutes: int

    @property
    def skills(self) -> tuple[str, ...]:
        """Skills in order of first appearance."""
        return tuple(dict.fromkeys(r.skill for r in self.rows))

    @property
    def first_day(self) -> dt.date:
        """Date of the earliest interval."""
        return min(r.start for r in self.rows).date()

    @property
    def last_day(self) -> dt.date:
        """Date of the latest interval."""
        return max(r.start for r in self.rows).date()

    def grid(self, horizon: Horizon) -> dict[str, tuple[int, ...]]:
        """Requirement per skill per horizon interval (0 where the file is silent).

        Raises:
            RequirementsError: the file's intervals do not match the horizon's.
        """
        if horizon.slot_minutes != self.slot_minutes:
            raise RequirementsError(
                f"requirements use {self.slot_minutes}-minute intervals, the horizon {horizon.slot_minutes}"
            )
        out = {skill: [0] * horizon.n_slots for skill in self.skills}
        for row in self.rows:
            slot = horizon.slot_of(row.start)
            if 0 <= slot < horizon.n_slots:
                out[row.skill][slot] = max(out[row.skill][slot], row.required)
        return {skill: tuple(values) for skill, values in out.items()}


def _infer_slot(starts: list[dt.datetime]) -> int:
    ordered = sorted(set(starts))
    gaps = [int((b - a).total_seconds() // 60) for a, b in zip(ordered, ordered[1:])]
    positive = [g for g in gaps if g > 0]
    slot = math.gcd(*positive) if positive else 30
    return slot if slot > 0 and DAY_MINUTES % slot == 0 else 30


def parse_requirements(text: str, source: str = "<requirements>") -> RequirementTable:
    """Parse requirements CSV text in either accepted layout.

    Raises:
        RequirementsError: missing columns, bad datetimes or numbers, naming
            ``source`` and the line.
    """
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip() for f in reader.fieldnames or []]
    if {"skill", "interval_start", "required"} <= set(fields):
        skill_col, value_col = "skill", "required"
    elif {"queue", "interval_start", "scheduled"} <= set(fields):
        skill_col, value_col = "queue", "scheduled"
    else:
        raise RequirementsError(
            f"{source}:1: expected columns skill,interval_start,required "
            f"or the staffing output (queue,interval_start,...,scheduled); got {','.join(fields) or 'nothing'}"
        )
    rows: list[RequirementRow] = []
    for line, raw in enumerate(reader, start=2):
        record = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        skill = record.get(skill_col, "")
        if not skill:
            raise RequirementsError(f"{source}:{line}: empty {skill_col}")
        try:
            start = dt.datetime.fromisoformat(record.get("interval_start", ""))
        except ValueError:
            raise RequirementsError(
                f"{source}:{line}: interval_start {record.get('interval_start')!r} is not an ISO datetime"
            ) from None
        try:
            value = float(record.get(value_col, ""))
        except ValueError:
            raise RequirementsError(f"{source}:{line}: {value_col} {record.get(value_col)!r} is not a number") from None
        if value < 0 or not math.isfinite(value):
            raise RequirementsError(f"{source}:{line}: {value_col} must be >= 0")
        rows.append(RequirementRow(skill, start.replace(tzinfo=None), math.ceil(value - 1e-9)))
    if not rows:
        raise RequirementsError(f"{source}: no requirement rows")
    return RequirementTable(tuple(rows), _infer_slot([r.start for r in rows]))


def read_requirements(path: Path | str) -> RequirementTable:
    """Read a requirements CSV file (see :func:`parse_requirements`).

    Raises:
        RequirementsError: unreadable file or bad content.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise RequirementsError(f"{path}: cannot read ({exc.strerror})") from None
    return parse_requirements(text, str(path))


def requirement_grid(rows: Mapping[str, list[int] | tuple[int, ...]], horizon: Horizon) -> dict[str, tuple[int, ...]]:
    """Check and freeze a hand-made requirement grid (skill -> one value per interval).

    Raises:
        RequirementsError: a series of the wrong length or with negative values.
    """
    out: dict[str, tuple[int, ...]] = {}
    for skill, values in rows.items():
        if len(values) != horizon.n_slots:
            raise RequirementsError(f"skill {skill!r}: {len(values)} values for {horizon.n_slots} intervals")
        if any(v < 0 for v in values):
            raise RequirementsError(f"skill {skill!r}: negative requirement")
        out[skill] = tuple(int(v) for v in values)
    return out
