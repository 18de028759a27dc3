"""What Asterisk's channels and bridges look like, kept from AMI events, and
the port events they mean.

:class:`ChannelTracker` is the pure part of the adapter: ``apply(event, at)``
updates the picture and returns the port events (``ChannelCreated``,
``ChannelHungUp`` ...) to hand to the service, no I/O. The replay tests
drive it straight from capture files.

Which channels the service hears about ("reported" channels):

* inbound calls: the first channel (``Uniqueid == Linkedid``) created in an
  entry context: ``ChannelCreated`` on ``Newchannel``, ``ChannelAnswered``
  on ``Newstate`` Up;
* channels the service originated (their ``Uniqueid`` is the id it chose,
  sent as ``ChannelId``): ``OriginateResult`` from ``OriginateResponse``,
  matched by ``ActionID`` because a failed originate has no channel;
* any channel bridged with a reported one (a queue member's leg, say).

For those: ``DtmfReceived`` (``DTMFEnd`` received), ``ChannelsBridged``
(once a bridge holds two or more), ``RecordingFinished`` (``MixMonitorStop``
or the hangup of a recorded channel) and ``ChannelHungUp`` with the Q.850
cause. Everything else (dialplan noise, ``Local`` helper legs) only updates
the picture.

After a reconnect, :meth:`ChannelTracker.resync` compares the channels
Asterisk lists with the ones known before the gap and reports those that
died meanwhile as hung up, with a cause text saying why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from callcenter.telephony.asterisk import events as ami
from callcenter.telephony.port import (
    ChannelAnswered,
    ChannelCreated,
    ChannelHungUp,
    ChannelId,
    ChannelInfo,
    ChannelsBridged,
    ChannelState,
    DtmfReceived,
    HangupCause,
    OriginateFailure,
    OriginateResult,
    RecordingFinished,
    SwitchEvent,
)

_log = logging.getLogger(__name__)

UP = 6
UNKNOWN_IDS = frozenset({"", "<unknown>"})

ORIGINATE_FAILURES: dict[int, OriginateFailure] = {
    0: OriginateFailure.UNREACHABLE,
    1: OriginateFailure.HUNGUP,
    3: OriginateFailure.NO_ANSWER,
    5: OriginateFailure.BUSY,
    8: OriginateFailure.CONGESTION,
}
"""OriginateResponse ``Reason`` (an ``AST_CONTROL_*`` value) -> why it
failed. 4 (answered) is success; anything unlisted counts as unreachable."""

CAUSE_SWITCH_RESTARTED = "switch restarted"
CAUSE_GONE_WHILE_DISCONNECTED = "hung up while the switch was disconnected"


def endpoint_of(channel_name: str) -> str:
    """The endpoint a channel belongs to: ``PJSIP/1001-00000011`` ->
    ``PJSIP/1001``; ``Local/talk5@sim-00000003;1`` -> ``Local/talk5@sim``."""
    base = channel_name.split(";", 1)[0]
    head, sep, tail = base.rpartition("-")
    return head if sep and head and "/" in head else base


def state_of(code: int) -> ChannelState:
    """Asterisk ``ChannelState`` -> the port's three states."""
    if code == UP:
        return ChannelState.UP
    if code in (4, 5):  # Ring (inbound), Ringing (outbound)
        return ChannelState.RINGING
    return ChannelState.DOWN


def _number(value: str) -> str | None:
    return None if value in UNKNOWN_IDS else value


@dataclass(slots=True)
class Channel:
    """A live channel as the adapter knows it."""

    uniqueid: str
    name: str
    linkedid: str
    state: int
    caller_number: str | None
    exten: str
    context: str
    bridge: str | None = None
    reported: bool = False
    inbound: bool = False
    answered_reported: bool = False
    recording: str | None = None
    recording_started: float | None = None

    def info(self) -> ChannelInfo:
        """The port's view of it."""
        return ChannelInfo(
            channel=self.uniqueid,
            linkedid=self.linkedid,
            endpoint=endpoint_of(self.name),
            state=state_of(self.state),
            caller_number=self.caller_number,
            bridge_id=self.bridge,
        )


@dataclass(slots=True)
class _Originate:
    channel: ChannelId
    endpoint: str


