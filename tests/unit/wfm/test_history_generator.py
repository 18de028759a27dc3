"""The synthetic history has the shape a planner expects of real traffic."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from wfm.forecasting.synthetic import WEEKDAY_FACTORS, generate_history
from wfm.history import HistoryError, validate_history

START = date(2026, 1, 5)  # a Monday


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return generate_history(
        ["sales", "support"], START, weeks=6, interval_min=30, seed=7,
        holidays=[date(2026, 1, 21)], spike_rate=0.0, trend_per_week=0.0,
    )


def _daily(frame: pd.DataFrame, queue: str) -> pd.Series:
    part = frame[frame["queue"] == queue]
    return part.groupby(part["interval_start"].dt.normalize())["offered"].sum()


def test_frame_is_valid_history(history: pd.DataFrame) -> None:
    checked = validate_history(history)
    assert len(checked) == len(history) == 2 * 42 * 24  # 08:00-20:00 in 30-minute intervals
    assert (history["handled"] + history["abandoned"] == history["offered"]).all()


def test_weekends_are_quieter_than_weekdays(history: pd.DataFrame) -> None:
    daily = _daily(history, "support")
    weekend = daily.index.day_of_week >= 5
    ratio = daily[weekend].mean() / daily[~weekend & (daily.index != pd.Timestamp("2026-01-21"))].mean()
    expected = np.mean(WEEKDAY_FACTORS[5:]) / np.mean(WEEKDAY_FACTORS[:5])
    assert ratio == pytest.approx(expected, rel=0.1)


def test_weekday_peaks_in_the_morning_and_afternoon(history: pd.DataFrame) -> None:
    part = history[(history["queue"] == "sales") & (history["interval_start"].dt.day_of_week < 5)]
    by_time = part.groupby(part["interval_start"].dt.strftime("%H:%M"))["offered"].mean()
    assert by_time.idxmax() in {"10:00", "10:30", "11:00"}
    afternoon = by_time.loc["13:30":"16:00"]
    assert afternoon.idxmax() in {"14:00", "14:30", "15:00", "15:30"}
    assert afternoon.max() > by_time.loc["12:30"] > by_time.loc["19:30"]  # a midday dip, a quiet evening


def test_holiday_is_near_zero(history: pd.DataFrame) -> None:
    daily = _daily(history, "sales")
    wednesdays = daily[daily.index.day_of_week == 2]
    holiday = wednesdays.loc[pd.Timestamp("2026-01-21")]
    assert holiday < 0.2 * wednesdays.drop(pd.Timestamp("2026-01-21")).median()


def test_trend_grows_volume() -> None:
    flat = generate_history(["sales"], START, weeks=10, seed=1, trend_per_week=0.0, spike_rate=0.0)
    grown = generate_history(["sales"], START, weeks=10, seed=1, trend_per_week=0.05, spike_rate=0.0)
    last_week = slice(-7 * 24, None)
    ratio = grown["offered"].iloc[last_week].sum() / flat["offered"].iloc[last_week].sum()
    assert ratio == pytest.approx(1.05**9.4, rel=0.06)


def test_abandons_rise_with_load_and_aht_varies_by_time_and_queue(history: pd.DataFrame) -> None:
    weekdays = history[history["interval_start"].dt.day_of_week < 5]
    busy = weekdays["offered"] >= weekdays["offered"].quantile(0.8)
    quiet = weekdays["offered"] <= weekdays["offered"].quantile(0.2)
    rate = weekdays["abandoned"] / weekdays["offered"].clip(lower=1)
    assert rate[busy].mean() > 1.5 * rate[quiet].mean()
    support = weekdays[weekdays["queue"] == "support"]
    hour = support["interval_start"].dt.hour
    assert support.loc[hour == 8, "aht_s"].mean() > support.loc[hour == 13, "aht_s"].mean()
    sales = weekdays[weekdays["queue"] == "sales"]
    assert support["aht_s"].mean() > sales["aht_s"].mean() + 60


def test_same_seed_same_history_other_seed_differs() -> None:
    a = generate_history(["sales"], START, weeks=2, seed=5)
    b = generate_history(["sales"], START, weeks=2, seed=5)
    c = generate_history(["sales"], START, weeks=2, seed=6)
    pd.testing.assert_frame_equal(a, b)
    assert not a["offered"].equals(c["offered"])


def test_fifteen_minute_intervals_and_bad_arguments() -> None:
    frame = generate_history(["x"], START, weeks=1, interval_min=15, seed=1)
    assert len(frame) == 7 * 48
    with pytest.raises(HistoryError, match="expected 15 or 30"):
        generate_history(["x"], START, weeks=1, interval_min=20)
    with pytest.raises(HistoryError, match="weeks must be >= 1"):
        generate_history(["x"], START, weeks=0)


def test_outage_spikes_show_up() -> None:
    calm = generate_history(["sales"], START, weeks=8, seed=2, spike_rate=0.0)
    stormy = generate_history(["sales"], START, weeks=8, seed=2, spike_rate=0.5)
    assert stormy["offered"].max() > 1.5 * calm["offered"].max()
