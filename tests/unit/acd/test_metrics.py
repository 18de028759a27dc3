"""Standard metrics on hand-built records, with the expected values worked by hand."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acd.metrics import (
    AgentStateSpan,
    CallRecord,
    MetricSettings,
    Outcome,
    ServiceLevelMethod,
    abandon_rate,
    aht,
    asa,
    average_talk,
    call_stats,
    interval_start,
    longest_wait,
    occupancy,
    outcome,
    p_wait,
    service_level,
    summarize,
    wait_s,
)
from acd.model import AgentState as S

# Queue "sales", T = 20 s. Waits: c1 5, c2 30, c3 3 (abandon), c4 30 (abandon),
# c5 10 (abandon), c6 60 (overflowed out), c7 0, c8 still waiting.
SALES = [
    CallRecord("c1", "sales", 0.0, answered_at=5.0, ended_at=125.0, wrap_up_end=155.0,
               hold_s=20.0, agent="a1", skills=("en", "sales")),
    CallRecord("c2", "sales", 10.0, answered_at=40.0, ended_at=100.0, agent="a2"),
    CallRecord("c3", "sales", 20.0, abandoned_at=23.0),
    CallRecord("c4", "sales", 30.0, abandoned_at=60.0),
    CallRecord("c5", "sales", 40.0, abandoned_at=50.0),
    CallRecord("c6", "sales", 50.0, ended_at=110.0, overflowed_to="support"),
    CallRecord("c7", "sales", 1900.0, answered_at=1900.0, ended_at=2000.0, wrap_up_end=2010.0, agent="a1"),
    CallRecord("c8", "sales", 1950.0),
]
SUPPORT = [CallRecord("c9", "support", 110.0, answered_at=130.0, ended_at=230.0, agent="a2", skills=("en",))]

SPANS = [
    AgentStateSpan("a1", S.READY, 0.0, 5.0),
    AgentStateSpan("a1", S.BUSY, 5.0, 125.0),
    AgentStateSpan("a1", S.WRAP_UP, 125.0, 155.0),
    AgentStateSpan("a1", S.READY, 155.0, 1800.0),
    AgentStateSpan("a1", S.NOT_READY, 1800.0, 1850.0, "break"),
    AgentStateSpan("a1", S.READY, 1850.0, 1895.0),
    AgentStateSpan("a1", S.RESERVED, 1895.0, 1900.0),
    AgentStateSpan("a1", S.BUSY, 1900.0, 2000.0),
    AgentStateSpan("a1", S.WRAP_UP, 2000.0, 2010.0),
    AgentStateSpan("a1", S.READY, 2010.0, None),
    AgentStateSpan("a2", S.BUSY, 1700.0, 1900.0),
]


def test_outcomes_and_waits() -> None:
    assert [outcome(r) for r in SALES] == [
        Outcome.ANSWERED, Outcome.ANSWERED, Outcome.ABANDONED, Outcome.ABANDONED,
        Outcome.ABANDONED, Outcome.LEFT, Outcome.ANSWERED, Outcome.WAITING,
    ]
    assert [wait_s(r) for r in SALES] == [5.0, 30.0, 3.0, 30.0, 10.0, 60.0, 0.0, None]
    assert wait_s(SALES[7], now=2100.0) == 150.0
    assert outcome(CallRecord("x", "q", 0.0, callback=True)) is Outcome.LEFT


def test_counts_and_averages() -> None:
    s = call_stats(SALES)
    assert (s.offered, s.answered, s.abandoned, s.left, s.waiting) == (8, 3, 3, 1, 1)
    assert s.answered_within == 2  # c1 (5 s), c7 (0 s)
    assert s.asa_s == pytest.approx(35 / 3)  # (5 + 30 + 0) / 3
    # handle = talk + hold + wrap: c1 100+20+30, c2 60+0+0, c7 100+0+10
    assert s.aht_s == pytest.approx(320 / 3)
    assert s.avg_talk_s == pytest.approx(260 / 3)
    assert s.avg_hold_s == pytest.approx(20 / 3)
    assert s.avg_wrap_s == pytest.approx(40 / 3)
    assert s.abandon_rate == pytest.approx(3 / 7)  # 3 / (3 answered + 3 abandoned + 1 left)
    assert s.p_wait == pytest.approx(5 / 6)  # c1, c2 waited, c7 did not; 3 abandons
    assert s.longest_wait_s == 30.0
    assert aht(SALES) == s.aht_s and asa(SALES) == s.asa_s and average_talk(SALES) == s.avg_talk_s
    assert longest_wait(SALES, now=2100.0) == 150.0  # c8, still waiting


@pytest.mark.parametrize(
    ("method", "short", "expected"),
    [
        (ServiceLevelMethod.ANSWERED, 0.0, 2 / 3),
        (ServiceLevelMethod.ANSWERED_AND_ABANDONED, 0.0, 2 / 6),
        (ServiceLevelMethod.OFFERED, 0.0, (2 + 2) / 7),  # c3, c5 abandoned within 20 s
        (ServiceLevelMethod.ANSWERED, 5.0, 2 / 3),
        (ServiceLevelMethod.ANSWERED_AND_ABANDONED, 5.0, 2 / 5),  # c3 (3 s) dropped
        (ServiceLevelMethod.OFFERED, 5.0, (2 + 1) / 6),
    ],
)
def test_service_level_variants(method: ServiceLevelMethod, short: float, expected: float) -> None:
    assert service_level(SALES, MetricSettings(20.0, method, short)) == pytest.approx(expected)


def test_threshold_is_inclusive_and_short_abandons_leave_every_ratio() -> None:
    assert service_level(SUPPORT, MetricSettings(answer_within_s=20.0)) == 1.0  # waited exactly 20 s
    assert service_level(SUPPORT, MetricSettings(answer_within_s=19.9)) == 0.0
    assert abandon_rate(SALES, short_abandon_s=5.0) == pytest.approx(2 / 6)
    s = call_stats(SALES, MetricSettings(short_abandon_s=5.0))
    assert (s.abandoned, s.short_abandoned) == (2, 1)
    assert s.p_wait == pytest.approx(4 / 5)
    assert p_wait(SALES, immediate_s=5.0) == pytest.approx(4 / 6)  # c1's 5 s counts as immediate


def test_empty_groups_give_none() -> None:
    s = call_stats([])
    assert s.offered == 0
    assert s.service_level is None and s.asa_s is None and s.aht_s is None and s.occupancy is None
    assert occupancy([]) is None


def test_occupancy_counts_ringing_as_available_and_leaves_out_not_ready() -> None:
    closed = [sp for sp in SPANS if sp.end is not None and sp.agent_id == "a1"]
    # handling 120 + 30 + 100 + 10 = 260; available 5 + 1645 + 45 + 5 (ringing) = 1700
    assert occupancy(closed) == pytest.approx(260 / 1960)
    # the open READY span runs to now: +90 s available
    assert occupancy([sp for sp in SPANS if sp.agent_id == "a1"], now=2100.0) == pytest.approx(260 / 2050)
    assert occupancy(closed, start=0.0, end=1800.0) == pytest.approx(150 / 1800)


def test_summarize_groups() -> None:
    sm = summarize(
        SALES + SUPPORT, SPANS, interval_s=1800.0, now=2100.0,
        agent_queues={"a1": ["sales"], "a2": ["sales", "support"]},
    )
    assert sm.total.offered == 9 and sm.total.answered == 4
    assert list(sm.by_queue) == ["sales", "support"]
    assert sm.by_queue["sales"].service_level == pytest.approx(2 / 6)
    assert sm.by_queue["support"].service_level == 1.0
    assert list(sm.by_interval) == [0.0, 1800.0]
    assert sm.by_interval[0.0].service_level == pytest.approx(2 / 6)  # c1, c9 within; c2 late; 3 abandons
    assert sm.by_queue_interval[("sales", 0.0)].service_level == pytest.approx(1 / 5)
    assert sm.by_queue_interval[("sales", 1800.0)].service_level == 1.0
    assert sm.by_queue_interval[("sales", 1800.0)].longest_wait_s == 150.0
    assert sm.by_agent["a1"].answered == 2 and sm.by_agent["a1"].aht_s == pytest.approx(130.0)
    assert sm.by_agent["a2"].aht_s == pytest.approx(80.0)  # c2 60 s, c9 100 s
    assert sm.by_skill["en"].answered == 2 and sm.by_skill["sales"].answered == 1
    # a2 is busy 1700-1900 across the boundary: 100 s in each interval.
    assert sm.by_interval[0.0].occupancy == pytest.approx(250 / 1900)
    assert sm.by_interval[1800.0].occupancy == pytest.approx(210 / 350)
    assert sm.total.occupancy == pytest.approx(460 / 2250)
    assert sm.by_queue["support"].occupancy == 1.0
    assert sm.by_queue["sales"].occupancy == pytest.approx(460 / 2250)
    assert sm.by_agent["a1"].occupancy == pytest.approx(260 / 2050)


def test_per_queue_settings_and_interval_origin() -> None:
    per_queue = {"sales": MetricSettings(answer_within_s=40.0), "support": MetricSettings(answer_within_s=10.0)}
    sm = summarize(SALES + SUPPORT, settings=per_queue, interval_s=900.0, origin=-300.0)
    assert sm.by_queue["sales"].service_level == pytest.approx(3 / 6)
    assert sm.by_queue["support"].service_level == 0.0
    assert sm.total.service_level == pytest.approx(3 / 7)  # summed numerators and denominators
    assert list(sm.by_interval) == [-300.0, 1500.0]
    assert interval_start(1799.9, 900.0, -300.0) == 1500.0
    with pytest.raises(ValueError, match="interval_s"):
        summarize([], interval_s=0.0)


records = st.builds(
    lambda q, arrive, wait, kind, talk: CallRecord(
        call_id="c", queue=q, arrived_at=arrive,
        answered_at=arrive + wait if kind == 0 else None,
        abandoned_at=arrive + wait if kind == 1 else None,
        ended_at=arrive + wait + talk if kind in (0, 2) else None,
    ),
    st.sampled_from(["q1", "q2"]), st.floats(0, 7200), st.floats(0, 300), st.integers(0, 3), st.floats(1, 600),
)


@given(st.lists(records, max_size=40), st.sampled_from([900.0, 1800.0, 3600.0]), st.floats(0, 60))
@settings(max_examples=60, deadline=None)
def test_groupings_add_up(recs: list[CallRecord], interval_s: float, short: float) -> None:
    cfg = MetricSettings(short_abandon_s=short)
    sm = summarize(recs, interval_s=interval_s, settings=cfg)
    for field in ("offered", "answered", "abandoned", "short_abandoned", "left", "waiting", "answered_within"):
        total = getattr(sm.total, field)
        assert sum(getattr(s, field) for s in sm.by_interval.values()) == total
        assert sum(getattr(s, field) for s in sm.by_queue.values()) == total
        assert sum(getattr(s, field) for s in sm.by_queue_interval.values()) == total
    for s in [sm.total, *sm.by_queue_interval.values()]:
        for ratio in (s.service_level, s.abandon_rate, s.p_wait):
            assert ratio is None or 0.0 <= ratio <= 1.0
        by_answered = call_stats(recs, MetricSettings(method=ServiceLevelMethod.ANSWERED, short_abandon_s=short))
        if by_answered.service_level is not None and sm.total.service_level is not None:
            assert by_answered.service_level >= sm.total.service_level - 1e-12


@given(st.lists(st.tuples(st.sampled_from(list(S)), st.floats(0, 5000), st.floats(0, 3000)), max_size=30))
@settings(max_examples=60, deadline=None)
def test_interval_occupancy_time_adds_up(raw: list[tuple[S, float, float]]) -> None:
    spans = [AgentStateSpan("a", state, start, start + length) for state, start, length in raw]
    sm = summarize([], spans, interval_s=900.0)
    assert sum(s.handling_s for s in sm.by_interval.values()) == pytest.approx(sm.total.handling_s)
    assert sum(s.available_s for s in sm.by_interval.values()) == pytest.approx(sm.total.available_s)
    assert sm.total.occupancy is None or 0.0 <= sm.total.occupancy <= 1.0
