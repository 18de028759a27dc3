"""Prediction intervals: a negative binomial around the forecast, fitted to backtest errors.

Calls in an interval with forecast ``f`` are taken as negative binomial with
mean ``f`` and variance ``f + c2 * f**2``: the Poisson part is arrival noise,
``c2`` the forecast's own relative error. ``c2`` is fitted by the method of
moments on the held-out intervals of the backtest,
``c2 = max(0, (sum (A - F)**2 - sum F) / sum F**2)``; with ``c2 = 0`` the
interval is Poisson. The bounds are that distribution's quantiles
``(1 - level) / 2`` and ``(1 + level) / 2``.
"""

from __future__ import annotations

import numpy as np
from scipy import stats


def fit_dispersion(actual: np.ndarray, forecast: np.ndarray) -> float:
    """``c2`` from held-out actuals and their forecasts (same shape); 0 without data."""
    scale = float(np.sum(forecast**2))
    if scale <= 0:
        return 0.0
    excess = float(np.sum((actual - forecast) ** 2) - np.sum(forecast))
    return max(0.0, excess / scale)


def bounds(forecast: np.ndarray, c2: float, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds of the central ``level`` prediction interval per value."""
    mean = np.maximum(forecast, 0.0)
    low_q, high_q = (1.0 - level) / 2.0, (1.0 + level) / 2.0
    lo = np.zeros_like(mean)
    hi = np.zeros_like(mean)
    busy = mean > 0
    if c2 > 0:
        size = 1.0 / c2
        prob = size / (size + mean[busy])
        lo[busy] = stats.nbinom.ppf(low_q, size, prob)
        hi[busy] = stats.nbinom.ppf(high_q, size, prob)
    else:
        lo[busy] = stats.poisson.ppf(low_q, mean[busy])
        hi[busy] = stats.poisson.ppf(high_q, mean[busy])
    return lo, hi