@dataclass(slots=True)
class ChannelTracker:
    """Channels, bridges, recordings and pending originates, from AMI events.

    Args:
        entry_contexts: Dialplan contexts where inbound calls start.
    """

    entry_contexts: frozenset[str]
    channels: dict[str, Channel] = field(default_factory=dict)
    by_name: dict[str, str] = field(default_factory=dict)
    bridges: dict[str, list[str]] = field(default_factory=dict)
    device_states: dict[str, str] = field(default_factory=dict)
    """Device -> state (``PJSIP/1001`` -> ``NOT_INUSE``), from
    DeviceStateChange and the resync's DeviceStateList."""
    originates: dict[str, _Originate] = field(default_factory=dict)
    """ActionID -> the originate it belongs to."""
    expected: set[str] = field(default_factory=set)
    """Channel ids the service originated whose Newchannel is not in yet."""
    wanted_recordings: dict[str, str] = field(default_factory=dict)
    """Channel id -> file asked for; becomes the channel's recording on MixMonitorStart."""
    stale: set[str] | None = None
    """During a resync: the channels known before the gap and not heard of since."""
    gone_in_gap: set[str] = field(default_factory=set)
    """Channels hung up after the gap began (a resync list may still show them)."""
    shutdown_seen: bool = False

    # --- the service's own actions ------------------------------------------

    def expect_originate(self, action_id: str, channel: ChannelId, endpoint: str) -> None:
        """Note an originate about to be sent with ``ChannelId = channel``."""
        self.originates[action_id] = _Originate(channel, endpoint)
        self.expected.add(channel)

    def forget_originate(self, action_id: str) -> None:
        """The Originate action itself failed: no OriginateResponse will come."""
        pending = self.originates.pop(action_id, None)
        if pending is not None:
            self.expected.discard(pending.channel)

    def expect_recording(self, channel: ChannelId, file: str) -> None:
        """Note the file a MixMonitor about to start on ``channel`` writes."""
        self.wanted_recordings[channel] = file

    def name_of(self, channel: ChannelId) -> str | None:
        """The channel name AMI actions need, or None if the channel is unknown."""
        known = self.channels.get(channel)
        return known.name if known is not None else None

    def live(self) -> tuple[ChannelInfo, ...]:
        """Every live channel, in creation order."""
        return tuple(ch.info() for ch in self.channels.values())

    # --- events -------------------------------------------------------------

    def apply(self, event: ami.AmiEvent, at: float) -> list[SwitchEvent]:
        """Update the picture with one AMI event.

        Args:
            event: A typed AMI event, in wire order.
            at: The clock time to stamp port events with.

        Returns:
            The port events it means (often none).
        """
        handler = _HANDLERS.get(type(event))
        if handler is None:
            return []
        return handler(self, event, at)

    def _touch(self, uniqueid: str) -> None:
        if self.stale is not None:
            self.stale.discard(uniqueid)

    def _on_newchannel(self, event: ami.AmiEvent, at: float) -> list[SwitchEvent]:
        assert isinstance(event, ami.Newchannel)
        snap = event.snapshot
        uid = snap.uniqueid
        self._touch(uid)
        channel = Channel(uid, snap.channel, snap.linkedid, snap.state, _number(snap.caller_id_num), snap.exten, snap.context)
        self.channels[uid] = channel
        self.by_name[snap.channel] = uid
        if uid in self.expected:
            self.expected.discard(uid)
            channel.reported = True
            return []
        if snap.context in self.entry_contexts and uid == snap.linkedid:
            channel.reported = channel.inbound = True
            return [
                ChannelCreated(
                    channel=uid,
                    linkedid=snap.linkedid,
                    caller_number=channel.caller_number,
                    called_number=snap.exten,
                    at=at,
                    caller_name=_number(snap.caller_id_name),
                )
            ]
        return []

    def _on_newstate(self, event: ami.AmiEvent, at: float) -> list[SwitchEvent]:
        assert isinstance(event, ami.Newstate)
        snap = event.snapshot
        channel = self.channels.get(snap.uniqueid)
        if channel is None:
            return []
        self._touch(snap.uniqueid)
        channel.state = snap.state
        if snap.caller_id_num not in UNKNOWN_IDS and channel.caller_number is None:
            channel.caller_number = snap.caller_id_num
        if snap.state == UP and channel.inbound and not channel.answered_reported:
            channel.answered_reported = True
            return [ChannelAnswered(snap.uniqueid, at)]
        return []

    def _on_rename(self, event: ami.AmiEvent, at: float) -> list[SwitchEvent]:
        assert isinstance(event, ami.Rename)
        channel = self.channels.get(event.uniqueid)
        if channel is not None:
            self.by_name.pop(channel.name, None)
            channel.name = event.new_name
            self.by_name[event.new_name] = event.uniqueid
        return []

    def _on_hangup(self, event: ami.AmiEvent, at: float) -> list[SwitchEvent]:
        assert isinstance(event, ami.Hangup)
        uid = event.snapshot.uniqueid
        self._touch(uid)
        channel = self.channels.pop(uid, None)
        if channel is None:
            return []
        return self._gone(channel, event.cause, event.cause_txt or HangupCause.UNKNOWN.text, at)

    def _gone(self, channel: Channel, cause: int, text: str, at: float) -> list[SwitchEvent]:
        if self.stale is not None:
            self.gone_in_gap.add(channel.uniqueid)
        if self.by_name.get(channel.name) == channel.uniqueid:
            del self.by_name[channel.name]
        self.wanted_recordings.pop(channel.uniqueid, None)
        self.expected.discard(channel.uniqueid)
        if channel.bridge is not None:
            members = self.bridges.get(channel.bridge)
            if members is not None and channel.uniqueid in members:
                members.remove(channel.uniqueid)
        out: list[SwitchEvent] = []
        if channel.recording is not None:
            out.append(self._finish_recording(channel, at))
        if channel.reported:
            out.append(ChannelHungUp(channel.uniqueid, cause, text, at))
        return out

    def _finish_recording(self, channel: Channel, at: float) -> RecordingFinished:
        started = channel.recording_started
        file = channel.recording or ""
        channel.recording = channel.recording_started = None
        return RecordingFinished(channel.uniqueid, file, at, None if started is None else max(0.0, at - started))

    def _on_originate_response(self, event: ami.AmiEvent, at: float) -> list[SwitchEvent]:
        assert isinstance(event, ami.OriginateResponse)
        pending = self.originates.pop(event.action_id, None)
        if pending is None:
            return []
        self.expected.discard(pending.channel)
        if event.success:
            return [OriginateResult(pending.channel, True, at)]
        failure = ORIGINATE_FAILURES.get(event.reason, OriginateFailure.UNREACHABLE)
        return [OriginateResult(pending.channel, False, at, failure)]

    def _on_bridge_enter(self, event: ami.AmiEvent, at: float) -> list[SwitchEvent]:
        assert isinstance(event, ami.BridgeEnter)
        uid = event.snapshot.uniqueid
        self._touch(uid)
        members = self.bridges.setdefault(event.bridge_id, [])
        if uid not in members:
            members.append(uid)
        channel = self.channels.get(uid)
        if channel is not None:
            channel.bridge = event.bridge_id
        return self._bridged(event.bridge_id, members, at)

    def _bridged(self, bridge_id: str, members: list[str], at: float) -> list[SwitchEvent]:
        if len(members) < 2:
            return []
        known = [self.channels[m] for m in members if m in self.channels]
        if not any(ch.reported for ch in known):
            return []
        for ch in known:
            ch.reported = True
        return [ChannelsBridged(bridge_id, tuple(members), at)]

    def _on_bridge_leave(self, event: ami.AmiEvent, at: float) -> list[SwitchEvent]:
        assert isinstance(event, ami.BridgeLeave)
        uid = event.snapshot.uniqueid
        self._touch(uid)
        members = self.bridges.get(event.bridge_id)
        if members is not None and uid in members:
            members.remove(uid)
        channel = self.channels.get(uid)
        if channel is not None and channel.bridge == event.bridge_id:
            channel.bridge = None
        return []

    def _on_bridge_destroy(self, event: ami.AmiEvent, at: float) -> list[SwitchEvent]:
        assert isinstance(event, ami.BridgeDestroy)
        self.bridges.pop(event.bridge_id, None)
        return []

    def _on_dtmf_end(self, event: ami.AmiEvent, at: float) -> list[SwitchEvent]:
        assert isinstance(event, ami.DtmfEnd)
        if event.direction != "Received":
            return []
        channel = self.channels.get(event.snapshot.uniqueid)
        if channel is None or not channel.reported:
            return []
        return [DtmfReceived(channel.uniqueid, event.digit, at, event.duration_ms)]

    def _on_mixmonitor_start(self, event: ami.AmiEvent, at: float) -> list[SwitchEvent]:
        assert isinstance(event, ami.MixMonitorStart)
        channel = self.channels.get(event.snapshot.uniqueid)
        if channel is None:
            return []
        file = self.wanted_recordings.pop(channel.uniqueid, None)
        if file is not None or channel.recording is None:
            channel.recording = file if file is not None else ""
            channel.recording_started = at
        return []

    def _on_mixmonitor_stop(self, event: ami.AmiEvent, at: float) -> list[SwitchEvent]:
        assert isinstance(event, ami.MixMonitorStop)
        channel = self.channels.get(event.snapshot.uniqueid)
        if channel is None or channel.recording is None:
            return []
        return [self._finish_recording(channel, at)]

    def _on_varset(self, event: ami.AmiEvent, at: float) -> list[SwitchEvent]:
        assert isinstance(event, ami.VarSet)
        if event.variable == "MIXMONITOR_FILENAME":
            # Asterisk's resolved path beats the one asked for (relative names).
            channel = self.channels.get(event.snapshot.uniqueid)
            if channel is not None:
                if event.snapshot.uniqueid in self.wanted_recordings:
                    self.wanted_recordings[event.snapshot.uniqueid] = event.value
                elif channel.recording is not None:
                    channel.recording = event.value
        return []

    def _on_device_state(self, event: ami.AmiEvent, at: float) -> list[SwitchEvent]:
        assert isinstance(event, ami.DeviceStateChange)
        self.device_states[event.device] = event.state
        return []

    def _on_shutdown(self, event: ami.AmiEvent, at: float) -> list[SwitchEvent]:
        self.shutdown_seen = True
        return []

    # --- reconnect ----------------------------------------------------------

    def begin_gap(self) -> None:
        """The connection dropped: from now on the picture may be stale."""
        if self.stale is None:
            self.stale = set(self.channels)
            self.gone_in_gap = set()

    def resync(
        self, listed: Iterable[ami.CoreShowChannel], at: float, *, restarted: bool = False
    ) -> tuple[list[SwitchEvent], tuple[ChannelInfo, ...]]:
        """Reconcile with a fresh ``CoreShowChannels`` after a reconnect.

        Channels known before the gap that are neither listed nor heard of
        since died meanwhile: reported ones get ``ChannelHungUp`` (cause 0,
        text ``switch restarted`` or ``hung up while the switch was
        disconnected``), their recordings ``RecordingFinished``; pending
        originates whose channel is gone get ``OriginateResult`` failures.
        Listed channels update state, names and bridges; an inbound call
        that arrived during the gap gets its ``ChannelCreated`` now.

        Args:
            listed: The items of ``CoreShowChannels``.
            at: The clock time.
            restarted: Asterisk restarted (``Shutdown`` seen, or its start
                time changed): all earlier channels are certainly gone.

        Returns:
            The port events to emit, then the live channels for
            ``SwitchResynced``.
        """
        stale = self.stale if self.stale is not None else set()
        self.stale = None
        gone, self.gone_in_gap = self.gone_in_gap, set()
        restarted = restarted or self.shutdown_seen
        self.shutdown_seen = False
        items = [item for item in listed if item.snapshot.uniqueid not in gone]
        listed_ids = {item.snapshot.uniqueid for item in items}
        text = CAUSE_SWITCH_RESTARTED if restarted else CAUSE_GONE_WHILE_DISCONNECTED
        out: list[SwitchEvent] = []
        for uid in [u for u in self.channels if u in stale and (restarted or u not in listed_ids)]:
            channel = self.channels.pop(uid)
            out.extend(self._gone(channel, int(HangupCause.UNKNOWN), text, at))
        for action_id, pending in list(self.originates.items()):
            if pending.channel not in self.channels and pending.channel not in listed_ids:
                del self.originates[action_id]
                self.expected.discard(pending.channel)
                out.append(OriginateResult(pending.channel, False, at, OriginateFailure.HUNGUP))
        self.bridges = {}
        for item in items:
            snap = item.snapshot
            known = self.channels.get(snap.uniqueid)
            if known is None:
                out.extend(self._on_newchannel(ami.Newchannel(snap), at))
            channel = self.channels[snap.uniqueid]
            if channel.name != snap.channel:
                self.by_name.pop(channel.name, None)
                channel.name = snap.channel
                self.by_name[snap.channel] = snap.uniqueid
            channel.state = snap.state
            if snap.state == UP and channel.inbound and not channel.answered_reported:
                channel.answered_reported = True
                out.append(ChannelAnswered(snap.uniqueid, at))
            channel.bridge = item.bridge_id or None
            if channel.bridge is not None:
                self.bridges.setdefault(channel.bridge, []).append(snap.uniqueid)
        for bridge_id, members in self.bridges.items():
            if len(members) >= 2 and any(self.channels[m].reported for m in members):
                for m in members:
                    self.channels[m].reported = True
        return out, self.live()


_HANDLERS: dict[type, Callable[[ChannelTracker, ami.AmiEvent, float], list[SwitchEvent]]] = {
    ami.Newchannel: ChannelTracker._on_newchannel,
    ami.Newstate: ChannelTracker._on_newstate,
    ami.Rename: ChannelTracker._on_rename,
    ami.Hangup: ChannelTracker._on_hangup,
    ami.OriginateResponse: ChannelTracker._on_originate_response,
    ami.BridgeEnter: ChannelTracker._on_bridge_enter,
    ami.BridgeLeave: ChannelTracker._on_bridge_leave,
    ami.BridgeDestroy: ChannelTracker._on_bridge_destroy,
    ami.DtmfEnd: ChannelTracker._on_dtmf_end,
    ami.MixMonitorStart: ChannelTracker._on_mixmonitor_start,
    ami.MixMonitorStop: ChannelTracker._on_mixmonitor_stop,
    ami.VarSet: ChannelTracker._on_varset,
    ami.DeviceStateChange: ChannelTracker._on_device_state,
    ami.Shutdown: ChannelTracker._on_shutdown,
}
