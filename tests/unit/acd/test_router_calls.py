"""Call flow: priority, relaxation, overflow, RONA, callbacks, preferred agent, abandon."""

from __future__ import annotations

from acd.effects import (
    AgentStateChanged,
    CallAbandoned,
    CallAnswered,
    CallbackRequested,
    CallEnded,
    CallMoved,
    CallQueued,
    CallRequeued,
    OfferCall,
    OverflowCall,
    PlaceCallback,
    ScheduleWakeup,
)
from acd.model import (
    AgentState,
    Call,
    CallState,
    OverflowAction,
    OverflowKind,
    RelaxationStep,
    RouterSettings,
    SkillRequirement,
)
from acd.router import Router
from tests.unit.acd.builders import agent, of_type, offers, queue, ready_router

VOICEMAIL = OverflowAction(OverflowKind.VOICEMAIL)
CALLBACK = OverflowAction(OverflowKind.CALLBACK)


# --- priority ----------------------------------------------------------------


def test_enqueue_emits_queued_then_offer_with_deadline() -> None:
    r = ready_router([queue("q")], [agent("a")], ready=["a"], settings=RouterSettings(ring_timeout_s=12))
    effects = r.enqueue(Call("c", "q", 3), 3)
    assert isinstance(effects[0], CallQueued)
    (offer,) = of_type(effects, OfferCall)
    assert offer == OfferCall("c", "a", "q", 3, 15)
    assert ScheduleWakeup(15) in effects
    assert r.agent_state("a") is AgentState.RESERVED


def test_freed_agent_takes_highest_tier_call_first() -> None:
    r = ready_router([queue("q")], [agent("a")])
    r.enqueue(Call("low", "q", 0, tier=4), 0)
    r.enqueue(Call("high", "q", 1, tier=1), 1)
    assert r.waiting("q") == ["high", "low"]
    assert offers(r.set_ready("a", 2)) == [("high", "a")]


def test_aging_lets_an_old_low_priority_call_overtake() -> None:
    # tier bonus difference 60 - 0 = 60 points = 60 s at aging 1/s
    r = ready_router([queue("q")], [agent("a")])
    r.enqueue(Call("old", "q", 0, tier=5), 0)
    r.enqueue(Call("vip-late", "q", 61, tier=1), 61)
    assert offers(r.set_ready("a", 62)) == [("old", "a")]
    assert r.effective_priority("vip-late", 62) == 61.0


def test_agent_picks_best_call_across_its_queues() -> None:
    qs = [queue("en", "en"), queue("fr", "fr", priority=20)]
    r = ready_router(qs, [agent("a", {"en": 5, "fr": 5})])
    r.enqueue(Call("e", "en", 0), 0)
    r.enqueue(Call("f", "fr", 10), 10)  # 10 s younger but 20 points more
    assert offers(r.set_ready("a", 11)) == [("f", "a")]


def test_call_requirements_add_to_the_queue_ones() -> None:
    r = ready_router([queue("q")], [agent("plain"), agent("vip", {"en": 5, "vip": 3})], ready=["plain", "vip"])
    call = Call("c", "q", 0, required_skills=(SkillRequirement("vip", 2),))
    assert offers(r.enqueue(call, 0)) == [("c", "vip")]


# --- relaxation and overflow -------------------------------------------------


def test_relaxation_steps_lower_the_level_then_overflow() -> None:
    steps = (RelaxationStep(30, min_level=5), RelaxationStep(60, min_level=1),
             RelaxationStep(120, overflow=OverflowAction(OverflowKind.QUEUE, "backup")))
    qs = [queue("q", ("en", 8), relaxation=steps), queue("backup", "en")]
    r = ready_router(qs, [agent("low", {"en": 3})], ready=["low"])
    effects = r.enqueue(Call("c", "q", 0), 0)
    assert offers(effects) == [] and ScheduleWakeup(30) in effects
    assert offers(r.tick(30)) == []
    assert r.call_snapshot("c").requirements == (SkillRequirement("en", 5),)
    assert offers(r.tick(60)) == [("c", "low")]


