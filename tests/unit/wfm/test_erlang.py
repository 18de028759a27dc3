"""Erlang B/C/A against published figures, brute-force references and invariants."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import hyp1f1
from scipy.stats import poisson

from wfm.erlang import (
    asa,
    erlang_a,
    erlang_b,
    erlang_c,
    erlang_c_metrics,
    occupancy,
    service_level,
    traffic_erlangs,
)


def exact_erlang_c(n: int, a: Fraction) -> Fraction:
    """Textbook formula with factorials, in exact rational arithmetic."""
    top = a**n / math.factorial(n) * Fraction(n) / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


# Worked example of the "Erlang C formula made simple" tutorial
# (callcentrehelper.com): 100 calls in 30 min, AHT 180 s, target 20 s,
# traffic 10 Erlangs. P(wait) as printed there; service levels recomputed
# exactly here (the tutorial rounds them: 39.0 %, 64.0 %, 79.6 %, 88.8 %).
PUBLISHED = [(11, 0.6821, 0.3896), (12, 0.4494, 0.6402), (13, 0.2853, 0.7956), (14, 0.1741, 0.8884)]


@pytest.mark.parametrize(("agents", "p_wait", "sl"), PUBLISHED)
def test_published_erlang_c_example(agents: int, p_wait: float, sl: float) -> None:
    traffic = traffic_erlangs(100, 1800, 180)
    assert traffic == pytest.approx(10.0)
    exact = float(exact_erlang_c(agents, Fraction(10)))
    assert exact == pytest.approx(p_wait, abs=5e-5)
    assert erlang_c(agents, traffic) == pytest.approx(exact, rel=1e-13)
    assert service_level(agents, traffic, 180, 20) == pytest.approx(sl, abs=5e-5)
    assert service_level(agents, traffic, 180, 20) == pytest.approx(
        1 - exact * math.exp(-(agents - 10) * 20 / 180), rel=1e-12
    )
    assert asa(agents, traffic, 180) == pytest.approx(exact * 180 / (agents - 10), rel=1e-12)
    assert occupancy(agents, traffic) == pytest.approx(10 / agents)


@given(n=st.integers(1, 60), a=st.fractions(min_value=Fraction(1, 10), max_value=59).map(lambda f: f.limit_denominator(1000)))
@settings(max_examples=60, deadline=None)
def test_erlang_c_matches_exact_formula(n: int, a: Fraction) -> None:
    if n <= a:
        assert erlang_c(n, float(a)) == 1.0
    else:
        assert erlang_c(n, float(a)) == pytest.approx(float(exact_erlang_c(n, a)), rel=1e-12)


def log_space_erlang_c(n: int, a: float) -> float:
    b = math.exp(poisson.logpmf(n, a) - poisson.logcdf(n, a))
    return n * b / (n - a * (1 - b))


@pytest.mark.parametrize(("n", "a"), [(5100, 5000.0), (5050, 5000.0), (5300, 5000.0), (20_200, 20_000.0)])
def test_large_traffic_is_finite_and_matches_log_space(n: int, a: float) -> None:
    c = erlang_c(n, a)
    assert math.isfinite(c)
    assert c == pytest.approx(log_space_erlang_c(n, a), rel=1e-9)
    assert erlang_b(n, a) == pytest.approx(math.exp(poisson.logpmf(n, a) - poisson.logcdf(n, a)), rel=1e-9)


def test_heavily_overloaded_and_idle_extremes() -> None:
    assert erlang_b(100, 5000.0) == pytest.approx(1 - 100 / 5000, rel=1e-3)
    assert erlang_b(3000, 10.0) == 0.0
    assert erlang_c(3000, 10.0) == 0.0
    assert service_level(3000, 10.0, 180, 20) == 1.0
    assert erlang_b(0, 3.0) == 1.0
    assert erlang_c(5, 0.0) == 0.0
    assert asa(10, 12.0, 180) == math.inf
    assert service_level(10, 12.0, 180, 20) == 0.0


def test_vectorised_equals_scalar() -> None:
    rng = np.random.default_rng(7)
    traffic = rng.uniform(0.5, 80, 96)
    agents = np.ceil(traffic) + rng.integers(0, 8, 96)
    aht = rng.uniform(60, 400, 96)
    vec = erlang_c_metrics(agents, traffic, aht, 20.0)
    for i in range(96):
        assert vec.p_wait[i] == erlang_c(float(agents[i]), float(traffic[i]))
        assert vec.service_level[i] == service_level(float(agents[i]), float(traffic[i]), float(aht[i]), 20.0)
        assert vec.asa_s[i] == asa(float(agents[i]), float(traffic[i]), float(aht[i]))
    lam = traffic / aht
    va = erlang_a(agents, lam, aht, 90.0, 20.0)
    for i in (0, 17, 95):
        one = erlang_a(agents[i], lam[i], aht[i], 90.0, 20.0)
        assert float(one.service_level) == pytest.approx(va.service_level[i], rel=1e-12)
        assert float(one.abandon_rate) == pytest.approx(va.abandon_rate[i], rel=1e-12)
    grid = erlang_c(np.arange(1, 30)[:, None], np.array([2.0, 9.5, 20.0])[None, :])
    assert grid.shape == (29, 3)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="agents"):
        erlang_c(2.5, 1.0)
    with pytest.raises(ValueError, match="traffic"):
        erlang_c(3, -1.0)
    with pytest.raises(ValueError, match="patience"):
        erlang_a(3, 0.01, 180, 0, 20)


@given(
    a=st.floats(0.05, 300),
    extra=st.integers(1, 40),
    aht=st.floats(10, 900),
    t=st.floats(0, 120),
)
@settings(max_examples=80, deadline=None)
def test_erlang_c_monotone_in_agents(a: float, extra: int, aht: float, t: float) -> None:
    n = np.arange(math.floor(a) + 1, math.floor(a) + 1 + extra)
    r = erlang_c_metrics(n, a, aht, t)
    assert np.all((r.p_wait >= 0) & (r.p_wait <= 1))
    assert np.all(np.diff(r.p_wait) <= 1e-15)
    assert np.all(np.diff(r.service_level) >= -1e-15)
    assert np.all(np.diff(r.asa_s) <= 1e-12)
    assert np.all(erlang_b(n, a) <= r.p_wait + 1e-15)  # B <= C


# --- Erlang A ---------------------------------------------------------------


def brute_erlang_a(n: int, lam: float, aht: float, pat: float, t: float, extra: int = 150) -> dict[str, float]:
    """Truncated birth-death chain, and the tagged caller's absorbing chain
    solved step by step (first-step analysis, uniformization), independent of
    the closed forms in the module. Plain loops and vector updates: no dense
    linear algebra."""
    mu, th = 1 / aht, 1 / pat
    p = [1.0]
    for k in range(1, n + extra + 1):
        p.append(p[-1] * lam / (min(k, n) * mu + max(k - n, 0) * th))
    probs = np.array(p) / sum(p)
    idle, wait = probs[:n].sum(), probs[n:]  # an arrival sees j = 0.. calls waiting
    jm = len(wait)
    move = n * mu + th * np.arange(jm)  # from "i ahead" one step nearer service
    rate = move + th  # plus the tagged caller's own abandonment
    # First-step analysis: h_i = P(served | i ahead), m_i = E[V; served | i ahead].
    h, m = np.empty(jm), np.empty(jm)
    for i in range(jm):
        q = move[i] / rate[i]
        h[i] = q * (1.0 if i == 0 else h[i - 1])
        m[i] = h[i] / rate[i] + q * (0.0 if i == 0 else m[i - 1])
    # Uniformization for P(served by t): x = mass on "i ahead", then served.
    big = float(rate.max())
    x, served = wait.copy(), 0.0
    steps = int(big * t + 12 * np.sqrt(big * t) + 30)
    weights = poisson.pmf(np.arange(steps), big * t)
    served_by_t = 0.0
    for w in weights:
        served_by_t += w * served
        served += x[0] * move[0] / big
        shifted = np.append(x[1:] * move[1:] / big, 0.0)
        x = x * (1.0 - rate / big) + shifted
    p_served = idle + wait @ h
    return {
        "p_wait": wait.sum(),
        "abandon_rate": 1 - p_served,
        "service_level": idle + served_by_t,
        "asa_s": (wait @ m) / p_served,
        "occupancy": lam * aht * p_served / n,
    }


@pytest.mark.parametrize(
    ("n", "calls_per_s", "aht", "pat", "t"),
    [
        (1, 1 / 300, 240.0, 60.0, 20.0),
        (3, 1 / 60, 180.0, 100.0, 15.0),
        (12, 10 / 180, 180.0, 120.0, 20.0),
        (8, 12 / 180, 180.0, 45.0, 30.0),  # overloaded: A = 12 > N
        (10, 5 / 240, 240.0, 600.0, 0.0),
        (4, 0.05, 60.0, 20.0, 60.0),
    ],
)
def test_erlang_a_matches_brute_force_chain(n: int, calls_per_s: float, aht: float, pat: float, t: float) -> None:
    ref = brute_erlang_a(n, calls_per_s, aht, pat, t)
    got = erlang_a(n, calls_per_s, aht, pat, t)
    for name, value in ref.items():
        assert float(getattr(got, name)) == pytest.approx(value, rel=1e-7, abs=1e-12), name


def test_erlang_a_matches_mandelbaum_zeltyn_closed_forms() -> None:
    # P(W>0) = A E / (1 + (A - 1) E), P(Ab) = P(W>0) (1 - 1/rho + 1/(rho A)),
    # A = 1F1(1; a+1; x) (Mandelbaum & Zeltyn, "The Palm/Erlang-A queue").
    n, lam, aht, pat = 20, 22 / 300, 300.0, 180.0
    a, x, rho = n * pat / aht, lam * pat, lam * aht / n
    big_a = hyp1f1(1, a + 1, x)
    e = erlang_b(n, lam * aht)
    p_wait = big_a * e / (1 + (big_a - 1) * e)
    got = erlang_a(n, lam, aht, pat, 20.0)
    assert float(got.p_wait) == pytest.approx(p_wait, rel=1e-10)
    assert float(got.abandon_rate) == pytest.approx(p_wait * (1 - 1 / rho + 1 / (rho * big_a)), rel=1e-10)


def test_erlang_a_tends_to_erlang_c_with_endless_patience() -> None:
    a = erlang_a(12, 10 / 180, 180.0, 1e9, 20.0)
    c = erlang_c_metrics(12, 10.0, 180.0, 20.0)
    assert float(a.p_wait) == pytest.approx(float(c.p_wait), rel=1e-5)
    assert float(a.service_level) == pytest.approx(float(c.service_level), rel=1e-5)
    assert float(a.asa_s) == pytest.approx(float(c.asa_s), rel=1e-4)


def test_erlang_a_large_center_is_finite_and_consistent() -> None:
    # 5,000 Erlangs on 4,900 agents: overloaded, stable only thanks to abandonment.
    r = erlang_a(np.array([4_900, 5_000, 5_100]), 5_000 / 180, 180.0, 120.0, 20.0)
    for field in ("p_wait", "abandon_rate", "service_level", "asa_s", "occupancy"):
        assert np.all(np.isfinite(getattr(r, field)))
    # Flow balance: carried load = A (1 - P(ab)) <= N.
    assert np.all(5_000 * (1 - r.abandon_rate) <= np.array([4_900, 5_000, 5_100]) + 1e-6)
    assert r.abandon_rate[0] == pytest.approx(100 / 5_000, rel=0.2)
    assert np.all(np.diff(r.service_level) > 0)


def test_erlang_a_edge_cases() -> None:
    none = erlang_a(0, 0.01, 180.0, 60.0, 20.0)
    assert float(none.abandon_rate) == 1.0 and float(none.service_level) == 0.0
    idle = erlang_a(5, 0.0, 180.0, 60.0, 20.0)
    assert float(idle.p_wait) == 0.0 and float(idle.service_level) == 1.0 and float(idle.occupancy) == 0.0
    empty = erlang_a(np.array([], dtype=float), 0.01, 180.0, 60.0, 20.0)
    assert empty.p_wait.shape == (0,)


@given(
    a=st.floats(0.1, 200),
    aht=st.floats(30, 600),
    pat=st.floats(5, 1200),
    t=st.floats(0, 90),
)
@settings(max_examples=40, deadline=None)
def test_erlang_a_invariants(a: float, aht: float, pat: float, t: float) -> None:
    n = np.arange(max(1, math.floor(a) - 5), math.floor(a) + 15)
    r = erlang_a(n, a / aht, aht, pat, t)
    for field in ("p_wait", "abandon_rate", "service_level", "service_level_answered", "occupancy"):
        v = getattr(r, field)
        assert np.all((v >= 0) & (v <= 1)), field
    assert np.all(np.diff(r.p_wait) <= 1e-12)
    assert np.all(np.diff(r.abandon_rate) <= 1e-12)
    assert np.all(np.diff(r.service_level) >= -1e-12)
    assert np.all(r.service_level <= r.service_level_answered + 1e-12)
    assert np.all(r.abandon_rate <= r.p_wait + 1e-12)
