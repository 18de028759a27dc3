"""The simulated contact center: a simpy clock driving the real router.

Callers arrive, wait, hang up when their patience runs out; agents log in
and out by the roster, take breaks, pick up offered calls after a ring
delay or miss them, talk, wrap up. Every decision is the router's
(``acd.router.Router``): this module only carries out its commands and
reports what callers and agents do, with ``env.now`` as the time.

Events are plain simpy events with one callback each (no process per
caller or agent): a day of a large center runs in seconds. Cancelled
timers are not removed; they carry a token and do nothing when stale.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import gc
import math

import numpy as np
import simpy
import simpy.rt
from heapq import heappush

from simpy.events import NORMAL, Event

from acd.effects import (
    AgentStateChanged,
    CallAbandoned,
    CallAnswered,
    CallbackRequested,
    CallEnded,
    CallMoved,
    CallQueued,
    CallRequeued,
    OfferCall,
    OverflowCall,
    PlaceCallback,
    ScheduleWakeup,
)
from acd.errors import InvalidTransition
from acd.metrics import AgentStateSpan, CallRecord
from acd.model import (
    NO_ANSWER_REASON,
    AgentId,
    AgentProfile,
    AgentState,
    Call,
    OverflowKind,
    QueueConfig,
    RouterSettings,
    SkillRequirement,
)
from acd.records import positional_maker
from acd.router import Router
from simulation.arrivals import arrival_times
from simulation.model import Distribution, Roster, Shift, Traffic
from simulation.population import Customers, customer_id
from simulation.rng import draws, sample, streams, uniforms

_NOT_READY, _LOGGED_OUT = AgentState.NOT_READY, AgentState.LOGGED_OUT
DRAIN_S = 4 * 3600.0  # after the window, finish calls in progress for at most this long
STREAMS = ["arrivals", "callers", "handle", "patience", "skills", "ring", "miss", "population", "router"]


# Built for every call and state change, every field in order (about twice
# as fast as the frozen dataclasses' own __init__; see positional_maker).
_span: Callable[[AgentId, AgentState, float, float | None, str | None], AgentStateSpan] = positional_maker(
    AgentStateSpan
)
_new_call: Callable[
    [str, str, float, str | None, int, float, int, tuple[SkillRequirement, ...], AgentId | None, float], Call
] = positional_maker(Call)
_record: Callable[
    [
        str, str, float, float | None, float | None, float | None, float | None, float,
        AgentId | None, tuple[str, ...], str | None, bool, int | None,
    ],
    CallRecord,
] = positional_maker(CallRecord)


class Outcome(IntEnum):
    """How a call ended (or that it had not ended when the run stopped)."""

    OPEN = 0
    ANSWERED = 1
    ABANDONED = 2
    VOICEMAIL = 3
    CALLBACK = 4  # answered by a callback after the caller left the line


class _Status(IntEnum):
    WAITING = 0
    RINGING = 1
    TALKING = 2
    DONE = 3
    OFF_LINE = 4  # a callback request: the caller hung up keeping their place


# Members used on every call, as module constants (reading one off an enum
# class costs several times a global lookup).
_WAITING, _RINGING, _TALKING, _DONE = _Status.WAITING, _Status.RINGING, _Status.TALKING, _Status.DONE
_ANSWERED, _OPEN = Outcome.ANSWERED, Outcome.OPEN


@dataclass(frozen=True, slots=True)
class Scenario:
    """What to simulate: the center (as the router sees it), traffic, roster.

    Agents of ``roster`` must be in ``agents`` unless the roster gives their
    skills; ``agents`` not on the roster never log in.
    """

    queues: tuple[QueueConfig, ...]
    agents: tuple[AgentProfile, ...]
    settings: RouterSettings
    traffic: Traffic
    roster: Roster


class SimCall:
    """One simulated call, filled in as it goes (mutable bookkeeping)."""

    __slots__ = (
        "id",
        "queue",
        "customer",
        "tier",
        "handle_s",
        "status",
        "outcome",
        "agent",
        "offers",
        "answered_at",
        "ended_at",
        "callback",
        "entered_at",
        "legs",
        "extra_skills",
        "patience_at",
        "armed",
    )

    def __init__(
        self,
        call_id: str,
        queue: str,
        arrived_at: float,
        handle_s: float,
        customer: int,
        tier: int,
        patience_at: float = math.inf,
        extra_skills: tuple[str, ...] = (),
    ) -> None:
        self.id = call_id
        self.queue = queue  # the current queue
        self.customer = customer
        self.tier = tier
        self.handle_s = handle_s
        self.status = _WAITING
        self.outcome = _OPEN
        self.agent: AgentId | None = None
        self.offers = 0
        self.answered_at: float | None = None
        self.ended_at: float | None = None
        self.callback = False  # a callback request (an outbound leg)
        self.entered_at = arrived_at  # into the current queue
        self.legs: tuple[tuple[str, float, str, float], ...] = ()  # queue, entered, moved to, at
        self.extra_skills = extra_skills
        self.patience_at = patience_at  # the caller hangs up then if not talking
        self.armed = False  # the patience timer is scheduled


@dataclass(frozen=True, slots=True)
class RunResult:
    """What happened in a run, as the standard metric records.

    ``records`` has one record per call and queue visited (``acd.metrics``
    semantics: an overflow to another queue gives two records; a caller
    who leaves a callback request is "left" in that queue). ``callbacks``
    holds the outbound callback calls, kept apart so that their long "wait"
    does not count as inbound waiting. ``spans`` are every agent's states.
    ``start_s``/``end_s`` is the window in which callers arrive; calls in
    progress at its end were finished during a drain.
    """

    records: tuple[CallRecord, ...]
    callbacks: tuple[CallRecord, ...]
    spans: tuple[AgentStateSpan, ...]
    start_s: float
    end_s: float
    calls: int
    customers: Mapping[str, str] = field(default_factory=dict)  # call id -> customer id


class _Due(Event):
    """A timer: at ``at``, simpy calls its one callback with it.

    Lighter than a Timeout plus a closure: no ``Event.__init__``, and a
    timer never fails, so ``_ok``/``_value`` are class attributes. The
    callback reads ``at`` (equal to ``env.now`` then) and ``arg``.
    """

    __slots__ = ("at", "arg")
    _ok = True
    _value = None

    def __init__(self, at: float, callbacks: _Callbacks, arg: Any) -> None:
        self.callbacks = callbacks  # shared by every timer of a kind: simpy only reads it
        self.at = at
        self.arg = arg


_Callbacks = list[Callable[[_Due], None]]


class _Agent:
    """What the driver keeps of an agent; their state is the router's."""

    __slots__ = ("id", "shift", "on_shift", "going_home", "break_pending", "break_token", "not_ready_reason", "last")

    def __init__(self, agent_id: AgentId, start_s: float) -> None:
        self.id = agent_id
        self.last = AgentStateChanged(agent_id, _LOGGED_OUT, _LOGGED_OUT, start_s)  # the latest state change
        self.shift: Shift | None = None
        self.on_shift = False
        self.going_home = False
        self.break_pending: tuple[str, float] | None = None  # reason, duration
        self.break_token = 0
        self.not_ready_reason: str | None = None  # of the latest change to not ready


