"""Routing invariants under random operation sequences (hypothesis).

The state machine plays a driver: it calls the router at increasing times,
ticks at every ``ScheduleWakeup`` it was given, and after each operation
checks, by brute force over the router's public queries and independently
of its indexes:

* every offer goes to an agent who was ready and who has each required skill
  at the level of the call's current relaxation step (computed here from the
  configuration and the time the call entered its queue);
* the event trail of each agent is consistent with its state;
* no call waits while a ready agent is eligible for it;
* an agent who frees up takes the waiting call of highest effective priority.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from acd.effects import AgentStateChanged, CallRequeued, Effect, OfferCall, PlaceCallback, ScheduleWakeup
from acd.errors import InvalidTransition
from acd.model import (
    AgentProfile,
    AgentState,
    Call,
    CallState,
    OverflowAction,
    OverflowKind,
    QueueConfig,
    RelaxationStep,
    RouterSettings,
    SelectionPolicy,
    SkillRequirement,
)
from acd.router import Router

SKILLS = ("s0", "s1", "s2")
N_AGENTS = 5
N_QUEUES = 3
REASONS = ("break", "lunch", "no-answer")
S = AgentState


@dataclass(frozen=True)
class Setup:
    queues: tuple[QueueConfig, ...]
    agents: tuple[AgentProfile, ...]
    settings: RouterSettings


levels = st.integers(1, 10)
skill_maps = st.dictionaries(st.sampled_from(SKILLS), levels, min_size=1, max_size=3)


@st.composite
def overflow_actions(draw: st.DrawFn, me: int) -> OverflowAction:
    others = [f"q{i}" for i in range(N_QUEUES) if i != me]
    kind = draw(st.sampled_from([OverflowKind.QUEUE, OverflowKind.VOICEMAIL, OverflowKind.CALLBACK]))
    return OverflowAction(kind, draw(st.sampled_from(others)) if kind is OverflowKind.QUEUE else None)


@st.composite
def queue_configs(draw: st.DrawFn, i: int) -> QueueConfig:
    skills = draw(st.lists(st.sampled_from(SKILLS), min_size=1, max_size=2, unique=True))
    reqs = tuple(SkillRequirement(s, draw(levels)) for s in skills)
    n_steps = draw(st.integers(0, 3))
    offsets = sorted(draw(st.lists(st.integers(1, 90), min_size=n_steps, max_size=n_steps, unique=True)))
    steps = []
    for k, after in enumerate(offsets):
        last = k == n_steps - 1
        overflow = draw(st.none() | overflow_actions(i)) if last else None
        steps.append(RelaxationStep(float(after), draw(st.none() | st.integers(1, 9)), overflow))
    return QueueConfig(
        id=f"q{i}",
        requirements=reqs,
        policy=draw(st.sampled_from(list(SelectionPolicy))),
        priority=draw(st.integers(0, 20)),
        max_wait_s=draw(st.none() | st.integers(20, 200).map(float)),
        on_max_wait=draw(st.none() | overflow_actions(i)),
        max_length=draw(st.none() | st.integers(1, 4)),
        on_max_length=draw(st.none() | overflow_actions(i)),
        relaxation=tuple(steps),
        wrap_up_s=float(draw(st.integers(0, 30))),
    )


@st.composite
def setups(draw: st.DrawFn) -> Setup:
    queues = tuple(draw(queue_configs(i)) for i in range(N_QUEUES))
    agents = tuple(
        AgentProfile(f"a{i}", draw(skill_maps), performance=draw(st.floats(0, 1))) for i in range(N_AGENTS)
    )
    router_settings = RouterSettings(
        aging_per_s=draw(st.sampled_from([0.5, 1.0, 2.0])),
        ring_timeout_s=float(draw(st.integers(5, 20))),
        rona_misses=draw(st.integers(1, 2)),
        not_ready_reasons=REASONS,
    )
    return Setup(queues, agents, router_settings)


def eligible(skills: dict[str, int], reqs: tuple[SkillRequirement, ...]) -> bool:
    return all(skills.get(r.skill, 0) >= r.min_level for r in reqs)


class RouterMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = 0.0
        self.wakeups: list[float] = []
        self.call_ids: list[str] = []
        self.requeued: set[str] = set()
        self.n = 0

    @initialize(setup=setups(), seed=st.integers(0, 3))
    def build(self, setup: Setup, seed: int) -> None:
        self.setup = setup
        self.queues = {q.id: q for q in setup.queues}
        self.router = Router(setup.queues, setup.agents, setup.settings, seed=seed)
        self.states = {a.id: S.LOGGED_OUT for a in setup.agents}
        self.skills = {a.id: dict(a.skills) for a in setup.agents}

    # --- the driver -------------------------------------------------------
    def apply(self, effects: list[Effect], agent_side: str | None = None) -> None:
        for i, e in enumerate(effects):
            if isinstance(e, AgentStateChanged):
                assert e.previous is self.states[e.agent_id], e
                assert e.at == self.now
                self.states[e.agent_id] = e.state
            elif isinstance(e, ScheduleWakeup):
                assert e.at >= self.now
                heapq.heappush(self.wakeups, e.at)
            elif isinstance(e, (OfferCall, PlaceCallback)):
                before = effects[i - 1]
                assert isinstance(before, AgentStateChanged) and before.agent_id == e.agent_id
                assert (before.previous, before.state, before.call_id) == (S.READY, S.RESERVED, e.call_id)
                self.check_offer(e.call_id, e.agent_id)
        for aid, state in self.states.items():
            assert self.router.agent_state(aid) is state
        if agent_side is not None:
            self.check_best_call(effects, agent_side)

    def expected_requirements(self, call_id: str) -> tuple[SkillRequirement, ...]:
        snap = self.router.call_snapshot(call_id)
        q = self.queues[snap.queue_id]
        merged = {r.skill: r.min_level for r in q.requirements}
        for r in snap.call.required_skills:
            merged[r.skill] = max(merged.get(r.skill, 0), r.min_level)
        caps = [
            st_.min_level
            for st_ in q.relaxation
            if st_.min_level is not None and snap.queue_entered_at + st_.after_s <= self.now
        ]
        cap = min(caps) if caps else 10
        return tuple(SkillRequirement(s, min(lvl, cap)) for s, lvl in sorted(merged.items()))

    def check_offer(self, call_id: str, agent_id: str) -> None:
        snap = self.router.call_snapshot(call_id)
        assert snap.state is CallState.OFFERED and snap.agent_id == agent_id
        assert eligible(self.skills[agent_id], self.expected_requirements(call_id))
        assert snap.preferred_hold in (None, agent_id)
        assert agent_id not in snap.excluded

    def key(self, call_id: str) -> float:
        snap = self.router.call_snapshot(call_id)
        s = self.setup.settings
        base = self.queues[snap.queue_id].priority + snap.call.priority + s.tier_bonus[snap.call.tier]
        return s.aging_per_s * snap.enqueued_at - base

    def may_take(self, agent_id: str, call_id: str) -> bool:
        snap = self.router.call_snapshot(call_id)
        return (
            eligible(self.skills[agent_id], snap.requirements)
            and agent_id not in snap.excluded
            and snap.preferred_hold in (None, agent_id)
        )

    def check_best_call(self, effects: list[Effect], agent_id: str) -> None:
        taken = [e.call_id for e in effects if isinstance(e, (OfferCall, PlaceCallback)) and e.agent_id == agent_id]
        if not taken or taken[0] in self.requeued:
            return
        mine = self.key(taken[0])
        for cid in self.router.waiting_calls():
            if cid not in self.requeued and self.may_take(agent_id, cid):
                assert self.key(cid) >= mine, (cid, taken[0])

    @invariant()
    def no_call_waits_while_an_eligible_agent_is_ready(self) -> None:
        if not hasattr(self, "router"):
            return
        ready = self.router.ready_agents()
        assert sorted(ready) == sorted(a for a, s in self.states.items() if s is S.READY)
        for cid in self.router.waiting_calls():
            snap = self.router.call_snapshot(cid)
            assert snap.requirements == self.expected_requirements(cid)
            for aid in ready:
                assert not self.may_take(aid, cid), (cid, aid)

    def live_calls(self, state: CallState) -> list[str]:
        out = []
        for cid in self.call_ids:
            try:
                if self.router.call_snapshot(cid).state is state:
                    out.append(cid)
            except Exception:
                continue
        return out

    # --- rules --------------------------------------------------------------
    @rule(delta=st.integers(0, 40))
    def advance(self, delta: int) -> None:
        target = self.now + delta
        while self.wakeups and self.wakeups[0] <= target:
            self.now = heapq.heappop(self.wakeups)
            effects = self.router.tick(self.now)
            self.note_requeues(effects)
            self.apply(effects)
        self.now = target

    def note_requeues(self, effects: list[Effect]) -> None:
        # a requeued call sits at the head, ahead of its priority key
        self.requeued.update(e.call_id for e in effects if isinstance(e, CallRequeued))

    @rule(i=st.integers(0, N_AGENTS - 1))
    def login(self, i: int) -> None:
        aid = f"a{i}"
        if self.states[aid] is S.LOGGED_OUT:
            self.apply(self.router.login(aid, self.now))
        else:
            self.expect_invalid(lambda: self.router.login(aid, self.now))

    @rule(i=st.integers(0, N_AGENTS - 1))
    def logout(self, i: int) -> None:
        aid = f"a{i}"
        if self.states[aid] in (S.READY, S.NOT_READY, S.WRAP_UP):
            self.apply(self.router.logout(aid, self.now))
        else:
            self.expect_invalid(lambda: self.router.logout(aid, self.now))

    @rule(i=st.integers(0, N_AGENTS - 1))
    def set_ready(self, i: int) -> None:
        aid = f"a{i}"
        if self.states[aid] in (S.READY, S.NOT_READY, S.WRAP_UP):
            was_ready = self.states[aid] is S.READY
            self.apply(self.router.set_ready(aid, self.now), agent_side=None if was_ready else aid)
        else:
            self.expect_invalid(lambda: self.router.set_ready(aid, self.now))

    @rule(i=st.integers(0, N_AGENTS - 1), reason=st.sampled_from(REASONS))
    def set_not_ready(self, i: int, reason: str) -> None:
        aid = f"a{i}"
        if self.states[aid] is S.LOGGED_OUT:
            self.expect_invalid(lambda: self.router.set_not_ready(aid, reason, self.now))
        else:
            self.apply(self.router.set_not_ready(aid, reason, self.now))

    @rule(i=st.integers(0, N_AGENTS - 1), skills=skill_maps)
    def set_skills(self, i: int, skills: dict[str, int]) -> None:
        aid = f"a{i}"
        self.skills[aid] = dict(skills)
        self.apply(self.router.set_skills(aid, dict(skills), self.now))

    @rule(
        q=st.integers(0, N_QUEUES - 1),
        tier=st.integers(1, 5),
        priority=st.integers(0, 10),
        extra=st.none() | st.tuples(st.sampled_from(SKILLS), levels),
        pref=st.none() | st.tuples(st.integers(0, N_AGENTS - 1), st.integers(1, 60)),
        clv=st.floats(0, 10_000),
    )
    def enqueue(
        self,
        q: int,
        tier: int,
        priority: int,
        extra: tuple[str, int] | None,
        pref: tuple[int, int] | None,
        clv: float,
    ) -> None:
        self.n += 1
        cid = f"c{self.n}"
        call = Call(
            cid,
            f"q{q}",
            self.now,
            tier=tier,
            clv=clv,
            priority=priority,
            required_skills=(SkillRequirement(*extra),) if extra else (),
            preferred_agent=f"a{pref[0]}" if pref else None,
            preferred_wait_s=float(pref[1]) if pref else 0.0,
        )
        self.call_ids.append(cid)
        self.apply(self.router.enqueue(call, self.now))

    @rule(data=st.data())
    def abandon(self, data: st.DataObject) -> None:
        calls = self.live_calls(CallState.WAITING) + self.live_calls(CallState.OFFERED)
        if calls:
            self.apply(self.router.abandon(data.draw(st.sampled_from(calls)), self.now))

    @rule(data=st.data())
    def answer(self, data: st.DataObject) -> None:
        calls = self.live_calls(CallState.OFFERED)
        if calls:
            self.apply(self.router.answer(data.draw(st.sampled_from(calls)), self.now))

    @rule(data=st.data())
    def no_answer(self, data: st.DataObject) -> None:
        calls = self.live_calls(CallState.OFFERED)
        if calls:
            effects = self.router.no_answer(data.draw(st.sampled_from(calls)), self.now)
            self.note_requeues(effects)
            self.apply(effects)

    @rule(data=st.data())
    def hold_or_unhold(self, data: st.DataObject) -> None:
        talking, held = self.live_calls(CallState.TALKING), self.live_calls(CallState.HELD)
        hold: bool = data.draw(st.booleans())
        if talking and hold:
            self.apply(self.router.hold(data.draw(st.sampled_from(talking)), self.now))
        elif held:
            self.apply(self.router.unhold(data.draw(st.sampled_from(held)), self.now))

    @rule(data=st.data())
    def hangup(self, data: st.DataObject) -> None:
        calls = self.live_calls(CallState.TALKING) + self.live_calls(CallState.HELD)
        if calls:
            self.apply(self.router.hangup(data.draw(st.sampled_from(calls)), self.now))

    @rule(i=st.integers(0, N_AGENTS - 1))
    def end_wrap_up(self, i: int) -> None:
        aid = f"a{i}"
        if self.states[aid] is S.WRAP_UP:
            self.apply(self.router.end_wrap_up(aid, self.now), agent_side=aid)

    @rule(data=st.data())
    def request_callback(self, data: st.DataObject) -> None:
        calls = [c for c in self.live_calls(CallState.WAITING) if not self.router.call_snapshot(c).is_callback]
        if calls:
            self.apply(self.router.request_callback(data.draw(st.sampled_from(calls)), self.now))

    def expect_invalid(self, action: object) -> None:
        try:
            action()  # type: ignore[operator]
        except InvalidTransition:
            return
        raise AssertionError("expected InvalidTransition")

    @precondition(lambda self: hasattr(self, "router"))
    @rule()
    def queue_order_matches_priority_keys(self) -> None:
        for qid in self.queues:
            order = [c for c in self.router.waiting(qid) if c not in self.requeued]
            keys = [self.key(c) for c in order]
            assert keys == sorted(keys)


RouterMachine.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestRouterMachine = RouterMachine.TestCase


# --- starvation bound -----------------------------------------------------------

arrivals = st.lists(
    st.tuples(st.integers(0, 1), st.integers(1, 5), st.integers(0, 20), st.integers(0, 300)),
    min_size=2,
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(arrivals=arrivals, aging=st.sampled_from([0.25, 1.0, 3.0]), q1_priority=st.integers(0, 50))
def test_starvation_bound(arrivals: list[tuple[int, int, int, int]], aging: float, q1_priority: int) -> None:
    """A call is served after a later one only within (base difference)/aging seconds."""
    qs = [
        QueueConfig("q0", (SkillRequirement("s", 1),), wrap_up_s=0),
        QueueConfig("q1", (SkillRequirement("s", 1),), priority=q1_priority, wrap_up_s=0),
    ]
    router_settings = RouterSettings(aging_per_s=aging)
    r = Router(qs, [AgentProfile("a", {"s": 5})], router_settings)
    r.login("a", 0)
    arrivals = sorted(arrivals, key=lambda a: a[3])
    info: dict[str, tuple[float, float]] = {}
    for n, (q, tier, prio, at) in enumerate(arrivals):
        cid = f"c{n}"
        r.enqueue(Call(cid, f"q{q}", at, tier=tier, priority=prio), at)
        base = qs[q].priority + prio + router_settings.tier_bonus[tier]
        info[cid] = (float(at), float(base))
    served: list[str] = []
    now = 400.0
    effects = r.set_ready("a", now)
    while True:
        got = [e.call_id for e in effects if isinstance(e, OfferCall)]
        if not got:
            break
        served.append(got[0])
        r.answer(got[0], now)
        now += 1
        effects = r.hangup(got[0], now)
    assert sorted(served) == sorted(info)
    for i, early_served in enumerate(served):
        t_y, b_y = info[early_served]
        for later_served in served[i + 1 :]:
            t_x, b_x = info[later_served]
            if t_x < t_y:  # x arrived first but was served after y
                assert t_y - t_x <= (b_y - b_x) / aging + 1e-9


# --- callback keeps its place ---------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(
    calls=st.lists(st.tuples(st.integers(1, 5), st.integers(0, 3)), min_size=2, max_size=15),
    callbacks=st.sets(st.integers(0, 14)),
)
def test_callback_keeps_its_position(calls: list[tuple[int, int]], callbacks: set[int]) -> None:
    """Serving order with some callers turned into callbacks equals the order without."""

    def serve(with_callbacks: bool) -> list[str]:
        r = Router([QueueConfig("q", (SkillRequirement("s", 1),), wrap_up_s=0)], [AgentProfile("a", {"s": 5})])
        r.login("a", 0)
        for n, (tier, gap) in enumerate(calls):
            at = float(sum(g for _, g in calls[: n + 1]))
            r.enqueue(Call(f"c{n}", "q", at, tier=tier), at)
            if with_callbacks and n in callbacks:
                r.request_callback(f"c{n}", at)
        order: list[str] = []
        now = 1000.0
        effects = r.set_ready("a", now)
        while got := [e.call_id for e in effects if isinstance(e, (OfferCall, PlaceCallback))]:
            order.append(got[0])
            r.answer(got[0], now)
            now += 1
            effects = r.hangup(got[0], now)
        return order

    assert serve(True) == serve(False)
