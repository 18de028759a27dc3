"""The standard contact-center metrics, one definition for every consumer.

The wallboard, reports, the simulator and WFM all compute service level,
ASA, AHT, abandon rate, occupancy and P(wait) here, from two kinds of
records: :class:`CallRecord` (one call's stay in one queue) and
:class:`AgentStateSpan` (one agent in one state for a stretch of time).
Times are float seconds on the injected clock. docs/metrics.md repeats
every formula.

Outcome of a call record (first match wins):

* answered: ``answered_at`` is set; ``wait = answered_at - arrived_at``.
* abandoned: ``abandoned_at`` is set; ``wait = abandoned_at - arrived_at``.
* left: ``overflowed_to`` or ``callback`` or ``ended_at`` is set: the call
  left this queue unanswered (overflow to another queue, voicemail, callback
  request); ``wait = ended_at - arrived_at`` when ``ended_at`` is set.
* waiting: none of the above; ``wait = now - arrived_at`` when ``now`` is known.

A call that overflows from queue Q1 to Q2 has two records (one per queue);
``offered`` counts it in both, as "overflow out" and "overflow in".

Formulas (T = ``answer_within_s``; short abandons, ``wait < short_abandon_s``,
are dropped from every ratio, numerator and denominator alike)::

    resolved       = answered + abandoned' + left          (abandoned' = long abandons)
    service level  ANSWERED:              answered(wait <= T) / answered
                   ANSWERED_AND_ABANDONED: answered(wait <= T) / (answered + abandoned')
                   OFFERED:                (answered(wait <= T) + abandoned'(wait <= T)) / resolved
    ASA            = sum(wait of answered) / answered
    AHT            = sum(talk + hold + wrap-up) / completed
                     talk = ended_at - answered_at - hold_s, wrap = wrap_up_end - ended_at
    average talk   = sum(talk) / completed                 (completed: answered and ended)
    abandon rate   = abandoned' / resolved
    P(wait)        = (answered(wait > immediate_s) + abandoned') / (answered + abandoned')
    longest wait   = max(wait of answered, and of waiting calls when now is given)
    occupancy      = handling / (handling + available)
                     handling  = time BUSY + HELD + WRAP_UP
                     available = time READY + RESERVED (ringing counts as available)
                     NOT_READY and LOGGED_OUT time are left out.

Call metrics are bucketed by ARRIVAL time: interval k holds calls with
``origin + k*interval_s <= arrived_at < origin + (k+1)*interval_s``.
Occupancy is time-based: spans are cut at the interval boundaries.
A ratio with a zero denominator is ``None``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from acd.model import AgentId, AgentState, CallId, QueueId, SkillId

HANDLING_STATES = frozenset({AgentState.BUSY, AgentState.HELD, AgentState.WRAP_UP})
AVAILABLE_STATES = frozenset({AgentState.READY, AgentState.RESERVED})

_K = TypeVar("_K", str, float, tuple[str, float])


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One call's stay in one queue, as metrics see it.

    ``hold_s`` is the time the caller spent on hold between answer and end;
    ``wrap_up_end`` closes the agent's after-call work (``None``: no wrap-up).
    """

    call_id: CallId
    queue: QueueId
    arrived_at: float
    answered_at: float | None = None
    abandoned_at: float | None = None
    ended_at: float | None = None
    wrap_up_end: float | None = None
    hold_s: float = 0.0
    agent: AgentId | None = None
    skills: tuple[SkillId, ...] = ()
    overflowed_to: QueueId | None = None
    callback: bool = False
    tier: int | None = None


@dataclass(frozen=True, slots=True)
class AgentStateSpan:
    """An agent in one state from ``start`` to ``end`` (``None``: still in it)."""

    agent_id: AgentId
    state: AgentState
    start: float
    end: float | None
    reason: str | None = None


class Outcome(str, Enum):
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    LEFT = "left"  # overflowed, voicemail or callback: left unanswered, did not hang up
    WAITING = "waiting"


class ServiceLevelMethod(str, Enum):
    """Which calls count in the service-level ratio (see the module formulas)."""

    ANSWERED = "answered"
    ANSWERED_AND_ABANDONED = "answered_and_abandoned"
    OFFERED = "offered"


@dataclass(frozen=True, slots=True)
class MetricSettings:
    """How a queue's metrics are defined.

    Attributes:
        answer_within_s: Service-level threshold T; answered within means ``wait <= T``.
        method: The service-level ratio.
        short_abandon_s: Abandons with ``wait < short_abandon_s`` are dropped
            from every ratio (0: none are).
        immediate_s: Answered calls with ``wait <= immediate_s`` did not wait,
            for P(wait); set it to the ring time if waits include ringing.
    """

    answer_within_s: float = 20.0
    method: ServiceLevelMethod = ServiceLevelMethod.ANSWERED_AND_ABANDONED
    short_abandon_s: float = 0.0
    immediate_s: float = 0.0