def test_relaxation_overflow_moves_call_to_another_queue() -> None:
    steps = (RelaxationStep(120, overflow=OverflowAction(OverflowKind.QUEUE, "backup")),)
    qs = [queue("q", "en", relaxation=steps), queue("backup", "fr")]
    r = ready_router(qs, [agent("f", {"fr": 5})], ready=["f"])
    r.enqueue(Call("c", "q", 0), 0)
    effects = r.tick(120)
    assert CallMoved("c", "q", "backup", 120) in effects
    assert offers(effects) == [("c", "f")]
    assert r.call_snapshot("c").queue_id == "backup"


def test_max_wait_overflows_to_voicemail() -> None:
    r = ready_router([queue("q", max_wait_s=90, on_max_wait=VOICEMAIL)], [agent("a")])
    effects = r.enqueue(Call("c", "q", 0), 0)
    assert ScheduleWakeup(90) in effects
    assert r.tick(89) == []
    assert r.tick(90) == [OverflowCall("c", "q", VOICEMAIL, 90)]
    assert r.waiting_calls() == []


def test_max_wait_overflow_to_queue_keeps_priority_clock() -> None:
    qs = [queue("q", max_wait_s=60, on_max_wait=OverflowAction(OverflowKind.QUEUE, "b")), queue("b")]
    r = ready_router(qs, [agent("a")])
    r.enqueue(Call("c", "q", 0), 0)
    r.tick(60)
    r.enqueue(Call("d", "b", 30), 30)
    assert r.waiting("b") == ["c", "d"]
    assert r.call_snapshot("c").enqueued_at == 0


def test_max_length_overflows_only_when_no_agent_is_free() -> None:
    r = ready_router([queue("q", max_length=2, on_max_length=CALLBACK)], [agent("a")], ready=["a"])
    r.enqueue(Call("c0", "q", 0), 0)  # offered at once, not waiting
    r.enqueue(Call("c1", "q", 1), 1)
    r.enqueue(Call("c2", "q", 2), 2)
    effects = r.enqueue(Call("c3", "q", 3), 3)
    assert effects == [OverflowCall("c3", "q", CALLBACK, 3)]
    assert r.waiting("q") == ["c1", "c2"]


# --- RONA ---------------------------------------------------------------------


def test_rona_k1_agent_goes_not_ready_and_call_goes_to_head_and_next_agent() -> None:
    r = ready_router([queue("q")], [agent("a"), agent("b")], ready=["a"])
    r.enqueue(Call("c", "q", 0), 0)
    r.enqueue(Call("later", "q", 1, tier=1), 1)  # higher priority, arrives while c rings
    effects = r.tick(15)
    assert AgentStateChanged("a", AgentState.RESERVED, AgentState.NOT_READY, 15, "no-answer", "c") in effects
    assert CallRequeued("c", "q", "a", 15) in effects
    assert r.waiting("q") == ["c", "later"]
    assert offers(r.set_ready("b", 16)) == [("c", "b")]


def test_rona_reoffers_immediately_when_someone_is_ready() -> None:
    r = ready_router([queue("q")], [agent("a"), agent("b")], ready=["a", "b"])
    r.enqueue(Call("c", "q", 0), 0)
    assert offers(r.no_answer("c", 3)) == [("c", "b")]
    assert r.agent_state("a") is AgentState.NOT_READY


def test_rona_k2_first_miss_keeps_agent_ready_but_skips_them_for_that_call() -> None:
    settings = RouterSettings(rona_misses=2)
    r = ready_router([queue("q")], [agent("a"), agent("b")], ready=["a"], settings=settings)
    r.enqueue(Call("c1", "q", 0), 0)
    effects = r.tick(15)
    assert r.agent_state("a") is AgentState.READY
    assert offers(effects) == []  # nobody else; a is skipped for c1
    assert r.call_snapshot("c1").excluded == frozenset({"a"})
    assert offers(r.enqueue(Call("c2", "q", 16), 16)) == [("c2", "a")]
    r.no_answer("c2", 17)  # second consecutive miss
    snap = r.agent_snapshot("a")
    assert (snap.state, snap.reason) == (AgentState.NOT_READY, "no-answer")
    assert r.waiting("q") == ["c2", "c1"]  # the missed call went back to the head
    assert offers(r.set_ready("b", 18)) == [("c2", "b")]


