"""Staffing requirements: minimal, meeting every target, vectorised."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wfm.erlang import asa, erlang_a, occupancy, service_level
from wfm.staffing import StaffingError, StaffingTarget, required_agents, scheduled_agents


def test_worked_example_needs_14_agents_for_80_20() -> None:
    # 100 calls / 30 min, AHT 180 s: SL is 64.0 % at 12 agents, 79.6 % at 13, 88.8 % at 14.
    assert int(required_agents([100], 180, 1800, StaffingTarget(0.8, 20)).agents[0]) == 14
    assert int(required_agents([100], 180, 1800, StaffingTarget(0.79, 20)).agents[0]) == 13
    r = required_agents([100], 180, 1800, StaffingTarget(0.6, 20, shrinkage=0.35))
    assert int(r.agents[0]) == 12 and int(r.scheduled[0]) == 19  # 12 / 0.65 = 18.46
    assert r.service_level[0] == pytest.approx(service_level(12, 10.0, 180, 20))


def test_linear_search_agrees_over_a_day() -> None:
    rng = np.random.default_rng(3)
    calls = np.round(rng.uniform(0, 400, 96))
    aht = rng.uniform(120, 400, 96)
    target = StaffingTarget(0.8, 20, max_asa_s=15.0)
    r = required_agents(calls, aht, 1800, target)
    for i in range(96):
        a = calls[i] * aht[i] / 1800
        n = math.floor(a) + 1 if a > 0 else 0
        while a > 0 and (service_level(n, a, aht[i], 20) < 0.8 or asa(n, a, aht[i]) > 15.0):
            n += 1
        assert r.agents[i] == n, i


def test_occupancy_cap_binds_at_low_targets() -> None:
    r = required_agents([2000.0], 180, 1800, StaffingTarget(0.2, 20, max_occupancy=0.85))
    assert int(r.agents[0]) == math.ceil(200 / 0.85)
    assert r.occupancy[0] <= 0.85
    assert occupancy(int(r.agents[0]) - 1, 200.0) > 0.85


def test_shrinkage_rounds_up_without_float_noise() -> None:
    assert scheduled_agents([17, 0, 1], 0.15).tolist() == [20, 0, 2]
    assert scheduled_agents([10], 0.0).tolist() == [10]
    with pytest.raises(StaffingError, match="shrinkage"):
        scheduled_agents([1], 1.0)


def test_empty_intervals_get_the_floor() -> None:
    r = required_agents([0, 50], 180, 1800, StaffingTarget(min_agents=2))
    assert r.agents.tolist()[0] == 2 and r.agents[1] >= 2
    assert r.service_level[0] == 1.0


def test_erlang_a_abandon_target() -> None:
    target = StaffingTarget(service_level=None, patience_s=90.0, max_abandon=0.03)
    r = required_agents([300, 600], 240, 1800, target)
    assert r.abandon_rate is not None
    for i, calls in enumerate((300, 600)):
        n = int(r.agents[i])
        assert float(erlang_a(n, calls / 1800, 240, 90, 20).abandon_rate) <= 0.03
        assert float(erlang_a(n - 1, calls / 1800, 240, 90, 20).abandon_rate) > 0.03


def test_erlang_a_can_staff_below_the_traffic() -> None:
    # Abandonment keeps the queue stable with fewer agents than Erlangs.
    target = StaffingTarget(service_level=None, patience_s=60.0, max_abandon=0.2)
    r = required_agents([1000], 180, 1800, target)
    assert r.agents[0] < 100


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (StaffingTarget(service_level=1.0), "service_level"),
        (StaffingTarget(max_abandon=0.05), "patience"),
        (StaffingTarget(patience_s=0.0), "patience_s"),
        (StaffingTarget(max_occupancy=0.0), "max_occupancy"),
        (StaffingTarget(max_asa_s=-1.0), "max_asa_s"),
        (StaffingTarget(shrinkage=1.0), "shrinkage"),
    ],
)
def test_bad_targets_are_named(target: StaffingTarget, message: str) -> None:
    with pytest.raises(StaffingError, match=message):
        required_agents([10], 180, 1800, target)


def test_bad_inputs_are_named() -> None:
    with pytest.raises(StaffingError, match="calls"):
        required_agents([-1], 180, 1800)
    with pytest.raises(StaffingError, match="aht_s"):
        required_agents([5], 0, 1800)
    with pytest.raises(StaffingError, match="interval_s"):
        required_agents([5], 180, 0)


def test_large_center() -> None:
    r = required_agents([100_000.0], 180, 1800, StaffingTarget(0.9, 10))
    n = int(r.agents[0])
    assert 10_000 < n < 10_300
    assert service_level(n, 10_000.0, 180, 10) >= 0.9 > service_level(n - 1, 10_000.0, 180, 10)


@given(
    calls=st.lists(st.floats(0, 3000), min_size=1, max_size=12),
    aht=st.floats(30, 600),
    sl=st.floats(0.3, 0.95),
    t=st.floats(5, 60),
    patience=st.one_of(st.none(), st.floats(20, 600)),
)
@settings(max_examples=40, deadline=None)
def test_requirement_is_minimal(calls: list[float], aht: float, sl: float, t: float, patience: float | None) -> None:
    target = StaffingTarget(sl, t, patience_s=patience)
    r = required_agents(calls, aht, 1800, target)
    for i, c in enumerate(calls):
        n = int(r.agents[i])
        if c == 0:
            assert n == 0
            continue
        if patience is None:
            assert service_level(n, c * aht / 1800, aht, t) >= sl
            assert n - 1 <= c * aht / 1800 or service_level(n - 1, c * aht / 1800, aht, t) < sl
        else:
            assert float(erlang_a(n, c / 1800, aht, patience, t).service_level) >= sl
            assert n == 0 or float(erlang_a(n - 1, c / 1800, aht, patience, t).service_level) < sl
