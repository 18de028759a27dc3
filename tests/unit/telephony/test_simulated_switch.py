"""The simulated switch honours the Switch port: every command and event.

A fast clock (200 simulated seconds per real second) keeps each scenario
to a fraction of a second of real time; waits are in clock seconds.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable
from typing import TypeVar

import pytest

from callcenter.config.traffic import load_traffic
from callcenter.service.clock import ScaledClock
from callcenter.telephony.port import (
    ChannelAnswered,
    ChannelCreated,
    ChannelHungUp,
    ChannelsBridged,
    ChannelState,
    CommandFailed,
    Destination,
    DtmfReceived,
    DuplicateChannel,
    HangupCause,
    InvalidCommand,
    NoSuchChannel,
    OriginateFailure,
    OriginateRequest,
    OriginateResult,
    RecordingFinished,
    SpyMode,
    SpyRequest,
    Switch,
    SwitchConnected,
    SwitchDisconnected,
    SwitchEvent,
    SwitchNotConnected,
    SwitchResynced,
)
from callcenter.telephony.sim_callers import schedule
from callcenter.telephony.simulated import CallerInfo, SimSettings, SimulatedSwitch

SPEED = 200.0
T = TypeVar("T")
E = TypeVar("E")


class Events:
    """Collects the switch's events; tests wait for the one they expect."""

    def __init__(self, switch: SimulatedSwitch) -> None:
        self.seen: list[SwitchEvent] = []
        self._changed = asyncio.Event()
        self._task = asyncio.create_task(self._run(switch))

    async def _run(self, switch: SimulatedSwitch) -> None:
        async for event in switch.events():
            self.seen.append(event)
            self._changed.set()

    async def wait(self, kind: type[E], where: Callable[[E], bool] = lambda e: True, timeout: float = 2.0) -> E:
        async def find() -> E:
            while True:
                for event in self.seen:
                    if isinstance(event, kind) and where(event):
                        return event
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(find(), timeout)

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.seen if isinstance(e, kind)]


class Digits:
    """A digit source that always types the same keys."""

    def __init__(self, keys: str | None) -> None:
        self.keys = keys
        self.asked: list[tuple[CallerInfo, str, int]] = []

    def digits(self, caller: CallerInfo, prompt: str, max_digits: int) -> str | None:
        self.asked.append((caller, prompt, max_digits))
        return self.keys


def run_switch(body: Callable[[SimulatedSwitch, Events], Awaitable[T]], settings: SimSettings = SimSettings(),
               digits: Digits | None = None, speed: float = SPEED) -> T:
    async def main() -> T:
        switch = SimulatedSwitch(ScaledClock(start=36000.0, speed=speed), settings, digits)
        switch.register_phone("SIM/bot", simulated=True)
        switch.register_phone("SIM/person", simulated=False)
        await switch.start()
        events = Events(switch)
        try:
            return await body(switch, events)
        finally:
            await switch.stop()
            await asyncio.wait_for(events._task, 1.0)

    return asyncio.run(main())


async def answered_caller(switch: SimulatedSwitch, events: Events, **kw: float) -> str:
    channel = switch.call_in("+886912345678", "sales", **kw)  # type: ignore[arg-type]
    await switch.answer(channel)
    await switch.hold(channel)
    return channel


async def agent_leg(switch: SimulatedSwitch, events: Events, channel: str, endpoint: str = "SIM/bot",
                    auto: bool = False) -> OriginateResult:
    await switch.originate(OriginateRequest(channel, endpoint, timeout_s=30.0, auto_answer=auto))
    return await events.wait(OriginateResult, lambda e: e.channel == channel)


def test_it_is_a_switch() -> None:
    switch = SimulatedSwitch(ScaledClock(speed=SPEED))
    assert isinstance(switch, Switch)


def test_start_connects_and_an_inbound_call_is_created_then_answered() -> None:
    async def body(sw: SimulatedSwitch, ev: Events) -> None:
        await ev.wait(SwitchConnected)
        channel = sw.call_in("+886912345678", "5000")
        created = await ev.wait(ChannelCreated)
        assert (created.channel, created.linkedid, created.caller_number, created.called_number) == (
            channel, channel, "+886912345678", "5000")
        infos = await sw.channels()
        assert [(i.channel, i.state) for i in infos] == [(channel, ChannelState.RINGING)]
        await sw.answer(channel)
        await ev.wait(ChannelAnswered, lambda e: e.channel == channel)
        assert (await sw.channels())[0].state is ChannelState.UP

    run_switch(body)