def test_answer_resets_consecutive_misses() -> None:
    settings = RouterSettings(rona_misses=2)
    r = ready_router([queue("q", wrap_up_s=0)], [agent("a")], ready=["a"], settings=settings)
    r.enqueue(Call("c1", "q", 0), 0)
    r.no_answer("c1", 1)
    r.enqueue(Call("c2", "q", 2), 2)
    r.answer("c2", 3)
    r.hangup("c2", 4)
    r.enqueue(Call("c3", "q", 5), 5)
    r.no_answer("c3", 6)
    assert r.agent_state("a") is AgentState.READY


def test_late_ring_timer_after_answer_does_nothing() -> None:
    r = ready_router([queue("q")], [agent("a")], ready=["a"])
    r.enqueue(Call("c", "q", 0), 0)
    r.answer("c", 5)
    assert r.tick(100) == []
    assert r.agent_state("a") is AgentState.BUSY


# --- callbacks ----------------------------------------------------------------


def test_callback_keeps_its_place_and_is_placed_by_a_reserved_agent() -> None:
    r = ready_router([queue("q", wrap_up_s=0)], [agent("a")])
    for i in range(3):
        r.enqueue(Call(f"c{i}", "q", i), i)
    assert r.request_callback("c1", 5) == [CallbackRequested("c1", "q", 5)]
    r.enqueue(Call("c3", "q", 6), 6)
    assert r.waiting("q") == ["c0", "c1", "c2", "c3"]
    assert r.waiting_count("q") == 3
    assert offers(r.set_ready("a", 7)) == [("c0", "a")]
    r.answer("c0", 7)
    effects = r.hangup("c0", 8)
    (place,) = of_type(effects, PlaceCallback)
    assert (place.call_id, place.agent_id) == ("c1", "a")
    assert of_type(r.answer("c1", 9), CallAnswered)
    assert of_type(r.hangup("c1", 20), CallEnded)


def test_callback_request_is_exempt_from_max_wait() -> None:
    r = ready_router([queue("q", max_wait_s=60, on_max_wait=VOICEMAIL)], [agent("a")])
    r.enqueue(Call("c", "q", 0), 0)
    r.request_callback("c", 10)
    assert of_type(r.tick(600), OverflowCall) == []
    assert r.call_snapshot("c").is_callback


def test_enqueue_as_callback_is_placed_and_skips_max_length() -> None:
    r = ready_router([queue("q", max_length=1, wrap_up_s=0)], [agent("a")])
    r.enqueue(Call("live", "q", 0), 0)
    effects = r.enqueue(Call("cb", "q", 1), 1, callback=True)
    assert effects[:2] == [CallQueued("cb", "q", 1), CallbackRequested("cb", "q", 1)]
    assert r.waiting("q") == ["live", "cb"]
    r.set_ready("a", 2)
    r.answer("live", 2)
    assert of_type(r.hangup("live", 3), PlaceCallback)[0].call_id == "cb"


def test_relaxation_due_while_ringing_applies_when_the_call_comes_back() -> None:
    steps = (RelaxationStep(10, min_level=1),)
    qs = [queue("q", ("en", 8), relaxation=steps)]
    r = ready_router(qs, [agent("hi", {"en": 9}), agent("lo", {"en": 2})], ready=["hi", "lo"])
    assert offers(r.enqueue(Call("c", "q", 0), 0)) == [("c", "hi")]
    assert offers(r.tick(15)) == [("c", "lo")]  # RONA at 15: the 10 s step is applied on requeue


# --- preferred agent ----------------------------------------------------------


