"""Forecast calls and AHT per queue and interval, with the method chosen by backtest.

The steps, per queue:

1. The history becomes a day x interval matrix (``forecasting.grid``).
2. Backtest, rolling origin: for each of the last ``holdout_weeks`` weeks, the
   methods are trained on the days before that week's first day and forecast
   up to ``weeks`` weeks (never past the history's end); each is scored
   against the actuals with MAPE and WAPE per day and per interval
   (``forecasting.accuracy``).
3. ``method="auto"`` picks the method with the lowest interval WAPE.
4. That method is trained on all the history and forecasts ``weeks`` weeks.
5. Special days: training data is cleaned of holidays and spikes
   (``forecasting.cleaning``); override factors multiply forecast days
   (``forecasting.overrides``), in the backtest too.
6. Prediction intervals come from a negative binomial fitted to the chosen
   method's backtest errors on normal days (``forecasting.intervals``).
7. AHT per interval: ``sum_i w_i h_i a_i / sum_i w_i h_i`` over the last 4
   same weekdays ``i`` (recency weights ``w_i = 4, 3, 2, 1``, ``h`` handled
   calls, ``a`` their AHT); when none were handled there, the handled-weighted
   mean of that interval over all history, then of the whole queue.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from wfm.forecasting.accuracy import Accuracy, score
from wfm.forecasting.cleaning import replace_special, special_days
from wfm.forecasting.grid import QueueSeries, to_series
from wfm.forecasting.intervals import bounds, fit_dispersion
from wfm.forecasting.methods import METHODS, MIN_DAYS, RECENT_WEEKS, WEEK
from wfm.forecasting.overrides import read_overrides_csv

__all__ = [
    "AUTO",
    "DEFAULT_LEVEL",
    "FORECAST_COLUMNS",
    "METHOD_NAMES",
    "Accuracy",
    "ForecastError",
    "ForecastResult",
    "QueueForecast",
    "forecast_history",
    "read_forecast_csv",
    "read_overrides_csv",
    "write_forecast_csv",
]

AUTO = "auto"
METHOD_NAMES = tuple(METHODS)
DEFAULT_LEVEL = 0.8
FORECAST_COLUMNS = ("queue", "interval_start", "calls", "aht_s", "calls_lo", "calls_hi")

Progress = Callable[[int, int], None]


class ForecastError(ValueError):
    """A forecast that cannot be made as asked (too little history, bad option)."""


@dataclass(frozen=True, slots=True)
class QueueForecast:
    """What was decided for one queue.

    Attributes:
        queue: queue name.
        method: the method that made the forecast.
        dispersion: ``c2`` of the prediction intervals (0 = Poisson).
        special_days: history days treated as special (overrides, outliers).
    """

    queue: str
    method: str
    dispersion: float
    special_days: tuple[date, ...]


@dataclass(frozen=True, slots=True)
class ForecastResult:
    """A forecast and how it was chosen.

    Attributes:
        frame: one row per queue and interval, columns ``FORECAST_COLUMNS``
            (``interval_start`` as datetime64).
        accuracy: backtest scores, per queue and method (empty without a
            backtest).
        queues: the decision per queue.
        level: the prediction interval's nominal coverage.
        holdout_weeks: weeks held out in the backtest.
    """

    frame: pd.DataFrame
    accuracy: tuple[Accuracy, ...]
    queues: tuple[QueueForecast, ...]
    level: float
    holdout_weeks: int


def forecast_history(
    history: pd.DataFrame,
    weeks: int,
    method: str = AUTO,
    holdout_weeks: int = 2,
    overrides: Mapping[date, float] | None = None,
    level: float = DEFAULT_LEVEL,
    on_step: Progress | None = None,
) -> ForecastResult:
    """Forecast every queue of a history frame ``weeks`` weeks past its last day.

    Args:
        history: a validated history frame (``wfm.history``).
        weeks: forecast horizon in weeks, from the day after the last
            history day.
        method: ``"auto"`` or one of ``METHOD_NAMES``.
        holdout_weeks: weeks held out for the backtest; 0 skips it (then a
            method must be named, and intervals are Poisson).
        overrides: ``{date: factor}`` for special days.
        level: nominal coverage of the prediction interval, in (0, 1).
        on_step: called as ``on_step(done, total)`` as work progresses.

    Returns:
        The forecast and the backtest behind it.

    Raises:
        ForecastError: a bad option or too little history.
    """
    if weeks < 1:
        raise ForecastError(f"weeks must be >= 1, got {weeks}")
    if method != AUTO and method not in METHODS:
        raise ForecastError(f"unknown method '{method}'; choose auto or one of {', '.join(METHOD_NAMES)}")
    if holdout_weeks < 0:
        raise ForecastError(f"holdout weeks must be >= 0, got {holdout_weeks}")
    if holdout_weeks == 0 and method == AUTO:
        raise ForecastError("method auto chooses by backtest: give holdout weeks >= 1 or name a method")
    if not 0 < level < 1:
        raise ForecastError(f"prediction interval level must be between 0 and 1, got {level}")
    if history.empty:
        raise ForecastError("the history has no rows")
    overrides = dict(overrides or {})
    all_series = to_series(history)
    total = len(all_series) * (holdout_weeks * len(METHODS) + 1)
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if on_step is not None:
            on_step(done, total)

    frames, scores, decisions = [], [], []
    for series in all_series:
        _check_length(series, method, holdout_weeks)
        queue_scores, errors = _backtest(series, weeks, holdout_weeks, overrides, step)
        scores.extend(queue_scores)
        chosen = method if method != AUTO else _best(queue_scores)
        actual, predicted = errors.get(chosen, (np.zeros(0), np.zeros(0)))
        c2 = fit_dispersion(actual, predicted)
        known = _override_rows(series, 0, series.days, overrides)
        special = special_days(series.calls, known)
        try:
            calls = _predict(series.calls, special, chosen, series.days, 7 * weeks, series, overrides)
        except (ValueError, np.linalg.LinAlgError) as exc:
            raise ForecastError(f"queue '{series.queue}': {chosen} cannot forecast this history: {exc}") from exc
        step()
        frames.append(_frame(series, calls, _forecast_aht(series, 7 * weeks), c2, level))
        decisions.append(
            QueueForecast(
                queue=series.queue,
                method=chosen,
                dispersion=c2,
                special_days=tuple(series.day(int(d)) for d in np.flatnonzero(special)),
            )
        )
    return ForecastResult(
        frame=pd.concat(frames, ignore_index=True),
        accuracy=tuple(scores),
        queues=tuple(decisions),
        level=level,
        holdout_weeks=holdout_weeks,
    )


def _check_length(series: QueueSeries, method: str, holdout_weeks: int) -> None:
    needed = MIN_DAYS[method] if method != AUTO else min(MIN_DAYS.values())
    train_days = series.days - WEEK * holdout_weeks
    if train_days < needed:
        raise ForecastError(
            f"queue '{series.queue}': {series.days} days of history leave {max(train_days, 0)} "
            f"for training after {holdout_weeks} holdout week(s); {method} needs at least {needed}"
        )


def _override_rows(series: QueueSeries, begin: int, end: int, overrides: Mapping[date, float]) -> frozenset[int]:
    return frozenset(d for d in range(begin, end) if series.day(d) in overrides)


def _predict(
    y: np.ndarray,
    special: np.ndarray,
    method: str,
    origin: int,
    horizon: int,
    series: QueueSeries,
    overrides: Mapping[date, float],
) -> np.ndarray:
    """Train ``method`` on cleaned rows before ``origin``; forecast ``horizon`` days with overrides."""
    train = replace_special(y[:origin], special[:origin])
    calls = np.maximum(METHODS[method](train, horizon), 0.0)
    for j in range(horizon):
        factor = overrides.get(series.day(origin + j))
        if factor is not None:
            calls[j] *= factor
    return calls


def _backtest(
    series: QueueSeries,
    weeks: int,
    holdout_weeks: int,
    overrides: Mapping[date, float],
    step: Callable[[], None],
) -> tuple[list[Accuracy], dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Rolling-origin scores per method, and the (actual, forecast) pairs of normal days."""
    y = series.calls
    days = series.days
    origins = [days - WEEK * k for k in range(holdout_weeks, 0, -1)]
    scores = []
    errors: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    horizons = [min(WEEK * weeks, days - origin) for origin in origins]
    # special days in training are judged on the training part only: no peeking ahead
    trained = [special_days(y[:o], _override_rows(series, 0, o, overrides)) for o in origins]
    judged = [special_days(y[: o + h], _override_rows(series, 0, o + h, overrides)) for o, h in zip(origins, horizons)]
    for name in METHODS:
        actual_parts, forecast_parts, normal_parts = [], [], []
        for origin, horizon, special, later in zip(origins, horizons, trained, judged):
            step()
            if origin < MIN_DAYS[name]:
                continue
            try:
                predicted = _predict(y, special, name, origin, horizon, series, overrides)
            except (ValueError, np.linalg.LinAlgError):
                continue  # a method that cannot fit this origin is not scored on it
            actual_parts.append(y[origin : origin + horizon])
            forecast_parts.append(predicted)
            normal_parts.append(~later[origin : origin + horizon])
        if not actual_parts:
            continue
        actual_all = np.concatenate(actual_parts)
        forecast_all = np.concatenate(forecast_parts)
        normal = np.concatenate(normal_parts)
        scores.append(score(series.queue, name, actual_all, forecast_all))
        errors[name] = (actual_all[normal], forecast_all[normal])
    return scores, errors


