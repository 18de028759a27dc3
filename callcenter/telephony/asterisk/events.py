"""Typed AMI events: the adapter's edge between AMI headers and Python.

:func:`translate` turns an :class:`~.protocol.AmiMessage` into one of the
frozen dataclasses below, or None for an event the adapter does not use
(``Newexten``, ``Cdr``, ``RTCPSent`` ... are dropped here, named once in the
debug log). Field names follow Asterisk's headers in snake case so a reader
can match them to the AMI documentation; values are typed (ints for states,
causes and reasons). Nothing past ``callcenter/telephony/`` sees these: the
switch adapter turns them into the port's events.

A message that claims to be a known event but lacks a header the event
needs (a truncated or damaged block) is logged and dropped, never raised.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from callcenter.telephony.asterisk.protocol import AmiMessage

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChannelSnapshot:
    """The channel fields Asterisk repeats on every channel event.

    ``state`` is ``ChannelState`` (0 Down, 4 Ring, 5 Ringing, 6 Up ...).
    """

    channel: str
    uniqueid: str
    linkedid: str
    state: int
    state_desc: str
    caller_id_num: str
    caller_id_name: str
    connected_line_num: str
    context: str
    exten: str


def _snapshot(h: dict[str, str], prefix: str = "") -> ChannelSnapshot:
    return ChannelSnapshot(
        channel=h[prefix + "Channel"],
        uniqueid=h[prefix + "Uniqueid"],
        linkedid=h.get(prefix + "Linkedid", ""),
        state=int(h.get(prefix + "ChannelState") or 0),
        state_desc=h.get(prefix + "ChannelStateDesc", ""),
        caller_id_num=h.get(prefix + "CallerIDNum", ""),
        caller_id_name=h.get(prefix + "CallerIDName", ""),
        connected_line_num=h.get(prefix + "ConnectedLineNum", ""),
        context=h.get(prefix + "Context", ""),
        exten=h.get(prefix + "Exten", ""),
    )


def _optional_snapshot(h: dict[str, str], prefix: str = "") -> ChannelSnapshot | None:
    return _snapshot(h, prefix) if (prefix + "Uniqueid") in h else None


# --- channel life ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Newchannel:
    """A channel was created."""

    name: ClassVar[str] = "Newchannel"
    snapshot: ChannelSnapshot


@dataclass(frozen=True, slots=True)
class Newstate:
    """A channel changed state (Ringing, Up ...)."""

    name: ClassVar[str] = "Newstate"
    snapshot: ChannelSnapshot


@dataclass(frozen=True, slots=True)
class Rename:
    """A channel changed its name (masquerade)."""

    name: ClassVar[str] = "Rename"
    uniqueid: str
    channel: str
    new_name: str


@dataclass(frozen=True, slots=True)
class Hangup:
    """A channel is gone; ``cause`` is the Q.850 code."""

    name: ClassVar[str] = "Hangup"
    snapshot: ChannelSnapshot
    cause: int
    cause_txt: str


@dataclass(frozen=True, slots=True)
class DialBegin:
    """A dial started; ``caller`` is None for an Originate (no calling leg)."""

    name: ClassVar[str] = "DialBegin"
    caller: ChannelSnapshot | None
    dest: ChannelSnapshot
    dial_string: str


@dataclass(frozen=True, slots=True)
class DialEnd:
    """A dial ended with ``dial_status`` (ANSWER, NOANSWER, BUSY, CANCEL ...)."""

    name: ClassVar[str] = "DialEnd"
    caller: ChannelSnapshot | None
    dest: ChannelSnapshot
    dial_status: str


@dataclass(frozen=True, slots=True)
class OriginateResponse:
    """The outcome of an async Originate, tagged with its ``ActionID``.

    ``reason``: 0 failure (no contact, unknown technology), 1 hung up,
    3 no answer (ring timeout), 4 answered, 5 busy, 8 congestion.
    ``uniqueid`` is None when no channel was created (``<unknown>``).
    """

    name: ClassVar[str] = "OriginateResponse"
    action_id: str
    success: bool
    reason: int
    channel: str
    uniqueid: str | None


# --- bridges ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BridgeCreate:
    name: ClassVar[str] = "BridgeCreate"
    bridge_id: str
    bridge_type: str


@dataclass(frozen=True, slots=True)
class BridgeDestroy:
    name: ClassVar[str] = "BridgeDestroy"
    bridge_id: str


@dataclass(frozen=True, slots=True)
class BridgeEnter:
    """A channel joined a bridge; ``num_channels`` counts it."""

    name: ClassVar[str] = "BridgeEnter"
    bridge_id: str
    snapshot: ChannelSnapshot
    num_channels: int


@dataclass(frozen=True, slots=True)
class BridgeLeave:
    name: ClassVar[str] = "BridgeLeave"
    bridge_id: str
    snapshot: ChannelSnapshot
    num_channels: int


# --- media ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DtmfBegin:
    """A key went down (RFC 4733 only; SIP INFO gives DTMFEnd alone)."""

    name: ClassVar[str] = "DTMFBegin"
    snapshot: ChannelSnapshot
    digit: str
    direction: str


@dataclass(frozen=True, slots=True)
class DtmfEnd:
    """A key was released: the event to count digits on."""

    name: ClassVar[str] = "DTMFEnd"
    snapshot: ChannelSnapshot
    digit: str
    direction: str
    duration_ms: int


@dataclass(frozen=True, slots=True)
class MixMonitorStart:
    """Recording started (the event carries no file name)."""

    name: ClassVar[str] = "MixMonitorStart"
    snapshot: ChannelSnapshot


@dataclass(frozen=True, slots=True)
class MixMonitorStop:
    name: ClassVar[str] = "MixMonitorStop"
    snapshot: ChannelSnapshot


@dataclass(frozen=True, slots=True)
class MixMonitorMute:
    """``direction`` read (audio from the channel), write or both; ``muted``."""

    name: ClassVar[str] = "MixMonitorMute"
    snapshot: ChannelSnapshot
    direction: str
    muted: bool


@dataclass(frozen=True, slots=True)
class MusicOnHoldStart:
    name: ClassVar[str] = "MusicOnHoldStart"
    snapshot: ChannelSnapshot


@dataclass(frozen=True, slots=True)
class MusicOnHoldStop:
    name: ClassVar[str] = "MusicOnHoldStop"
    snapshot: ChannelSnapshot


@dataclass(frozen=True, slots=True)
class ChanSpyStart:
    name: ClassVar[str] = "ChanSpyStart"
    spyer: ChannelSnapshot
    spyee: ChannelSnapshot


@dataclass(frozen=True, slots=True)
class ChanSpyStop:
    """``spyee`` is None when the spied-on channel was already gone."""

    name: ClassVar[str] = "ChanSpyStop"
    spyer: ChannelSnapshot
    spyee: ChannelSnapshot | None


# --- transfers --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BlindTransfer:
    name: ClassVar[str] = "BlindTransfer"
    result: str
    transferer: ChannelSnapshot | None
    context: str
    extension: str


@dataclass(frozen=True, slots=True)
class AttendedTransfer:
    name: ClassVar[str] = "AttendedTransfer"
    result: str
    dest_type: str


# --- queues (app_queue; our engine does not use them, the lab did) ---------


@dataclass(frozen=True, slots=True)
class QueueCallerJoin:
    name: ClassVar[str] = "QueueCallerJoin"
    queue: str
    snapshot: ChannelSnapshot
    position: int


@dataclass(frozen=True, slots=True)
class QueueCallerLeave:
    name: ClassVar[str] = "QueueCallerLeave"
    queue: str
    snapshot: ChannelSnapshot


@dataclass(frozen=True, slots=True)
class QueueCallerAbandon:
    name: ClassVar[str] = "QueueCallerAbandon"
    queue: str
    snapshot: ChannelSnapshot
    position: int
    original_position: int
    hold_time: int


@dataclass(frozen=True, slots=True)
class AgentCalled:
    name: ClassVar[str] = "AgentCalled"
    queue: str
    interface: str
    member_name: str
    caller: ChannelSnapshot
    dest: ChannelSnapshot


@dataclass(frozen=True, slots=True)
class AgentConnect:
    name: ClassVar[str] = "AgentConnect"
    queue: str
    interface: str
    caller: ChannelSnapshot
    dest: ChannelSnapshot
    hold_time: int
    ring_time: int


@dataclass(frozen=True, slots=True)
class AgentComplete:
    """``reason``: agent, caller or transfer."""

    name: ClassVar[str] = "AgentComplete"
    queue: str
    interface: str
    caller: ChannelSnapshot
    dest: ChannelSnapshot
    reason: str
    talk_time: int


@dataclass(frozen=True, slots=True)
class AgentRingNoAnswer:
    name: ClassVar[str] = "AgentRingNoAnswer"
    queue: str
    interface: str
    caller: ChannelSnapshot
    dest: ChannelSnapshot
    ring_time_ms: int


# --- devices, system --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeviceStateChange:
    """``state``: NOT_INUSE, INUSE, BUSY, RINGING, ONHOLD, UNAVAILABLE ...
    Also the items of a ``DeviceStateList``."""

    name: ClassVar[str] = "DeviceStateChange"
    device: str
    state: str


@dataclass(frozen=True, slots=True)
class ContactStatus:
    """A PJSIP contact was added, removed, became reachable ..."""

    name: ClassVar[str] = "ContactStatus"
    aor: str
    endpoint: str
    uri: str
    status: str


@dataclass(frozen=True, slots=True)
class EndpointList:
    """One item of ``PJSIPShowEndpoints``: ``device_state`` as the CLI
    shows it (``Not in use``, ``Unavailable`` ...)."""

    name: ClassVar[str] = "EndpointList"
    endpoint: str
    device_state: str
    contacts: str
    active_channels: str


@dataclass(frozen=True, slots=True)
class VarSet:
    """A channel variable was set (only the variables the adapter asked for)."""

    name: ClassVar[str] = "VarSet"
    snapshot: ChannelSnapshot
    variable: str
    value: str


@dataclass(frozen=True, slots=True)
class UserEvent:
    """A dialplan ``UserEvent``; ``fields`` are the headers after the snapshot."""

    name: ClassVar[str] = "UserEvent"
    user_event: str
    snapshot: ChannelSnapshot | None
    fields: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class FullyBooted:
    """Sent after login; ``uptime`` (seconds) is None when absent."""

    name: ClassVar[str] = "FullyBooted"
    uptime: int | None


@dataclass(frozen=True, slots=True)
class Shutdown:
    """Asterisk is stopping; the connection closes next."""

    name: ClassVar[str] = "Shutdown"
    restart: bool
    how: str


@dataclass(frozen=True, slots=True)
class Reload:
    name: ClassVar[str] = "Reload"
    module: str
    status: str


@dataclass(frozen=True, slots=True)
class CoreShowChannel:
    """One item of ``CoreShowChannels``; ``bridge_id`` empty when unbridged."""

    name: ClassVar[str] = "CoreShowChannel"
    snapshot: ChannelSnapshot
    application: str
    bridge_id: str
    duration: str


@dataclass(frozen=True, slots=True)
class BridgeListItem:
    name: ClassVar[str] = "BridgeListItem"
    bridge_id: str
    bridge_type: str
    num_channels: int


@dataclass(frozen=True, slots=True)
class BridgeInfoChannel:
    name: ClassVar[str] = "BridgeInfoChannel"
    snapshot: ChannelSnapshot


AmiEvent = (
    Newchannel
    | Newstate
    | Rename
    | Hangup
    | DialBegin
    | DialEnd
    | OriginateResponse
    | BridgeCreate
    | BridgeDestroy
    | BridgeEnter
    | BridgeLeave
    | DtmfBegin
    | DtmfEnd
    | MixMonitorStart
    | MixMonitorStop
    | MixMonitorMute
    | MusicOnHoldStart
    | MusicOnHoldStop
    | ChanSpyStart
    | ChanSpyStop
    | BlindTransfer
    | AttendedTransfer
    | QueueCallerJoin
    | QueueCallerLeave
    | QueueCallerAbandon
    | AgentCalled
    | AgentConnect
    | AgentComplete
    | AgentRingNoAnswer
    | DeviceStateChange
    | ContactStatus
    | EndpointList
    | VarSet
    | UserEvent
    | FullyBooted
    | Shutdown
    | Reload
    | CoreShowChannel
    | BridgeListItem
    | BridgeInfoChannel
)


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


_SNAPSHOT_KEYS = frozenset(
    {
        "Event",
        "Privilege",
        "Channel",
        "ChannelState",
        "ChannelStateDesc",
        "CallerIDNum",
        "CallerIDName",
        "ConnectedLineNum",
        "ConnectedLineName",
        "Language",
        "AccountCode",
        "Context",
        "Exten",
        "Priority",
        "Uniqueid",
        "Linkedid",
        "UserEvent",
    }
)

_Translator = Callable[[dict[str, str]], AmiEvent]

TRANSLATORS: dict[str, _Translator] = {
    "Newchannel": lambda h: Newchannel(_snapshot(h)),
    "Newstate": lambda h: Newstate(_snapshot(h)),
    "Rename": lambda h: Rename(h["Uniqueid"], h["Channel"], h["Newname"]),
    "Hangup": lambda h: Hangup(_snapshot(h), _int(h.get("Cause")), h.get("Cause-txt", "")),
    "DialBegin": lambda h: DialBegin(_optional_snapshot(h), _snapshot(h, "Dest"), h.get("DialString", "")),
    "DialEnd": lambda h: DialEnd(_optional_snapshot(h), _snapshot(h, "Dest"), h.get("DialStatus", "")),
    "OriginateResponse": lambda h: OriginateResponse(
        h["ActionID"],
        h.get("Response") == "Success",
        _int(h.get("Reason")),
        h.get("Channel", ""),
        None if h.get("Uniqueid", "<unknown>") == "<unknown>" else h["Uniqueid"],
    ),
    "BridgeCreate": lambda h: BridgeCreate(h["BridgeUniqueid"], h.get("BridgeType", "")),
    "BridgeDestroy": lambda h: BridgeDestroy(h["BridgeUniqueid"]),
    "BridgeEnter": lambda h: BridgeEnter(h["BridgeUniqueid"], _snapshot(h), _int(h.get("BridgeNumChannels"))),
    "BridgeLeave": lambda h: BridgeLeave(h["BridgeUniqueid"], _snapshot(h), _int(h.get("BridgeNumChannels"))),
    "DTMFBegin": lambda h: DtmfBegin(_snapshot(h), h["Digit"], h.get("Direction", "")),
    "DTMFEnd": lambda h: DtmfEnd(_snapshot(h), h["Digit"], h.get("Direction", ""), _int(h.get("DurationMs"))),
    "MixMonitorStart": lambda h: MixMonitorStart(_snapshot(h)),
    "MixMonitorStop": lambda h: MixMonitorStop(_snapshot(h)),
    "MixMonitorMute": lambda h: MixMonitorMute(_snapshot(h), h.get("Direction", ""), h.get("State") == "1"),
    "MusicOnHoldStart": lambda h: MusicOnHoldStart(_snapshot(h)),
    "MusicOnHoldStop": lambda h: MusicOnHoldStop(_snapshot(h)),
    "ChanSpyStart": lambda h: ChanSpyStart(_snapshot(h, "Spyer"), _snapshot(h, "Spyee")),
    "ChanSpyStop": lambda h: ChanSpyStop(_snapshot(h, "Spyer"), _optional_snapshot(h, "Spyee")),
    "BlindTransfer": lambda h: BlindTransfer(
        h.get("Result", ""), _optional_snapshot(h, "Transferer"), h.get("Context", ""), h.get("Extension", "")
    ),
    "AttendedTransfer": lambda h: AttendedTransfer(h.get("Result", ""), h.get("DestType", "")),
    "QueueCallerJoin": lambda h: QueueCallerJoin(h["Queue"], _snapshot(h), _int(h.get("Position"))),
    "QueueCallerLeave": lambda h: QueueCallerLeave(h["Queue"], _snapshot(h)),
    "QueueCallerAbandon": lambda h: QueueCallerAbandon(
        h["Queue"], _snapshot(h), _int(h.get("Position")), _int(h.get("OriginalPosition")), _int(h.get("HoldTime"))
    ),
    "AgentCalled": lambda h: AgentCalled(
        h["Queue"], h.get("Interface", ""), h.get("MemberName", ""), _snapshot(h), _snapshot(h, "Dest")
    ),
    "AgentConnect": lambda h: AgentConnect(
        h["Queue"],
        h.get("Interface", ""),
        _snapshot(h),
        _snapshot(h, "Dest"),
        _int(h.get("HoldTime")),
        _int(h.get("RingTime")),
    ),
    "AgentComplete": lambda h: AgentComplete(
        h["Queue"], h.get("Interface", ""), _snapshot(h), _snapshot(h, "Dest"), h.get("Reason", ""), _int(h.get("TalkTime"))
    ),
    "AgentRingNoAnswer": lambda h: AgentRingNoAnswer(
        h["Queue"], h.get("Interface", ""), _snapshot(h), _snapshot(h, "Dest"), _int(h.get("RingTime"))
    ),
    "DeviceStateChange": lambda h: DeviceStateChange(h["Device"], h["State"]),
    "ContactStatus": lambda h: ContactStatus(
        h.get("AOR", ""), h.get("EndpointName", ""), h.get("URI", ""), h.get("ContactStatus", "")
    ),
    "EndpointList": lambda h: EndpointList(
        h["ObjectName"], h.get("DeviceState", ""), h.get("Contacts", ""), h.get("ActiveChannels", "")
    ),
    "VarSet": lambda h: VarSet(_snapshot(h), h["Variable"], h.get("Value", "")),
    "UserEvent": lambda h: UserEvent(
        h["UserEvent"],
        _optional_snapshot(h),
        tuple((k, v) for k, v in h.items() if k not in _SNAPSHOT_KEYS),
    ),
    "FullyBooted": lambda h: FullyBooted(_int(h.get("Uptime"), -1) if "Uptime" in h else None),
    "Shutdown": lambda h: Shutdown(h.get("Restart", "").lower() == "true", h.get("Shutdown", "")),
    "Reload": lambda h: Reload(h.get("Module", ""), h.get("Status", "")),
    "CoreShowChannel": lambda h: CoreShowChannel(
        _snapshot(h), h.get("Application", ""), h.get("BridgeId", ""), h.get("Duration", "")
    ),
    "BridgeListItem": lambda h: BridgeListItem(
        h["BridgeUniqueid"], h.get("BridgeType", ""), _int(h.get("BridgeNumChannels"))
    ),
    "BridgeInfoChannel": lambda h: BridgeInfoChannel(_snapshot(h)),
}

KNOWN_EVENTS: frozenset[str] = frozenset(TRANSLATORS)
"""Every event name :func:`translate` turns into a typed event."""

_unknown_seen: set[str] = set()


def translate(message: AmiMessage) -> AmiEvent | None:
    """The typed event for an AMI event message, or None.

    Args:
        message: A parsed event (a response gives None).

    Returns:
        The typed event; None for events the adapter does not use (logged
        once per name at debug) and for damaged ones (logged at warning).
    """
    headers = message.headers
    name = headers.get("Event")
    if name is None:
        return None
    translator = TRANSLATORS.get(name)
    if translator is None:
        note_unknown(name)
        return None
    try:
        return translator(headers)
    except (KeyError, ValueError) as exc:
        _log.warning("AMI: dropped a damaged %s event (missing or bad %s)", name, exc)
        return None


def note_unknown(name: str) -> None:
    """Log an event name the adapter does not translate, once per name."""
    if name not in _unknown_seen:
        _unknown_seen.add(name)
        _log.debug("AMI: ignoring %s events (not used by the adapter)", name)