@dataclass(frozen=True, slots=True)
class Stats:
    """Counts and metrics of one group of calls (and agent time).

    Ratios and averages are ``None`` when nothing was there to average.
    ``occupancy`` is ``None`` where no agent time belongs to the group.
    """

    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    left: int
    waiting: int
    answered_within: int
    service_level: float | None
    asa_s: float | None
    aht_s: float | None
    avg_talk_s: float | None
    avg_hold_s: float | None
    avg_wrap_s: float | None
    abandon_rate: float | None
    p_wait: float | None
    longest_wait_s: float | None
    occupancy: float | None
    handling_s: float
    available_s: float


@dataclass(frozen=True, slots=True)
class Summary:
    """All the groupings of :func:`summarize`; interval keys are start times."""

    total: Stats
    by_queue: Mapping[QueueId, Stats]
    by_interval: Mapping[float, Stats]
    by_queue_interval: Mapping[tuple[QueueId, float], Stats]
    by_agent: Mapping[AgentId, Stats]
    by_skill: Mapping[SkillId, Stats]


def outcome(record: CallRecord) -> Outcome:
    """Classify a record (first match: answered, abandoned, left, waiting)."""
    if record.answered_at is not None:
        return Outcome.ANSWERED
    if record.abandoned_at is not None:
        return Outcome.ABANDONED
    if record.overflowed_to is not None or record.callback or record.ended_at is not None:
        return Outcome.LEFT
    return Outcome.WAITING


def wait_s(record: CallRecord, now: float | None = None) -> float | None:
    """Seconds the caller waited in the queue: until answer, abandon or leaving;
    for a waiting call ``now - arrived_at`` (``None`` without ``now``)."""
    end = record.answered_at
    if end is None:
        end = record.abandoned_at
    if end is None:
        end = record.ended_at
    if end is None:
        end = now
    return None if end is None else end - record.arrived_at


def interval_start(t: float, interval_s: float, origin: float = 0.0) -> float:
    """Start of the interval holding ``t``: ``origin + floor((t - origin) / interval_s) * interval_s``."""
    return origin + math.floor((t - origin) / interval_s) * interval_s


class _Acc:
    """Sums that add up across groups; frozen into :class:`Stats`."""

    __slots__ = (
        "offered", "answered", "abandoned", "short", "left", "waiting", "within",
        "sl_num", "sl_den", "wait_sum", "waited", "completed", "handle", "talk",
        "hold", "wrap", "longest", "handling", "available",
    )

    def __init__(self) -> None:
        self.offered = self.answered = self.abandoned = self.short = 0
        self.left = self.waiting = self.within = self.sl_num = self.sl_den = 0
        self.waited = self.completed = 0
        self.wait_sum = self.handle = self.talk = self.hold = self.wrap = 0.0
        self.longest: float | None = None
        self.handling = self.available = 0.0

    def add_call(self, r: CallRecord, s: MetricSettings, now: float | None) -> None:
        self.offered += 1
        kind = outcome(r)
        w = wait_s(r, now)
        t = s.answer_within_s
        if kind is Outcome.ANSWERED and w is not None:
            self.answered += 1
            self.wait_sum += w
            self.within += w <= t
            self.waited += w > s.immediate_s
            self.sl_num += w <= t
            self.sl_den += 1
            self._longest(w)
            if r.ended_at is not None and r.answered_at is not None:
                wrap = 0.0 if r.wrap_up_end is None else max(0.0, r.wrap_up_end - r.ended_at)
                held = r.ended_at - r.answered_at
                self.completed += 1
                self.talk += held - r.hold_s
                self.hold += r.hold_s
                self.wrap += wrap
                self.handle += held + wrap
        elif kind is Outcome.ABANDONED and w is not None:
            if w < s.short_abandon_s:
                self.short += 1
                return
            self.abandoned += 1
            self.waited += 1
            if s.method is not ServiceLevelMethod.ANSWERED:
                self.sl_den += 1
            if s.method is ServiceLevelMethod.OFFERED:
                self.sl_num += w <= t
        elif kind is Outcome.LEFT:
            self.left += 1
            if s.method is ServiceLevelMethod.OFFERED:
                self.sl_den += 1
        else:
            self.waiting += 1
            if w is not None:
                self._longest(w)

    def _longest(self, w: float) -> None:
        self.longest = w if self.longest is None else max(self.longest, w)

    def freeze(self) -> Stats:
        resolved = self.answered + self.abandoned + self.left
        return Stats(
            offered=self.offered,
            answered=self.answered,
            abandoned=self.abandoned,
            short_abandoned=self.short,
            left=self.left,
            waiting=self.waiting,
            answered_within=self.within,
            service_level=_ratio(self.sl_num, self.sl_den),
            asa_s=_ratio(self.wait_sum, self.answered),
            aht_s=_ratio(self.handle, self.completed),
            avg_talk_s=_ratio(self.talk, self.completed),
            avg_hold_s=_ratio(self.hold, self.completed),
            avg_wrap_s=_ratio(self.wrap, self.completed),
            abandon_rate=_ratio(self.abandoned, resolved),
            p_wait=_ratio(self.waited, self.answered + self.abandoned),
            longest_wait_s=self.longest,
            occupancy=_ratio(self.handling, self.handling + self.available),
            handling_s=self.handling,
            available_s=self.available,
        )


