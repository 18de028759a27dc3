"""Volume forecasting methods on a day x interval matrix.

Each method takes the training matrix ``y`` (shape ``(D, S)``: D consecutive
days, S intervals per day) and a horizon ``H`` in days, and returns the
expected calls for days ``D .. D+H-1`` (shape ``(H, S)``). Days ``d`` and
``d + 7k`` share a weekday, so methods only need positions modulo 7.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.holtwinters import ExponentialSmoothing

Method = Callable[[np.ndarray, int], np.ndarray]

WEEK = 7
RECENT_WEEKS = 4  # k of the weekday average and of the intraday profile
TREND_WEEKS = 8  # window of the profile method's weekday means and trend
HW_WEEKS = 16  # Holt-Winters fits the recent past; a longer fit is slow and stale
PROFILE_WEEKS = 8  # intraday shapes are stable; more weeks smooth interval noise


def _same_weekday_rows(days: int, target: int, weeks: int) -> np.ndarray:
    """Training rows with the weekday of day ``target``, newest first, at most ``weeks``."""
    newest = days - WEEK + (target - days) % WEEK
    return np.arange(newest, -1, -WEEK)[:weeks]


def _recency_weights(count: int) -> np.ndarray:
    """Weights ``k, k-1, .., 1`` (newest first), normalised to sum 1."""
    raw = np.arange(count, 0, -1, dtype=float)
    weights: np.ndarray = raw / raw.sum()
    return weights


def seasonal_naive(y: np.ndarray, horizon: int) -> np.ndarray:
    """Same interval of the same weekday in the last week: ``F[D+j] = y[D-7+(j mod 7)]``."""
    if y.shape[0] < WEEK:
        raise ValueError("seasonal naive needs at least one week of history")
    rows = [y.shape[0] - WEEK + j % WEEK for j in range(horizon)]
    result: np.ndarray = y[rows].copy()
    return result


def weekday_average(y: np.ndarray, horizon: int, weeks: int = RECENT_WEEKS) -> np.ndarray:
    """Weighted mean of the same weekday and interval over the last ``k`` weeks.

    ``F[D+j, s] = sum_i w_i y[r_i, s]`` with ``r_0 > r_1 > ..`` the last
    ``k`` rows of that weekday and linear recency weights
    ``w_i = (k - i) / sum(k .. 1)``.
    """
    if y.shape[0] < WEEK:
        raise ValueError("weekday average needs at least one week of history")
    out = np.empty((horizon, y.shape[1]))
    for j in range(horizon):
        rows = _same_weekday_rows(y.shape[0], y.shape[0] + j, weeks)
        out[j] = _recency_weights(len(rows)) @ y[rows]
    return out


def intraday_profile(y: np.ndarray, target: int, weeks: int = PROFILE_WEEKS) -> np.ndarray:
    """Share of the day's calls per interval for the weekday of day ``target``.

    ``p[s] = sum_i w_i y[r_i, s] / sum_i w_i sum_s y[r_i, s]`` over the last
    ``k`` (default 8) rows of that weekday (recency weights as in
    ``weekday_average``);
    all zeros when those days had no calls.
    """
    rows = _same_weekday_rows(y.shape[0], target, weeks)
    volume = _recency_weights(len(rows)) @ y[rows]
    total = volume.sum()
    profile: np.ndarray = volume / total if total > 0 else np.zeros(y.shape[1])
    return profile


def _distribute(y: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """Spread day totals for days ``D, D+1, ..`` over intervals by weekday profile."""
    days = y.shape[0]
    profiles = [intraday_profile(y, days + j) for j in range(WEEK)]
    return np.stack([max(total, 0.0) * profiles[j % WEEK] for j, total in enumerate(totals)])


def holt_winters(y: np.ndarray, horizon: int) -> np.ndarray:
    """Holt-Winters on daily totals with a weekly season, spread by intraday profile.

    Daily totals ``t_d = sum_s y[d, s]`` of the last 16 weeks are fitted by
    additive damped trend
    exponential smoothing with a 7-day season (multiplicative when every day
    has calls, additive otherwise); the forecast totals are clipped at 0 and
    multiplied by the weekday's ``intraday_profile``.
    """
    totals = y.sum(axis=1)[-HW_WEEKS * WEEK :]
    if totals.shape[0] < 2 * WEEK:
        raise ValueError("Holt-Winters needs at least two weeks of history")
    seasonal = "mul" if totals.min() > 0 else "add"
    model = ExponentialSmoothing(
        totals,
        trend="add",
        damped_trend=True,
        seasonal=seasonal,
        seasonal_periods=WEEK,
        initialization_method="estimated",
    )
    # short daily series often stop the optimiser early, and an exact fit makes
    # the AIC take log(0) (then -inf + inf); both leave a usable fit
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore", ConvergenceWarning)
        forecast = np.asarray(model.fit().forecast(horizon), dtype=float)
    if not np.all(np.isfinite(forecast)):
        raise ValueError("Holt-Winters produced a non-finite forecast")
    return _distribute(y, forecast)


def day_profile(y: np.ndarray, horizon: int, weeks: int = TREND_WEEKS) -> np.ndarray:
    """Weekday level with a linear trend for day totals, spread by intraday profile.

    Over the last ``n`` weeks of daily totals ``t_d``: weekday factors
    ``f_w = mean(t_d, weekday w) / mean(t_d)``; the deseasonalised series
    ``t_d / f_w`` is fitted by least squares ``a + b d`` on days with
    ``f_w > 0``; the day forecast is ``max(0, (a + b d) f_w)``, spread by the
    weekday's ``intraday_profile``.
    """
    totals = y.sum(axis=1)
    days = totals.shape[0]
    if days < WEEK:
        raise ValueError("the profile method needs at least one week of history")
    window = min(days - days % WEEK, weeks * WEEK)
    index = np.arange(days - window, days)
    recent = totals[index]
    mean = recent.mean()
    if mean <= 0:
        return np.zeros((horizon, y.shape[1]))
    factors = np.array([recent[index % WEEK == w].mean() for w in range(WEEK)]) / mean
    day_factor = factors[index % WEEK]
    open_days = day_factor > 0
    level = recent[open_days] / day_factor[open_days]
    if open_days.sum() >= 2 * WEEK:
        slope, intercept = np.polyfit(index[open_days].astype(float), level, 1)
    else:
        slope, intercept = 0.0, float(level.mean())
    future = np.arange(days, days + horizon)
    forecast = (intercept + slope * future) * factors[future % WEEK]
    return _distribute(y, forecast)


METHODS: dict[str, Method] = {
    "seasonal_naive": seasonal_naive,
    "weekday_average": weekday_average,
    "holt_winters": holt_winters,
    "profile": day_profile,
}

# the fewest training days each method accepts
MIN_DAYS = {"seasonal_naive": WEEK, "weekday_average": WEEK, "holt_winters": 2 * WEEK, "profile": WEEK}
