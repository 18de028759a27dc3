"""The center definition: skills, queues, agents, reasons, dispositions.

Loaded from ``center.yaml`` (in a config folder, or a file given directly;
it may ``include:`` other files), validated into typed, frozen models, and
converted into the routing core's values with ``to_acd()``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from acd.model import (
    MAX_LEVEL,
    MIN_LEVEL,
    NO_ANSWER_REASON,
    AgentProfile,
    OverflowAction,
    OverflowKind,
    QueueConfig,
    RelaxationStep,
    RouterSettings,
    SelectionPolicy,
    ServiceLevelTarget,
    SkillRequirement,
)
from callcenter.config.loader import ConfigError, LoadedYaml, load_yaml, validate
from callcenter.crm.external import template_problem, url_problem

CENTER_FILE = "center.yaml"
TIERS = ("A1", "A2", "A3", "A4", "A5")
Level = Field(ge=MIN_LEVEL, le=MAX_LEVEL)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Skill(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    name: str = ""


class Overflow(_Model):
    """Where a call goes when a queue gives up: ``queue`` (with ``target``),
    ``voicemail`` or ``callback``."""

    action: Literal["queue", "voicemail", "callback"]
    target: str | None = None

    def to_acd(self) -> OverflowAction:
        return OverflowAction(kind=OverflowKind(self.action), target=self.target)


class Relaxation(_Model):
    after_s: float = Field(gt=0)
    min_level: int | None = Field(default=None, ge=MIN_LEVEL, le=MAX_LEVEL)
    overflow: Overflow | None = None


class ServiceLevel(_Model):
    target: float = Field(default=0.8, gt=0, le=1)
    within_s: float = Field(default=20.0, gt=0)


class CrmPop(_Model):
    """An external CRM for this queue's screen pops.

    ``url``: a link shown with the pop, fields in braces (see
    ``callcenter.crm.external.POP_FIELDS``); ``webhook``: where the pop is
    POSTed as JSON when the call is offered.
    """

    url: str | None = None
    webhook: str | None = None

    @field_validator("url")
    @classmethod
    def _template(cls, url: str | None) -> str | None:
        if url is not None and (problem := template_problem(url)) is not None:
            raise ValueError(f"url template {problem}")
        return url

    @field_validator("webhook")
    @classmethod
    def _webhook(cls, url: str | None) -> str | None:
        if url is not None and (problem := url_problem(url)) is not None:
            raise ValueError(f"webhook {problem}")
        return url


class Queue(_Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    name: str = ""
    skills: dict[str, int] = Field(min_length=1, description="required skill -> minimum level")
    policy: SelectionPolicy = SelectionPolicy.LONGEST_IDLE
    priority: int = 0
    service_level: ServiceLevel = ServiceLevel()
    max_wait_s: float | None = Field(default=None, gt=0)
    on_max_wait: Overflow | None = None
    max_length: int | None = Field(default=None, ge=1)
    on_max_length: Overflow | None = None
    relaxation: list[Relaxation] = []
    wrap_up_s: float = Field(default=30.0, ge=0)
    crm_pop: CrmPop | None = None

    @field_validator("skills")
    @classmethod
    def _levels(cls, skills: dict[str, int]) -> dict[str, int]:
        for skill, level in skills.items():
            if not MIN_LEVEL <= level <= MAX_LEVEL:
                raise ValueError(f"level of {skill!r} must be {MIN_LEVEL}-{MAX_LEVEL}, got {level}")
        return skills

    @field_validator("relaxation")
    @classmethod
    def _increasing(cls, steps: list[Relaxation]) -> list[Relaxation]:
        times = [s.after_s for s in steps]
        if times != sorted(set(times)):
            raise ValueError("relaxation steps must have strictly increasing after_s")
        return steps


class Agent(_Model):
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = ""
    team: str = ""
    skills: dict[str, int] = Field(min_length=1, description="skill -> level 1-10")
    performance: float = Field(default=0.5, ge=0, le=1)
    extension: str | None = None

    @field_validator("skills")
    @classmethod
    def _levels(cls, skills: dict[str, int]) -> dict[str, int]:
        return Queue._levels(skills)


class Disposition(_Model):
    code: str
    name: str = ""


class Routing(_Model):
    aging_per_s: float = Field(default=1.0, gt=0)
    tier_bonus: dict[Literal["A1", "A2", "A3", "A4", "A5"], float] = {
        "A1": 60.0,
        "A2": 30.0,
        "A3": 10.0,
        "A4": 0.0,
        "A5": 0.0,
    }
    ring_timeout_s: float = Field(default=15.0, gt=0)
    rona_misses: int = Field(default=1, ge=1)
    max_wrap_up_extension_s: float = Field(default=300.0, ge=0)


class CenterInfo(_Model):
    name: str = "Contact center"
    timezone: str = "UTC"


class CenterConfig(_Model):
    center: CenterInfo = CenterInfo()
    skills: list[Skill] = Field(min_length=1)
    queues: list[Queue] = Field(min_length=1)
    agents: list[Agent] = []
    not_ready_reasons: list[str] = ["break", "lunch", "training", "meeting", NO_ANSWER_REASON]
    dispositions: list[Disposition] = []
    routing: Routing = Routing()

    def to_acd(self) -> tuple[list[QueueConfig], list[AgentProfile], RouterSettings]:
        """The routing core's queues, agent profiles and settings."""
        queues = [_queue_to_acd(q) for q in self.queues]
        agents = [
            AgentProfile(id=a.id, skills=dict(a.skills), name=a.name, team=a.team, performance=a.performance)
            for a in self.agents
        ]
        tiers = {TIERS.index(name) + 1: bonus for name, bonus in self.routing.tier_bonus.items()}
        settings = RouterSettings(
            aging_per_s=self.routing.aging_per_s,
            tier_bonus={**RouterSettings().tier_bonus, **tiers},
            ring_timeout_s=self.routing.ring_timeout_s,
            rona_misses=self.routing.rona_misses,
            not_ready_reasons=tuple(self.not_ready_reasons),
            max_wrap_up_extension_s=self.routing.max_wrap_up_extension_s,
        )
        return queues, agents, settings


