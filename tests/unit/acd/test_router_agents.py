"""Agent states: transitions, reasons, wrap-up, pending not-ready, skills, determinism."""

from __future__ import annotations

import random

import pytest

from acd.effects import AgentStateChanged, Effect, ScheduleWakeup
from acd.errors import InvalidCall, InvalidConfig, InvalidTransition, UnknownAgent, UnknownQueue, UnknownReason
from acd.model import AgentState, Call, OverflowAction, OverflowKind, RouterSettings
from acd.router import Router
from tests.unit.acd.builders import agent, of_type, offers, queue, ready_router


def _talking(wrap_up_s: float = 30, settings: RouterSettings | None = None) -> Router:
    r = ready_router([queue("q", wrap_up_s=wrap_up_s)], [agent("a")], ready=["a"], settings=settings)
    r.enqueue(Call("c", "q", 0), 0)
    r.answer("c", 1)
    return r


def test_every_state_change_is_an_event_with_a_timestamp() -> None:
    r = Router([queue("q")], [agent("a")])
    trail: list[Effect] = []
    trail += r.login("a", 1)
    trail += r.set_ready("a", 2)
    trail += r.enqueue(Call("c", "q", 3), 3)
    trail += r.answer("c", 4)
    trail += r.hangup("c", 10)
    trail += r.tick(40)
    trail += r.set_not_ready("a", "lunch", 50)
    trail += r.logout("a", 60)
    changes = [(e.previous, e.state, e.at) for e in of_type(trail, AgentStateChanged)]
    S = AgentState
    assert changes == [
        (S.LOGGED_OUT, S.NOT_READY, 1),
        (S.NOT_READY, S.READY, 2),
        (S.READY, S.RESERVED, 3),
        (S.RESERVED, S.BUSY, 4),
        (S.BUSY, S.WRAP_UP, 10),
        (S.WRAP_UP, S.READY, 40),
        (S.READY, S.NOT_READY, 50),
        (S.NOT_READY, S.LOGGED_OUT, 60),
    ]
    snap = r.agent_snapshot("a")
    assert snap.talk_time_s == 6 and snap.state_since == 60


def test_login_puts_agent_not_ready_with_login_reason() -> None:
    r = Router([queue("q")], [agent("a")])
    (change,) = r.login("a", 0)
    assert change == AgentStateChanged("a", AgentState.LOGGED_OUT, AgentState.NOT_READY, 0, "login")


@pytest.mark.parametrize(
    "action",
    [
        lambda r: r.login("a", 5),  # already logged in (busy)
        lambda r: r.logout("a", 5),  # busy
        lambda r: r.set_ready("a", 5),  # busy
        lambda r: r.end_wrap_up("a", 5),
        lambda r: r.extend_wrap_up("a", 10, 5),
        lambda r: r.answer("c", 5),  # already answered
        lambda r: r.no_answer("c", 5),
        lambda r: r.abandon("c", 5),  # connected: hangup, not abandon
        lambda r: r.unhold("c", 5),
        lambda r: r.request_callback("c", 5),
    ],
)
def test_invalid_transitions_raise(action) -> None:  # type: ignore[no-untyped-def]
    r = _talking()
    with pytest.raises(InvalidTransition):
        action(r)


def test_invalid_transitions_from_logged_out_and_waiting() -> None:
    r = Router([queue("q")], [agent("a")])
    with pytest.raises(InvalidTransition):
        r.set_ready("a", 0)
    with pytest.raises(InvalidTransition):
        r.set_not_ready("a", "break", 0)
    with pytest.raises(InvalidTransition):
        r.logout("a", 0)
    r.enqueue(Call("c", "q", 0), 0)
    with pytest.raises(InvalidTransition):
        r.hangup("c", 1)
    with pytest.raises(InvalidTransition):
        r.hold("c", 1)


def test_logout_allowed_from_ready_not_ready_and_wrap_up() -> None:
    r = _talking()
    r.hangup("c", 5)
    r.logout("a", 6)
    assert r.agent_state("a") is AgentState.LOGGED_OUT
    assert r.tick(100) == []  # the wrap-up timer died with the session


def test_unknown_ids_and_reasons() -> None:
    r = ready_router([queue("q")], [agent("a")])
    with pytest.raises(UnknownReason):
        r.set_not_ready("a", "nap", 0)
    with pytest.raises(UnknownAgent):
        r.set_ready("zz", 0)
    with pytest.raises(UnknownQueue):
        r.enqueue(Call("c", "nowhere", 0), 0)
    r.enqueue(Call("c", "q", 0), 0)
    with pytest.raises(InvalidCall):
        r.enqueue(Call("c", "q", 0), 0)
    with pytest.raises(InvalidCall):
        r.enqueue(Call("d", "q", 0, tier=6), 0)


