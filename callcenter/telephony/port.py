"""The Switch port: what the service asks of a telephone switch, and what it hears back.

Modelled on Asterisk, not on the simulator's convenience (docs/telephony.md
maps every command and event to its AMI action/event or AGI command):

* A **channel** is one leg of a call, named by its unique id (Asterisk's
  ``Uniqueid``). An inbound caller's channel also carries the call's
  ``linkedid`` (Asterisk's ``Linkedid``), which the service uses as the call
  id. Channels the service originates get the id the service chose
  (``Originate ChannelId``).
* Callers wait in a **holding area** with music (a holding extension) while
  our engine decides; the decision is carried out by originating the
  agent's endpoint and **bridging** the two channels.
* Origination is asynchronous, as AMI's ``Async: true`` Originate: the
  method returns once the switch accepted the request; the outcome arrives
  later as :class:`OriginateResult`.
* Digits are collected FastAGI-style, inside the caller's AGI session:
  :meth:`Switch.collect_digits` returns what was entered.

Nothing past ``callcenter/telephony/`` sees an AMI header: adapters turn
their wire messages into the frozen events below.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from enum import Enum, IntEnum
from typing import ClassVar, Protocol, runtime_checkable

ChannelId = str
"""A channel's unique id (Asterisk ``Uniqueid``)."""

Endpoint = str
"""Where to ring: ``PJSIP/1001``, ``PJSIP/+88621234567@trunk``; the simulator uses ``SIM/a01`` and ``PSTN/<number>``."""


# --- errors ------------------------------------------------------------------


class TelephonyError(Exception):
    """Base of every telephony error."""


class SwitchNotConnected(TelephonyError):
    """The switch is down (AMI connection lost); the command was not sent."""


class NoSuchChannel(TelephonyError):
    """The channel is unknown or already hung up."""

    def __init__(self, channel: ChannelId) -> None:
        self.channel = channel
        super().__init__(f"no such channel {channel!r}")


class DuplicateChannel(TelephonyError):
    """An originate asked for a channel id that is already in use."""

    def __init__(self, channel: ChannelId) -> None:
        self.channel = channel
        super().__init__(f"channel id {channel!r} is already in use")


class InvalidCommand(TelephonyError):
    """The command does not fit the channel's situation (not in a bridge,
    no AGI session, nothing recording ...)."""


class CommandFailed(TelephonyError):
    """The switch refused the command (``Response: Error``)."""

    def __init__(self, action: str, message: str) -> None:
        self.action = action
        self.message = message
        super().__init__(f"{action} failed: {message}")


# --- values ------------------------------------------------------------------


class HangupCause(IntEnum):
    """Q.850 cause codes as Asterisk reports them (``Cause`` / ``Cause-txt``)."""

    UNKNOWN = 0
    UNALLOCATED_NUMBER = 1
    NORMAL_CLEARING = 16
    USER_BUSY = 17
    NO_USER_RESPONSE = 18
    NO_ANSWER = 19
    CALL_REJECTED = 21
    DESTINATION_OUT_OF_ORDER = 27
    NORMAL_UNSPECIFIED = 31
    CONGESTION = 34

    @property
    def text(self) -> str:
        """Asterisk's ``Cause-txt`` for the code."""
        return _CAUSE_TEXT[self]


_CAUSE_TEXT = {
    HangupCause.UNKNOWN: "Unknown",
    HangupCause.UNALLOCATED_NUMBER: "Unallocated (unassigned) number",
    HangupCause.NORMAL_CLEARING: "Normal Clearing",
    HangupCause.USER_BUSY: "User busy",
    HangupCause.NO_USER_RESPONSE: "No user responding",
    HangupCause.NO_ANSWER: "User alerting, no answer",
    HangupCause.CALL_REJECTED: "Call Rejected",
    HangupCause.DESTINATION_OUT_OF_ORDER: "Destination out of order",
    HangupCause.NORMAL_UNSPECIFIED: "Normal, unspecified",
    HangupCause.CONGESTION: "Circuit/channel congestion",
}


class OriginateFailure(str, Enum):
    """Why an originate did not connect (OriginateResponse ``Reason``)."""

    NO_ANSWER = "no-answer"  # Reason 3: rang until the timeout
    BUSY = "busy"  # Reason 5
    UNREACHABLE = "unreachable"  # Reason 0: no contact, unknown technology
    CONGESTION = "congestion"  # Reason 8
    HUNGUP = "hungup"  # Reason 1: cancelled (the service hung it up while it rang)


class ChannelState(str, Enum):
    """Asterisk's ``ChannelStateDesc`` reduced to what the service needs."""

    DOWN = "down"
    RINGING = "ringing"  # Ring (inbound, not answered) or Ringing (outbound)
    UP = "up"


