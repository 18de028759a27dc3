"""forecast_history: backtest choice, overrides, prediction intervals, AHT, the CSV."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from wfm.forecast import (
    FORECAST_COLUMNS,
    ForecastError,
    forecast_history,
    read_forecast_csv,
    write_forecast_csv,
)
from wfm.forecasting.synthetic import generate_history

START = date(2026, 1, 5)
SLOTS = (9 * 60, 9 * 60 + 30, 10 * 60, 10 * 60 + 30, 11 * 60, 11 * 60 + 30)


def _frame(queue: str, calls: np.ndarray, aht: np.ndarray | None = None) -> pd.DataFrame:
    """A history frame from a days x slots matrix starting on START."""
    days, slots = calls.shape
    aht = np.full(calls.shape, 300.0) if aht is None else aht
    starts = [
        datetime.combine(START + timedelta(days=d), datetime.min.time()) + timedelta(minutes=SLOTS[s])
        for d in range(days)
        for s in range(slots)
    ]
    offered = np.round(calls).astype(np.int64).ravel()
    return pd.DataFrame(
        {
            "queue": queue,
            "interval_start": pd.to_datetime(starts),
            "offered": offered,
            "handled": offered,
            "aht_s": np.where(offered > 0, aht.ravel(), 0.0),
            "abandoned": 0,
        }
    )


def _random_walk(weeks: int, seed: int) -> np.ndarray:
    """Each week is last week plus a persistent random step: seasonal naive's home ground."""
    rng = np.random.default_rng(seed)
    week = rng.uniform(40, 120, size=(7, len(SLOTS)))
    out = [week]
    for _ in range(weeks - 1):
        week = np.clip(week + rng.normal(0, 25, size=week.shape), 5, None)
        out.append(week)
    return np.concatenate(out)


def _trend(weeks: int) -> np.ndarray:
    rng = np.random.default_rng(0)
    base = rng.uniform(40, 80, size=(7, len(SLOTS)))
    growth = 1 + 0.06 * np.arange(7 * weeks) / 7
    return np.tile(base, (weeks, 1)) * growth[:, None]


def _accuracy(result: object, queue: str, method: str) -> float:
    rows = [a for a in result.accuracy if a.queue == queue and a.method == method]  # type: ignore[attr-defined]
    return float(rows[0].interval_wape)


def test_backtest_chooses_seasonal_naive_for_a_random_walk_and_a_trend_method_for_a_trend() -> None:
    history = pd.concat([_frame("walk", _random_walk(8, 1)), _frame("trend", _trend(8))])
    result = forecast_history(history, weeks=2, holdout_weeks=2)
    chosen = {q.queue: q.method for q in result.queues}
    assert chosen["walk"] == "seasonal_naive"
    assert chosen["trend"] in {"holt_winters", "profile"}
    assert _accuracy(result, "trend", "holt_winters") < _accuracy(result, "trend", "seasonal_naive")
    # one score per queue and method: origins 2 and 1 weeks back, 14 + 7 days of intervals
    assert len(result.accuracy) == 8
    assert {a.points for a in result.accuracy} == {21 * len(SLOTS)}


def test_forecast_frame_covers_every_queue_interval_of_the_horizon() -> None:
    history = generate_history(["sales", "support"], START, weeks=6, seed=1)
    result = forecast_history(history, weeks=3)
    frame = result.frame
    assert list(frame.columns) == list(FORECAST_COLUMNS)
    assert len(frame) == 2 * 21 * 24
    assert frame["interval_start"].min() == pd.Timestamp("2026-02-16T08:00:00")
    assert frame["interval_start"].max() == pd.Timestamp("2026-03-08T19:30:00")
    assert (frame["calls_lo"] <= frame["calls"]).all() and (frame["calls"] <= frame["calls_hi"]).all()


def test_a_named_method_is_used_and_still_scored_against_the_others() -> None:
    history = _frame("q", _trend(6))
    result = forecast_history(history, weeks=1, method="weekday_average", holdout_weeks=1)
    assert result.queues[0].method == "weekday_average"
    assert {a.method for a in result.accuracy} == {"seasonal_naive", "weekday_average", "holt_winters", "profile"}


def test_overrides_scale_their_day_and_mark_history_days_special() -> None:
    history = generate_history(["sales"], START, weeks=6, seed=2, spike_rate=0.0)
    plain = forecast_history(history, weeks=1, method="weekday_average", holdout_weeks=1)
    holiday, history_day = date(2026, 2, 19), date(2026, 1, 28)  # a Thursday, a Wednesday
    scaled = forecast_history(
        history, weeks=1, method="weekday_average", holdout_weeks=1, overrides={holiday: 0.2, history_day: 1.0}
    )
    day = scaled.frame["interval_start"].dt.date
    on_holiday = (day == holiday).to_numpy()
    np.testing.assert_allclose(
        scaled.frame.loc[on_holiday, "calls"], 0.2 * plain.frame.loc[on_holiday, "calls"], atol=0.01
    )
    # other days move only because the history day now counts as special
    assert history_day in scaled.queues[0].special_days
    assert history_day not in plain.queues[0].special_days


