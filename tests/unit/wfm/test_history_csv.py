"""The history CSV: round trip, the typed frame, and errors naming file, line and column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from wfm.forecasting.overrides import read_overrides_csv
from wfm.forecasting.synthetic import generate_history
from wfm.history import HISTORY_COLUMNS, HistoryError, interval_minutes, read_history_csv, write_history_csv

HEADER = "queue,interval_start,offered,handled,aht_s,abandoned\n"
GOOD = "sales,2026-01-05T08:00:00,10,9,300.5,1\nsales,2026-01-05T08:30:00,0,0,,0\n"


def _write(tmp_path: Path, text: str, name: str = "history.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_round_trip_keeps_every_value(tmp_path: Path) -> None:
    frame = generate_history(["sales", "support"], date(2026, 1, 5), weeks=1, interval_min=15, seed=3)
    path = tmp_path / "h.csv"
    write_history_csv(frame, path)
    back = read_history_csv(path)
    assert list(back.columns) == list(HISTORY_COLUMNS)
    pd.testing.assert_frame_equal(back, frame.sort_values(["queue", "interval_start"]).reset_index(drop=True))


def test_reader_returns_typed_frame(tmp_path: Path) -> None:
    frame = read_history_csv(_write(tmp_path, HEADER + GOOD))
    assert str(frame["interval_start"].dtype).startswith("datetime64")
    assert frame["offered"].dtype == "int64" and frame["aht_s"].dtype == "float64"
    assert frame["aht_s"].tolist() == [300.5, 0.0]  # empty AHT with nothing handled reads as 0


def test_extra_columns_and_column_order_do_not_matter(tmp_path: Path) -> None:
    text = "abandoned,note,aht_s,handled,offered,interval_start,queue\n1,x,300,9,10,2026-01-05T08:00:00,sales\n"
    frame = read_history_csv(_write(tmp_path, text))
    assert frame.loc[0, "offered"] == 10 and frame.loc[0, "queue"] == "sales"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("sales,2026-01-05T09:00:00,ten,9,300,1", "line 4, column 'offered': 'ten' is not a whole number"),
        ("sales,2026-01-05T09:00:00,10,-1,300,1", "line 4, column 'handled': -1 is negative"),
        ("sales,05/01/2026 09:00,10,9,300,1", "line 4, column 'interval_start'"),
        ("sales,2026-01-05T09:00:00,10,9,,1", "line 4, column 'aht_s': empty or 0 but handled is 9"),
        ("sales,2026-01-05T09:00:00,10,9,fast,1", "line 4, column 'aht_s': 'fast' is not a number"),
        (",2026-01-05T09:00:00,10,9,300,1", "line 4, column 'queue'"),
        ("sales,2026-01-05T08:30:00,10,9,300,1", "line 4: queue 'sales' has a second row for 2026-01-05T08:30:00"),
    ],
)
def test_bad_rows_name_file_line_and_column(tmp_path: Path, row: str, expected: str) -> None:
    path = _write(tmp_path, HEADER + GOOD + row + "\n")
    with pytest.raises(HistoryError) as info:
        read_history_csv(path)
    assert str(path) in str(info.value)
    assert expected in str(info.value)


def test_missing_column_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, "queue,interval_start,offered,handled,abandoned\nsales,2026-01-05T08:00:00,1,1,0\n")
    with pytest.raises(HistoryError, match="missing column.*aht_s"):
        read_history_csv(path)


def test_empty_file_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(HistoryError, match="no data rows"):
        read_history_csv(_write(tmp_path, HEADER))
    with pytest.raises(HistoryError, match="cannot open"):
        read_history_csv(tmp_path / "absent.csv")


def test_off_grid_interval_is_rejected(tmp_path: Path) -> None:
    path = _write(tmp_path, HEADER + GOOD + "sales,2026-01-05T09:10:00,1,1,100,0\n")
    with pytest.raises(HistoryError, match="09:10 is not on a 15- or 30-minute grid"):
        read_history_csv(path)


@pytest.mark.parametrize(
    ("times", "minutes"),
    [
        (["08:00", "08:15", "08:30"], 15),
        (["08:00", "08:30", "10:00"], 30),  # a closed hour leaves a gap, still 30
        (["08:00", "08:45"], 15),
        (["08:30"], 30),
    ],
)
def test_interval_length_is_inferred(times: list[str], minutes: int) -> None:
    assert interval_minutes(pd.to_datetime([f"2026-01-05T{t}:00" for t in times])) == minutes


def test_overrides_file(tmp_path: Path) -> None:
    good = _write(tmp_path, "date,factor\n2026-12-25,0.2\n2026-03-02,1.5\n", "o.csv")
    assert read_overrides_csv(good) == {date(2026, 12, 25): 0.2, date(2026, 3, 2): 1.5}
    bad = _write(tmp_path, "date,factor\n2026-12-25,0.2\n2026-12-26,-1\n", "bad.csv")
    with pytest.raises(HistoryError, match="line 3, column 'factor'"):
        read_overrides_csv(bad)
    twice = _write(tmp_path, "date,factor\n2026-12-25,0.2\n2026-12-25,0.3\n", "twice.csv")
    with pytest.raises(HistoryError, match="line 3, column 'date': 2026-12-25 is listed twice"):
        read_overrides_csv(twice)
