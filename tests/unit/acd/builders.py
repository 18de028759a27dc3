"""Small builders shared by the routing tests."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TypeVar

from acd.effects import Effect, OfferCall, PlaceCallback
from acd.model import AgentProfile, QueueConfig, RouterSettings, SkillRequirement
from acd.router import Router


def req(skill: str, level: int = 1) -> SkillRequirement:
    return SkillRequirement(skill, level)


def queue(qid: str = "q", *skills: str | tuple[str, int], **kwargs: object) -> QueueConfig:
    reqs = tuple(req(s) if isinstance(s, str) else req(*s) for s in (skills or ("en",)))
    return QueueConfig(qid, reqs, **kwargs)  # type: ignore[arg-type]


def agent(aid: str, skills: dict[str, int] | None = None, **kwargs: object) -> AgentProfile:
    return AgentProfile(aid, skills if skills is not None else {"en": 5}, **kwargs)  # type: ignore[arg-type]


def ready_router(
    queues: Iterable[QueueConfig],
    agents: Sequence[AgentProfile],
    ready: Iterable[str] = (),
    settings: RouterSettings | None = None,
    seed: int = 0,
    at: float = 0.0,
) -> Router:
    """A router with every agent logged in and ``ready`` agents ready (in order)."""
    router = Router(queues, agents, settings, seed=seed)
    for a in agents:
        router.login(a.id, at)
    for aid in ready:
        router.set_ready(aid, at)
    return router


def offers(effects: Iterable[Effect]) -> list[tuple[str, str]]:
    """(call, agent) of every offer or callback placement, in order."""
    return [(e.call_id, e.agent_id) for e in effects if isinstance(e, (OfferCall, PlaceCallback))]


T = TypeVar("T")


def of_type(effects: Iterable[Effect], kind: type[T]) -> list[T]:
    return [e for e in effects if isinstance(e, kind)]
