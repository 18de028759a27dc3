"""Interval history per queue: the typed frame, its CSV reader and writer.

A history frame has one row per queue and interval with the columns of
``HISTORY_COLUMNS``:

========== ================ ==================================================
column      dtype            meaning
========== ================ ==================================================
queue       object (str)     queue name
interval_start datetime64   local start of the interval (15 or 30 minutes)
offered     int64            calls that arrived in the interval
handled     int64            offered calls answered by an agent
aht_s       float64          average handle time of the handled calls, seconds
                             (0 when nothing was handled)
abandoned   int64            offered calls that hung up before an answer
========== ================ ==================================================

Every source (the CSV file here, the storage reader later) returns this frame
through ``validate_history`` so the forecaster sees one shape.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TextIO

import pandas as pd

HISTORY_COLUMNS = ("queue", "interval_start", "offered", "handled", "aht_s", "abandoned")
INTERVAL_MINUTES = (15, 30)
_COUNT_COLUMNS = ("offered", "handled", "abandoned")


class HistoryError(ValueError):
    """History data that cannot be used: bad file, bad row, bad grid."""


def read_history_csv(path: str | Path) -> pd.DataFrame:
    """Read an interval history CSV into a validated history frame.

    The file needs a header with at least the columns of ``HISTORY_COLUMNS``
    (in any order; other columns are ignored). Line numbers in errors count
    the header as line 1.

    Args:
        path: the CSV file.

    Returns:
        The history frame, sorted by queue and interval_start.

    Raises:
        HistoryError: naming the file, the line and the column of the first
            bad value, or the missing columns, or a broken interval grid.
    """
    path = Path(path)
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise HistoryError(f"{path}: cannot open: {exc.strerror}") from exc
    with handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [name for name in HISTORY_COLUMNS if name not in header]
        if missing:
            raise HistoryError(
                f"{path}: missing column(s) {', '.join(missing)}; "
                f"expected header {','.join(HISTORY_COLUMNS)}"
            )
        reader.fieldnames = header
        rows = [_parse_row(path, reader.line_num, raw) for raw in reader]
    if not rows:
        raise HistoryError(f"{path}: no data rows")
    frame = pd.DataFrame(rows, columns=list(HISTORY_COLUMNS))
    return validate_history(frame, source=str(path), first_line=2)


def _parse_row(path: Path, line: int, raw: dict[str, str | None]) -> tuple[object, ...]:
    def fail(column: str, message: str) -> HistoryError:
        return HistoryError(f"{path} line {line}, column '{column}': {message}")

    def text(column: str) -> str:
        value = raw.get(column)
        return "" if value is None else value.strip()

    queue = text("queue")
    if not queue:
        raise fail("queue", "empty queue name")
    start_text = text("interval_start")
    try:
        start = datetime.fromisoformat(start_text)
    except ValueError:
        raise fail(
            "interval_start", f"'{start_text}' is not an ISO 8601 datetime like 2026-01-05T08:30:00"
        ) from None
    if start.tzinfo is not None:
        raise fail("interval_start", f"'{start_text}' has a time zone; give local time without one")
    counts: dict[str, int] = {}
    for column in _COUNT_COLUMNS:
        value = text(column)
        try:
            number = int(value)
        except ValueError:
            raise fail(column, f"'{value}' is not a whole number") from None
        if number < 0:
            raise fail(column, f"{number} is negative")
        counts[column] = number
    aht_text = text("aht_s")
    if aht_text == "":
        aht = 0.0
    else:
        try:
            aht = float(aht_text)
        except ValueError:
            raise fail("aht_s", f"'{aht_text}' is not a number of seconds") from None
        if not math.isfinite(aht) or aht < 0:
            raise fail("aht_s", f"{aht_text} is not a finite number of seconds >= 0")
    if counts["handled"] > 0 and aht == 0:
        raise fail("aht_s", f"empty or 0 but handled is {counts['handled']}")
    return (queue, start, counts["offered"], counts["handled"], aht, counts["abandoned"])


def validate_history(frame: pd.DataFrame, source: str = "history", first_line: int | None = None) -> pd.DataFrame:
    """Check a history frame and return it with canonical dtypes and order.

    Checks: the columns exist, counts are whole and >= 0, no queue has two
    rows for one interval, and each queue's intervals sit on a 15- or
    30-minute grid (see ``interval_minutes``).

    Args:
        frame: rows in any order, columns ``HISTORY_COLUMNS``.
        source: how errors name the data (a file name).
        first_line: if the rows came from a file, the line of row 0, so
            duplicate errors can name lines.

    Returns:
        A new frame: exactly ``HISTORY_COLUMNS``, sorted by queue and time.

    Raises:
        HistoryError: the first problem found.
    """
    missing = [name for name in HISTORY_COLUMNS if name not in frame.columns]
    if missing:
        raise HistoryError(f"{source}: missing column(s) {', '.join(missing)}")
    out = frame.loc[:, list(HISTORY_COLUMNS)].copy()
    out["queue"] = out["queue"].astype(str)
    out["interval_start"] = pd.to_datetime(out["interval_start"])
    for column in _COUNT_COLUMNS:
        values = pd.to_numeric(out[column])
        if (values < 0).any() or (values != values.round()).any():
            raise HistoryError(f"{source}: column '{column}' must hold whole numbers >= 0")
        out[column] = values.astype("int64")
    out["aht_s"] = pd.to_numeric(out["aht_s"]).fillna(0.0).astype("float64")
    duplicated = out.duplicated(["queue", "interval_start"], keep="first")
    if duplicated.any():
        position = int(duplicated.to_numpy().nonzero()[0][0])
        row = out.iloc[position]
        where = f" line {first_line + position}" if first_line is not None else ""
        raise HistoryError(
            f"{source}{where}: queue '{row['queue']}' has a second row for {row['interval_start']:%Y-%m-%dT%H:%M:%S}"
        )
    out = out.sort_values(["queue", "interval_start"], kind="stable").reset_index(drop=True)
    for queue, group in out.groupby("queue", sort=True):
        interval_minutes(group["interval_start"], source=f"{source}: queue '{queue}'")
    return out


def interval_minutes(starts: Iterable[datetime] | pd.Series, source: str = "history") -> int:
    """The interval length of one queue's history, in minutes.

    With ``m`` the distinct minutes-of-day of the starts, the length is
    ``gcd(m[i+1] - m[i])`` reduced to 30 if it is a multiple of 30 (a closed
    hour leaves a 60-minute gap on a 30-minute grid), else to 15 if a
    multiple of 15. A single time of day per day counts as a 30-minute grid
    when on the half hour.

    Raises:
        HistoryError: starts off a 15- or 30-minute grid.
    """
    stamps = pd.to_datetime(pd.Series(list(starts)))
    if (stamps.dt.second != 0).any() or (stamps.dt.microsecond != 0).any():
        raise HistoryError(f"{source}: interval starts must be on whole minutes")
    minutes = sorted({int(m) for m in stamps.dt.hour * 60 + stamps.dt.minute})
    step = 0
    for a, b in zip(minutes, minutes[1:]):
        step = math.gcd(step, b - a)
    step = math.gcd(step, minutes[0]) if step == 0 else step
    length = 30 if step % 30 == 0 else 15 if step % 15 == 0 else step
    if length not in INTERVAL_MINUTES or any(m % length for m in minutes):
        off = next((m for m in minutes if m % 15), minutes[0])
        raise HistoryError(
            f"{source}: interval start {off // 60:02d}:{off % 60:02d} is not on a 15- or 30-minute grid"
        )
    return length


def write_history_csv(frame: pd.DataFrame, path: str | Path | TextIO) -> None:
    """Write a history frame as CSV in the agreed column order (to a file or text stream).

    ``interval_start`` is written as ``YYYY-MM-DDTHH:MM:SS``; ``aht_s`` with
    one decimal, empty when nothing was handled.
    """
    out = frame.loc[:, list(HISTORY_COLUMNS)].copy()
    out["interval_start"] = pd.to_datetime(out["interval_start"]).dt.strftime("%Y-%m-%dT%H:%M:%S")
    out["aht_s"] = [f"{value:.1f}" if handled > 0 else "" for value, handled in zip(out["aht_s"], out["handled"])]
    out.to_csv(path, index=False, lineterminator="\n")
