"""Flows as plain data: prompts, nodes, schedules, flows, a program.

A *program* is the entry flow plus every flow it calls as a subflow. Nodes
remember the line they were declared on (and the lines of their fields), so
the validator can name the place to fix. Nothing here reads files: the
configuration layer builds these values from YAML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import ClassVar, Literal

NodeId = str
FlowName = str
CheckDigit = Literal["luhn", "mod11"]

TIER_NAMES: Mapping[int, str] = {1: "A1", 2: "A2", 3: "A3", 4: "A4", 5: "A5"}
DIGITS = frozenset("0123456789*#")


def tier_rank(value: str | int | None) -> int | None:
    """``"A1"``, ``"a1"``, ``"1"`` or ``1`` -> 1; anything else -> None."""
    if value is None:
        return None
    text = str(value).strip().upper().removeprefix("A")
    return int(text) if text.isdigit() and 1 <= int(text) <= 5 else None


def tier_name(rank: int | None) -> str:
    """1 -> ``"A1"``; unknown -> ``""``."""
    return TIER_NAMES.get(rank, "") if rank is not None else ""


@dataclass(frozen=True, slots=True)
class Prompt:
    """A sound file (an Asterisk sound name, no extension) and/or a text.

    With a file, the text is its transcript (shown by ``callcenter ivr
    try``). Without one, the text goes to the text-to-speech hook; it may
    hold ``${variable}`` placeholders.
    """

    file: str | None = None
    text: str | None = None

    def shown(self) -> str:
        return self.text if self.text is not None else f"[{self.file}]"


@dataclass(frozen=True, slots=True)
class Exit:
    """A way out of a node: ``label`` (``next``, an option key ...), its
    target node (None when missing) and the line it is written on."""

    label: str
    target: NodeId | None
    line: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    """Common part of every node."""

    kind: ClassVar[str] = "node"
    #: the flow (and so the call) ends here
    terminal: ClassVar[bool] = False
    #: the caller is asked for input here
    asks: ClassVar[bool] = False

    id: NodeId
    line: int | None = None
    lines: Mapping[str, int] = field(default_factory=dict)

    def exits(self) -> tuple[Exit, ...]:
        """Targets inside the same flow (subflow calls are not exits)."""
        return ()

    def _exit(self, label: str, target: NodeId | None, key: str | None = None) -> Exit:
        return Exit(label, target, self.lines.get(key or label, self.line))


@dataclass(frozen=True, slots=True, kw_only=True)
class Play(Node):
    kind: ClassVar[str] = "play"
    prompt: Prompt
    next: NodeId | None = None

    def exits(self) -> tuple[Exit, ...]:
        return (self._exit("next", self.next),)


@dataclass(frozen=True, slots=True, kw_only=True)
class Menu(Node):
    """Play a prompt, read a key, go where the key says.

    A wrong key or no key at all is a failed try: after ``retries`` more
    tries the call goes to ``on_failure`` (or is hung up when there is none).
    """

    kind: ClassVar[str] = "menu"
    asks: ClassVar[bool] = True
    prompt: Prompt
    options: Mapping[str, NodeId]
    timeout_s: float = 5.0
    retries: int = 2
    invalid: Prompt | None = None
    no_input: Prompt | None = None
    on_failure: NodeId | None = None
    self_service_only: bool = False

    def exits(self) -> tuple[Exit, ...]:
        out = [self._exit(f"key {key}", target, f"options.{key}") for key, target in self.options.items()]
        if self.on_failure is not None:
            out.append(self._exit("on_failure", self.on_failure))
        return tuple(out)

    @property
    def max_digits(self) -> int:
        return max((len(key) for key in self.options), default=1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Collect(Node):
    """Read several digits into a variable, checked by length, a pattern
    and/or a check digit."""

    kind: ClassVar[str] = "collect"
    asks: ClassVar[bool] = True
    prompt: Prompt
    var: str
    min_digits: int = 1
    max_digits: int = 20
    terminator: str = "#"
    timeout_s: float = 8.0
    pattern: str | None = None
    check: CheckDigit | None = None
    retries: int = 2
    invalid: Prompt | None = None
    secret: bool = False
    next: NodeId | None = None
    on_failure: NodeId | None = None

    def exits(self) -> tuple[Exit, ...]:
        out = [self._exit("next", self.next)]
        if self.on_failure is not None:
            out.append(self._exit("on_failure", self.on_failure))
        return tuple(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class Lookup(Node):
    """Ask a named data hook for a record by ``key`` (a template such as
    ``${caller}``); its fields become variables ``<into>_<field>``. With
    ``into: customer`` (the default) the record's ``id`` and ``tier`` also
    become the call's customer and tier."""

    kind: ClassVar[str] = "lookup"
    hook: str
    key: str
    into: str = "customer"
    found: NodeId | None = None
    not_found: NodeId | None = None

    def exits(self) -> tuple[Exit, ...]:
        return (self._exit("found", self.found), self._exit("not_found", self.not_found))


