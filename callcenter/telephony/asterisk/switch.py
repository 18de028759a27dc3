"""The Switch port on Asterisk: AMI for control and events, FastAGI for
prompts and digits.

How a call runs (``config/asterisk`` ships the dialplan this relies on):

1. A call enters an entry context (``cc-inbound``). AMI ``Newchannel`` gives
   ``ChannelCreated``; the dialplan runs ``AGI(agi://<us>/ivr)``.
2. The service answers (AGI ``ANSWER``), plays prompts (``STREAM FILE``) and
   collects digits (``GET DATA``) in that AGI session.
3. ``hold`` redirects the caller to ``cc-hold`` (music on hold) over AMI and
   ends the AGI session; the caller waits there while our engine decides.
4. ``originate`` rings the agent's PJSIP endpoint (async ``Originate`` with
   ``ChannelId`` = the id the service chose); once answered the agent leg
   waits in ``cc-agent``. ``OriginateResponse`` gives ``OriginateResult``
   (a ring timeout is ``no-answer``: the service's RONA).
5. ``bridge`` joins caller and agent (AMI ``Bridge``); recording is
   ``MixMonitor`` on the caller's channel; supervisors spy through an
   originate into ``ChanSpy``.

AGI commands do not need the AMI connection (a caller in the IVR is served
while AMI reconnects); everything else raises ``SwitchNotConnected`` while
AMI is down. After every login, the adapter resyncs: ``SwitchConnected``,
then ``ChannelHungUp`` for channels that died meanwhile (cause text
``switch restarted`` when Asterisk restarted), then ``SwitchResynced``
listing every live channel (``CoreShowChannels``); device states come from
``DeviceStateList``.
"""

from __future__ import annotations

import asyncio
import logging
import posixpath
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field

from callcenter.telephony.asterisk import events as ami_events
from callcenter.telephony.asterisk.client import AmiClient, AmiSettings
from callcenter.telephony.asterisk.errors import AgiHangup
from callcenter.telephony.asterisk.fastagi import AgiSession, FastAgiServer
from callcenter.telephony.asterisk.tracker import ChannelTracker, endpoint_of, state_of
from callcenter.telephony.port import (
    ChannelId,
    ChannelInfo,
    CommandFailed,
    Destination,
    DigitsResult,
    DuplicateChannel,
    HangupCause,
    InvalidCommand,
    NoSuchChannel,
    OriginateRequest,
    SpyMode,
    SpyRequest,
    SwitchConnected,
    SwitchDisconnected,
    SwitchEvent,
    SwitchResynced,
)

_log = logging.getLogger(__name__)

SPY_OPTIONS = {SpyMode.LISTEN: "qE", SpyMode.WHISPER: "qEw", SpyMode.BARGE: "qEB"}
"""ChanSpy options: q (no beep or name), E (leave when the spied-on channel
hangs up), w (whisper: talk to the spied-on channel only), B (barge: talk to
both parties)."""

_NO_CHANNEL = ("no such channel", "does not exist", "unable to find channel")

WANTED_EVENTS = frozenset(
    {
        "Newchannel",
        "Newstate",
        "Rename",
        "Hangup",
        "OriginateResponse",
        "BridgeEnter",
        "BridgeLeave",
        "BridgeDestroy",
        "DTMFEnd",
        "MixMonitorStart",
        "MixMonitorStop",
        "DeviceStateChange",
        "Shutdown",
        "FullyBooted",
    }
)
"""Events the switch parses: the ones its tracker uses. The rest of a busy
stream (``Newexten``, ``VarSet``, ``Cdr``, app_queue's ...) is skipped by
name unparsed; ``VarSet`` is parsed only for :data:`VARIABLES`, and list
items (``CoreShowChannel`` ...) whatever their name, by ``ActionID``."""

VARIABLES = ("MIXMONITOR_FILENAME",)