def test_holidays_in_history_are_not_repeated_by_the_forecast() -> None:
    history = generate_history(["sales"], START, weeks=6, seed=3, holidays=[date(2026, 2, 11)], spike_rate=0.0)
    result = forecast_history(history, weeks=1, method="seasonal_naive", holdout_weeks=1)
    daily = result.frame.groupby(result.frame["interval_start"].dt.date)["calls"].sum()
    wednesday = daily[date(2026, 2, 18)]
    assert wednesday > 0.8 * daily[date(2026, 2, 17)]
    assert date(2026, 2, 11) in result.queues[0].special_days


def test_prediction_intervals_hold_about_their_share_of_later_actuals() -> None:
    full = generate_history(["sales"], START, weeks=24, seed=11, spike_rate=0.0)
    cut = pd.Timestamp(START + timedelta(weeks=20))
    history, future = full[full["interval_start"] < cut], full[full["interval_start"] >= cut]
    result = forecast_history(history, weeks=4, holdout_weeks=4, level=0.8)
    joined = result.frame.merge(future, on=["queue", "interval_start"])
    assert len(joined) == len(future)
    inside = ((joined["offered"] >= joined["calls_lo"]) & (joined["offered"] <= joined["calls_hi"])).mean()
    assert 0.7 <= inside <= 0.95


def test_aht_is_the_handled_weighted_average_of_recent_same_weekdays() -> None:
    calls = np.full((21, len(SLOTS)), 10.0)
    aht = np.full(calls.shape, 200.0)
    aht[:, 0] = 500.0  # the first interval of every day is slow
    calls[14, 1] = 30.0  # the last Monday, second interval: 30 calls at 260 s
    aht[14, 1] = 260.0
    result = forecast_history(_frame("q", calls, aht), weeks=1, method="weekday_average", holdout_weeks=1)
    monday = result.frame[result.frame["interval_start"].dt.date == date(2026, 1, 26)]
    assert monday["aht_s"].iloc[0] == pytest.approx(500.0)
    # weights 3, 2, 1 (newest first) times handled calls 30, 10, 10
    expected = (3 * 30 * 260 + 2 * 10 * 200 + 1 * 10 * 200) / (3 * 30 + 2 * 10 + 1 * 10)
    assert monday["aht_s"].iloc[1] == pytest.approx(expected, abs=0.05)


def test_bad_requests_raise_clear_errors() -> None:
    history = _frame("q", _trend(3))
    with pytest.raises(ForecastError, match="auto chooses by backtest"):
        forecast_history(history, weeks=1, holdout_weeks=0)
    with pytest.raises(ForecastError, match="unknown method 'arima'"):
        forecast_history(history, weeks=1, method="arima")
    with pytest.raises(ForecastError, match="queue 'q': 21 days of history leave 7 .* holt_winters needs at least 14"):
        forecast_history(history, weeks=1, method="holt_winters", holdout_weeks=2)
    with pytest.raises(ForecastError, match="weeks must be >= 1"):
        forecast_history(history, weeks=0)


def test_without_holdout_a_named_method_gets_poisson_intervals() -> None:
    result = forecast_history(_frame("q", _trend(2)), weeks=1, method="seasonal_naive", holdout_weeks=0)
    assert result.accuracy == () and result.queues[0].dispersion == 0.0


def test_progress_reports_every_step() -> None:
    seen: list[tuple[int, int]] = []
    forecast_history(_frame("q", _trend(4)), weeks=1, holdout_weeks=1, on_step=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (5, 5) and [d for d, _ in seen] == [1, 2, 3, 4, 5]


def test_forecast_csv_round_trip(tmp_path: Path) -> None:
    result = forecast_history(_frame("q", _trend(3)), weeks=1, method="weekday_average", holdout_weeks=1)
    path = tmp_path / "forecast.csv"
    write_forecast_csv(result.frame, path)
    assert path.read_text().splitlines()[0] == "queue,interval_start,calls,aht_s,calls_lo,calls_hi"
    back = read_forecast_csv(path)
    np.testing.assert_allclose(back["calls"], result.frame["calls"], atol=0.005)
    assert (back["interval_start"] == result.frame["interval_start"]).all()