@dataclass(frozen=True, slots=True)
class IsOpen:
    """True while ``schedule`` says the center is open."""

    schedule: str


@dataclass(frozen=True, slots=True)
class IsHoliday:
    """True on a holiday of ``schedule`` (local date)."""

    schedule: str


@dataclass(frozen=True, slots=True)
class TierIn:
    """True when the call's customer tier is one of ``tiers`` (ranks 1-5)."""

    tiers: frozenset[int]


@dataclass(frozen=True, slots=True)
class VarTest:
    """A test on a variable; every given part must hold."""

    var: str
    equals: str | None = None
    one_of: tuple[str, ...] | None = None
    matches: str | None = None
    present: bool | None = None


Test = IsOpen | IsHoliday | TierIn | VarTest


@dataclass(frozen=True, slots=True)
class Rule:
    test: Test
    next: NodeId | None
    line: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Condition(Node):
    """The first rule whose test holds gives the next node, else ``otherwise``."""

    kind: ClassVar[str] = "condition"
    rules: tuple[Rule, ...]
    otherwise: NodeId | None = None

    def exits(self) -> tuple[Exit, ...]:
        out = [Exit(f"rule {i + 1}", rule.next, rule.line) for i, rule in enumerate(self.rules)]
        out.append(self._exit("else", self.otherwise))
        return tuple(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class SetVars(Node):
    """Set variables (templates), add required skills, set the priority."""

    kind: ClassVar[str] = "set"
    vars: Mapping[str, str] = field(default_factory=dict)
    skills: Mapping[str, int] = field(default_factory=dict)
    priority: int | None = None
    next: NodeId | None = None

    def exits(self) -> tuple[Exit, ...]:
        return (self._exit("next", self.next),)


@dataclass(frozen=True, slots=True, kw_only=True)
class Queue(Node):
    """Hand the call to the ACD: the IVR part of the call ends."""

    kind: ClassVar[str] = "queue"
    terminal: ClassVar[bool] = True
    queue: str
    skills: Mapping[str, int] = field(default_factory=dict)
    priority: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Callback(Node):
    """Ask the ACD for a callback to ``number`` (a template), then go on
    (usually to a goodbye)."""

    kind: ClassVar[str] = "callback"
    queue: str
    number: str = "${caller}"
    next: NodeId | None = None

    def exits(self) -> tuple[Exit, ...]:
        return (self._exit("next", self.next),)


@dataclass(frozen=True, slots=True, kw_only=True)
class Voicemail(Node):
    kind: ClassVar[str] = "voicemail"
    terminal: ClassVar[bool] = True
    mailbox: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Transfer(Node):
    """Send the call to an external number (a template)."""

    kind: ClassVar[str] = "transfer"
    terminal: ClassVar[bool] = True
    number: str


@dataclass(frozen=True, slots=True)
class Question:
    """A survey question answered with one key from ``low`` to ``high``."""

    id: str
    prompt: Prompt
    low: int = 1
    high: int = 5


#: The three questions of a loyal customer: very satisfied, would
#: recommend, would continue.
DEFAULT_QUESTIONS = (
    Question("satisfied", Prompt(text="How satisfied were you? Press 1 (not at all) to 5 (very)."), 1, 5),
    Question("recommend", Prompt(text="Would you recommend us to a friend? Press 1 for yes, 2 for no."), 1, 2),
    Question("continue", Prompt(text="Will you stay with us? Press 1 for yes, 2 for no."), 1, 2),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Survey(Node):
    """Ask each question (one key each), then record the answers.

    A question with no valid answer after ``retries`` more tries is
    recorded as unanswered (None), and the survey moves on.
    """

    kind: ClassVar[str] = "survey"
    asks: ClassVar[bool] = True
    questions: tuple[Question, ...] = DEFAULT_QUESTIONS
    timeout_s: float = 6.0
    retries: int = 1
    invalid: Prompt | None = None
    next: NodeId | None = None

    def exits(self) -> tuple[Exit, ...]:
        return (self._exit("next", self.next),)


@dataclass(frozen=True, slots=True, kw_only=True)
class OpenCaseNode(Node):
    """Open a case (for instance a complaint with its legal deadline)."""

    kind: ClassVar[str] = "case"
    case_kind: str
    due_days: int | None = None
    next: NodeId | None = None

    def exits(self) -> tuple[Exit, ...]:
        return (self._exit("next", self.next),)


@dataclass(frozen=True, slots=True, kw_only=True)
class Goto(Node):
    kind: ClassVar[str] = "goto"
    target: NodeId | None

    def exits(self) -> tuple[Exit, ...]:
        return (self._exit("goto", self.target),)


@dataclass(frozen=True, slots=True, kw_only=True)
class Subflow(Node):
    """Run flow ``flow`` from its start; its ``return`` comes back to ``next``."""

    kind: ClassVar[str] = "subflow"
    flow: FlowName
    next: NodeId | None = None

    def exits(self) -> tuple[Exit, ...]:
        return (self._exit("next", self.next),)


@dataclass(frozen=True, slots=True, kw_only=True)
class Return(Node):
    """Back to the calling flow; in the entry flow, the call is hung up."""

    kind: ClassVar[str] = "return"


@dataclass(frozen=True, slots=True, kw_only=True)
class HangupNode(Node):
    kind: ClassVar[str] = "hangup"
    terminal: ClassVar[bool] = True


AnyNode = (
    Play | Menu | Collect | Lookup | Condition | SetVars | Queue | Callback | Voicemail | Transfer | Survey
    | OpenCaseNode | Goto | Subflow | Return | HangupNode
)

#: Nodes that put the caller in touch with a person.
HUMAN_KINDS = frozenset({"queue", "transfer", "callback"})


@dataclass(frozen=True, slots=True)
class Schedule:
    """Weekly opening hours in a time zone, with holidays and special days.

    ``weekly`` maps a weekday (0 = Monday) to its open ranges, local time,
    start inclusive, end exclusive; an end of ``None`` means midnight.
    ``special`` replaces the weekly hours on given dates (an empty tuple
    means closed); ``holidays`` are closed all day.
    """

    name: str
    timezone: str
    weekly: Mapping[int, tuple[tuple[time, time | None], ...]]
    holidays: frozenset[date] = frozenset()
    special: Mapping[date, tuple[tuple[time, time | None], ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Flow:
    """One flow file: its nodes by id, where to start, its schedules."""

    name: FlowName
    start: NodeId
    nodes: Mapping[NodeId, AnyNode]
    file: str = ""
    line: int | None = None
    schedules: Mapping[str, Schedule] = field(default_factory=dict)
    self_service_only: bool = False
    description: str = ""


@dataclass(frozen=True, slots=True)
class Program:
    """The entry flow and every flow reachable from it by subflow calls."""

    entry: FlowName
    flows: Mapping[FlowName, Flow]

    @property
    def main(self) -> Flow:
        return self.flows[self.entry]

    def qualified(self, flow: FlowName, node: NodeId) -> str:
        """The node as it appears in ``ivr_path``: bare in the entry flow,
        ``flow/node`` in a subflow."""
        return node if flow == self.entry else f"{flow}/{node}"