def test_preferred_agent_window_holds_the_call_for_that_agent() -> None:
    r = ready_router([queue("q")], [agent("pref"), agent("other")], ready=["other"])
    call = Call("c", "q", 0, preferred_agent="pref", preferred_wait_s=30)
    assert offers(r.enqueue(call, 0)) == []
    assert r.call_snapshot("c").preferred_hold == "pref"
    assert offers(r.set_ready("pref", 10)) == [("c", "pref")]


def test_preferred_window_ends_and_call_goes_to_anyone() -> None:
    r = ready_router([queue("q")], [agent("pref"), agent("other")], ready=["other"])
    r.enqueue(Call("c", "q", 0, preferred_agent="pref", preferred_wait_s=30), 0)
    assert offers(r.tick(30)) == [("c", "other")]


def test_logged_out_preferred_agent_is_not_waited_for() -> None:
    r = Router([queue("q")], [agent("pref"), agent("other")])
    r.login("other", 0)
    r.set_ready("other", 0)
    call = Call("c", "q", 0, preferred_agent="pref", preferred_wait_s=30)
    assert offers(r.enqueue(call, 0)) == [("c", "other")]


def test_preferred_agent_logging_out_releases_the_call() -> None:
    r = ready_router([queue("q")], [agent("pref"), agent("other")], ready=["other"])
    r.enqueue(Call("c", "q", 0, preferred_agent="pref", preferred_wait_s=30), 0)
    assert offers(r.logout("pref", 5)) == [("c", "other")]


def test_preferred_agent_who_misses_the_call_ends_the_window() -> None:
    r = ready_router([queue("q")], [agent("pref"), agent("other")], ready=["pref", "other"])
    r.enqueue(Call("c", "q", 0, preferred_agent="pref", preferred_wait_s=60), 0)
    assert offers(r.no_answer("c", 2)) == [("c", "other")]


# --- abandon ------------------------------------------------------------------


def test_abandon_while_waiting() -> None:
    r = ready_router([queue("q")], [agent("a")])
    r.enqueue(Call("c", "q", 0), 0)
    assert r.abandon("c", 40) == [CallAbandoned("c", "q", 40, 40)]
    assert r.waiting("q") == []


def test_abandon_while_ringing_frees_agent_for_next_call() -> None:
    r = ready_router([queue("q")], [agent("a")], ready=["a"])
    r.enqueue(Call("c1", "q", 0), 0)
    r.enqueue(Call("c2", "q", 1), 1)
    effects = r.abandon("c1", 4)
    assert CallAbandoned("c1", "q", 4, 4) in effects
    assert offers(effects) == [("c2", "a")]
    assert r.call_snapshot("c2").state is CallState.OFFERED


def test_hold_and_unhold_change_agent_state() -> None:
    r = ready_router([queue("q")], [agent("a")], ready=["a"])
    r.enqueue(Call("c", "q", 0), 0)
    r.answer("c", 1)
    r.hold("c", 2)
    assert r.agent_state("a") is AgentState.HELD
    r.unhold("c", 3)
    assert r.agent_state("a") is AgentState.BUSY


def test_a_missed_agent_may_take_the_call_again_after_the_retry_delay() -> None:
    # the lone eligible agent misses the call, comes back, and gets it later
    r = ready_router([queue("q")], [agent("a")], ready=["a"])
    r.enqueue(Call("c", "q", 0), 0)
    effects = r.tick(15)
    assert r.agent_state("a") is AgentState.NOT_READY
    wakeups = sorted(e.at for e in effects if isinstance(e, ScheduleWakeup))
    assert 75 in wakeups
    assert offers(r.set_ready("a", 20)) == []  # still skipped for c
    assert offers(r.tick(74)) == []
    assert offers(r.tick(75)) == [("c", "a")]
    assert r.call_snapshot("c").excluded == frozenset()


def test_retry_can_be_switched_off() -> None:
    settings = RouterSettings(retry_missed_agent_after_s=None)
    r = ready_router([queue("q")], [agent("a")], ready=["a"], settings=settings)
    r.enqueue(Call("c", "q", 0), 0)
    r.tick(15)
    r.set_ready("a", 20)
    assert offers(r.tick(10_000)) == []
    assert r.waiting("q") == ["c"]
