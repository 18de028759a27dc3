"""Loopback: the FastAGI server (panoramisk's Application) against a fake
Asterisk that replays recorded sessions (agi-01, agi-02), the switch's
prompt and digit commands, and the IVR executor."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from typing import Any

import pytest

from callcenter.telephony.asterisk.client import AmiSettings
from callcenter.telephony.asterisk.errors import AgiCommandFailed, AgiHangup
from callcenter.telephony.asterisk.fastagi import AgiReply, AgiSession, FastAgiServer, parse_reply, quote
from callcenter.telephony.asterisk.ivr_agi import is_switch_effect, perform
from callcenter.telephony.asterisk.switch import AsteriskSettings, AsteriskSwitch
from callcenter.telephony.port import DigitsResult, InvalidCommand
from ivr import effects as fx
from ivr.events import CallerHungUp, DigitsReceived, DigitTimeout, PromptFinished
from ivr.model import Prompt
from tests.integration.asterisk.fakes import AgiScript, FakeAmi, FakeAsteriskAgi, fixture

AGI_01 = AgiScript.load(fixture("agi-01"))
AGI_02 = AgiScript.load(fixture("agi-02"))
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=timezone.utc)


def run(coro: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(asyncio.wait_for(coro(), 20))


async def serve_one(
    script: Callable[[AgiSession], Awaitable[None]], fake: FakeAsteriskAgi, **kwargs: Any
) -> list[str]:
    server = FastAgiServer("127.0.0.1", 0, scripts=("ivr", "slow"), on_session=script)
    await server.start()
    try:
        return await fake.run(server.bound_port, **kwargs)
    finally:
        await server.stop()


def test_replies_parse_as_recorded() -> None:
    assert parse_reply("200 result=1 (yes)") == AgiReply(200, "1", "yes", (), "200 result=1 (yes)")
    missing = parse_reply("200 result=-1 endpos=0")
    assert (missing.value, missing.get("endpos")) == (-1, "0")
    full = parse_reply("200 result=1 (15551230001|5000|PJSIP/trunk-00000000)")
    assert full.data == "15551230001|5000|PJSIP/trunk-00000000"
    assert parse_reply("200 result= (timeout)").result == "" and parse_reply("200 result= (timeout)").data == "timeout"
    assert parse_reply("510 Invalid or unknown command").code == 510
    assert parse_reply("HANGUP").code == 0
    assert quote('say "hi" \\ now') == '"say \\"hi\\" \\\\ now"'
    with pytest.raises(ValueError):
        quote("two\nlines")


def test_agi_01_session_replays_with_typed_replies() -> None:
    results: dict[str, Any] = {}

    async def ivr(session: AgiSession) -> None:
        assert session.script == "ivr" and session.channel_id == "1795337887.0"
        assert session.channel_name == "PJSIP/trunk-00000000"
        assert session.env["agi_accountcode"] == ""
        for command, _ in AGI_01.exchanges[:-2]:
            results[command] = await session.command(command)
        for command, _ in AGI_01.exchanges[-2:]:
            with pytest.raises(AgiCommandFailed) as info:
                await session.command(command)
            results[command] = info.value

    fake = FakeAsteriskAgi(AGI_01)
    commands = asyncio.run(asyncio.wait_for(serve_one(ivr, fake), 10))
    assert commands == [c for c, _ in AGI_01.exchanges] and not fake.mismatches
    assert fake.closed_by_server  # the script ended: back to the dialplan
    assert results["CHANNEL STATUS"].value == 6
    assert results["GET VARIABLE IVR_STARTED"].data == "yes"
    assert results["GET VARIABLE NO_SUCH_VARIABLE"].data is None
    assert results['STREAM FILE lab/no-such-prompt ""'].get("endpos") == "0"
    assert chr(results["WAIT FOR DIGIT 10000"].value) == "1"
    assert results["GET DATA lab/beep 6000 3"].result == "23"
    assert results["DATABASE GET cclab lastcaller"].data == "15551230001"
    invalid = results["THIS IS NOT A COMMAND"]
    assert isinstance(invalid, AgiCommandFailed) and invalid.code == 510
    usage = results["WAIT FOR DIGIT"]
    assert isinstance(usage, AgiCommandFailed) and usage.code == 520
    assert "<replaceable>timeout</replaceable>" in usage.text and usage.text.endswith("End of proper usage.")


def test_agi_02_async_hangup_line_does_not_shift_replies() -> None:
    seen: dict[str, Any] = {}

    async def slow(session: AgiSession) -> None:
        await session.command("ANSWER")
        await session.command('VERBOSE "FastAGI slow script: waiting for the caller to hang up" 1')
        seen["wait"] = await session.command("WAIT FOR DIGIT 15000")
        seen["verbose"] = await session.command('VERBOSE "still here after hangup?" 1')
        seen["hung_up"] = session.hung_up
        seen["channel"] = await session.command("GET VARIABLE CHANNEL")
        with pytest.raises(AgiHangup, match="dead channel"):
            await session.command("CHANNEL STATUS")

    fake = FakeAsteriskAgi(AGI_02)
    asyncio.run(asyncio.wait_for(serve_one(slow, fake), 10))
    assert not fake.mismatches
    assert seen["wait"].value == -1
    assert seen["verbose"].result == "1"  # the reply, not the HANGUP line before it
    assert seen["hung_up"] is True
    assert seen["channel"].data == "PJSIP/trunk-00000016"


def test_peer_closing_before_its_environment_is_survived() -> None:
    async def scenario() -> None:
        served: list[str] = []

        async def ivr(session: AgiSession) -> None:
            served.append(session.channel_id)

        server = FastAgiServer("127.0.0.1", 0, on_session=ivr)
        await server.start()
        try:
            for partial in (b"", b"agi_network: yes\nagi_netw"):
                reader, writer = await asyncio.open_connection("127.0.0.1", server.bound_port)
                writer.write(partial)
                await writer.drain()
                writer.close()
                await writer.wait_closed()
            # An unknown script is refused and closed.
            other = FakeAsteriskAgi(AGI_01, env={"agi_network_script": "nosuch"})
            assert await other.run(server.bound_port) == [] and other.closed_by_server
            fake = FakeAsteriskAgi(AGI_01, strict=False)
            await fake.run(server.bound_port)
            assert served == ["1795337887.0"]
        finally:
            await server.stop()

    run(scenario)


def test_session_ends_when_the_socket_closes() -> None:
    async def scenario() -> None:
        server = FastAgiServer("127.0.0.1", 0)
        await server.start()
        try:
            fake = FakeAsteriskAgi(AGI_01, strict=False)
            client = asyncio.create_task(fake.run(server.bound_port, hang_up_after=1))
            session = await server.session_for("1795337887.0", 5)
            assert session is not None
            await session.command("ANSWER")
            await client
            await asyncio.wait_for(session.finished.wait(), 5)
            with pytest.raises(AgiHangup):
                await session.command("NOOP")
            assert server.get("1795337887.0") is None
        finally:
            await server.stop()

    run(scenario)


# --- through the switch -------------------------------------------------------


def test_switch_answer_play_collect_then_hold_ends_the_session() -> None:
    async def scenario() -> None:
        ami = FakeAmi()
        await ami.start()
        ami.handlers["Redirect"] = lambda h: [
            f"Response: Success\r\nActionID: {h['ActionID']}\r\nMessage: Redirect successful\r\n\r\n".encode()
        ]
        sw = AsteriskSwitch(
            AsteriskSettings(
                ami=AmiSettings(port=ami.port, username="cc", secret="secret", ping_interval=0),
                agi_port=0,
                entry_contexts=("from-trunk",),
            )
        )
        await sw.start()
        try:
            # The caller's channel as AMI announced it (ami-03 is the AMI side of agi-01).
            from tests.integration.asterisk.fakes import between

            ami.push(between(fixture("ami-03-"), "start sipp caller", "during the call").split(b"Event: QueueCallerJoin")[0])
            caller = "1795337887.0"
            fake = FakeAsteriskAgi(AGI_01, strict=False, replies={"STREAM FILE": b"200 result=0 endpos=2000\n"})
            asterisk = asyncio.create_task(fake.run(sw.agi.bound_port))
            await sw.answer(caller)
            await sw.play(caller, "lab/beep")
            assert await sw.collect_digits(caller, "lab/beep", 3, 6.0) == DigitsResult("23")
            assert await sw.collect_digits(caller, "", 1, 10.0) == DigitsResult("1")
            with pytest.raises(InvalidCommand):
                await sw.collect_digits(caller, "lab/beep", 0, 1.0)
            await sw.hold(caller)
            assert (ami.actions[-1]["Action"], ami.actions[-1]["Context"]) == ("Redirect", "cc-hold")
            await asyncio.wait_for(asterisk, 5)
            assert fake.closed_by_server  # AGI ended after the redirect was accepted
            assert fake.commands[:3] == ["ANSWER", 'STREAM FILE lab/beep ""', "GET DATA lab/beep 6000 3"]
            assert fake.commands[3].startswith("WAIT FOR DIGIT ") and len(fake.commands) == 4
        finally:
            await sw.stop()
            await ami.stop()

    run(scenario)


def test_switch_collect_digits_reports_a_caller_gone() -> None:
    async def scenario() -> None:
        ami = FakeAmi()
        await ami.start()
        sw = AsteriskSwitch(
            AsteriskSettings(
                ami=AmiSettings(port=ami.port, username="cc", secret="secret", ping_interval=0),
                agi_port=0,
                agi_scripts=("ivr", "slow"),
            )
        )
        await sw.start()
        try:
            fake = FakeAsteriskAgi(
                AGI_02,
                strict=False,
                replies={"GET DATA": b"200 result=-1\n", "CHANNEL STATUS": b"HANGUP\n511 Command Not Permitted\n"},
            )
            asterisk = asyncio.create_task(fake.run(sw.agi.bound_port))
            result = await sw.collect_digits("1795338086.42", "lab/beep", 4, 5.0)
            assert result == DigitsResult("", hung_up=True)
            await sw.play("1795338086.42", "lab/beep")  # quietly nothing: the caller is gone
            await sw.agi.get("1795338086.42").close()  # type: ignore[union-attr]
            await asterisk
        finally:
            await sw.stop()
            await ami.stop()

    run(scenario)


# --- the IVR executor -----------------------------------------------------------


def _executor_session(
    replies: dict[str, bytes], effects: list[fx.Effect], script: AgiScript = AGI_01
) -> tuple[list[Any], list[str]]:
    out: list[Any] = []

    async def ivr(session: AgiSession) -> None:
        for effect in effects:
            out.append(await perform(session, effect, lambda: NOW))

    fake = FakeAsteriskAgi(script, strict=False, replies=replies)
    commands = asyncio.run(asyncio.wait_for(serve_one(ivr, fake), 10))
    return out, commands


def test_executor_maps_effects_to_agi_and_replies_to_events() -> None:
    beep = Prompt(file="lab/beep")
    effects: list[fx.Effect] = [
        fx.Play(beep),
        fx.CollectDigits(beep, max_digits=3, timeout_s=6.0),
        fx.CollectDigits(beep, max_digits=2, timeout_s=6.0),
        fx.SetVariable("IVR_CHOICE", "23"),
        fx.EnterQueue("support", skills=(("billing", 2),), priority=3, customer_id="c-7", ivr_path=("main", "menu")),
    ]
    out, commands = _executor_session(
        {"STREAM FILE": b"200 result=0 endpos=2000\n", "GET DATA": b"200 result= (timeout)\n"}, effects[:2]
    )
    assert out == [PromptFinished(NOW), DigitTimeout(NOW)]
    out, commands = _executor_session({"STREAM FILE": b"200 result=0 endpos=2000\n"}, effects)
    assert out == [PromptFinished(NOW), DigitsReceived("23", NOW), DigitsReceived("23", NOW), None, None]
    assert commands == [
        'STREAM FILE lab/beep ""',
        "GET DATA lab/beep 6000 3",
        "GET DATA lab/beep 6000 2",
        'SET VARIABLE IVR_CHOICE "23"',
        'SET VARIABLE CC_QUEUE "support"',
        'SET VARIABLE CC_PRIORITY "3"',
        'SET VARIABLE CC_SKILLS "billing:2"',
        'SET VARIABLE CC_CUSTOMER "c-7"',
        'SET VARIABLE CC_IVR_PATH "main/menu"',
    ]


def test_executor_other_terminator_uses_stream_file_and_wait_for_digit() -> None:
    effect = fx.CollectDigits(Prompt(file="lab/beep"), max_digits=4, timeout_s=10.0, terminator="*")
    replies = {"STREAM FILE": b"200 result=52 endpos=800\n", "WAIT FOR DIGIT": b"200 result=42\n"}
    out, commands = _executor_session(replies, [effect])
    assert out == [DigitsReceived("4", NOW)]  # "4" interrupted the prompt, then "*" ended it
    assert commands[0] == 'STREAM FILE lab/beep "0123456789*#"'
    assert commands[1].startswith("WAIT FOR DIGIT ")


def test_executor_ending_effects() -> None:
    effects: list[fx.Effect] = [fx.Voicemail("sales"), fx.Transfer("+4930123"), fx.Hangup()]
    out, commands = _executor_session({"HANGUP": b"200 result=1\n"}, effects)
    assert out == [None, None, None]
    assert commands == ['EXEC VoiceMail "sales,u"', 'EXEC Dial "PJSIP/+4930123@trunk"', "HANGUP"]


def test_executor_caller_hanging_up_in_a_prompt() -> None:
    replies = {"WAIT FOR DIGIT": b"200 result=-1\n", "CHANNEL STATUS": b"511 Command Not Permitted on a dead channel\n"}
    effect = fx.CollectDigits(None, max_digits=1, timeout_s=15.0)
    out, commands = _executor_session(replies, [effect], AGI_02)
    assert out == [CallerHungUp(NOW)]
    assert commands[-1] == "CHANNEL STATUS"


def test_executor_missing_prompt_file_is_not_a_hangup() -> None:
    out, commands = _executor_session(
        {"STREAM FILE": b"200 result=-1 endpos=0\n", "CHANNEL STATUS": b"200 result=6\n"},
        [fx.Play(Prompt(file="lab/no-such-prompt"))],
    )
    assert out == [PromptFinished(NOW)]
    assert commands == ['STREAM FILE lab/no-such-prompt ""', "CHANNEL STATUS"]


def test_service_effects_are_not_the_switch_s() -> None:
    lookup = fx.Lookup("crm", "15551230001")
    assert not is_switch_effect(lookup) and is_switch_effect(fx.Hangup())

    async def ivr(session: AgiSession) -> None:
        with pytest.raises(InvalidCommand):
            await perform(session, lookup, lambda: NOW)

    asyncio.run(asyncio.wait_for(serve_one(ivr, FakeAsteriskAgi(AGI_01, strict=False)), 10))


def test_hangup_while_idle_ends_the_session() -> None:
    async def scenario() -> None:
        server = FastAgiServer("127.0.0.1", 0, scripts=("slow",))
        await server.start()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", server.bound_port)
            writer.write(AGI_02.env)
            await writer.drain()
            session = await server.session_for("1795338086.42", 5)
            assert session is not None
            writer.write(b"HANGUP\n")  # the caller left while nobody was talking to the channel
            await writer.drain()
            await asyncio.wait_for(session.finished.wait(), 5)
            assert session.hung_up and await asyncio.wait_for(reader.read(), 5) == b""  # AGI ends
            writer.close()
            await writer.wait_closed()
        finally:
            await server.stop()

    run(scenario)


def test_ami_hangup_closes_the_channel_s_agi_session() -> None:
    async def scenario() -> None:
        from tests.integration.asterisk.fakes import between

        ami = FakeAmi()
        await ami.start()
        sw = AsteriskSwitch(
            AsteriskSettings(
                ami=AmiSettings(port=ami.port, username="cc", secret="secret", ping_interval=0),
                agi_port=0,
                entry_contexts=("from-trunk",),
            )
        )
        await sw.start()
        try:
            fake = FakeAsteriskAgi(AGI_01, strict=False)
            asterisk = asyncio.create_task(fake.run(sw.agi.bound_port))
            session = await sw.agi.session_for("1795337887.0", 5)
            assert session is not None
            ami.push(between(fixture("ami-03-"), "start sipp caller", "sipp caller exit"))
            await asyncio.wait_for(session.finished.wait(), 5)
            await asyncio.wait_for(asterisk, 5)
            assert fake.closed_by_server and sw.agi.get("1795337887.0") is None
        finally:
            await sw.stop()
            await ami.stop()

    run(scenario)
