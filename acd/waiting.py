"""Waiting calls, grouped by what they require.

Calls with the same effective requirements (and the same preferred agent,
while its hold-out window is open) share a *bucket*: a heap ordered by the
static priority key ``(key, seq)``. Buckets are shared across queues, since
an agent's choice depends only on priority. Each bucket is indexed under one
of its skills (the one fewest agents have), so an agent who frees up visits
only buckets indexed under its own skills and keeps those it meets.

Every entry is also pushed on its queue's heap, which answers "who is at the
head of this queue" (for a requeue) and ``Router.waiting``.

Complexity, with C waiting calls and B_a non-empty buckets indexed under an
agent's skills: ``add``/``remove`` O(log C) amortised (lazy deletion with
compaction); ``best_for`` O(B_a·R + log C), R requirements per bucket.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from typing import Any

from acd.model import AgentId, QueueId, SkillId
from acd.records import AgentRecord, CallRecord, Requirements

_NO_SKILL: SkillId = ""
_COMPACT_SLACK = 32

Entry = tuple[Any, ...]  # (key, seq, version, CallRecord)


def _valid(entry: Entry) -> bool:
    call: CallRecord = entry[3]
    return call.version == entry[2] and call.bucket is not None


class Bucket:
    """Waiting calls with one requirement signature."""

    __slots__ = ("reqs", "pref", "heap", "live", "index_skill")

    def __init__(self, reqs: Requirements, pref: AgentId | None, index_skill: SkillId) -> None:
        self.reqs = reqs
        self.pref = pref
        self.heap: list[Entry] = []
        self.live = 0
        self.index_skill = index_skill

    def head(self, agent_id: AgentId) -> Entry | None:
        """Best valid entry that ``agent_id`` is not excluded from."""
        heap = self.heap
        while heap:
            entry = heap[0]
            call: CallRecord = entry[3]
            if call.version != entry[2] or call.bucket is None:
                heapq.heappop(heap)
                continue
            if call.excluded is None or agent_id not in call.excluded:
                return entry
            return self._head_slow(agent_id)
        return None

    def _head_slow(self, agent_id: AgentId) -> Entry | None:
        # the head missed this agent before: look deeper, then restore
        heap = self.heap
        stash: list[Entry] = []
        found: Entry | None = None
        while heap:
            entry = heapq.heappop(heap)
            call: CallRecord = entry[3]
            if call.version != entry[2] or call.bucket is None:
                continue
            stash.append(entry)
            if call.excluded is None or agent_id not in call.excluded:
                found = entry
                break
        for entry in stash:
            heapq.heappush(heap, entry)
        return found


class WaitingCalls:
    """All waiting calls: buckets by signature, an index by skill, queue heaps."""

    def __init__(self, holders: Mapping[SkillId, int], queues: list[QueueId]) -> None:
        """Args:
        holders: how many agents have each skill; picks a bucket's index skill.
        queues: every queue id.
        """
        self._holders = holders
        self._buckets: dict[tuple[AgentId | None, Requirements], Bucket] = {}
        self._by_skill: dict[SkillId, dict[int, Bucket]] = {}
        self._by_pref: dict[AgentId, dict[int, Bucket]] = {}
        self._queue_heaps: dict[QueueId, list[Entry]] = {q: [] for q in queues}
        self._queue_count: dict[QueueId, int] = {q: 0 for q in queues}
        self._queue_live: dict[QueueId, int] = {q: 0 for q in queues}
        self.total = 0

    def _bucket(self, reqs: Requirements, pref: AgentId | None) -> Bucket:
        sig = (pref, reqs)
        bucket = self._buckets.get(sig)
        if bucket is None:
            index = _NO_SKILL
            if reqs:
                index = min((self._holders.get(s, 0), s) for s, _ in reqs)[1]
            bucket = Bucket(reqs, pref, index)
            self._buckets[sig] = bucket
        return bucket

    def add(self, call: CallRecord) -> None:
        """Put a call in the bucket of its current requirements and hold-out."""
        bucket = self._bucket(call.reqs, call.pref)
        call.version += 1
        call.bucket = bucket
        entry = (call.key, call.seq, call.version, call)
        heapq.heappush(bucket.heap, entry)
        bucket.live += 1
        if bucket.live == 1:
            if bucket.pref is not None:
                self._by_pref.setdefault(bucket.pref, {})[id(bucket)] = bucket
            else:
                self._by_skill.setdefault(bucket.index_skill, {})[id(bucket)] = bucket
        elif len(bucket.heap) > 2 * bucket.live + _COMPACT_SLACK:
            bucket.heap[:] = [e for e in bucket.heap if _valid(e)]
            heapq.heapify(bucket.heap)
        queue = call.queue
        qheap = self._queue_heaps[queue]
        heapq.heappush(qheap, entry)
        count = self._queue_count[queue] + 1
        self._queue_count[queue] = count
        if len(qheap) > 2 * count + _COMPACT_SLACK:
            qheap[:] = [e for e in qheap if _valid(e)]
            heapq.heapify(qheap)
        if not call.is_callback:
            self._queue_live[queue] += 1
        self.total += 1

    def remove(self, call: CallRecord) -> None:
        """Take a call out (offered, moved, abandoned, overflowed)."""
        bucket = call.bucket
        assert isinstance(bucket, Bucket)
        call.version += 1
        call.bucket = None
        bucket.live -= 1
        if bucket.live == 0:
            index = self._by_pref if bucket.pref is not None else self._by_skill
            key = bucket.pref if bucket.pref is not None else bucket.index_skill
            del index[key][id(bucket)]
            bucket.heap.clear()
        self._queue_count[call.queue] -= 1
        if not call.is_callback:
            self._queue_live[call.queue] -= 1
        self.total -= 1

    def to_callback(self, call: CallRecord) -> None:
        """A waiting caller became a callback request: same entry, no line held."""
        self._queue_live[call.queue] -= 1
        call.is_callback = True

    def live(self, queue: QueueId) -> int:
        """Callers on the line waiting in ``queue`` (callback requests excluded)."""
        return self._queue_live[queue]

    def count(self, queue: QueueId) -> int:
        """Waiting entries of ``queue``, callback requests included."""
        return self._queue_count[queue]

    def head_of(self, queue: QueueId) -> tuple[float, int] | None:
        """``(key, seq)`` of the queue's first waiting call, if any."""
        heap = self._queue_heaps[queue]
        while heap:
            entry = heap[0]
            if _valid(entry):
                return entry[0], entry[1]
            heapq.heappop(heap)
        return None

    def in_queue(self, queue: QueueId) -> list[CallRecord]:
        """Waiting calls of ``queue`` in serving order (a query; O(C_q log C_q))."""
        live = [e for e in self._queue_heaps[queue] if _valid(e)]
        live.sort(key=lambda e: (e[0], e[1]))
        return [e[3] for e in live]

    def held_for(self, agent_id: AgentId) -> list[CallRecord]:
        """Calls in a hold-out window for ``agent_id``."""
        out: list[CallRecord] = []
        for bucket in list(self._by_pref.get(agent_id, {}).values()):
            out.extend(e[3] for e in bucket.heap if _valid(e))
        out.sort(key=lambda c: (c.key, c.seq))
        return out

    def best_for(self, agent: AgentRecord, with_unrestricted: bool) -> CallRecord | None:
        """The highest-priority waiting call ``agent`` may take, or None.

        Visits the non-empty buckets indexed under the agent's skills (plus
        its hold-out buckets and, if any, the no-requirement buckets).
        """
        best: Entry | None = None
        by_skill = self._by_skill
        agent_id = agent.id
        groups: list[dict[int, Bucket]] = []
        for skill in agent.skill_list:
            group = by_skill.get(skill)
            if group:
                groups.append(group)
        if with_unrestricted:
            group = by_skill.get(_NO_SKILL)
            if group:
                groups.append(group)
        held = self._by_pref.get(agent_id)
        if held:
            groups.append(held)
        for group in groups:
            for bucket in group.values():
                if not agent.meets(bucket.reqs):
                    continue
                entry = bucket.head(agent_id)
                if entry is not None and (
                    best is None or entry[0] < best[0] or (entry[0] == best[0] and entry[1] < best[1])
                ):
                    best = entry
        return None if best is None else best[3]
