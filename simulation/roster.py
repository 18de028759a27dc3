"""Roster CSV files: who works when, with breaks and (optionally) skills.

Columns ``agent_id,date,start,end,breaks`` plus optional ``skills``:

* ``date``: ``YYYY-MM-DD``; without the column the roster is one day.
* ``start``, ``end``: ``HH:MM``; an end at or before the start means the
  shift crosses midnight.
* ``breaks``: ``HH:MM+MINUTES`` items separated by ``;`` (empty: none).
  Breaks of 30 minutes or more are taken as "lunch", shorter ones as "break".
* ``skills``: ``skill:level`` items separated by ``;``; when present it
  defines the agent's skills.

Times become seconds from midnight of the roster's first date.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from pathlib import Path

from acd.model import MAX_LEVEL, MIN_LEVEL
from simulation.errors import RosterError
from simulation.model import Break, Roster, Shift

REQUIRED = ("agent_id", "start", "end", "breaks")
OPTIONAL = ("date", "skills")
LUNCH_MIN = 30  # breaks this long or longer are lunch
DAY_S = 86400.0


def parse_hhmm(text: str) -> int:
    """``"08:30"`` -> 30600 seconds from midnight.

    Raises:
        ValueError: not ``HH:MM`` with 00-23 and 00-59 (``24:00`` is allowed).
    """
    parts = text.strip().split(":")
    if len(parts) != 2 or not all(p.isdigit() and 1 <= len(p) <= 2 for p in parts):
        raise ValueError(f"bad time {text!r}: expected HH:MM")
    hours, minutes = int(parts[0]), int(parts[1])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes != 0):
        raise ValueError(f"bad time {text!r}: hours 00-23, minutes 00-59")
    return hours * 3600 + minutes * 60


def reason_for(minutes: float) -> str:
    """The not-ready reason an agent gives for a break of this length."""
    return "lunch" if minutes >= LUNCH_MIN else "break"


def _parse_breaks(text: str, shift_start: float, shift_end: float, day_s: float) -> tuple[Break, ...]:
    out: list[Break] = []
    for item in (p.strip() for p in text.split(";")):
        if not item:
            continue
        clock, plus, minutes_text = item.partition("+")
        if not plus:
            raise ValueError(f"bad break {item!r}: expected HH:MM+MINUTES, e.g. 10:30+15")
        try:
            minutes = float(minutes_text)
        except ValueError:
            raise ValueError(f"bad break {item!r}: minutes {minutes_text!r} is not a number") from None
        if minutes <= 0:
            raise ValueError(f"bad break {item!r}: minutes must be > 0")
        start = day_s + parse_hhmm(clock)
        if start < shift_start:  # a night shift's break after midnight
            start += DAY_S
        if start < shift_start or start + minutes * 60 > shift_end:
            raise ValueError(f"break {item!r} is not inside the shift")
        out.append(Break(start, minutes * 60.0, reason_for(minutes)))
    out.sort(key=lambda b: b.start_s)
    for a, b in zip(out, out[1:]):
        if a.start_s + a.duration_s > b.start_s:
            raise ValueError("breaks overlap")
    return tuple(out)


def _parse_skills(text: str) -> dict[str, int]:
    skills: dict[str, int] = {}
    for item in (p.strip() for p in text.split(";")):
        if not item:
            continue
        skill, colon, level_text = item.partition(":")
        skill = skill.strip()
        if not colon or not skill:
            raise ValueError(f"bad skill {item!r}: expected skill:level, e.g. sales:7")
        try:
            level = int(level_text)
        except ValueError:
            raise ValueError(f"bad skill {item!r}: level {level_text!r} is not a whole number") from None
        if not MIN_LEVEL <= level <= MAX_LEVEL:
            raise ValueError(f"bad skill {item!r}: level must be {MIN_LEVEL}-{MAX_LEVEL}")
        skills[skill] = level
    return skills


def parse_roster(text: str, file: str = "<roster>") -> Roster:
    """Parse roster CSV text.

    Args:
        text: the CSV content.
        file: the name used in error messages.

    Raises:
        RosterError: ``file:line: what is wrong``.
    """
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise RosterError(file, 1, f"missing column(s) {', '.join(missing)}; expected {','.join(REQUIRED)}[,date][,skills]")
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if unknown:
        raise RosterError(file, 1, f"unknown column(s) {', '.join(unknown)}")
    reader.fieldnames = header
    rows: list[tuple[int, dict[str, str]]] = []
    for row in reader:
        if None in row:
            raise RosterError(file, reader.line_num, "more fields than columns in the header")
        rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items()}))
    dates: dict[int, dt.date] = {}
    if "date" in header:
        for line, row in rows:
            try:
                dates[line] = dt.date.fromisoformat(row["date"])
            except ValueError:
                raise RosterError(file, line, f"bad date {row['date']!r}: expected YYYY-MM-DD") from None
    day0 = min(dates.values()) if dates else None
    shifts: list[Shift] = []
    for line, row in rows:
        try:
            shifts.append(_parse_row(row, dates.get(line), day0))
        except ValueError as exc:
            raise RosterError(file, line, str(exc)) from None
    _check_overlaps(shifts, [line for line, _ in rows], file)
    return Roster(tuple(shifts), day0.isoformat() if day0 else None)


def _parse_row(row: dict[str, str], date: dt.date | None, day0: dt.date | None) -> Shift:
    agent = row["agent_id"]
    if not agent:
        raise ValueError("empty agent_id")
    day_s = float((date - day0).days) * DAY_S if date and day0 else 0.0
    start = day_s + parse_hhmm(row["start"])
    end = day_s + parse_hhmm(row["end"])
    if end <= start:
        end += DAY_S
    breaks = _parse_breaks(row["breaks"], start, end, day_s)
    skills = _parse_skills(row["skills"]) if "skills" in row else None
    if skills is not None and not skills:
        raise ValueError("empty skills: give skill:level items or drop the column")
    return Shift(agent, start, end, breaks, skills)


def _check_overlaps(shifts: list[Shift], lines: list[int], file: str) -> None:
    last: dict[str, tuple[float, int]] = {}
    for shift, line in sorted(zip(shifts, lines), key=lambda p: (p[0].agent_id, p[0].start_s)):
        prev = last.get(shift.agent_id)
        if prev is not None and shift.start_s < prev[0]:
            raise RosterError(file, line, f"shift of {shift.agent_id} overlaps its shift on line {prev[1]}")
        last[shift.agent_id] = (shift.end_s, line)


def load_roster(path: Path | str) -> Roster:
    """Read and parse a roster CSV file.

    Raises:
        RosterError: the file is missing or a row is wrong (with its line).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RosterError(str(path), None, "file not found") from None
    except UnicodeDecodeError as exc:
        raise RosterError(str(path), None, f"not UTF-8 text ({exc.reason})") from None
    return parse_roster(text, str(path))


def format_roster(shifts: Iterable[Shift], day0: dt.date | None = None) -> str:
    """Roster CSV text for ``shifts`` (the inverse of ``parse_roster``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    shifts = list(shifts)
    with_skills = any(s.skills is not None for s in shifts)
    header = ["agent_id"] + (["date"] if day0 else []) + ["start", "end", "breaks"] + (["skills"] if with_skills else [])
    writer.writerow(header)

    def clock(seconds: float) -> str:
        s = int(round(seconds)) % int(DAY_S)
        return f"{s // 3600:02d}:{s % 3600 // 60:02d}"

    for s in shifts:
        row = [s.agent_id]
        if day0:
            row.append((day0 + dt.timedelta(days=int(s.start_s // DAY_S))).isoformat())
        row += [clock(s.start_s), clock(s.end_s), ";".join(f"{clock(b.start_s)}+{b.duration_s / 60:g}" for b in s.breaks)]
        if with_skills:
            row.append(";".join(f"{k}:{v}" for k, v in (s.skills or {}).items()))
        writer.writerow(row)
    return out.getvalue()
