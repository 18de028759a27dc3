"""What a simulation is made of, as plain values.

Times are seconds on the simulation clock: second 0 is midnight of the first
simulated day. Rates and counts are per interval of ``interval_s`` seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from acd.model import AgentId, QueueId, SkillId


class DistKind(str, Enum):
    """Shapes of the random durations the simulator draws."""

    EXPONENTIAL = "exponential"
    LOGNORMAL = "lognormal"
    FIXED = "fixed"


@dataclass(frozen=True, slots=True)
class Distribution:
    """A positive random duration in seconds.

    ``cv`` (standard deviation over mean) is used by the lognormal only; the
    exponential has cv 1 and the fixed value cv 0.
    """

    kind: DistKind
    mean_s: float
    cv: float = 1.0

    def __post_init__(self) -> None:
        if self.mean_s < 0:
            raise ValueError(f"mean_s must be >= 0, got {self.mean_s}")
        if self.kind is DistKind.LOGNORMAL and self.cv <= 0:
            raise ValueError(f"a lognormal needs cv > 0, got {self.cv}")


def exponential(mean_s: float) -> Distribution:
    """An exponential duration with mean ``mean_s``."""
    return Distribution(DistKind.EXPONENTIAL, mean_s)


def lognormal(mean_s: float, cv: float) -> Distribution:
    """A lognormal duration with mean ``mean_s`` and coefficient of variation ``cv``."""
    return Distribution(DistKind.LOGNORMAL, mean_s, cv)


def fixed(value_s: float) -> Distribution:
    """Always ``value_s``."""
    return Distribution(DistKind.FIXED, value_s, 0.0)


@dataclass(frozen=True, slots=True)
class QueueTraffic:
    """Calls arriving at one queue.

    ``calls`` holds the expected number of calls in each interval, starting
    at ``Traffic.start_s``; arrivals are Poisson with that mean, uniform
    within the interval (a piecewise-constant rate). ``aht_s``, when given,
    sets the mean handle time per interval (the shape and cv stay those of
    ``handle_time``). ``patience`` None means callers never hang up while
    waiting. ``extra_skills`` maps a skill to the share of calls that also
    need it (e.g. a language), at level 1. ``tiers`` limits the callers to
    customers of those value tiers (None: everyone).
    """

    queue_id: QueueId
    calls: tuple[float, ...]
    handle_time: Distribution
    patience: Distribution | None = None
    extra_skills: Mapping[SkillId, float] = field(default_factory=dict)
    tiers: tuple[int, ...] | None = None
    aht_s: tuple[float, ...] | None = None


TIERS = (1, 2, 3, 4, 5)


@dataclass(frozen=True, slots=True)
class TierSpec:
    """One value tier of the customer population (1 = A1, most valuable)."""

    tier: int
    share: float  # of customers
    clv: float  # mean customer lifetime value
    call_weight: float = 1.0  # relative calling frequency of one customer
    dedicated_share: float = 0.0  # customers with a dedicated account agent


def bank_tiers() -> tuple[TierSpec, ...]:
    """The five-tier bank table of the seed digest.

    CLV is three years of the table's average monthly profit; the top tiers
    call a little more often and some have a dedicated account agent.
    """
    return (
        TierSpec(1, 0.02, 5990 * 36, call_weight=2.0, dedicated_share=0.5),
        TierSpec(2, 0.08, 1162 * 36, call_weight=1.5, dedicated_share=0.2),
        TierSpec(3, 0.17, 190 * 36),
        TierSpec(4, 0.71, -50 * 36),
        TierSpec(5, 0.02, -7617 * 36, call_weight=1.5),
    )


@dataclass(frozen=True, slots=True)
class Population:
    """Who calls: ``customers`` people in value tiers, who call again and again.

    A customer's call names a preferred agent (the dedicated account agent,
    else the last agent who served them); the router holds the call for
    that agent up to ``preferred_wait_s`` seconds. Dedicated agents are
    drawn from the agents with ``dedicated_skill`` (None: any agent).
    """

    customers: int = 20000
    tiers: tuple[TierSpec, ...] = field(default_factory=bank_tiers)
    preferred_wait_s: float = 20.0
    remember_last_agent: bool = True
    dedicated_skill: SkillId | None = None


@dataclass(frozen=True, slots=True)
class Traffic:
    """Everything about callers and agent behaviour in one simulated center.

    Args mirror ``traffic.yaml``: ``start_s`` is the start of the first
    interval, ``ring_delay`` the time an agent takes to pick up an offered
    call, ``no_answer_probability`` the chance an agent misses an offer,
    ``rona_return_s`` how long an agent set not-ready for a missed offer
    takes to come back ready. ``population`` None means anonymous callers.
    """

    queues: tuple[QueueTraffic, ...]
    start_s: float = 8 * 3600.0
    interval_s: float = 1800.0
    population: Population | None = field(default_factory=Population)
    ring_delay: Distribution | None = None
    no_answer_probability: float = 0.0
    rona_return_s: float = 60.0
    callback_ring_delay: Distribution | None = None

    @property
    def end_s(self) -> float:
        """End of the last interval of any queue."""
        n = max((len(q.calls) for q in self.queues), default=0)
        return self.start_s + n * self.interval_s


@dataclass(frozen=True, slots=True)
class Break:
    """A break in a shift: not ready for ``duration_s`` from ``start_s``."""

    start_s: float
    duration_s: float
    reason: str = "break"


@dataclass(frozen=True, slots=True)
class Shift:
    """One agent's working time: log in at ``start_s``, out at ``end_s``."""

    agent_id: AgentId
    start_s: float
    end_s: float
    breaks: tuple[Break, ...] = ()
    skills: Mapping[SkillId, int] | None = None  # None: from the center config


@dataclass(frozen=True, slots=True)
class Roster:
    """The shifts of a simulated period; ``day0`` is the ISO date of second 0."""

    shifts: tuple[Shift, ...]
    day0: str | None = None

    def agent_skills(self) -> dict[AgentId, dict[SkillId, int]]:
        """Skills the roster itself gives (from its ``skills`` column)."""
        out: dict[AgentId, dict[SkillId, int]] = {}
        for shift in self.shifts:
            if shift.skills is not None:
                out[shift.agent_id] = dict(shift.skills)
        return out
