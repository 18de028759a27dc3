"""A simulated switch in real (scalable) time: the Switch port with no Asterisk.

Simulated callers arrive by the center's ``traffic.yaml`` (the simulation
package's arrival, handle-time, patience and population models; see
``sim_callers``). They wait in the holding area until bridged, and hang up
when their patience runs out first; once talking they hang up after their
handle time (time on hold does not count). Agent phones are registered as
*simulated* (picked up after a drawn ring delay, or missed with the
traffic's no-answer probability) or *human* (ring until the timeout unless
the originate asks for auto-answer, which is what a console answer does).
Numbers dialled out (``PSTN/<number>``) reach simulated customers who pick
up after the callback ring delay most of the time and talk for a drawn
time.

It behaves as Asterisk does where the service can tell: async originate
with a later result, a bridge whose last-but-one party hanging up takes the
other down, a recording that stops with its channel, events lost while
"disconnected" and a resync listing live channels.

Every timer runs on the injected clock, so a 60x clock runs an hour of
center in a minute. Given a seed, callers and their behaviour are the same
from run to run (event interleavings may still vary with real-time jitter).
"""

from __future__ import annotations

import asyncio
import itertools
import math
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol

from callcenter.telephony.port import (
    ChannelAnswered,
    ChannelCreated,
    ChannelHungUp,
    ChannelId,
    ChannelInfo,
    ChannelsBridged,
    ChannelState,
    CommandFailed,
    Destination,
    DigitsResult,
    DtmfReceived,
    DuplicateChannel,
    Endpoint,
    HangupCause,
    InvalidCommand,
    NoSuchChannel,
    OriginateFailure,
    OriginateRequest,
    OriginateResult,
    RecordingFinished,
    SpyRequest,
    SwitchConnected,
    SwitchDisconnected,
    SwitchEvent,
    SwitchNotConnected,
    SwitchResynced,
)
from callcenter.telephony.sim_callers import Arrival, schedule, talk_draws
from simulation.model import Traffic, lognormal
from simulation.rng import Draws, Uniforms, streams

EXTERNAL_PREFIX = "PSTN/"