def _ratio(num: float, den: float) -> float | None:
    return None if den <= 0 else num / den


def _settings_for(
    settings: MetricSettings | Mapping[QueueId, MetricSettings], queue: QueueId
) -> MetricSettings:
    if isinstance(settings, MetricSettings):
        return settings
    return settings.get(queue, MetricSettings())


def call_stats(
    records: Iterable[CallRecord],
    settings: MetricSettings | Mapping[QueueId, MetricSettings] = MetricSettings(),
    now: float | None = None,
    spans: Iterable[AgentStateSpan] = (),
) -> Stats:
    """Metrics of one group of calls (and, if given, agent spans for occupancy).

    Every record is judged by its own queue's settings, and the sums of
    numerators and denominators are divided once (see the module formulas).

    Args:
        records: The calls of the group.
        settings: One definition for all queues, or one per queue (default for others).
        now: Current time, to count waiting calls in the longest wait and to
            close open spans; ``None`` for closed history.
        spans: Agent state spans for occupancy (whole spans, not cut).

    Returns:
        The group's :class:`Stats`.
    """
    acc = _Acc()
    for r in records:
        acc.add_call(r, _settings_for(settings, r.queue), now)
    for span in spans:
        _add_span(acc, span, None, None, now)
    return acc.freeze()


def occupancy(
    spans: Iterable[AgentStateSpan],
    start: float | None = None,
    end: float | None = None,
    now: float | None = None,
) -> float | None:
    """Agent occupancy over ``[start, end)``.

    ``occupancy = handling / (handling + available)``, handling = BUSY + HELD
    + WRAP_UP time, available = READY + RESERVED time (ringing is waiting for
    the agent to pick up, so it counts as available); other states are left out.

    Args:
        spans: Agent state spans (any agents).
        start: Window start (``None``: unbounded).
        end: Window end (``None``: unbounded).
        now: Closes spans still open (open spans are ignored without it).

    Returns:
        The occupancy in [0, 1], or ``None`` with no handling or available time.
    """
    acc = _Acc()
    for span in spans:
        _add_span(acc, span, start, end, now)
    return acc.freeze().occupancy


def _add_span(
    acc: _Acc, span: AgentStateSpan, start: float | None, end: float | None, now: float | None
) -> None:
    stop = span.end if span.end is not None else now
    if stop is None:
        return
    lo = span.start if start is None else max(span.start, start)
    hi = stop if end is None else min(stop, end)
    if hi <= lo:
        return
    if span.state in HANDLING_STATES:
        acc.handling += hi - lo
    elif span.state in AVAILABLE_STATES:
        acc.available += hi - lo


