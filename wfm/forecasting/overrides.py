"""Special days: a CSV of ``date,factor`` that scales the forecast of a day.

``2026-12-25,0.2`` forecasts a fifth of a normal day (a holiday);
``2026-03-02,1.5`` half as much again (a campaign). A listed date that lies
in the history marks that day as special, so it is not learnt as normal.
"""

from __future__ import annotations

import csv
import math
from datetime import date
from pathlib import Path

from wfm.history import HistoryError

OVERRIDE_COLUMNS = ("date", "factor")


def read_overrides_csv(path: str | Path) -> dict[date, float]:
    """Read an overrides file into ``{date: factor}``.

    Raises:
        HistoryError: naming the file, line and column of a bad value, a
            missing column, or a date listed twice.
    """
    path = Path(path)
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise HistoryError(f"{path}: cannot open: {exc.strerror}") from exc
    overrides: dict[date, float] = {}
    with handle:
        reader = csv.DictReader(handle)
        header = [name.strip() for name in reader.fieldnames or []]
        missing = [name for name in OVERRIDE_COLUMNS if name not in header]
        if missing:
            raise HistoryError(f"{path}: missing column(s) {', '.join(missing)}; expected header date,factor")
        reader.fieldnames = header
        for raw in reader:
            where = f"{path} line {reader.line_num}"
            day_text = (raw.get("date") or "").strip()
            factor_text = (raw.get("factor") or "").strip()
            try:
                day = date.fromisoformat(day_text)
            except ValueError:
                raise HistoryError(f"{where}, column 'date': '{day_text}' is not a date like 2026-12-25") from None
            try:
                factor = float(factor_text)
            except ValueError:
                raise HistoryError(f"{where}, column 'factor': '{factor_text}' is not a number") from None
            if not math.isfinite(factor) or factor < 0:
                raise HistoryError(f"{where}, column 'factor': {factor_text} must be a finite number >= 0")
            if day in overrides:
                raise HistoryError(f"{where}, column 'date': {day} is listed twice")
            overrides[day] = factor
    return overrides
