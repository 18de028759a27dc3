"""Required agents per interval for a service target (Erlang C, or Erlang A
when callers' patience is known), with an occupancy cap and shrinkage.

Public API::

    StaffingTarget(service_level=0.8, answer_within_s=20, max_asa_s=None,
                   max_abandon=None, patience_s=None, max_occupancy=None,
                   shrinkage=0.0, min_agents=0)
    required_agents(calls, aht_s, interval_s, target) -> StaffingResult
    scheduled_agents(agents, shrinkage) -> int array

``required`` is the smallest ``N`` meeting every target at once::

    SL(N) >= service_level,  ASA(N) <= max_asa_s,  abandon(N) <= max_abandon,
    occupancy(N) <= max_occupancy,  N >= min_agents

and ``scheduled = ceil(N / (1 - shrinkage))``: agents to roster so that
``N`` remain on the phones after breaks, training, absence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from wfm.erlang import ErlangAResult, FloatArray, erlang_a, erlang_b, erlang_c_metrics_from_b

IntArray = npt.NDArray[np.int64]

# A cap on the doubling of the Erlang A upper bound: 2**40 agents is past any center.
_MAX_DOUBLINGS = 40
# Guards ceil() against float noise such as 17 / 0.85 = 20.000000000000004.
_CEIL_EPS = 1e-9


class StaffingError(ValueError):
    """A staffing target that cannot be used (out of range, or missing patience)."""


@dataclass(frozen=True, slots=True)
class StaffingTarget:
    """What each interval must achieve.

    Attributes:
        service_level: Fraction answered within ``answer_within_s`` (0-1,
            exclusive), or ``None`` for no service-level target. With
            ``patience_s`` it counts answered-within over OFFERED calls.
        answer_within_s: Service-level threshold T, seconds.
        max_asa_s: Largest average speed of answer (of answered calls), or ``None``.
        max_abandon: Largest abandon rate (0-1); needs ``patience_s``.
        patience_s: Mean caller patience, seconds: switches to Erlang A.
        max_occupancy: Occupancy cap (0-1], or ``None``.
        shrinkage: Fraction of paid time off the phones [0, 1).
        min_agents: Floor on required agents in every interval.
    """

    service_level: float | None = 0.8
    answer_within_s: float = 20.0
    max_asa_s: float | None = None
    max_abandon: float | None = None
    patience_s: float | None = None
    max_occupancy: float | None = None
    shrinkage: float = 0.0
    min_agents: int = 0

    def check(self) -> None:
        """Raise :class:`StaffingError` naming the first unusable field."""
        if self.service_level is not None and not 0.0 < self.service_level < 1.0:
            raise StaffingError("service_level must be between 0 and 1 (exclusive)")
        if not self.answer_within_s >= 0.0:
            raise StaffingError("answer_within_s must be >= 0")
        if self.max_asa_s is not None and not self.max_asa_s > 0.0:
            raise StaffingError("max_asa_s must be > 0")
        if self.max_abandon is not None and not 0.0 < self.max_abandon < 1.0:
            raise StaffingError("max_abandon must be between 0 and 1 (exclusive)")
        if self.max_abandon is not None and self.patience_s is None:
            raise StaffingError("max_abandon needs patience_s (an Erlang A target)")
        if self.patience_s is not None and not 0.0 < self.patience_s < float("inf"):
            raise StaffingError("patience_s must be finite and > 0")
        if self.max_occupancy is not None and not 0.0 < self.max_occupancy <= 1.0:
            raise StaffingError("max_occupancy must be in (0, 1]")
        if not 0.0 <= self.shrinkage < 1.0:
            raise StaffingError("shrinkage must be in [0, 1)")
        if self.min_agents < 0:
            raise StaffingError("min_agents must be >= 0")


@dataclass(frozen=True, slots=True)
class StaffingResult:
    """Per-interval requirement and the figures it achieves (1-D arrays).

    ``service_level``, ``asa_s``, ``occupancy``, ``p_wait`` are Erlang C
    figures, or Erlang A figures (with ``abandon_rate``) when patience was given.
    """

    calls: FloatArray
    aht_s: FloatArray
    traffic: FloatArray
    agents: IntArray
    scheduled: IntArray
    p_wait: FloatArray
    service_level: FloatArray
    asa_s: FloatArray
    occupancy: FloatArray
    abandon_rate: FloatArray | None

    def agent_hours(self, interval_s: float, scheduled: bool = True) -> float:
        """Agent-hours over all intervals: ``sum(agents) * interval_s / 3600``."""
        counts = self.scheduled if scheduled else self.agents
        return float(counts.sum()) * interval_s / 3600.0


def scheduled_agents(agents: npt.ArrayLike, shrinkage: float) -> IntArray:
    """Agents to schedule so that ``agents`` remain after shrinkage.

    ``scheduled = ceil(agents / (1 - shrinkage))``.

    Args:
        agents: Required agents on the phones.
        shrinkage: Fraction of scheduled time lost [0, 1).

    Returns:
        Whole numbers of agents, same shape as ``agents``.
    """
    if not 0.0 <= shrinkage < 1.0:
        raise StaffingError("shrinkage must be in [0, 1)")
    raw = np.asarray(agents, dtype=np.float64) / (1.0 - shrinkage)
    return np.ceil(raw - _CEIL_EPS).astype(np.int64)


def required_agents(
    calls: npt.ArrayLike,
    aht_s: npt.ArrayLike,
    interval_s: float,
    target: StaffingTarget = StaffingTarget(),
) -> StaffingResult:
    """Smallest agents per interval meeting every target of ``target``.

    Traffic ``A = calls * aht / interval_s``. Without patience (Erlang C)
    the search tries a block of candidates ``N0, N0 + 1, ...`` for every
    interval at once, from ``N0 = max(floor(A) + 1, ceil(A / max_occupancy),
    min_agents)``, with the Erlang B recursion ``1/B(N+1) = 1 + (N+1)/A *
    1/B(N)`` unrolled along the block (doubling the block where needed). With patience
    (Erlang A, stable for any ``N``) it bisects every interval at once
    between 0 and an upper bound found by doubling. All the figures are
    monotone in ``N``, so the first ``N`` that meets them all is the answer.

    Args:
        calls: Forecast calls per interval (1-D).
        aht_s: Average handling time per interval, seconds (scalar or 1-D);
            ignored in intervals without calls.
        interval_s: Interval length, seconds.
        target: The targets.

    Returns:
        A :class:`StaffingResult`; intervals without calls get ``min_agents``.
    """
    target.check()
    if not interval_s > 0:
        raise StaffingError("interval_s must be > 0")
    c, aht = np.broadcast_arrays(
        np.atleast_1d(np.asarray(calls, dtype=np.float64)),
        np.atleast_1d(np.asarray(aht_s, dtype=np.float64)),
    )
    if c.ndim != 1:
        raise StaffingError("calls must be one-dimensional (one value per interval)")
    if np.any(~(c >= 0)) or not np.all(np.isfinite(c)):
        raise StaffingError("calls must be finite and >= 0")
    if np.any(~(aht[c > 0] > 0)) or not np.all(np.isfinite(aht[c > 0])):
        raise StaffingError("aht_s must be finite and > 0 where there are calls")
    aht = np.where(c > 0, aht, np.where(aht > 0, aht, 1.0))
    traffic = c * aht / interval_s
    if target.patience_s is None:
        agents, blocking = _search_erlang_c(traffic, aht, target)
        m = erlang_c_metrics_from_b(agents, traffic, aht, target.answer_within_s, blocking)
        p_wait, sl, wait, occ, abandon = m.p_wait, m.service_level, m.asa_s, m.occupancy, None
    else:
        agents = _search_erlang_a(c / interval_s, aht, target)
        r = erlang_a(agents, c / interval_s, aht, target.patience_s, target.answer_within_s)
        p_wait, sl, wait, occ = r.p_wait, r.service_level, r.asa_s, r.occupancy
        abandon = r.abandon_rate
    n = agents.astype(np.int64)
    return StaffingResult(
        calls=c.copy(), aht_s=aht, traffic=traffic, agents=n,
        scheduled=scheduled_agents(n, target.shrinkage), p_wait=p_wait, service_level=sl,
        asa_s=wait, occupancy=occ, abandon_rate=abandon,
    )


def _search_erlang_c(a: FloatArray, aht: FloatArray, t: StaffingTarget) -> tuple[FloatArray, FloatArray]:
    """Required agents and their Erlang B value (0 where no calls)."""
    n0 = np.maximum(np.floor(a) + 1.0, float(t.min_agents))
    if t.max_occupancy is not None:
        n0 = np.maximum(n0, np.ceil(a / t.max_occupancy - _CEIL_EPS))
    result = np.where(a == 0, float(t.min_agents), n0)
    blocking = np.zeros(a.shape)
    rows = np.flatnonzero(a > 0)
    n0, a, aht = n0[rows], a[rows], aht[rows]
    with np.errstate(divide="ignore"):
        inv0 = 1.0 / erlang_b(n0, a)
    width = 16
    while rows.size:
        # Candidates n0 + k, k = 0..width-1. The recursion
        # x_k = 1 + c_k x_{k-1} (x = 1/B, c_k = (n0 + k) / A) unrolled:
        # x_k = P_k (x_0 + sum_{m<=k} 1/P_m), P_k = prod_{i<=k} c_i.
        k = np.arange(width, dtype=np.float64)[None, :]
        n = n0[:, None] + k
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            c = np.where(k > 0, n / a[:, None], 1.0)
            p = np.cumprod(c, axis=1)
            inv = np.where(np.isinf(p) | np.isinf(inv0)[:, None], np.inf,
                           p * (inv0[:, None] + np.cumsum(np.where(k > 0, 1.0 / p, 0.0), axis=1)))
        ok = _meets_c(n, a[:, None], aht[:, None], inv, t)
        found = ok.any(axis=1)
        first = np.argmax(ok, axis=1)
        result[rows[found]] = n[found, first[found]]
        with np.errstate(divide="ignore"):
            blocking[rows[found]] = 1.0 / inv[found, first[found]]
        keep = ~found
        rows, a, aht = rows[keep], a[keep], aht[keep]
        n0, inv0 = n[keep, -1] + 1.0, 1.0 + (n[keep, -1] + 1.0) / a * inv[keep, -1]
        width *= 2
    return result, blocking


def _meets_c(n: FloatArray, a: FloatArray, aht: FloatArray, inv_b: FloatArray, t: StaffingTarget) -> npt.NDArray[np.bool_]:
    with np.errstate(invalid="ignore", over="ignore"):
        c = np.where(np.isinf(inv_b), 0.0, n / ((n - a) * inv_b + a))
        ok = np.ones(n.shape, dtype=bool)
        if t.service_level is not None:
            ok &= 1.0 - c * np.exp(-(n - a) * t.answer_within_s / aht) >= t.service_level
        if t.max_asa_s is not None:
            ok &= c * aht / (n - a) <= t.max_asa_s
    return ok


def _meets_a(r: ErlangAResult, n: FloatArray, t: StaffingTarget) -> npt.NDArray[np.bool_]:
    ok = n >= t.min_agents
    if t.service_level is not None:
        ok &= r.service_level >= t.service_level
    if t.max_asa_s is not None:
        ok &= r.asa_s <= t.max_asa_s
    if t.max_abandon is not None:
        ok &= r.abandon_rate <= t.max_abandon
    if t.max_occupancy is not None:
        ok &= r.occupancy <= t.max_occupancy
    return ok


def _search_erlang_a(lam: FloatArray, aht: FloatArray, t: StaffingTarget) -> FloatArray:
    assert t.patience_s is not None
    patience = t.patience_s

    def meets(n: FloatArray, rows: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        r = erlang_a(n, lam[rows], aht[rows], patience, t.answer_within_s)
        return _meets_a(r, n, t)

    # Upper bound: start near the Erlang C requirement, double where short.
    hi = np.maximum(np.ceil(lam * aht) + 1.0, float(max(t.min_agents, 1)))
    every = np.ones(hi.shape, dtype=bool)
    for _ in range(_MAX_DOUBLINGS):
        short = ~meets(hi, every)
        if not np.any(short):
            break
        hi = np.where(short, 2.0 * hi, hi)
    else:
        raise StaffingError("no number of agents meets the target")
    lo = np.full(hi.shape, float(t.min_agents) - 1.0)  # known short (or below the floor)
    while np.any(hi - lo > 1.0):
        mid = np.floor((lo + hi) / 2.0)
        live = hi - lo > 1.0
        ok = np.ones(hi.shape, dtype=bool)
        ok[live] = meets(mid[live], live)
        hi = np.where(live & ok, mid, hi)
        lo = np.where(live & ~ok, mid, lo)
    return np.where(lam == 0, float(t.min_agents), hi)