@dataclass(frozen=True, slots=True)
class AsteriskSettings:
    """The adapter's slice of the configuration.

    Attributes:
        ami: The AMI connection.
        agi_host: Address the FastAGI server binds (Asterisk must reach it).
        agi_port: Its port (4573 by convention; 0 picks a free one).
        agi_scripts: ``agi_network_script`` names accepted (``ivr`` in
            ``agi://host:4573/ivr``).
        entry_contexts: Contexts where inbound calls start.
        agent_context: Where an answered originated leg waits to be bridged.
        agent_exten: Its extension.
        recordings_dir: Where relative recording names go, as Asterisk sees
            the file system.
        agi_wait_s: How long an AGI command waits for the channel's session
            to connect.
        auto_answer_variables: Set on an originated channel when the request
            asks for auto-answer (``PJSIP_HEADER(add,...)`` adds a SIP header
            to the INVITE; which header a phone honours depends on the phone).
    """

    ami: AmiSettings = field(default_factory=AmiSettings)
    agi_host: str = "127.0.0.1"
    agi_port: int = 4573
    agi_scripts: tuple[str, ...] = ("ivr",)
    entry_contexts: tuple[str, ...] = ("cc-inbound",)
    agent_context: str = "cc-agent"
    agent_exten: str = "s"
    recordings_dir: str = "/var/spool/asterisk/monitor"
    agi_wait_s: float = 10.0
    auto_answer_variables: tuple[tuple[str, str], ...] = (
        ("PJSIP_HEADER(add,Call-Info)", "<sip:callcenter>;answer-after=0"),
        ("PJSIP_HEADER(add,Alert-Info)", "<http://callcenter>;info=alert-autoanswer"),
    )


