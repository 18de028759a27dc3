"""Simulated traffic: ``traffic.yaml`` of a config folder.

Who calls which queue and when (expected calls per interval: a daily volume
spread by an intraday profile, or explicit counts), how long calls take,
how patient callers are, the customer population in value tiers, and how
agents behave on offers (ring delay, missed offers). Validated with file and
line in every error, then turned into ``simulation.model.Traffic``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from callcenter.config.center import load_center
from callcenter.config.loader import ConfigError, LoadedYaml, load_yaml, validate
from simulation.center import Scenario
from simulation.errors import RosterError
from simulation.model import (
    Distribution,
    DistKind,
    Population,
    QueueTraffic,
    TierSpec,
    Traffic,
    bank_tiers,
)
from simulation.roster import load_roster, parse_hhmm

TRAFFIC_FILE = "traffic.yaml"
TIER_NAMES = ("A1", "A2", "A3", "A4", "A5")
TierName = Literal["A1", "A2", "A3", "A4", "A5"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Dist(_Model):
    """A random duration: ``{dist: exponential|lognormal|fixed, mean_s, cv}``."""

    dist: Literal["exponential", "lognormal", "fixed"]
    mean_s: float = Field(ge=0)
    cv: float = Field(default=1.0, gt=0)

    def to_sim(self) -> Distribution:
        kind = DistKind(self.dist)
        return Distribution(kind, self.mean_s, 0.0 if kind is DistKind.FIXED else self.cv)


class QueueTrafficModel(_Model):
    """One queue: ``calls`` per interval, or ``calls_per_day`` with a ``profile``."""

    calls_per_day: float | None = Field(default=None, ge=0)
    profile: str | list[float] | None = None
    calls: list[float] | None = None
    handle_time: Dist
    patience: Dist | Literal["none"] | None = None
    extra_skills: dict[str, float] = {}
    tiers: list[TierName] | None = None

    @field_validator("extra_skills")
    @classmethod
    def _shares(cls, shares: dict[str, float]) -> dict[str, float]:
        for skill, share in shares.items():
            if not 0 <= share <= 1:
                raise ValueError(f"share of {skill!r} must be 0-1, got {share}")
        return shares

    @model_validator(mode="after")
    def _volume(self) -> QueueTrafficModel:
        if self.calls is not None:
            if self.calls_per_day is not None or self.profile is not None:
                raise ValueError("give either calls (per interval) or calls_per_day with profile, not both")
            if any(c < 0 for c in self.calls):
                raise ValueError("calls per interval must be >= 0")
        elif self.calls_per_day is None or self.profile is None:
            raise ValueError("give calls (per interval) or calls_per_day with profile")
        return self


class Tier(_Model):
    share: float = Field(ge=0, le=1)
    clv: float
    call_weight: float = Field(default=1.0, gt=0)
    dedicated_share: float = Field(default=0.0, ge=0, le=1)


class PopulationModel(_Model):
    customers: int = Field(default=20000, ge=1)
    preferred_wait_s: float = Field(default=20.0, ge=0)
    remember_last_agent: bool = True
    dedicated_skill: str | None = None
    tiers: dict[TierName, Tier] | None = None

    def to_sim(self) -> Population:
        if self.tiers is None:
            tiers = bank_tiers()
        else:
            tiers = tuple(
                TierSpec(TIER_NAMES.index(name) + 1, t.share, t.clv, t.call_weight, t.dedicated_share)
                for name, t in self.tiers.items()
            )
        return Population(
            customers=self.customers,
            tiers=tiers,
            preferred_wait_s=self.preferred_wait_s,
            remember_last_agent=self.remember_last_agent,
            dedicated_skill=self.dedicated_skill,
        )


class Day(_Model):
    start: str = "08:00"
    interval_min: int = Field(default=30, gt=0, le=1440)

    @field_validator("start")
    @classmethod
    def _clock(cls, text: str) -> str:
        parse_hhmm(text)
        return text


class TrafficFile(_Model):
    """The whole of ``traffic.yaml``."""

    day: Day = Day()
    profiles: dict[str, list[float]] = {}
    queues: dict[str, QueueTrafficModel] = Field(min_length=1)
    population: PopulationModel | None = PopulationModel()
    ring_delay: Dist | None = None
    callback_ring_delay: Dist | None = None
    no_answer_probability: float = Field(default=0.0, ge=0, lt=1)
    rona_return_s: float = Field(default=60.0, ge=0)

    @field_validator("profiles")
    @classmethod
    def _weights(cls, profiles: dict[str, list[float]]) -> dict[str, list[float]]:
        for name, weights in profiles.items():
            if not weights or any(w < 0 for w in weights) or sum(weights) <= 0:
                raise ValueError(f"profile {name!r} needs weights >= 0 with a positive sum")
        return profiles


def _calls(queue: QueueTrafficModel, profiles: dict[str, list[float]]) -> tuple[float, ...]:
    if queue.calls is not None:
        return tuple(queue.calls)
    assert queue.calls_per_day is not None and queue.profile is not None
    weights = profiles[queue.profile] if isinstance(queue.profile, str) else queue.profile
    total = sum(weights)
    return tuple(queue.calls_per_day * w / total for w in weights)


def to_traffic(model: TrafficFile, loaded: LoadedYaml | None = None) -> Traffic:
    """Turn a validated traffic file into the simulator's ``Traffic``.

    Raises:
        ConfigError: a queue names a profile that does not exist, or gives an
            explicit profile whose weights do not add up to more than 0.
    """
    for qid, queue in model.queues.items():
        where = ("queues", qid, "profile")
        if isinstance(queue.profile, str) and queue.profile not in model.profiles:
            known = ", ".join(sorted(model.profiles)) or "none defined"
            raise _error(loaded, where, f"queues.{qid}.profile: unknown profile {queue.profile!r}; known: {known}")
        if isinstance(queue.profile, list) and (sum(queue.profile) <= 0 or min(queue.profile) < 0):
            raise _error(loaded, where, f"queues.{qid}.profile: weights must be >= 0 with a positive sum")
    queues = tuple(
        QueueTraffic(
            queue_id=qid,
            calls=_calls(q, model.profiles),
            handle_time=q.handle_time.to_sim(),
            patience=q.patience.to_sim() if isinstance(q.patience, Dist) else None,
            extra_skills=dict(q.extra_skills),
            tiers=tuple(TIER_NAMES.index(t) + 1 for t in q.tiers) if q.tiers else None,
        )
        for qid, q in model.queues.items()
    )
    return Traffic(
        queues=queues,
        start_s=float(parse_hhmm(model.day.start)),
        interval_s=model.day.interval_min * 60.0,
        population=model.population.to_sim() if model.population else None,
        ring_delay=model.ring_delay.to_sim() if model.ring_delay else None,
        callback_ring_delay=model.callback_ring_delay.to_sim() if model.callback_ring_delay else None,
        no_answer_probability=model.no_answer_probability,
        rona_return_s=model.rona_return_s,
    )


def _error(loaded: LoadedYaml | None, loc: tuple[str | int, ...], message: str) -> ConfigError:
    if loaded is None:
        return ConfigError(TRAFFIC_FILE, None, message)
    return loaded.error(loc, message)


def traffic_file(path: Path | str) -> Path:
    """A config folder means its ``traffic.yaml``; a file is itself."""
    path = Path(path)
    return path / TRAFFIC_FILE if path.is_dir() else path


def load_traffic(path: Path | str, known_queues: list[str] | None = None, known_skills: list[str] | None = None) -> Traffic:
    """Load and check ``traffic.yaml`` (a config folder or the file itself).

    Args:
        path: the folder or file.
        known_queues: when given, every traffic queue must be one of them.
        known_skills: when given, every extra skill must be one of them.

    Raises:
        ConfigError: naming the file, the line and what is wrong.
    """
    loaded = load_yaml(traffic_file(path))
    if not isinstance(loaded.data, dict):
        raise ConfigError(loaded.file, 1, "traffic must be a mapping (day:, queues:, population: ...)")
    model = validate(TrafficFile, loaded)
    for qid, queue in model.queues.items():
        if known_queues is not None and qid not in known_queues:
            raise loaded.error(("queues", qid), f"queues.{qid}: not a queue of the center; known: {', '.join(known_queues)}")
        for skill in queue.extra_skills:
            if known_skills is not None and skill not in known_skills:
                raise loaded.error(
                    ("queues", qid, "extra_skills", skill),
                    f"queues.{qid}.extra_skills: unknown skill {skill!r}; known: {', '.join(known_skills)}",
                )
    pop = model.population
    if pop is not None and pop.dedicated_skill and known_skills is not None and pop.dedicated_skill not in known_skills:
        raise loaded.error(("population", "dedicated_skill"), f"population.dedicated_skill: unknown skill {pop.dedicated_skill!r}")
    return to_traffic(model, loaded)


ROSTER_FILE = "roster.csv"


def load_scenario(config_dir: Path | str, roster: Path | str | None = None) -> Scenario:
    """The center, its traffic and a roster, ready to simulate.

    Args:
        config_dir: a config folder with ``center.yaml``, ``traffic.yaml``
            and (unless ``roster`` is given) ``roster.csv``.
        roster: another roster file to use.

    Raises:
        ConfigError: naming the file, the line and what is wrong (roster
            errors included).
    """
    folder = Path(config_dir)
    if not folder.is_dir():
        raise ConfigError(folder, None, "not a config folder (expected center.yaml, traffic.yaml, roster.csv in it)")
    center = load_center(folder)
    queues, agents, settings = center.to_acd()
    traffic = load_traffic(folder, [q.id for q in queues], [s.id for s in center.skills])
    try:
        shifts = load_roster(roster if roster is not None else folder / ROSTER_FILE)
    except RosterError as exc:
        raise ConfigError(exc.file, exc.line, exc.message) from None
    known = {a.id for a in agents} | set(shifts.agent_skills())
    for shift in shifts.shifts:
        if shift.agent_id not in known:
            raise ConfigError(
                roster or folder / ROSTER_FILE, None, f"agent {shift.agent_id!r} is not in the center and has no skills column"
            )
    return Scenario(tuple(queues), tuple(agents), settings, traffic, shifts)
