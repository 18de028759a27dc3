"""Realistic interval history for demos and tests.

The expected calls of queue ``q`` in interval ``s`` of day ``d`` are

    mu = daily_calls_q * weekday_factor[wd(d)] * (1 + trend) ** (d / 7)
         * day_noise(d) * special(d) * shape_wd(s)

where ``shape_wd`` is the intraday profile of a weekday or weekend day (sums
to 1 over the open intervals), ``day_noise`` a log-normal day level
(sigma 5 %), ``special`` a holiday factor or an outage spike. Offered calls
are negative binomial around ``mu`` (a gamma-Poisson mixture, variance
``mu + mu**2 / dispersion``). Abandons rise with load:
``p_abandon = base * (1 + 2 * (mu / peak_mu) ** 3)``, capped at 0.5, and the
rest is handled. AHT follows time of day (longer early and late) around the
queue's mean, with sampling noise shrinking as 1/sqrt(handled).
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
import pandas as pd

from wfm.history import HISTORY_COLUMNS, INTERVAL_MINUTES, HistoryError

# Monday .. Sunday: a busy Monday, a quiet weekend
WEEKDAY_FACTORS = (1.15, 1.05, 1.0, 0.98, 0.92, 0.45, 0.3)


@dataclass(frozen=True, slots=True)
class QueuePattern:
    """The traffic of one generated queue.

    Attributes:
        name: queue name.
        daily_calls: mean offered calls on a Wednesday in week 0.
        aht_s: mean handle time, seconds.
        abandon_rate: share of calls abandoned at average load.
        open_at: first interval start of the day.
        close_at: end of the last interval of the day.
    """

    name: str
    daily_calls: float
    aht_s: float
    abandon_rate: float = 0.04
    open_at: time = time(8, 0)
    close_at: time = time(20, 0)


_KNOWN = {
    "sales": QueuePattern("sales", daily_calls=900.0, aht_s=300.0, abandon_rate=0.05),
    "support": QueuePattern("support", daily_calls=1400.0, aht_s=420.0, abandon_rate=0.04),
    "billing": QueuePattern("billing", daily_calls=600.0, aht_s=360.0, abandon_rate=0.03),
    "vip": QueuePattern("vip", daily_calls=150.0, aht_s=480.0, abandon_rate=0.01),
}


def default_pattern(name: str) -> QueuePattern:
    """A pattern for a queue name: the known ones, else one derived from the name.

    Unknown names get volume and AHT from a hash of the name, so the same
    name always gives the same queue.
    """
    if name in _KNOWN:
        return _KNOWN[name]
    code = zlib.crc32(name.encode("utf-8"))
    return QueuePattern(name, daily_calls=300.0 + code % 900, aht_s=240.0 + (code >> 10) % 240)


def intraday_shape(minutes_of_day: np.ndarray, weekend: bool) -> np.ndarray:
    """Relative call rate by interval start, summing to 1.

    Weekdays: a morning peak near 10:30 and a lower afternoon peak near
    14:45 over a small base; weekends: one broad midday peak.
    """
    hours = minutes_of_day / 60.0
    if weekend:
        rate = 0.15 + np.exp(-0.5 * ((hours - 12.5) / 2.5) ** 2)
    else:
        rate = (
            0.12
            + np.exp(-0.5 * ((hours - 10.5) / 1.3) ** 2)
            + 0.8 * np.exp(-0.5 * ((hours - 14.75) / 1.5) ** 2)
        )
    shape: np.ndarray = rate / rate.sum()
    return shape


def generate_history(
    queues: Sequence[str | QueuePattern],
    start: date,
    weeks: int,
    interval_min: int = 30,
    seed: int = 0,
    trend_per_week: float = 0.01,
    holidays: Sequence[date] = (),
    holiday_factor: float = 0.1,
    spike_rate: float = 0.02,
    dispersion: float = 60.0,
) -> pd.DataFrame:
    """Generate an interval history frame (see ``wfm.history``).

    Args:
        queues: queue names (see ``default_pattern``) or patterns.
        start: the first day.
        weeks: how many weeks of days.
        interval_min: 15 or 30.
        seed: the same seed gives the same frame.
        trend_per_week: growth of volume per week, 0.01 = +1 %.
        holidays: days whose volume is multiplied by ``holiday_factor``.
        holiday_factor: 0.1 = a near-closed day.
        spike_rate: chance per queue-day of an outage: from a random hour to
            the close, volume x U(1.8, 3.0).
        dispersion: negative binomial size; larger is closer to Poisson.

    Returns:
        The frame, one row per queue and open interval.

    Raises:
        HistoryError: a bad interval length or week count.
    """
    if interval_min not in INTERVAL_MINUTES:
        raise HistoryError(f"interval length {interval_min} minutes: expected 15 or 30")
    if weeks < 1:
        raise HistoryError(f"weeks must be >= 1, got {weeks}")
    rng = np.random.default_rng(seed)
    holiday_set = set(holidays)
    frames = []
    for queue in queues:
        pattern = queue if isinstance(queue, QueuePattern) else default_pattern(queue)
        frames.append(
            _generate_queue(
                pattern, start, weeks * 7, interval_min, rng, trend_per_week,
                holiday_set, holiday_factor, spike_rate, dispersion,
            )
        )
    return pd.concat(frames, ignore_index=True)


def _generate_queue(
    pattern: QueuePattern,
    start: date,
    days: int,
    interval_min: int,
    rng: np.random.Generator,
    trend_per_week: float,
    holidays: set[date],
    holiday_factor: float,
    spike_rate: float,
    dispersion: float,
) -> pd.DataFrame:
    first = pattern.open_at.hour * 60 + pattern.open_at.minute
    last = pattern.close_at.hour * 60 + pattern.close_at.minute
    minutes = np.arange(first - first % interval_min, last, interval_min, dtype=float)
    shapes = {weekend: intraday_shape(minutes, weekend) for weekend in (False, True)}
    peak_mu = pattern.daily_calls * max(WEEKDAY_FACTORS) * shapes[False].max()
    # longer calls early and late in the day, shortest around midday
    aht_by_time = pattern.aht_s * (1.0 + 0.12 * ((minutes / 60.0 - 13.0) / 6.0) ** 2)
    columns: dict[str, list[object]] = {name: [] for name in HISTORY_COLUMNS}
    for offset in range(days):
        day = start + timedelta(days=offset)
        weekday = day.weekday()
        level = pattern.daily_calls * WEEKDAY_FACTORS[weekday] * (1.0 + trend_per_week) ** (offset / 7.0)
        level *= math.exp(rng.normal(0.0, 0.05))
        mu = level * shapes[weekday >= 5]
        spike = np.ones_like(mu)
        if rng.random() < spike_rate:
            spike[rng.integers(0, len(mu) // 2) :] = rng.uniform(1.8, 3.0)
        mu = mu * spike
        if day in holidays:
            mu = mu * holiday_factor
        # gamma-Poisson mixture = negative binomial with size `dispersion`
        offered = rng.poisson(mu * rng.gamma(dispersion, 1.0 / dispersion, size=len(mu)))
        p_abandon = np.minimum(0.5, pattern.abandon_rate * (1.0 + 2.0 * (mu / peak_mu) ** 3))
        abandoned = rng.binomial(offered, p_abandon)
        handled = offered - abandoned
        sampling = rng.normal(0.0, 0.6 / np.sqrt(np.maximum(handled, 1)))
        aht = np.where(handled > 0, np.round(aht_by_time * np.exp(sampling), 1), 0.0)
        midnight = datetime.combine(day, time())
        columns["queue"].extend([pattern.name] * len(mu))
        columns["interval_start"].extend(midnight + timedelta(minutes=float(m)) for m in minutes)
        columns["offered"].extend(offered.tolist())
        columns["handled"].extend(handled.tolist())
        columns["aht_s"].extend(aht.tolist())
        columns["abandoned"].extend(abandoned.tolist())
    frame = pd.DataFrame(columns)
    frame["interval_start"] = pd.to_datetime(frame["interval_start"])
    for name in ("offered", "handled", "abandoned"):
        frame[name] = frame[name].astype("int64")
    frame["aht_s"] = frame["aht_s"].astype("float64")
    return frame