def test_originate_outcomes_success_unreachable_no_answer_busy_duplicate() -> None:
    async def body(sw: SimulatedSwitch, ev: Events) -> None:
        ok = await agent_leg(sw, ev, "leg-1")
        assert ok.success and ok.failure is None
        with pytest.raises(DuplicateChannel):
            await sw.originate(OriginateRequest("leg-1", "SIM/bot"))
        busy = await agent_leg(sw, ev, "leg-2")  # the same phone is on a call
        assert (busy.success, busy.failure) == (False, OriginateFailure.BUSY)
        nowhere = await agent_leg(sw, ev, "leg-3", "SIM/nobody")
        assert (nowhere.success, nowhere.failure) == (False, OriginateFailure.UNREACHABLE)
        await sw.originate(OriginateRequest("leg-4", "SIM/person", timeout_s=5.0))
        rang_out = await ev.wait(OriginateResult, lambda e: e.channel == "leg-4")
        assert (rang_out.success, rang_out.failure) == (False, OriginateFailure.NO_ANSWER)
        hung = await ev.wait(ChannelHungUp, lambda e: e.channel == "leg-4")
        assert hung.cause == HangupCause.NO_ANSWER and hung.cause_text == "User alerting, no answer"

    run_switch(body)


def test_a_person_answers_by_auto_answer_or_by_picking_up() -> None:
    async def body(sw: SimulatedSwitch, ev: Events) -> None:
        auto = await agent_leg(sw, ev, "leg-a", "SIM/person", auto=True)
        assert auto.success
        await sw.hangup("leg-a")
        await sw.originate(OriginateRequest("leg-b", "SIM/person", timeout_s=60.0))
        await sw.clock.sleep(2.0)
        sw.pick_up("leg-b")
        assert (await ev.wait(OriginateResult, lambda e: e.channel == "leg-b")).success

    run_switch(body)


def test_hanging_up_a_ringing_leg_reports_the_originate_as_hung_up() -> None:
    async def body(sw: SimulatedSwitch, ev: Events) -> None:
        await sw.originate(OriginateRequest("leg", "SIM/person", timeout_s=60.0))
        await sw.hangup("leg")
        result = await ev.wait(OriginateResult, lambda e: e.channel == "leg")
        assert (result.success, result.failure) == (False, OriginateFailure.HUNGUP)
        with pytest.raises(NoSuchChannel):
            await sw.hangup("leg")

    run_switch(body)


def test_a_waiting_caller_hangs_up_when_patience_runs_out() -> None:
    async def body(sw: SimulatedSwitch, ev: Events) -> None:
        channel = await answered_caller(sw, ev, patience_s=20.0)
        hung = await ev.wait(ChannelHungUp, lambda e: e.channel == channel)
        assert hung.cause == HangupCause.NORMAL_CLEARING
        waited = hung.at - (await ev.wait(ChannelCreated)).at
        assert 19.0 <= waited <= 40.0  # clock seconds, real-time jitter aside

    run_switch(body)


def test_bridged_caller_hangs_up_after_handle_time_and_takes_the_agent_leg_down() -> None:
    async def body(sw: SimulatedSwitch, ev: Events) -> None:
        caller = await answered_caller(sw, ev, handle_s=100.0, patience_s=40.0)
        await agent_leg(sw, ev, "agent")
        await sw.bridge(caller, "agent")
        bridged = await ev.wait(ChannelsBridged)
        assert set(bridged.channels) == {caller, "agent"}
        hung = await ev.wait(ChannelHungUp, lambda e: e.channel == caller, timeout=3.0)
        assert hung.at - bridged.at >= 99.0  # patience no longer applies once bridged
        await ev.wait(ChannelHungUp, lambda e: e.channel == "agent")

    run_switch(body)


def test_talk_time_pauses_on_hold() -> None:
    async def body(sw: SimulatedSwitch, ev: Events) -> None:
        caller = await answered_caller(sw, ev, handle_s=40.0)
        await agent_leg(sw, ev, "agent")
        await sw.bridge(caller, "agent")
        start = (await ev.wait(ChannelsBridged)).at
        await sw.clock.sleep(10.0)
        await sw.hold(caller)
        await sw.clock.sleep(50.0)  # on hold: not counted
        await sw.bridge(caller, "agent")
        hung = await ev.wait(ChannelHungUp, lambda e: e.channel == caller, timeout=3.0)
        assert hung.at - start >= 85.0

    run_switch(body)


