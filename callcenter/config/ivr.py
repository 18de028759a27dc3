"""IVR flow files: YAML -> checked pydantic models -> the engine's dataclasses.

A flow file has a ``start`` node and ``nodes`` by id, each with a ``kind``;
optional ``schedules`` (business hours), ``description`` and
``self_service_only``. A ``subflow`` node names another flow, found as
``<name>.yaml`` next to the calling file; the flow's name is its file
name without ``.yaml``. Reference: docs/ivr.md.

Structure (types, ranges, unknown keys) is checked here, with file and
line; the flow graph (targets, dead ends, loops, a way to an agent) by
``ivr.validate``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date, time
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from callcenter.config.loader import ConfigError, LoadedYaml, load_yaml, validate
from ivr import model as m
from ivr.validate import Problem, validate_program

FLOW_SUFFIXES = (".yaml", ".yml")
#: Sound formats Asterisk picks by extension; a prompt file may have any.
SOUND_EXTENSIONS = ("wav", "WAV", "gsm", "ulaw", "alaw", "sln", "sln16", "g722", "g729", "mp3", "ogg")
NODE_ID = r"^[A-Za-z][A-Za-z0-9_-]*$"
VAR_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# --- prompts ---------------------------------------------------------------


class PromptModel(_Model):
    """``{file: name}`` (a sound), ``{text: ...}`` (text to speech) or both
    (the text is then the file's transcript)."""

    file: str | None = Field(default=None, min_length=1)
    text: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one(self) -> PromptModel:
        if self.file is None and self.text is None:
            raise ValueError("a prompt needs 'file:' (a sound name) or 'text:' (for text to speech)")
        return self


PromptSpec = str | PromptModel


def _prompt(spec: PromptSpec | None) -> m.Prompt | None:
    if spec is None:
        return None
    if isinstance(spec, str):
        return m.Prompt(file=spec)
    return m.Prompt(file=spec.file, text=spec.text)


def _keys_to_str(value: Any) -> Any:
    # YAML reads an unquoted key 0 as an int.
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else value


# --- nodes -----------------------------------------------------------------


class _Node(_Model):
    kind: str


class PlayModel(_Node):
    kind: Literal["play"]
    prompt: PromptSpec
    next: str | None = None


class MenuModel(_Node):
    kind: Literal["menu"]
    prompt: PromptSpec
    options: dict[str, str] = Field(description="key -> node")
    timeout: float = Field(default=5.0, gt=0, le=60)
    retries: int = Field(default=2, ge=0, le=9)
    invalid: PromptSpec | None = None
    no_input: PromptSpec | None = None
    on_failure: str | None = None
    self_service_only: bool = False

    @field_validator("options", mode="before")
    @classmethod
    def _str_keys(cls, value: Any) -> Any:
        return _keys_to_str(value)

    @field_validator("options")
    @classmethod
    def _keys(cls, options: dict[str, str]) -> dict[str, str]:
        for key in options:
            if not re.fullmatch(r"[0-9*#]{1,4}", key):
                raise ValueError(f"key {key!r}: use 1-4 of 0-9, * and # (quote '#' and '*' in YAML)")
        return options


class CollectModel(_Node):
    kind: Literal["collect"]
    prompt: PromptSpec
    var: str = Field(pattern=VAR_NAME)
    digits: int | None = Field(default=None, ge=1, le=32, description="exact length")
    min_digits: int = Field(default=1, ge=1, le=32)
    max_digits: int = Field(default=20, ge=1, le=32)
    terminator: Literal["#", "*", ""] = "#"
    timeout: float = Field(default=8.0, gt=0, le=120)
    pattern: str | None = None
    check: Literal["luhn", "mod11"] | None = None
    retries: int = Field(default=2, ge=0, le=9)
    invalid: PromptSpec | None = None
    secret: bool = False
    next: str | None = None
    on_failure: str | None = None

    @field_validator("pattern")
    @classmethod
    def _regex(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"not a regular expression: {exc}") from None
        return pattern

    @model_validator(mode="after")
    def _lengths(self) -> CollectModel:
        low, high = (self.digits, self.digits) if self.digits else (self.min_digits, self.max_digits)
        if low > high:
            raise ValueError(f"min_digits {low} is more than max_digits {high}")
        return self


class LookupModel(_Node):
    kind: Literal["lookup"]
    hook: str = Field(min_length=1)
    key: str = "${caller}"
    into: str = Field(default="customer", pattern=VAR_NAME)
    found: str | None = None
    not_found: str | None = None


class WhenModel(_Model):
    """One test: ``open: <schedule>``, ``holiday: <schedule>``,
    ``tier: [A1, A2]``, or ``var: <name>`` with ``equals``/``in``/``matches``/``set``."""

    open: str | None = None
    holiday: str | None = None
    tier: list[str] | None = None
    var: str | None = Field(default=None, pattern=VAR_NAME)
    equals: str | None = None
    in_: list[str] | None = Field(default=None, alias="in")
    matches: str | None = None
    set: bool | None = None

    @field_validator("equals", mode="before")
    @classmethod
    def _scalar(cls, value: Any) -> Any:
        return str(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value

    @field_validator("in_", mode="before")
    @classmethod
    def _scalars(cls, value: Any) -> Any:
        return [str(v) for v in value] if isinstance(value, list) else value

    @field_validator("tier")
    @classmethod
    def _tiers(cls, tiers: list[str] | None) -> list[str] | None:
        for tier in tiers or ():
            if m.tier_rank(tier) is None:
                raise ValueError(f"unknown tier {tier!r}: use A1 to A5")
        return tiers

    @model_validator(mode="after")
    def _exactly_one(self) -> WhenModel:
        kinds = [k for k in ("open", "holiday", "tier", "var") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError("give exactly one of open:, holiday:, tier:, var:")
        var_parts = (self.equals, self.in_, self.matches, self.set)
        if self.var is None and any(p is not None for p in var_parts):
            raise ValueError("equals:, in:, matches: and set: go with var:")
        if self.var is not None and all(p is None for p in var_parts):
            raise ValueError(f"var {self.var!r}: say what to test with equals:, in:, matches: or set:")
        return self

    def to_ivr(self) -> m.Test:
        if self.open is not None:
            return m.IsOpen(self.open)
        if self.holiday is not None:
            return m.IsHoliday(self.holiday)
        if self.tier is not None:
            return m.TierIn(frozenset(r for t in self.tier if (r := m.tier_rank(t)) is not None))
        assert self.var is not None
        return m.VarTest(
            var=self.var, equals=self.equals, one_of=tuple(self.in_) if self.in_ is not None else None,
            matches=self.matches, present=self.set,
        )


class RuleModel(_Model):
    when: WhenModel
    next: str


class ConditionModel(_Node):
    kind: Literal["condition"]
    rules: list[RuleModel] = Field(min_length=1)
    otherwise: str | None = Field(default=None, alias="else")


Skills = dict[str, int]


def _check_levels(skills: Skills) -> Skills:
    for skill, level in skills.items():
        if not 1 <= level <= 10:
            raise ValueError(f"level of {skill!r} must be 1-10, got {level}")
    return skills


class SetModel(_Node):
    kind: Literal["set"]
    vars: dict[str, str] = {}
    skills: Skills = {}
    priority: int | None = None
    next: str | None = None

    @field_validator("vars", mode="before")
    @classmethod
    def _values(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: v if isinstance(v, str) else str(v) for k, v in value.items()}
        return value

    @field_validator("vars")
    @classmethod
    def _names(cls, value: dict[str, str]) -> dict[str, str]:
        for name in value:
            if not re.fullmatch(VAR_NAME, name):
                raise ValueError(f"variable name {name!r}: use letters, digits and _")
        return value

    @field_validator("skills")
    @classmethod
    def _levels(cls, skills: Skills) -> Skills:
        return _check_levels(skills)


class QueueModel(_Node):
    kind: Literal["queue"]
    queue: str = Field(min_length=1)
    skills: Skills = {}
    priority: int | None = None

    @field_validator("skills")
    @classmethod
    def _levels(cls, skills: Skills) -> Skills:
        return _check_levels(skills)


class CallbackModel(_Node):
    kind: Literal["callback"]
    queue: str = Field(min_length=1)
    number: str = "${caller}"
    next: str | None = None


class VoicemailModel(_Node):
    kind: Literal["voicemail"]
    mailbox: str = Field(min_length=1)


class TransferModel(_Node):
    kind: Literal["transfer"]
    number: str = Field(min_length=1)

    @field_validator("number", mode="before")
    @classmethod
    def _quoted(cls, value: Any) -> Any:
        if isinstance(value, int):
            raise ValueError("put the number in quotes: YAML reads unquoted digits as a number (0223 becomes 147)")
        return value


class QuestionModel(_Model):
    id: str = Field(pattern=VAR_NAME)
    prompt: PromptSpec
    low: int = Field(default=1, ge=0, le=9)
    high: int = Field(default=5, ge=0, le=9)

    @model_validator(mode="after")
    def _range(self) -> QuestionModel:
        if self.low >= self.high:
            raise ValueError(f"low {self.low} must be below high {self.high}")
        return self


class SurveyModel(_Node):
    kind: Literal["survey"]
    questions: list[QuestionModel] | None = Field(default=None, min_length=1)
    timeout: float = Field(default=6.0, gt=0, le=60)
    retries: int = Field(default=1, ge=0, le=9)
    invalid: PromptSpec | None = None
    next: str | None = None


class CaseModel(_Node):
    kind: Literal["case"]
    type: str = Field(min_length=1, description="case kind, e.g. complaint")
    due_days: int | None = Field(default=None, ge=1)
    next: str | None = None


class GotoModel(_Node):
    kind: Literal["goto"]
    target: str | None = None


class SubflowModel(_Node):
    kind: Literal["subflow"]
    flow: str = Field(min_length=1)
    next: str | None = None

    @field_validator("flow")
    @classmethod
    def _stem(cls, flow: str) -> str:
        for suffix in FLOW_SUFFIXES:
            flow = flow.removesuffix(suffix)
        return flow


class ReturnModel(_Node):
    kind: Literal["return"]


class HangupModel(_Node):
    kind: Literal["hangup"]


NODE_MODELS: dict[str, type[_Node]] = {
    "play": PlayModel, "menu": MenuModel, "collect": CollectModel, "lookup": LookupModel,
    "condition": ConditionModel, "set": SetModel, "queue": QueueModel, "callback": CallbackModel,
    "voicemail": VoicemailModel, "transfer": TransferModel, "survey": SurveyModel, "case": CaseModel,
    "goto": GotoModel, "subflow": SubflowModel, "return": ReturnModel, "hangup": HangupModel,
}


# --- schedules -------------------------------------------------------------


def _clock(text: str) -> time | None:
    """``"08:30"`` -> 08:30; ``"24:00"`` -> None (midnight at the end of the day)."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if match is None:
        raise ValueError(f"time {text!r}: write HH:MM")
    hours, minutes = int(match[1]), int(match[2])
    if (hours, minutes) == (24, 0):
        return None
    if hours > 23 or minutes > 59:
        raise ValueError(f"time {text!r} does not exist")
    return time(hours, minutes)


def _ranges(text: str) -> tuple[tuple[time, time | None], ...]:
    """``"08:00-12:00, 13:00-17:30"``; ``closed`` for none."""
    if text.strip().lower() == "closed":
        return ()
    out = []
    for part in text.split(","):
        start_text, sep, end_text = part.partition("-")
        start = _clock(start_text) if sep else None
        if start is None:
            raise ValueError(f"range {part.strip()!r}: write HH:MM-HH:MM (ranges end before the next day)")
        end = _clock(end_text)
        if end is not None and end <= start:
            raise ValueError(f"range {part.strip()!r} ends before it starts; split a range over midnight in two days")
        out.append((start, end))
    return tuple(sorted(out))


def _days(spec: str) -> list[int]:
    """``mon-fri``, ``sat,sun``, ``daily``."""
    spec = spec.strip().lower()
    if spec in ("daily", "every day"):
        return list(range(7))
    out: list[int] = []
    for part in spec.split(","):
        first, sep, last = part.strip().partition("-")
        if first not in DAYS or (sep and last not in DAYS):
            raise ValueError(f"days {part.strip()!r}: use mon..sun, ranges like mon-fri, lists like sat,sun, or daily")
        a, b = DAYS.index(first), DAYS.index(last) if sep else DAYS.index(first)
        out.extend(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return out


class ScheduleModel(_Model):
    timezone: str
    hours: dict[str, str] = Field(description="days -> ranges, e.g. mon-fri: 08:00-20:00")
    holidays: list[date] = []
    special: dict[date, str] = Field(default={}, description="date -> ranges (or closed) replacing that day's hours")

    @field_validator("timezone")
    @classmethod
    def _zone(cls, name: str) -> str:
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {name!r}: use an IANA name such as Asia/Taipei") from None
        return name

    @field_validator("hours")
    @classmethod
    def _hours(cls, hours: dict[str, str]) -> dict[str, str]:
        seen: set[int] = set()
        for days, ranges in hours.items():
            for day in _days(days):
                if day in seen:
                    raise ValueError(f"{DAYS[day]} is given twice")
                seen.add(day)
            _ranges(ranges)
        return hours

    @field_validator("special")
    @classmethod
    def _special(cls, special: dict[date, str]) -> dict[date, str]:
        for ranges in special.values():
            _ranges(ranges)
        return special

    def to_ivr(self, name: str) -> m.Schedule:
        weekly = {day: _ranges(ranges) for days, ranges in self.hours.items() for day in _days(days)}
        return m.Schedule(
            name=name, timezone=self.timezone, weekly=weekly, holidays=frozenset(self.holidays),
            special={day: _ranges(ranges) for day, ranges in self.special.items()},
        )


# --- a flow file -----------------------------------------------------------


class FlowFileModel(_Model):
    description: str = ""
    start: str
    self_service_only: bool = False
    schedules: dict[str, ScheduleModel] = {}
    nodes: dict[str, dict[str, Any]] = Field(min_length=1)

    @field_validator("nodes")
    @classmethod
    def _ids(cls, nodes: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
        for node_id in nodes:
            if not re.fullmatch(NODE_ID, str(node_id)):
                raise ValueError(f"node id {node_id!r}: start with a letter; then letters, digits, _ and -")
        return nodes


def load_flow(path: Path | str) -> m.Flow:
    """Load one flow file (its ``include:`` files too).

    Raises:
        ConfigError: naming the file, the line and what is wrong.
    """
    loaded = load_yaml(path)
    if not isinstance(loaded.data, dict):
        raise ConfigError(loaded.file, 1, "a flow file is a mapping: start:, nodes: (and schedules:)")
    spec = validate(FlowFileModel, loaded)
    nodes = {node_id: _node(loaded, node_id, raw) for node_id, raw in spec.nodes.items()}
    return m.Flow(
        name=flow_name(loaded.file),
        start=spec.start,
        nodes=nodes,
        file=str(loaded.file),
        line=loaded.where(("start",))[1],
        schedules={name: s.to_ivr(name) for name, s in spec.schedules.items()},
        self_service_only=spec.self_service_only,
        description=spec.description,
    )


def flow_name(path: Path) -> str:
    """A flow is named after its file: ``survey.yaml`` -> ``survey``."""
    return path.name.removesuffix(path.suffix) if path.suffix in FLOW_SUFFIXES else path.name


def load_program(path: Path | str) -> m.Program:
    """Load a flow and, transitively, the subflows it calls (``<name>.yaml``
    next to the calling file). A missing subflow file is left out; the
    validator reports the call.

    Raises:
        ConfigError: a flow file that cannot be read or is malformed.
    """
    entry = load_flow(path)
    flows = {entry.name: entry}
    todo = [entry]
    while todo:
        flow = todo.pop()
        folder = Path(flow.file).parent
        for node in flow.nodes.values():
            if not isinstance(node, m.Subflow) or node.flow in flows:
                continue
            for suffix in FLOW_SUFFIXES:
                candidate = folder / f"{node.flow}{suffix}"
                if candidate.is_file():
                    sub = load_flow(candidate)
                    flows[sub.name] = sub
                    todo.append(sub)
                    break
    return m.Program(entry=entry.name, flows=flows)


def prompt_checker(folder: Path | str) -> Callable[[str], bool]:
    """A predicate: does sound ``name`` exist in ``folder`` (any extension)?"""
    root = Path(folder)

    def exists(name: str) -> bool:
        base = root / name
        return base.is_file() or any(base.with_name(f"{base.name}.{ext}").is_file() for ext in SOUND_EXTENSIONS)

    return exists


def check_flow_files(
    paths: Iterable[Path | str],
    prompts: Path | str | None = None,
    queues: Sequence[str] | None = None,
    skills: Sequence[str] | None = None,
) -> list[Problem]:
    """Load and validate each file (with its subflows); a file that does not
    load is one error at its place. Problems found twice are shown once."""
    problems: list[Problem] = []
    exists = prompt_checker(prompts) if prompts is not None else None
    for path in paths:
        try:
            program = load_program(path)
        except ConfigError as exc:
            problems.append(Problem("error", exc.file, exc.line, exc.message))
            continue
        problems += validate_program(program, prompt_exists=exists, queues=queues, skills=skills)
    unique = {(p.file, p.line or 0, p.severity, p.message): p for p in problems}
    return [unique[key] for key in sorted(unique)]


# --- node conversion -------------------------------------------------------


def _node(loaded: LoadedYaml, node_id: str, raw: dict[str, Any]) -> m.AnyNode:
    loc = ("nodes", node_id)
    if not isinstance(raw, dict):
        raise loaded.error(loc, f"node '{node_id}' must be a mapping with a kind:")
    kind = raw.get("kind")
    if kind not in NODE_MODELS:
        given = f"unknown kind {kind!r}" if kind is not None else "no kind"
        raise loaded.error(loc + (("kind",) if kind is not None else ()),
                           f"node '{node_id}' has {given}: use one of {', '.join(NODE_MODELS)}")
    spec = validate(NODE_MODELS[str(kind)], loaded, loc)
    line = loaded.where(loc)[1]
    lines = _lines(loaded, loc, raw)
    common: dict[str, Any] = {"id": node_id, "line": line, "lines": lines}
    return _convert(spec, common, loaded, loc)


def _lines(loaded: LoadedYaml, loc: tuple[str, ...], raw: dict[str, Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for key, value in raw.items():
        line = loaded.where(loc + (key,))[1]
        if line is not None:
            out[str(key)] = line
        if isinstance(value, dict):
            for sub in value:
                sub_line = loaded.where(loc + (key, sub))[1]
                if sub_line is not None:
                    out[f"{key}.{sub}"] = sub_line
    return out


def _convert(spec: _Node, common: dict[str, Any], loaded: LoadedYaml, loc: tuple[str, ...]) -> m.AnyNode:
    if isinstance(spec, PlayModel):
        prompt = _prompt(spec.prompt)
        assert prompt is not None
        return m.Play(prompt=prompt, next=spec.next, **common)
    if isinstance(spec, MenuModel):
        prompt = _prompt(spec.prompt)
        assert prompt is not None
        return m.Menu(
            prompt=prompt, options=dict(spec.options), timeout_s=spec.timeout, retries=spec.retries,
            invalid=_prompt(spec.invalid), no_input=_prompt(spec.no_input), on_failure=spec.on_failure,
            self_service_only=spec.self_service_only, **common,
        )
    if isinstance(spec, CollectModel):
        prompt = _prompt(spec.prompt)
        assert prompt is not None
        low, high = (spec.digits, spec.digits) if spec.digits else (spec.min_digits, spec.max_digits)
        return m.Collect(
            prompt=prompt, var=spec.var, min_digits=low, max_digits=high, terminator=spec.terminator,
            timeout_s=spec.timeout, pattern=spec.pattern, check=spec.check, retries=spec.retries,
            invalid=_prompt(spec.invalid), secret=spec.secret, next=spec.next, on_failure=spec.on_failure, **common,
        )
    if isinstance(spec, LookupModel):
        return m.Lookup(hook=spec.hook, key=spec.key, into=spec.into, found=spec.found, not_found=spec.not_found,
                        **common)
    if isinstance(spec, ConditionModel):
        rules = tuple(
            m.Rule(rule.when.to_ivr(), rule.next, loaded.where(loc + ("rules", i))[1])
            for i, rule in enumerate(spec.rules)
        )
        return m.Condition(rules=rules, otherwise=spec.otherwise, **common)
    if isinstance(spec, SetModel):
        return m.SetVars(vars=dict(spec.vars), skills=dict(spec.skills), priority=spec.priority, next=spec.next,
                         **common)
    if isinstance(spec, QueueModel):
        return m.Queue(queue=spec.queue, skills=dict(spec.skills), priority=spec.priority, **common)
    if isinstance(spec, CallbackModel):
        return m.Callback(queue=spec.queue, number=spec.number, next=spec.next, **common)
    if isinstance(spec, VoicemailModel):
        return m.Voicemail(mailbox=spec.mailbox, **common)
    if isinstance(spec, TransferModel):
        return m.Transfer(number=spec.number, **common)
    if isinstance(spec, SurveyModel):
        questions: tuple[m.Question, ...] = m.DEFAULT_QUESTIONS
        if spec.questions is not None:
            questions = tuple(
                m.Question(q.id, _prompt(q.prompt) or m.Prompt(text=q.id), q.low, q.high) for q in spec.questions
            )
        return m.Survey(questions=questions, timeout_s=spec.timeout, retries=spec.retries,
                        invalid=_prompt(spec.invalid), next=spec.next, **common)
    if isinstance(spec, CaseModel):
        return m.OpenCaseNode(case_kind=spec.type, due_days=spec.due_days, next=spec.next, **common)
    if isinstance(spec, GotoModel):
        return m.Goto(target=spec.target, **common)
    if isinstance(spec, SubflowModel):
        return m.Subflow(flow=spec.flow, next=spec.next, **common)
    if isinstance(spec, ReturnModel):
        return m.Return(**common)
    assert isinstance(spec, HangupModel)
    return m.HangupNode(**common)