class SpyMode(str, Enum):
    """ChanSpy options: ``q`` always; whisper adds ``w``, barge adds ``B``."""

    LISTEN = "listen"
    WHISPER = "whisper"
    BARGE = "barge"


@dataclass(frozen=True, slots=True)
class Destination:
    """A dialplan location (Redirect, BlindTransfer, Atxfer targets).

    The named constructors are the dialplan contract the service relies on
    (``config/asterisk`` ships these contexts).
    """

    context: str
    exten: str
    priority: int = 1

    HOLD_CONTEXT: ClassVar[str] = "cc-hold"
    OUTBOUND_CONTEXT: ClassVar[str] = "cc-outbound"
    VOICEMAIL_CONTEXT: ClassVar[str] = "cc-voicemail"

    @classmethod
    def holding(cls) -> Destination:
        """The holding area: music on hold until the engine decides."""
        return cls(cls.HOLD_CONTEXT, "s")

    @classmethod
    def number(cls, number: str) -> Destination:
        """An external number, dialled out through the trunk."""
        return cls(cls.OUTBOUND_CONTEXT, number)

    @classmethod
    def voicemail(cls, box: str) -> Destination:
        """Leave a message in ``box`` (a queue's mailbox)."""
        return cls(cls.VOICEMAIL_CONTEXT, box)


@dataclass(frozen=True, slots=True)
class OriginateRequest:
    """Ring ``endpoint``; once answered the new channel ``channel`` waits
    (silently, in the agent holding extension) to be bridged.

    ``auto_answer`` asks the phone to pick up at once (a console answer:
    the SIP auto-answer header). ``timeout_s`` is the ring time before an
    ``OriginateResult`` with ``no-answer``.
    """

    channel: ChannelId
    endpoint: Endpoint
    caller_id_number: str = ""
    caller_id_name: str = ""
    timeout_s: float = 20.0
    auto_answer: bool = False
    variables: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SpyRequest:
    """Ring a supervisor's ``endpoint`` into ChanSpy on ``target`` (a channel)."""

    channel: ChannelId
    endpoint: Endpoint
    target: ChannelId
    mode: SpyMode = SpyMode.LISTEN
    caller_id_name: str = "Supervisor"
    auto_answer: bool = True
    timeout_s: float = 20.0


@dataclass(frozen=True, slots=True)
class DigitsResult:
    """What ``collect_digits`` got: ``digits`` ('' if none), whether it ended
    by timeout, and whether the caller hung up meanwhile."""

    digits: str
    timed_out: bool = False
    hung_up: bool = False


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    """A live channel as listed after a reconnect (CoreShowChannels)."""

    channel: ChannelId
    linkedid: str
    endpoint: Endpoint
    state: ChannelState
    caller_number: str | None = None
    bridge_id: str | None = None


# --- events ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChannelCreated:
    """A new inbound call reached the center (Newchannel in the entry context)."""

    name: ClassVar[str] = "channel_created"
    channel: ChannelId
    linkedid: str
    caller_number: str | None
    called_number: str
    at: float
    caller_name: str | None = None


@dataclass(frozen=True, slots=True)
class ChannelAnswered:
    """An inbound channel was answered (Newstate Up)."""

    name: ClassVar[str] = "channel_answered"
    channel: ChannelId
    at: float


@dataclass(frozen=True, slots=True)
class DtmfReceived:
    """A digit from the far end (DTMFEnd, Direction Received)."""

    name: ClassVar[str] = "dtmf_received"
    channel: ChannelId
    digit: str
    at: float
    duration_ms: int = 0


@dataclass(frozen=True, slots=True)
class ChannelsBridged:
    """Channels are talking in one bridge (BridgeEnter of the second channel)."""

    name: ClassVar[str] = "channels_bridged"
    bridge_id: str
    channels: tuple[ChannelId, ...]
    at: float


@dataclass(frozen=True, slots=True)
class ChannelHungUp:
    """A channel is gone (Hangup), with the Q.850 cause."""

    name: ClassVar[str] = "channel_hung_up"
    channel: ChannelId
    cause: int
    cause_text: str
    at: float


@dataclass(frozen=True, slots=True)
class OriginateResult:
    """How an originate ended (OriginateResponse): answered, or why not."""

    name: ClassVar[str] = "originate_result"
    channel: ChannelId
    success: bool
    at: float
    failure: OriginateFailure | None = None


@dataclass(frozen=True, slots=True)
class RecordingFinished:
    """A recording stopped (MixMonitorStop, or the channel hung up)."""

    name: ClassVar[str] = "recording_finished"
    channel: ChannelId
    file: str
    at: float
    duration_s: float | None = None


