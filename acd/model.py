"""Domain model of the routing core: skills, queues, agents, calls.

Everything here is plain data. Time is a float of seconds on whatever clock
the caller injects (virtual in the simulator, wall time in the service).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

AgentId = str
QueueId = str
CallId = str
SkillId = str

MIN_LEVEL = 1
MAX_LEVEL = 10
NO_ANSWER_REASON = "no-answer"
DEFAULT_NOT_READY_REASONS = ("break", "lunch", "training", "meeting", NO_ANSWER_REASON)
TIER_NAMES = {1: "A1", 2: "A2", 3: "A3", 4: "A4", 5: "A5"}


class AgentState(str, Enum):
    """Where an agent is; every change is an event with a timestamp."""

    LOGGED_OUT = "logged_out"
    READY = "ready"
    RESERVED = "reserved"  # a call is offered and ringing
    BUSY = "busy"  # talking
    HELD = "held"  # on a call, caller on hold
    WRAP_UP = "wrap_up"  # after-call work, timed, extendable
    NOT_READY = "not_ready"  # with a reason code


@dataclass(frozen=True, slots=True)
class SkillRequirement:
    """A skill a queue (or a call) needs, at a minimum proficiency level 1-10."""

    skill: SkillId
    min_level: int = MIN_LEVEL


class OverflowKind(str, Enum):
    QUEUE = "queue"
    VOICEMAIL = "voicemail"
    CALLBACK = "callback"


@dataclass(frozen=True, slots=True)
class OverflowAction:
    """Where a call goes when a queue gives up on it."""

    kind: OverflowKind
    target: QueueId | None = None  # the queue, for OverflowKind.QUEUE


@dataclass(frozen=True, slots=True)
class RelaxationStep:
    """One ring of the bullseye: after ``after_s`` seconds of waiting in the
    queue, accept agents whose level in each required skill is at least
    ``min_level`` (1 = any level), and/or overflow the call.
    """

    after_s: float
    min_level: int | None = None
    overflow: OverflowAction | None = None


class SelectionPolicy(str, Enum):
    """How a queue picks among several eligible ready agents."""

    LONGEST_IDLE = "longest_idle"
    LEAST_OCCUPIED = "least_occupied"  # least talk time today
    BEST_SKILL = "best_skill"  # highest level in the queue's skills
    ROUND_ROBIN = "round_robin"
    PERFORMANCE = "performance"  # highest performance score
    VALUE_BASED = "value_based"  # most valuable calls to best-rated agents


@dataclass(frozen=True, slots=True)
class ServiceLevelTarget:
    """E.g. 80 % of calls answered within 20 s."""

    target: float = 0.8
    threshold_s: float = 20.0


@dataclass(frozen=True, slots=True)
class QueueConfig:
    id: QueueId
    requirements: tuple[SkillRequirement, ...]
    name: str = ""
    policy: SelectionPolicy = SelectionPolicy.LONGEST_IDLE
    priority: int = 0
    service_level: ServiceLevelTarget = field(default_factory=ServiceLevelTarget)
    max_wait_s: float | None = None
    on_max_wait: OverflowAction | None = None
    max_length: int | None = None
    on_max_length: OverflowAction | None = None
    relaxation: tuple[RelaxationStep, ...] = ()
    wrap_up_s: float = 30.0


@dataclass(frozen=True, slots=True)
class AgentProfile:
    id: AgentId
    skills: Mapping[SkillId, int]
    name: str = ""
    team: str = ""
    performance: float = 0.5  # rating 0..1 (QA score), used by two policies


@dataclass(frozen=True, slots=True)
class Call:
    """A call as the router sees it.

    ``tier`` is the customer value tier, 1 (A1, most valuable) to 5 (A5),
    shaped like the bank table of the seed digest. ``preferred_agent`` is the
    customer's dedicated account agent or the last agent who served them; the
    router holds out ``preferred_wait_s`` seconds for that agent before
    offering the call to anyone else.
    """

    id: CallId
    queue: QueueId
    arrived_at: float
    customer_id: str | None = None
    tier: int = 3
    clv: float = 0.0
    priority: int = 0
    required_skills: tuple[SkillRequirement, ...] = ()
    preferred_agent: AgentId | None = None
    preferred_wait_s: float = 0.0


def default_tier_bonus() -> dict[int, float]:
    return {1: 60.0, 2: 30.0, 3: 10.0, 4: 0.0, 5: 0.0}


@dataclass(frozen=True, slots=True)
class RouterSettings:
    """Settings shared by all queues.

    Effective priority of a waiting call at time ``now``::

        queue.priority + call.priority + tier_bonus[call.tier]
            + aging_per_s * (now - enqueued_at)

    Priority points are "seconds of waiting" when ``aging_per_s`` is 1.
    """

    aging_per_s: float = 1.0
    tier_bonus: Mapping[int, float] = field(default_factory=default_tier_bonus)
    ring_timeout_s: float = 15.0  # RONA: offer unanswered this long
    rona_misses: int = 1  # consecutive misses before not-ready(no-answer)
    not_ready_reasons: tuple[str, ...] = DEFAULT_NOT_READY_REASONS
    max_wrap_up_extension_s: float = 300.0
    # an agent who missed a call is skipped for it this long, then may be
    # offered it again (None: never again; a lone eligible agent would then
    # leave the call waiting until the caller gives up)
    retry_missed_agent_after_s: float | None = 60.0
    # value-based pairing: a call is "high value" when its tier is at most
    # value_top_tier, or its CLV reaches value_clv_threshold (when set)
    value_top_tier: int = 2
    value_clv_threshold: float | None = None


class CallState(str, Enum):
    """Where a call is inside the router (ended calls are forgotten)."""

    WAITING = "waiting"  # in a queue, or a callback request keeping its place
    OFFERED = "offered"  # an agent is reserved and ringing
    TALKING = "talking"
    HELD = "held"


@dataclass(frozen=True, slots=True)
class AgentSnapshot:
    """What the router knows about an agent at one moment (a query result)."""

    id: AgentId
    state: AgentState
    reason: str | None
    skills: Mapping[SkillId, int]
    team: str
    performance: float
    state_since: float
    idle_since: float | None  # when the agent last became ready
    talk_time_s: float  # talk (and hold) time since the last daily reset
    last_offered: int  # round-robin order of the last offer; 0 = never
    consecutive_misses: int
    pending_reason: str | None  # not-ready requested during a call
    call_id: CallId | None
    wrap_up_until: float | None


@dataclass(frozen=True, slots=True)
class CallSnapshot:
    """What the router knows about a call at one moment (a query result).

    ``requirements`` are the effective ones at the current relaxation step
    (queue's plus call's, levels capped by the step); ``preferred_hold`` is
    the only agent allowed to take the call while its preferred-agent window
    is open; ``excluded`` are agents who missed an offer of this call.
    """

    call: Call
    queue_id: QueueId
    state: CallState
    requirements: tuple[SkillRequirement, ...]
    step: int
    preferred_hold: AgentId | None
    excluded: frozenset[AgentId]
    agent_id: AgentId | None
    enqueued_at: float
    queue_entered_at: float
    is_callback: bool
    base_priority: float
