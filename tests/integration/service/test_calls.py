"""Calls handled by people through the facade, end to end in process.

No simulated callers or agents here: the test is the caller (the simulated
switch's ``call_in``) and the agent (facade commands), at 60x, and checks
what lands in SQLite.
"""

from __future__ import annotations

from dataclasses import replace

from callcenter.bootstrap import App
from callcenter.service.facade import (
    AgentStateEvent,
    AnswerMode,
    CallEvent,
    CallStatus,
    ScreenPopEvent,
    SpyMode,
    TargetKind,
    Viewer,
)
from callcenter.storage.agents import AgentStateLog
from callcenter.storage.interactions import InteractionRecord, Interactions, OfferOutcome, TransferKind
from callcenter.telephony.port import HangupCause
from tests.integration.service.helpers import AppFactory, Watch, a_customer, run, sim


async def stored(app: App, call_id: str) -> InteractionRecord:
    await app.service.recorder.flush()
    async with app.db.session() as session:
        return await Interactions(session).get(call_id)


async def ready(app: App, *agents: str) -> None:
    for agent in agents:
        await app.service.login_agent(agent, AnswerMode.CONSOLE)
        await app.service.set_ready(agent)


def talking(call_id: str) -> object:
    return lambda e: e.call.call_id == call_id and e.call.status is CallStatus.TALKING


def test_human_agent_gets_a_screen_pop_answers_holds_hangs_up_and_wraps_up(make_app: AppFactory) -> None:
    async def body() -> None:
        app = await make_app()
        await app.start()
        try:
            a01 = Watch(app, Viewer.agent("a01"))
            await ready(app, "a01")
            customer, number = await a_customer(app, tier="A2")
            call_id = sim(app).call_in(number, "sales", handle_s=3600.0)
            pop = await a01.wait(ScreenPopEvent)
            assert (pop.agent_id, pop.call_id, pop.queue) == ("a01", call_id, "sales")
            card = pop.to_dict()["pop"]
            assert card["customer"]["id"] == customer and card["customer"]["tier"] == "A2"
            assert card["customer"]["clv"] is not None and card["next_best_action"]
            assert isinstance(card["last_interactions"], list) and isinstance(card["open_cases"], list)
            view = await app.service.answer("a01", call_id)
            assert view.agent_id == "a01"
            await a01.wait(CallEvent, talking(call_id))  # type: ignore[arg-type]
            assert (await app.service.agent_view("a01")).state == "busy"
            held = await app.service.hold("a01", call_id)
            assert held.status is CallStatus.HELD
            assert (await app.service.unhold("a01", call_id)).status is CallStatus.TALKING
            ended = await app.service.hangup("a01", call_id)
            assert ended.status is CallStatus.ENDED
            await a01.wait(AgentStateEvent, lambda e: e.state == "wrap_up")
            after = await app.service.wrap_up("a01", call_id, "resolved", "card replaced")
            assert after.state == "ready" and after.today.calls == 1
            rec = await stored(app, call_id)
            assert (rec.queue, rec.agent_id, rec.customer_id, rec.caller_number) == ("sales", "a01", customer, number)
            assert rec.answered_at and rec.ended_at and rec.wrap_up_end and rec.end_cause == "agent hangup"
            assert (rec.disposition, rec.notes) == ("resolved", "card replaced")
            assert [(o.agent_id, o.outcome) for o in rec.offers] == [("a01", OfferOutcome.ANSWERED)]
            assert len(rec.holds) == 1 and rec.holds[0].ended_at is not None
            assert rec.recording_ref and rec.recording_ref.endswith(f"{call_id}.wav")
            async with app.db.session() as session:
                states = [e.state for e in await AgentStateLog(session).history("a01")]
            assert states == ["not_ready", "ready", "reserved", "busy", "held", "busy", "wrap_up", "ready"]
            latency = app.service.latency()
            assert latency.count == 1 and latency.p99_ms is not None and latency.p99_ms < 100.0
            await a01.close()
        finally:
            await app.stop()

    run(body())


def test_unanswered_offer_goes_to_the_next_agent(make_app: AppFactory) -> None:
    async def body() -> None:
        app = await make_app()
        await app.start()
        try:
            boss = Watch(app, Viewer.supervisor("supervisor"))
            await ready(app, "a01", "a02")
            call_id = sim(app).call_in("+886912000111", "sales", handle_s=3600.0)
            first = await boss.wait(ScreenPopEvent)
            # Nobody clicks answer: ring timeout (15 s), RONA, then the other agent.
            second = await boss.wait(ScreenPopEvent, lambda e: e.agent_id != first.agent_id, timeout=10.0)
            missed = await app.service.agent_view(first.agent_id)
            assert (missed.state, missed.reason) == ("not_ready", "no-answer")
            await app.service.answer(second.agent_id, call_id)
            await boss.wait(CallEvent, talking(call_id))  # type: ignore[arg-type]
            rec = await stored(app, call_id)
            assert [(o.agent_id, o.outcome) for o in rec.offers] == [
                (first.agent_id, OfferOutcome.NO_ANSWER), (second.agent_id, OfferOutcome.ANSWERED)]
        finally:
            await app.stop()

    run(body())


