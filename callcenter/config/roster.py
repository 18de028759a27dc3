"""Agents and shift templates for rostering, from YAML (see docs/rostering.md).

The models validate the files (errors carry file and line through
``callcenter.config.loader.validate``) and convert to the plain rule
dataclasses of ``wfm.roster``, which know nothing of YAML or pydantic.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from callcenter.config.loader import load_yaml, validate
from wfm.roster import (
    DEFAULT_BREAKS,
    DEFAULT_CONTRACT,
    Agent,
    BreakCap,
    BreakRule,
    Contract,
    PreferredDayOff,
    PreferredShift,
    RuleError,
    ShiftTemplate,
    Unavailability,
)
from wfm.roster.rules import WEEKDAY_NAMES, Preference

_DAYS = {name.lower(): i for i, name in enumerate(WEEKDAY_NAMES)}


def _clock(value: Any) -> dt.time:
    # YAML 1.1 reads an unquoted 07:30 as the sexagesimal integer 450: minutes after midnight.
    if isinstance(value, bool):
        raise ValueError("expected a time HH:MM")
    if isinstance(value, int):
        if not 0 <= value < 24 * 60:
            raise ValueError(f"time {value} is out of range")
        return dt.time(value // 60, value % 60)
    if isinstance(value, dt.time):
        return value
    if isinstance(value, str):
        try:
            return dt.time.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"expected a time HH:MM, got {value!r}")


def _weekday(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    if isinstance(value, str) and value.strip().lower()[:3] in _DAYS:
        return _DAYS[value.strip().lower()[:3]]
    raise ValueError(f"expected a weekday (Mon..Sun or 0..6), got {value!r}")


Clock = Annotated[dt.time, BeforeValidator(_clock)]
Weekday = Annotated[int, BeforeValidator(_weekday)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ContractModel(_Model):
    """Weekly limits of a contract."""

    min_hours_week: float = Field(default=DEFAULT_CONTRACT.min_hours_week, ge=0)
    max_hours_week: float = Field(default=DEFAULT_CONTRACT.max_hours_week, ge=0)
    max_consecutive_days: int = Field(default=DEFAULT_CONTRACT.max_consecutive_days, ge=1)
    min_rest_hours: float = Field(default=DEFAULT_CONTRACT.min_rest_hours, ge=0, le=24)
    days_off_per_week: int = Field(default=DEFAULT_CONTRACT.days_off_per_week, ge=0, le=7)

    def to_rule(self, name: str) -> Contract:
        """The ``wfm.roster`` contract."""
        return Contract(name=name, **self.model_dump())


class UnavailableModel(_Model):
    """A weekday or a date the agent cannot work, whole day or ``start``-``end``."""

    weekday: Weekday | None = None
    date: dt.date | None = None
    start: Clock | None = None
    end: Clock | None = None

    @model_validator(mode="after")
    def _one_day(self) -> UnavailableModel:
        if (self.weekday is None) == (self.date is None):
            raise ValueError("give exactly one of weekday or date")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError("end must be after start")
        return self

    def to_rule(self) -> Unavailability:
        """The ``wfm.roster`` value."""
        return Unavailability(weekday=self.weekday, on=self.date, start=self.start, end=self.end)


class PreferencesModel(_Model):
    """Soft wishes: preferred shift templates and days off."""

    shifts: list[str] = Field(default_factory=list)
    days_off: list[Weekday | dt.date] = Field(default_factory=list)
    weight: int = Field(default=1, ge=1)

    def to_rules(self) -> tuple[Preference, ...]:
        """The ``wfm.roster`` preferences."""
        out: list[Preference] = [PreferredShift(name, self.weight) for name in self.shifts]
        for day in self.days_off:
            if isinstance(day, dt.date):
                out.append(PreferredDayOff(on=day, weight=self.weight))
            else:
                out.append(PreferredDayOff(weekday=day, weight=self.weight))
        return tuple(out)


class AgentModel(_Model):
    """One agent."""

    id: str = Field(min_length=1)
    skills: dict[str, int] = Field(min_length=1)
    contract: str | None = None
    unavailable: list[UnavailableModel] = Field(default_factory=list)
    preferences: PreferencesModel = PreferencesModel()

    @field_validator("skills")
    @classmethod
    def _levels(cls, value: dict[str, int]) -> dict[str, int]:
        for skill, level in value.items():
            if not 1 <= level <= 10:
                raise ValueError(f"skill {skill!r}: level must be 1..10")
        return value


class AgentsFile(_Model):
    """``agents.yaml``: named contracts and the agents."""

    contracts: dict[str, ContractModel] = Field(default_factory=dict)
    default_contract: str | None = None
    agents: list[AgentModel] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> AgentsFile:
        names = set(self.contracts)
        if self.default_contract is not None and self.default_contract not in names:
            raise ValueError(f"default_contract {self.default_contract!r} is not among contracts")
        seen: set[str] = set()
        for agent in self.agents:
            if agent.contract is not None and agent.contract not in names:
                raise ValueError(f"agent {agent.id!r}: unknown contract {agent.contract!r}")
            if agent.id in seen:
                raise ValueError(f"agent id {agent.id!r} is used twice")
            seen.add(agent.id)
        return self

    def to_agents(self) -> tuple[Agent, ...]:
        """The ``wfm.roster`` agents."""
        contracts = {name: c.to_rule(name) for name, c in self.contracts.items()}
        fallback = contracts[self.default_contract] if self.default_contract else DEFAULT_CONTRACT
        return tuple(
            Agent(
                agent_id=a.id,
                skills=MappingProxyType(dict(a.skills)),
                contract=contracts[a.contract] if a.contract else fallback,
                unavailable=tuple(u.to_rule() for u in a.unavailable),
                preferences=a.preferences.to_rules(),
            )
            for a in self.agents
        )


class BreakModel(_Model):
    """A break: ``minutes`` long, inside ``window_min`` (minutes after shift start)."""

    name: str = "break"
    minutes: int = Field(gt=0)
    window_min: tuple[int, int]
    paid: bool = True
    max_offsets: int = Field(default=3, ge=1)

    def to_rule(self) -> BreakRule:
        """The ``wfm.roster`` break rule."""
        return BreakRule(self.name, self.minutes, self.window_min[0], self.window_min[1], self.paid, self.max_offsets)


class TemplateModel(_Model):
    """A shift template."""

    name: str = Field(min_length=1)
    starts: list[Clock] = Field(min_length=1)
    length_min: int = Field(gt=0, lt=24 * 60)
    weekdays: list[Weekday] = Field(default_factory=lambda: list(range(7)))
    cost_per_hour: float = Field(default=1.0, ge=0)
    breaks: list[BreakModel] | None = None

    def to_rule(self) -> ShiftTemplate:
        """The ``wfm.roster`` template; without ``breaks`` the default breaks if they fit."""
        breaks: tuple[BreakRule, ...]
        if self.breaks is None:
            fits = all(rule.window_end <= self.length_min for rule in DEFAULT_BREAKS)
            breaks = DEFAULT_BREAKS if fits else ()
        else:
            breaks = tuple(b.to_rule() for b in self.breaks)
        return ShiftTemplate(
            self.name, tuple(self.starts), self.length_min, frozenset(self.weekdays), self.cost_per_hour, breaks
        )


class ShiftsFile(_Model):
    """``shifts.yaml``: templates and the break cap."""

    break_cap: int | None = Field(default=None, ge=0)
    templates: list[TemplateModel] = Field(min_length=1)


def load_agents(path: Path | str) -> tuple[Agent, ...]:
    """Read ``agents.yaml`` into roster agents.

    Raises:
        callcenter.config.loader.ConfigError: ``file:line: what is wrong``.
    """
    loaded = load_yaml(path)
    model = validate(AgentsFile, loaded)
    try:
        return model.to_agents()
    except RuleError as exc:
        raise loaded.error(("agents",), str(exc)) from None


def load_shifts(path: Path | str) -> tuple[tuple[ShiftTemplate, ...], BreakCap | None]:
    """Read ``shifts.yaml`` into templates and the optional break cap.

    Raises:
        callcenter.config.loader.ConfigError: ``file:line: what is wrong``.
    """
    loaded = load_yaml(path)
    model = validate(ShiftsFile, loaded)
    templates = []
    for index, template in enumerate(model.templates):
        try:
            templates.append(template.to_rule())
        except RuleError as exc:
            raise loaded.error(("templates", index), str(exc)) from None
    cap = BreakCap(model.break_cap) if model.break_cap is not None else None
    return tuple(templates), cap
