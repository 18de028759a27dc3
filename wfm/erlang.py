"""Erlang B, Erlang C and Erlang A (Palm's M/M/N+M) queueing formulas.

Every function broadcasts numpy-style over its arguments, so one call covers
all the intervals of a day or a week. Scalar arguments give ``float``
results; arrays give ``float64`` arrays of the broadcast shape. The fields of
the result dataclasses are always arrays (0-d for scalar input: use
``float(...)``).

Public API (stable; other packages import these)::

    traffic_erlangs(calls, interval_s, aht_s) -> float | array      A = calls * aht / interval
    erlang_b(agents, traffic) -> float | array                      blocking probability
    erlang_c(agents, traffic) -> float | array                      P(wait > 0)
    service_level(agents, traffic, aht_s, answer_within_s) -> ...   P(wait <= T)
    asa(agents, traffic, aht_s) -> float | array                    mean wait, seconds
    occupancy(agents, traffic) -> float | array                     A / N
    erlang_c_metrics(agents, traffic, aht_s, answer_within_s) -> ErlangCResult
    erlang_c_metrics_from_b(agents, traffic, aht_s, answer_within_s, blocking) -> ErlangCResult
    erlang_a(agents, calls_per_s, aht_s, patience_s, answer_within_s) -> ErlangAResult

``agents`` must hold non-negative whole numbers. ``traffic`` is the offered
load in Erlangs, ``A = lambda * aht`` with ``lambda`` the arrival rate.

Numerics: no factorials. Erlang B uses the recursion on its inverse,
``1/B(n) = 1 + (n / A) / B(n-1)``, which only adds positive terms (relative
error stays a few ulps) and is started far enough below ``min(N, A)`` that
the skipped terms are below 1e-300 of the total. The recursion is unrolled
into a sum of cumulative products, so all intervals are done in a few numpy
calls instead of one Python step per agent. Erlang A sums the
stationary distribution of the waiting states in log space over a window
around its mode (see :func:`erlang_a`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import overload

import numpy as np
import numpy.typing as npt
from scipy.special import betaincc, gammaln, logsumexp, psi

FloatArray = npt.NDArray[np.float64]

# Terms of the Erlang B sum more than this many standard deviations
# (sqrt(A)) below the mode weigh less than exp(-800): skip them.
_SKIP_SIGMAS = 40.0
# Erlang A window half-width, in standard deviations sqrt(x) of the
# waiting-state distribution: tails beyond weigh less than exp(-72).
_WINDOW_SIGMAS = 12.0
_WINDOW_PAD = 50
# Largest 2-D block (rows x window) evaluated at once in erlang_a.
_BLOCK_CELLS = 2_000_000


@dataclass(frozen=True, slots=True)
class ErlangCResult:
    """Erlang C (M/M/N, nobody abandons) figures; arrays of the broadcast shape.

    Attributes:
        p_wait: Probability an arriving call waits at all, ``C(N, A)``.
        service_level: Fraction answered within ``answer_within_s``.
        asa_s: Average speed of answer over all calls, seconds (``inf`` when
            ``N <= A``: the queue grows without bound).
        occupancy: Fraction of agent time busy, ``min(A / N, 1)``.
    """

    p_wait: FloatArray
    service_level: FloatArray
    asa_s: FloatArray
    occupancy: FloatArray


@dataclass(frozen=True, slots=True)
class ErlangAResult:
    """Erlang A (M/M/N+M) figures; arrays of the broadcast shape.

    Attributes:
        p_wait: Probability an arriving call waits at all (finds all agents busy).
        abandon_rate: Fraction of offered calls that hang up before an answer.
        service_level: Calls answered within ``T`` over calls OFFERED (the
            default convention: abandoned calls count against the level).
        service_level_answered: Calls answered within ``T`` over calls answered.
        asa_s: Average wait of ANSWERED calls, seconds.
        occupancy: Fraction of agent time busy, ``A * (1 - abandon_rate) / N``.
    """

    p_wait: FloatArray
    abandon_rate: FloatArray
    service_level: FloatArray
    service_level_answered: FloatArray
    asa_s: FloatArray
    occupancy: FloatArray


def _f(values: npt.ArrayLike) -> FloatArray:
    return np.asarray(values, dtype=np.float64)


def _agents(agents: npt.ArrayLike) -> FloatArray:
    n = _f(agents)
    if np.any(n < 0) or np.any(n != np.floor(n)):
        raise ValueError("agents must be non-negative whole numbers")
    return n


def _traffic(traffic: npt.ArrayLike) -> FloatArray:
    a = _f(traffic)
    if np.any(a < 0) or not np.all(np.isfinite(a)):
        raise ValueError("traffic must be finite and non-negative")
    return a


def _out(result: FloatArray, *args: npt.ArrayLike) -> float | FloatArray:
    if all(np.ndim(x) == 0 for x in args):
        return float(result)
    return result


def _inv_erlang_b(n: FloatArray, a: FloatArray) -> FloatArray:
    """``1 / B(n, a)`` for broadcast arrays (``inf`` where B underflows)."""
    n, a = np.broadcast_arrays(n, a)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        start = np.floor(np.minimum(n, a) - _SKIP_SIGMAS * np.sqrt(a) - _SKIP_SIGMAS)
        start = np.maximum(start, 0.0)
        if n.size == 0:
            return np.ones(n.shape)
    shape = n.shape
    nf, af, sf = n.ravel(), a.ravel(), start.ravel()
    inv = np.empty(nf.size)
    width = int(np.max(nf - sf)) + 1
    rows = max(1, _BLOCK_CELLS // width)
    for lo in range(0, nf.size, rows):
        hi = lo + rows
        inv[lo:hi] = _inv_erlang_b_block(nf[lo:hi], af[lo:hi], sf[lo:hi])
    # a == 0 gives k / a = inf: B = 0 for n >= 1 (inv = inf), 1 for n = 0.
    return np.where((a == 0) & (n > 0), np.inf, inv.reshape(shape))


def _inv_erlang_b_block(n: FloatArray, a: FloatArray, start: FloatArray) -> FloatArray:
    """The recursion from ``1/B(start) = 1`` unrolled:
    ``1/B(n) = sum_{j=0..n-start} prod_{i=1..j} (n - i + 1) / A``, every row at once."""
    j = np.arange(int(np.max(n - start)) + 1, dtype=np.float64)[None, :]
    live = j <= (n - start)[:, None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        factor = np.where(live & (j > 0), (n[:, None] - j + 1.0) / a[:, None], 1.0)
        terms = np.where(live, np.cumprod(factor, axis=1), 0.0)
        # A running sum, so padding zeros never change the rounding: a row
        # gives the same bits alone or next to longer rows.
        total: FloatArray = np.cumsum(terms, axis=1)[:, -1]
    return total


def traffic_erlangs(
    calls: npt.ArrayLike, interval_s: npt.ArrayLike, aht_s: npt.ArrayLike
) -> float | FloatArray:
    """Offered load in Erlangs.

    ``A = calls * aht_s / interval_s``.

    Args:
        calls: Calls offered in the interval.
        interval_s: Interval length, seconds.
        aht_s: Average handling time, seconds.

    Returns:
        The traffic ``A`` (float for scalars, array otherwise).
    """
    return _out(_f(calls) * _f(aht_s) / _f(interval_s), calls, interval_s, aht_s)


@overload
def erlang_b(agents: float, traffic: float) -> float: ...
@overload
def erlang_b(agents: npt.ArrayLike, traffic: npt.ArrayLike) -> FloatArray: ...
def erlang_b(agents: npt.ArrayLike, traffic: npt.ArrayLike) -> float | FloatArray:
    """Erlang B: probability that a call finds all ``N`` agents busy in a
    loss system (M/M/N/N).

    ``B(N, A) = (A^N / N!) / sum_{k=0..N} A^k / k!``, computed by
    ``1/B(n) = 1 + (n / A) / B(n-1)`` from ``1/B(0) = 1``.

    Args:
        agents: Number of agents ``N`` (whole numbers >= 0).
        traffic: Offered load ``A`` in Erlangs (>= 0).

    Returns:
        ``B`` in [0, 1].
    """
    n, a = _agents(agents), _traffic(traffic)
    with np.errstate(divide="ignore"):
        return _out(1.0 / _inv_erlang_b(n, a), agents, traffic)


def _erlang_c(n: FloatArray, a: FloatArray, inv_b: FloatArray | None = None) -> FloatArray:
    if inv_b is None:
        inv_b = _inv_erlang_b(n, a)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # C = N B / (N - A (1 - B)) = N / ((N - A) / B + A), stable for B -> 0.
        c = n / ((n - a) * inv_b + a)
        c = np.where(inv_b == np.inf, 0.0, c)
    c = np.where(n <= a, 1.0, c)
    return np.where(a == 0, 0.0, c)


@overload
def erlang_c(agents: float, traffic: float) -> float: ...
@overload
def erlang_c(agents: npt.ArrayLike, traffic: npt.ArrayLike) -> FloatArray: ...
def erlang_c(agents: npt.ArrayLike, traffic: npt.ArrayLike) -> float | FloatArray:
    """Erlang C: probability that a call waits (M/M/N, infinite patience).

    ``C(N, A) = N B / (N - A (1 - B))`` with ``B = erlang_b(N, A)``, for
    ``N > A``; ``C = 1`` when ``N <= A`` (unstable queue); ``C = 0`` when ``A = 0``.

    Args:
        agents: Number of agents ``N``.
        traffic: Offered load ``A`` in Erlangs.

    Returns:
        ``P(wait > 0)`` in [0, 1].
    """
    n, a = _agents(agents), _traffic(traffic)
    return _out(_erlang_c(n, a), agents, traffic)


def _metrics_c(
    n: FloatArray, a: FloatArray, aht: FloatArray, t: FloatArray, inv_b: FloatArray | None = None
) -> ErlangCResult:
    n, a, aht, t = np.broadcast_arrays(n, a, aht, t)
    c = _erlang_c(n, a, inv_b)
    stable = n > a
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        sl = np.where(stable, 1.0 - c * np.exp(-(n - a) * t / aht), 0.0)
        wait = np.where(stable, c * aht / (n - a), np.inf)
        occ = np.where(n > 0, np.minimum(a / n, 1.0), np.where(a > 0, 1.0, 0.0))
    wait = np.where(a == 0, 0.0, wait)
    sl = np.where(a == 0, 1.0, np.clip(sl, 0.0, 1.0))
    return ErlangCResult(p_wait=c, service_level=sl, asa_s=wait, occupancy=occ)


def _positive(name: str, values: npt.ArrayLike) -> FloatArray:
    v = _f(values)
    if np.any(~(v > 0)) or not np.all(np.isfinite(v)):
        raise ValueError(f"{name} must be finite and > 0")
    return v


def _non_negative(name: str, values: npt.ArrayLike) -> FloatArray:
    v = _f(values)
    if np.any(~(v >= 0)) or not np.all(np.isfinite(v)):
        raise ValueError(f"{name} must be finite and >= 0")
    return v


@overload
def service_level(agents: float, traffic: float, aht_s: float, answer_within_s: float) -> float: ...
@overload
def service_level(
    agents: npt.ArrayLike, traffic: npt.ArrayLike, aht_s: npt.ArrayLike, answer_within_s: npt.ArrayLike
) -> FloatArray: ...
def service_level(
    agents: npt.ArrayLike,
    traffic: npt.ArrayLike,
    aht_s: npt.ArrayLike,
    answer_within_s: npt.ArrayLike,
) -> float | FloatArray:
    """Erlang C service level: fraction of calls answered within ``T`` seconds.

    ``SL = 1 - C(N, A) * exp(-(N - A) * T / AHT)`` for ``N > A``, else 0.

    Args:
        agents: Number of agents ``N``.
        traffic: Offered load ``A`` in Erlangs.
        aht_s: Average handling time, seconds.
        answer_within_s: Threshold ``T``, seconds.

    Returns:
        ``P(wait <= T)`` in [0, 1].
    """
    r = _metrics_c(
        _agents(agents), _traffic(traffic), _positive("aht_s", aht_s),
        _non_negative("answer_within_s", answer_within_s),
    )
    return _out(r.service_level, agents, traffic, aht_s, answer_within_s)


@overload
def asa(agents: float, traffic: float, aht_s: float) -> float: ...
@overload
def asa(agents: npt.ArrayLike, traffic: npt.ArrayLike, aht_s: npt.ArrayLike) -> FloatArray: ...
def asa(agents: npt.ArrayLike, traffic: npt.ArrayLike, aht_s: npt.ArrayLike) -> float | FloatArray:
    """Erlang C average speed of answer (mean wait over all calls).

    ``ASA = C(N, A) * AHT / (N - A)`` for ``N > A``, else ``inf``.

    Args:
        agents: Number of agents ``N``.
        traffic: Offered load ``A`` in Erlangs.
        aht_s: Average handling time, seconds.

    Returns:
        Mean wait in seconds.
    """
    r = _metrics_c(_agents(agents), _traffic(traffic), _positive("aht_s", aht_s), _f(0.0))
    return _out(r.asa_s, agents, traffic, aht_s)


@overload
def occupancy(agents: float, traffic: float) -> float: ...
@overload
def occupancy(agents: npt.ArrayLike, traffic: npt.ArrayLike) -> FloatArray: ...
def occupancy(agents: npt.ArrayLike, traffic: npt.ArrayLike) -> float | FloatArray:
    """Erlang C agent occupancy.

    ``occupancy = min(A / N, 1)``; with ``N = 0`` it is 1 if ``A > 0`` else 0.

    Args:
        agents: Number of agents ``N``.
        traffic: Offered load ``A`` in Erlangs.

    Returns:
        Fraction of agent time spent handling calls.
    """
    n, a = _agents(agents), _traffic(traffic)
    r = _metrics_c(n, a, _f(1.0), _f(0.0))
    return _out(r.occupancy, agents, traffic)


def erlang_c_metrics(
    agents: npt.ArrayLike,
    traffic: npt.ArrayLike,
    aht_s: npt.ArrayLike,
    answer_within_s: npt.ArrayLike,
) -> ErlangCResult:
    """All Erlang C figures at once (one Erlang B recursion).

    ``p_wait = C(N, A)``; ``service_level = 1 - C exp(-(N - A) T / AHT)``;
    ``asa_s = C AHT / (N - A)``; ``occupancy = A / N`` (see the single functions).

    Args:
        agents: Number of agents ``N``.
        traffic: Offered load ``A`` in Erlangs.
        aht_s: Average handling time, seconds.
        answer_within_s: Service-level threshold ``T``, seconds.

    Returns:
        An :class:`ErlangCResult` of arrays of the broadcast shape.
    """
    return _metrics_c(
        _agents(agents), _traffic(traffic), _positive("aht_s", aht_s),
        _non_negative("answer_within_s", answer_within_s),
    )


def erlang_c_metrics_from_b(
    agents: npt.ArrayLike,
    traffic: npt.ArrayLike,
    aht_s: npt.ArrayLike,
    answer_within_s: npt.ArrayLike,
    blocking: npt.ArrayLike,
) -> ErlangCResult:
    """:func:`erlang_c_metrics` when ``B = erlang_b(agents, traffic)`` is
    already known (a search that ran the recursion): skips recomputing it.

    Args:
        agents: Number of agents ``N``.
        traffic: Offered load ``A`` in Erlangs.
        aht_s: Average handling time, seconds.
        answer_within_s: Service-level threshold ``T``, seconds.
        blocking: Erlang B of ``(N, A)``.

    Returns:
        An :class:`ErlangCResult`.
    """
    with np.errstate(divide="ignore"):
        inv_b = 1.0 / _f(blocking)
    return _metrics_c(
        _agents(agents), _traffic(traffic), _positive("aht_s", aht_s),
        _non_negative("answer_within_s", answer_within_s), inv_b,
    )


def erlang_a(
    agents: npt.ArrayLike,
    calls_per_s: npt.ArrayLike,
    aht_s: npt.ArrayLike,
    patience_s: npt.ArrayLike,
    answer_within_s: npt.ArrayLike,
) -> ErlangAResult:
    """Erlang A: M/M/N+M, callers abandon after an exponential patience.

    With arrival rate ``lambda``, service rate ``mu = 1/AHT``, abandonment
    rate ``theta = 1/patience``: ``A = lambda/mu``, ``a = N mu/theta``,
    ``x = lambda/theta``. The stationary probabilities of the states with
    ``j >= 0`` calls waiting, relative to ``pi_N``, are
    ``r_j = prod_{i=1..j} x / (a + i)``; the states with idle agents weigh
    ``1/B(N, A) - 1`` (Erlang B). With ``Z = 1/B - 1 + sum_j r_j``:

    * ``p_wait = sum_j r_j / Z`` (PASTA: an arrival sees the stationary state).
    * A call arriving to ``j`` waiting calls is served after
      ``V = sum_{i=0..j} Exp(N mu + i theta)`` unless its own patience runs
      out first: ``P(served | j) = E[exp(-theta V)] = a / (a + j + 1)``, so
      ``abandon_rate = sum_j r_j (j + 1) / (a + j + 1) / Z``.
    * Under the measure tilted by ``exp(-theta V)``, ``exp(-theta V)`` is
      ``Beta(a + 1, j + 1)``, hence ``P(served within T | j) =
      a / (a + j + 1) * (1 - I_u(a + 1, j + 1))`` with ``u = exp(-theta T)``
      and ``I`` the regularized incomplete beta function.
      ``service_level = ((1/B - 1) + sum_j r_j P(served within T | j)) / Z``
      (answered within T over OFFERED; ``service_level_answered`` divides by
      ``1 - abandon_rate`` instead).
    * ``E[V; served | j] = a / (a + j + 1) * sum_{i=1..j+1} 1 / (theta (a + i))``;
      ``asa_s = sum_j r_j E[V; served | j] / Z / (1 - abandon_rate)``.
    * ``occupancy = A (1 - abandon_rate) / N``.

    The ``r_j`` are summed in log space over a window of
    ``+-(12 sqrt(x) + 50)`` states around their mode ``max(0, x - a)``
    (the rest weighs less than ``exp(-72)``), so thousands of Erlangs are fine.

    Args:
        agents: Number of agents ``N``.
        calls_per_s: Arrival rate ``lambda``, calls per second.
        aht_s: Average handling time, seconds.
        patience_s: Mean patience ``1/theta``, seconds (> 0, finite).
        answer_within_s: Service-level threshold ``T``, seconds.

    Returns:
        An :class:`ErlangAResult` of arrays of the broadcast shape.
    """
    n = _agents(agents)
    lam = _non_negative("calls_per_s", calls_per_s)
    aht = _positive("aht_s", aht_s)
    pat = _positive("patience_s", patience_s)
    t = _non_negative("answer_within_s", answer_within_s)
    n, lam, aht, pat, t = np.broadcast_arrays(n, lam, aht, pat, t)
    shape = n.shape
    cols = [c.ravel() for c in (n, lam, aht, pat, t)]
    out = np.empty((6, n.size))
    x_max = float(np.max(cols[1] * cols[3])) if n.size else 0.0
    width = 2 * (int(_WINDOW_SIGMAS * np.sqrt(x_max)) + _WINDOW_PAD) + 1
    step = max(1, _BLOCK_CELLS // width)
    for s in range(0, n.size, step):
        block = [c[s : s + step] for c in cols]
        out[:, s : s + step] = _erlang_a_block(*block)
    p = [out[i].reshape(shape) for i in range(6)]
    return ErlangAResult(
        p_wait=p[0], abandon_rate=p[1], service_level=p[2],
        service_level_answered=p[3], asa_s=p[4], occupancy=p[5],
    )


def _erlang_a_block(
    n: FloatArray, lam: FloatArray, aht: FloatArray, pat: FloatArray, t: FloatArray
) -> FloatArray:
    traffic = lam * aht
    a = n * pat / aht  # N mu / theta
    x = lam * pat  # lambda / theta
    inv_b = _inv_erlang_b(n, traffic)
    idle = inv_b - 1.0  # weight of the states with an idle agent, over pi_N
    half = np.floor(_WINDOW_SIGMAS * np.sqrt(x)) + _WINDOW_PAD
    lo = np.maximum(np.floor(x - a) - half, 0.0)
    width = int(np.max(2 * half + 1))
    j = lo[:, None] + np.arange(width)[None, :]  # number waiting
    a2, x2 = a[:, None], x[:, None]
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # log r_j = j log x - log Gamma(a + j + 1) + log Gamma(a + 1), the
        # window start from gammaln, the steps summed for accuracy.
        log_r0 = lo * np.log(x) - gammaln(a + lo + 1) + gammaln(a + 1)
        log_r0 = np.where(lo == 0, 0.0, log_r0)
        steps = np.log(x2) - np.log(a2 + j)
        steps[:, 0] = 0.0
        log_r = log_r0[:, None] + np.cumsum(steps, axis=1)
        log_idle = np.log(idle)
        log_z = np.logaddexp(log_idle, logsumexp(log_r, axis=1))
        w = np.exp(log_r - log_z[:, None])  # pi_{N+j}
        p_idle = np.exp(log_idle - log_z)
        served = a2 / (a2 + j + 1)
        p_wait = w.sum(axis=1)
        abandon = (w * (1.0 - served)).sum(axis=1)
        u = np.exp(-t / pat)
        within = served * betaincc(a2 + 1.0, j + 1.0, u[:, None])
        sl = p_idle + (w * within).sum(axis=1)
        # sum_{i=1..j+1} 1/(a+i): digamma at the window start, then steps.
        h0 = np.where(lo == 0, 0.0, psi(a + lo + 1) - psi(a + 1))
        harm = h0[:, None] + np.cumsum(1.0 / (a2 + j + 1), axis=1)
        wait_served = (w * served * harm).sum(axis=1) * pat
        answered = 1.0 - abandon
        sl_ans = sl / answered
        asa_s = wait_served / answered
        occ = traffic * answered / n
    # Special cases: no agents (everyone abandons), no calls, or so many
    # agents that nobody waits (1/B overflowed).
    no_wait = (inv_b == np.inf) | (lam == 0)
    nobody = (n == 0) & (lam > 0)
    p_wait = np.where(no_wait, 0.0, np.where(nobody, 1.0, p_wait))
    abandon = np.where(no_wait, 0.0, np.where(nobody, 1.0, abandon))
    sl = np.where(no_wait, 1.0, np.where(nobody, 0.0, sl))
    sl_ans = np.where(no_wait, 1.0, np.where(nobody, 0.0, sl_ans))
    asa_s = np.where(no_wait, 0.0, np.where(nobody, np.inf, asa_s))
    occ = np.where(lam == 0, 0.0, np.where(nobody, 1.0, occ))
    return np.stack([
        np.clip(p_wait, 0.0, 1.0), np.clip(abandon, 0.0, 1.0), np.clip(sl, 0.0, 1.0),
        np.clip(sl_ans, 0.0, 1.0), asa_s, np.clip(occ, 0.0, 1.0),
    ])