def test_configured_reasons_only() -> None:
    settings = RouterSettings(not_ready_reasons=("coaching",))
    r = ready_router([queue("q")], [agent("a")], settings=settings)
    r.set_not_ready("a", "coaching", 1)
    with pytest.raises(UnknownReason):
        r.set_not_ready("a", "lunch", 2)


def test_bad_configuration_is_rejected() -> None:
    with pytest.raises(InvalidConfig):
        Router([queue("q", ("en", 11))], [agent("a")])
    with pytest.raises(InvalidConfig):
        Router([queue("q", max_wait_s=5, on_max_wait=OverflowAction(OverflowKind.QUEUE, "nope"))], [])
    with pytest.raises(InvalidConfig):
        Router([queue("q"), queue("q")], [])


def test_wrap_up_is_timed_by_the_queue() -> None:
    r = _talking(wrap_up_s=45)
    effects = r.hangup("c", 10)
    assert ScheduleWakeup(55) in effects
    assert r.agent_snapshot("a").wrap_up_until == 55
    assert r.tick(54) == []
    assert r.agent_state("a") is AgentState.WRAP_UP
    r.tick(55)
    assert r.agent_state("a") is AgentState.READY


def test_wrap_up_extension_moves_the_end_and_is_capped() -> None:
    r = _talking(wrap_up_s=30, settings=RouterSettings(max_wrap_up_extension_s=60))
    r.hangup("c", 10)  # ends at 40
    assert r.extend_wrap_up("a", 20, 15) == [ScheduleWakeup(60)]
    assert r.extend_wrap_up("a", 100, 16) == [ScheduleWakeup(100)]  # clamped to 60 in total
    with pytest.raises(InvalidTransition):
        r.extend_wrap_up("a", 1, 17)
    r.tick(60)  # the superseded timer does nothing
    assert r.agent_state("a") is AgentState.WRAP_UP
    r.tick(100)
    assert r.agent_state("a") is AgentState.READY


def test_end_wrap_up_early_offers_waiting_call() -> None:
    r = _talking()
    r.enqueue(Call("next", "q", 2), 2)
    r.hangup("c", 10)
    assert offers(r.end_wrap_up("a", 12)) == [("next", "a")]


def test_not_ready_during_a_call_applies_after_wrap_up() -> None:
    r = _talking()
    assert r.set_not_ready("a", "break", 5) == []
    assert r.agent_snapshot("a").pending_reason == "break"
    r.enqueue(Call("next", "q", 6), 6)
    r.hangup("c", 10)
    effects = r.tick(40)
    assert offers(effects) == []
    snap = r.agent_snapshot("a")
    assert (snap.state, snap.reason, snap.pending_reason) == (AgentState.NOT_READY, "break", None)


def test_set_ready_during_wrap_up_cancels_a_pending_not_ready() -> None:
    r = _talking()
    r.set_not_ready("a", "break", 5)
    r.hangup("c", 10)
    r.set_ready("a", 12)
    assert r.agent_state("a") is AgentState.READY


def test_set_skills_reindexes_a_ready_agent() -> None:
    r = ready_router([queue("fr", "fr")], [agent("a", {"en": 5})], ready=["a"])
    r.enqueue(Call("c", "fr", 0), 0)
    assert offers(r.set_skills("a", {"fr": 4}, 5)) == [("c", "a")]


def test_set_skills_removes_eligibility() -> None:
    r = ready_router([queue("en", "en")], [agent("a", {"en": 5})], ready=["a"])
    r.set_skills("a", {"fr": 4}, 1)
    assert offers(r.enqueue(Call("c", "en", 2), 2)) == []


def test_idle_and_offer_counters() -> None:
    r = ready_router([queue("q")], [agent("a")], ready=["a"], at=7)
    assert r.agent_snapshot("a").idle_since == 7
    r.enqueue(Call("c", "q", 8), 8)
    assert r.agent_snapshot("a").last_offered == 1


def _scenario(seed: int) -> list[Effect]:
    rnd = random.Random(99)  # the scenario is fixed; only the router seed varies
    agents = [agent(f"a{i}", {"en": rnd.randint(1, 10)}) for i in range(12)]
    r = ready_router([queue("q")], agents, ready=[a.id for a in agents], seed=seed)
    out: list[Effect] = []
    for i in range(8):
        out += r.enqueue(Call(f"c{i}", "q", 1), 1)
    return out


def test_same_seed_same_decisions_and_seed_breaks_ties() -> None:
    assert _scenario(3) == _scenario(3)
    firsts = {offers(_scenario(seed))[0][1] for seed in range(10)}
    assert len(firsts) > 1
