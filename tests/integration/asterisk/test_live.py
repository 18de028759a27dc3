"""Live: the adapter against a real Asterisk 20 or 22.

Skipped unless ``CALLCENTER_TEST_AMI`` names one
(``tcp://callcenter:<secret>@<host>:5038``). The FastAGI scenario also needs
``CALLCENTER_TEST_AGI``: the ``host:port`` this process binds for FastAGI,
which Asterisk's ``CC_AGI`` global must point at. Asterisk needs the
dialplan of ``config/asterisk/extensions.conf`` (only its contexts are
used: the calls here are Local channels, no SIP phone is needed) and the
AMI user of ``config/asterisk/manager.conf``. Run them with
``scripts/live-asterisk-check``; docs/asterisk.md explains the setup.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace

import pytest

from callcenter.telephony.asterisk.client import AmiClient, AmiSettings
from callcenter.telephony.asterisk.errors import AmiLoginFailed
from callcenter.telephony.asterisk.switch import AsteriskSettings, AsteriskSwitch
from callcenter.telephony.port import (
    ChannelHungUp,
    ChannelsBridged,
    OriginateFailure,
    OriginateRequest,
    OriginateResult,
    RecordingFinished,
    SwitchConnected,
    SwitchDisconnected,
    SwitchEvent,
    SwitchResynced,
)

AMI_URL = os.environ.get("CALLCENTER_TEST_AMI", "")
AGI_ADDRESS = os.environ.get("CALLCENTER_TEST_AGI", "")

pytestmark = pytest.mark.skipif(not AMI_URL, reason="CALLCENTER_TEST_AMI not set: live Asterisk level skipped")


def ami_settings() -> AmiSettings:
    return replace(AmiSettings.from_url(AMI_URL), ping_interval=5.0, backoff_initial=0.2, backoff_max=2.0)


def run(coro: Callable[[], Awaitable[None]], timeout: float = 60.0) -> None:
    asyncio.run(asyncio.wait_for(coro(), timeout))


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@asynccontextmanager
async def live_switch(**changes: object) -> AsyncIterator[tuple[AsteriskSwitch, list[SwitchEvent]]]:
    host, _, port = (AGI_ADDRESS or "127.0.0.1:0").rpartition(":")
    settings = AsteriskSettings(ami=ami_settings(), agi_host=host or "127.0.0.1", agi_port=int(port or 0))
    switch = AsteriskSwitch(replace(settings, **changes))  # type: ignore[arg-type]
    seen: list[SwitchEvent] = []

    async def consume() -> None:
        async for event in switch.events():
            seen.append(event)

    await switch.start()
    task = asyncio.create_task(consume())
    try:
        yield switch, seen
    finally:
        await switch.stop()
        await task


async def until(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(0.05)

    await asyncio.wait_for(poll(), timeout)


def results(seen: list[SwitchEvent], channel: str) -> list[OriginateResult]:
    return [e for e in seen if isinstance(e, OriginateResult) and e.channel == channel]


def test_live_login_ping_and_a_refused_secret() -> None:
    async def scenario() -> None:
        client = AmiClient(ami_settings(), on_event=lambda e: None)
        await client.start()
        try:
            assert (await client.action("Ping")).get("Ping") == "Pong"
            assert client.version is not None
        finally:
            await client.stop()
        wrong = AmiClient(replace(ami_settings(), secret="not-" + uuid.uuid4().hex), on_event=lambda e: None)
        with pytest.raises(AmiLoginFailed, match="Authentication failed"):
            await wrong.start()

    run(scenario)


def test_live_start_resyncs_and_lists_channels() -> None:
    async def scenario() -> None:
        async with live_switch() as (switch, seen):
            await until(lambda: any(isinstance(e, SwitchResynced) for e in seen))
            assert isinstance(seen[0], SwitchConnected)
            listed = await switch.channels()
            assert isinstance(listed, tuple)

    run(scenario)


def test_live_originate_bridge_record_hang_up() -> None:
    """Two Local legs answered in cc-selftest stand in for a caller and an agent."""

    async def scenario() -> None:
        async with live_switch() as (switch, seen):
            await until(lambda: any(isinstance(e, SwitchResynced) for e in seen))
            a, b = unique("live-a"), unique("live-b")
            for channel in (a, b):
                request = OriginateRequest(channel, "Local/answer@cc-selftest/n", "5550100", "Live test", 10.0)
                await switch.originate(request)
            await until(lambda: bool(results(seen, a)) and bool(results(seen, b)))
            assert results(seen, a)[0].success and results(seen, b)[0].success
            await switch.bridge(a, b)
            await until(lambda: any(isinstance(e, ChannelsBridged) and a in e.channels for e in seen))
            await switch.start_recording(a, f"{a}.wav")
            await asyncio.sleep(1.0)
            await switch.pause_recording(a, True)
            await switch.pause_recording(a, False)
            await switch.stop_recording(a)
            await until(lambda: any(isinstance(e, RecordingFinished) and e.channel == a for e in seen))
            finished = next(e for e in seen if isinstance(e, RecordingFinished))
            assert finished.file.endswith(f"{a}.wav")
            await switch.hangup(a)
            await until(lambda: any(isinstance(e, ChannelHungUp) and e.channel == a for e in seen))
            # The bridge's other side goes too (Asterisk's Bridge action does so).
            await until(lambda: any(isinstance(e, ChannelHungUp) and e.channel == b for e in seen))

    run(scenario)


def test_live_ring_timeout_is_no_answer() -> None:
    """cc-selftest,ring rings and never answers: the originate times out."""

    async def scenario() -> None:
        async with live_switch() as (switch, seen):
            leg = unique("live-rona")
            await switch.originate(OriginateRequest(leg, "Local/ring@cc-selftest/n", timeout_s=2.0))
            await until(lambda: bool(results(seen, leg)))
            result = results(seen, leg)[0]
            assert not result.success and result.failure is OriginateFailure.NO_ANSWER
            bogus = unique("live-bogus")
            await switch.originate(OriginateRequest(bogus, "Bogus/nothing"))
            await until(lambda: bool(results(seen, bogus)))
            assert results(seen, bogus)[0].failure is OriginateFailure.UNREACHABLE

    run(scenario)


def test_live_reconnect_resyncs_without_losing_live_channels() -> None:
    async def scenario() -> None:
        async with live_switch() as (switch, seen):
            await until(lambda: any(isinstance(e, SwitchResynced) for e in seen))
            leg = unique("live-keep")
            await switch.originate(OriginateRequest(leg, "Local/answer@cc-selftest/n", timeout_s=10.0))
            await until(lambda: bool(results(seen, leg)))
            switch.ami.drop_connection()
            await until(lambda: sum(isinstance(e, SwitchResynced) for e in seen) >= 2)
            assert any(isinstance(e, SwitchDisconnected) for e in seen)
            last = [e for e in seen if isinstance(e, SwitchResynced)][-1]
            assert leg in [c.channel for c in last.channels]
            assert not any(isinstance(e, ChannelHungUp) and e.channel == leg for e in seen)
            await switch.hangup(leg)

    run(scenario)


@pytest.mark.skipif(bool(AMI_URL) and not AGI_ADDRESS, reason="CALLCENTER_TEST_AGI not set: live FastAGI scenario skipped")
def test_live_fastagi_answer_play_collect_hold() -> None:
    """A Local channel into cc-inbound reaches our FastAGI server like a caller."""

    async def scenario() -> None:
        async with live_switch() as (switch, seen):
            await until(lambda: any(isinstance(e, SwitchResynced) for e in seen))
            caller_side = unique("live-ivr")
            await switch.ami.action(
                "Originate",
                {
                    "Channel": "Local/5000@cc-inbound",
                    "Application": "Wait",
                    "Data": "30",
                    "Async": "true",
                    "ChannelId": unique("live-ivr-peer"),
                    "OtherChannelId": caller_side,
                },
            )
            await switch.answer(caller_side)  # waits for the AGI session
            await switch.play(caller_side, "beep")
            digits = await switch.collect_digits(caller_side, "beep", 4, 1.0)
            assert digits.digits == "" and digits.timed_out and not digits.hung_up
            await switch.hold(caller_side)
            assert switch.agi.get(caller_side) is None
            listed = {c.channel for c in await switch.channels()}
            assert caller_side in listed
            await switch.hangup(caller_side)

    run(scenario)