class AsteriskSwitch:
    """The :class:`~callcenter.telephony.port.Switch` port on Asterisk.

    Args:
        settings: Where AMI and FastAGI are, and the dialplan names.
        clock: Returns the time to stamp events with (the service's clock).
    """

    def __init__(self, settings: AsteriskSettings, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self._clock = clock
        self.tracker = ChannelTracker(frozenset(settings.entry_contexts))
        self._queue: asyncio.Queue[SwitchEvent | None] = asyncio.Queue()
        self._ami = AmiClient(
            settings.ami,
            on_event=self._on_ami_event,
            on_connected=self._on_connected,
            on_disconnected=self._on_disconnected,
            wanted=WANTED_EVENTS,
            variables=VARIABLES,
        )
        self._agi = FastAgiServer(settings.agi_host, settings.agi_port, scripts=settings.agi_scripts)
        self._startup: str | None = None
        self._started = False
        self._closing: set[asyncio.Task[None]] = set()

    @property
    def ami(self) -> AmiClient:
        """The AMI connection (for actions the port does not name)."""
        return self._ami

    @property
    def agi(self) -> FastAgiServer:
        """The FastAGI server."""
        return self._agi

    @property
    def connected(self) -> bool:
        """AMI is logged in."""
        return self._ami.connected

    def device_states(self) -> dict[str, str]:
        """Known device states, ``PJSIP/1001`` -> ``NOT_INUSE`` (the port has
        no event for them yet)."""
        return dict(self.tracker.device_states)

    # --- lifecycle ----------------------------------------------------------

    async def start(self) -> None:
        """Start FastAGI, then connect and log in to AMI.

        Raises:
            AmiLoginFailed: Asterisk refused the AMI credentials.
            SwitchNotConnected: AMI unreachable within ``start_timeout``.
            OSError: The FastAGI address cannot be bound.
        """
        if self._started:
            return
        await self._agi.start()
        try:
            await self._ami.start()
        except BaseException:
            await self._agi.stop()
            raise
        self._started = True

    async def stop(self) -> None:
        """Log off, stop FastAGI; the event stream ends."""
        await self._ami.stop()
        await self._agi.stop()
        self._started = False
        self._queue.put_nowait(None)

    async def events(self) -> AsyncIterator[SwitchEvent]:
        """The port events, in order, until :meth:`stop`."""
        while True:
            event = await self._queue.get()
            if event is None:
                return
            yield event

    # --- AMI callbacks ------------------------------------------------------

    def _on_ami_event(self, event: ami_events.AmiEvent) -> None:
        for out in self.tracker.apply(event, self._clock()):
            self._queue.put_nowait(out)
        if type(event) is ami_events.Hangup:
            session = self._agi.get(event.snapshot.uniqueid)
            if session is not None:
                # The AGI would wait for us to end it; the channel is gone.
                task = asyncio.get_running_loop().create_task(session.close())
                self._closing.add(task)
                task.add_done_callback(self._closing.discard)

    def _on_disconnected(self, reason: str) -> None:
        self.tracker.begin_gap()
        self._queue.put_nowait(SwitchDisconnected(self._clock(), reason))

    async def _on_connected(self) -> None:
        self._queue.put_nowait(SwitchConnected(self._clock()))
        restarted = await self._restarted()
        listed: list[ami_events.CoreShowChannel] = []
        for message in await self._ami.list_action("CoreShowChannels"):
            item = ami_events.translate(message)
            if isinstance(item, ami_events.CoreShowChannel):
                listed.append(item)
        try:
            for message in await self._ami.list_action("DeviceStateList"):
                state = ami_events.translate(message)
                if isinstance(state, ami_events.DeviceStateChange):
                    self.tracker.device_states[state.device] = state.state
        except CommandFailed as exc:  # an older Asterisk, or no 'call'/'reporting' write class
            _log.warning("AMI DeviceStateList refused (%s); device states come from events only", exc)
        out, live = self.tracker.resync(listed, self._clock(), restarted=restarted)
        for event in out:
            self._queue.put_nowait(event)
        self._queue.put_nowait(SwitchResynced(live, self._clock()))

    async def _restarted(self) -> bool:
        """Whether Asterisk restarted since the last login (its start time moved)."""
        try:
            status = await self._ami.action("CoreStatus")
        except CommandFailed as exc:
            _log.warning("AMI CoreStatus refused (%s); restarts are told by Shutdown events only", exc)
            return False
        startup = f"{status.get('CoreStartupDate')} {status.get('CoreStartupTime')}"
        previous, self._startup = self._startup, startup
        return previous is not None and previous != startup

    # --- helpers ------------------------------------------------------------

    def _name(self, channel: ChannelId) -> str:
        name = self.tracker.name_of(channel)
        if name is None:
            raise NoSuchChannel(channel)
        return name

    async def _act(self, channel: ChannelId, action: str, fields: dict[str, str | Sequence[str]]) -> None:
        try:
            await self._ami.action(action, fields)
        except CommandFailed as exc:
            if any(text in exc.message.lower() for text in _NO_CHANNEL):
                raise NoSuchChannel(channel) from None
            raise

    async def _session(self, channel: ChannelId) -> AgiSession:
        session = await self._agi.session_for(channel, self.settings.agi_wait_s)
        if session is None:
            if self.tracker.name_of(channel) is None and channel not in self.tracker.channels:
                raise NoSuchChannel(channel)
            raise InvalidCommand(f"{channel} has no AGI session (the dialplan sends calls to agi://.../ivr)")
        return session

    async def _end_session(self, channel: ChannelId) -> None:
        session = self._agi.get(channel)
        if session is not None:
            await session.close()

    def _caller_id(self, number: str, name: str) -> str:
        if not number and not name:
            return ""
        return f'"{name}" <{number}>' if name else number

    # --- commands -----------------------------------------------------------

    async def answer(self, channel: ChannelId) -> None:
        """Answer an inbound channel (AGI ``ANSWER``)."""
        session = await self._session(channel)
        try:
            await session.command("ANSWER")
        except AgiHangup:
            raise NoSuchChannel(channel) from None

    async def hold(self, channel: ChannelId) -> None:
        """Move the channel to the holding area (AMI ``Redirect`` to
        ``cc-hold``), then end its AGI session (Redirect first: an AGI that
        ends before it would let the dialplan run on)."""
        await self.redirect(channel, Destination.holding())

    async def originate(self, request: OriginateRequest) -> None:
        """Ring an endpoint (async ``Originate``, ``ChannelId`` = ``request.channel``)."""
        if request.channel in self.tracker.channels or request.channel in self.tracker.expected:
            raise DuplicateChannel(request.channel)
        variables = [f"{k}={v}" for k, v in request.variables.items()]
        if request.auto_answer:
            variables += [f"{k}={v}" for k, v in self.settings.auto_answer_variables]
        fields: dict[str, str | Sequence[str]] = {
            "Channel": request.endpoint,
            "Context": self.settings.agent_context,
            "Exten": self.settings.agent_exten,
            "Priority": "1",
            "Timeout": str(int(request.timeout_s * 1000)),
            "Async": "true",
            "ChannelId": request.channel,
        }
        caller_id = self._caller_id(request.caller_id_number, request.caller_id_name)
        if caller_id:
            fields["CallerID"] = caller_id
        if variables:
            fields["Variable"] = variables
        await self._originate(request.channel, request.endpoint, fields)

    async def _originate(self, channel: ChannelId, endpoint: str, fields: dict[str, str | Sequence[str]]) -> None:
        action_id = self._ami.next_action_id()
        self.tracker.expect_originate(action_id, channel, endpoint)
        try:
            await self._ami.action_with_id(action_id, "Originate", fields)
        except BaseException:
            self.tracker.forget_originate(action_id)
            raise

    async def bridge(self, channel_a: ChannelId, channel_b: ChannelId) -> None:
        """Join two answered channels (AMI ``Bridge``, no courtesy tone)."""
        if channel_a == channel_b:
            raise InvalidCommand("cannot bridge a channel with itself")
        name_a, name_b = self._name(channel_a), self._name(channel_b)
        try:
            await self._ami.action("Bridge", {"Channel1": name_a, "Channel2": name_b, "Tone": "no"})
        except CommandFailed as exc:
            text = exc.message.lower()
            if any(t in text for t in _NO_CHANNEL):
                gone = channel_a if name_a.lower() in text else channel_b
                raise NoSuchChannel(gone) from None
            raise
        await self._end_session(channel_a)
        await self._end_session(channel_b)

    async def redirect(self, channel: ChannelId, destination: Destination) -> None:
        """Send a channel to a dialplan location (AMI ``Redirect``)."""
        await self._act(
            channel,
            "Redirect",
            {
                "Channel": self._name(channel),
                "Context": destination.context,
                "Exten": destination.exten,
                "Priority": str(destination.priority),
            },
        )
        await self._end_session(channel)

    async def blind_transfer(self, channel: ChannelId, destination: Destination) -> None:
        """Transfer ``channel``'s peer (AMI ``BlindTransfer``)."""
        await self._act(
            channel,
            "BlindTransfer",
            {"Channel": self._name(channel), "Context": destination.context, "Exten": destination.exten},
        )

    async def attended_transfer(self, channel: ChannelId, destination: Destination) -> None:
        """Consult ``destination`` from ``channel`` (AMI ``Atxfer``).

        Asterisk carries this out by sending the attended-transfer feature
        code and the extension as DTMF into the channel, so the bridge must
        allow transfers (``features.conf`` ``atxfer``, Dial option ``t`` or
        the channel variable ``BRIDGE_FEATURES``) and ``destination.exten``
        must be digits.
        """
        if not destination.exten.isdigit():
            raise InvalidCommand(f"Atxfer needs a numeric extension, got {destination.exten!r}")
        await self._act(
            channel,
            "Atxfer",
            {"Channel": self._name(channel), "Context": destination.context, "Exten": destination.exten},
        )

    async def hangup(self, channel: ChannelId, cause: HangupCause = HangupCause.NORMAL_CLEARING) -> None:
        """Hang up a channel with a Q.850 cause (AMI ``Hangup``)."""
        await self._act(channel, "Hangup", {"Channel": self._name(channel), "Cause": str(int(cause))})

    async def play(self, channel: ChannelId, prompt: str) -> None:
        """Play a prompt in the channel's AGI session (``STREAM FILE``).

        A prompt file Asterisk cannot find is logged and skipped, as
        Asterisk itself does; a caller who hangs up ends it quietly.
        """
        session = await self._session(channel)
        if session.hung_up:
            return
        try:
            reply = await session.command(f'STREAM FILE {prompt} ""')
        except AgiHangup:
            return
        if reply.result == "-1" and await session.channel_alive():
            _log.warning("Asterisk could not play prompt %r on %s (missing sound file?)", prompt, channel)

    async def collect_digits(self, channel: ChannelId, prompt: str, max_digits: int, timeout_s: float) -> DigitsResult:
        """Play ``prompt`` and read up to ``max_digits`` keys, ``#`` ending
        early (``GET DATA``); with no prompt, ``WAIT FOR DIGIT`` per key."""
        if max_digits < 1:
            raise InvalidCommand("max_digits must be >= 1")
        session = await self._session(channel)
        if session.hung_up:
            return DigitsResult("", hung_up=True)
        timeout_ms = max(1, int(timeout_s * 1000))
        try:
            if not prompt:
                return await self._wait_digits(session, max_digits, timeout_ms)
            reply = await session.command(f"GET DATA {prompt} {timeout_ms} {max_digits}")
        except AgiHangup:
            return DigitsResult("", hung_up=True)
        if reply.result == "-1":
            return DigitsResult("", hung_up=not await session.channel_alive())
        return DigitsResult(reply.result, timed_out=reply.data == "timeout")

    async def _wait_digits(self, session: AgiSession, max_digits: int, timeout_ms: int) -> DigitsResult:
        digits = ""
        deadline = time.monotonic() + timeout_ms / 1000
        while len(digits) < max_digits:
            left = int((deadline - time.monotonic()) * 1000)
            if left <= 0:
                return DigitsResult(digits, timed_out=True)
            reply = await session.command(f"WAIT FOR DIGIT {left}")
            value = reply.value
            if value is None or value < 0:
                return DigitsResult(digits, hung_up=not await session.channel_alive())
            if value == 0:
                return DigitsResult(digits, timed_out=True)
            key = chr(value)
            if key == "#":
                break
            digits += key
        return DigitsResult(digits)

    async def start_recording(self, channel: ChannelId, file: str) -> None:
        """Record both directions mixed (AMI ``MixMonitor``); a relative
        ``file`` goes under ``recordings_dir``."""
        name = self._name(channel)
        path = file if posixpath.isabs(file) else posixpath.join(self.settings.recordings_dir, file)
        self.tracker.expect_recording(channel, path)
        try:
            await self._act(channel, "MixMonitor", {"Channel": name, "File": path})
        except BaseException:
            self.tracker.wanted_recordings.pop(channel, None)
            raise

    async def stop_recording(self, channel: ChannelId) -> None:
        """Stop recording (AMI ``StopMixMonitor``); ``RecordingFinished`` follows."""
        try:
            await self._act(channel, "StopMixMonitor", {"Channel": self._name(channel)})
        except CommandFailed as exc:
            if "could not stop" in exc.message.lower():
                raise InvalidCommand(f"{channel} is not being recorded") from None
            raise

    async def pause_recording(self, channel: ChannelId, paused: bool) -> None:
        """Mute or unmute the recording, both directions (AMI ``MixMonitorMute``;
        Asterisk 21 removed ``PauseMonitor`` with app_monitor)."""
        await self._act(
            channel,
            "MixMonitorMute",
            {"Channel": self._name(channel), "Direction": "both", "State": "1" if paused else "0"},
        )

    async def spy(self, request: SpyRequest) -> None:
        """Ring a supervisor into ``ChanSpy`` on ``request.target``."""
        if request.channel in self.tracker.channels or request.channel in self.tracker.expected:
            raise DuplicateChannel(request.channel)
        target = self._name(request.target)
        fields: dict[str, str | Sequence[str]] = {
            "Channel": request.endpoint,
            "Application": "ChanSpy",
            "Data": f"{target},{SPY_OPTIONS[request.mode]}",
            "Timeout": str(int(request.timeout_s * 1000)),
            "Async": "true",
            "ChannelId": request.channel,
            "CallerID": self._caller_id("", request.caller_id_name) or request.caller_id_name,
        }
        if request.auto_answer:
            fields["Variable"] = [f"{k}={v}" for k, v in self.settings.auto_answer_variables]
        await self._originate(request.channel, request.endpoint, fields)

    async def channels(self) -> tuple[ChannelInfo, ...]:
        """Every live channel (AMI ``CoreShowChannels``)."""
        out: list[ChannelInfo] = []
        for message in await self._ami.list_action("CoreShowChannels"):
            item = ami_events.translate(message)
            if isinstance(item, ami_events.CoreShowChannel):
                snap = item.snapshot
                out.append(
                    ChannelInfo(
                        channel=snap.uniqueid,
                        linkedid=snap.linkedid,
                        endpoint=endpoint_of(snap.channel),
                        state=state_of(snap.state),
                        caller_number=None if snap.caller_id_num in ("", "<unknown>") else snap.caller_id_num,
                        bridge_id=item.bridge_id or None,
                    )
                )
        return tuple(out)

    async def set_variable(self, channel: ChannelId, name: str, value: str) -> None:
        """Set a channel variable (AMI ``Setvar``)."""
        await self._act(channel, "Setvar", {"Channel": self._name(channel), "Variable": name, "Value": value})

    async def get_variable(self, channel: ChannelId, name: str) -> str | None:
        """Read a channel variable or function (AMI ``Getvar``); None when unset."""
        try:
            reply = await self._ami.action("Getvar", {"Channel": self._name(channel), "Variable": name})
        except CommandFailed as exc:
            if any(text in exc.message.lower() for text in _NO_CHANNEL):
                raise NoSuchChannel(channel) from None
            raise
        value = reply.get("Value")
        return value if value not in ("", "(null)") else None