def test_agent_hangup_ends_a_bridged_call() -> None:
    async def body(sw: SimulatedSwitch, ev: Events) -> None:
        caller = await answered_caller(sw, ev, handle_s=1000.0)
        await agent_leg(sw, ev, "agent")
        await sw.bridge(caller, "agent")
        await sw.hangup("agent", HangupCause.NORMAL_CLEARING)
        await ev.wait(ChannelHungUp, lambda e: e.channel == caller)
        assert await sw.channels() == ()

    run_switch(body)


def test_bridge_needs_answered_known_channels() -> None:
    async def body(sw: SimulatedSwitch, ev: Events) -> None:
        caller = sw.call_in("+886912345678", "sales")
        await agent_leg(sw, ev, "agent")
        with pytest.raises(CommandFailed):
            await sw.bridge(caller, "agent")  # the caller is not answered
        with pytest.raises(NoSuchChannel):
            await sw.bridge("ghost", "agent")
        with pytest.raises(InvalidCommand):
            await sw.bridge("agent", "agent")

    run_switch(body)


def test_blind_transfer_sends_the_peer_out_and_hangs_up_the_transferrer() -> None:
    async def body(sw: SimulatedSwitch, ev: Events) -> None:
        caller = await answered_caller(sw, ev, handle_s=30.0)
        await agent_leg(sw, ev, "agent")
        await sw.bridge(caller, "agent")
        await sw.blind_transfer("agent", Destination.number("+886223456789"))
        await ev.wait(ChannelHungUp, lambda e: e.channel == "agent")
        assert [c.channel for c in await sw.channels()] == [caller]  # talking outside now
        await ev.wait(ChannelHungUp, lambda e: e.channel == caller, timeout=3.0)
        alone = await answered_caller(sw, ev)
        with pytest.raises(CommandFailed):
            await sw.blind_transfer(alone, Destination.number("+886223456789"))  # nobody to transfer

    run_switch(body)


def test_attended_transfer_joins_peer_and_target_when_the_agent_hangs_up() -> None:
    async def body(sw: SimulatedSwitch, ev: Events) -> None:
        caller = await answered_caller(sw, ev, handle_s=500.0)
        await agent_leg(sw, ev, "agent")
        await sw.bridge(caller, "agent")
        await sw.attended_transfer("agent", Destination.number("+886223456789"))
        consult = await ev.wait(ChannelsBridged, lambda e: "agent" in e.channels and caller not in e.channels)
        await sw.hangup("agent")
        joined = await ev.wait(ChannelsBridged, lambda e: caller in e.channels and e.at >= consult.at
                               and "agent" not in e.channels)
        assert len(joined.channels) == 2

    run_switch(body)


def test_redirect_to_voicemail_hangs_up_after_the_message() -> None:
    async def body(sw: SimulatedSwitch, ev: Events) -> None:
        caller = await answered_caller(sw, ev)
        await sw.redirect(caller, Destination.voicemail("sales"))
        hung = await ev.wait(ChannelHungUp, lambda e: e.channel == caller)
        assert hung.cause == HangupCause.NORMAL_CLEARING
        with pytest.raises(NoSuchChannel):
            await sw.redirect("ghost", Destination.holding())

    run_switch(body, SimSettings(voicemail_s=10.0))


def test_prompts_and_digits_in_the_agi_session() -> None:
    digits = Digits("12#9")

    async def body(sw: SimulatedSwitch, ev: Events) -> None:
        caller = sw.call_in("+886912345678", "5000", intent="sales", tier=1)
        with pytest.raises(InvalidCommand):
            await sw.collect_digits(caller, "menu", 3, 5.0)  # not answered yet
        await sw.answer(caller)
        await sw.play(caller, "welcome")
        result = await sw.collect_digits(caller, "menu", 3, 5.0)
        assert (result.digits, result.timed_out, result.hung_up) == ("12", False, False)
        assert [e.digit for e in ev.of(DtmfReceived)] == ["1", "2"]
        info = digits.asked[0][0]
        assert (info.intent, info.tier, info.called_number) == ("sales", 1, "5000")
        await sw.hold(caller)
        with pytest.raises(InvalidCommand):
            await sw.play(caller, "welcome")  # out of the AGI session once held

    run_switch(body, digits=digits)


def test_a_silent_caller_times_out_and_a_leaving_one_is_reported() -> None:
    async def body(sw: SimulatedSwitch, ev: Events) -> None:
        caller = sw.call_in("+886912345678", "5000")
        await sw.answer(caller)
        result = await sw.collect_digits(caller, "menu", 1, 5.0)
        assert (result.digits, result.timed_out) == ("", True)
        gone = asyncio.create_task(sw.collect_digits(caller, "menu", 1, 500.0))
        await sw.clock.sleep(5.0)
        await sw.hangup(caller)
        assert (await gone).hung_up

    run_switch(body, digits=Digits(None))


