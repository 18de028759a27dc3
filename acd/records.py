"""Mutable bookkeeping records of the router (internal).

The public model (``acd.model``) is frozen values; the router keeps one
mutable record per agent and per live call, and hands out snapshots.
Records are shared by the router and its indexes (``acd.pools``,
``acd.waiting``), which is why they live in their own module.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar, cast

from acd.model import (
    AgentId,
    AgentProfile,
    AgentState,
    Call,
    CallState,
    QueueConfig,
    SkillId,
)

Requirements = tuple[tuple[SkillId, int], ...]
"""Effective requirements: (skill, min level) pairs sorted by skill."""

T = TypeVar("T")


def positional_maker(cls: type[T]) -> Callable[..., T]:
    """A fast constructor for a frozen, slotted dataclass: every field, in order, positionally.

    The generated ``__init__`` of a frozen dataclass stores each field with
    ``object.__setattr__`` to get past ``frozen``. The maker is instead a
    plain twin class with the very same slots: its ``__init__`` stores
    straight into them and then makes the object a ``cls`` (the layouts are
    identical, so Python allows the ``__class__`` change). About twice as
    fast; the router and the simulator build millions of effects and
    records. The object is the same: type, equality, hash and repr. No
    defaults and no ``__post_init__``: hot paths only; give the result a
    precise ``Callable[[...], cls]`` type where it is kept.
    """
    if not dataclasses.is_dataclass(cls) or "__slots__" not in cls.__dict__ or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} is not a slotted dataclass without __post_init__")
    names = [f.name for f in dataclasses.fields(cls)]
    scope: dict[str, Any] = {"_cls": cls}
    lines = [f"def __init__(_o, {', '.join(names)}):"]
    lines += [f"    _o.{name} = {name}" for name in names]
    lines.append("    _o.__class__ = _cls")
    exec("\n".join(lines), scope)
    twin = type(f"_Make{cls.__name__}", (), {"__slots__": cls.__dict__["__slots__"], "__init__": scope["__init__"]})
    setattr(object.__new__(twin), "__class__", cls)  # raises TypeError now if the layouts differ
    return cast(Callable[..., T], twin)


class AgentRecord:
    """One agent's live state and the counters the policies read."""

    __slots__ = (
        "id",
        "profile",
        "skills",
        "skill_list",
        "performance",
        "rank",
        "state",
        "reason",
        "state_since",
        "idle_since",
        "talk_time",
        "last_offered",
        "ready_version",
        "pooled",
        "misses",
        "pending_reason",
        "call",
        "wrap_until",
        "wrap_extended",
        "wrap_token",
    )

    def __init__(self, profile: AgentProfile, rank: int) -> None:
        self.id: AgentId = profile.id
        self.profile = profile
        self.skills: dict[SkillId, int] = dict(profile.skills)
        self.skill_list: tuple[SkillId, ...] = tuple(sorted(self.skills))
        self.performance = float(profile.performance)
        self.rank = rank  # seeded tie-break, unique per agent
        self.state = AgentState.LOGGED_OUT
        self.reason: str | None = None
        self.state_since = 0.0
        self.idle_since: float | None = None
        self.talk_time = 0.0
        self.last_offered = 0
        self.ready_version = 0  # bumped on entering and leaving the ready pools
        self.pooled = False  # in the ready pools (ready and not matched at once)
        self.misses = 0
        self.pending_reason: str | None = None
        self.call: CallRecord | None = None
        self.wrap_until: float | None = None
        self.wrap_extended = 0.0
        self.wrap_token = 0

    def meets(self, reqs: Requirements) -> bool:
        """True when the agent has every skill at the required level."""
        skills = self.skills
        for skill, level in reqs:
            if skills.get(skill, 0) < level:
                return False
        return True


class CallRecord:
    """One live call (or callback request) and where it stands."""

    __slots__ = (
        "id",
        "call",
        "queue",
        "cfg",
        "state",
        "base",
        "key",
        "seq",
        "version",
        "bucket",
        "merged",
        "cap",
        "reqs",
        "step",
        "enqueued_at",
        "queue_entered_at",
        "pref",
        "pref_until",
        "excluded",
        "agent",
        "is_callback",
        "epoch",
        "offer_token",
        "answered_at",
        "hops",
    )

    def __init__(self, call: Call, cfg: QueueConfig, now: float) -> None:
        self.id = call.id
        self.call = call
        self.queue = cfg.id
        self.cfg = cfg
        self.state = CallState.WAITING
        self.base = 0.0
        self.key = 0.0  # aging*enqueued_at - base: smaller is served first
        self.seq = 0  # FIFO tie-break; negative when put back at the head
        self.version = 0  # bumped whenever the call enters or leaves a bucket
        self.bucket: object | None = None
        self.merged: dict[SkillId, int] = {}
        self.cap: int | None = None
        self.reqs: Requirements = ()
        self.step = 0
        self.enqueued_at = now
        self.queue_entered_at = now
        self.pref: AgentId | None = None
        self.pref_until = 0.0
        self.excluded: set[AgentId] | None = None
        self.agent: AgentRecord | None = None
        self.is_callback = False
        self.epoch = 0  # invalidates the call's pending due-timer
        self.offer_token = 0  # invalidates the ring timer of an older offer
        self.answered_at = 0.0
        self.hops = 0
