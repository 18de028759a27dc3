"""Ready agents, indexed by skill and by each selection policy's criterion.

For every skill ``s`` and every ordering ``o`` in use there is a binary heap
of the ready agents who have ``s`` (at any level), keyed by ``o``'s
criterion. A call is matched by popping the heap of its rarest required
skill (fewest ready agents) in the queue's ordering until an agent meets all
the call's requirements: the first one that does is the policy's best.

Deletion is lazy: an agent who leaves the ready state leaves stale entries
behind (recognised by ``ready_version``); a heap is rebuilt when stale
entries outnumber live ones, so memory stays O(live) and the cost amortised.

Complexity, with S_a skills per agent, P orderings in use, A ready agents:
``add`` O(S_a·P·log A); ``take`` O((1+k)·log A) where k is the number of
ready agents in the chosen pool that fail the other requirements (levels,
second skill, or the call's excluded set).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from enum import IntEnum
from typing import Any

from acd.model import AgentState, SkillId
from acd.records import AgentRecord, Requirements

ANY_SKILL: SkillId = ""
"""Pool of every ready agent, kept only when some queue requires no skill."""

_READY = AgentState.READY
_COMPACT_SLACK = 32


class Order(IntEnum):
    """Heap orderings; each selection policy maps onto one (or two)."""

    IDLE = 0  # longest idle first
    OCCUPANCY = 1  # least talk time today first
    LEVEL = 2  # highest level in the heap's skill first
    ROUND_ROBIN = 3  # least recently offered first
    PERF_DESC = 4  # best-rated first
    PERF_ASC = 5  # lowest-rated first


Entry = tuple[Any, ...]
_LEVEL = Order.LEVEL


def _prefix(order: Order, agent: AgentRecord, idle: float) -> tuple[float, ...]:
    if order is Order.IDLE:
        return (idle,)
    if order is Order.OCCUPANCY:
        return (agent.talk_time, idle)
    if order is Order.ROUND_ROBIN:
        return (float(agent.last_offered),)
    if order is Order.PERF_DESC:
        return (-agent.performance, idle)
    return (agent.performance, idle)  # PERF_ASC; LEVEL is built per skill


def _valid(entry: Entry) -> bool:
    agent: AgentRecord = entry[-1]
    return agent.state is _READY and agent.ready_version == entry[-2]


def _compact(heap: list[Entry]) -> None:
    heap[:] = [e for e in heap if _valid(e)]
    heapq.heapify(heap)


class ReadyPools:
    """Per-(skill, ordering) heaps of ready agents."""

    def __init__(
        self,
        orders: Iterable[Order],
        level_skills: Iterable[SkillId],
        with_any_skill: bool,
    ) -> None:
        """Args:
        orders: orderings used by some queue (``Order.LEVEL`` is handled
            separately, only for ``level_skills``).
        level_skills: skills that head a best-skill queue's requirements.
        with_any_skill: keep the ``ANY_SKILL`` pool (some queue needs no skill).
        """
        self._orders = tuple(sorted(o for o in set(orders) if o is not Order.LEVEL))
        self._slot: dict[Order, int] = {o: i for i, o in enumerate(self._orders)}
        self._idle_only = self._orders == (Order.IDLE,)  # the common case: one entry, built inline
        self._level_skills = frozenset(level_skills)
        self._with_any = with_any_skill
        # skill -> one heap per ordering in self._orders (same positions)
        self._heaps: dict[SkillId, list[list[Entry]]] = {}
        self._level_heaps: dict[SkillId, list[Entry]] = {}
        self.count: dict[SkillId, int] = {}

    def add(self, agent: AgentRecord) -> None:
        """Index an agent who just became ready (its ``ready_version`` bumped)."""
        idle = agent.idle_since if agent.idle_since is not None else 0.0
        # one entry per ordering, shared by every skill's heap (tuples are immutable)
        if self._idle_only:
            entries: list[Entry] = [(idle, agent.rank, agent.ready_version, agent)]
        else:
            tail = (agent.rank, agent.ready_version, agent)
            entries = [(*_prefix(o, agent, idle), *tail) for o in self._orders]
        count = self.count
        skills: Iterable[SkillId] = agent.skill_list
        if self._with_any:
            skills = (*agent.skill_list, ANY_SKILL)
        heappush = heapq.heappush
        level_skills = self._level_skills
        for skill in skills:
            live = count.get(skill, 0) + 1
            count[skill] = live
            heaps = self._heaps.get(skill)
            if heaps is None:
                heaps = self._heaps[skill] = [[] for _ in self._orders]
            limit = 2 * live + _COMPACT_SLACK
            for heap, entry in zip(heaps, entries):
                heappush(heap, entry)
                if len(heap) > limit:
                    _compact(heap)
            if level_skills and skill in level_skills:
                level_entry = (-agent.skills.get(skill, 0), idle, agent.rank, agent.ready_version, agent)
                heap = self._level_heaps.setdefault(skill, [])
                heappush(heap, level_entry)
                if len(heap) > limit:
                    _compact(heap)

    def discard(self, agent: AgentRecord) -> None:
        """The agent left the ready state: its entries are stale from now on."""
        count = self.count
        for skill in agent.skill_list:
            count[skill] -= 1
        if self._with_any:
            count[ANY_SKILL] -= 1

    def take(
        self,
        reqs: Requirements,
        order: Order,
        primary: SkillId | None,
        excluded: set[str] | None,
    ) -> AgentRecord | None:
        """Pop and return the best ready agent meeting ``reqs``, or None.

        Args:
            reqs: effective requirements of the call.
            order: the queue's ordering for this call.
            primary: for ``Order.LEVEL``, the skill whose level ranks agents.
            excluded: agents who must not get this call (missed it before).

        The returned agent's entries are stale once the caller moves it out
        of the ready state, which it must do at once.
        """
        count = self.count
        level = order is _LEVEL
        if level and primary is not None and primary in self._level_skills:
            skill = primary
            if count.get(skill, 0) == 0:
                return None
        else:
            if level:
                order = Order.IDLE
                level = False
            if len(reqs) == 1:
                skill = reqs[0][0]
                if count.get(skill, 0) == 0:
                    return None
            elif reqs:
                skill = reqs[0][0]
                best = count.get(skill, 0)
                for s, _ in reqs:
                    n = count.get(s, 0)
                    if n < best:
                        skill, best = s, n
                if best == 0:
                    return None
            elif self._with_any:
                skill = ANY_SKILL
            else:
                return None
        if level:
            heap = self._level_heaps.get(skill)
        else:
            heaps = self._heaps.get(skill)
            heap = heaps[self._slot[order]] if heaps is not None else None
        if not heap:
            return None
        stash: list[Entry] = []
        found: AgentRecord | None = None
        heappop = heapq.heappop
        while heap:
            entry = heappop(heap)
            agent: AgentRecord = entry[-1]
            if agent.state is not _READY or agent.ready_version != entry[-2]:
                continue
            if agent.meets(reqs) and (excluded is None or agent.id not in excluded):
                found = agent
                break
            stash.append(entry)
        if stash:
            for entry in stash:
                heapq.heappush(heap, entry)
        return found
