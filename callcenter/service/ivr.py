"""The IVR seam: how an inbound call gets from the entry number to a queue.

The service hands an answered call to an :class:`IvrRunner`, which talks to
the caller through the switch (prompts, digits) and says where the call goes
and what the caller entered. :class:`DirectEntry` is the runner without
prompts: the dialled number names the queue. :class:`FlowRunner` drives the
IVR engine (``ivr.step(state, event) -> (state, effects)``, pure) over the
switch: ``Play`` is ``Switch.play``, ``CollectDigits`` is
``Switch.collect_digits``, ``Lookup`` goes to the CRM data hooks, and the
ending effect (queue, voicemail, transfer, hangup) is handed back to the
service. Numbers listed as direct entry points skip the flow.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from callcenter.crm.phones import DEFAULT_REGION
from callcenter.storage.customers import Customers
from callcenter.storage.db import Database
from callcenter.telephony.port import ChannelId, Switch, TelephonyError
from ivr import effects as fx
from ivr.errors import IvrError
from ivr.events import CallerHungUp, CallStarted, DigitsReceived, DigitTimeout, Event, LookupResult, PromptFinished
from ivr.interpreter import IvrState, start, step
from ivr.model import Program, tier_name
from ivr.trace import to_dict as trace_to_dict

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class IvrCall:
    """What a runner knows of the call it serves."""

    call_id: str
    channel: ChannelId
    caller_number: str | None
    called_number: str
    customer_id: str | None = None
    tier: int | None = None


class IvrEnd(str, Enum):
    """How the IVR part of a call ended."""

    QUEUE = "queue"
    HANGUP = "hangup"  # the flow hung up (self-service done)
    VOICEMAIL = "voicemail"
    TRANSFER = "transfer"  # to an outside number
    CALLER_HUNG_UP = "caller-hangup"


@dataclass(frozen=True, slots=True)
class CaseRequest:
    """A case the flow opened (a complaint with its deadline)."""

    kind: str
    opened_at: dt.datetime
    due_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class IvrResult:
    """Where the call goes next.

    ``queue`` None: the call ends in the IVR (see ``end``). ``customer_id``
    and ``tier`` when the IVR identified the caller; ``skills`` and
    ``priority`` what the flow asked of the queue; ``callbacks`` callback
    requests the caller accepted (queue, number); ``cases`` cases opened.
    """

    queue: str | None
    path: tuple[str, ...] = ()
    inputs: Mapping[str, str] = field(default_factory=dict)
    customer_id: str | None = None
    hung_up: bool = False
    priority: int = 0
    end: IvrEnd = IvrEnd.QUEUE
    tier: int | None = None
    skills: tuple[tuple[str, int], ...] = ()
    mailbox: str | None = None
    number: str | None = None
    callbacks: tuple[tuple[str, str], ...] = ()
    cases: tuple[CaseRequest, ...] = ()


class IvrRunner(Protocol):
    async def run(self, call: IvrCall, switch: Switch) -> IvrResult:
        """Serve the caller until they are to be queued (or gone)."""
        ...


class DirectEntry:
    """No prompts: the entry number picks the queue.

    Args:
        entry_points: dialled number -> queue id.
        queues: known queue ids; a dialled queue id goes to that queue.
        default_queue: for any other number (default: the first queue).
    """

    def __init__(self, entry_points: Mapping[str, str], queues: list[str], default_queue: str | None = None) -> None:
        self.entry_points = dict(entry_points)
        self.queues = list(queues)
        self.default_queue = default_queue or (self.queues[0] if self.queues else None)

    def queue_for(self, called_number: str) -> str | None:
        if called_number in self.entry_points:
            return self.entry_points[called_number]
        if called_number in self.queues:
            return called_number
        return self.default_queue

    async def run(self, call: IvrCall, switch: Switch) -> IvrResult:
        return IvrResult(self.queue_for(call.called_number), path=("entry",))


class DataHooks(Protocol):
    async def lookup(self, hook: str, key: str) -> Mapping[str, str] | None:
        """The record for ``key`` from data hook ``hook`` (None: not found)."""
        ...


class CrmHooks:
    """The IVR's data hooks over the CRM: ``customer_by_phone`` and
    ``customer_by_account`` (fields ``id``, ``name``, ``tier``, ``segment``,
    ``account``). Other hooks (``balance``: no core-banking link here)
    answer "not found", which every flow must handle."""

    def __init__(self, db: Database, region: str = DEFAULT_REGION) -> None:
        self.db = db
        self.region = region

    async def lookup(self, hook: str, key: str) -> Mapping[str, str] | None:
        if hook not in ("customer_by_phone", "customer_by_account") or not key:
            return None
        async with self.db.session() as session:
            customers = Customers(session, self.region)
            if hook == "customer_by_phone":
                customer = await customers.find_by_phone(key)
            else:
                customer = await customers.find_by_account(key)
        if customer is None:
            return None
        return {
            "id": customer.id,
            "name": customer.name,
            "tier": customer.tier.value if customer.tier else "",
            "segment": customer.segment.value if customer.segment else "",
            "account": customer.account_number or "",
        }


class FlowRunner:
    """Runs an IVR flow (``ivr``) over the switch for inbound calls.

    Args:
        program: the flow and its subflows.
        hooks: the data hooks answering ``Lookup``.
        tz: the center's time zone (business hours need local times).
        now: the service clock's ``now``.
        direct: dialled numbers that go straight to a queue, no flow.
        queues: the known queue ids (a dialled queue id is direct too).
    """

    def __init__(
        self,
        program: Program,
        hooks: DataHooks,
        tz: ZoneInfo,
        now: Callable[[], float],
        direct: Mapping[str, str] | None = None,
        queues: list[str] | None = None,
        traces: Path | None = None,
    ) -> None:
        self.program = program
        self.hooks = hooks
        self.tz = tz
        self.now = now
        self.direct = DirectEntry(direct or {}, queues or [], None)
        self.traces = traces

    def _traced(self, state: IvrState, result: IvrResult) -> IvrResult:
        """Append the call's IVR trace (JSON line) for ``callcenter ivr stats``."""
        if self.traces is not None:
            try:
                line = json.dumps(trace_to_dict(state.trace()))
                with self.traces.open("a", encoding="utf-8") as out:
                    out.write(line + "\n")
            except (IvrError, OSError) as exc:  # analytics must never break a call
                log.warning("IVR trace not written: %s", exc)
        return result

    def _at(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.now(), self.tz)

    async def run(self, call: IvrCall, switch: Switch) -> IvrResult:
        if call.called_number in self.direct.entry_points or call.called_number in self.direct.queues:
            return await self.direct.run(call, switch)
        variables: dict[str, str] = {}
        if call.customer_id:
            variables["customer_id"] = call.customer_id
        if call.tier is not None and call.customer_id:
            variables["tier"] = tier_name(call.tier)
        state, effects = step(start(self.program), CallStarted(
            call.caller_number or "", call.called_number, self._at(), variables, call.call_id))
        callbacks: list[tuple[str, str]] = []
        cases: list[CaseRequest] = []
        inputs: dict[str, str] = {}
        try:
            while True:
                waiting: fx.Effect | None = None
                for effect in effects:
                    if isinstance(effect, fx.OfferCallback):
                        callbacks.append((effect.queue, effect.number or (call.caller_number or "")))
                    elif isinstance(effect, fx.OpenCase):
                        cases.append(CaseRequest(effect.kind, effect.opened_at, effect.due_at))
                    elif isinstance(effect, fx.RecordSurvey):
                        for question, answer in effect.answers.items():
                            inputs[f"survey.{question}"] = "" if answer is None else str(answer)
                    elif isinstance(effect, (fx.EnterQueue, fx.Voicemail, fx.Transfer, fx.Hangup)):
                        return self._traced(state, self._ended(
                            effect, state.path, {**state.inputs, **inputs}, state.customer_id, state.tier,
                            callbacks, cases))
                    elif effect.waits:
                        waiting = effect
                if state.done or waiting is None:
                    return self._traced(state, IvrResult(
                        None, state.path, {**state.inputs, **inputs}, state.customer_id,
                        end=IvrEnd.HANGUP, callbacks=tuple(callbacks), cases=tuple(cases)))
                event = await self._carry_out(waiting, call, switch)
                state, effects = step(state, event)
                if isinstance(event, CallerHungUp):
                    return self._traced(state, IvrResult(
                        None, state.path, {**state.inputs, **inputs}, state.customer_id, hung_up=True,
                        end=IvrEnd.CALLER_HUNG_UP, callbacks=tuple(callbacks), cases=tuple(cases)))
        except IvrError as exc:
            # A broken flow must not strand the caller: a person helps.
            log.warning("IVR flow failed for %s: %s", call.call_id, exc)
            return IvrResult(self.direct.default_queue, state.path, dict(inputs), state.customer_id)

    async def _carry_out(self, effect: fx.Effect, call: IvrCall, switch: Switch) -> Event:
        try:
            if isinstance(effect, fx.Play):
                await switch.play(call.channel, _prompt(effect.prompt))
                return PromptFinished(self._at())
            if isinstance(effect, fx.CollectDigits):
                result = await switch.collect_digits(call.channel, _prompt(effect.prompt), effect.max_digits,
                                                     effect.timeout_s)
                if result.hung_up:
                    return CallerHungUp(self._at())
                if not result.digits:
                    return DigitTimeout(self._at())
                return DigitsReceived(result.digits, self._at())
            if isinstance(effect, fx.Lookup):
                try:
                    record = await self.hooks.lookup(effect.hook, effect.key)
                except Exception as exc:  # the hook is down: go on as not found
                    return LookupResult(None, self._at(), error=str(exc))
                return LookupResult(record, self._at())
        except TelephonyError as exc:
            log.info("IVR of %s: %s", call.call_id, exc)
            return CallerHungUp(self._at())
        raise IvrError(f"{effect.name} does not wait for an answer")

    def _ended(
        self, effect: fx.Effect, path: tuple[str, ...], inputs: Mapping[str, str], customer_id: str | None,
        tier: int | None, callbacks: list[tuple[str, str]], cases: list[CaseRequest],
    ) -> IvrResult:
        base = IvrResult(None, path, dict(inputs), customer_id, tier=tier, callbacks=tuple(callbacks),
                         cases=tuple(cases))
        if isinstance(effect, fx.EnterQueue):
            return replace(base, queue=effect.queue, customer_id=effect.customer_id or customer_id,
                           tier=effect.tier or tier, priority=effect.priority, skills=tuple(effect.skills))
        if isinstance(effect, fx.Voicemail):
            return replace(base, end=IvrEnd.VOICEMAIL, mailbox=effect.mailbox)
        if isinstance(effect, fx.Transfer):
            return replace(base, end=IvrEnd.TRANSFER, number=effect.number)
        return replace(base, end=IvrEnd.HANGUP)


def _prompt(prompt: object) -> str:
    """What the switch plays: the sound file, else the text (for the TTS hook)."""
    file = getattr(prompt, "file", None)
    text = getattr(prompt, "text", None)
    return str(file or text or "")
