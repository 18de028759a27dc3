"""The channel tracker's resync after a reconnect, and its small helpers."""

from __future__ import annotations

from callcenter.telephony.asterisk import events as ami
from callcenter.telephony.asterisk.tracker import (
    CAUSE_GONE_WHILE_DISCONNECTED,
    CAUSE_SWITCH_RESTARTED,
    ChannelTracker,
    endpoint_of,
    state_of,
)
from callcenter.telephony.port import (
    ChannelAnswered,
    ChannelCreated,
    ChannelHungUp,
    ChannelState,
    OriginateFailure,
    OriginateResult,
    RecordingFinished,
)


def snap(
    uid: str, name: str, state: int = 6, context: str = "cc-inbound", linked: str | None = None
) -> ami.ChannelSnapshot:
    return ami.ChannelSnapshot(name, uid, linked or uid, state, "", "5550001", "Caller", "", context, "100")


def listed(s: ami.ChannelSnapshot, bridge: str = "") -> ami.CoreShowChannel:
    return ami.CoreShowChannel(s, "MusicOnHold", bridge, "00:00:05")


def tracker_with_call() -> tuple[ChannelTracker, ami.ChannelSnapshot, ami.ChannelSnapshot]:
    t = ChannelTracker(frozenset({"cc-inbound"}))
    caller = snap("1.1", "PJSIP/trunk-00000001")
    agent = snap("agent-1", "PJSIP/1001-00000002", context="cc-agent")
    t.apply(ami.Newchannel(snap("1.1", caller.channel, state=4)), 0.0)
    assert t.apply(ami.Newstate(caller), 0.5) == [ChannelAnswered("1.1", 0.5)]
    t.expect_originate("a-1", "agent-1", "PJSIP/1001")
    t.apply(ami.Newchannel(agent), 1.0)
    t.apply(ami.OriginateResponse("a-1", True, 4, agent.channel, "agent-1"), 2.0)
    t.apply(ami.BridgeEnter("br-1", caller, 1), 3.0)
    t.apply(ami.BridgeEnter("br-1", agent, 2), 3.0)
    return t, caller, agent


def test_helpers() -> None:
    assert endpoint_of("PJSIP/1001-00000011") == "PJSIP/1001"
    assert endpoint_of("Local/talk5@sim-00000003;1") == "Local/talk5@sim"
    assert endpoint_of("PJSIP/trunk-0000000a") == "PJSIP/trunk"
    assert endpoint_of("Bogus") == "Bogus"
    assert [state_of(s) for s in (0, 4, 5, 6)] == [
        ChannelState.DOWN,
        ChannelState.RINGING,
        ChannelState.RINGING,
        ChannelState.UP,
    ]


def test_nothing_lost_when_everything_survived_the_gap() -> None:
    t, caller, agent = tracker_with_call()
    t.begin_gap()
    out, live = t.resync([listed(caller, "br-1"), listed(agent, "br-1")], 10.0)
    assert out == []
    assert [(c.channel, c.bridge_id, c.endpoint) for c in live] == [
        ("1.1", "br-1", "PJSIP/trunk"),
        ("agent-1", "br-1", "PJSIP/1001"),
    ]
    assert t.bridges == {"br-1": ["1.1", "agent-1"]}


def test_channels_that_died_in_the_gap_are_reported() -> None:
    t, caller, agent = tracker_with_call()
    t.expect_recording("1.1", "/rec/1.wav")
    t.apply(ami.MixMonitorStart(caller), 4.0)
    t.begin_gap()
    out, live = t.resync([listed(agent)], 10.0)
    assert out == [
        RecordingFinished("1.1", "/rec/1.wav", 10.0, 6.0),
        ChannelHungUp("1.1", 0, CAUSE_GONE_WHILE_DISCONNECTED, 10.0),
    ]
    assert [c.channel for c in live] == ["agent-1"] and live[0].bridge_id is None


def test_restart_reports_every_earlier_channel() -> None:
    t, caller, agent = tracker_with_call()
    t.apply(ami.Shutdown(True, "Cleanly"), 5.0)
    t.begin_gap()
    out, live = t.resync([], 10.0)
    assert {(e.channel, e.cause_text) for e in out if isinstance(e, ChannelHungUp)} == {
        ("1.1", CAUSE_SWITCH_RESTARTED),
        ("agent-1", CAUSE_SWITCH_RESTARTED),
    }
    assert live == () and t.channels == {} and t.by_name == {}
    assert not t.shutdown_seen  # consumed by this resync


def test_a_channel_hung_up_while_the_list_was_read_is_not_revived() -> None:
    t, caller, agent = tracker_with_call()
    t.begin_gap()
    hung = t.apply(ami.Hangup(agent, 16, "Normal Clearing"), 9.0)  # arrives after its list item
    assert hung == [ChannelHungUp("agent-1", 16, "Normal Clearing", 9.0)]
    out, live = t.resync([listed(caller, "br-1"), listed(agent, "br-1")], 10.0)
    assert out == [] and [c.channel for c in live] == ["1.1"]


def test_a_call_that_arrived_in_the_gap_is_announced() -> None:
    t, caller, agent = tracker_with_call()
    t.begin_gap()
    new = snap("2.2", "PJSIP/trunk-00000003")
    local = snap("3.3", "Local/x@y-00000001;2", context="cc-inbound", linked="2.2")
    out, live = t.resync([listed(caller, "br-1"), listed(agent, "br-1"), listed(new), listed(local)], 10.0)
    assert out == [
        ChannelCreated("2.2", "2.2", "5550001", "100", 10.0, "Caller"),
        ChannelAnswered("2.2", 10.0),
    ]
    assert len(live) == 4


def test_an_originate_whose_result_was_lost_and_whose_channel_is_gone() -> None:
    t = ChannelTracker(frozenset({"cc-inbound"}))
    t.expect_originate("a-9", "agent-9", "PJSIP/1002")
    t.begin_gap()
    out, _ = t.resync([], 10.0)
    assert out == [OriginateResult("agent-9", False, 10.0, OriginateFailure.HUNGUP)]
    assert t.originates == {} and t.expected == set()


def test_rename_follows_the_new_name() -> None:
    t, caller, _ = tracker_with_call()
    t.apply(ami.Rename("1.1", caller.channel, "PJSIP/trunk-00000001<ZOMBIE>"), 5.0)
    assert t.name_of("1.1") == "PJSIP/trunk-00000001<ZOMBIE>"
    assert t.by_name["PJSIP/trunk-00000001<ZOMBIE>"] == "1.1"
