"""The AMI parser on recorded streams and on damaged input."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from callcenter.telephony.asterisk.capture import Note, Received, Sent, connections, read_steps, received_bytes
from callcenter.telephony.asterisk.events import KNOWN_EVENTS
from callcenter.telephony.asterisk.protocol import AmiParser, encode_action

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "asterisk"
AMI_CAPTURES = sorted(FIXTURES.glob("ami-*.log"))


def _messages(data: bytes, chunk: int | None = None, parser: AmiParser | None = None) -> list[dict[str, str]]:
    parser = parser or AmiParser()
    out: list[dict[str, str]] = []
    step = chunk or len(data) or 1
    for i in range(0, len(data), step):
        out.extend(m.headers for m in parser.feed(data[i : i + step]))
    return out


def test_there_are_captures() -> None:
    assert len(AMI_CAPTURES) == 17


@pytest.mark.parametrize("path", AMI_CAPTURES, ids=lambda p: p.stem)
def test_every_capture_parses_whole(path: Path) -> None:
    data = received_bytes(path)
    parser = AmiParser()
    messages = parser.feed(data)
    blocks = [b for b in data.split(b"\r\n\r\n") if b.strip()]
    assert len(messages) == len(blocks)
    assert parser.malformed == 0
    assert parser.pending == len(data.rsplit(b"\r\n\r\n", 1)[1])
    assert parser.version == "11.0.0"
    assert all(m.event is not None or m.response is not None for m in messages)


@pytest.mark.parametrize("chunk", [1, 7, 100, 4096])
def test_chunking_does_not_change_the_messages(chunk: int) -> None:
    data = received_bytes(FIXTURES / "ami-03-inbound-queue-call.log")
    assert _messages(data, chunk) == _messages(data)


def test_banner_glued_to_the_first_response() -> None:
    parser = AmiParser()
    (login, *_rest) = parser.feed(received_bytes(FIXTURES / "ami-01-login-status.log"))
    assert parser.version == "11.0.0"
    assert login.headers == {"Response": "Success", "ActionID": "cc-001", "Message": "Authentication accepted"}


def test_command_output_keeps_every_line() -> None:
    messages = AmiParser().feed(received_bytes(FIXTURES / "ami-10-command.log"))
    queue_show = next(m for m in messages if m.action_id == "cc-004")
    lines = queue_show.values("Output")
    assert lines[0].startswith("support has 0 calls")
    assert lines[1:] == ["   No Members", "   No Callers", ""]
    unknown = [m for m in messages if m.response == "Error"]
    assert any(m.get("Message") == "No command provided" for m in unknown)


def test_skipped_events_are_not_parsed_but_counted() -> None:
    data = received_bytes(FIXTURES / "ami-03-inbound-queue-call.log")
    everything = AmiParser().feed(data)
    parser = AmiParser(KNOWN_EVENTS - {"VarSet"})
    kept = parser.feed(data)
    assert parser.skipped == sum(1 for m in everything if m.event is not None and m.event not in KNOWN_EVENTS) + sum(
        1 for m in everything if m.event == "VarSet"
    )
    assert [m.headers for m in kept] == [
        m.headers for m in everything if m.event is None or (m.event in KNOWN_EVENTS and m.event != "VarSet")
    ]


def test_tagged_list_items_are_parsed_even_when_unwanted() -> None:
    data = received_bytes(FIXTURES / "ami-01-login-status.log")
    parser = AmiParser(frozenset({"Hangup"}))
    parser.tagged = True
    names = [m.event for m in parser.feed(data) if m.event]
    assert "QueueParams" in names and "QueueSummaryComplete" in names
    assert "FullyBooted" not in names  # untagged and unwanted


def test_varset_only_for_asked_variables() -> None:
    data = received_bytes(FIXTURES / "ami-07-mixmonitor.log")
    parser = AmiParser(frozenset(), ("MIXMONITOR_FILENAME", "CC_*"))
    kept = [m for m in parser.feed(data) if m.event == "VarSet"]
    assert [m.get("Variable") for m in kept] == ["CC_HOLD", "MIXMONITOR_FILENAME", "MIXMONITOR_FILENAME"]
    assert kept[1].get("Value") == "/var/spool/asterisk/monitor/cclab-rec-1795338045.30.wav"


def test_garbage_between_messages_is_skipped(caplog: pytest.LogCaptureFixture) -> None:
    parser = AmiParser()
    data = b"\x00\xff\xfe\x80 noise\r\n\r\n" + b"Event: Ping\r\nX: 1\r\n\r\n"
    with caplog.at_level(logging.DEBUG):
        messages = parser.feed(data)
    assert [m.headers for m in messages] == [{"Event": "Ping", "X": "1"}]
    assert parser.malformed >= 1


def test_garbage_glued_to_a_message_keeps_the_message() -> None:
    parser = AmiParser()
    (message,) = parser.feed(b"\x01\x02garbageEvent: Hangup\r\nUniqueid: 1.1\r\n\r\n")
    assert message.event == "Hangup"
    assert message.get("Uniqueid") == "1.1"


def test_a_line_without_a_colon_is_dropped_not_the_message() -> None:
    (message,) = AmiParser().feed(b"Event: Newstate\r\nthis line is damaged\r\nUniqueid: 9.9\r\n\r\n")
    assert message.headers == {"Event": "Newstate", "Uniqueid": "9.9"}


def test_truncated_block_waits_for_its_end() -> None:
    parser = AmiParser()
    assert parser.feed(b"Event: Hangup\r\nUniqueid: 1.") == []
    assert parser.pending > 0
    (message,) = parser.feed(b"5\r\nCause: 16\r\n\r\n")
    assert message.get("Uniqueid") == "1.5"
    assert parser.feed(b"Event: Newchannel\r\n") == []
    assert parser.reset() == len(b"Event: Newchannel\r\n")


def test_a_message_with_neither_event_nor_response_is_dropped() -> None:
    parser = AmiParser()
    assert parser.feed(b"Foo: bar\r\nBaz: 1\r\n\r\n") == []
    assert parser.malformed == 1


def test_invalid_utf8_is_replaced() -> None:
    (message,) = AmiParser().feed(b"Event: UserEvent\r\nUserEvent: x\r\nText: caf\xe9\r\n\r\n")
    assert message.get("Text") == "caf\ufffd"


def test_encode_action_repeats_sequence_headers_and_refuses_injection() -> None:
    data = encode_action("Originate", "a-1", {"Channel": "PJSIP/1001", "Variable": ["A=1", "B=2"]})
    assert data == b"Action: Originate\r\nActionID: a-1\r\nChannel: PJSIP/1001\r\nVariable: A=1\r\nVariable: B=2\r\n\r\n"
    with pytest.raises(ValueError):
        encode_action("Hangup", "a-2", {"Channel": "x\r\nAction: Logoff"})


def test_capture_reader_splits_steps_and_connections() -> None:
    path = FIXTURES / "ami-01b-failed-login.log"
    steps = read_steps(path)
    sent = [s for s in steps if isinstance(s, Sent)]
    assert [s.headers["Action"] for s in sent] == ["Ping", "CoreStatus", "Login", "Login", "Ping", "Logoff"]
    assert sent[2].headers["Secret"] == "<redacted>"
    assert any(isinstance(s, Note) and "closed by Asterisk" in s.text for s in steps)
    conns = connections(path)
    assert len(conns) == 2
    first_received = next(s for s in conns[1] if isinstance(s, Received))
    assert first_received.data.startswith(b"Asterisk Call Manager/11.0.0\r\n")
    assert b"".join(s.data for c in conns for s in c if isinstance(s, Received)) == received_bytes(path)