def _best(scores: list[Accuracy]) -> str:
    """The method with the lowest interval WAPE; earlier in ``METHODS`` on ties."""
    if not scores:
        raise ForecastError("no method could be backtested on this history")

    def key(item: Accuracy) -> float:
        return item.interval_wape if not math.isnan(item.interval_wape) else math.inf

    return min(scores, key=key).method


def _forecast_aht(series: QueueSeries, horizon: int) -> np.ndarray:
    handled, aht = series.handled, series.aht_s
    seconds = handled * aht
    slot_total = handled.sum(axis=0)
    queue_mean = float(seconds.sum() / handled.sum()) if handled.sum() > 0 else 0.0
    slot_mean = np.where(slot_total > 0, seconds.sum(axis=0) / np.maximum(slot_total, 1), queue_mean)
    out = np.empty((horizon, handled.shape[1]))
    days = series.days
    for j in range(horizon):
        newest = days - WEEK + j % WEEK
        rows = np.arange(newest, -1, -WEEK)[:RECENT_WEEKS]
        weights = np.arange(len(rows), 0, -1, dtype=float)
        weight_calls = weights @ handled[rows]
        out[j] = np.where(weight_calls > 0, (weights @ seconds[rows]) / np.maximum(weight_calls, 1e-12), slot_mean)
    return out


