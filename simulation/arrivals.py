"""Non-homogeneous Poisson arrivals from per-interval expected counts."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def arrival_times(
    calls: Sequence[float],
    start_s: float,
    interval_s: float,
    rng: np.random.Generator,
    *,
    from_s: float | None = None,
    until_s: float | None = None,
) -> np.ndarray:
    """Sorted arrival times of a Poisson process with a piecewise-constant rate.

    Interval ``i`` covers ``[start_s + i*interval_s, start_s + (i+1)*interval_s)``
    and receives a Poisson number of calls with mean ``calls[i]``, placed
    uniformly in it (the order statistics of a homogeneous Poisson process).

    Args:
        calls: expected calls per interval (>= 0).
        start_s: start of the first interval.
        interval_s: interval length in seconds (> 0).
        rng: the arrival stream.
        from_s: drop arrivals before this time (the whole profile is still
            drawn, so a later window keeps the same calls for the same seed).
        until_s: drop arrivals at or after this time.

    Returns:
        A float array of arrival times, ascending.
    """
    if interval_s <= 0:
        raise ValueError(f"interval_s must be > 0, got {interval_s}")
    mean = np.asarray(calls, dtype=float)
    if mean.size == 0:
        return np.empty(0)
    if np.any(mean < 0) or not np.all(np.isfinite(mean)):
        raise ValueError("expected calls per interval must be finite and >= 0")
    counts = rng.poisson(mean)
    total = int(counts.sum())
    starts = np.repeat(start_s + interval_s * np.arange(mean.size), counts)
    times = np.sort(starts + rng.random(total) * interval_s)
    if from_s is not None:
        times = times[times >= from_s]
    if until_s is not None:
        times = times[times < until_s]
    return times
