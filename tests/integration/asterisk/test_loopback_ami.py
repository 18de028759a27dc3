"""Loopback: the AMI client and the switch against a fake AMI server on
127.0.0.1 that answers from recorded captures, and its broken variants."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import TypeVar

import pytest

from callcenter.telephony.asterisk.client import AmiClient, AmiSettings
from callcenter.telephony.asterisk.errors import AmiLoginFailed, AmiTimeout
from callcenter.telephony.asterisk.events import AmiEvent, Hangup, Newchannel
from callcenter.telephony.asterisk.switch import AsteriskSettings, AsteriskSwitch
from callcenter.telephony.asterisk.tracker import CAUSE_GONE_WHILE_DISCONNECTED, CAUSE_SWITCH_RESTARTED
from callcenter.telephony.port import (
    ChannelHungUp,
    ChannelsBridged,
    CommandFailed,
    Destination,
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
    SwitchConnected,
    SwitchDisconnected,
    SwitchEvent,
    SwitchNotConnected,
    SwitchResynced,
)
from tests.integration.asterisk.fakes import FakeAmi, between, core_show_channel, events_after, fixture

E = TypeVar("E")

FAST = dict(ping_interval=0.0, backoff_initial=0.02, backoff_max=0.1, jitter=0.0, action_timeout=2.0, start_timeout=3.0)


def settings(port: int, **changes: float) -> AmiSettings:
    base = AmiSettings(host="127.0.0.1", port=port, username="cc", secret="secret")
    return replace(base, **{**FAST, **changes})  # type: ignore[arg-type]


def run(coro: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(coro(), 20))


@asynccontextmanager
async def fake_ami(**kwargs: object) -> AsyncIterator[FakeAmi]:
    fake = FakeAmi(**kwargs)  # type: ignore[arg-type]
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@asynccontextmanager
async def switch_on(fake: FakeAmi, **changes: float) -> AsyncIterator[tuple[AsteriskSwitch, list[SwitchEvent]]]:
    sw = AsteriskSwitch(
        AsteriskSettings(ami=settings(fake.port, **changes), agi_port=0, entry_contexts=("from-trunk",), agi_wait_s=0.2),
        clock=lambda: 1000.0,
    )
    seen: list[SwitchEvent] = []

    async def consume() -> None:
        async for event in sw.events():
            seen.append(event)

    await sw.start()
    task = asyncio.create_task(consume())
    try:
        yield sw, seen
    finally:
        await sw.stop()
        await task


async def until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(0.01)

    await asyncio.wait_for(poll(), timeout)


def of_type(events: list[SwitchEvent], kind: type[E]) -> list[E]:
    return [e for e in events if isinstance(e, kind)]


# --- the client -------------------------------------------------------------


def test_login_actions_and_lists_from_the_capture() -> None:
    async def scenario() -> None:
        async with fake_ami() as fake:
            fake.script_recorded(fixture("ami-01-"), "QueueStatus", 0)
            events: list[AmiEvent] = []
            client = AmiClient(settings(fake.port), on_event=events.append)
            await client.start()
            assert client.connected and client.version == "11.0.0"
            pong = await client.action("Ping")
            assert pong.get("Ping") == "Pong"
            items = await client.list_action("QueueStatus")
            assert [m.event for m in items] == ["QueueParams", "QueueParams"]
            with pytest.raises(CommandFailed, match="Invalid/unknown command"):
                await client.action("NoSuchAction")
            await client.stop()
            assert not client.connected
            assert [a["Action"] for a in fake.actions] == ["Login", "Ping", "QueueStatus", "NoSuchAction", "Logoff"]
            assert fake.actions[0]["Username"] == "cc"

    run(scenario)


def test_failed_login_raises_a_clear_error() -> None:
    async def scenario() -> None:
        async with fake_ami(secret="other") as fake:
            client = AmiClient(settings(fake.port), on_event=lambda e: None)
            with pytest.raises(AmiLoginFailed) as info:
                await client.start()
            assert "'cc'" in str(info.value) and "Authentication failed" in str(info.value)
            assert "manager.conf" in str(info.value)
            assert fake.connections == 1  # a refused login is not retried
            assert not client.connected

    run(scenario)


def test_unreachable_asterisk_gives_up_after_start_timeout() -> None:
    async def scenario() -> None:
        async with fake_ami() as fake:
            port = fake.port
        client = AmiClient(settings(port, start_timeout=0.3), on_event=lambda e: None)
        with pytest.raises(SwitchNotConnected, match="not reachable"):
            await client.start()

    run(scenario)


def test_reset_before_banner_is_retried() -> None:
    """ami-11: the first reconnect after a restart was reset before any banner."""

    async def scenario() -> None:
        async with fake_ami(banner=False) as fake:
            client = AmiClient(settings(fake.port), on_event=lambda e: None)
            starting = asyncio.create_task(client.start())
            await until(lambda: fake.connections >= 2)
            fake.banner = True
            await starting
            assert client.connected and fake.logins == 1
            await client.stop()

    run(scenario)


def test_unknown_event_garbage_and_truncated_blocks_are_survived(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        async with fake_ami() as fake:
            events: list[AmiEvent] = []
            client = AmiClient(settings(fake.port), on_event=events.append)
            await client.start()
            call = between(fixture("ami-09"), "call 1", "call 2")
            cut = call.index(b"Event: Hangup")
            fake.push(b"Event: BrandNewThing\r\nFoo: bar\r\n\r\n")
            fake.push(b"\x00\xff\xfe garbage with no colon\r\n\r\n")
            fake.push(b"Event: Hangup\r\nChannel: PJSIP/damaged-1\r\n\r\n")  # a known event missing Uniqueid
            fake.push(call[:cut + 20])  # a block cut in the middle ...
            await asyncio.sleep(0.05)
            fake.push(call[cut + 20 :])  # ... completed later
            await until(lambda: any(isinstance(e, Hangup) for e in events))
            assert (await client.action("Ping")).get("Ping") == "Pong"
            hangups = [e for e in events if isinstance(e, Hangup)]
            assert [(h.snapshot.uniqueid, h.cause) for h in hangups] == [("1795338132.0", 16)]
            assert isinstance(events[0], Newchannel) or any(isinstance(e, Newchannel) for e in events)
            await client.stop()

    with caplog.at_level(logging.DEBUG):
        run(scenario)
    assert "damaged Hangup" in caplog.text
    assert "not a header" in caplog.text


def test_action_without_answer_times_out() -> None:
    async def scenario() -> None:
        async with fake_ami() as fake:
            fake.script("Ping", 5.0)
            client = AmiClient(settings(fake.port, action_timeout=0.2), on_event=lambda e: None)
            await client.start()
            with pytest.raises(AmiTimeout, match="Ping"):
                await client.action("Ping")
            await client.stop()

    run(scenario)


def test_disconnect_in_the_middle_of_a_list_fails_it_then_reconnects() -> None:
    async def scenario() -> None:
        async with fake_ami() as fake:
            fake.channels = [
                core_show_channel(fixture("ami-03-"), "1795337887.0"),
                core_show_channel(fixture("ami-03-"), "1795337895.1"),
            ]
            up = asyncio.Event()
            down: list[str] = []

            async def connected() -> None:
                up.set()

            client = AmiClient(
                settings(fake.port), on_event=lambda e: None, on_connected=connected, on_disconnected=down.append
            )
            await client.start()
            fake.cut_list_after = 1
            up.clear()
            with pytest.raises(SwitchNotConnected, match="CoreShowChannels not completed"):
                await client.list_action("CoreShowChannels")
            await asyncio.wait_for(up.wait(), 5)  # logged in again
            assert down and "closed" in down[0]
            items = await client.list_action("CoreShowChannels")
            assert [m.get("Uniqueid") for m in items] == ["1795337887.0", "1795337895.1"]
            assert fake.logins == 2 and client.connections == 2
            await client.stop()

    run(scenario)


def test_backoff_grows_between_failed_attempts() -> None:
    async def scenario() -> None:
        async with fake_ami(banner=False) as fake:
            loop = asyncio.get_running_loop()
            times: list[float] = []
            original = fake._serve

            async def stamped(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                times.append(loop.time())
                await original(reader, writer)

            fake._serve = stamped  # type: ignore[method-assign]
            await fake.stop()
            server = await asyncio.start_server(stamped, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]
            client = AmiClient(
                settings(port, backoff_initial=0.05, backoff_max=0.4, start_timeout=1.2), on_event=lambda e: None
            )
            with pytest.raises(SwitchNotConnected):
                await client.start()
            server.close()
            await server.wait_closed()
            gaps = [b - a for a, b in zip(times, times[1:])]
            assert len(gaps) >= 3
            assert gaps[0] == pytest.approx(0.05, abs=0.04)
            assert gaps[1] > gaps[0] and gaps[2] > gaps[1]
            assert max(gaps) <= 0.4 + 0.1

    run(scenario)


# --- the switch ---------------------------------------------------------------


def test_switch_start_emits_connected_and_resynced() -> None:
    async def scenario() -> None:
        async with fake_ami() as fake, switch_on(fake) as (sw, seen):
            await until(lambda: any(isinstance(e, SwitchResynced) for e in seen))
            assert [type(e) for e in seen] == [SwitchConnected, SwitchResynced]
            assert sw.device_states() == {"PJSIP/1001": "NOT_INUSE"}
            assert [a["Action"] for a in fake.actions] == ["Login", "CoreStatus", "CoreShowChannels", "DeviceStateList"]

    run(scenario)


def test_inbound_call_originate_agent_bridge_record_hang_up() -> None:
    """ami-06b/ami-07: a held caller, the agent originated, both bridged."""

    async def scenario() -> None:
        path = fixture("ami-07")
        async with fake_ami() as fake, switch_on(fake) as (sw, seen):
            fake.push(events_after(path, "Login"))
            await until(lambda: "1795338045.30" in sw.tracker.channels)
            caller = "1795338045.30"
            fake.script_recorded(path, "Originate")
            fake.script_recorded(path, "Bridge")
            fake.script_recorded(path, "MixMonitor", 0)
            fake.script_recorded(path, "StopMixMonitor", 0)
            fake.script_recorded(path, "StopMixMonitor", 2)
            await sw.originate(OriginateRequest("cclab-agent-g", "PJSIP/1001", "5550200", "ACD", timeout_s=15))
            await until(lambda: any(isinstance(e, OriginateResult) for e in seen))
            result = of_type(seen, OriginateResult)[0]
            assert isinstance(result, OriginateResult) and result.success and result.channel == "cclab-agent-g"
            sent = fake.actions[-1]
            assert sent["Channel"] == "PJSIP/1001" and sent["ChannelId"] == "cclab-agent-g"
            assert sent["Async"] == "true" and sent["Timeout"] == "15000" and sent["Context"] == "cc-agent"
            assert sent["CallerID"] == '"ACD" <5550200>'
            with pytest.raises(DuplicateChannel):
                await sw.originate(OriginateRequest("cclab-agent-g", "PJSIP/1002"))
            await sw.bridge(caller, "cclab-agent-g")
            assert fake.actions[-1]["Channel1"] == "PJSIP/trunk-0000000e"
            await until(lambda: any(isinstance(e, ChannelsBridged) for e in seen))
            await sw.start_recording(caller, "cclab-rec-1795338045.30.wav")
            assert fake.actions[-1]["File"] == "/var/spool/asterisk/monitor/cclab-rec-1795338045.30.wav"
            await sw.stop_recording(caller)
            await until(lambda: any(isinstance(e, RecordingFinished) for e in seen))
            finished = of_type(seen, RecordingFinished)[0]
            assert isinstance(finished, RecordingFinished)
            assert finished.file == "/var/spool/asterisk/monitor/cclab-rec-1795338045.30.wav"
            with pytest.raises(InvalidCommand, match="not being recorded"):
                await sw.stop_recording(caller)
            fake.push(between(path, "step: hang up both", "sipp caller exit"))
            await until(lambda: len(of_type(seen, ChannelHungUp)) == 2)
            assert [e.channel for e in of_type(seen, ChannelHungUp)] == [caller, "cclab-agent-g"]
            with pytest.raises(NoSuchChannel):
                await sw.hangup(caller)

    run(scenario)


def test_failed_originate_is_a_rona_result() -> None:
    async def scenario() -> None:
        path = fixture("ami-05")
        async with fake_ami() as fake, switch_on(fake) as (sw, seen):
            fake.script_recorded(path, "Originate", 3)  # Local/noanswer@sim, Timeout 4000: Reason 3
            await sw.originate(OriginateRequest("agent-leg-1", "PJSIP/1001", timeout_s=4))
            await until(lambda: any(isinstance(e, OriginateResult) for e in seen))
            (result,) = of_type(seen, OriginateResult)
            assert result == OriginateResult("agent-leg-1", False, 1000.0, OriginateFailure.NO_ANSWER)
            fake.script_recorded(path, "Originate", 2)  # PJSIP/1003 with no contact: Reason 0
            await sw.originate(OriginateRequest("agent-leg-2", "PJSIP/1003"))
            await until(lambda: len(of_type(seen, OriginateResult)) == 2)
            assert of_type(seen, OriginateResult)[1] == OriginateResult(
                "agent-leg-2", False, 1000.0, OriginateFailure.UNREACHABLE
            )
            assert sw.tracker.originates == {} and sw.tracker.expected == set()

    run(scenario)


def test_spy_originates_chanspy_with_mode_options() -> None:
    async def scenario() -> None:
        path = fixture("ami-08")
        async with fake_ami() as fake, switch_on(fake) as (sw, seen):
            for action in ("Login", "Originate", "Bridge"):
                fake.push(events_after(path, action))
            await until(lambda: "cclab-agent-h" in sw.tracker.channels)
            fake.script_recorded(path, "Originate", 1)
            await sw.spy(SpyRequest("cclab-spy-h", "PJSIP/1002", "cclab-agent-h", SpyMode.WHISPER))
            sent = fake.actions[-1]
            assert sent["Application"] == "ChanSpy" and sent["Data"] == "PJSIP/1001-00000011,qEw"
            assert sent["ChannelId"] == "cclab-spy-h"
            await until(lambda: any(isinstance(e, OriginateResult) for e in seen))
            assert of_type(seen, OriginateResult)[-1].channel == "cclab-spy-h"

    run(scenario)


def test_redirect_hold_and_errors_map_to_port_errors() -> None:
    async def scenario() -> None:
        path = fixture("ami-06a")
        async with fake_ami() as fake, switch_on(fake) as (sw, seen):
            fake.push(events_after(path, "Login"))
            await until(lambda: len(sw.tracker.channels) == 1)
            (caller,) = sw.tracker.channels
            fake.script_recorded(path, "Redirect", 1)  # "Channel does not exist: ..."
            with pytest.raises(NoSuchChannel):
                await sw.hold(caller)
            assert (fake.actions[-1]["Context"], fake.actions[-1]["Exten"]) == ("cc-hold", "s")
            with pytest.raises(NoSuchChannel):
                await sw.bridge("nope-1", caller)
            with pytest.raises(InvalidCommand, match="no AGI session"):
                await sw.play(caller, "welcome")  # this capture's caller never reached AGI()
            fake.handlers["Hangup"] = lambda h: [
                f"Response: Error\r\nActionID: {h['ActionID']}\r\nMessage: No such channel\r\n\r\n".encode()
            ]
            with pytest.raises(NoSuchChannel):
                await sw.hangup(caller, HangupCause.CALL_REJECTED)
            assert fake.actions[-1]["Cause"] == "21"
            fake.script_recorded(path, "Redirect", 0)  # success, then the recorded Dial and hangups
            await sw.redirect(caller, Destination("agents", "1001"))
            sent = fake.actions[-1]
            assert (sent["Channel"], sent["Context"], sent["Exten"], sent["Priority"]) == (
                "PJSIP/trunk-00000006",
                "agents",
                "1001",
                "1",
            )
            await until(lambda: any(isinstance(e, ChannelHungUp) for e in seen))
            with pytest.raises(NoSuchChannel):
                await sw.hold(caller)

    run(scenario)


def test_commands_while_disconnected_raise_switch_not_connected() -> None:
    async def scenario() -> None:
        async with fake_ami() as fake, switch_on(fake) as (sw, seen):
            fake.channels = []
            fake.push(events_after(fixture("ami-06a"), "Login"))
            await until(lambda: len(sw.tracker.channels) == 1)
            (caller,) = sw.tracker.channels
            fake.banner = False
            fake.kill()
            await until(lambda: any(isinstance(e, SwitchDisconnected) for e in seen))
            with pytest.raises(SwitchNotConnected):
                await sw.hangup(caller)
            with pytest.raises(SwitchNotConnected):
                await sw.channels()

    run(scenario)


def test_ami_drop_mid_call_reconnects_resyncs_and_loses_nothing() -> None:
    """The connection drops mid-call; meanwhile the agent leg hangs up.
    After the reconnect the dead leg is reported, the live caller kept."""

    async def scenario() -> None:
        path = fixture("ami-03-")
        async with fake_ami() as fake, switch_on(fake) as (sw, seen):
            fake.push(between(path, "start sipp caller", "during the call"))
            await until(lambda: any(isinstance(e, ChannelsBridged) for e in seen))
            caller, agent = "1795337887.0", "1795337895.1"
            fake.channels = [core_show_channel(path, caller)]  # the agent leg died during the gap
            fake.kill()
            await until(lambda: len(of_type(seen, SwitchResynced)) == 2)
            tail = seen[[type(e) for e in seen].index(SwitchDisconnected) :]
            assert [type(e) for e in tail] == [SwitchDisconnected, SwitchConnected, ChannelHungUp, SwitchResynced]
            hung = tail[2]
            assert isinstance(hung, ChannelHungUp)
            assert (hung.channel, hung.cause, hung.cause_text) == (agent, 0, CAUSE_GONE_WHILE_DISCONNECTED)
            resynced = tail[3]
            assert isinstance(resynced, SwitchResynced)
            assert [c.channel for c in resynced.channels] == [caller]
            assert resynced.channels[0].endpoint == "PJSIP/trunk" and resynced.channels[0].bridge_id
            assert sw.connected and fake.logins == 2

    run(scenario)


def test_asterisk_restart_reports_every_call_hung_up_switch_restarted() -> None:
    async def scenario() -> None:
        path = fixture("ami-03-")
        async with fake_ami() as fake, switch_on(fake) as (sw, seen):
            fake.push(between(path, "start sipp caller", "during the call"))
            await until(lambda: any(isinstance(e, ChannelsBridged) for e in seen))
            restart = between(fixture("ami-11"), "core restart now", "EOF 0.033")
            assert b"Restart: True" in restart
            fake.channels = []
            fake.startup = "09:01:37"
            fake.banner = False  # the first reconnect is reset before the banner, as recorded
            fake.push(restart)
            await asyncio.sleep(0.01)
            fake.kill()
            await until(lambda: fake.connections >= 3)
            fake.banner = True
            await until(lambda: len(of_type(seen, SwitchResynced)) == 2)
            disconnected = of_type(seen, SwitchDisconnected)[0]
            assert isinstance(disconnected, SwitchDisconnected) and "shut down (restart)" in disconnected.reason
            hung = [e for e in of_type(seen, ChannelHungUp) if isinstance(e, ChannelHungUp)]
            assert {(h.channel, h.cause_text) for h in hung} == {
                ("1795337887.0", CAUSE_SWITCH_RESTARTED),
                ("1795337895.1", CAUSE_SWITCH_RESTARTED),
            }
            assert sw.tracker.channels == {}

    run(scenario)


def test_restart_without_shutdown_event_is_told_by_core_status() -> None:
    async def scenario() -> None:
        path = fixture("ami-03-")
        async with fake_ami() as fake, switch_on(fake) as (sw, seen):
            fake.push(between(path, "start sipp caller", "during the call"))
            await until(lambda: any(isinstance(e, ChannelsBridged) for e in seen))
            fake.channels = []
            fake.startup = "10:00:00"  # a crash: no Shutdown, a new start time
            fake.kill()
            await until(lambda: len(of_type(seen, SwitchResynced)) == 2)
            texts = {e.cause_text for e in of_type(seen, ChannelHungUp) if isinstance(e, ChannelHungUp)}
            assert texts == {CAUSE_SWITCH_RESTARTED}

    run(scenario)


def test_handler_failure_does_not_break_the_connection(caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        async with fake_ami() as fake:
            seen: list[AmiEvent] = []

            def handler(event: AmiEvent) -> None:
                seen.append(event)
                if isinstance(event, Newchannel):
                    raise RuntimeError("boom")

            client = AmiClient(settings(fake.port), on_event=handler)
            await client.start()
            fake.push(between(fixture("ami-09"), "call 1", "call 2"))
            await until(lambda: any(isinstance(e, Hangup) for e in seen))
            assert client.connected
            await client.stop()

    with caplog.at_level(logging.ERROR):
        run(scenario)
    assert "handler failed on Newchannel" in caplog.text


def test_keepalive_drops_a_silent_connection() -> None:
    async def scenario() -> None:
        async with fake_ami() as fake:
            fake.script("Ping", 3.0)  # the first keepalive goes unanswered
            down: list[str] = []
            client = AmiClient(
                settings(fake.port, ping_interval=0.05, action_timeout=0.2),
                on_event=lambda e: None,
                on_disconnected=down.append,
            )
            await client.start()
            await until(lambda: fake.logins == 2)
            assert down
            await client.stop()

    run(scenario)


def test_logoff_closes_and_no_reconnect_follows() -> None:
    async def scenario() -> None:
        async with fake_ami() as fake:
            client = AmiClient(settings(fake.port), on_event=lambda e: None)
            await client.start()
            await client.stop()
            await asyncio.sleep(0.1)
            assert fake.connections == 1 and fake.actions[-1]["Action"] == "Logoff"

    run(scenario)