class _Timer(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    """What the switch needs of the service's clock (same shape, no import)."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...

    def call_at(self, when: float, callback: Callable[[], None]) -> _Timer: ...


@dataclass(frozen=True, slots=True)
class CallerInfo:
    """What a digit source may know about a simulated caller."""

    channel: ChannelId
    caller_number: str
    called_number: str
    intent: str  # the queue the caller wants
    tier: int


class DigitSource(Protocol):
    """Chooses a simulated caller's keypresses for a prompt (None: types nothing)."""

    def digits(self, caller: CallerInfo, prompt: str, max_digits: int) -> str | None: ...


@dataclass(frozen=True, slots=True)
class SimSettings:
    """Behaviour of the simulated world around the center.

    Args:
        traffic: callers and agent behaviour (None: no simulated callers).
        seed: the random seed.
        day_origin: clock time of the traffic's second 0 (local midnight).
        until: no arrivals at or after this clock time (None: end of traffic).
        known_numbers: per tier, numbers of known customers (for screen pops).
        entry_numbers: queue id -> the number its callers dial.
        prompt_s: how long a prompt plays.
        digit_s: how long a caller takes per digit.
        unattended_s: a caller nobody answers or holds hangs up after this.
        external_answer_probability: a dialled customer picks up.
        voicemail_s: a message left in voicemail lasts this long.
        auto_answer_s: an auto-answering phone picks up after this.
    """

    traffic: Traffic | None = None
    seed: int = 1
    day_origin: float = 0.0
    until: float | None = None
    known_numbers: Mapping[int, Sequence[str]] = field(default_factory=dict)
    entry_numbers: Mapping[str, str] = field(default_factory=dict)
    prompt_s: float = 2.0
    digit_s: float = 0.6
    unattended_s: float = 120.0
    external_answer_probability: float = 0.85
    voicemail_s: float = 25.0
    auto_answer_s: float = 0.2


class _Kind(Enum):
    CALLER = "caller"  # inbound simulated caller
    PHONE = "phone"  # a registered agent or supervisor phone
    EXTERNAL = "external"  # a number dialled out
    SPY = "spy"  # a supervisor phone in ChanSpy


class _Place(Enum):
    DIALPLAN = "dialplan"  # inbound, in the entry context (AGI session)
    HOLDING = "holding"  # music on hold
    PARKED = "parked"  # an answered originate waiting to be bridged
    BRIDGE = "bridge"
    OUTSIDE = "outside"  # left the center: transferred out, voicemail
    SPYING = "spying"


class _Bridge:
    __slots__ = ("id", "members")

    def __init__(self, bridge_id: str) -> None:
        self.id = bridge_id
        self.members: list[_Channel] = []


class _Channel:
    """One simulated leg (mutable bookkeeping)."""

    def __init__(self, cid: ChannelId, linkedid: str, endpoint: Endpoint, kind: _Kind) -> None:
        self.id = cid
        self.linkedid = linkedid
        self.endpoint = endpoint
        self.kind = kind
        self.state = ChannelState.RINGING
        self.place = _Place.DIALPLAN
        self.bridge: _Bridge | None = None
        self.caller_number: str | None = None
        self.info: CallerInfo | None = None
        self.originated = False
        self.recording: str | None = None
        self.rec_started = 0.0
        self.rec_paused = False
        self.talk_left = math.inf  # callers and external parties hang up when it runs out
        self.talk_since: float | None = None
        self.patience_s = math.inf
        self.ever_bridged = False
        self.gone = asyncio.Event()
        self.timers: dict[str, _Timer] = {}
        self.spy_target: ChannelId | None = None
        self.atxfer_peer: _Channel | None = None  # Atxfer: join with this party on hangup
        self.atxfer_consult: _Channel | None = None

    def cancel(self, name: str) -> None:
        timer = self.timers.pop(name, None)
        if timer is not None:
            timer.cancel()

    def cancel_all(self) -> None:
        for timer in self.timers.values():
            timer.cancel()
        self.timers.clear()


class SimulatedSwitch:
    """The Switch port over simulated callers and phones (see module doc).

    Beyond the port, ``register_phone``, ``pick_up``, ``call_in`` and the
    ``simulate_disconnect`` / ``simulate_reconnect`` pair let the demo and
    tests act as the outside world.
    """

    def __init__(self, clock: Clock, settings: SimSettings = SimSettings(), digits: DigitSource | None = None) -> None:
        self.clock = clock
        self.settings = settings
        self.digit_source = digits
        rng = streams(settings.seed, ["ring", "miss", "external", "answer", "talk"])
        traffic = settings.traffic
        ring = traffic.ring_delay if traffic is not None and traffic.ring_delay is not None else lognormal(4.0, 0.5)
        cb_ring = traffic.callback_ring_delay if traffic is not None and traffic.callback_ring_delay else ring
        self._ring = Draws(ring, rng["ring"])
        self._external_ring = Draws(cb_ring, rng["external"])
        self._miss = Uniforms(rng["miss"])
        self._miss_p = traffic.no_answer_probability if traffic is not None else 0.0
        self._answer = Uniforms(rng["answer"])
        self._talk = talk_draws(traffic, rng["talk"])
        self._pick_talk = Uniforms(rng["talk"])
        self._phones: dict[Endpoint, bool] = {}  # endpoint -> answered by a simulated agent
        self._channels: dict[ChannelId, _Channel] = {}
        self._queue: asyncio.Queue[SwitchEvent | None] = asyncio.Queue()
        self._connected = False
        self._started = False
        self._arrivals: asyncio.Task[None] | None = None
        self._seq = itertools.count(1)
        self._bridge_seq = itertools.count(1)
        self.arrivals_made = 0

    # --- outside-world controls (not part of the port) -----------------------

    def register_phone(self, endpoint: Endpoint, simulated: bool) -> None:
        """Make an endpoint reachable; ``simulated`` phones answer by themselves."""
        self._phones[endpoint] = simulated

    def unregister_phone(self, endpoint: Endpoint) -> None:
        self._phones.pop(endpoint, None)

    def pick_up(self, channel: ChannelId) -> None:
        """A person picks up a ringing phone."""
        ch = self._get(channel)
        if ch.state is not ChannelState.RINGING or not ch.originated:
            raise InvalidCommand(f"{channel} is not a ringing phone")
        self._answer_originated(ch)

    def call_in(
        self,
        caller_number: str,
        called_number: str,
        handle_s: float = 120.0,
        patience_s: float = math.inf,
        intent: str | None = None,
        tier: int = 3,
    ) -> ChannelId:
        """A simulated caller dials in now (besides the traffic's); returns the channel."""
        self._require()
        arrival = Arrival(self.clock.now(), intent or called_number, called_number, caller_number, tier,
                          handle_s, patience_s)
        return self._arrive(arrival)

    def simulate_disconnect(self, reason: str = "connection lost") -> None:
        """The control link drops: commands fail, events are lost until reconnect."""
        if self._connected:
            self._emit(SwitchDisconnected(self.clock.now(), reason), force=True)
            self._connected = False

    def simulate_reconnect(self) -> None:
        """The link is back: SwitchConnected, then SwitchResynced with live channels."""
        if not self._connected and self._started:
            self._connected = True
            now = self.clock.now()
            self._emit(SwitchConnected(now))
            self._emit(SwitchResynced(self._infos(), now))

    @property
    def connected(self) -> bool:
        return self._connected

    def live_channels(self) -> int:
        return len(self._channels)

    # --- lifecycle -----------------------------------------------------------

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        self._connected = True
        self._emit(SwitchConnected(self.clock.now()))
        traffic = self.settings.traffic
        if traffic is not None:
            plan = schedule(
                traffic, self.settings.seed, self.settings.day_origin, self.clock.now(), self.settings.until,
                self.settings.known_numbers, self.settings.entry_numbers,
            )
            self._arrivals = asyncio.create_task(self._run_arrivals(plan), name="sim-arrivals")

    async def stop(self) -> None:
        if not self._started:
            return
        self._started = False
        if self._arrivals is not None:
            self._arrivals.cancel()
            try:
                await self._arrivals
            except asyncio.CancelledError:
                pass
            self._arrivals = None
        for ch in list(self._channels.values()):
            ch.cancel_all()
            ch.gone.set()
        self._channels.clear()
        self._connected = False
        self._queue.put_nowait(None)

    async def events(self) -> AsyncIterator[SwitchEvent]:
        while True:
            event = await self._queue.get()
            if event is None:
                return
            yield event

    # --- commands ---------------------------------------------------------------

    async def answer(self, channel: ChannelId) -> None:
        self._require()
        ch = self._get(channel)
        if ch.kind is not _Kind.CALLER:
            raise InvalidCommand(f"{channel} is not an inbound channel")
        if ch.state is ChannelState.UP:
            return
        ch.state = ChannelState.UP
        self._emit(ChannelAnswered(channel, self.clock.now()))

    async def hold(self, channel: ChannelId) -> None:
        self._require()
        ch = self._get(channel)
        self._leave_bridge(ch)
        ch.place = _Place.HOLDING
        ch.cancel("unattended")
        if ch.kind is _Kind.CALLER and not ch.ever_bridged and "patience" not in ch.timers:
            if ch.patience_s != math.inf:
                ch.timers["patience"] = self.clock.call_at(
                    self.clock.now() + ch.patience_s, lambda: self._hang(ch, HangupCause.NORMAL_CLEARING)
                )

    async def originate(self, request: OriginateRequest) -> None:
        self._require()
        if request.channel in self._channels:
            raise DuplicateChannel(request.channel)
        endpoint = request.endpoint
        now = self.clock.now()
        if endpoint.startswith(EXTERNAL_PREFIX):
            kind = _Kind.EXTERNAL
        elif endpoint in self._phones:
            kind = _Kind.PHONE
        else:
            self._soon(lambda: self._emit(OriginateResult(request.channel, False, self.clock.now(),
                                                          OriginateFailure.UNREACHABLE)))
            return
        if kind is _Kind.PHONE and any(c.endpoint == endpoint for c in self._channels.values()):
            # One call per phone: no call waiting on agent phones.
            self._soon(lambda: self._emit(OriginateResult(request.channel, False, self.clock.now(),
                                                          OriginateFailure.BUSY)))
            return
        ch = _Channel(request.channel, request.channel, endpoint, kind)
        ch.originated = True
        ch.caller_number = endpoint[len(EXTERNAL_PREFIX):] if kind is _Kind.EXTERNAL else None
        self._channels[ch.id] = ch
        ch.timers["ring"] = self.clock.call_at(now + request.timeout_s, lambda: self._ring_out(ch))
        delay = self._answer_delay(ch, request.auto_answer)
        if delay is not None:
            ch.timers["answer"] = self.clock.call_at(now + delay, lambda: self._answer_originated(ch))

    async def bridge(self, channel_a: ChannelId, channel_b: ChannelId) -> None:
        self._require()
        a, b = self._get(channel_a), self._get(channel_b)
        if a is b:
            raise InvalidCommand("cannot bridge a channel with itself")
        for ch in (a, b):
            if ch.state is not ChannelState.UP:
                raise CommandFailed("Bridge", f"channel {ch.id} is not answered")
        self._leave_bridge(a)
        self._leave_bridge(b)
        bridge = _Bridge(f"bridge-{next(self._bridge_seq)}")
        for ch in (a, b):
            ch.bridge = bridge
            ch.place = _Place.BRIDGE
            ch.ever_bridged = True
            ch.cancel("patience")
            ch.cancel("unattended")
            bridge.members.append(ch)
        self._emit(ChannelsBridged(bridge.id, (a.id, b.id), self.clock.now()))
        for ch in (a, b):
            self._talk_resume(ch)

    async def redirect(self, channel: ChannelId, destination: Destination) -> None:
        self._require()
        self._redirect(self._get(channel), destination)

    async def blind_transfer(self, channel: ChannelId, destination: Destination) -> None:
        self._require()
        ch = self._get(channel)
        peer = self._peer(ch, "BlindTransfer")
        self._redirect(peer, destination)
        self._hang(ch, HangupCause.NORMAL_CLEARING)

    async def attended_transfer(self, channel: ChannelId, destination: Destination) -> None:
        self._require()
        ch = self._get(channel)
        peer = self._peer(ch, "Atxfer")
        if destination.context != Destination.OUTBOUND_CONTEXT:
            raise InvalidCommand("the simulated switch consults external numbers only")
        self._leave_bridge(peer)
        peer.place = _Place.HOLDING
        consult = _Channel(f"{ch.id};atx", ch.linkedid, EXTERNAL_PREFIX + destination.exten, _Kind.EXTERNAL)
        consult.state = ChannelState.UP
        consult.caller_number = destination.exten
        consult.talk_left = self._talk_time()
        self._channels[consult.id] = consult
        ch.atxfer_peer = peer
        ch.atxfer_consult = consult
        await self.bridge(ch.id, consult.id)

    async def hangup(self, channel: ChannelId, cause: HangupCause = HangupCause.NORMAL_CLEARING) -> None:
        self._require()
        self._hang(self._get(channel), cause)

    async def play(self, channel: ChannelId, prompt: str) -> None:
        self._require()
        ch = self._in_agi(channel)
        await self._wait(ch, self.settings.prompt_s)

    async def collect_digits(self, channel: ChannelId, prompt: str, max_digits: int, timeout_s: float) -> DigitsResult:
        self._require()
        ch = self._in_agi(channel)
        if max_digits < 1:
            raise InvalidCommand("max_digits must be >= 1")
        if not await self._wait(ch, self.settings.prompt_s):
            return DigitsResult("", hung_up=True)
        typed = None
        if self.digit_source is not None and ch.info is not None:
            typed = self.digit_source.digits(ch.info, prompt, max_digits)
        if not typed:
            gone = not await self._wait(ch, timeout_s)
            return DigitsResult("", timed_out=not gone, hung_up=gone)
        digits = typed[:max_digits]
        got = ""
        for digit in digits:
            if not await self._wait(ch, self.settings.digit_s):
                return DigitsResult(got, hung_up=True)
            if digit == "#":
                break
            got += digit
            self._emit(DtmfReceived(ch.id, digit, self.clock.now(), 120))
        return DigitsResult(got)

    async def start_recording(self, channel: ChannelId, file: str) -> None:
        self._require()
        ch = self._get(channel)
        if ch.state is not ChannelState.UP:
            raise CommandFailed("MixMonitor", f"channel {channel} is not answered")
        if ch.recording is not None:
            raise InvalidCommand(f"{channel} is already recording")
        ch.recording = file
        ch.rec_started = self.clock.now()
        ch.rec_paused = False

    async def stop_recording(self, channel: ChannelId) -> None:
        self._require()
        ch = self._get(channel)
        if ch.recording is None:
            raise CommandFailed("StopMixMonitor", "Could not stop monitoring channel")
        self._finish_recording(ch)

    async def pause_recording(self, channel: ChannelId, paused: bool) -> None:
        self._require()
        ch = self._get(channel)
        if ch.recording is None:
            raise CommandFailed("MixMonitorMute", "Cannot set mute flag")
        ch.rec_paused = paused

    async def spy(self, request: SpyRequest) -> None:
        self._require()
        target = self._get(request.target)
        if request.channel in self._channels:
            raise DuplicateChannel(request.channel)
        if request.endpoint not in self._phones:
            self._soon(lambda: self._emit(OriginateResult(request.channel, False, self.clock.now(),
                                                          OriginateFailure.UNREACHABLE)))
            return
        ch = _Channel(request.channel, request.channel, request.endpoint, _Kind.SPY)
        ch.originated = True
        ch.spy_target = target.id
        self._channels[ch.id] = ch
        now = self.clock.now()
        ch.timers["ring"] = self.clock.call_at(now + request.timeout_s, lambda: self._ring_out(ch))
        delay = self._answer_delay(ch, request.auto_answer)
        if delay is not None:
            ch.timers["answer"] = self.clock.call_at(now + delay, lambda: self._answer_originated(ch))

    async def channels(self) -> tuple[ChannelInfo, ...]:
        self._require()
        return self._infos()

    # --- internals: callers -----------------------------------------------------

    async def _run_arrivals(self, plan: list[Arrival]) -> None:
        for arrival in plan:
            delay = arrival.at - self.clock.now()
            if delay > 0:
                await self.clock.sleep(delay)
            if self._connected:
                self._arrive(arrival)
            # While disconnected the calls still come, but the center cannot
            # see them: Asterisk would play them its own fallback.

    def _arrive(self, arrival: Arrival) -> ChannelId:
        n = next(self._seq)
        cid = f"sim-{self.settings.seed}.{n}"
        ch = _Channel(cid, cid, f"{EXTERNAL_PREFIX}{arrival.caller_number}", _Kind.CALLER)
        ch.caller_number = arrival.caller_number
        ch.talk_left = arrival.handle_s
        ch.patience_s = arrival.patience_s
        ch.info = CallerInfo(cid, arrival.caller_number, arrival.called_number, arrival.intent, arrival.tier)
        self._channels[cid] = ch
        self.arrivals_made += 1
        now = self.clock.now()
        ch.timers["unattended"] = self.clock.call_at(
            now + self.settings.unattended_s, lambda: self._hang(ch, HangupCause.NORMAL_CLEARING)
        )
        self._emit(ChannelCreated(cid, cid, arrival.caller_number, arrival.called_number, now))
        return cid

    def _talk_time(self) -> float:
        pick = self._talk[min(len(self._talk) - 1, int(self._pick_talk.next() * len(self._talk)))]
        return max(1.0, pick.next())

    def _talk_resume(self, ch: _Channel) -> None:
        # Talk time runs only while the party has someone to talk to.
        if ch.talk_left == math.inf or ch.talk_since is not None:
            return
        if ch.place is _Place.BRIDGE and ch.bridge is not None and len(ch.bridge.members) < 2:
            return
        ch.talk_since = self.clock.now()
        ch.timers["talk"] = self.clock.call_at(
            ch.talk_since + ch.talk_left, lambda: self._hang(ch, HangupCause.NORMAL_CLEARING)
        )

    def _talk_pause(self, ch: _Channel) -> None:
        if ch.talk_since is not None:
            ch.talk_left = max(0.0, ch.talk_left - (self.clock.now() - ch.talk_since))
            ch.talk_since = None
            ch.cancel("talk")

    # --- internals: phones and external parties --------------------------------

    def _answer_delay(self, ch: _Channel, auto_answer: bool) -> float | None:
        if ch.kind is _Kind.EXTERNAL:
            if self._answer.next() >= self.settings.external_answer_probability:
                return None
            return self._external_ring.next()
        if auto_answer:
            return self.settings.auto_answer_s
        if self._phones.get(ch.endpoint, False):
            missed = self._miss_p > 0 and self._miss.next() < self._miss_p
            return None if missed else self._ring.next()
        return None  # a person's phone: rings until picked up or timed out

    def _answer_originated(self, ch: _Channel) -> None:
        if ch.id not in self._channels or ch.state is not ChannelState.RINGING:
            return
        ch.cancel("ring")
        ch.cancel("answer")
        ch.state = ChannelState.UP
        now = self.clock.now()
        if ch.kind is _Kind.SPY:
            ch.place = _Place.SPYING
            if ch.spy_target not in self._channels:
                self._emit(OriginateResult(ch.id, True, now))
                self._hang(ch, HangupCause.NORMAL_CLEARING)
                return
        else:
            ch.place = _Place.PARKED
        if ch.kind is _Kind.EXTERNAL:
            ch.talk_left = self._talk_time()
        self._emit(OriginateResult(ch.id, True, now))

    def _ring_out(self, ch: _Channel) -> None:
        if ch.id not in self._channels or ch.state is not ChannelState.RINGING:
            return
        self._hang(ch, HangupCause.NO_ANSWER, failure=OriginateFailure.NO_ANSWER)

    # --- internals: moving and ending channels --------------------------------

    def _redirect(self, ch: _Channel, destination: Destination) -> None:
        if ch.state is not ChannelState.UP:
            raise CommandFailed("Redirect", f"channel {ch.id} is not answered")
        self._leave_bridge(ch)
        ctx = destination.context
        if ctx == Destination.HOLD_CONTEXT:
            ch.place = _Place.HOLDING
            return
        ch.place = _Place.OUTSIDE
        ch.cancel("patience")
        ch.cancel("unattended")
        if ctx == Destination.OUTBOUND_CONTEXT:
            # Talking to someone outside: the caller's own talk time goes on.
            ch.ever_bridged = True
            if ch.talk_left == math.inf:
                ch.talk_left = self._talk_time()
            ch.talk_since = None
            ch.cancel("talk")
            ch.talk_since = self.clock.now()
            ch.timers["talk"] = self.clock.call_at(
                ch.talk_since + ch.talk_left, lambda: self._hang(ch, HangupCause.NORMAL_CLEARING)
            )
        elif ctx == Destination.VOICEMAIL_CONTEXT:
            ch.timers["voicemail"] = self.clock.call_at(
                self.clock.now() + self.settings.voicemail_s, lambda: self._hang(ch, HangupCause.NORMAL_CLEARING)
            )
        else:
            # No such extension in the simulated dialplan: Asterisk hangs up.
            self._soon(lambda: self._hang(ch, HangupCause.UNALLOCATED_NUMBER))

    def _leave_bridge(self, ch: _Channel) -> None:
        bridge = ch.bridge
        self._talk_pause(ch)
        if bridge is None:
            return
        ch.bridge = None
        if ch in bridge.members:
            bridge.members.remove(ch)
        for other in bridge.members:
            self._talk_pause(other)  # alone now: nobody to talk to

    def _hang(self, ch: _Channel, cause: HangupCause, failure: OriginateFailure | None = None) -> None:
        if self._channels.get(ch.id) is not ch:
            return
        was_ringing = ch.originated and ch.state is ChannelState.RINGING
        bridge = ch.bridge
        self._leave_bridge(ch)
        if ch.recording is not None:
            self._finish_recording(ch)
        ch.cancel_all()
        del self._channels[ch.id]
        ch.state = ChannelState.DOWN
        ch.gone.set()
        now = self.clock.now()
        self._emit(ChannelHungUp(ch.id, int(cause), cause.text, now))
        if was_ringing:
            self._emit(OriginateResult(ch.id, False, now, failure or OriginateFailure.HUNGUP))
        if ch.atxfer_peer is not None and ch.atxfer_consult is not None:
            peer, consult = ch.atxfer_peer, ch.atxfer_consult
            if peer.id in self._channels and consult.id in self._channels:
                self._join(peer, consult)
                return
        # A bridge made by the Bridge action does not outlive its last-but-one party.
        if bridge is not None and len(bridge.members) == 1:
            self._hang(bridge.members[0], cause)
        for spy in [c for c in self._channels.values() if c.spy_target == ch.id]:
            self._hang(spy, HangupCause.NORMAL_CLEARING)

    def _join(self, a: _Channel, b: _Channel) -> None:
        self._leave_bridge(a)
        self._leave_bridge(b)
        bridge = _Bridge(f"bridge-{next(self._bridge_seq)}")
        for ch in (a, b):
            ch.bridge = bridge
            ch.place = _Place.BRIDGE
            ch.ever_bridged = True
            bridge.members.append(ch)
        self._emit(ChannelsBridged(bridge.id, (a.id, b.id), self.clock.now()))
        self._talk_resume(a)
        self._talk_resume(b)

    def _finish_recording(self, ch: _Channel) -> None:
        file = ch.recording
        if file is None:
            return
        ch.recording = None
        now = self.clock.now()
        self._emit(RecordingFinished(ch.id, file, now, max(0.0, now - ch.rec_started)))

    # --- internals: helpers -------------------------------------------------------

    def _peer(self, ch: _Channel, action: str) -> _Channel:
        if ch.bridge is None or len(ch.bridge.members) < 2:
            raise CommandFailed(action, f"channel {ch.id} is not bridged")
        return next(c for c in ch.bridge.members if c is not ch)

    def _in_agi(self, channel: ChannelId) -> _Channel:
        ch = self._get(channel)
        if ch.kind is not _Kind.CALLER or ch.place is not _Place.DIALPLAN or ch.state is not ChannelState.UP:
            raise InvalidCommand(f"{channel} is not an answered channel in an AGI session")
        return ch

    async def _wait(self, ch: _Channel, seconds: float) -> bool:
        """Sleep clock seconds; False if the channel hung up meanwhile."""
        if ch.gone.is_set():
            return False
        sleeper = asyncio.ensure_future(self.clock.sleep(seconds))
        gone = asyncio.ensure_future(ch.gone.wait())
        try:
            await asyncio.wait({sleeper, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            gone.cancel()
        return not ch.gone.is_set()

    def _soon(self, fn: Callable[[], None]) -> None:
        self.clock.call_at(self.clock.now(), fn)

    def _get(self, channel: ChannelId) -> _Channel:
        ch = self._channels.get(channel)
        if ch is None:
            raise NoSuchChannel(channel)
        return ch

    def _require(self) -> None:
        if not self._connected:
            raise SwitchNotConnected("the simulated switch is not connected")

    def _emit(self, event: SwitchEvent, force: bool = False) -> None:
        if self._connected or force:
            self._queue.put_nowait(event)

    def _infos(self) -> tuple[ChannelInfo, ...]:
        return tuple(
            ChannelInfo(c.id, c.linkedid, c.endpoint, c.state, c.caller_number, c.bridge.id if c.bridge else None)
            for c in self._channels.values()
        )


def external_endpoint(number: str) -> Endpoint:
    """The simulated switch's endpoint for an outside number."""
    return EXTERNAL_PREFIX + number


__all__ = [
    "CallerInfo",
    "Clock",
    "DigitSource",
    "SimSettings",
    "SimulatedSwitch",
    "external_endpoint",
]
