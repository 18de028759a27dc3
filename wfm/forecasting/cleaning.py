"""Special days in training data: find them and replace them before fitting.

A holiday or an outage in the last weeks would otherwise be copied into the
forecast (seasonal naive repeats it; averages and Holt-Winters are pulled by
it). A day is special when it is a known override date, or when its total
``t_d`` is far from the median ``m_d`` of the same weekday within three weeks
either side: ``t_d / m_d < LOW`` or ``> HIGH``. A special day's intervals are
replaced by the mean of the nearest normal day of the same weekday before
and after it (one side when only one exists).
"""

from __future__ import annotations

import numpy as np

WEEK = 7
LOW = 0.65
HIGH = 1.35
_REACH_WEEKS = 3


def special_days(y: np.ndarray, known: frozenset[int] = frozenset()) -> np.ndarray:
    """Boolean mask of special rows of the day x interval matrix ``y``.

    Args:
        y: training matrix, shape (days, slots).
        known: row indices known to be special (override dates).
    """
    totals = y.sum(axis=1)
    days = totals.shape[0]
    shifts = [WEEK * k for k in range(-_REACH_WEEKS, _REACH_WEEKS + 1) if k]
    neighbours = np.full((days, len(shifts)), np.nan)
    for column, shift in enumerate(shifts):
        source = np.arange(days) + shift
        inside = (source >= 0) & (source < days)
        neighbours[inside, column] = totals[source[inside]]
    enough = np.sum(~np.isnan(neighbours), axis=1) >= 2
    reference = np.zeros(days)
    reference[enough] = np.nanmedian(neighbours[enough], axis=1)
    judged = enough & (reference > 0)
    ratio = np.divide(totals, reference, out=np.ones(days), where=judged)
    mask: np.ndarray = judged & ((ratio < LOW) | (ratio > HIGH))
    mask[[d for d in known if 0 <= d < days]] = True
    return mask


def replace_special(y: np.ndarray, special: np.ndarray) -> np.ndarray:
    """A copy of ``y`` with special rows replaced by nearby normal same-weekday rows."""
    out = y.copy()
    days = y.shape[0]
    for d in np.flatnonzero(special):
        before = next((r for r in range(d - WEEK, -1, -WEEK) if not special[r]), None)
        after = next((r for r in range(d + WEEK, days, WEEK) if not special[r]), None)
        rows = [r for r in (before, after) if r is not None]
        if rows:
            out[d] = y[rows].mean(axis=0)
    return out
