"""Each selection policy picks the agent its rule names."""

from __future__ import annotations

import pytest

from acd.model import Call, RouterSettings, SelectionPolicy
from tests.unit.acd.builders import agent, offers, queue, ready_router


def test_longest_idle_picks_the_agent_ready_first() -> None:
    q = queue("q", policy=SelectionPolicy.LONGEST_IDLE)
    r = ready_router([q], [agent("a"), agent("b"), agent("c")])
    r.set_ready("b", 1)
    r.set_ready("c", 2)
    r.set_ready("a", 3)
    assert offers(r.enqueue(Call("c1", "q", 5), 5)) == [("c1", "b")]
    assert offers(r.enqueue(Call("c2", "q", 6), 6)) == [("c2", "c")]


def test_least_occupied_picks_least_talk_time_today() -> None:
    q = queue("q", policy=SelectionPolicy.LEAST_OCCUPIED, wrap_up_s=0)
    r = ready_router([q], [agent("a"), agent("b"), agent("c")])
    for aid, talk in (("a", 100.0), ("b", 10.0), ("c", 50.0)):
        r.set_ready(aid, 0)
        r.enqueue(Call(f"warm-{aid}", "q", 0), 0)
        r.answer(f"warm-{aid}", 0)
        r.hangup(f"warm-{aid}", talk)  # wrap-up 0: ready at once
    assert r.agent_snapshot("b").talk_time_s == 10.0
    assert offers(r.enqueue(Call("c1", "q", 200), 200)) == [("c1", "b")]
    assert offers(r.enqueue(Call("c2", "q", 200), 200)) == [("c2", "c")]


def test_best_skill_picks_highest_level_in_the_primary_skill() -> None:
    q = queue("q", ("en", 2), "billing", policy=SelectionPolicy.BEST_SKILL)
    agents = [
        agent("a", {"en": 3, "billing": 9}),
        agent("b", {"en": 9, "billing": 1}),
        agent("c", {"en": 6, "billing": 9}),
        agent("d", {"en": 10}),  # best English, lacks billing
    ]
    r = ready_router([q], agents, ready=["a", "b", "c", "d"])
    assert offers(r.enqueue(Call("c1", "q", 1), 1)) == [("c1", "b")]
    assert offers(r.enqueue(Call("c2", "q", 1), 1)) == [("c2", "c")]


def test_round_robin_cycles_through_agents_whatever_their_idle_time() -> None:
    q = queue("q", policy=SelectionPolicy.ROUND_ROBIN, wrap_up_s=0)
    r = ready_router([q], [agent("a"), agent("b"), agent("c")], ready=["a", "b", "c"])
    served = []
    for i in range(6):
        cid = f"c{i}"
        (pair,) = offers(r.enqueue(Call(cid, "q", i), i))
        served.append(pair[1])
        r.answer(cid, i)
        r.hangup(cid, i + 0.5)
    assert served[:3] == served[3:]
    assert sorted(served[:3]) == ["a", "b", "c"]


def test_performance_picks_best_rated() -> None:
    q = queue("q", policy=SelectionPolicy.PERFORMANCE)
    agents = [agent("a", performance=0.3), agent("b", performance=0.9), agent("c", performance=0.6)]
    r = ready_router([q], agents, ready=["a", "b", "c"])
    assert offers(r.enqueue(Call("c1", "q", 1), 1)) == [("c1", "b")]
    assert offers(r.enqueue(Call("c2", "q", 1), 1)) == [("c2", "c")]


@pytest.mark.parametrize(
    ("tier", "clv", "expected"),
    [(1, 0.0, "best"), (2, 0.0, "best"), (3, 0.0, "worst"), (5, 0.0, "worst"), (4, 9_000.0, "best")],
)
def test_value_based_pairs_valuable_calls_with_best_agents(tier: int, clv: float, expected: str) -> None:
    q = queue("q", policy=SelectionPolicy.VALUE_BASED)
    agents = [agent("mid", performance=0.5), agent("best", performance=0.95), agent("worst", performance=0.2)]
    settings = RouterSettings(value_top_tier=2, value_clv_threshold=5_000.0)
    r = ready_router([q], agents, ready=["mid", "best", "worst"], settings=settings)
    assert offers(r.enqueue(Call("c", "q", 1, tier=tier, clv=clv), 1)) == [("c", expected)]


def test_value_based_keeps_best_agent_free_for_the_next_valuable_call() -> None:
    q = queue("q", policy=SelectionPolicy.VALUE_BASED)
    agents = [agent("best", performance=0.9), agent("worst", performance=0.1)]
    r = ready_router([q], agents, ready=["best", "worst"])
    assert offers(r.enqueue(Call("low", "q", 1, tier=4), 1)) == [("low", "worst")]
    assert offers(r.enqueue(Call("high", "q", 2, tier=1), 2)) == [("high", "best")]


def test_policies_skip_agents_below_the_required_level() -> None:
    q = queue("q", ("en", 7), policy=SelectionPolicy.PERFORMANCE)
    agents = [agent("star", {"en": 6}, performance=1.0), agent("ok", {"en": 7}, performance=0.1)]
    r = ready_router([q], agents, ready=["star", "ok"])
    assert offers(r.enqueue(Call("c", "q", 1), 1)) == [("c", "ok")]


def test_set_performance_changes_the_ranking() -> None:
    q = queue("q", policy=SelectionPolicy.PERFORMANCE)
    r = ready_router([q], [agent("a", performance=0.9), agent("b", performance=0.5)], ready=["a", "b"])
    r.set_performance("b", 0.99, 1)
    assert offers(r.enqueue(Call("c", "q", 2), 2)) == [("c", "b")]
