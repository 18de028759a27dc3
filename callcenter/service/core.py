"""The contact-center service: switch events and console commands in, effects out.

One object, :class:`CallCenterService`, implements the
:class:`~callcenter.service.facade.ContactCenter` facade and reacts to the
switch's events (``on_channel_created``, ``on_originate_result``, ...). Each
reaction loads the call or agent, asks the core (``acd.Router``; the IVR
runner for inbound calls) and carries out the effects: switch commands,
storage writes (through the ordered :class:`Recorder`), live-state writes
(the state store: agent reservation) and service events on the bus.

Concurrency: one asyncio loop. Every reaction and command runs under one
lock, so the router, the live calls and the switch commands of a reaction
stay consistent; the long parts (IVR prompts, storage writes) run outside it.
Time comes from the one injected clock; router timers are ``ScheduleWakeup``
effects turned into clock timers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from acd import errors as acd_errors
from acd.effects import (
    AgentStateChanged,
    CallAbandoned,
    CallAnswered,
    CallbackRequested,
    CallEnded,
    CallMoved,
    CallQueued,
    CallRequeued,
    Effect,
    OfferCall,
    OverflowCall,
    PlaceCallback,
    ScheduleWakeup,
)
from acd.metrics import MetricSettings, call_stats, occupancy
from acd.model import MAX_LEVEL, MIN_LEVEL, AgentState, Call, OverflowKind, QueueConfig, SkillRequirement
from acd.router import Router
from callcenter.config.center import CenterConfig
from callcenter.crm.external import render_pop_url
from callcenter.crm.model import Case, CaseKind, Customer, InteractionSummary
from callcenter.crm.phones import DEFAULT_REGION, try_normalize
from callcenter.crm.screenpop import LAST_CONTACTS, build_screen_pop
from callcenter.service.bus import EventBus
from callcenter.service.clock import Clock, Timer
from callcenter.service.errors import (
    InvalidRequest,
    InvalidState,
    NotPermitted,
    NotYourCall,
    ServiceError,
    SwitchUnavailable,
    UnknownAgent,
    UnknownCall,
    UnknownDisposition,
    UnknownQueue,
    UnknownReason,
)
from callcenter.service.facade import (
    AgentStateEvent,
    AgentStats,
    AgentSummary,
    AgentView,
    AnswerMode,
    CallbackView,
    CallEvent,
    CallStatus,
    CallView,
    Catalog,
    Direction,
    LatencyStats,
    QueueView,
    ScreenPopEvent,
    ServiceEvent,
    SkillsEvent,
    Snapshot,
    SpyMode,
    SpySession,
    SwitchEvent,
    TargetKind,
    Viewer,
)
from callcenter.service.ivr import CaseRequest, DirectEntry, IvrCall, IvrEnd, IvrResult, IvrRunner
from callcenter.service.recorder import Recorder
from callcenter.service.stats import AgentSpans, CallLegs, LatencyHistogram, day_start
from callcenter.service.webhook import PopWebhooks
from callcenter.state.contract import StateStore
from callcenter.state.errors import StateError
from callcenter.state.model import LiveAgent
from callcenter.storage.agents import AgentStateLog
from callcenter.storage.cases import Cases
from callcenter.storage.customers import Customers
from callcenter.storage.db import Database
from callcenter.storage.interactions import Interactions, OfferOutcome, TransferKind
from callcenter.storage.users import Role, Users
from callcenter.telephony.port import (
    ChannelAnswered,
    ChannelCreated,
    ChannelHungUp,
    ChannelId,
    ChannelsBridged,
    Destination,
    DtmfReceived,
    HangupCause,
    NoSuchChannel,
    OriginateRequest,
    OriginateResult,
    RecordingFinished,
    SpyRequest,
    Switch,
    SwitchConnected,
    SwitchDisconnected,
    SwitchNotConnected,
    SwitchResynced,
    TelephonyError,
)
from callcenter.telephony.port import SpyMode as SwitchSpyMode
from callcenter.telephony.port import SwitchEvent as SwitchPortEvent

log = logging.getLogger(__name__)

OUTBOUND_PRIORITY = 100_000  # an agent's own outbound call goes before any waiting call
TIERS = {"A1": 1, "A2": 2, "A3": 3, "A4": 4, "A5": 5}
CALL_STATES = (AgentState.RESERVED, AgentState.BUSY, AgentState.HELD)


@dataclass(frozen=True, slots=True)
class ServiceOptions:
    """How the service drives the switch and treats calls.

    Endpoint templates take ``{agent}``, ``{extension}``, ``{number}`` and
    ``{user}``: ``PJSIP/{extension}`` on Asterisk, ``SIM/{agent}`` on the
    simulated switch.
    """

    agent_endpoint: str = "SIM/{agent}"
    external_endpoint: str = "PSTN/{number}"
    supervisor_endpoint: str = "SIM/{user}"
    recordings_dir: str = "recordings"
    record_calls: bool = True
    entry_points: Mapping[str, str] = field(default_factory=dict)
    default_queue: str | None = None
    preferred_wait_s: float = 10.0  # hold-out for a customer's dedicated agent
    transfer_wait_s: float = 60.0  # hold-out for the agent a call is transferred to
    unknown_tier: int = 3
    region: str = DEFAULT_REGION
    outbound_caller_id: str = ""
    node_id: str = "node-1"
    ring_grace_s: float = 2.0  # the phone rings this much past the router's deadline
    sl_window_s: float = 1800.0


class _Role(Enum):
    CALLER = "caller"  # the customer's leg: inbound caller, or the dialled customer
    AGENT = "agent"
    CONSULT = "consult"  # attended transfer target
    SPY = "spy"


@dataclass(slots=True)
class _Offer:
    agent_id: str
    at: float
    deadline: float
    channel: ChannelId | None = None


@dataclass(slots=True)
class _Consult:
    kind: TargetKind
    target: str
    channel: ChannelId | None = None
    router_id: str | None = None  # a consult of an agent goes through the router
    answered: bool = False


@dataclass(slots=True)
class _Call:
    """One live interaction (mutable bookkeeping of the service)."""

    id: str
    direction: Direction
    arrived_at: float
    caller_number: str | None
    called_number: str = ""
    caller_channel: ChannelId | None = None
    status: CallStatus = CallStatus.IVR
    queue: str | None = None
    enqueued_at: float | None = None
    answered_at: float | None = None
    router_id: str | None = None
    agent_id: str | None = None
    agent_channel: ChannelId | None = None
    offer: _Offer | None = None
    customer: Customer | None = None
    last: tuple[InteractionSummary, ...] = ()
    cases: tuple[Case, ...] = ()
    tier: int = 3
    clv: float = 0.0
    ivr_path: tuple[str, ...] = ()
    ivr_inputs: Mapping[str, str] = field(default_factory=dict)
    consult: _Consult | None = None
    recording: str | None = None
    seq: int = 0
    ended: bool = False

    def channel_id(self, tag: str) -> ChannelId:
        self.seq += 1
        return f"{self.id}.{tag}{self.seq}"


@dataclass(slots=True)
class _Agent:
    id: str
    name: str
    endpoint: str
    answer_mode: AnswerMode = AnswerMode.CONSOLE
    simulated: bool = False
    call_id: str | None = None
    wrap_call: str | None = None  # the call whose after-call work is open
    wrap_recorded: bool = False
    last_call: str | None = None
    disposed: set[str] = field(default_factory=set)


@dataclass(slots=True)
class _Spy:
    id: str
    supervisor: str
    agent_id: str
    call_id: str
    mode: SpyMode
    channel: ChannelId


def _utc(t: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, dt.timezone.utc)


class CallCenterService:
    """The service behind :class:`~callcenter.service.facade.ContactCenter`.

    Args:
        center: the center's configuration (queues, agents, reasons, dispositions).
        clock: the one clock.
        switch: the telephone switch (simulated or Asterisk).
        db: the database (connected and migrated by the composition root).
        store: live state shared between nodes (agent reservation).
        options: endpoints, entry points, hold-outs.
        ivr: how inbound calls reach a queue (default: the dialled number).
        seed: the router's tie-break seed.
    """

    def __init__(
        self,
        center: CenterConfig,
        clock: Clock,
        switch: Switch,
        db: Database,
        store: StateStore | None = None,
        options: ServiceOptions = ServiceOptions(),
        ivr: IvrRunner | None = None,
        seed: int = 0,
    ) -> None:
        self.center = center
        self.clock = clock
        self.switch = switch
        self.db = db
        self.store = store
        self.options = options
        queues, profiles, settings = center.to_acd()
        self.router = Router(queues, profiles, settings, seed=seed)
        self.router_settings = settings
        self.queues: dict[str, QueueConfig] = {q.id: q for q in queues}
        self.tz = ZoneInfo(center.center.timezone)
        self.ivr: IvrRunner = ivr or DirectEntry(options.entry_points, list(self.queues), options.default_queue)
        self.bus = EventBus()
        self.recorder = Recorder(db)
        self.pop_latency = LatencyHistogram()
        self._crm_pops = {q.id: q.crm_pop for q in center.queues if q.crm_pop is not None}
        self.webhooks = PopWebhooks()
        self.legs = CallLegs()
        self.spans = AgentSpans()
        self._dispositions = {d.code: d.name or d.code for d in center.dispositions}
        self._agents: dict[str, _Agent] = {}
        for a in center.agents:
            ext = a.extension or a.id
            endpoint = options.agent_endpoint.format(agent=a.id, extension=ext, number=ext, user=a.id)
            self._agents[a.id] = _Agent(a.id, a.name or a.id, endpoint)
        self._calls: dict[str, _Call] = {}
        self._router_calls: dict[str, tuple[_Call, bool]] = {}  # router id -> (call, is a consult)
        self._channels: dict[ChannelId, tuple[_Call, _Role]] = {}
        self._spies: dict[str, _Spy] = {}
        self._wakeups: dict[float, Timer] = {}
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._pump: asyncio.Task[None] | None = None
        self._seq = itertools.count(1)
        self.switch_connected = False
        self.running = False
        self.calls_handled = 0

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start the storage writer, the switch and the event pump."""
        if self.running:
            return
        self.running = True
        self.recorder.start()
        self._pump = asyncio.create_task(self._run_events(), name="switch-events")
        await self.switch.start()

    async def stop(self, cause: str = "service-stopped") -> None:
        """Close open calls with ``cause``, end wrap-ups, log agents out,
        flush storage, stop the switch. Idempotent."""
        if not self.running:
            return
        async with self._lock:
            self.running = False
            now = self.clock.now()
            for call in list(self._calls.values()):
                await self._close_call(call, now, cause)
            for agent in self._agents.values():
                if agent.wrap_call is not None:
                    self._record_wrap_end(agent, now)
                state = self.router.agent_state(agent.id)
                if state is not AgentState.LOGGED_OUT:
                    self._log_state(agent.id, state, AgentState.LOGGED_OUT, now, cause, None)
            for timer in self._wakeups.values():
                timer.cancel()
            self._wakeups.clear()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.webhooks.close()
        try:
            await self.switch.stop()
        except TelephonyError as exc:
            log.warning("switch stop: %s", exc)
        if self._pump is not None:
            try:
                await asyncio.wait_for(self._pump, 5.0)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                self._pump.cancel()
        await self.recorder.close()
        self.bus.close()

    async def _close_call(self, call: _Call, now: float, cause: str) -> None:
        """Shutdown: end one call in storage and on the switch."""
        for cid, (c, _) in list(self._channels.items()):
            if c is call:
                try:
                    await self.switch.hangup(cid, HangupCause.NORMAL_CLEARING)
                except TelephonyError:
                    pass
        self._write(lambda s: Interactions(s).record_end(call.id, _utc(now), cause), "end")
        if call.answered_at is not None:
            self.legs.ended(call.id, now)
        else:
            self.legs.left(call.id, now)
        if call.agent_id is not None:
            agent = self._agents[call.agent_id]
            agent.call_id = None
            if call.answered_at is not None and agent.wrap_call is None:
                agent.wrap_call = call.id
                agent.wrap_recorded = False
        self._forget(call)

    def _spawn(self, coro: Awaitable[None], name: str) -> None:
        async def run() -> None:
            try:
                await coro
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("task %s failed", name)

        task = asyncio.create_task(run(), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run_events(self) -> None:
        async for event in self.switch.events():
            try:
                await self.dispatch(event)
            except Exception:
                log.exception("reaction to %s failed", event.name)

    async def dispatch(self, event: SwitchPortEvent) -> None:
        """Route one switch event to its reaction (``on_<entity>_<event>``)."""
        if isinstance(event, ChannelCreated):
            await self.on_channel_created(event)
        elif isinstance(event, ChannelHungUp):
            await self.on_channel_hung_up(event)
        elif isinstance(event, OriginateResult):
            await self.on_originate_result(event)
        elif isinstance(event, ChannelsBridged):
            await self.on_channels_bridged(event)
        elif isinstance(event, RecordingFinished):
            await self.on_recording_finished(event)
        elif isinstance(event, DtmfReceived):
            await self.on_dtmf_received(event)
        elif isinstance(event, ChannelAnswered):
            pass  # our own answer; nothing to do
        elif isinstance(event, SwitchConnected):
            await self.on_switch_connected(event)
        elif isinstance(event, SwitchDisconnected):
            await self.on_switch_disconnected(event)
        elif isinstance(event, SwitchResynced):
            await self.on_switch_resynced(event)

    # ------------------------------------------------------------------ helpers

    def _write(self, write: Callable[[AsyncSession], Awaitable[None]], what: str) -> asyncio.Future[Exception | None]:
        return self.recorder.submit(write, what)

    def _publish(self, event: ServiceEvent) -> None:
        self.bus.publish(event)

    def _agent(self, agent_id: str) -> _Agent:
        agent = self._agents.get(agent_id)
        if agent is None:
            raise UnknownAgent(agent_id)
        return agent

    def _call_of(self, agent_id: str, call_id: str) -> _Call:
        self._agent(agent_id)
        call = self._calls.get(call_id)
        if call is None:
            raise UnknownCall(call_id)
        owner = call.agent_id if call.agent_id is not None else (call.offer.agent_id if call.offer else None)
        if owner != agent_id:
            raise NotYourCall(agent_id, call_id)
        return call

    def _view(self, call: _Call, status: CallStatus | None = None, agent_id: str | None = None) -> CallView:
        now = self.clock.now()
        start = call.enqueued_at if call.enqueued_at is not None else call.arrived_at
        end = call.answered_at if call.answered_at is not None else now
        return CallView(
            call_id=call.id, direction=call.direction, status=status or call.status, queue=call.queue,
            caller_number=call.caller_number, customer_id=call.customer.id if call.customer else None,
            agent_id=agent_id if agent_id is not None else (
                call.agent_id if call.agent_id else (call.offer.agent_id if call.offer else None)),
            arrived_at=call.arrived_at, answered_at=call.answered_at, waited_s=max(0.0, end - start),
            ivr_path=call.ivr_path, ivr_inputs=dict(call.ivr_inputs),
            transfer_target=call.consult.target if call.consult else None,
        )

    def _call_event(self, call: _Call, detail: str = "", status: CallStatus | None = None,
                    agent_id: str | None = None) -> None:
        self._publish(CallEvent(self._view(call, status, agent_id), self.clock.now(), detail))

    async def _cmd(self, coro: Awaitable[None], what: str) -> bool:
        """A switch command whose failure the reaction can live with."""
        try:
            await coro
            return True
        except TelephonyError as exc:
            log.info("switch %s: %s", what, exc)
            return False

    async def _must(self, coro: Awaitable[None]) -> None:
        """A switch command a console asked for: failure is the caller's error."""
        try:
            await coro
        except SwitchNotConnected as exc:
            raise SwitchUnavailable(str(exc)) from None
        except NoSuchChannel as exc:
            raise InvalidState(f"the call's channel is gone ({exc.channel})") from None
        except TelephonyError as exc:
            raise InvalidState(f"the switch refused: {exc}") from None

    def _index(self, channel: ChannelId, call: _Call, role: _Role) -> None:
        self._channels[channel] = (call, role)

    def _forget(self, call: _Call) -> None:
        call.ended = True
        self._calls.pop(call.id, None)
        for cid in [c for c, (x, _) in self._channels.items() if x is call]:
            del self._channels[cid]
        for rid in [r for r, (x, _) in self._router_calls.items() if x is call]:
            del self._router_calls[rid]

    def _endpoint(self, agent: _Agent) -> str:
        return agent.endpoint

    def _external(self, number: str) -> str:
        return self.options.external_endpoint.format(number=number, agent="", extension=number, user="")

    # ------------------------------------------------------------------ router effects

    async def _apply(self, effects: list[Effect]) -> None:
        """Carry out the router's effects, in order (under the lock)."""
        t0 = time.perf_counter()
        for effect in effects:
            if isinstance(effect, AgentStateChanged):
                await self.on_agent_state_changed(effect)
            elif isinstance(effect, OfferCall):
                await self.on_call_offered(effect, t0)
            elif isinstance(effect, PlaceCallback):
                await self.on_callback_placed(effect, t0)
            elif isinstance(effect, ScheduleWakeup):
                self._schedule(effect.at)
            elif isinstance(effect, OverflowCall):
                await self.on_call_overflowed(effect)
            elif isinstance(effect, CallQueued):
                await self.on_call_queued(effect)
            elif isinstance(effect, CallRequeued):
                await self.on_call_requeued(effect)
            elif isinstance(effect, CallMoved):
                await self.on_call_moved(effect)
            elif isinstance(effect, CallAnswered):
                await self.on_call_answered(effect)
            elif isinstance(effect, CallAbandoned):
                await self.on_call_abandoned(effect)
            elif isinstance(effect, CallEnded):
                await self.on_call_ended(effect)
            elif isinstance(effect, CallbackRequested):
                pass

    def _schedule(self, at: float) -> None:
        if at in self._wakeups:
            return

        def fire() -> None:
            self._wakeups.pop(at, None)
            self._spawn(self._tick(at), "router-tick")

        self._wakeups[at] = self.clock.call_at(at, fire)

    async def _tick(self, at: float) -> None:
        async with self._lock:
            if not self.running:
                return
            # A timer may fire a hair early: the router must see the time it asked for.
            await self._apply(self.router.tick(max(self.clock.now(), at)))

    async def _store(self, coro: Awaitable[object], what: str) -> object | None:
        if self.store is None:
            return None
        try:
            return await coro
        except StateError as exc:
            log.warning("state store %s: %s", what, exc)
            return None

    async def on_agent_state_changed(self, e: AgentStateChanged) -> None:
        agent = self._agents[e.agent_id]
        # consoles and the state log know calls by the service's id, not the router's
        call_id = e.call_id
        if call_id is not None and (known := self._router_calls.get(call_id)) is not None:
            call_id = known[0].id
        self._log_state(e.agent_id, e.previous, e.state, e.at, e.reason, call_id)
        if e.previous is AgentState.WRAP_UP and e.state is not AgentState.WRAP_UP:
            self._record_wrap_end(agent, e.at)
        if e.state is AgentState.WRAP_UP and e.call_id is not None:
            found = self._router_calls.get(e.call_id)
            if found is not None and not found[1]:  # a consultation has no wrap-up of its own
                agent.wrap_call = found[0].id
                agent.wrap_recorded = False
        # Into reserved is the store's own reservation (on the offer), not a plain write.
        if self.store is not None and e.state is not AgentState.RESERVED:
            await self._store(self.store.set_agent_state(
                e.agent_id, e.state, at=e.at, reason=e.reason, call_id=e.call_id, node=self.options.node_id,
                event=e), "agent state")

    def _log_state(self, agent_id: str, previous: AgentState, state: AgentState, at: float,
                   reason: str | None, call_id: str | None) -> None:
        self.spans.changed(agent_id, state, at, reason)
        self._write(lambda s: AgentStateLog(s).append(agent_id, state, _utc(at), reason, call_id), "agent state")
        self._publish(AgentStateEvent(agent_id, previous.value, state.value, at, reason, call_id))

    def _record_wrap_end(self, agent: _Agent, at: float) -> None:
        call_id = agent.wrap_call
        if call_id is None:
            return
        agent.wrap_call = None
        self.legs.wrap_ended(call_id, at)
        # A call handed on to someone else gets its wrap-up end from its last agent.
        if not agent.wrap_recorded and call_id not in self._calls:
            agent.wrap_recorded = True
            self._write(lambda s: Interactions(s).record_wrap_up(call_id, None, "", _utc(at)), "wrap-up end")

    async def on_call_queued(self, e: CallQueued) -> None:
        found = self._router_calls.get(e.call_id)
        if found is None or found[1]:
            return
        call = found[0]
        call.status = CallStatus.QUEUED
        if self.store is not None:
            snap = self.router.call_snapshot(e.call_id)
            key = self.router_settings.aging_per_s * snap.enqueued_at - snap.base_priority
            await self._store(self.store.enqueue_call(e.call_id, e.queue_id, key, at=e.at, node=self.options.node_id),
                              "enqueue")
        self._call_event(call, "queued")

    async def on_call_offered(self, e: OfferCall, t0: float) -> None:
        found = self._router_calls.get(e.call_id)
        if found is None:
            log.warning("offer of unknown call %s", e.call_id)
            return
        call, is_consult = found
        agent = self._agents[e.agent_id]
        if self.store is not None:
            ok = await self._store(self.store.reserve_agent(
                e.agent_id, e.call_id, node=self.options.node_id, at=e.at), "reserve")
            if ok is False:
                # Another node holds the agent: treat as a failed offer.
                await self._apply(self.router.no_answer(e.call_id, e.at))
                return
        if is_consult:
            await self._offer_consult(call, agent, e)
            return
        if call.direction is not Direction.INBOUND:
            await self._offer_outbound(call, agent, e.at, e.deadline, t0)
            return
        call.offer = _Offer(agent.id, e.at, e.deadline)
        call.status = CallStatus.RINGING
        agent.call_id = call.id
        self._publish_pop(call, agent, e.queue_id, e.at, e.deadline, t0)
        self._write(lambda s: Interactions(s).record_offer(call.id, agent.id, _utc(e.at)), "offer")
        if agent.answer_mode is AnswerMode.PHONE:
            await self._ring_agent(call, agent, auto_answer=False)

    def _publish_pop(self, call: _Call, agent: _Agent, queue: str, at: float, deadline: float, t0: float) -> None:
        start = call.enqueued_at if call.enqueued_at is not None else call.arrived_at
        pop = build_screen_pop(
            call.caller_number, call.customer, call.last, call.cases, call.ivr_path, call.ivr_inputs,
            max(0.0, at - start),
        )
        self._publish(self._external_pop(
            ScreenPopEvent(agent.id, call.id, queue, call.direction, at, deadline, agent.answer_mode, pop)))
        self.pop_latency.record(time.perf_counter() - t0)
        self._call_event(call, "offered")

    def _external_pop(self, event: ScreenPopEvent) -> ScreenPopEvent:
        """Add the queue's external CRM link, and post its webhook, if it has them."""
        crm = self._crm_pops.get(event.queue)
        if crm is None:
            return event
        pop = event.pop
        values = {
            "call_id": event.call_id, "queue": event.queue, "agent_id": event.agent_id,
            "caller_number": pop.caller_number, "customer_id": pop.customer_id,
            "account_number": pop.account_number, "tier": pop.tier,
        }
        if crm.url is not None:
            event = replace(event, external_url=render_pop_url(crm.url, values))
        if crm.webhook is not None:
            self.webhooks.post(crm.webhook, event.to_dict())
        return event

    async def _ring_agent(self, call: _Call, agent: _Agent, auto_answer: bool) -> None:
        assert call.offer is not None
        channel = call.channel_id("a")
        call.offer.channel = channel
        self._index(channel, call, _Role.AGENT)
        timeout = max(1.0, call.offer.deadline - self.clock.now() + self.options.ring_grace_s)
        request = OriginateRequest(
            channel, self._endpoint(agent), caller_id_number=call.caller_number or "",
            caller_id_name=call.customer.name if call.customer else "", timeout_s=timeout, auto_answer=auto_answer,
            variables={"CC_CALL_ID": call.id, "CC_AGENT_ID": agent.id},
        )
        if not await self._cmd(self.switch.originate(request), "originate"):
            self._channels.pop(channel, None)
            call.offer.channel = None
            if call.router_id is not None and self._router_offered_to(call, agent.id):
                await self._apply(self.router.no_answer(call.router_id, self.clock.now()))

    def _router_offered_to(self, call: _Call, agent_id: str) -> bool:
        if call.router_id is None:
            return False
        try:
            snap = self.router.call_snapshot(call.router_id)
        except acd_errors.UnknownCall:
            return False
        return snap.agent_id == agent_id and snap.state.value == "offered"

    async def on_callback_placed(self, e: PlaceCallback, t0: float) -> None:
        await self.on_call_offered(OfferCall(e.call_id, e.agent_id, e.queue_id, e.at, e.deadline), t0)

    async def _offer_outbound(self, call: _Call, agent: _Agent, at: float, deadline: float, t0: float) -> None:
        call.offer = _Offer(agent.id, at, deadline)
        call.status = CallStatus.RINGING
        agent.call_id = call.id
        self._publish_pop(call, agent, call.queue or "", at, deadline, t0)
        self._write(lambda s: Interactions(s).record_offer(call.id, agent.id, _utc(at)), "offer")
        # The agent's own dial rings their phone with auto-answer; a callback
        # rings like any offer (console agents answer from the console).
        if call.direction is Direction.OUTBOUND:
            await self._ring_agent(call, agent, auto_answer=True)
        elif agent.answer_mode is AnswerMode.PHONE:
            await self._ring_agent(call, agent, auto_answer=False)

    async def on_call_requeued(self, e: CallRequeued) -> None:
        found = self._router_calls.get(e.call_id)
        if found is None:
            return
        call, is_consult = found
        agent = self._agents[e.agent_id]
        if agent.call_id == call.id:
            agent.call_id = None
        if is_consult:
            await self._consult_failed(call, "the agent did not answer")
            return
        offer = call.offer
        call.offer = None
        call.status = CallStatus.QUEUED
        if offer is not None and offer.channel is not None:
            channel = offer.channel
            self._channels.pop(channel, None)
            await self._cmd(self.switch.hangup(channel, HangupCause.NO_ANSWER), "hangup ringing agent")
        self._write(lambda s: Interactions(s).record_offer_outcome(call.id, e.agent_id, OfferOutcome.NO_ANSWER,
                                                                    _utc(e.at)), "offer outcome")
        self._call_event(call, "offer withdrawn: no answer", CallStatus.QUEUED, agent_id=e.agent_id)
        if self.store is not None:
            snap = self.router.call_snapshot(e.call_id)
            key = self.router_settings.aging_per_s * snap.enqueued_at - snap.base_priority
            await self._store(self.store.enqueue_call(e.call_id, snap.queue_id, key, at=e.at,
                                                      node=self.options.node_id), "requeue")

    async def on_call_moved(self, e: CallMoved) -> None:
        found = self._router_calls.get(e.call_id)
        if found is None or found[1]:
            return
        call = found[0]
        call.queue = e.to_queue
        self.legs.moved(call.id, e.to_queue, e.at)
        self._write(lambda s: Interactions(s).record_enqueue(call.id, e.to_queue, _utc(e.at)), "moved")
        self._call_event(call, f"moved from {e.from_queue}")

    async def on_call_answered(self, e: CallAnswered) -> None:
        found = self._router_calls.get(e.call_id)
        if found is None or found[1]:
            return
        call = found[0]
        if self.store is not None:
            await self._store(self.store.remove_call(e.call_id), "remove call")
        if call.answered_at is None:
            call.answered_at = e.at
            self.legs.answered(call.id, e.agent_id, e.at)
            self._write(lambda s: Interactions(s).record_answer(call.id, e.agent_id, _utc(e.at)), "answer")

    async def on_call_abandoned(self, e: CallAbandoned) -> None:
        found = self._router_calls.pop(e.call_id, None)
        if found is None or found[1]:
            return
        self.legs.abandoned(e.call_id, e.at)
        if self.store is not None:
            await self._store(self.store.remove_call(e.call_id), "remove call")

    async def on_call_ended(self, e: CallEnded) -> None:
        found = self._router_calls.get(e.call_id)
        if found is None or found[1]:
            return
        self.legs.ended(found[0].id, e.at)

    async def on_call_overflowed(self, e: OverflowCall) -> None:
        found = self._router_calls.pop(e.call_id, None)
        if found is None or found[1]:
            return
        call = found[0]
        call.router_id = None
        self.legs.left(call.id, e.at)
        if self.store is not None:
            await self._store(self.store.remove_call(e.call_id), "remove call")
        channel = call.caller_channel
        if e.action.kind is OverflowKind.VOICEMAIL:
            self._write(lambda s: Interactions(s).record_end(call.id, _utc(e.at), "voicemail"), "voicemail")
            self._call_event(call, "voicemail", CallStatus.ENDED)
            self._forget(call)
            if channel is not None:
                await self._cmd(self.switch.redirect(channel, Destination.voicemail(e.queue_id)), "voicemail")
            return
        # A callback: the caller leaves the line and keeps a request in the queue.
        self._write(lambda s: Interactions(s).record_end(call.id, _utc(e.at), "callback-requested"), "callback")
        self._call_event(call, "callback requested", CallStatus.ENDED)
        self._forget(call)
        if channel is not None:
            await self._cmd(self.switch.hangup(channel, HangupCause.NORMAL_CLEARING), "hangup for callback")
        if call.caller_number:
            await self._new_callback(call, e.queue_id, e.at)

    async def _new_callback(self, origin: _Call, queue: str, at: float, number: str | None = None) -> None:
        if f"{origin.id}-cb" in self._calls:
            return
        cb = _Call(
            id=f"{origin.id}-cb", direction=Direction.CALLBACK, arrived_at=at,
            caller_number=number or origin.caller_number,
            status=CallStatus.QUEUED, queue=queue, enqueued_at=at, customer=origin.customer, last=origin.last,
            cases=origin.cases, tier=origin.tier, clv=origin.clv, ivr_path=origin.ivr_path,
            ivr_inputs=origin.ivr_inputs,
        )
        cb.router_id = cb.id
        self._calls[cb.id] = cb
        self._router_calls[cb.id] = (cb, False)
        customer_id = origin.customer.id if origin.customer else None
        self._write(lambda s: Interactions(s).start_interaction(
            cb.id, _utc(at), cb.caller_number, customer_id, direction=Direction.CALLBACK.value), "callback start")
        self._write(lambda s: Interactions(s).record_enqueue(cb.id, queue, _utc(at)), "callback enqueue")
        self.legs.enqueued(cb.id, queue, at, cb.tier, callback=True)
        call = Call(cb.id, queue, at, customer_id=customer_id, tier=cb.tier, clv=cb.clv)
        await self._apply(self.router.enqueue(call, at, callback=True))

    # ------------------------------------------------------------------ switch reactions

    async def on_channel_created(self, e: ChannelCreated) -> None:
        async with self._lock:
            if not self.running or e.linkedid in self._calls:
                return
            call = _Call(id=e.linkedid, direction=Direction.INBOUND, arrived_at=e.at, caller_number=e.caller_number,
                         called_number=e.called_number, caller_channel=e.channel, tier=self.options.unknown_tier)
            self._calls[call.id] = call
            self._index(e.channel, call, _Role.CALLER)
            self._write(lambda s: Interactions(s).start_interaction(call.id, _utc(e.at), e.caller_number), "start")
            self._call_event(call, "arrived")
        self._spawn(self._intake(call), f"intake-{call.id}")

    async def _intake(self, call: _Call) -> None:
        """Answer, identify, run the IVR, hold and queue one inbound call."""
        assert call.caller_channel is not None
        if not await self._cmd(self.switch.answer(call.caller_channel), "answer"):
            return
        await self._identify(call)
        try:
            result = await self.ivr.run(
                IvrCall(call.id, call.caller_channel, call.caller_number, call.called_number,
                        call.customer.id if call.customer else None, call.tier), self.switch)
        except TelephonyError as exc:
            log.info("IVR of %s: %s", call.id, exc)
            result = IvrResult(None, hung_up=True)
        async with self._lock:
            if call.ended or not self.running:
                return
            call.ivr_path, call.ivr_inputs = result.path, dict(result.inputs)
            if result.path or result.inputs:
                path, inputs = result.path, dict(result.inputs)
                self._write(lambda s: Interactions(s).record_ivr(call.id, path, inputs), "ivr")
            if result.customer_id and (call.customer is None or call.customer.id != result.customer_id):
                await self._identify(call, result.customer_id)
            if result.tier is not None:
                call.tier = result.tier
            self._open_cases(call, result)
            now = self.clock.now()
            for queue, number in result.callbacks:
                if queue in self.queues and number:
                    await self._new_callback(call, queue, now, number)
            if result.hung_up:
                return  # the hangup reaction closes the call
            if result.queue is None or result.queue not in self.queues:
                await self._leave_ivr(call, result, now)
                return
            if not await self._cmd(self.switch.hold(call.caller_channel), "hold"):
                return
            skills = tuple(SkillRequirement(skill, level) for skill, level in result.skills)
            await self._enqueue(call, result.queue, result.priority, required=skills)

    def _open_cases(self, call: _Call, result: IvrResult) -> None:
        customer_id = call.customer.id if call.customer else result.customer_id
        if customer_id is None:
            return
        for case in result.cases:
            async def write(s: AsyncSession, case: CaseRequest = case, cid: str = customer_id) -> None:
                await Cases(s).open(cid, CaseKind(case.kind), case.opened_at, summary="opened in the IVR",
                                    due_at=case.due_at, interaction_id=call.id)

            self._write(write, "case")

    async def _leave_ivr(self, call: _Call, result: IvrResult, at: float) -> None:
        """The call ends in the IVR: self-service done, voicemail or an outside number."""
        channel = call.caller_channel
        assert channel is not None
        if result.end is IvrEnd.VOICEMAIL and result.mailbox:
            cause = "voicemail"
            await self._cmd(self.switch.redirect(channel, Destination.voicemail(result.mailbox)), "voicemail")
        elif result.end is IvrEnd.TRANSFER and result.number:
            cause = "transferred"
            number = result.number
            self._write(lambda s: Interactions(s).record_transfer(call.id, TransferKind.BLIND, number, _utc(at)),
                        "ivr transfer")
            await self._cmd(self.switch.redirect(channel, Destination.number(number)), "ivr transfer")
        else:
            cause = "callback-requested" if result.callbacks else "ivr"
            await self._cmd(self.switch.hangup(channel, HangupCause.NORMAL_CLEARING), "ivr hangup")
        self._write(lambda s: Interactions(s).record_end(call.id, _utc(at), cause), "ivr end")
        self._call_event(call, cause, CallStatus.ENDED)
        self._forget(call)

    async def _identify(self, call: _Call, customer_id: str | None = None) -> None:
        """Who is calling, their last contacts and open cases: read once, so
        the screen pop at offer time needs no database round trip."""
        try:
            async with self.db.session() as session:
                customers = Customers(session, self.options.region)
                customer = await customers.get(customer_id) if customer_id else await customers.find_by_phone(
                    call.caller_number)
                if customer is None:
                    return
                last = await Interactions(session).last_interactions(customer.id, LAST_CONTACTS + 1)
                cases = await Cases(session).open_for(customer.id)
        except Exception as exc:  # the call goes on, unidentified
            log.warning("customer lookup for %s failed: %s", call.id, exc)
            return
        call.customer = customer
        call.last = tuple(i for i in last if i.id != call.id)[:LAST_CONTACTS]
        call.cases = cases
        call.tier = TIERS.get(customer.tier.value, self.options.unknown_tier) if customer.tier else call.tier
        call.clv = customer.clv or 0.0
        cid = customer.id
        self._write(lambda s: Interactions(s).identify(call.id, cid), "identify")

    async def _enqueue(self, call: _Call, queue: str, priority: int = 0, preferred: str | None = None,
                       preferred_wait_s: float | None = None, required: tuple[SkillRequirement, ...] = ()) -> None:
        """Put a call in a queue (under the lock)."""
        now = self.clock.now()
        call.queue = queue
        call.enqueued_at = now
        call.status = CallStatus.QUEUED
        call.router_id = call.id
        self._router_calls[call.id] = (call, False)
        if preferred is None and call.customer is not None and call.customer.dedicated_agent_id in self._agents:
            preferred = call.customer.dedicated_agent_id
            preferred_wait_s = self.options.preferred_wait_s
        self._write(lambda s: Interactions(s).record_enqueue(call.id, queue, _utc(now)), "enqueue")
        self.legs.enqueued(call.id, queue, now, call.tier, callback=call.direction is Direction.CALLBACK)
        routed = Call(
            id=call.id, queue=queue, arrived_at=now, customer_id=call.customer.id if call.customer else None,
            tier=call.tier, clv=call.clv, priority=priority, preferred_agent=preferred,
            preferred_wait_s=preferred_wait_s or 0.0, required_skills=required,
        )
        await self._apply(self.router.enqueue(routed, now))

    async def on_originate_result(self, e: OriginateResult) -> None:
        async with self._lock:
            found = self._channels.get(e.channel)
            if found is None:
                return
            call, role = found
            if role is _Role.AGENT:
                await self._on_agent_leg(call, e)
            elif role is _Role.CALLER:
                await self._on_customer_leg(call, e)
            elif role is _Role.CONSULT:
                await self._on_consult_leg(call, e)
            elif role is _Role.SPY and not e.success:
                self._channels.pop(e.channel, None)
                for spy_id in [s.id for s in self._spies.values() if s.channel == e.channel]:
                    del self._spies[spy_id]

    async def _on_agent_leg(self, call: _Call, e: OriginateResult) -> None:
        offer = call.offer
        if offer is None or offer.channel != e.channel:
            # A stale leg (the offer was withdrawn): drop it.
            self._channels.pop(e.channel, None)
            if e.success:
                await self._cmd(self.switch.hangup(e.channel), "hangup stale agent leg")
            return
        if not e.success:
            self._channels.pop(e.channel, None)
            offer.channel = None
            if self._router_offered_to(call, offer.agent_id):
                assert call.router_id is not None
                await self._apply(self.router.no_answer(call.router_id, e.at))
            return
        agent = self._agents[offer.agent_id]
        call.agent_id = agent.id
        call.agent_channel = e.channel
        call.offer = None
        assert call.router_id is not None
        await self._apply(self.router.answer(call.router_id, e.at))
        if call.direction is Direction.INBOUND:
            await self._connect(call, e.at)
        else:
            # Outbound and callback: the agent is on the line; now the customer.
            await self._dial_customer(call)

    async def _connect(self, call: _Call, at: float) -> None:
        """Bridge the customer and the agent, and start recording."""
        assert call.caller_channel is not None and call.agent_channel is not None
        call.status = CallStatus.TALKING
        if not await self._cmd(self.switch.bridge(call.caller_channel, call.agent_channel), "bridge"):
            return  # a leg vanished; its hangup event ends the call
        if self.options.record_calls and call.recording is None:
            file = f"{self.options.recordings_dir}/{call.id}.wav"
            if await self._cmd(self.switch.start_recording(call.caller_channel, file), "record"):
                call.recording = file
                self._write(lambda s: Interactions(s).record_recording(call.id, file), "recording")
        self._call_event(call, "connected")

    async def _dial_customer(self, call: _Call) -> None:
        number = call.caller_number or ""
        channel = call.channel_id("c")
        call.caller_channel = channel
        call.status = CallStatus.DIALING
        self._index(channel, call, _Role.CALLER)
        self._call_event(call, "dialing the customer")
        request = OriginateRequest(channel, self._external(number), caller_id_number=self.options.outbound_caller_id,
                                   timeout_s=30.0, variables={"CC_CALL_ID": call.id})
        if not await self._cmd(self.switch.originate(request), "originate customer"):
            await self._end_talk(call, self.clock.now(), "unreachable")

    async def _on_customer_leg(self, call: _Call, e: OriginateResult) -> None:
        if call.status is not CallStatus.DIALING:
            return
        if not e.success:
            reason = e.failure.value if e.failure else "failed"
            self._channels.pop(e.channel, None)
            call.caller_channel = None
            await self._end_talk(call, e.at, f"customer {reason}")
            return
        await self._connect(call, e.at)

    async def on_channels_bridged(self, e: ChannelsBridged) -> None:
        return None  # bridging is our own command; the call's state moved when we asked

    async def on_recording_finished(self, e: RecordingFinished) -> None:
        return None  # the file name was stored when the recording started

    async def on_dtmf_received(self, e: DtmfReceived) -> None:
        return None  # digits outside an IVR prompt are not used

    async def on_channel_hung_up(self, e: ChannelHungUp) -> None:
        async with self._lock:
            found = self._channels.get(e.channel)
            if found is None:
                return
            call, role = found
            # A leg still ringing: its originate result says how it ended.
            if role is _Role.AGENT and call.offer is not None and call.offer.channel == e.channel:
                return
            if role is _Role.CALLER and call.status is CallStatus.DIALING:
                return
            if role is _Role.CONSULT and call.consult is not None and call.consult.channel == e.channel \
                    and not call.consult.answered:
                return
            self._channels.pop(e.channel, None)
            cause = "caller hangup" if role is _Role.CALLER else "agent hangup"
            if role is _Role.CALLER:
                await self._on_caller_gone(call, e.at, cause)
            elif role is _Role.AGENT:
                await self._on_agent_gone(call, e)
            elif role is _Role.CONSULT:
                if call.consult is not None and call.consult.channel == e.channel:
                    await self._consult_failed(call, "the transfer target hung up")
            elif role is _Role.SPY:
                for spy_id in [s.id for s in self._spies.values() if s.channel == e.channel]:
                    del self._spies[spy_id]

    async def _on_caller_gone(self, call: _Call, at: float, cause: str) -> None:
        call.caller_channel = None
        if call.status in (CallStatus.IVR,):
            self._write(lambda s: Interactions(s).record_end(call.id, _utc(at), "ivr-hangup"), "end")
            self._forget(call)
            return
        if call.status in (CallStatus.QUEUED, CallStatus.RINGING):
            await self._abandon(call, at)
            return
        if call.status is CallStatus.DIALING:
            return  # the originate result says how it went
        await self._end_talk(call, at, cause)

    async def _abandon(self, call: _Call, at: float) -> None:
        offer = call.offer
        call.offer = None
        if offer is not None:
            agent = self._agents[offer.agent_id]
            if agent.call_id == call.id:
                agent.call_id = None
            if offer.channel is not None:
                self._channels.pop(offer.channel, None)
                await self._cmd(self.switch.hangup(offer.channel), "hangup ringing agent")
        self._write(lambda s: Interactions(s).record_abandon(call.id, _utc(at)), "abandon")
        self._call_event(call, "abandoned", CallStatus.ABANDONED,
                         agent_id=offer.agent_id if offer else None)
        router_id = call.router_id
        self._forget(call)
        if router_id is not None:
            try:
                effects = self.router.abandon(router_id, at)
            except acd_errors.AcdError:
                self.legs.abandoned(call.id, at)
                return
            self._router_calls[router_id] = (call, False)  # for the CallAbandoned effect
            await self._apply(effects)
            self._router_calls.pop(router_id, None)
        else:
            self.legs.abandoned(call.id, at)

    async def _on_agent_gone(self, call: _Call, e: ChannelHungUp) -> None:
        if call.agent_channel != e.channel:
            return
        call.agent_channel = None
        if call.status is CallStatus.CONSULTING and call.consult is not None and call.consult.answered:
            # The agent hung up during a consultation: join caller and target (as Asterisk's atxfer does).
            await self._complete_consult(call, e.at)
            return
        await self._end_talk(call, e.at, "agent hangup")

    async def _end_talk(self, call: _Call, at: float, cause: str) -> None:
        """The conversation is over: both legs down, agent to wrap-up, storage told."""
        if call.ended:
            return
        for channel in (call.caller_channel, call.agent_channel):
            if channel is not None:
                self._channels.pop(channel, None)
                await self._cmd(self.switch.hangup(channel), "hangup")
        if call.consult is not None:
            await self._drop_consult(call, at)
        call.caller_channel = call.agent_channel = None
        self._write(lambda s: Interactions(s).record_end(call.id, _utc(at), cause), "end")
        agent_id = call.agent_id
        router_id = call.router_id
        self._forget(call)
        self.calls_handled += 1 if call.answered_at is not None else 0
        status = CallStatus.ENDED
        self._call_event(call, cause, status)
        if agent_id is not None:
            agent = self._agents[agent_id]
            agent.call_id = None
            agent.last_call = call.id
            if router_id is not None:
                self._router_calls[router_id] = (call, False)
                try:
                    await self._apply(self.router.hangup(router_id, at))
                except acd_errors.AcdError as exc:
                    log.warning("router hangup of %s: %s", router_id, exc)
                self._router_calls.pop(router_id, None)
        for spy in [s for s in self._spies.values() if s.call_id == call.id]:
            self._spies.pop(spy.id, None)
            await self._cmd(self.switch.hangup(spy.channel), "hangup spy")

    async def on_switch_connected(self, e: SwitchConnected) -> None:
        self.switch_connected = True
        self._publish(SwitchEvent(True, e.at))

    async def on_switch_disconnected(self, e: SwitchDisconnected) -> None:
        self.switch_connected = False
        self._publish(SwitchEvent(False, e.at, e.reason))

    async def on_switch_resynced(self, e: SwitchResynced) -> None:
        """Channels that vanished while disconnected are treated as hung up."""
        live = {c.channel for c in e.channels}
        for channel in [c for c in self._channels if c not in live]:
            await self.on_channel_hung_up(ChannelHungUp(channel, int(HangupCause.UNKNOWN),
                                                        "lost while the switch was disconnected", e.at))

    # ------------------------------------------------------------------ facade: users

    async def authenticate(self, username: str, password: str) -> Viewer | None:
        async with self.db.session() as session:
            user = await Users(session).verify(username, password)
        if user is None:
            return None
        return Viewer(user.username, user.role, user.agent_id)

    def catalog(self) -> Catalog:
        return Catalog(
            queues={q.id: q.name or q.id for q in self.queues.values()},
            not_ready_reasons=tuple(r for r in self.router_settings.not_ready_reasons),
            dispositions=dict(self._dispositions),
            agents={a.id: a.name for a in self._agents.values()},
        )

    # ------------------------------------------------------------------ facade: agent state

    async def login_agent(self, agent_id: str, answer_mode: AnswerMode = AnswerMode.CONSOLE) -> AgentView:
        agent = self._agent(agent_id)
        mode = AnswerMode(answer_mode)
        async with self._lock:
            agent.answer_mode = mode
            if self.router.agent_state(agent_id) is AgentState.LOGGED_OUT:
                now = self.clock.now()
                effects = self.router.login(agent_id, now)
                if self.store is not None:
                    snap = self.router.agent_snapshot(agent_id)
                    await self._store(self.store.put_agent(LiveAgent(agent_id, AgentState.LOGGED_OUT, None, now,
                                                                     dict(snap.skills), None, self.options.node_id)),
                                      "put agent")
                await self._apply(effects)
            return self._agent_view(agent)

    def set_simulated(self, agent_id: str, simulated: bool) -> None:
        """Mark an agent as driven by the demo's simulated workforce."""
        self._agent(agent_id).simulated = simulated

    async def logout_agent(self, agent_id: str) -> AgentView:
        agent = self._agent(agent_id)
        async with self._lock:
            state = self.router.agent_state(agent_id)
            if state is AgentState.LOGGED_OUT:
                return self._agent_view(agent)
            if state is AgentState.WRAP_UP:
                self._record_wrap_end(agent, self.clock.now())
            await self._router_cmd(lambda now: self.router.logout(agent_id, now))
            return self._agent_view(agent)

    async def set_ready(self, agent_id: str) -> AgentView:
        agent = self._agent(agent_id)
        async with self._lock:
            self._require_logged_in(agent_id)
            await self._router_cmd(lambda now: self.router.set_ready(agent_id, now))
            return self._agent_view(agent)

    async def set_not_ready(self, agent_id: str, reason: str) -> AgentView:
        agent = self._agent(agent_id)
        self._check_reason(reason)
        async with self._lock:
            self._require_logged_in(agent_id)
            await self._router_cmd(lambda now: self.router.set_not_ready(agent_id, reason, now))
            return self._agent_view(agent)

    async def force_state(self, agent_id: str, state: str, reason: str | None = None) -> AgentView:
        agent = self._agent(agent_id)
        try:
            target = AgentState(state)
        except ValueError:
            raise InvalidRequest(f"cannot force state {state!r}; use ready, not_ready or logged_out") from None
        if target is AgentState.READY:
            if self.router.agent_state(agent_id) is AgentState.LOGGED_OUT:
                await self.login_agent(agent_id, agent.answer_mode)
            return await self.set_ready(agent_id)
        if target is AgentState.NOT_READY:
            if not reason:
                raise InvalidRequest("not_ready needs a reason")
            self._check_reason(reason)
            if self.router.agent_state(agent_id) is AgentState.LOGGED_OUT:
                await self.login_agent(agent_id, agent.answer_mode)
            return await self.set_not_ready(agent_id, reason)
        if target is AgentState.LOGGED_OUT:
            return await self.logout_agent(agent_id)
        raise InvalidRequest(f"cannot force state {state!r}; use ready, not_ready or logged_out")

    async def set_skills(self, agent_id: str, skills: Mapping[str, int]) -> AgentView:
        agent = self._agent(agent_id)
        known = {s.id for s in self.center.skills}
        clean: dict[str, int] = {}
        for skill, level in skills.items():
            if skill not in known:
                raise InvalidRequest(f"unknown skill {skill!r}; known: {', '.join(sorted(known))}")
            if not isinstance(level, int) or not MIN_LEVEL <= level <= MAX_LEVEL:
                raise InvalidRequest(f"skill {skill!r}: level must be an integer {MIN_LEVEL}..{MAX_LEVEL}")
            clean[skill] = level
        if not clean:
            raise InvalidRequest("an agent needs at least one skill")
        async with self._lock:
            await self._router_cmd(lambda now: self.router.set_skills(agent_id, clean, now))
            if self.store is not None:
                live = await self._store(self.store.get_agent(agent_id), "get agent")
                if isinstance(live, LiveAgent):
                    await self._store(self.store.put_agent(LiveAgent(
                        live.id, live.state, live.reason, live.since, dict(clean), live.call_id, live.node)),
                        "put agent")
            self._publish(SkillsEvent(agent_id, dict(clean), self.clock.now()))
            return self._agent_view(agent)

    async def extend_wrap_up(self, agent_id: str, seconds: float) -> AgentView:
        agent = self._agent(agent_id)
        if not seconds > 0:
            raise InvalidRequest("seconds must be > 0")
        async with self._lock:
            await self._router_cmd(lambda now: self.router.extend_wrap_up(agent_id, seconds, now))
            return self._agent_view(agent)

    async def wrap_up(self, agent_id: str, call_id: str, disposition: str, notes: str = "") -> AgentView:
        agent = self._agent(agent_id)
        if self._dispositions and disposition not in self._dispositions:
            raise UnknownDisposition(disposition, tuple(self._dispositions))
        async with self._lock:
            if call_id != agent.wrap_call and call_id != agent.last_call:
                if call_id in self._calls:
                    raise InvalidState(f"call {call_id!r} is still in progress; hang up first")
                raise NotYourCall(agent_id, call_id)
            if call_id in agent.disposed:
                raise InvalidState(f"call {call_id!r} already has a disposition")
            now = self.clock.now()
            in_wrap = agent.wrap_call == call_id and self.router.agent_state(agent_id) is AgentState.WRAP_UP
            end_at = now if in_wrap and call_id not in self._calls else None
            agent.disposed.add(call_id)
            if len(agent.disposed) > 50:
                agent.disposed = {call_id}
            if in_wrap:
                agent.wrap_recorded = True
            done = self._write(lambda s: Interactions(s).record_wrap_up(
                call_id, disposition, notes, _utc(end_at) if end_at is not None else None), "wrap-up")
            if in_wrap:
                await self._apply(self.router.end_wrap_up(agent_id, now))
        error = await done
        if error is not None:
            raise InvalidState(f"the wrap-up could not be stored: {error}")
        return self._agent_view(agent)

    async def _router_cmd(self, fn: Callable[[float], list[Effect]]) -> None:
        """Run one router command (under the lock), translating its errors."""
        now = self.clock.now()
        try:
            effects = fn(now)
        except acd_errors.UnknownAgent as exc:
            raise UnknownAgent(str(exc.args[0]) if exc.args else "?") from None
        except acd_errors.UnknownReason as exc:
            raise UnknownReason(str(exc), self.router_settings.not_ready_reasons) from None
        except acd_errors.InvalidTransition as exc:
            raise InvalidState(str(exc)) from None
        except acd_errors.AcdError as exc:
            raise InvalidRequest(str(exc)) from None
        await self._apply(effects)

    def _check_reason(self, reason: str) -> None:
        if reason not in self.router_settings.not_ready_reasons:
            raise UnknownReason(reason, self.router_settings.not_ready_reasons)

    def _require_logged_in(self, agent_id: str) -> None:
        if self.router.agent_state(agent_id) is AgentState.LOGGED_OUT:
            raise InvalidState(f"agent {agent_id!r} is logged out")

    # ------------------------------------------------------------------ facade: calls

    async def answer(self, agent_id: str, call_id: str) -> CallView:
        async with self._lock:
            call = self._call_of(agent_id, call_id)
            offer = call.offer
            if offer is None or offer.agent_id != agent_id:
                raise InvalidState(f"call {call_id!r} is not ringing for {agent_id!r}")
            if offer.channel is not None:
                raise InvalidState(f"call {call_id!r} is already being put through to the phone")
            if not self.switch_connected:
                raise SwitchUnavailable("the switch is not connected")
            # The console answered: ring the agent's phone with auto-answer.
            await self._ring_agent(call, self._agents[agent_id], auto_answer=True)
            return self._view(call)

    async def hangup(self, agent_id: str, call_id: str) -> CallView:
        async with self._lock:
            call = self._call_of(agent_id, call_id)
            now = self.clock.now()
            if call.status is CallStatus.RINGING and call.offer is not None:
                # Declining an offer counts as not answering it.
                if call.router_id is not None and self._router_offered_to(call, agent_id):
                    await self._apply(self.router.no_answer(call.router_id, now))
                return self._view(call)
            if call.status not in (CallStatus.TALKING, CallStatus.HELD, CallStatus.CONSULTING, CallStatus.DIALING):
                raise InvalidState(f"call {call_id!r} is {call.status.value}")
            await self._end_talk(call, now, "agent hangup")
            return self._view(call, CallStatus.ENDED)

    async def hold(self, agent_id: str, call_id: str) -> CallView:
        async with self._lock:
            call = self._call_of(agent_id, call_id)
            if call.status is not CallStatus.TALKING or call.caller_channel is None:
                raise InvalidState(f"call {call_id!r} is {call.status.value}, not talking")
            await self._must(self.switch.hold(call.caller_channel))
            now = self.clock.now()
            assert call.router_id is not None
            await self._apply(self.router.hold(call.router_id, now))
            call.status = CallStatus.HELD
            self.legs.hold(call.id, now)
            self._write(lambda s: Interactions(s).record_hold(call.id, _utc(now), agent_id), "hold")
            self._call_event(call, "held")
            return self._view(call)

    async def unhold(self, agent_id: str, call_id: str) -> CallView:
        async with self._lock:
            call = self._call_of(agent_id, call_id)
            if call.status is not CallStatus.HELD or call.caller_channel is None or call.agent_channel is None:
                raise InvalidState(f"call {call_id!r} is {call.status.value}, not held")
            await self._must(self.switch.bridge(call.caller_channel, call.agent_channel))
            now = self.clock.now()
            assert call.router_id is not None
            await self._apply(self.router.unhold(call.router_id, now))
            call.status = CallStatus.TALKING
            self.legs.unhold(call.id, now)
            self._write(lambda s: Interactions(s).record_unhold(call.id, _utc(now)), "unhold")
            self._call_event(call, "resumed")
            return self._view(call)

    async def transfer(
        self, agent_id: str, call_id: str, target_kind: TargetKind, target: str, attended: bool = False
    ) -> CallView:
        kind = TargetKind(target_kind)
        target = target.strip()
        if not target:
            raise InvalidRequest("a transfer needs a target")
        # The target first: a wrong target is wrong whatever the call's state.
        if kind is TargetKind.QUEUE and target not in self.queues:
            raise UnknownQueue(target)
        if kind is TargetKind.AGENT:
            if target not in self._agents:
                raise UnknownAgent(target)
            if target == agent_id:
                raise InvalidRequest("cannot transfer a call to oneself")
        number = self._number(target) if kind is TargetKind.NUMBER else ""
        async with self._lock:
            call = self._call_of(agent_id, call_id)
            if call.status not in (CallStatus.TALKING, CallStatus.HELD) or call.caller_channel is None:
                raise InvalidState(f"call {call_id!r} is {call.status.value}; transfer a connected call")
            if call.direction is not Direction.INBOUND and kind is not TargetKind.NUMBER:
                raise InvalidState("outbound calls can be transferred to a number only")
            if kind is TargetKind.QUEUE:
                await self._requeue(call, target, f"queue:{target}")
            elif kind is TargetKind.AGENT:
                queue = self._queue_for_agent(target, call.queue)
                if attended:
                    await self._consult_agent(call, target, queue)
                else:
                    await self._requeue(call, queue, f"agent:{target}", preferred=target)
            else:
                if attended:
                    await self._consult_number(call, number)
                else:
                    await self._transfer_out(call, number)
            return self._view(call)

    def _number(self, text: str) -> str:
        number = try_normalize(text, self.options.region)
        if number is None:
            raise InvalidRequest(f"{text!r} is not a valid phone number")
        return number

    def _queue_for_agent(self, target: str, preferred_queue: str | None) -> str:
        """A queue whose requirements the target agent meets (the call's own first)."""
        if target not in self._agents:
            raise UnknownAgent(target)
        if self.router.agent_state(target) is AgentState.LOGGED_OUT:
            raise InvalidState(f"agent {target!r} is logged out")
        skills = self.router.agent_snapshot(target).skills
        order = ([preferred_queue] if preferred_queue else []) + sorted(self.queues)
        for q in order:
            cfg = self.queues.get(q)
            if cfg is not None and all(skills.get(r.skill, 0) >= r.min_level for r in cfg.requirements):
                return q
        raise InvalidState(f"agent {target!r} meets no queue's requirements")

    async def _release_agent_leg(self, call: _Call, at: float) -> str | None:
        """The caller leaves the agent (to hold); the agent's leg is hung up
        and the agent goes to wrap-up. Returns the agent's id."""
        assert call.caller_channel is not None
        await self._must(self.switch.hold(call.caller_channel))
        agent_id = call.agent_id
        if call.agent_channel is not None:
            channel = call.agent_channel
            self._channels.pop(channel, None)
            await self._cmd(self.switch.hangup(channel), "hangup transferring agent")
        call.agent_channel = None
        if call.status is CallStatus.HELD:
            self.legs.unhold(call.id, at)
            self._write(lambda s: Interactions(s).record_unhold(call.id, _utc(at)), "unhold")
        self.legs.ended(call.id, at)
        if agent_id is not None:
            agent = self._agents[agent_id]
            agent.call_id = None
            agent.last_call = call.id
            router_id = call.router_id
            if router_id is not None:
                effects = self.router.hangup(router_id, at)
                await self._apply([x for x in effects if not isinstance(x, CallEnded)])
                self._router_calls.pop(router_id, None)
                call.router_id = None
        call.agent_id = None
        return agent_id

    async def _requeue(self, call: _Call, queue: str, label: str, preferred: str | None = None) -> None:
        now = self.clock.now()
        from_agent = await self._release_agent_leg(call, now)
        self._write(lambda s: Interactions(s).record_transfer(call.id, TransferKind.BLIND, label, _utc(now),
                                                              from_agent), "transfer")
        self._call_event(call, f"transferred to {label}", CallStatus.TRANSFERRED, agent_id=from_agent)
        call.answered_at = None
        await self._enqueue(call, queue, 0, preferred, self.options.transfer_wait_s if preferred else None)

    async def _transfer_out(self, call: _Call, number: str) -> None:
        now = self.clock.now()
        assert call.caller_channel is not None
        caller = call.caller_channel
        agent_channel = call.agent_channel
        if agent_channel is not None and call.status is CallStatus.TALKING:
            await self._must(self.switch.blind_transfer(agent_channel, Destination.number(number)))
        else:
            await self._must(self.switch.redirect(caller, Destination.number(number)))
            if agent_channel is not None:
                await self._cmd(self.switch.hangup(agent_channel), "hangup after transfer")
        self._write(lambda s: Interactions(s).record_transfer(call.id, TransferKind.BLIND, number, _utc(now),
                                                              call.agent_id), "transfer")
        await self._finish_transferred(call, now)

    async def _finish_transferred(self, call: _Call, at: float) -> None:
        """The call left the center (to an outside number): end it here."""
        for channel in (call.caller_channel, call.agent_channel):
            if channel is not None:
                self._channels.pop(channel, None)
        call.caller_channel = call.agent_channel = None
        self._write(lambda s: Interactions(s).record_end(call.id, _utc(at), "transferred"), "end")
        agent_id, router_id = call.agent_id, call.router_id
        self._forget(call)
        self.calls_handled += 1
        self._call_event(call, "transferred out", CallStatus.TRANSFERRED)
        if agent_id is not None:
            agent = self._agents[agent_id]
            agent.call_id = None
            agent.last_call = call.id
            if router_id is not None:
                self._router_calls[router_id] = (call, False)
                await self._apply(self.router.hangup(router_id, at))
                self._router_calls.pop(router_id, None)

    # --- attended transfers

    async def _consult_number(self, call: _Call, number: str) -> None:
        assert call.caller_channel is not None
        if call.consult is not None:
            raise InvalidState("a transfer is already in progress")
        if call.status is CallStatus.TALKING:
            await self._must(self.switch.hold(call.caller_channel))
            await self._start_hold(call)
        channel = call.channel_id("x")
        call.consult = _Consult(TargetKind.NUMBER, number, channel)
        self._index(channel, call, _Role.CONSULT)
        call.status = CallStatus.CONSULTING
        request = OriginateRequest(channel, self._external(number), caller_id_number=self.options.outbound_caller_id,
                                   timeout_s=30.0, variables={"CC_CALL_ID": call.id})
        if not await self._cmd(self.switch.originate(request), "originate consult"):
            await self._consult_failed(call, "the number could not be dialled")
            return
        self._call_event(call, f"consulting {number}")

    async def _consult_agent(self, call: _Call, target: str, queue: str) -> None:
        assert call.caller_channel is not None
        if call.consult is not None:
            raise InvalidState("a transfer is already in progress")
        if self.router.agent_state(target) is not AgentState.READY:
            raise InvalidState(f"agent {target!r} is not ready")
        if call.status is CallStatus.TALKING:
            await self._must(self.switch.hold(call.caller_channel))
            await self._start_hold(call)
        consult_id = f"{call.id}~x{next(self._seq)}"
        call.consult = _Consult(TargetKind.AGENT, target, router_id=consult_id)
        call.status = CallStatus.CONSULTING
        self._router_calls[consult_id] = (call, True)
        now = self.clock.now()
        routed = Call(consult_id, queue, now, tier=call.tier, priority=OUTBOUND_PRIORITY, preferred_agent=target,
                      preferred_wait_s=3600.0)
        self._call_event(call, f"consulting agent {target}")
        await self._apply(self.router.enqueue(routed, now))

    async def _start_hold(self, call: _Call) -> None:
        now = self.clock.now()
        assert call.router_id is not None
        await self._apply(self.router.hold(call.router_id, now))
        self.legs.hold(call.id, now)
        agent_id = call.agent_id
        self._write(lambda s: Interactions(s).record_hold(call.id, _utc(now), agent_id), "hold")

    async def _offer_consult(self, call: _Call, agent: _Agent, e: OfferCall) -> None:
        consult = call.consult
        if consult is None or consult.router_id != e.call_id:
            await self._apply(self.router.abandon(e.call_id, e.at))
            return
        agent.call_id = call.id
        pop = build_screen_pop(call.caller_number, call.customer, call.last, call.cases, call.ivr_path,
                               call.ivr_inputs, 0.0)
        self._publish(self._external_pop(ScreenPopEvent(agent.id, call.id, e.queue_id, call.direction, e.at,
                                                        e.deadline, AnswerMode.PHONE, pop)))
        channel = call.channel_id("x")
        consult.channel = channel
        self._index(channel, call, _Role.CONSULT)
        timeout = max(1.0, e.deadline - self.clock.now() + self.options.ring_grace_s)
        # A consultation rings the target's phone with auto-answer for console agents.
        request = OriginateRequest(channel, self._endpoint(agent), caller_id_name=f"Transfer from {call.agent_id}",
                                   timeout_s=timeout, auto_answer=agent.answer_mode is AnswerMode.CONSOLE,
                                   variables={"CC_CALL_ID": call.id})
        if not await self._cmd(self.switch.originate(request), "originate consult"):
            await self._consult_failed(call, "the agent's phone could not be rung")

    async def _on_consult_leg(self, call: _Call, e: OriginateResult) -> None:
        consult = call.consult
        if consult is None or consult.channel != e.channel:
            self._channels.pop(e.channel, None)
            if e.success:
                await self._cmd(self.switch.hangup(e.channel), "hangup stale consult")
            return
        if not e.success:
            await self._consult_failed(call, f"the target did not answer ({e.failure.value if e.failure else '?'})")
            return
        consult.answered = True
        if consult.router_id is not None:
            await self._apply(self.router.answer(consult.router_id, e.at))
        if call.agent_channel is not None:
            await self._cmd(self.switch.bridge(call.agent_channel, e.channel), "bridge consult")
        self._call_event(call, f"talking to {consult.target}")

    async def _consult_failed(self, call: _Call, why: str) -> None:
        await self._drop_consult(call, self.clock.now())
        if not call.ended:
            call.status = CallStatus.HELD
            self._call_event(call, f"transfer failed: {why}")

    async def _drop_consult(self, call: _Call, at: float) -> None:
        consult = call.consult
        if consult is None:
            return
        call.consult = None
        if consult.channel is not None:
            self._channels.pop(consult.channel, None)
            await self._cmd(self.switch.hangup(consult.channel), "hangup consult")
        rid = consult.router_id
        if rid is not None:
            self._router_calls.pop(rid, None)
            try:
                snap = self.router.call_snapshot(rid)
            except acd_errors.UnknownCall:
                return
            target = self._agents.get(snap.agent_id or "")
            if target is not None and target.call_id == call.id:
                target.call_id = None
            if snap.state.value in ("talking", "held"):
                await self._apply(self.router.hangup(rid, at))
                if snap.agent_id is not None and self.router.agent_state(snap.agent_id) is AgentState.WRAP_UP:
                    await self._apply(self.router.end_wrap_up(snap.agent_id, at))
            else:
                await self._apply(self.router.abandon(rid, at))

    async def complete_transfer(self, agent_id: str, call_id: str) -> CallView:
        async with self._lock:
            call = self._call_of(agent_id, call_id)
            consult = call.consult
            if call.status is not CallStatus.CONSULTING or consult is None or not consult.answered:
                raise InvalidState("no answered consultation to complete")
            await self._complete_consult(call, self.clock.now())
            return self._view(call)

    async def _complete_consult(self, call: _Call, at: float) -> None:
        consult = call.consult
        assert consult is not None and consult.channel is not None
        caller = call.caller_channel
        if caller is None:
            await self._drop_consult(call, at)
            return
        await self._must(self.switch.bridge(caller, consult.channel))
        from_agent = call.agent_id
        self.legs.unhold(call.id, at)
        self._write(lambda s: Interactions(s).record_unhold(call.id, _utc(at)), "unhold")
        label = f"agent:{consult.target}" if consult.kind is TargetKind.AGENT else consult.target
        self._write(lambda s: Interactions(s).record_transfer(call.id, TransferKind.ATTENDED, label, _utc(at),
                                                              from_agent), "transfer")
        if call.agent_channel is not None:
            self._channels.pop(call.agent_channel, None)
            await self._cmd(self.switch.hangup(call.agent_channel), "hangup transferring agent")
        call.agent_channel = None
        if consult.kind is TargetKind.NUMBER:
            call.consult = None
            self._channels.pop(consult.channel, None)
            call.agent_channel = None
            # Hand the call outside: the old agent wraps up, the call ends here.
            if call.router_id is not None:
                await self._apply(self.router.unhold(call.router_id, at))
            await self._finish_transferred(call, at)
            return
        # To an agent: the consultation's router call carries on as the call.
        old_router = call.router_id
        if old_router is not None and from_agent is not None:
            self._router_calls[old_router] = (call, False)
            effects = self.router.unhold(old_router, at) + self.router.hangup(old_router, at)
            await self._apply([x for x in effects if not isinstance(x, CallEnded)])
            self._router_calls.pop(old_router, None)
            old = self._agents[from_agent]
            old.call_id = None
            old.last_call = call.id
        call.consult = None
        call.router_id = consult.router_id
        assert call.router_id is not None
        self._router_calls[call.router_id] = (call, False)
        call.agent_id = consult.target
        call.agent_channel = consult.channel
        self._index(consult.channel, call, _Role.AGENT)
        self._agents[consult.target].call_id = call.id
        call.status = CallStatus.TALKING
        self._call_event(call, f"transferred from {from_agent}")
        if from_agent is not None:
            self._call_event(call, "transferred", CallStatus.TRANSFERRED, agent_id=from_agent)

    async def cancel_transfer(self, agent_id: str, call_id: str) -> CallView:
        async with self._lock:
            call = self._call_of(agent_id, call_id)
            if call.consult is None:
                raise InvalidState("no transfer in progress")
            await self._drop_consult(call, self.clock.now())
            call.status = CallStatus.HELD
            self._call_event(call, "transfer cancelled; caller on hold")
            return self._view(call)

    # --- outbound

    async def dial(self, agent_id: str, number_or_customer_id: str) -> CallView:
        agent = self._agent(agent_id)
        text = number_or_customer_id.strip()
        if not text:
            raise InvalidRequest("dial needs a number or a customer id")
        customer: Customer | None = None
        async with self.db.session() as session:
            customer = await Customers(session, self.options.region).get(text)
            if customer is not None:
                if not customer.phones:
                    raise InvalidRequest(f"customer {text!r} has no phone number")
                number = customer.phones[0]
            else:
                number = self._number(text)
                customer = await Customers(session, self.options.region).find_by_phone(number)
        async with self._lock:
            state = self.router.agent_state(agent_id)
            if state not in (AgentState.READY, AgentState.NOT_READY) or agent.call_id is not None:
                raise InvalidState(f"agent {agent_id!r} is {state.value}; dial from ready or not ready")
            queue = self._queue_for_agent(agent_id, None)
            now = self.clock.now()
            call = _Call(id=f"out-{uuid.uuid4().hex[:16]}", direction=Direction.OUTBOUND, arrived_at=now,
                         caller_number=number, status=CallStatus.QUEUED, queue=queue, customer=customer,
                         tier=TIERS.get(customer.tier.value, 3) if customer and customer.tier else 3)
            call.router_id = call.id
            self._calls[call.id] = call
            self._router_calls[call.id] = (call, False)
            cust_id = customer.id if customer else None
            self._write(lambda s: Interactions(s).start_interaction(
                call.id, _utc(now), number, cust_id, direction=Direction.OUTBOUND.value), "outbound start")
            reason = self.router.agent_snapshot(agent_id).reason if state is AgentState.NOT_READY else None
            routed = Call(call.id, queue, now, customer_id=cust_id, tier=call.tier, priority=OUTBOUND_PRIORITY,
                          preferred_agent=agent_id, preferred_wait_s=3600.0)
            # Queued for this agent alone, then the agent made ready in the same
            # step: nothing else can get in between; a not-ready agent goes back
            # to that reason after the call.
            effects = self.router.enqueue(routed, now)
            if state is AgentState.NOT_READY:
                effects += self.router.set_ready(agent_id, now)
                if reason is not None and reason != "login" and reason in self.router_settings.not_ready_reasons:
                    effects += self.router.set_not_ready(agent_id, reason, now)
            await self._apply(effects)
            return self._view(call)

    async def callbacks(self, agent_id: str) -> tuple[CallbackView, ...]:
        agent = self._agent(agent_id)
        skills = self.router.agent_snapshot(agent.id).skills
        out = []
        for call in self._calls.values():
            if call.direction is not Direction.CALLBACK or call.queue is None:
                continue
            cfg = self.queues[call.queue]
            mine = call.agent_id == agent_id or (call.offer is not None and call.offer.agent_id == agent_id)
            if mine or all(skills.get(r.skill, 0) >= r.min_level for r in cfg.requirements):
                out.append(CallbackView(call.id, call.queue, call.caller_number,
                                        call.customer.id if call.customer else None, call.arrived_at,
                                        call.agent_id or (call.offer.agent_id if call.offer else None)))
        return tuple(sorted(out, key=lambda c: c.requested_at))

    # --- supervisor monitoring

    async def spy(self, supervisor_id: str, agent_id: str, mode: SpyMode) -> SpySession:
        spy_mode = SpyMode(mode)
        self._agent(agent_id)
        async with self._lock:
            agent = self._agents[agent_id]
            call = self._calls.get(agent.call_id or "")
            if call is None or call.agent_channel is None or call.status not in (
                    CallStatus.TALKING, CallStatus.HELD, CallStatus.CONSULTING):
                raise InvalidState(f"agent {agent_id!r} is not on a call")
            spy_id = f"spy-{next(self._seq)}"
            channel = f"{call.id}.{spy_id}"
            endpoint = self.options.supervisor_endpoint.format(user=supervisor_id, agent=supervisor_id,
                                                               extension=supervisor_id, number=supervisor_id)
            self._index(channel, call, _Role.SPY)
            try:
                await self._must(self.switch.spy(SpyRequest(channel, endpoint, call.agent_channel,
                                                            SwitchSpyMode(spy_mode.value))))
            except ServiceError:
                self._channels.pop(channel, None)
                raise
            session = SpySession(spy_id, supervisor_id, agent_id, call.id, spy_mode)
            self._spies[spy_id] = _Spy(spy_id, supervisor_id, agent_id, call.id, spy_mode, channel)
            return session

    async def end_spy(self, supervisor_id: str, spy_id: str) -> None:
        async with self._lock:
            spy = self._spies.get(spy_id)
            if spy is None:
                raise InvalidRequest(f"no spy session {spy_id!r}")
            if spy.supervisor != supervisor_id:
                raise NotPermitted(f"spy session {spy_id!r} belongs to {spy.supervisor!r}")
            del self._spies[spy_id]
            self._channels.pop(spy.channel, None)
            await self._cmd(self.switch.hangup(spy.channel), "hangup spy")

    # ------------------------------------------------------------------ facade: views

    async def agent_view(self, agent_id: str) -> AgentView:
        return self._agent_view(self._agent(agent_id))

    def _agent_view(self, agent: _Agent) -> AgentView:
        snap = self.router.agent_snapshot(agent.id)
        now = self.clock.now()
        call = self._calls.get(agent.call_id or "")
        return AgentView(
            agent_id=agent.id, name=agent.name, state=snap.state.value, reason=snap.reason, since=snap.state_since,
            time_in_state_s=max(0.0, now - snap.state_since) if snap.state is not AgentState.LOGGED_OUT else 0.0,
            pending_reason=snap.pending_reason, skills=dict(snap.skills),
            current_call=self._view(call) if call is not None else None, wrap_up_until=snap.wrap_up_until,
            answer_mode=agent.answer_mode, simulated=agent.simulated, today=self._agent_stats(agent.id, now),
        )

    def _agent_stats(self, agent_id: str, now: float) -> AgentStats:
        start = day_start(now, self.tz)
        spans = self.spans.spans(agent_id, since=start)
        records = [r for r in self.legs.records(start) if r.agent == agent_id and r.answered_at is not None]
        stats = call_stats(records, now=now)
        per_state: dict[str, float] = {}
        for span in spans:
            lo = max(span.start, start)
            hi = span.end if span.end is not None else now
            if hi > lo:
                per_state[span.state.value] = per_state.get(span.state.value, 0.0) + (hi - lo)
        return AgentStats(
            calls=sum(1 for r in records if r.ended_at is not None),
            aht_s=stats.aht_s,
            occupancy=occupancy(spans, start=start, end=now, now=now),
            time_in_state_s=per_state,
        )

    async def snapshot(self) -> Snapshot:
        now = self.clock.now()
        start = day_start(now, self.tz)
        records = self.legs.records(start)
        queues = []
        for q in self.queues.values():
            settings = MetricSettings(answer_within_s=q.service_level.threshold_s)
            mine = [r for r in records if r.queue == q.id and not r.callback]
            today = call_stats(mine, settings, now=now)
            recent = call_stats([r for r in mine if r.arrived_at >= now - self.options.sl_window_s], settings, now=now)
            waiting_ids = self.router.waiting(q.id)
            longest = None
            for cid in waiting_ids:
                csnap = self.router.call_snapshot(cid)
                if not csnap.is_callback:
                    w = now - csnap.queue_entered_at
                    longest = w if longest is None else max(longest, w)
            queues.append(QueueView(
                queue_id=q.id, name=q.name or q.id, waiting=self.router.waiting_count(q.id), longest_wait_s=longest,
                sl_target=q.service_level.target, sl_threshold_s=q.service_level.threshold_s,
                sl_today=today.service_level, sl_30min=recent.service_level, asa_s=today.asa_s, aht_s=today.aht_s,
                abandon_rate=today.abandon_rate, offered=today.offered, answered=today.answered,
                abandoned=today.abandoned,
            ))
        agents = []
        ready = busy = logged_in = 0
        for agent in self._agents.values():
            snap = self.router.agent_snapshot(agent.id)
            state = snap.state
            if state is not AgentState.LOGGED_OUT:
                logged_in += 1
            if state is AgentState.READY:
                ready += 1
            elif state in (AgentState.RESERVED, AgentState.BUSY, AgentState.HELD, AgentState.WRAP_UP):
                busy += 1
            agents.append(AgentSummary(
                agent.id, agent.name, state.value, snap.reason,
                max(0.0, now - snap.state_since) if state is not AgentState.LOGGED_OUT else 0.0,
                agent.call_id, dict(snap.skills), agent.simulated,
            ))
        total = call_stats([r for r in records if not r.callback],
                           {q.id: MetricSettings(answer_within_s=q.service_level.threshold_s)
                            for q in self.queues.values()}, now=now)
        return Snapshot(
            at=now, queues=tuple(queues), agents=tuple(agents), waiting=sum(q.waiting for q in queues),
            agents_ready=ready, agents_busy=busy, agents_logged_in=logged_in, calls_handled=self.calls_handled,
            sl_today=total.service_level, screen_pop=self.pop_latency.stats(), switch_connected=self.switch_connected,
        )

    def latency(self) -> LatencyStats:
        """Screen-pop latency so far."""
        return self.pop_latency.stats()

    # ------------------------------------------------------------------ facade: events

    def subscribe(self, viewer: Viewer) -> AsyncIterator[ServiceEvent]:
        if viewer.role not in (Role.AGENT, Role.SUPERVISOR, Role.ADMIN):
            raise NotPermitted(f"role {viewer.role.value!r} has no live events")
        if viewer.role is Role.AGENT and viewer.agent_id not in self._agents:
            raise UnknownAgent(viewer.agent_id or "")
        return self.bus.subscribe(viewer)