def test_recording_start_pause_stop_and_stop_at_hangup() -> None:
    async def body(sw: SimulatedSwitch, ev: Events) -> None:
        caller = await answered_caller(sw, ev, handle_s=1000.0)
        with pytest.raises(CommandFailed):
            await sw.stop_recording(caller)
        await sw.start_recording(caller, "rec/one.wav")
        with pytest.raises(InvalidCommand):
            await sw.start_recording(caller, "rec/two.wav")
        await sw.pause_recording(caller, True)
        await sw.pause_recording(caller, False)
        await sw.stop_recording(caller)
        first = await ev.wait(RecordingFinished)
        assert (first.channel, first.file) == (caller, "rec/one.wav")
        await sw.start_recording(caller, "rec/three.wav")
        await sw.hangup(caller)
        last = await ev.wait(RecordingFinished, lambda e: e.file == "rec/three.wav")
        assert last.duration_s is not None and last.duration_s >= 0

    run_switch(body)


def test_spy_rings_the_supervisor_and_ends_with_the_target() -> None:
    async def body(sw: SimulatedSwitch, ev: Events) -> None:
        caller = await answered_caller(sw, ev, handle_s=1000.0)
        await agent_leg(sw, ev, "agent")
        await sw.bridge(caller, "agent")
        await sw.spy(SpyRequest("spy", "SIM/person", "agent", SpyMode.WHISPER))
        assert (await ev.wait(OriginateResult, lambda e: e.channel == "spy")).success
        with pytest.raises(NoSuchChannel):
            await sw.spy(SpyRequest("spy2", "SIM/person", "ghost"))
        await sw.hangup("agent")
        await ev.wait(ChannelHungUp, lambda e: e.channel == "spy")

    run_switch(body)


def test_disconnect_loses_events_and_reconnect_resyncs_live_channels() -> None:
    async def body(sw: SimulatedSwitch, ev: Events) -> None:
        keep = await answered_caller(sw, ev, handle_s=1000.0)
        lost = await answered_caller(sw, ev, handle_s=1000.0)
        sw.simulate_disconnect("link down")
        await ev.wait(SwitchDisconnected)
        with pytest.raises(SwitchNotConnected):
            await sw.hangup(lost)
        for channel_state in sw._channels.values():  # the outside world moves on
            if channel_state.id == lost:
                sw._hang(channel_state, HangupCause.NORMAL_CLEARING)
                break
        sw.simulate_reconnect()
        resync = await ev.wait(SwitchResynced)
        assert [c.channel for c in resync.channels] == [keep]
        assert not [e for e in ev.of(ChannelHungUp) if e.channel == lost]  # missed while down
        assert len(ev.of(SwitchConnected)) == 2

    run_switch(body)


def test_traffic_arrivals_are_deterministic_and_use_known_numbers() -> None:
    traffic = load_traffic("config/sample-center")
    known = {1: ["+886911000001"], 2: ["+886911000002"], 3: ["+886911000003"], 4: ["+886911000004"]}
    a = schedule(traffic, 5, 0.0, 10 * 3600.0, 11 * 3600.0, known)
    b = schedule(traffic, 5, 0.0, 10 * 3600.0, 11 * 3600.0, known)
    assert a == b and len(a) > 100
    assert all(10 * 3600.0 <= x.at < 11 * 3600.0 for x in a)
    assert [x.at for x in a] == sorted(x.at for x in a)
    assert {x.intent for x in a} == {q.queue_id for q in traffic.queues}
    assert all(x.caller_number == known[x.tier][0] for x in a if x.tier in known)
    assert all(x.handle_s >= 1.0 and (x.patience_s > 0 or math.isinf(x.patience_s)) for x in a)
    assert all(x.tier in (1, 2) for x in a if x.intent == "vip")


def test_simulated_callers_arrive_by_the_traffic_in_clock_time() -> None:
    traffic = load_traffic("config/sample-center")

    async def body(sw: SimulatedSwitch, ev: Events) -> None:
        await sw.clock.sleep(600.0)  # ten minutes of the morning peak
        created = ev.of(ChannelCreated)
        assert len(created) >= 20
        assert {c.called_number for c in created} <= {q.queue_id for q in traffic.queues}
        assert sw.arrivals_made == len(created)

    run_switch(body, SimSettings(traffic=traffic, seed=2, day_origin=0.0), speed=1000.0)
