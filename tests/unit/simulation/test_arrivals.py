"""Arrivals: Poisson counts per interval with the profile's means."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from simulation.arrivals import arrival_times


def test_counts_per_interval_are_poisson_with_the_profile_mean() -> None:
    calls = [5.0, 40.0, 12.5, 0.0]
    rng = np.random.default_rng(7)
    reps = 2000
    counts = np.zeros((reps, len(calls)))
    for r in range(reps):
        t = arrival_times(calls, 3600.0, 1800.0, rng)
        counts[r] = np.bincount(((t - 3600.0) // 1800.0).astype(int), minlength=len(calls))
    mean = counts.mean(axis=0)
    var = counts.var(axis=0, ddof=1)
    for i, lam in enumerate(calls):
        if lam == 0:
            assert counts[:, i].sum() == 0
            continue
        # Mean within 4 standard errors; dispersion index near 1 (Poisson).
        assert abs(mean[i] - lam) < 4 * np.sqrt(lam / reps)
        assert 0.85 < var[i] / lam < 1.15
    # The interval of mean 12.5 follows the Poisson pmf (chi-square on bins).
    observed = np.bincount(counts[:, 2].astype(int), minlength=40)[:25]
    expected = stats.poisson.pmf(np.arange(25), 12.5) * reps
    keep = expected > 5
    chi2 = ((observed[keep] - expected[keep]) ** 2 / expected[keep]).sum()
    assert chi2 < stats.chi2.ppf(0.999, keep.sum() - 1)


def test_arrivals_are_sorted_inside_their_window_and_uniform_within_an_interval() -> None:
    rng = np.random.default_rng(1)
    t = arrival_times([3000.0], 0.0, 1800.0, rng)
    assert np.all(np.diff(t) >= 0)
    assert t.min() >= 0 and t.max() < 1800
    assert stats.kstest(t / 1800.0, "uniform").pvalue > 0.001


def test_window_keeps_the_same_calls_for_the_same_seed() -> None:
    full = arrival_times([10.0, 10.0, 10.0], 0.0, 60.0, np.random.default_rng(3))
    part = arrival_times([10.0, 10.0, 10.0], 0.0, 60.0, np.random.default_rng(3), from_s=60.0, until_s=120.0)
    assert np.array_equal(part, full[(full >= 60) & (full < 120)])


@pytest.mark.parametrize("calls", [[-1.0], [float("nan")]])
def test_bad_means_are_refused(calls: list[float]) -> None:
    with pytest.raises(ValueError, match="finite and >= 0"):
        arrival_times(calls, 0.0, 60.0, np.random.default_rng(0))