def _queue_to_acd(q: Queue) -> QueueConfig:
    return QueueConfig(
        id=q.id,
        name=q.name or q.id,
        requirements=tuple(SkillRequirement(s, level) for s, level in q.skills.items()),
        policy=q.policy,
        priority=q.priority,
        service_level=ServiceLevelTarget(target=q.service_level.target, threshold_s=q.service_level.within_s),
        max_wait_s=q.max_wait_s,
        on_max_wait=q.on_max_wait.to_acd() if q.on_max_wait else None,
        max_length=q.max_length,
        on_max_length=q.on_max_length.to_acd() if q.on_max_length else None,
        relaxation=tuple(
            RelaxationStep(after_s=r.after_s, min_level=r.min_level, overflow=r.overflow.to_acd() if r.overflow else None)
            for r in q.relaxation
        ),
        wrap_up_s=q.wrap_up_s,
    )


def center_file(path: Path | str) -> Path:
    """A config folder means its ``center.yaml``; a file is itself."""
    path = Path(path)
    return path / CENTER_FILE if path.is_dir() else path


def load_center(path: Path | str) -> CenterConfig:
    """Load and check a center definition.

    Raises:
        ConfigError: naming the file, the line and what is wrong.
    """
    loaded = load_yaml(center_file(path))
    if not isinstance(loaded.data, dict):
        raise ConfigError(loaded.file, 1, "the center definition must be a mapping (skills:, queues:, agents: ...)")
    config = validate(CenterConfig, loaded)
    _check_references(config, loaded)
    return config


def _duplicates(loaded: LoadedYaml, section: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for index, ident in enumerate(ids):
        if ident in seen:
            raise loaded.error((section, index, "id"), f"{section}[{index}]: duplicate id {ident!r}")
        seen.add(ident)


def _check_references(config: CenterConfig, loaded: LoadedYaml) -> None:
    """Cross-references pydantic cannot see: ids exist, no duplicates."""
    _duplicates(loaded, "skills", [s.id for s in config.skills])
    _duplicates(loaded, "queues", [q.id for q in config.queues])
    _duplicates(loaded, "agents", [a.id for a in config.agents])
    skills = {s.id for s in config.skills}
    queues = {q.id for q in config.queues}
    known = ", ".join(sorted(skills))

    def check_overflow(overflow: Overflow | None, loc: tuple[str | int, ...]) -> None:
        if overflow is None:
            return
        if overflow.action == "queue" and overflow.target not in queues:
            raise loaded.error(
                loc, f"overflow to unknown queue {overflow.target!r}; known queues: {', '.join(sorted(queues))}"
            )

    for qi, queue in enumerate(config.queues):
        for skill in queue.skills:
            if skill not in skills:
                raise loaded.error(
                    ("queues", qi, "skills", skill), f"queue {queue.id!r} needs unknown skill {skill!r}; known: {known}"
                )
        check_overflow(queue.on_max_wait, ("queues", qi, "on_max_wait"))
        check_overflow(queue.on_max_length, ("queues", qi, "on_max_length"))
        for ri, step in enumerate(queue.relaxation):
            check_overflow(step.overflow, ("queues", qi, "relaxation", ri))
    for ai, agent in enumerate(config.agents):
        for skill in agent.skills:
            if skill not in skills:
                raise loaded.error(
                    ("agents", ai, "skills", skill), f"agent {agent.id!r} has unknown skill {skill!r}; known: {known}"
                )
    if NO_ANSWER_REASON not in config.not_ready_reasons:
        raise loaded.error(("not_ready_reasons",), f"not_ready_reasons must include {NO_ANSWER_REASON!r} (used by RONA)")