def make_env(start_s: float, speed: float | None = None) -> simpy.Environment:
    """A virtual-time environment, or a real-time one ``speed`` times faster
    than the wall clock (``speed`` 10: ten simulated seconds a second)."""
    if speed is None:
        return simpy.Environment(initial_time=start_s)
    if speed <= 0:
        raise ValueError(f"speed must be > 0, got {speed}")
    return simpy.rt.RealtimeEnvironment(initial_time=start_s, factor=1.0 / speed, strict=False)


class SimulatedCenter:
    """A center under simulation; build it, then ``run()`` it once.

    Args:
        scenario: the center, traffic and roster.
        seed: same seed, same run.
        start_s: start of the window (default: the traffic's first interval).
        until_s: end of the window (default: the traffic's last interval).
        env: a simpy environment whose ``now`` is ``start_s`` (default: a
            virtual-time one); pass a ``simpy.rt.RealtimeEnvironment`` for
            a real-time run (see ``make_env``).
        drain_s: after ``until_s`` no one calls, and calls still in progress
            get up to this long to finish.
    """

    def __init__(
        self,
        scenario: Scenario,
        seed: int,
        *,
        start_s: float | None = None,
        until_s: float | None = None,
        env: simpy.Environment | None = None,
        drain_s: float = DRAIN_S,
    ) -> None:
        traffic = scenario.traffic
        self.start_s = traffic.start_s if start_s is None else start_s
        self.until_s = traffic.end_s if until_s is None else until_s
        if self.until_s <= self.start_s:
            raise ValueError(f"the window is empty: {self.start_s} to {self.until_s}")
        self.env = env if env is not None else make_env(self.start_s)
        if self.env.now != self.start_s:
            raise ValueError(f"the environment starts at {self.env.now}, the window at {self.start_s}")
        self.drain_s = drain_s
        # Timers go straight onto simpy's event queue (what env.schedule does,
        # minus a method call per timer: a large day has millions).
        self._queue = self.env._queue
        self._eid = self.env._eid
        self.scenario = scenario
        rng = streams(seed, STREAMS)
        self._rng = rng
        profiles = {a.id: a for a in scenario.agents}
        for agent_id, skills in scenario.roster.agent_skills().items():
            base = profiles.get(agent_id)
            profiles[agent_id] = AgentProfile(
                agent_id, skills, base.name if base else "", base.team if base else "", base.performance if base else 0.5
            )
        missing = sorted({s.agent_id for s in scenario.roster.shifts} - set(profiles))
        if missing:
            raise ValueError(f"rostered agents with no skills (not in the center, no skills column): {', '.join(missing)}")
        self.router = Router(scenario.queues, profiles.values(), scenario.settings, seed=int(rng["router"].integers(2**31)))
        self._wrap = {q.id: q.wrap_up_s for q in scenario.queues}
        self._queue_skills = {q.id: tuple(r.skill for r in q.requirements) for q in scenario.queues}
        self._agents = {a: _Agent(a, self.start_s) for a in profiles}
        self._calls: dict[str, SimCall] = {}
        self._all: list[SimCall] = []
        self._callbacks: list[SimCall] = []
        self._spans: list[AgentStateSpan] = []  # closed as state changes come
        self._wakeups: set[float] = set()
        self._skip_wake = -1.0
        self._live = 0
        self._ring = _draws(traffic.ring_delay, rng["ring"])
        self._cb_ring = _draws(traffic.callback_ring_delay or traffic.ring_delay, rng["ring"])
        self._miss = uniforms(rng["miss"]) if traffic.no_answer_probability > 0 else None
        self._miss_p = traffic.no_answer_probability
        self._rona_return_s = traffic.rona_return_s
        self._preferred_wait_s = traffic.population.preferred_wait_s if traffic.population else 0.0
        self._remember = bool(traffic.population and traffic.population.remember_last_agent)
        self._customers: Customers | None = None
        if traffic.population is not None:
            skill = traffic.population.dedicated_skill
            pool = [a for a in sorted(profiles) if skill is None or profiles[a].skills.get(skill, 0) > 0]
            self._customers = Customers(traffic.population, rng["population"], pool)
        # by customer index (a list: cheaper than a dict keyed by int)
        self._last_agent: list[AgentId | None] = [None] * len(self._customers) if self._customers else []
        # Every timer of a kind shares one callbacks list (simpy only reads it).
        self._on_arrive: _Callbacks = [self._arrive]
        self._on_pick_up: _Callbacks = [self._pick_up]
        self._on_hang_up: _Callbacks = [self._hang_up]
        self._on_give_up: _Callbacks = [self._give_up]
        self._on_tick: _Callbacks = [self._tick]
        self._handlers: dict[type, Callable[[Any], None] | None] = {  # None: nothing to do
            OfferCall: self._on_offer,
            PlaceCallback: self._on_place_callback,
            OverflowCall: self._on_overflow,
            ScheduleWakeup: None,  # handled in _apply
            CallRequeued: self._on_requeued,
            CallMoved: self._on_moved,
            CallQueued: None,
            CallAnswered: None,
            CallAbandoned: None,
            CallEnded: None,
            CallbackRequested: None,
        }
        self._build_arrivals()
        self._build_shifts()

    # --- set-up -------------------------------------------------------------

    def _build_arrivals(self) -> None:
        traffic = self.scenario.traffic
        rng = self._rng
        known = {q.id for q in self.scenario.queues}
        times: list[np.ndarray] = []
        queue_ix: list[np.ndarray] = []
        handle: list[np.ndarray] = []
        patience: list[np.ndarray] = []
        callers: list[np.ndarray] = []
        extras: list[list[tuple[SkillRequirement, ...]]] = []
        self._queue_ids = [q.queue_id for q in traffic.queues]
        for i, q in enumerate(traffic.queues):
            if q.queue_id not in known:
                raise ValueError(f"traffic for unknown queue {q.queue_id!r}")
            t = arrival_times(q.calls, traffic.start_s, traffic.interval_s, rng["arrivals"], from_s=self.start_s, until_s=self.until_s)
            n = t.size
            unit = Distribution(q.handle_time.kind, 1.0, q.handle_time.cv)
            h = sample(unit, rng["handle"], n)
            if q.aht_s is not None:
                ix = np.clip(((t - traffic.start_s) // traffic.interval_s).astype(int), 0, len(q.aht_s) - 1)
                h *= np.asarray(q.aht_s, dtype=float)[ix]
            else:
                h *= q.handle_time.mean_s
            p = sample(q.patience, rng["patience"], n) if q.patience is not None else np.full(n, np.inf)
            c = self._customers.pick(rng["callers"], n, q.tiers) if self._customers is not None else np.full(n, -1)
            extra: list[tuple[SkillRequirement, ...]] = [()] * n
            for skill, share in sorted(q.extra_skills.items()):
                needs = np.flatnonzero(rng["skills"].random(n) < share)
                for j in needs:
                    extra[int(j)] = extra[int(j)] + (SkillRequirement(skill, 1),)
            times.append(t)
            queue_ix.append(np.full(n, i))
            handle.append(h)
            patience.append(p)
            callers.append(c)
            extras.append(extra)
        all_t = np.concatenate(times) if times else np.empty(0)
        order = np.argsort(all_t, kind="stable")
        # Everything a call needs, per arrival in order, as plain lists
        # (indexing numpy arrays per call costs more than the call).
        self._arr_t = all_t[order].tolist()
        queue_ids = self._queue_ids
        self._arr_q: list[str] = [queue_ids[q] for q in np.concatenate(queue_ix)[order].tolist()]
        self._arr_h = np.concatenate(handle)[order].tolist()
        self._arr_p = np.concatenate(patience)[order].tolist()
        cust = np.concatenate(callers)[order]
        self._arr_c = cust.tolist()
        flat = [e for per_queue in extras for e in per_queue]
        self._arr_x = [flat[j] for j in order.tolist()]
        self._arr_xs = [tuple(r.skill for r in x) if x else () for x in self._arr_x]
        customers = self._customers
        if customers is not None:
            self._arr_tier: list[int] = customers.tier[cust].tolist()
            self._arr_clv: list[float] = customers.clv[cust].tolist()
            self._arr_cid: list[str | None] = [customer_id(c) for c in self._arr_c]
            dedicated = customers.dedicated
            self._arr_pref: list[AgentId | None] = [dedicated[c] for c in self._arr_c]
        else:
            n = len(self._arr_c)
            self._arr_tier, self._arr_clv, self._arr_cid, self._arr_pref = [3] * n, [0.0] * n, [None] * n, [None] * n
        self._next = 0
        self._n_arrivals = len(self._arr_t)

    def _build_shifts(self) -> None:
        end = self.until_s + self.drain_s
        for shift in self.scenario.roster.shifts:
            if shift.end_s <= self.start_s or shift.start_s >= end:
                continue
            login = max(shift.start_s, self.start_s)
            self._at(login, [self._login], shift)
            for b in shift.breaks:
                b_end = b.start_s + b.duration_s
                if b_end > login:
                    due = max(b.start_s, login)
                    self._at(due, [self._break_due], (shift.agent_id, b.reason, b_end - due))
            self._at(shift.end_s, [self._shift_end], shift)

    def _at(self, when: float, callbacks: _Callbacks, arg: Any) -> None:
        self._after(self.env.now, when, callbacks, arg)

    def _after(self, now: float, when: float, callbacks: _Callbacks, arg: Any) -> None:
        """Call ``callbacks`` at ``when``, or at ``now`` if that is past."""
        delay = when - now
        at = now + delay if delay > 0.0 else now  # simpy's own arithmetic: the same float
        heappush(self._queue, (at, NORMAL, next(self._eid), _Due(at, callbacks, arg)))

    # --- running ------------------------------------------------------------

    def run(self, progress: Callable[[float], None] | None = None, step_s: float = 900.0) -> RunResult:
        """Run the window (and the drain); return every call and span.

        Args:
            progress: called with the simulated time after each step.
            step_s: simulated seconds between progress calls.
        """
        # The run allocates millions of short-lived, cycle-free objects; the
        # cyclic collector would rescan the growing record lists over and
        # over (a third of the run time on a large day).
        enabled = gc.isenabled()
        gc.disable()
        try:
            return self._run(progress, step_s)
        finally:
            if enabled:
                gc.enable()

    def _run(self, progress: Callable[[float], None] | None, step_s: float) -> RunResult:
        env = self.env
        if self._arr_t:
            self._at(self._arr_t[0], self._on_arrive, None)
        t = self.start_s
        while t < self.until_s:
            t = min(t + step_s, self.until_s)
            env.run(until=t)
            if progress is not None:
                progress(t)
        limit = self.until_s + self.drain_s
        while self._live > 0 and env.now < limit:
            env.run(until=min(env.now + step_s, limit))
        end = env.now
        spans = self._close_spans(end)
        records = self._records(self._all)
        callbacks = self._records(self._callbacks)
        customers: dict[str, str] = {}
        if self._customers is not None:
            # every caller is a customer then; arrivals come in order
            customers = {sim.id: cid for sim, cid in zip(self._all, self._arr_cid) if cid is not None}
            customers.update((sim.id, customer_id(sim.customer)) for sim in self._callbacks if sim.customer >= 0)
        return RunResult(
            tuple(records), tuple(callbacks), tuple(spans), self.start_s, self.until_s, len(self._all), customers
        )

    def _records(self, sims: list[SimCall]) -> list[CallRecord]:
        """One record per call and queue visited (built once, after the run)."""
        out: list[CallRecord] = []
        append = out.append
        queue_skills = self._queue_skills
        wrap = self._wrap
        answered_, abandoned_, callback_ = Outcome.ANSWERED, Outcome.ABANDONED, Outcome.CALLBACK
        for sim in sims:
            for queue, entered, to_queue, at in sim.legs:
                skills = queue_skills.get(queue, ()) + sim.extra_skills
                append(_record(sim.id, queue, entered, None, None, at, None, 0.0, None, skills, to_queue, False, sim.tier))
            o = sim.outcome
            answered = o is answered_
            ended = sim.ended_at
            wrap_end = None
            if answered and ended is not None:
                wrap_s = wrap.get(sim.queue, 0.0)  # the queue the call ended in
                if wrap_s > 0:
                    wrap_end = ended + wrap_s
            append(
                _record(
                    sim.id,
                    sim.queue,
                    sim.entered_at,
                    sim.answered_at if answered else None,
                    ended if o is abandoned_ else None,
                    ended,
                    wrap_end,
                    0.0,  # hold_s: simulated calls are not put on hold
                    sim.agent if answered else None,
                    queue_skills.get(sim.queue, ()) + sim.extra_skills,
                    None,
                    o is callback_,
                    sim.tier,
                )
            )
        return out

    def _close_spans(self, end: float) -> list[AgentStateSpan]:
        """Every agent's states up to ``end``: the spans closed so far, then those still open."""
        spans = self._spans
        for agent in self._agents.values():
            last = agent.last
            if last.at < end and last.state is not _LOGGED_OUT:
                spans.append(_span(agent.id, last.state, last.at, end, last.reason))
        return spans

    def _apply(self, effects: list[Any]) -> None:
        handlers = self._handlers
        for effect in effects:
            cls = type(effect)
            # the commonest effect, handled inline: it closes the agent's span
            if cls is AgentStateChanged:
                agent = self._agents[effect.agent_id]
                last = agent.last
                if last.state is not _LOGGED_OUT and effect.at > last.at:
                    self._spans.append(_span(agent.id, last.state, last.at, effect.at, last.reason))
                agent.last = effect
                if effect.state is _NOT_READY:
                    self._on_not_ready(agent, effect)
                continue
            if cls is ScheduleWakeup:
                at = effect.at
                # Skipped if it is the ring timer of an offer that will be
                # answered in time: a tick then would do nothing (any other
                # timer due at the same moment comes with its own ScheduleWakeup).
                if at != self._skip_wake:
                    self._wake(self.env.now, at)
                self._skip_wake = -1.0
                continue
            handler = handlers[cls]
            if handler is not None:
                handler(effect)

    # --- callers ------------------------------------------------------------

    def _arrive(self, due: _Due) -> None:
        now = due.at
        i = self._next
        self._next = i + 1
        if i + 1 < self._n_arrivals:
            # self._after, inline (arrivals are in order: never in the past)
            at = now + (self._arr_t[i + 1] - now)
            heappush(self._queue, (at, NORMAL, next(self._eid), _Due(at, self._on_arrive, None)))
        queue = self._arr_q[i]
        cust = self._arr_c[i]
        call_id = "k%07d" % (i + 1)  # (printf-style: faster than the f-string format spec)
        tier = self._arr_tier[i]
        preferred = self._arr_pref[i]  # a dedicated account agent
        if preferred is None and self._remember and cust >= 0:
            preferred = self._last_agent[cust]
        if preferred is not None and not self._agents[preferred].on_shift:
            preferred = None
        call = _new_call(
            call_id,
            queue,
            now,
            self._arr_cid[i],
            tier,
            self._arr_clv[i],
            0,
            self._arr_x[i],
            preferred,
            self._preferred_wait_s if preferred else 0.0,
        )
        sim = SimCall(call_id, queue, now, self._arr_h[i], cust, tier, now + self._arr_p[i], self._arr_xs[i])
        self._calls[call_id] = sim
        self._all.append(sim)
        self._live += 1
        self._apply(self.router.enqueue(call, now))
        if sim.status is _WAITING:
            self._arm(sim, now)

    def _arm(self, sim: SimCall, now: float) -> None:
        # Patience timers only for callers who wait or ring long: most calls
        # are answered first, and a timer per call would cost an event each.
        if not sim.armed and sim.patience_at != math.inf:
            sim.armed = True
            self._after(now, sim.patience_at, self._on_give_up, sim)

    def _give_up(self, due: _Due) -> None:
        sim: SimCall = due.arg
        if sim.status > _Status.RINGING:
            return
        now = due.at
        sim.status = _Status.DONE
        sim.outcome = Outcome.ABANDONED
        sim.ended_at = now
        self._finish(sim)
        self._apply(self.router.abandon(sim.id, now))

    def _finish(self, sim: SimCall) -> None:
        self._live -= 1
        del self._calls[sim.id]

    def _on_offer(self, offer: OfferCall) -> None:
        sim = self._calls[offer.call_id]
        if sim.callback:  # offered before it became a request: dial out
            self._on_place_callback(offer)
            return
        sim.status = _RINGING
        sim.agent = offer.agent_id
        sim.offers += 1
        now = self.env.now
        delay = next(self._ring) if self._ring is not None else 0.0
        missed = self._miss is not None and next(self._miss) < self._miss_p
        deadline = offer.deadline
        if missed or offer.at + delay >= deadline:
            # The router's ring timer (RONA) acts at the deadline.
            self._wake(now, deadline)
            if sim.patience_at < deadline:
                self._arm(sim, now)
        else:
            # self._after, inline (the pick-up is never in the past)
            at = now + (offer.at + delay - now)
            heappush(self._queue, (at, NORMAL, next(self._eid), _Due(at, self._on_pick_up, (sim, sim.offers))))
            if sim.patience_at < offer.at + delay:
                self._arm(sim, now)
            # The ring timer the router sets next is stale once answered.
            self._skip_wake = deadline

    def _pick_up(self, due: _Due) -> None:
        sim, offer = due.arg
        if sim.status is not _RINGING or sim.offers != offer:
            return  # the caller hung up, or the offer was withdrawn
        now = due.at
        sim.status = _TALKING
        sim.answered_at = now
        sim.outcome = _ANSWERED
        self._apply(self.router.answer(sim.id, now))
        at = now + sim.handle_s
        heappush(self._queue, (at, NORMAL, next(self._eid), _Due(at, self._on_hang_up, sim)))

    def _hang_up(self, due: _Due) -> None:
        sim: SimCall = due.arg
        now = due.at
        sim.status = _DONE
        sim.ended_at = now
        if self._remember and sim.customer >= 0 and sim.agent is not None:
            self._last_agent[sim.customer] = sim.agent
        self._live -= 1
        del self._calls[sim.id]
        self._apply(self.router.hangup(sim.id, now))

    def _on_requeued(self, event: CallRequeued) -> None:
        sim = self._calls.get(event.call_id)
        if sim is not None and sim.status is _Status.RINGING:
            sim.status = _Status.OFF_LINE if sim.callback else _Status.WAITING
            sim.agent = None
            sim.offers += 1  # a pick-up still on its way is stale now
            if not sim.callback:
                self._arm(sim, self.env.now)

    def _on_moved(self, event: CallMoved) -> None:
        sim = self._calls.get(event.call_id)
        if sim is not None:
            sim.legs += ((sim.queue, sim.entered_at, event.to_queue, event.at),)
            sim.queue = event.to_queue
            sim.entered_at = event.at

    def _on_overflow(self, cmd: OverflowCall) -> None:
        sim = self._calls.get(cmd.call_id)
        if sim is None:
            return
        now = self.env.now
        sim.status = _Status.DONE
        sim.ended_at = now
        self._finish(sim)
        if cmd.action.kind is OverflowKind.CALLBACK:
            sim.outcome = Outcome.CALLBACK
            # The router has let go of the call: the caller leaves a callback
            # request, a new (outbound) call that keeps a place in the queue.
            # Queued after this batch of effects, so agent states stay in order.
            self._after(now, now, [self._request_callback], sim)
        else:
            sim.outcome = Outcome.VOICEMAIL

    def _request_callback(self, due: _Due) -> None:
        origin: SimCall = due.arg
        now = due.at
        customers = self._customers
        cust = origin.customer
        call = Call(
            id=origin.id + "-cb",
            queue=origin.queue,
            arrived_at=now,
            customer_id=customer_id(cust) if customers is not None and cust >= 0 else None,
            tier=origin.tier,
            clv=float(customers.clv[cust]) if customers is not None and cust >= 0 else 0.0,
            required_skills=tuple(SkillRequirement(x, 1) for x in origin.extra_skills),
        )
        sim = SimCall(call.id, origin.queue, now, origin.handle_s, cust, origin.tier)
        sim.callback = True
        sim.status = _Status.OFF_LINE
        sim.extra_skills = origin.extra_skills
        self._calls[call.id] = sim
        self._callbacks.append(sim)
        self._live += 1
        self._apply(self.router.enqueue(call, now))
        if sim.status is _Status.OFF_LINE:
            self._apply(self.router.request_callback(call.id, now))

    def _on_place_callback(self, cmd: PlaceCallback | OfferCall) -> None:
        sim = self._calls[cmd.call_id]
        sim.status = _Status.RINGING
        sim.agent = cmd.agent_id
        sim.offers += 1
        delay = next(self._cb_ring) if self._cb_ring is not None else 0.0
        # Customers pick up their callback before the ring timeout (a
        # customer's no-answer must not count as the agent's RONA).
        delay = min(delay, 0.8 * (cmd.deadline - cmd.at))
        self._after(self.env.now, cmd.at + delay, self._on_pick_up, (sim, sim.offers))

    # --- the router's clock ----------------------------------------------------

    def _wake(self, now: float, at: float) -> None:
        wakeups = self._wakeups
        if at not in wakeups:
            wakeups.add(at)
            # self._after, inline (once per router timer)
            delay = at - now
            when = now + delay if delay > 0.0 else now
            heappush(self._queue, (when, NORMAL, next(self._eid), _Due(when, self._on_tick, at)))

    def _tick(self, due: _Due) -> None:
        at: float = due.arg
        self._wakeups.discard(at)
        # Float rounding may fire the timer a hair early; the router must see
        # the time it asked for.
        self._apply(self.router.tick(max(due.at, at)))

    # --- agents ---------------------------------------------------------------

    def _on_not_ready(self, agent: _Agent, event: AgentStateChanged) -> None:
        now = event.at
        agent.not_ready_reason = event.reason
        if agent.going_home:
            self._at(now, [self._go_home], agent)
        elif event.reason == NO_ANSWER_REASON:
            agent.break_token += 1
            self._at(now + self._rona_return_s, [self._back_from_rona], (agent, agent.break_token))
        elif agent.break_pending is not None and event.reason == agent.break_pending[0]:
            # A break put off by a call still lasts its full length.
            duration = agent.break_pending[1]
            agent.break_pending = None
            agent.break_token += 1
            self._at(now + duration, [self._break_over], (agent, agent.break_token))

    def _login(self, due: _Due) -> None:
        shift: Shift = due.arg
        agent = self._agents[shift.agent_id]
        agent.shift = shift
        agent.on_shift = True
        agent.going_home = False
        now = due.at
        self._apply(self.router.login(agent.id, now))
        self._apply(self.router.set_ready(agent.id, now))

    def _break_due(self, due: _Due) -> None:
        agent_id, reason, duration = due.arg
        agent = self._agents[agent_id]
        if not agent.on_shift or agent.going_home:
            return
        agent.break_pending = (reason, duration)
        # Busy agents get the break after the current call (the router keeps
        # the request pending); the state change then starts the timer.
        self._apply(self.router.set_not_ready(agent.id, reason, due.at))

    def _break_over(self, due: _Due) -> None:
        agent, token = due.arg
        if token != agent.break_token or agent.going_home or self.router.agent_state(agent.id) is not _NOT_READY:
            return
        self._apply(self.router.set_ready(agent.id, due.at))

    def _back_from_rona(self, due: _Due) -> None:
        agent, token = due.arg
        if token != agent.break_token or agent.going_home or self.router.agent_state(agent.id) is not _NOT_READY:
            return
        if agent.not_ready_reason != NO_ANSWER_REASON:
            return
        if agent.break_pending is not None:
            reason, _ = agent.break_pending
            self._apply(self.router.set_not_ready(agent.id, reason, due.at))
        else:
            self._apply(self.router.set_ready(agent.id, due.at))

    def _shift_end(self, due: _Due) -> None:
        shift: Shift = due.arg
        agent = self._agents[shift.agent_id]
        if agent.shift is not shift:
            return
        agent.going_home = True
        agent.break_pending = None
        if self.router.agent_state(agent.id) in (AgentState.READY, _NOT_READY):
            self._go_home_now(agent, due.at)
        else:
            # Finish the call first: not ready after it (pending in the
            # router), then log out when that takes effect.
            reason = _home_reason(self.scenario.settings)
            try:
                self._apply(self.router.set_not_ready(agent.id, reason, due.at))
            except InvalidTransition:
                pass

    def _go_home(self, due: _Due) -> None:
        self._go_home_now(due.arg, due.at)

    def _go_home_now(self, agent: _Agent, now: float) -> None:
        if not agent.going_home:
            return
        state = self.router.agent_state(agent.id)
        if state is AgentState.LOGGED_OUT:
            return
        if state not in (AgentState.READY, _NOT_READY):
            return  # an offer got in first; the next not-ready logs out
        agent.on_shift = False
        agent.going_home = False
        self._apply(self.router.logout(agent.id, now))


def _home_reason(settings: RouterSettings) -> str:
    """The not-ready reason an agent picks on the last call of a shift."""
    for reason in ("logout", "meeting", "training", "break"):
        if reason in settings.not_ready_reasons:
            return reason
    return settings.not_ready_reasons[0]


def _draws(dist: Distribution | None, rng: np.random.Generator) -> Iterator[float] | None:
    # No draws at all for a zero delay: the single-queue checks need none.
    return draws(dist, rng) if dist is not None and dist.mean_s > 0 else None