def test_a_caller_who_waits_too_long_abandons(make_app: AppFactory) -> None:
    async def body() -> None:
        app = await make_app()
        await app.start()
        try:
            boss = Watch(app, Viewer.supervisor("supervisor"))
            call_id = sim(app).call_in("+886912000222", "billing", patience_s=20.0)
            await boss.wait(CallEvent, lambda e: e.call.status is CallStatus.ABANDONED)
            rec = await stored(app, call_id)
            assert rec.abandoned and rec.end_cause == "abandoned" and rec.answered_at is None
            snap = await app.service.snapshot()
            billing = next(q for q in snap.queues if q.queue_id == "billing")
            assert (billing.offered, billing.abandoned, billing.waiting) == (1, 1, 0)
        finally:
            await app.stop()

    run(body())


def test_attended_transfer_to_an_agent_then_blind_to_a_queue(make_app: AppFactory) -> None:
    async def body() -> None:
        app = await make_app()
        await app.start()
        try:
            boss = Watch(app, Viewer.supervisor("supervisor"))
            await ready(app, "a01")
            call_id = sim(app).call_in("+886912000333", "sales", handle_s=3600.0)
            await boss.wait(ScreenPopEvent)
            await app.service.answer("a01", call_id)
            await boss.wait(CallEvent, talking(call_id))  # type: ignore[arg-type]
            await ready(app, "a02")
            view = await app.service.transfer("a01", call_id, TargetKind.AGENT, "a02", attended=True)
            assert view.status is CallStatus.CONSULTING
            await boss.wait(ScreenPopEvent, lambda e: e.agent_id == "a02")
            await boss.wait(CallEvent, lambda e: e.detail == "talking to a02")
            done = await app.service.complete_transfer("a01", call_id)
            assert (done.status, done.agent_id) == (CallStatus.TALKING, "a02")
            assert (await app.service.agent_view("a01")).state == "wrap_up"
            assert (await app.service.agent_view("a02")).state == "busy"
            # a02 sends it on to the support queue, where nobody is ready.
            await app.service.transfer("a02", call_id, TargetKind.QUEUE, "support")
            await boss.wait(CallEvent, lambda e: e.call.call_id == call_id and e.call.status is CallStatus.QUEUED
                            and e.detail == "queued")
            rec = await stored(app, call_id)
            assert [(t.kind, t.to_target, t.from_agent_id) for t in rec.transfers] == [
                (TransferKind.ATTENDED, "agent:a02", "a01"), (TransferKind.BLIND, "queue:support", "a02")]
            assert rec.queue == "support" and rec.ended_at is None
            await app.service.wrap_up("a01", call_id, "transferred")
        finally:
            await app.stop()

    run(body())


def test_outbound_dial_spy_and_a_blind_transfer_out(make_app: AppFactory) -> None:
    async def body() -> None:
        app = await make_app()
        sw = sim(app)
        sw.settings = replace(sw.settings, external_answer_probability=1.0)
        await app.start()
        try:
            a01 = Watch(app, Viewer.agent("a01"))
            await app.service.login_agent("a01")  # not ready: dialling keeps that reason afterwards
            customer, number = await a_customer(app)
            view = await app.service.dial("a01", customer)
            assert (view.caller_number, view.customer_id) == (number, customer)
            await a01.wait(CallEvent, talking(view.call_id), timeout=10.0)  # type: ignore[arg-type]
            spy = await app.service.spy("supervisor", "a01", SpyMode.WHISPER)
            result = await spy_leg_up(app, spy.spy_id)
            assert result
            await app.service.end_spy("supervisor", spy.spy_id)
            await app.service.transfer("a01", view.call_id, TargetKind.NUMBER, "0223456789")
            rec = await stored(app, view.call_id)
            assert rec.direction == "outbound" and rec.end_cause == "transferred"
            assert [(t.kind, t.to_target) for t in rec.transfers] == [(TransferKind.BLIND, "+886223456789")]
            await a01.wait(AgentStateEvent, lambda e: e.state == "wrap_up")
            after = await app.service.wrap_up("a01", view.call_id, "sale", "upsold")
            assert (after.state, after.reason) == ("not_ready", "login") or after.state == "ready"
        finally:
            await app.stop()

    run(body())