def _frame(series: QueueSeries, calls: np.ndarray, aht: np.ndarray, c2: float, level: float) -> pd.DataFrame:
    lo, hi = bounds(calls, c2, level)
    horizon, slots = calls.shape
    starts = [series.start(series.days + j, s) for j in range(horizon) for s in range(slots)]
    return pd.DataFrame(
        {
            "queue": series.queue,
            "interval_start": pd.to_datetime(pd.Series(starts, dtype="datetime64[ns]")),
            "calls": np.round(calls.ravel(), 2),
            "aht_s": np.round(aht.ravel(), 1),
            "calls_lo": lo.ravel(),
            "calls_hi": hi.ravel(),
        }
    )


def write_forecast_csv(frame: pd.DataFrame, path: str | Path | TextIO) -> None:
    """Write a forecast frame as CSV: ``queue,interval_start,calls,aht_s[,calls_lo,calls_hi]``."""
    columns = [name for name in FORECAST_COLUMNS if name in frame.columns]
    out = frame.loc[:, columns].copy()
    out["interval_start"] = pd.to_datetime(out["interval_start"]).dt.strftime("%Y-%m-%dT%H:%M:%S")
    for name in ("calls_lo", "calls_hi"):
        if name in out:
            out[name] = out[name].round(0).astype("int64")
    out.to_csv(path, index=False, lineterminator="\n", float_format="%.2f")


def read_forecast_csv(path: str | Path) -> pd.DataFrame:
    """Read a forecast CSV (the agreed format) into a frame.

    Raises:
        ForecastError: a missing column or a value that is not a number/date.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype={"queue": str})
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ForecastError(f"{path}: cannot read: {exc}") from exc
    missing = [name for name in FORECAST_COLUMNS[:4] if name not in frame.columns]
    if missing:
        raise ForecastError(f"{path}: missing column(s) {', '.join(missing)}")
    try:
        frame["interval_start"] = pd.to_datetime(frame["interval_start"], format="%Y-%m-%dT%H:%M:%S")
        for name in ("calls", "aht_s", "calls_lo", "calls_hi"):
            if name in frame:
                frame[name] = pd.to_numeric(frame[name]).astype("float64")
    except ValueError as exc:
        raise ForecastError(f"{path}: {exc}") from exc
    return frame
