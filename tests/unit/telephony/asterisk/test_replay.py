"""Replay: recorded AMI transcripts through parser, typed events and tracker.

Each test walks a capture in order; where the recorder sent an action the
adapter would have sent (Originate, MixMonitor), the tracker is told first,
exactly as the switch does before writing the action.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from callcenter.telephony.asterisk import events as ami
from callcenter.telephony.asterisk.capture import Received, Sent, read_steps, received_bytes
from callcenter.telephony.asterisk.protocol import AmiParser
from callcenter.telephony.asterisk.tracker import ChannelTracker
from callcenter.telephony.port import (
    ChannelAnswered,
    ChannelCreated,
    ChannelHungUp,
    ChannelsBridged,
    DtmfReceived,
    OriginateFailure,
    OriginateResult,
    RecordingFinished,
    SwitchEvent,
)

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "asterisk"
ENTRY = frozenset({"from-trunk"})


def typed(name: str) -> list[ami.AmiEvent]:
    parser = AmiParser()
    out = []
    for message in parser.feed(received_bytes(FIXTURES / name)):
        event = ami.translate(message)
        if event is not None:
            out.append(event)
    return out


def replay(
    name: str,
    tracker: ChannelTracker | None = None,
    on_action: Callable[[ChannelTracker, dict[str, str]], None] | None = None,
) -> list[SwitchEvent]:
    """Port events from a capture, calling ``on_action`` at each sent action."""
    tracker = tracker or ChannelTracker(ENTRY)
    parser = AmiParser(ami.KNOWN_EVENTS - {"VarSet"}, ("MIXMONITOR_FILENAME",))
    out: list[SwitchEvent] = []
    clock = 0.0
    for step in read_steps(FIXTURES / name):
        if isinstance(step, Sent) and on_action is not None:
            on_action(tracker, step.headers)
        elif isinstance(step, Received):
            clock = step.at
            for message in parser.feed(step.data):
                event = ami.translate(message)
                if event is not None:
                    out.extend(tracker.apply(event, clock))
    return out


def names(events: list[SwitchEvent]) -> list[str]:
    return [e.name for e in events]


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("ami-*.log")), ids=lambda p: p.stem)
def test_every_capture_translates_cleanly(path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        events = typed(path.name)
        replay(path.name)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert events  # FullyBooted at least
    assert isinstance(events[0], ami.FullyBooted)


def test_inbound_queue_call_created_answered_dtmf_bridged_hung_up() -> None:
    events = replay("ami-03-inbound-queue-call.log")
    caller, agent = "1795337887.0", "1795337895.1"
    assert names(events) == [
        "channel_created",
        "channel_answered",
        *["dtmf_received"] * 4,
        "channels_bridged",
        "channel_hung_up",
        "channel_hung_up",
    ]
    created = events[0]
    assert isinstance(created, ChannelCreated)
    assert (created.channel, created.linkedid, created.caller_number, created.called_number) == (
        caller,
        caller,
        "15551230001",
        "5000",
    )
    assert created.caller_name == "Lab Caller"
    assert created.at == pytest.approx(0.613)  # stamped with the clock: here, the capture time
    assert [e.digit for e in events if isinstance(e, DtmfReceived)] == ["1", "2", "3", "#"]
    bridged = events[6]
    assert isinstance(bridged, ChannelsBridged)
    assert bridged.channels == (agent, caller)
    hung = [e for e in events if isinstance(e, ChannelHungUp)]
    assert [(h.channel, h.cause, h.cause_text) for h in hung] == [
        (agent, 16, "Normal Clearing"),
        (caller, 16, "Normal Clearing"),
    ]


def test_inbound_queue_call_typed_queue_events_in_order() -> None:
    wanted = (ami.QueueCallerJoin, ami.AgentCalled, ami.DialBegin, ami.DialEnd, ami.QueueCallerLeave, ami.AgentConnect)
    order = [type(e) for e in typed("ami-03-inbound-queue-call.log") if isinstance(e, wanted)]
    assert order == list(wanted)
    complete = next(e for e in typed("ami-03-inbound-queue-call.log") if isinstance(e, ami.AgentComplete))
    assert complete.reason == "agent" and complete.talk_time > 0 and complete.interface == "PJSIP/1001"


def test_abandon_callers_hang_up_while_waiting() -> None:
    events = typed("ami-04-queue-abandon.log")
    abandons = [e for e in events if isinstance(e, ami.QueueCallerAbandon)]
    assert [(a.snapshot.uniqueid, a.position, a.original_position) for a in abandons] == [
        ("1795337937.10", 2, 2),
        ("1795337936.7", 1, 1),
    ]
    assert abandons[0].hold_time >= 5
    port = replay("ami-04-queue-abandon.log")
    hung = [e for e in port if isinstance(e, ChannelHungUp)]
    assert [h.channel for h in hung] == ["1795337937.10", "1795337936.7"]
    # Each caller was still waiting (no bridge) when it hung up.
    assert not any(isinstance(e, ChannelsBridged) for e in port)


def test_ring_no_answer_typed() -> None:
    events = typed("ami-03b-queue-ringnoanswer-local-agent.log")
    rna = next(e for e in events if isinstance(e, ami.AgentRingNoAnswer))
    assert rna.interface == "Local/noanswer@sim" and rna.ring_time_ms >= 10000
    dial_ends = [e for e in events if isinstance(e, ami.DialEnd) and e.dest.uniqueid == rna.dest.uniqueid]
    assert len(dial_ends) == 2  # Asterisk reports NOANSWER and CANCEL for the same leg


ORIGINATES = {
    "cc-002": ("cclab-orig-1", "Local/talk5@sim"),
    "cc-003": ("cclab-orig-2", "PJSIP/1001"),
    "cc-004": ("orig-3", "PJSIP/1003"),
    "cc-005": ("orig-4", "Local/noanswer@sim"),
    "cc-006": ("orig-5", "Bogus/xyz"),
}


def _expect_originates(tracker: ChannelTracker, headers: dict[str, str]) -> None:
    if headers.get("Action") == "Originate" and headers["ActionID"] in ORIGINATES:
        channel, endpoint = ORIGINATES[headers["ActionID"]]
        tracker.expect_originate(headers["ActionID"], channel, endpoint)


def test_originate_results_correlate_by_action_id() -> None:
    events = replay("ami-05-originate.log", on_action=_expect_originates)
    results = [e for e in events if isinstance(e, OriginateResult)]
    assert [(r.channel, r.success, r.failure) for r in results] == [
        ("cclab-orig-1", True, None),
        ("cclab-orig-2", True, None),
        ("orig-3", False, OriginateFailure.UNREACHABLE),
        ("orig-4", False, OriginateFailure.NO_ANSWER),
        ("orig-5", False, OriginateFailure.UNREACHABLE),
    ]
    hung = [(e.channel, e.cause) for e in events if isinstance(e, ChannelHungUp)]
    assert hung == [("cclab-orig-1", 16), ("cclab-orig-2", 0)]
    assert not any(isinstance(e, ChannelCreated) for e in events)  # originated legs are not inbound calls


def test_originate_response_typed_unknown_uniqueid_is_none() -> None:
    responses = [e for e in typed("ami-05-originate.log") if isinstance(e, ami.OriginateResponse)]
    assert [(r.action_id, r.success, r.reason, r.uniqueid) for r in responses] == [
        ("cc-002", True, 4, "cclab-orig-1"),
        ("cc-003", True, 4, "cclab-orig-2"),
        ("cc-004", False, 0, None),
        ("cc-005", False, 3, None),
        ("cc-006", False, 0, None),
    ]


def test_bridge_action_held_caller_and_agent() -> None:
    def expect(tracker: ChannelTracker, headers: dict[str, str]) -> None:
        if headers.get("Action") == "Originate":
            tracker.expect_originate(headers["ActionID"], headers["ChannelId"], headers["Channel"])

    tracker = ChannelTracker(ENTRY)
    events = replay("ami-06b-bridge.log", tracker, expect)
    caller, agent = "1795337989.20", "cclab-agent-f2"
    assert names(events) == [
        "channel_created",
        "channel_answered",
        "originate_result",
        "channels_bridged",
        "channel_hung_up",
        "channel_hung_up",
    ]
    bridged = events[3]
    assert isinstance(bridged, ChannelsBridged) and bridged.channels == (caller, agent)
    assert [(e.channel, e.cause) for e in events if isinstance(e, ChannelHungUp)] == [(agent, 16), (caller, 16)]
    assert tracker.channels == {} and tracker.bridges == {}


def test_mixmonitor_reports_each_recording_with_its_file() -> None:
    caller = "1795338045.30"

    def on_action(tracker: ChannelTracker, headers: dict[str, str]) -> None:
        if headers.get("Action") == "Originate":
            tracker.expect_originate(headers["ActionID"], headers["ChannelId"], headers["Channel"])
        if headers.get("Action") == "MixMonitor":
            tracker.expect_recording(caller, headers["File"])

    events = replay("ami-07-mixmonitor.log", on_action=on_action)
    recordings = [e for e in events if isinstance(e, RecordingFinished)]
    # The relative name comes back as Asterisk resolved it (VarSet MIXMONITOR_FILENAME).
    assert [(r.channel, r.file) for r in recordings] == [
        (caller, "/var/spool/asterisk/monitor/cclab-rec-1795338045.30.wav"),
        (caller, "lab/recordings/cclab-abs-1795338045.30.wav"),
    ]
    first, second = recordings
    assert first.duration_s == pytest.approx(5.0, abs=0.1)
    assert second.duration_s == pytest.approx(2.0, abs=0.1)
    mute = next(e for e in typed("ami-07-mixmonitor.log") if isinstance(e, ami.MixMonitorMute))
    assert (mute.direction, mute.muted) == ("read", True)


def test_recording_ends_with_its_channel() -> None:
    tracker = ChannelTracker(ENTRY)
    snap = ami.ChannelSnapshot("PJSIP/trunk-1", "9.1", "9.1", 6, "Up", "100", "", "", "from-trunk", "5000")
    tracker.apply(ami.Newchannel(snap), 0.0)
    tracker.expect_recording("9.1", "/rec/a.wav")
    tracker.apply(ami.MixMonitorStart(snap), 1.0)
    out = tracker.apply(ami.Hangup(snap, 16, "Normal Clearing"), 4.0)
    assert out == [RecordingFinished("9.1", "/rec/a.wav", 4.0, 3.0), ChannelHungUp("9.1", 16, "Normal Clearing", 4.0)]


def test_chanspy_start_stop_typed_and_spy_leg_reported() -> None:
    def on_action(tracker: ChannelTracker, headers: dict[str, str]) -> None:
        if headers.get("Action") == "Originate":
            tracker.expect_originate(headers["ActionID"], headers["ChannelId"], headers["Channel"])

    spies = [e for e in typed("ami-08-chanspy.log") if isinstance(e, (ami.ChanSpyStart, ami.ChanSpyStop))]
    assert [type(s) for s in spies] == [ami.ChanSpyStart, ami.ChanSpyStop]
    start = spies[0]
    assert isinstance(start, ami.ChanSpyStart)
    assert (start.spyer.uniqueid, start.spyee.channel) == ("cclab-spy-h", "PJSIP/1001-00000011")
    events = replay("ami-08-chanspy.log", on_action=on_action)
    results = [(e.channel, e.success) for e in events if isinstance(e, OriginateResult)]
    assert results == [("cclab-agent-h", True), ("cclab-spy-h", True)]
    assert ("cclab-spy-h", 0) in [(e.channel, e.cause) for e in events if isinstance(e, ChannelHungUp)]


def test_dtmf_rfc4733_and_sip_info_digits() -> None:
    events = replay("ami-09-dtmf.log")
    digits: dict[str, str] = {}
    for e in events:
        if isinstance(e, DtmfReceived):
            digits[e.channel] = digits.get(e.channel, "") + e.digit
    assert digits == {"1795338132.0": "1234", "1795338137.1": "5678"}
    begins = [e for e in typed("ami-09-dtmf.log") if isinstance(e, ami.DtmfBegin)]
    assert len(begins) == 4  # SIP INFO sends DTMFEnd only


def test_transfers_typed() -> None:
    blind = next(e for e in typed("ami-06d-blindtransfer.log") if isinstance(e, ami.BlindTransfer))
    assert (blind.result, blind.context, blind.extension) == ("Success", "sim", "talk5")
    attended = next(e for e in typed("ami-06c-atxfer.log") if isinstance(e, ami.AttendedTransfer))
    assert attended.result == "Success"


def test_device_and_contact_states() -> None:
    tracker = ChannelTracker(ENTRY)
    states = []
    for e in typed("ami-02-queue-members.log"):
        tracker.apply(e, 0.0)
        if isinstance(e, ami.DeviceStateChange) and e.device == "PJSIP/1001":
            states.append(e.state)
    assert "UNAVAILABLE" in states and states[-1] == "NOT_INUSE"
    assert tracker.device_states["PJSIP/1001"] == "NOT_INUSE"
    contacts = [(e.endpoint, e.status) for e in typed("ami-02-queue-members.log") if isinstance(e, ami.ContactStatus)]
    assert contacts[0] == ("1001", "Removed")


def test_shutdown_restart_then_stop() -> None:
    events = typed("ami-11-reload-restart-shutdown.log")
    shutdowns = [e for e in events if isinstance(e, ami.Shutdown)]
    assert [(s.restart, s.how) for s in shutdowns] == [(True, "Cleanly"), (False, "Cleanly")]
    reloads = [e.module for e in events if isinstance(e, ami.Reload)]
    assert reloads == ["res_pjsip.so", "app_queue.so"]
    boots = [e.uptime for e in events if isinstance(e, ami.FullyBooted)]
    assert boots == [235, 0]


def test_agi_call_seen_from_ami() -> None:
    events = replay("ami-12-agi-hangup-during-agi.log")
    assert names(events) == ["channel_created", "channel_answered", "channel_hung_up"]
    assert isinstance(events[1], ChannelAnswered)


def test_damaged_known_event_is_dropped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    (message,) = AmiParser().feed(b"Event: Hangup\r\nChannel: PJSIP/x-1\r\n\r\n")  # no Uniqueid
    with caplog.at_level(logging.WARNING):
        assert ami.translate(message) is None
    assert "damaged Hangup" in caplog.text


def test_unknown_event_is_ignored() -> None:
    (message,) = AmiParser().feed(b"Event: SomethingNew\r\nFoo: 1\r\n\r\n")
    assert ami.translate(message) is None
