"""Each forecasting method on series with a known pattern; the accuracy metrics by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.forecasting.accuracy import mape, score, wape
from wfm.forecasting.cleaning import replace_special, special_days
from wfm.forecasting.intervals import bounds, fit_dispersion
from wfm.forecasting.methods import METHODS, day_profile, holt_winters, seasonal_naive, weekday_average

SLOTS = 8


def _weekly_pattern(rng: np.random.Generator) -> np.ndarray:
    """A week of 7 x SLOTS positive values with distinct weekdays."""
    shape = np.sin(np.linspace(0.3, 2.8, SLOTS)) + 0.2
    levels = np.array([100, 95, 90, 92, 85, 40, 25], dtype=float)
    return levels[:, None] * shape[None, :] * rng.uniform(0.8, 1.2, size=(7, SLOTS))


def _trend_series(weeks: int, growth: float) -> np.ndarray:
    week = _weekly_pattern(np.random.default_rng(0))
    days = np.arange(7 * weeks)
    return np.tile(week, (weeks, 1)) * (1 + growth * days / 7)[:, None]


def test_seasonal_naive_is_exact_on_a_weekly_periodic_series() -> None:
    week = _weekly_pattern(np.random.default_rng(1))
    full = np.tile(week, (8, 1))
    y = full[:32]  # history ends on a Thursday
    forecast = seasonal_naive(y, 14)
    expected = full[32:46]
    np.testing.assert_allclose(forecast, expected)


@pytest.mark.parametrize("name", ["weekday_average", "holt_winters", "profile"])
def test_other_methods_reproduce_a_periodic_series_closely(name: str) -> None:
    week = _weekly_pattern(np.random.default_rng(2))
    y = np.tile(week, (8, 1))
    forecast = METHODS[name](y, 28)
    assert wape(np.tile(week, (4, 1)), forecast) < 1.0


def test_weekday_average_weights_recent_weeks_more() -> None:
    y = np.zeros((28, 1))
    y[[0, 7, 14, 21], 0] = [10.0, 20.0, 30.0, 40.0]  # four Mondays, oldest first
    forecast = weekday_average(y, 7)
    # weights 4, 3, 2, 1 (newest first) over 10
    assert forecast[0, 0] == pytest.approx((4 * 40 + 3 * 30 + 2 * 20 + 1 * 10) / 10)
    assert forecast[1:, 0] == pytest.approx(np.zeros(6))


def test_holt_winters_and_profile_beat_naive_on_a_trend() -> None:
    y = _trend_series(12, growth=0.04)
    train, actual = y[:56], y[56:84]
    naive = wape(actual, seasonal_naive(train, 28))
    assert wape(actual, holt_winters(train, 28)) < 0.5 * naive
    assert wape(actual, day_profile(train, 28)) < 0.5 * naive


def test_methods_never_forecast_negative_calls() -> None:
    y = _trend_series(6, growth=-0.12)  # volume falling steeply toward zero
    for name, method in METHODS.items():
        assert (method(y, 35) >= 0).all(), name


def test_methods_refuse_too_short_history() -> None:
    with pytest.raises(ValueError, match="two weeks"):
        holt_winters(np.ones((10, 3)), 7)
    with pytest.raises(ValueError, match="one week"):
        seasonal_naive(np.ones((5, 3)), 7)


def test_wape_and_mape_by_hand() -> None:
    actual = np.array([10.0, 0.0, 20.0, 30.0])
    forecast = np.array([12.0, 1.0, 15.0, 30.0])
    # WAPE: (2 + 1 + 5 + 0) / 60 ; MAPE over the non-zero actuals: (0.2 + 0.25 + 0) / 3
    assert wape(actual, forecast) == pytest.approx(100 * 8 / 60)
    assert mape(actual, forecast) == pytest.approx(100 * 0.45 / 3)
    assert math.isnan(mape(np.zeros(3), np.ones(3)))
    assert math.isnan(wape(np.zeros(3), np.ones(3)))


counts = st.lists(st.integers(0, 500), min_size=1, max_size=40)


@settings(max_examples=60, deadline=None)
@given(counts, counts, st.floats(0.1, 50))
def test_metrics_are_zero_when_exact_and_do_not_depend_on_scale(a: list[int], f: list[int], k: float) -> None:
    n = min(len(a), len(f))
    actual, forecast = np.array(a[:n], dtype=float), np.array(f[:n], dtype=float)
    if actual.sum() > 0:
        assert wape(actual, actual) == 0 and mape(actual, actual) == 0
        assert wape(k * actual, k * forecast) == pytest.approx(wape(actual, forecast))
        assert mape(k * actual, k * forecast) == pytest.approx(mape(actual, forecast))
        # on non-zero actuals WAPE is an actual-weighted mean of the point errors
        busy = actual > 0
        errors = np.abs(actual[busy] - forecast[busy]) / actual[busy]
        assert 100 * errors.min() - 1e-9 <= wape(actual[busy], forecast[busy]) <= 100 * errors.max() + 1e-9


def test_day_and_interval_scores_by_hand() -> None:
    actual = np.array([[10.0, 30.0], [0.0, 20.0]])
    forecast = np.array([[20.0, 20.0], [5.0, 20.0]])
    result = score("q", "m", actual, forecast)
    # days: totals 40 vs 40 and 20 vs 25
    assert result.day_wape == pytest.approx(100 * 5 / 60)
    assert result.day_mape == pytest.approx(100 * (0 + 0.25) / 2)
    # intervals: |10|+|10|+|5|+0 over 60; MAPE over 10, 30, 20
    assert result.interval_wape == pytest.approx(100 * 25 / 60)
    assert result.interval_mape == pytest.approx(100 * (1.0 + 1 / 3 + 0) / 3)
    assert result.points == 4


def test_special_days_are_found_and_replaced() -> None:
    week = _weekly_pattern(np.random.default_rng(3))
    y = np.tile(week, (6, 1))
    y[16] *= 0.1  # a holiday
    y[30] *= 2.5  # an outage
    special = special_days(y, known=frozenset({3}))
    assert set(np.flatnonzero(special)) == {3, 16, 30}
    cleaned = replace_special(y, special)
    np.testing.assert_allclose(cleaned[16], week[2])
    np.testing.assert_allclose(cleaned[30], week[2])


def test_dispersion_is_zero_for_poisson_and_grows_with_extra_error() -> None:
    rng = np.random.default_rng(4)
    mean = np.full(20_000, 40.0)
    assert fit_dispersion(rng.poisson(mean).astype(float), mean) < 0.003
    noisy = rng.poisson(mean * rng.gamma(10.0, 0.1, size=mean.size)).astype(float)
    assert fit_dispersion(noisy, mean) == pytest.approx(0.1, rel=0.15)


def test_bounds_cover_the_nominal_share() -> None:
    rng = np.random.default_rng(5)
    mean = rng.uniform(1, 80, size=20_000)
    actual = rng.poisson(mean * rng.gamma(20.0, 0.05, size=mean.size))
    lo, hi = bounds(mean, 0.05, 0.8)
    inside = np.mean((actual >= lo) & (actual <= hi))
    assert 0.8 <= inside <= 0.9  # discrete quantiles err on the wide side
    assert (bounds(np.zeros(3), 0.05, 0.8)[1] == 0).all()
