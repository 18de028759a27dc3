"""Forecast accuracy: MAPE and WAPE, per day and per interval."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


def wape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Weighted absolute percentage error, in percent.

    ``WAPE = 100 * sum |A - F| / sum A``; NaN when ``sum A = 0``. Big
    intervals weigh more, so quiet intervals cannot dominate it.
    """
    total = float(np.sum(actual))
    if total <= 0:
        return math.nan
    return 100.0 * float(np.sum(np.abs(actual - forecast))) / total


def mape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Mean absolute percentage error, in percent, over non-zero actuals.

    ``MAPE = 100 / n * sum_{A > 0} |A - F| / A`` with ``n`` the number of
    points where ``A > 0``. Points with ``A = 0`` are left out (their
    percentage error is undefined); NaN when every actual is 0.
    """
    mask = actual > 0
    if not mask.any():
        return math.nan
    return 100.0 * float(np.mean(np.abs(actual[mask] - forecast[mask]) / actual[mask]))


@dataclass(frozen=True, slots=True)
class Accuracy:
    """Backtest accuracy of one method on one queue (percentages; NaN if undefined).

    Day figures compare daily totals; interval figures compare each interval.
    """

    queue: str
    method: str
    day_mape: float
    day_wape: float
    interval_mape: float
    interval_wape: float
    points: int  # held-out intervals compared


def score(queue: str, method: str, actual: np.ndarray, forecast: np.ndarray) -> Accuracy:
    """Accuracy of day x interval matrices ``actual`` and ``forecast`` of one shape."""
    return Accuracy(
        queue=queue,
        method=method,
        day_mape=mape(actual.sum(axis=1), forecast.sum(axis=1)),
        day_wape=wape(actual.sum(axis=1), forecast.sum(axis=1)),
        interval_mape=mape(actual, forecast),
        interval_wape=wape(actual, forecast),
        points=int(actual.size),
    )