async def spy_leg_up(app: App, spy_id: str) -> bool:
    # The supervisor's phone answers by itself (auto-answer): the spy leg is up.
    sw = sim(app)
    for _ in range(100):
        if any(spy_id in c.channel for c in await sw.channels()):
            return True
        await sw.clock.sleep(1.0)
    return False


def test_callback_request_is_placed_when_its_turn_comes(make_app: AppFactory) -> None:
    async def body() -> None:
        app = await make_app(speed=300.0)  # sales gives up on a caller after 300 s
        sw = sim(app)
        sw.settings = replace(sw.settings, external_answer_probability=1.0)
        await app.start()
        try:
            boss = Watch(app, Viewer.supervisor("supervisor"))
            # Sales sends callers to a callback after 300 s of waiting.
            call_id = sim(app).call_in("+886912000444", "sales", handle_s=60.0)
            await boss.wait(CallEvent, lambda e: e.detail == "callback requested")
            callbacks = await app.service.callbacks("a01")
            assert [c.call_id for c in callbacks] == [f"{call_id}-cb"]
            assert callbacks[0].number == "+886912000444"
            await ready(app, "a01")
            pop = await boss.wait(ScreenPopEvent, lambda e: e.call_id == f"{call_id}-cb")
            assert pop.direction.value == "callback"
            await app.service.answer("a01", pop.call_id)
            await boss.wait(CallEvent, talking(pop.call_id), timeout=10.0)  # type: ignore[arg-type]
            first = await stored(app, call_id)
            assert first.end_cause == "callback-requested"
            cb = await stored(app, pop.call_id)
            assert cb.direction == "callback" and cb.answered_at is not None and cb.agent_id == "a01"
        finally:
            await app.stop()

    run(body())


def test_supervisor_forces_states_and_changes_skills(make_app: AppFactory) -> None:
    async def body() -> None:
        app = await make_app()
        await app.start()
        try:
            a02 = Watch(app, Viewer.agent("a02"))
            forced = await app.service.force_state("a02", "not_ready", "coaching")
            assert (forced.state, forced.reason) == ("not_ready", "coaching")
            assert (await app.service.force_state("a02", "ready")).state == "ready"
            view = await app.service.set_skills("a02", {"sales": 9, "billing": 3})
            assert dict(view.skills) == {"sales": 9, "billing": 3}
            assert (await app.service.force_state("a02", "logged_out")).state == "logged_out"
            await a02.wait(AgentStateEvent, lambda e: e.state == "logged_out")
            snap = await app.service.snapshot()
            row = next(a for a in snap.agents if a.agent_id == "a02")
            assert (row.state, dict(row.skills)) == ("logged_out", {"sales": 9, "billing": 3})
            assert [e.name for e in a02.seen if e.name == "agent_skills"] == ["agent_skills"]
        finally:
            await app.stop()

    run(body())


def test_an_agent_sees_only_their_own_events(make_app: AppFactory) -> None:
    async def body() -> None:
        app = await make_app()
        await app.start()
        try:
            a01, a02 = Watch(app, Viewer.agent("a01")), Watch(app, Viewer.agent("a02"))
            boss = Watch(app, Viewer.supervisor("supervisor"))
            await ready(app, "a01", "a02")
            await boss.wait(AgentStateEvent, lambda e: e.agent_id == "a02" and e.state == "ready")
            assert {e.agent_id for e in a01.of(AgentStateEvent)} == {"a01"}
            assert {e.agent_id for e in a02.of(AgentStateEvent)} == {"a02"}
            assert {e.agent_id for e in boss.of(AgentStateEvent)} == {"a01", "a02"}
        finally:
            await app.stop()

    run(body())


def test_the_switch_going_down_and_up_is_reconciled(make_app: AppFactory) -> None:
    async def body() -> None:
        app = await make_app()
        await app.start()
        try:
            boss = Watch(app, Viewer.supervisor("supervisor"))
            await ready(app, "a01")
            sw = sim(app)
            call_id = sw.call_in("+886912000555", "sales", handle_s=3600.0)
            await boss.wait(ScreenPopEvent)
            await app.service.answer("a01", call_id)
            await boss.wait(CallEvent, talking(call_id))  # type: ignore[arg-type]
            sw.simulate_disconnect()
            for ch in list(sw._channels.values()):  # the call ends while we cannot see it
                sw._hang(ch, HangupCause.NORMAL_CLEARING)
            sw.simulate_reconnect()
            await boss.wait(CallEvent, lambda e: e.call.call_id == call_id and e.call.status is CallStatus.ENDED)
            assert (await app.service.agent_view("a01")).state == "wrap_up"
            assert (await app.service.snapshot()).switch_connected
        finally:
            await app.stop()

    run(body())
