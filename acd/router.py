"""The router: holds queues, agents and waiting calls; returns decisions.

Pure: no I/O, no asyncio, no clock of its own. Every method takes ``now``
(seconds on the injected clock) and returns a list of effects (commands for
the driver, events for everyone else). Same inputs and seed, same effects:
ties between otherwise equal agents are broken by a per-agent rank drawn
once from ``random.Random(seed)``; ties between calls by arrival order.

Priority. A waiting call's effective priority at ``now`` is::

    p(now) = base + aging_per_s * (now - enqueued_at)
    base   = queue.priority + call.priority + tier_bonus[call.tier]

All calls age at the same rate, so ordering by ``p(now)`` is ordering by
the static key ``aging_per_s * enqueued_at - base`` (smaller first): heaps
never need re-keying. Starvation bound: a call X is served after a later
call Y (both waiting, both eligible) only if
``enqueued_at(Y) - enqueued_at(X) < (base(Y) - base(X)) / aging_per_s``;
so no call waits more than ``(max base difference) / aging_per_s`` seconds
behind calls that arrived after it. (A call put back at the head after an
unanswered offer keeps the smaller of its key and the head's key.)

Decisions never scan all agents or calls; see ``acd.pools`` (ready agents by
skill and policy) and ``acd.waiting`` (calls by requirement signature).
Complexity, with S_a skills per agent, P orderings in use, A ready agents,
C waiting calls, B_a non-empty call buckets under an agent's skills, R
requirements per call:

* a call arrives: O(R + (1+k)·log A) to find its agent, where k counts
  ready agents of the call's rarest skill that fail its other requirements;
  O(log C) to queue it when nobody is free;
* an agent becomes ready: O(B_a·R + log C) to find its call, or
  O(S_a·P·log A) to join the ready pools when there is none;
* ``tick``: O(log T) per due timer, T pending timers, plus the above for
  whatever the timer changes.

Decisions documented in docs/routing.md: a not-ready request during a call
is applied after wrap-up; the preferred-agent window is skipped if that
agent is logged out (and ends when they log out or miss the call); an agent
who missed an offer is skipped for that call for
``retry_missed_agent_after_s`` (then every miss of the call is forgiven).
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable, Iterable, Mapping
from typing import Any

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
from acd.errors import (
    InvalidCall,
    InvalidConfig,
    InvalidTransition,
    UnknownAgent,
    UnknownCall,
    UnknownQueue,
    UnknownReason,
)
from acd.model import (
    MAX_LEVEL,
    MIN_LEVEL,
    NO_ANSWER_REASON,
    AgentId,
    AgentProfile,
    AgentSnapshot,
    AgentState,
    Call,
    CallId,
    CallSnapshot,
    CallState,
    OverflowAction,
    OverflowKind,
    QueueConfig,
    QueueId,
    RouterSettings,
    SelectionPolicy,
    SkillId,
    SkillRequirement,
)
from acd.pools import Order, ReadyPools
from acd.records import AgentRecord, CallRecord, Requirements, positional_maker
from acd.waiting import WaitingCalls

LOGIN_REASON = "login"

_READY = AgentState.READY
_BUSY = AgentState.BUSY
_RESERVED = AgentState.RESERVED
_WRAP_UP = AgentState.WRAP_UP
_LOGGED_OUT = AgentState.LOGGED_OUT
_WAITING = CallState.WAITING
_OFFERED = CallState.OFFERED
_TALKING = CallState.TALKING
_HELD = CallState.HELD
_VOICEMAIL = OverflowAction(OverflowKind.VOICEMAIL)

# timer kinds
_CALL_DUE = 0  # relaxation step, hold-out end or max wait of a waiting call
_RING = 1  # offer deadline (RONA)
_WRAP = 2  # end of wrap-up
_RETRY = 3  # agents who missed a call may be offered it again

_POLICY_ORDERS: Mapping[SelectionPolicy, tuple[Order, ...]] = {
    SelectionPolicy.LONGEST_IDLE: (Order.IDLE,),
    SelectionPolicy.LEAST_OCCUPIED: (Order.OCCUPANCY,),
    SelectionPolicy.BEST_SKILL: (Order.LEVEL,),
    SelectionPolicy.ROUND_ROBIN: (Order.ROUND_ROBIN,),
    SelectionPolicy.PERFORMANCE: (Order.PERF_DESC,),
    SelectionPolicy.VALUE_BASED: (Order.PERF_DESC, Order.PERF_ASC),
}


# Effects built on every call, with every field given in order: about twice
# as fast as the frozen dataclasses' own __init__ (see positional_maker).
_state_changed: Callable[
    [AgentId, AgentState, AgentState, float, str | None, CallId | None], AgentStateChanged
] = positional_maker(AgentStateChanged)
_offer_call: Callable[[CallId, AgentId, QueueId, float, float], OfferCall] = positional_maker(OfferCall)
_wakeup: Callable[[float], ScheduleWakeup] = positional_maker(ScheduleWakeup)
_queued: Callable[[CallId, QueueId, float], CallQueued] = positional_maker(CallQueued)
_answered: Callable[[CallId, QueueId, AgentId, float, float], CallAnswered] = positional_maker(CallAnswered)
_ended: Callable[[CallId, AgentId, float], CallEnded] = positional_maker(CallEnded)


def _check_level(level: int, where: str, error: type[Exception]) -> None:
    if not MIN_LEVEL <= level <= MAX_LEVEL:
        raise error(f"{where}: skill level {level} is outside {MIN_LEVEL}..{MAX_LEVEL}")


class Router:
    """Skills-based, value-aware automatic call distributor (pure core)."""

    def __init__(
        self,
        queues: Iterable[QueueConfig],
        agents: Iterable[AgentProfile],
        settings: RouterSettings | None = None,
        seed: int = 0,
    ) -> None:
        """Build a router; every agent starts logged out.

        Raises:
            InvalidConfig: duplicate ids, levels outside 1..10, an overflow
                target that is not a queue, a non-positive ring timeout.
        """
        self._settings = settings or RouterSettings()
        s = self._settings
        if s.aging_per_s < 0 or s.ring_timeout_s <= 0 or s.rona_misses < 1:
            raise InvalidConfig("aging_per_s >= 0, ring_timeout_s > 0 and rona_misses >= 1 are required")
        self._queues: dict[QueueId, QueueConfig] = {}
        for q in queues:
            if q.id in self._queues:
                raise InvalidConfig(f"queue {q.id!r} is defined twice")
            self._queues[q.id] = q
        self._steps: dict[QueueId, tuple[tuple[float, int | None, OverflowAction | None], ...]] = {}
        self._queue_merged: dict[QueueId, dict[SkillId, int]] = {}
        self._queue_reqs: dict[QueueId, Requirements] = {}
        self._timed: dict[QueueId, bool] = {}  # has relaxation steps or a max wait
        for q in self._queues.values():
            for r in q.requirements:
                _check_level(r.min_level, f"queue {q.id!r}", InvalidConfig)
            for step in q.relaxation:
                if step.min_level is not None:
                    _check_level(step.min_level, f"queue {q.id!r} relaxation", InvalidConfig)
            actions = [q.on_max_wait, q.on_max_length] + [st.overflow for st in q.relaxation]
            for action in actions:
                if action is not None and action.kind is OverflowKind.QUEUE:
                    if action.target not in self._queues:
                        raise InvalidConfig(f"queue {q.id!r} overflows to unknown queue {action.target!r}")
            merged = {r.skill: r.min_level for r in q.requirements}
            self._queue_merged[q.id] = merged
            self._queue_reqs[q.id] = tuple(sorted(merged.items()))
            self._steps[q.id] = tuple(
                (st.after_s, st.min_level, st.overflow) for st in sorted(q.relaxation, key=lambda st: st.after_s)
            )
            self._timed[q.id] = bool(q.relaxation) or q.max_wait_s is not None
        profiles = list(agents)
        ranks = list(range(len(profiles)))
        random.Random(seed).shuffle(ranks)
        self._agents: dict[AgentId, AgentRecord] = {}
        holders: dict[SkillId, int] = {}
        for profile, rank in zip(profiles, ranks):
            if profile.id in self._agents:
                raise InvalidConfig(f"agent {profile.id!r} is defined twice")
            for skill, level in profile.skills.items():
                _check_level(level, f"agent {profile.id!r}", InvalidConfig)
                holders[skill] = holders.get(skill, 0) + 1
            self._agents[profile.id] = AgentRecord(profile, rank)
        orders: set[Order] = {Order.IDLE}
        level_skills: set[SkillId] = set()
        for q in self._queues.values():
            orders.update(_POLICY_ORDERS[q.policy])
            if q.policy is SelectionPolicy.BEST_SKILL and q.requirements:
                level_skills.add(q.requirements[0].skill)
        # the ordering of each queue whose policy does not depend on the call
        self._queue_order: dict[QueueId, tuple[Order, SkillId | None] | None] = {}
        for q in self._queues.values():
            fixed: tuple[Order, SkillId | None] | None = None
            if q.policy is SelectionPolicy.BEST_SKILL:
                fixed = (Order.LEVEL, q.requirements[0].skill if q.requirements else None)
            elif q.policy is not SelectionPolicy.VALUE_BASED:
                fixed = (_POLICY_ORDERS[q.policy][0], None)
            self._queue_order[q.id] = fixed
        self._unrestricted = any(not q.requirements for q in self._queues.values())
        self._pools = ReadyPools(orders, level_skills, self._unrestricted)
        self._waiting = WaitingCalls(holders, list(self._queues))
        self._calls: dict[CallId, CallRecord] = {}
        # (at, seq, kind, record, token); the record is an AgentRecord for _WRAP,
        # else a CallRecord (typed Any: tick dispatches on the kind)
        self._timers: list[tuple[float, int, int, Any, int]] = []
        self._timer_seq = 0
        self._ring_timeout_s = s.ring_timeout_s
        self._call_seq = 0
        self._head_seq = 0
        self._offer_seq = 0

    # --- agents -------------------------------------------------------------
    def login(self, agent_id: AgentId, now: float) -> list[Effect]:
        """Logged out -> not ready (reason "login"). O(1)."""
        a = self._agent(agent_id)
        if a.state is not AgentState.LOGGED_OUT:
            raise InvalidTransition(f"agent {agent_id!r} is already logged in ({a.state.value})")
        out: list[Effect] = []
        a.misses = 0
        self._set_state(a, AgentState.NOT_READY, now, out, reason=LOGIN_REASON)
        return out

    def logout(self, agent_id: AgentId, now: float) -> list[Effect]:
        """Ready, not ready or wrap-up -> logged out.

        Calls holding out for this agent stop waiting for them and may be
        offered to others at once.

        Raises:
            InvalidTransition: the agent is logged out, ringing or on a call.
        """
        a = self._agent(agent_id)
        if a.state not in (AgentState.READY, AgentState.NOT_READY, AgentState.WRAP_UP):
            raise InvalidTransition(f"agent {agent_id!r} cannot log out while {a.state.value}")
        out: list[Effect] = []
        a.pending_reason = None
        a.wrap_until = None
        a.wrap_token += 1
        a.idle_since = None
        self._set_state(a, AgentState.LOGGED_OUT, now, out)
        for call in self._waiting.held_for(agent_id):
            self._waiting.remove(call)
            call.pref = None
            self._settle(call, now, out)
        return out

    def set_ready(self, agent_id: AgentId, now: float) -> list[Effect]:
        """Not ready or wrap-up -> ready; may immediately offer the best waiting call.

        Ready -> ready is a no-op. From wrap-up it ends the after-call work
        early and cancels a pending not-ready request.

        Raises:
            InvalidTransition: logged out, ringing or on a call.
        """
        a = self._agent(agent_id)
        if a.state is _READY:
            return []
        if a.state not in (AgentState.NOT_READY, AgentState.WRAP_UP):
            raise InvalidTransition(f"agent {agent_id!r} cannot become ready while {a.state.value}")
        out: list[Effect] = []
        a.pending_reason = None
        a.misses = 0
        self._finish_work(a, now, out)
        return out

    def set_not_ready(self, agent_id: AgentId, reason: str, now: float) -> list[Effect]:
        """Ready or not ready -> not ready with ``reason``.

        While ringing, on a call or in wrap-up the request is kept pending
        and applied when the agent would otherwise become ready again (at the
        end of wrap-up, or when an offer fails); no effect is returned then.

        Raises:
            UnknownReason: ``reason`` is not in ``settings.not_ready_reasons``.
            InvalidTransition: the agent is logged out.
        """
        a = self._agent(agent_id)
        if reason not in self._settings.not_ready_reasons:
            raise UnknownReason(f"{reason!r} is not one of {', '.join(self._settings.not_ready_reasons)}")
        if a.state is AgentState.LOGGED_OUT:
            raise InvalidTransition(f"agent {agent_id!r} is logged out")
        out: list[Effect] = []
        if a.state in (AgentState.READY, AgentState.NOT_READY):
            self._set_state(a, AgentState.NOT_READY, now, out, reason=reason)
        else:
            a.pending_reason = reason
        return out

    def set_skills(self, agent_id: AgentId, skills: dict[str, int], now: float) -> list[Effect]:
        """Replace an agent's skills (re-indexed at once).

        A ready agent re-enters the pools under the new skills and may be
        offered a call right away. O(S_a·P·log A + B_a·R + log C).

        Raises:
            InvalidConfig: a level outside 1..10.
        """
        a = self._agent(agent_id)
        for level in skills.values():
            _check_level(level, f"agent {agent_id!r}", InvalidConfig)
        out: list[Effect] = []
        was_pooled = a.pooled
        if was_pooled:
            self._unpool(a)
        a.skills = dict(skills)
        a.skill_list = tuple(sorted(skills))
        if was_pooled and not self._match_agent(a, now, out):
            self._pool(a)
        return out

    def set_performance(self, agent_id: AgentId, score: float, now: float) -> list[Effect]:
        """Update an agent's rating (0..1) used by the performance and value policies."""
        a = self._agent(agent_id)
        was_pooled = a.pooled
        if was_pooled:
            self._unpool(a)
        a.performance = float(score)
        if was_pooled:
            self._pool(a)
        return []

    def reset_daily_counters(self, now: float) -> list[Effect]:
        """Zero talk time today for every agent (call at the start of a day). O(A·S_a·P·log A)."""
        for a in self._agents.values():
            was_pooled = a.pooled
            if was_pooled:
                self._unpool(a)
            a.talk_time = 0.0
            if was_pooled:
                self._pool(a)
        return []

    # --- calls --------------------------------------------------------------
    def enqueue(self, call: Call, now: float, callback: bool = False) -> list[Effect]:
        """A call enters its queue; it is offered at once if an agent is eligible.

        Emits ``CallQueued`` (and an offer), or the queue's max-length
        overflow when no agent is free and the queue is full. The priority
        clock (``enqueued_at``) starts now and survives overflows to other
        queues; relaxation and max wait count from entry into each queue.
        With ``callback=True`` the call is a callback request from the start
        (e.g. one taken by an IVR or an ``OverflowCall``): it is placed with
        ``PlaceCallback`` and never hits max length (see ``request_callback``).

        Raises:
            UnknownQueue, InvalidCall (duplicate id, tier not 1..5, bad level).
        """
        cfg = self._queues.get(call.queue)
        if cfg is None:
            raise UnknownQueue(call.queue)
        if call.id in self._calls:
            raise InvalidCall(f"call {call.id!r} is already in the router")
        if not 1 <= call.tier <= 5:
            raise InvalidCall(f"call {call.id!r}: tier {call.tier} is outside 1..5")
        for r in call.required_skills:
            _check_level(r.min_level, f"call {call.id!r}", InvalidCall)
        rec = CallRecord(call, cfg, now)
        rec.is_callback = callback
        if call.preferred_agent is not None and call.preferred_wait_s > 0:
            pref = self._agents.get(call.preferred_agent)
            if pref is not None and pref.state is not _LOGGED_OUT:
                rec.pref = pref.id
                rec.pref_until = now + call.preferred_wait_s
        self._calls[call.id] = rec
        out: list[Effect] = []
        self._enter(rec, cfg.id, now, out, True)
        return out

    def abandon(self, call_id: CallId, now: float) -> list[Effect]:
        """Caller hung up while waiting (or while an offer rang).

        A ringing agent goes back to ready (keeping their idle time) and may
        be offered another call at once. Also cancels a callback request.

        Raises:
            InvalidTransition: the call is connected (use ``hangup``).
        """
        rec = self._call(call_id)
        out: list[Effect] = []
        if rec.state is _WAITING:
            self._waiting.remove(rec)
            self._forget(rec)
            out.append(CallAbandoned(rec.id, rec.queue, now, now - rec.enqueued_at))
        elif rec.state is _OFFERED:
            a = rec.agent
            assert a is not None
            self._forget(rec)
            out.append(CallAbandoned(rec.id, rec.queue, now, now - rec.enqueued_at))
            a.call = None
            self._finish_work(a, now, out, keep_idle=True)
        else:
            raise InvalidTransition(f"call {call_id!r} is {rec.state.value}; use hangup")
        return out

    def answer(self, call_id: CallId, now: float) -> list[Effect]:
        """The reserved agent answered: reserved -> busy. O(1).

        Raises:
            InvalidTransition: the call is not being offered.
        """
        rec = self._calls.get(call_id) or self._call(call_id)  # (the lookup inline: once per call)
        if rec.state is not _OFFERED:
            raise InvalidTransition(f"call {call_id!r} is {rec.state.value}, not offered")
        a = rec.agent
        assert a is not None
        out: list[Effect] = []
        rec.state = _TALKING
        rec.answered_at = now
        rec.epoch += 1
        a.misses = 0
        self._set_state(a, _BUSY, now, out, None, rec.id)
        out.append(_answered(rec.id, rec.queue, a.id, now, now - rec.enqueued_at))
        return out

    def no_answer(self, call_id: CallId, now: float) -> list[Effect]:
        """The driver saw the offer fail (ring timeout, busy, unreachable).

        The agent's miss count grows; at ``rona_misses`` consecutive misses
        they go not ready ("no-answer"), otherwise back to ready (keeping
        their idle time). The agent is never offered this call again. The
        call goes back to the head of its queue (``CallRequeued``) and is
        re-offered to another eligible agent if there is one.

        Raises:
            InvalidTransition: the call is not being offered.
        """
        rec = self._call(call_id)
        if rec.state is not CallState.OFFERED:
            raise InvalidTransition(f"call {call_id!r} is {rec.state.value}, not offered")
        out: list[Effect] = []
        self._rona(rec, now, out)
        return out

    def hold(self, call_id: CallId, now: float) -> list[Effect]:
        """Talking -> held (agent busy -> held)."""
        rec = self._call(call_id)
        if rec.state is not CallState.TALKING:
            raise InvalidTransition(f"call {call_id!r} is {rec.state.value}, not talking")
        a = rec.agent
        assert a is not None
        out: list[Effect] = []
        rec.state = CallState.HELD
        self._set_state(a, AgentState.HELD, now, out, call_id=rec.id)
        return out

    def unhold(self, call_id: CallId, now: float) -> list[Effect]:
        """Held -> talking (agent held -> busy)."""
        rec = self._call(call_id)
        if rec.state is not CallState.HELD:
            raise InvalidTransition(f"call {call_id!r} is {rec.state.value}, not held")
        a = rec.agent
        assert a is not None
        out: list[Effect] = []
        rec.state = CallState.TALKING
        self._set_state(a, AgentState.BUSY, now, out, call_id=rec.id)
        return out

    def hangup(self, call_id: CallId, now: float) -> list[Effect]:
        """Talk ended: busy/held -> wrap-up, timed by the queue's wrap_up_s.

        Talk and hold time count toward the agent's talk time today. With a
        zero wrap-up the agent is ready (or pending not-ready) at once.

        Raises:
            InvalidTransition: the call is not connected (use ``abandon``).
        """
        rec = self._calls.get(call_id) or self._call(call_id)  # (the lookup inline: once per call)
        state = rec.state
        if state is not _TALKING and state is not _HELD:
            raise InvalidTransition(f"call {call_id!r} is {rec.state.value}; use abandon")
        a = rec.agent
        assert a is not None
        out: list[Effect] = []
        self._forget(rec)
        a.talk_time += now - rec.answered_at
        a.call = None
        out.append(_ended(rec.id, a.id, now))
        wrap = rec.cfg.wrap_up_s
        if wrap > 0:
            a.wrap_until = now + wrap
            a.wrap_extended = 0.0
            a.wrap_token += 1
            self._set_state(a, _WRAP_UP, now, out, None, rec.id)
            self._timer(a.wrap_until, _WRAP, a, a.wrap_token, out)
        else:
            self._finish_work(a, now, out)
        return out

    def extend_wrap_up(self, agent_id: AgentId, seconds: float, now: float) -> list[Effect]:
        """Lengthen the current wrap-up by ``seconds``, up to
        ``max_wrap_up_extension_s`` in total per wrap-up (clamped).

        Raises:
            InvalidTransition: not in wrap-up, or the extension is used up.
        """
        a = self._agent(agent_id)
        if a.state is not AgentState.WRAP_UP or a.wrap_until is None:
            raise InvalidTransition(f"agent {agent_id!r} is {a.state.value}, not in wrap-up")
        room = self._settings.max_wrap_up_extension_s - a.wrap_extended
        add = min(max(seconds, 0.0), room)
        if add <= 0:
            raise InvalidTransition(f"agent {agent_id!r} has no wrap-up extension left")
        a.wrap_extended += add
        a.wrap_until += add
        a.wrap_token += 1
        out: list[Effect] = []
        self._timer(a.wrap_until, _WRAP, a, a.wrap_token, out)
        return out

    def end_wrap_up(self, agent_id: AgentId, now: float) -> list[Effect]:
        """Wrap-up -> ready (or to the pending not-ready reason)."""
        a = self._agent(agent_id)
        if a.state is not AgentState.WRAP_UP:
            raise InvalidTransition(f"agent {agent_id!r} is {a.state.value}, not in wrap-up")
        out: list[Effect] = []
        self._finish_work(a, now, out)
        return out

    def request_callback(self, call_id: CallId, now: float) -> list[Effect]:
        """The caller leaves the line but keeps their place.

        The request keeps the call's priority key, so it is served exactly
        when the call would have been; then an agent is reserved and a
        ``PlaceCallback`` is emitted. It no longer counts toward the queue's
        max length, and max wait and voicemail/callback overflow no longer
        apply to it (relaxation and queue-to-queue overflow still do).

        Raises:
            InvalidTransition: the call is not waiting, or already a callback.
        """
        rec = self._call(call_id)
        if rec.state is not CallState.WAITING or rec.is_callback:
            raise InvalidTransition(f"call {call_id!r} cannot become a callback now")
        self._waiting.to_callback(rec)
        return [CallbackRequested(rec.id, rec.queue, now)]

    def tick(self, now: float) -> list[Effect]:
        """Apply whatever is due: relaxation steps, overflow, RONA, wrap-up end.

        Only ``tick`` applies timers; other methods never look at the clock
        beyond their own ``now``. O(log T) per due timer plus its effects.
        """
        out: list[Effect] = []
        timers = self._timers
        calls = self._calls
        heappop = heapq.heappop
        while timers and timers[0][0] <= now:
            _, _, kind, obj, token = heappop(timers)
            # most common first: wrap-up ends, then ring timers (mostly stale)
            if kind == _WRAP:
                if obj.wrap_token == token and obj.state is _WRAP_UP:
                    self._finish_work(obj, now, out)
                continue
            rec: CallRecord = obj
            if kind == _RING:
                if rec.offer_token == token and rec.state is _OFFERED and calls.get(rec.id) is rec:
                    self._rona(rec, now, out)
            elif kind == _CALL_DUE:
                if rec.epoch == token and rec.state is _WAITING and calls.get(rec.id) is rec:
                    self._waiting.remove(rec)
                    self._settle(rec, now, out)
            elif rec.offer_token == token and rec.state is _WAITING and calls.get(rec.id) is rec:
                # _RETRY, no offer since the miss that set it: forgive every miss
                rec.excluded = None
                self._waiting.remove(rec)
                self._settle(rec, now, out)
        return out

    # --- queries ------------------------------------------------------------
    def agent_state(self, agent_id: AgentId) -> AgentState:
        """Current state of an agent. O(1)."""
        return self._agent(agent_id).state

    def waiting(self, queue_id: QueueId) -> list[CallId]:
        """Waiting calls of a queue, in the order they would be served."""
        if queue_id not in self._queues:
            raise UnknownQueue(queue_id)
        return [c.id for c in self._waiting.in_queue(queue_id)]

    def agents(self) -> list[AgentId]:
        """Every agent id, in configuration order."""
        return list(self._agents)

    def queues(self) -> list[QueueConfig]:
        """Every queue, in configuration order."""
        return list(self._queues.values())

    def ready_agents(self) -> list[AgentId]:
        """Agents in the ready state (a query: O(A))."""
        return [a.id for a in self._agents.values() if a.state is _READY]

    def waiting_calls(self) -> list[CallId]:
        """Every waiting call and callback request (a query: O(calls))."""
        return [c.id for c in self._calls.values() if c.state is CallState.WAITING]

    def waiting_count(self, queue_id: QueueId) -> int:
        """Callers on the line waiting in a queue (callback requests excluded). O(1)."""
        if queue_id not in self._queues:
            raise UnknownQueue(queue_id)
        return self._waiting.live(queue_id)

    def agent_snapshot(self, agent_id: AgentId) -> AgentSnapshot:
        """Everything the router knows about an agent."""
        a = self._agent(agent_id)
        return AgentSnapshot(
            id=a.id,
            state=a.state,
            reason=a.reason,
            skills=dict(a.skills),
            team=a.profile.team,
            performance=a.performance,
            state_since=a.state_since,
            idle_since=a.idle_since,
            talk_time_s=a.talk_time,
            last_offered=a.last_offered,
            consecutive_misses=a.misses,
            pending_reason=a.pending_reason,
            call_id=a.call.id if a.call is not None else None,
            wrap_up_until=a.wrap_until if a.state is AgentState.WRAP_UP else None,
        )

    def call_snapshot(self, call_id: CallId) -> CallSnapshot:
        """Everything the router knows about a live call."""
        c = self._call(call_id)
        return CallSnapshot(
            call=c.call,
            queue_id=c.queue,
            state=c.state,
            requirements=tuple(SkillRequirement(s, lvl) for s, lvl in c.reqs),
            step=c.step,
            preferred_hold=c.pref,
            excluded=frozenset(c.excluded or ()),
            agent_id=c.agent.id if c.agent is not None else None,
            enqueued_at=c.enqueued_at,
            queue_entered_at=c.queue_entered_at,
            is_callback=c.is_callback,
            base_priority=c.base,
        )

    def effective_priority(self, call_id: CallId, now: float) -> float:
        """``base + aging_per_s * (now - enqueued_at)`` of a live call."""
        c = self._call(call_id)
        return c.base + self._settings.aging_per_s * (now - c.enqueued_at)

    def next_wakeup(self) -> float | None:
        """Time of the earliest pending timer (possibly a stale one), if any."""
        return self._timers[0][0] if self._timers else None

    # --- internals: lookups and state -----------------------------------------
    def _agent(self, agent_id: AgentId) -> AgentRecord:
        a = self._agents.get(agent_id)
        if a is None:
            raise UnknownAgent(agent_id)
        return a

    def _call(self, call_id: CallId) -> CallRecord:
        c = self._calls.get(call_id)
        if c is None:
            raise UnknownCall(call_id)
        return c

    def _forget(self, rec: CallRecord) -> None:
        del self._calls[rec.id]
        rec.epoch += 1
        rec.offer_token += 1

    def _set_state(
        self,
        a: AgentRecord,
        state: AgentState,
        now: float,
        out: list[Effect],
        reason: str | None = None,
        call_id: CallId | None = None,
    ) -> None:
        previous = a.state
        if a.pooled:
            self._unpool(a)
        a.state = state
        a.reason = reason
        a.state_since = now
        out.append(_state_changed(a.id, previous, state, now, reason, call_id))

    def _pool(self, a: AgentRecord) -> None:
        """A ready agent with nothing to take joins the ready pools."""
        a.ready_version += 1
        a.pooled = True
        self._pools.add(a)

    def _unpool(self, a: AgentRecord) -> None:
        a.ready_version += 1  # every entry of the agent is stale from now on
        a.pooled = False
        self._pools.discard(a)

    def _make_ready(self, a: AgentRecord, now: float, out: list[Effect], call_id: CallId | None = None) -> None:
        """Ready; take the best waiting call at once, else join the pools.

        Matching before pooling spares the pool pushes when calls wait."""
        self._set_state(a, _READY, now, out, None, call_id)
        if not self._match_agent(a, now, out):
            self._pool(a)

    def _timer(self, at: float, kind: int, obj: CallRecord | AgentRecord, token: int, out: list[Effect]) -> None:
        self._timer_seq += 1
        heapq.heappush(self._timers, (at, self._timer_seq, kind, obj, token))
        out.append(_wakeup(at))

    def _finish_work(self, a: AgentRecord, now: float, out: list[Effect], keep_idle: bool = False) -> None:
        """End of wrap-up, a failed offer or an explicit ready: apply a
        pending not-ready, or become ready and take the best waiting call."""
        a.wrap_until = None
        a.wrap_token += 1
        if a.pending_reason is not None:
            reason, a.pending_reason = a.pending_reason, None
            self._set_state(a, AgentState.NOT_READY, now, out, reason=reason)
            return
        if not keep_idle or a.idle_since is None:
            a.idle_since = now
        self._make_ready(a, now, out)

    # --- internals: routing -------------------------------------------------
    def _requirements(self, rec: CallRecord) -> Requirements:
        cap = rec.cap
        if cap is None:
            return tuple(sorted(rec.merged.items()))
        return tuple(sorted((s, min(lvl, cap)) for s, lvl in rec.merged.items()))

    def _enter(self, rec: CallRecord, queue_id: QueueId, now: float, out: list[Effect], announce: bool) -> None:
        """Put a call (new, or overflowing from another queue) into ``queue_id``."""
        cfg = self._queues[queue_id]
        s = self._settings
        call = rec.call
        rec.queue = queue_id
        rec.cfg = cfg
        rec.queue_entered_at = now
        rec.step = 0
        rec.cap = None
        if call.required_skills:
            merged = dict(self._queue_merged[queue_id])
            for r in call.required_skills:
                merged[r.skill] = max(merged.get(r.skill, 0), r.min_level)
            rec.merged = merged
            rec.reqs = self._requirements(rec)
        else:
            # the queue's own requirements, shared (never mutated)
            rec.merged = self._queue_merged[queue_id]
            rec.reqs = self._queue_reqs[queue_id]
        rec.base = float(cfg.priority + call.priority + s.tier_bonus.get(call.tier, 0.0))
        rec.key = s.aging_per_s * rec.enqueued_at - rec.base
        self._call_seq += 1
        rec.seq = self._call_seq
        # (nothing can be due yet without a hold-out, steps or a max wait: spares a call)
        action = self._due(rec, now) if rec.pref is not None or self._timed[queue_id] else None
        if action is not None:
            if announce:
                out.append(_queued(rec.id, queue_id, now))
            self._overflow(rec, action, now, out)
            return
        agent = self._find_agent(rec)
        if (
            agent is None
            and cfg.max_length is not None
            and not rec.is_callback
            and self._waiting.live(queue_id) >= cfg.max_length
        ):
            self._overflow(rec, cfg.on_max_length or _VOICEMAIL, now, out)
            return
        if announce:
            out.append(_queued(rec.id, queue_id, now))
            if rec.is_callback:
                out.append(CallbackRequested(rec.id, queue_id, now))
        if agent is not None:
            self._offer(rec, agent, now, out)
        else:
            self._waiting.add(rec)
            self._schedule_due(rec, out)

    def _due(self, rec: CallRecord, now: float) -> OverflowAction | None:
        """Apply hold-out end and relaxation steps due by ``now``; return an
        overflow action if one is due. Updates ``rec.reqs``."""
        if rec.pref is not None and (
            now >= rec.pref_until
            or self._agents[rec.pref].state is _LOGGED_OUT
            or (rec.excluded is not None and rec.pref in rec.excluded)
        ):
            rec.pref = None
        # due times are compared as ``entered + offset <= now``, the very sum
        # the timer was scheduled at, so a tick at that time always finds it due
        steps = self._steps[rec.queue]
        entered = rec.queue_entered_at
        action: OverflowAction | None = None
        changed = False
        while rec.step < len(steps) and entered + steps[rec.step][0] <= now:
            _, level, overflow = steps[rec.step]
            rec.step += 1
            if level is not None and (rec.cap is None or level < rec.cap):
                rec.cap = level
                changed = True
            if overflow is not None and self._applies(rec, overflow):
                action = overflow
                break
        if changed:
            rec.reqs = self._requirements(rec)
        if action is None and not rec.is_callback:
            cfg = rec.cfg
            if cfg.max_wait_s is not None and entered + cfg.max_wait_s <= now:
                action = cfg.on_max_wait or _VOICEMAIL
        return action

    @staticmethod
    def _applies(rec: CallRecord, action: OverflowAction) -> bool:
        # a callback request is no longer on the line: only queue moves apply
        return not rec.is_callback or action.kind is OverflowKind.QUEUE

    def _schedule_due(self, rec: CallRecord, out: list[Effect]) -> None:
        rec.epoch += 1
        times: list[float] = []
        if rec.pref is not None:
            times.append(rec.pref_until)
        steps = self._steps[rec.queue]
        if rec.step < len(steps):
            times.append(rec.queue_entered_at + steps[rec.step][0])
        if not rec.is_callback and rec.cfg.max_wait_s is not None:
            times.append(rec.queue_entered_at + rec.cfg.max_wait_s)
        if times:
            self._timer(min(times), _CALL_DUE, rec, rec.epoch, out)

    def _settle(self, rec: CallRecord, now: float, out: list[Effect]) -> None:
        """A call out of any bucket, in its queue: overflow, offer or wait."""
        action = self._due(rec, now)
        if action is not None:
            self._overflow(rec, action, now, out)
            return
        agent = self._find_agent(rec)
        if agent is not None:
            self._offer(rec, agent, now, out)
        else:
            self._waiting.add(rec)
            self._schedule_due(rec, out)

    def _overflow(self, rec: CallRecord, action: OverflowAction, now: float, out: list[Effect]) -> None:
        rec.hops += 1
        if action.kind is OverflowKind.QUEUE and action.target is not None and rec.hops <= len(self._queues):
            out.append(CallMoved(rec.id, rec.queue, action.target, now))
            rec.pref = None
            self._enter(rec, action.target, now, out, announce=False)
            return
        if action.kind is OverflowKind.QUEUE:
            action = _VOICEMAIL  # an overflow loop between queues ends in voicemail
        self._forget(rec)
        out.append(OverflowCall(rec.id, rec.queue, action, now))

    def _order(self, rec: CallRecord) -> tuple[Order, SkillId | None]:
        """The ordering (and for best skill, the ranking skill) for this call."""
        fixed = self._queue_order[rec.queue]
        if fixed is not None:
            return fixed
        # value based: the call's value picks the end of the performance scale
        s = self._settings
        call = rec.call
        high = call.tier <= s.value_top_tier or (s.value_clv_threshold is not None and call.clv >= s.value_clv_threshold)
        return (Order.PERF_DESC if high else Order.PERF_ASC), None

    def _find_agent(self, rec: CallRecord) -> AgentRecord | None:
        """Best ready agent for a call under its queue's policy (taken from the pools)."""
        if rec.pref is not None:
            a = self._agents[rec.pref]
            if a.pooled and a.meets(rec.reqs) and not (rec.excluded and a.id in rec.excluded):
                return a
            return None
        order, primary = self._queue_order[rec.queue] or self._order(rec)
        return self._pools.take(rec.reqs, order, primary, rec.excluded)

    def _match_agent(self, a: AgentRecord, now: float, out: list[Effect]) -> bool:
        """A ready agent takes the highest-priority waiting call it may serve."""
        if self._waiting.total == 0:
            return False
        rec = self._waiting.best_for(a, self._unrestricted)
        if rec is None:
            return False
        self._waiting.remove(rec)
        self._offer(rec, a, now, out)
        return True

    def _offer(self, rec: CallRecord, a: AgentRecord, now: float, out: list[Effect]) -> None:
        self._offer_seq += 1
        a.last_offered = self._offer_seq
        a.call = rec
        self._set_state(a, _RESERVED, now, out, None, rec.id)
        rec.state = _OFFERED
        rec.agent = a
        rec.offer_token += 1
        deadline = now + self._ring_timeout_s
        if rec.is_callback:
            out.append(PlaceCallback(rec.id, a.id, rec.queue, now, deadline))
        else:
            out.append(_offer_call(rec.id, a.id, rec.queue, now, deadline))
        self._timer(deadline, _RING, rec, rec.offer_token, out)

    def _rona(self, rec: CallRecord, now: float, out: list[Effect]) -> None:
        """An offer failed: handle the agent, put the call back at the head."""
        a = rec.agent
        assert a is not None
        a.call = None
        a.misses += 1
        if rec.excluded is None:
            rec.excluded = set()
        rec.excluded.add(a.id)
        rec.agent = None
        rec.state = CallState.WAITING
        rec.offer_token += 1
        retry = self._settings.retry_missed_agent_after_s
        if retry is not None:
            self._timer(now + retry, _RETRY, rec, rec.offer_token, out)
        head = self._waiting.head_of(rec.queue)
        if head is not None and head <= (rec.key, rec.seq):
            rec.key = head[0]
            self._head_seq -= 1
            rec.seq = self._head_seq
        became_ready = False
        if a.misses >= self._settings.rona_misses:
            a.misses = 0
            a.pending_reason = None
            a.wrap_until = None
            self._set_state(a, AgentState.NOT_READY, now, out, reason=NO_ANSWER_REASON, call_id=rec.id)
        elif a.pending_reason is not None:
            reason, a.pending_reason = a.pending_reason, None
            self._set_state(a, AgentState.NOT_READY, now, out, reason=reason, call_id=rec.id)
        else:
            self._set_state(a, _READY, now, out, call_id=rec.id)
            became_ready = True
        out.append(CallRequeued(rec.id, rec.queue, a.id, now))
        self._settle(rec, now, out)
        if became_ready and not self._match_agent(a, now, out):
            self._pool(a)