def summarize(
    records: Iterable[CallRecord],
    spans: Iterable[AgentStateSpan] = (),
    interval_s: float = 1800.0,
    settings: MetricSettings | Mapping[QueueId, MetricSettings] = MetricSettings(),
    now: float | None = None,
    origin: float = 0.0,
    agent_queues: Mapping[AgentId, Iterable[QueueId]] | None = None,
) -> Summary:
    """Standard metrics per queue, per interval, per queue and interval, per
    agent, per skill, and in total.

    Calls go to the interval of their arrival; a call with several skills
    counts under each. Per-agent stats hold the calls that agent answered
    and that agent's occupancy. Occupancy per interval cuts the spans at the
    interval boundaries; per queue it uses the spans of the agents listed for
    that queue in ``agent_queues`` (``None`` without that map).

    Args:
        records: Call records.
        spans: Agent state spans.
        interval_s: Interval length, seconds (e.g. 900, 1800, 3600).
        settings: One metric definition, or one per queue.
        now: Current time (live use), or ``None`` for closed history.
        origin: Time at which interval 0 starts (e.g. local midnight).
        agent_queues: Which queues each agent staffs, for queue occupancy.

    Returns:
        A :class:`Summary`.
    """
    if not interval_s > 0:
        raise ValueError("interval_s must be > 0")
    total = _Acc()
    by_queue: dict[QueueId, _Acc] = {}
    by_interval: dict[float, _Acc] = {}
    by_qi: dict[tuple[QueueId, float], _Acc] = {}
    by_agent: dict[AgentId, _Acc] = {}
    by_skill: dict[SkillId, _Acc] = {}
    for r in records:
        s = _settings_for(settings, r.queue)
        k = interval_start(r.arrived_at, interval_s, origin)
        groups = [total, _get(by_queue, r.queue), _get(by_interval, k), _get(by_qi, (r.queue, k))]
        if r.agent is not None and r.answered_at is not None:
            groups.append(_get(by_agent, r.agent))
        groups.extend(_get(by_skill, skill) for skill in dict.fromkeys(r.skills))
        for acc in groups:
            acc.add_call(r, s, now)
    queues_of = {a: tuple(dict.fromkeys(qs)) for a, qs in (agent_queues or {}).items()}
    for span in spans:
        _add_span(total, span, None, None, now)
        _add_span(_get(by_agent, span.agent_id), span, None, None, now)
        for queue in queues_of.get(span.agent_id, ()):
            _add_span(_get(by_queue, queue), span, None, None, now)
        stop = span.end if span.end is not None else now
        if stop is None:
            continue
        k = interval_start(span.start, interval_s, origin)
        while k < stop:
            _add_span(_get(by_interval, k), span, k, k + interval_s, now)
            for queue in queues_of.get(span.agent_id, ()):
                _add_span(_get(by_qi, (queue, k)), span, k, k + interval_s, now)
            k += interval_s
    return Summary(
        total=total.freeze(),
        by_queue=_frozen(by_queue),
        by_interval=_frozen(by_interval),
        by_queue_interval=_frozen(by_qi),
        by_agent=_frozen(by_agent),
        by_skill=_frozen(by_skill),
    )


def _get(groups: dict[_K, _Acc], key: _K) -> _Acc:
    acc = groups.get(key)
    if acc is None:
        acc = groups[key] = _Acc()
    return acc


def _frozen(groups: dict[_K, _Acc]) -> dict[_K, Stats]:
    return {key: groups[key].freeze() for key in sorted(groups)}


# Convenience single metrics, same definitions as Stats.


def service_level(
    records: Iterable[CallRecord], settings: MetricSettings = MetricSettings()
) -> float | None:
    """Service level of the records under ``settings`` (module formulas)."""
    return call_stats(records, settings).service_level


def asa(records: Iterable[CallRecord]) -> float | None:
    """Average speed of answer: ``sum(wait of answered) / answered``, seconds."""
    return call_stats(records).asa_s


def aht(records: Iterable[CallRecord]) -> float | None:
    """Average handling time: ``sum(talk + hold + wrap-up) / completed calls``, seconds."""
    return call_stats(records).aht_s


def average_talk(records: Iterable[CallRecord]) -> float | None:
    """Average talk time: ``sum(ended_at - answered_at - hold_s) / completed calls``."""
    return call_stats(records).avg_talk_s


def abandon_rate(records: Iterable[CallRecord], short_abandon_s: float = 0.0) -> float | None:
    """Abandon rate: ``abandoned' / (answered + abandoned' + left)``, where
    abandons shorter than ``short_abandon_s`` are dropped from both sides."""
    return call_stats(records, MetricSettings(short_abandon_s=short_abandon_s)).abandon_rate


def p_wait(records: Iterable[CallRecord], immediate_s: float = 0.0) -> float | None:
    """Fraction of answered + abandoned calls that waited:
    ``(answered with wait > immediate_s + abandoned) / (answered + abandoned)``."""
    return call_stats(records, MetricSettings(immediate_s=immediate_s)).p_wait


def longest_wait(records: Iterable[CallRecord], now: float | None = None) -> float | None:
    """Longest wait of the answered calls and, with ``now``, of the calls still waiting."""
    return call_stats(records, now=now).longest_wait_s


__all__ = [
    "AVAILABLE_STATES",
    "HANDLING_STATES",
    "AgentStateSpan",
    "CallRecord",
    "MetricSettings",
    "Outcome",
    "ServiceLevelMethod",
    "Stats",
    "Summary",
    "abandon_rate",
    "aht",
    "asa",
    "average_talk",
    "call_stats",
    "interval_start",
    "longest_wait",
    "occupancy",
    "outcome",
    "p_wait",
    "service_level",
    "summarize",
    "wait_s",
]