@dataclass(frozen=True, slots=True)
class SwitchConnected:
    """The control connection is up (AMI login accepted, FullyBooted)."""

    name: ClassVar[str] = "switch_connected"
    at: float


@dataclass(frozen=True, slots=True)
class SwitchDisconnected:
    """The control connection was lost; events may have been missed."""

    name: ClassVar[str] = "switch_disconnected"
    at: float
    reason: str = ""


@dataclass(frozen=True, slots=True)
class SwitchResynced:
    """After a reconnect: every live channel, to reconcile what was missed."""

    name: ClassVar[str] = "switch_resynced"
    channels: tuple[ChannelInfo, ...]
    at: float


SwitchEvent = (
    ChannelCreated
    | ChannelAnswered
    | DtmfReceived
    | ChannelsBridged
    | ChannelHungUp
    | OriginateResult
    | RecordingFinished
    | SwitchConnected
    | SwitchDisconnected
    | SwitchResynced
)


# --- the port ----------------------------------------------------------------


@runtime_checkable
class Switch(Protocol):
    """A telephone switch the service drives.

    Commands raise :class:`SwitchNotConnected` when the switch is down,
    :class:`NoSuchChannel` for unknown or gone channels, and
    :class:`CommandFailed` when the switch refuses; they never block on a
    call's progress (``collect_digits`` and ``play`` excepted: they last as
    long as the prompt and the caller's typing, like their AGI commands).
    """

    async def start(self) -> None:
        """Connect (log in); ``SwitchConnected`` follows on the event stream."""
        ...

    async def stop(self) -> None:
        """Disconnect; the event stream ends."""
        ...

    def events(self) -> AsyncIterator[SwitchEvent]:
        """The one stream of events, in the switch's order (one consumer)."""
        ...

    async def answer(self, channel: ChannelId) -> None:
        """Answer an inbound channel (AGI ANSWER)."""
        ...

    async def hold(self, channel: ChannelId) -> None:
        """Put a channel in the holding area with music, leaving any bridge
        (Redirect to ``cc-hold``). The caller waits there until bridged."""
        ...

    async def originate(self, request: OriginateRequest) -> None:
        """Ring an endpoint; the outcome comes as ``OriginateResult``."""
        ...

    async def bridge(self, channel_a: ChannelId, channel_b: ChannelId) -> None:
        """Connect two answered channels (Bridge); ``ChannelsBridged`` follows.

        A channel in another bridge leaves it. When one side of a bridge
        hangs up, the switch hangs up the other (Asterisk's Bridge action
        behaves so).
        """
        ...

    async def redirect(self, channel: ChannelId, destination: Destination) -> None:
        """Send a channel to a dialplan location (Redirect)."""
        ...

    async def blind_transfer(self, channel: ChannelId, destination: Destination) -> None:
        """Transfer the party bridged with ``channel`` to ``destination``;
        ``channel`` is hung up (BlindTransfer)."""
        ...

    async def attended_transfer(self, channel: ChannelId, destination: Destination) -> None:
        """Consult ``destination`` from ``channel`` while its peer is held;
        when ``channel`` hangs up, the peer and the destination are joined
        (Atxfer)."""
        ...

    async def hangup(self, channel: ChannelId, cause: HangupCause = HangupCause.NORMAL_CLEARING) -> None:
        """Hang up a channel (ringing or up) with a cause."""
        ...

    async def play(self, channel: ChannelId, prompt: str) -> None:
        """Play a prompt to a channel in an AGI session (STREAM FILE)."""
        ...

    async def collect_digits(
        self, channel: ChannelId, prompt: str, max_digits: int, timeout_s: float
    ) -> DigitsResult:
        """Play ``prompt`` and collect up to ``max_digits`` (``#`` ends
        early) within ``timeout_s`` (GET DATA)."""
        ...

    async def start_recording(self, channel: ChannelId, file: str) -> None:
        """Record the channel's call, both directions mixed (MixMonitor)."""
        ...

    async def stop_recording(self, channel: ChannelId) -> None:
        """Stop it; ``RecordingFinished`` follows (StopMixMonitor)."""
        ...

    async def pause_recording(self, channel: ChannelId, paused: bool) -> None:
        """Mute or unmute the recording, e.g. while a card number is read
        (MixMonitorMute, Direction both)."""
        ...

    async def spy(self, request: SpyRequest) -> None:
        """Ring a supervisor into ChanSpy on a channel; ``OriginateResult`` follows."""
        ...

    async def channels(self) -> tuple[ChannelInfo, ...]:
        """Every live channel (CoreShowChannels)."""
        ...
