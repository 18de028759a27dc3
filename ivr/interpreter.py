"""The IVR interpreter: ``step(state, event) -> (state, effects)``.

Pure: no clock, no I/O. A driver (the Asterisk adapter, the simulated
switch, ``callcenter ivr try``) starts with ``start(program)``, feeds a
``CallStarted``, carries out the effects and feeds back what happened.

Each step returns zero or more actions (``SetVariable``, ``OpenCase``,
``OfferCallback``, ``RecordSurvey``) and then one effect that waits for an
answer (``Play`` -> ``PromptFinished``, ``CollectDigits`` ->
``DigitsReceived``/``DigitTimeout``, ``Lookup`` -> ``LookupResult``) or one
that ends the IVR part of the call (``EnterQueue``, ``Transfer``,
``Voicemail``, ``Hangup``). The only exception: a ``CallerHungUp`` answers
with no effect, or with the partial survey answers.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum

from ivr import effects as fx
from ivr.checks import check_digit_valid
from ivr.errors import FlowError, FlowLoop, NaiveTime, UnexpectedEvent
from ivr.events import CallerHungUp, CallStarted, DigitsReceived, DigitTimeout, Event, LookupResult, PromptFinished
from ivr.hours import is_holiday, is_open
from ivr.model import (
    AnyNode,
    Callback,
    Collect,
    Condition,
    Goto,
    HangupNode,
    IsHoliday,
    IsOpen,
    Lookup,
    Menu,
    NodeId,
    OpenCaseNode,
    Play,
    Program,
    Prompt,
    Queue,
    Return,
    Schedule,
    SetVars,
    Subflow,
    Survey,
    Test,
    TierIn,
    Transfer,
    VarTest,
    Voicemail,
    tier_name,
    tier_rank,
)
from ivr.trace import CallTrace, Outcome, TraceStep

#: Nodes entered in a row without waiting for the caller before the
#: interpreter gives up (only a loop with no input gets that far).
MAX_HOPS = 200

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


class Waiting(str, Enum):
    """What the session waits for."""

    START = "start"  # a CallStarted
    PROMPT = "prompt"  # PromptFinished
    DIGITS = "digits"  # DigitsReceived / DigitTimeout
    LOOKUP = "lookup"  # LookupResult
    DONE = "done"  # nothing: the call has left the IVR


@dataclass(frozen=True, slots=True)
class Frame:
    """Where the call is in one flow. Below the top of the stack, ``node``
    is the subflow node that called the flow above it."""

    flow: str
    node: NodeId


@dataclass(frozen=True, slots=True)
class IvrState:
    """One call's IVR session. Treat as opaque; read through the properties."""

    program: Program
    waiting: Waiting = Waiting.START
    stack: tuple[Frame, ...] = ()
    tries: int = 0
    question: int = 0
    answers: tuple[tuple[str, int | None], ...] = ()
    vars: Mapping[str, str] = field(default_factory=dict)
    inputs: Mapping[str, str] = field(default_factory=dict)
    skills: Mapping[str, int] = field(default_factory=dict)
    priority: int = 0
    tier: int | None = None
    customer_id: str | None = None
    caller: str = ""
    called: str = ""
    call_id: str = ""
    started_at: datetime | None = None
    now: datetime | None = None
    steps: tuple[TraceStep, ...] = ()
    outcome: Outcome | None = None
    human: bool = False
    #: for each effect of the last step, the index in ``steps`` of the node
    #: that produced it (for logs and the terminal runner)
    origins: tuple[int, ...] = ()

    @property
    def done(self) -> bool:
        return self.waiting is Waiting.DONE

    @property
    def node(self) -> str | None:
        """The current node, qualified as in ``ivr_path``."""
        if not self.stack:
            return None
        top = self.stack[-1]
        return self.program.qualified(top.flow, top.node)

    @property
    def path(self) -> tuple[str, ...]:
        """Nodes entered so far, qualified (``flow/node`` in subflows)."""
        return tuple(self.program.qualified(s.flow, s.node) for s in self.steps)

    def trace(self) -> CallTrace:
        """The finished call's trace.

        Raises:
            UnexpectedEvent: the call is still in the IVR.
        """
        if self.outcome is None or self.started_at is None or self.now is None:
            raise UnexpectedEvent("the call has not left the IVR yet")
        return CallTrace(
            flow=self.program.entry,
            started_at=self.started_at,
            ended_at=self.now,
            steps=self.steps,
            outcome=self.outcome,
            human=self.human,
            call_id=self.call_id,
        )


def start(program: Program) -> IvrState:
    """A fresh session of ``program``, waiting for ``CallStarted``."""
    return IvrState(program=program)


def step(state: IvrState, event: Event) -> tuple[IvrState, tuple[fx.Effect, ...]]:
    """Apply one event; return the new state and what to do.

    Events after the call has left the IVR are ignored.

    Raises:
        UnexpectedEvent: an event the session is not waiting for.
        NaiveTime: an event time without a time zone.
        FlowError: the program refers to something that does not exist
            (``validate_program`` finds these first).
        FlowLoop: more than ``MAX_HOPS`` nodes in a row without input.
    """
    if state.waiting is Waiting.DONE:
        return state, ()
    if event.at.tzinfo is None or event.at.utcoffset() is None:
        raise NaiveTime(f"{event.name} at {event.at.isoformat()} has no time zone")
    run = _Run(state, event.at)
    if isinstance(event, CallStarted):
        run.expect(Waiting.START, event)
        run.call_started(event)
    elif state.waiting is Waiting.START:
        raise UnexpectedEvent(f"{event.name} before call_started")
    elif isinstance(event, CallerHungUp):
        run.hung_up()
    elif isinstance(event, PromptFinished):
        run.expect(Waiting.PROMPT, event)
        run.prompt_finished()
    elif isinstance(event, DigitsReceived):
        run.expect(Waiting.DIGITS, event)
        run.digits(event.digits)
    elif isinstance(event, DigitTimeout):
        run.expect(Waiting.DIGITS, event)
        run.digits(None)
    else:
        run.expect(Waiting.LOOKUP, event)
        run.lookup_result(event)
    return run.freeze(), tuple(run.effects)


class _Run:
    """A mutable working copy of the state for the length of one step."""

    def __init__(self, state: IvrState, at: datetime) -> None:
        self.state = state
        self.program = state.program
        self.now = at
        self.waiting = state.waiting
        self.stack = list(state.stack)
        self.tries = state.tries
        self.question = state.question
        self.answers = list(state.answers)
        self.vars = dict(state.vars)
        self.inputs = dict(state.inputs)
        self.skills = dict(state.skills)
        self.priority = state.priority
        self.tier = state.tier
        self.customer_id = state.customer_id
        self.steps = list(state.steps)
        self.outcome = state.outcome
        self.human = state.human
        self.effects: list[fx.Effect] = []
        self.origins: list[int] = []
        self.started = state.started_at
        self.identity = (state.caller, state.called, state.call_id)

    def freeze(self) -> IvrState:
        caller, called, call_id = self.identity
        return replace(
            self.state,
            waiting=self.waiting,
            stack=tuple(self.stack),
            tries=self.tries,
            question=self.question,
            answers=tuple(self.answers),
            vars=self.vars,
            inputs=self.inputs,
            skills=self.skills,
            priority=self.priority,
            tier=self.tier,
            customer_id=self.customer_id,
            caller=caller,
            called=called,
            call_id=call_id,
            started_at=self.started,
            now=self.now,
            steps=tuple(self.steps),
            outcome=self.outcome,
            human=self.human,
            origins=tuple(self.origins),
        )

    # --- events ------------------------------------------------------------

    def expect(self, waiting: Waiting, event: Event) -> None:
        if self.waiting is not waiting:
            raise UnexpectedEvent(f"{event.name} while waiting for {self.waiting.value} (at {self.where()})")

    def call_started(self, event: CallStarted) -> None:
        self.identity = (event.caller, event.called, event.call_id)
        self.started = event.at
        self.vars = {**event.channel_vars, "caller": event.caller, "called": event.called}
        self.tier = tier_rank(event.channel_vars.get("tier"))
        self.customer_id = event.channel_vars.get("customer_id") or None
        main = self.program.main
        self.stack = [_frame(main.name, main.start)]
        self.run(main.start, f"flow {main.name!r} start")

    def hung_up(self) -> None:
        if self.stack and isinstance(self.current(), Survey):
            self.emit(self.survey_record(complete=False))
        self.finish("caller_hangup")

    def prompt_finished(self) -> None:
        node = self.current()
        if isinstance(node, Play):
            self.run(node.next, f"play {node.id!r} next")
        else:
            self.ask(node)  # the invalid-input prompt ended: ask again

    def digits(self, raw: str | None) -> None:
        node = self.current()
        if isinstance(node, Menu):
            self.menu_input(node, raw)
        elif isinstance(node, Collect):
            self.collect_input(node, raw)
        elif isinstance(node, Survey):
            self.survey_input(node, raw)
        else:  # pragma: no cover - the waiting state rules this out
            raise UnexpectedEvent(f"digits at {node.kind} node {node.id!r}")

    def lookup_result(self, event: LookupResult) -> None:
        node = self.current()
        assert isinstance(node, Lookup)
        if event.record is None:
            self.run(node.not_found, f"lookup {node.id!r} not_found")
            return
        for key, value in event.record.items():
            self.vars[f"{node.into}_{key}"] = str(value)
        if node.into == "customer":
            self.customer_id = str(event.record["id"]) if event.record.get("id") else self.customer_id
            self.tier = tier_rank(event.record.get("tier")) or self.tier
        self.run(node.found, f"lookup {node.id!r} found")

    # --- input -------------------------------------------------------------

    def menu_input(self, node: Menu, raw: str | None) -> None:
        digits = _strip(raw, _menu_terminator(node))
        if digits and digits in node.options:
            self.inputs[self.qualified(node.id)] = digits
            self.run(node.options[digits], f"menu {node.id!r} key {digits}")
            return
        self.failed(node, node.no_input if not digits and node.no_input else node.invalid)

    def collect_input(self, node: Collect, raw: str | None) -> None:
        digits = _strip(raw, node.terminator)
        if digits and _collect_valid(node, digits):
            self.vars[node.var] = digits
            if not node.secret:
                self.inputs[node.var] = digits
                self.emit(fx.SetVariable(node.var, digits))
            self.run(node.next, f"collect {node.id!r} next")
            return
        self.failed(node, node.invalid)

    def survey_input(self, node: Survey, raw: str | None) -> None:
        question = node.questions[self.question]
        digits = _strip(raw, "#")
        if digits.isdigit() and question.low <= int(digits) <= question.high:
            self.answer(node, int(digits))
        elif self.tries < node.retries:
            self.tries += 1
            self.reprompt(node, node.invalid)
        else:
            self.answer(node, None)

    def failed(self, node: Menu | Collect, prompt: Prompt | None) -> None:
        if self.tries < node.retries:
            self.tries += 1
            self.reprompt(node, prompt)
        elif node.on_failure is not None:
            self.run(node.on_failure, f"{node.kind} {node.id!r} on_failure")
        else:
            self.end(fx.Hangup("no_input"), "no_input")

    def reprompt(self, node: Menu | Collect | Survey, prompt: Prompt | None) -> None:
        if prompt is None:
            self.ask(node)
        else:
            self.play(prompt)

    def answer(self, node: Survey, value: int | None) -> None:
        self.answers.append((node.questions[self.question].id, value))
        self.question += 1
        self.tries = 0
        if self.question < len(node.questions):
            self.ask(node)
            return
        self.emit(self.survey_record(complete=True))
        self.run(node.next, f"survey {node.id!r} next")

    def survey_record(self, complete: bool) -> fx.RecordSurvey:
        node = self.current()
        assert isinstance(node, Survey)
        answers: dict[str, int | None] = {q.id: None for q in node.questions}
        answers.update(self.answers)
        call_id = self.identity[2]
        return fx.RecordSurvey(answers=answers, complete=complete, call_id=call_id, customer_id=self.customer_id)

    # --- nodes -------------------------------------------------------------

    def run(self, target: NodeId | None, origin: str) -> None:
        """Enter ``target`` and keep going until something waits or ends."""
        for _ in range(MAX_HOPS):
            if target is None:
                raise FlowError(f"{origin} leads nowhere (in flow {self.stack[-1].flow!r})")
            flow = self.stack[-1].flow
            node = self.lookup_node(flow, target)
            self.stack[-1] = _frame(flow, target)
            self.steps.append(TraceStep(flow, target, self.now))
            nxt = self.visit(node)
            if nxt is None:
                return
            target, origin = nxt
        raise FlowLoop(f"{MAX_HOPS} nodes in a row without input (at {self.where()}): a loop with no exit")

    def visit(self, node: AnyNode) -> tuple[NodeId | None, str] | None:
        """Do what ``node`` does; the next target, or None when waiting or done."""
        label = f"{node.kind} {node.id!r}"
        if isinstance(node, Play):
            self.play(node.prompt)
            return None
        if isinstance(node, (Menu, Collect, Survey)):
            self.tries = 0
            self.question = 0
            self.answers = []
            self.ask(node)
            return None
        if isinstance(node, Lookup):
            self.emit(fx.Lookup(node.hook, self.render(node.key)))
            self.waiting = Waiting.LOOKUP
            return None
        if isinstance(node, Condition):
            for index, rule in enumerate(node.rules):
                if self.holds(rule.test):
                    return rule.next, f"{label} rule {index + 1}"
            return node.otherwise, f"{label} else"
        if isinstance(node, SetVars):
            for name, template in node.vars.items():
                value = self.render(template)
                self.vars[name] = value
                self.emit(fx.SetVariable(name, value))
            for skill, level in node.skills.items():
                self.skills[skill] = max(level, self.skills.get(skill, 0))
            if node.priority is not None:
                self.priority = node.priority
            return node.next, f"{label} next"
        if isinstance(node, Queue):
            skills = dict(self.skills)
            for skill, level in node.skills.items():
                skills[skill] = max(level, skills.get(skill, 0))
            priority = node.priority if node.priority is not None else self.priority
            self.human = True
            self.end(
                fx.EnterQueue(
                    queue=node.queue, skills=tuple(sorted(skills.items())), priority=priority, tier=self.tier,
                    customer_id=self.customer_id, ivr_path=self.path(), ivr_inputs=dict(self.inputs),
                ),
                "queue",
            )
            return None
        if isinstance(node, Callback):
            self.human = True
            self.emit(
                fx.OfferCallback(
                    queue=node.queue, number=self.render(node.number), skills=tuple(sorted(self.skills.items())),
                    priority=self.priority, tier=self.tier, customer_id=self.customer_id, ivr_path=self.path(),
                    ivr_inputs=dict(self.inputs),
                )
            )
            return node.next, f"{label} next"
        if isinstance(node, Voicemail):
            self.end(fx.Voicemail(node.mailbox, self.customer_id, self.path()), "voicemail")
            return None
        if isinstance(node, Transfer):
            self.human = True
            self.end(fx.Transfer(self.render(node.number), self.customer_id, self.path()), "transfer")
            return None
        if isinstance(node, HangupNode):
            self.end(fx.Hangup("flow"), "hangup")
            return None
        if isinstance(node, OpenCaseNode):
            caller, _, call_id = self.identity
            self.emit(
                fx.OpenCase(kind=node.case_kind, due_days=node.due_days, opened_at=self.now,
                            customer_id=self.customer_id, caller=caller, call_id=call_id)
            )
            return node.next, f"{label} next"
        if isinstance(node, Goto):
            return node.target, f"{label} target"
        if isinstance(node, Subflow):
            sub = self.program.flows.get(node.flow)
            if sub is None:
                raise FlowError(f"{label} calls unknown flow {node.flow!r}")
            self.stack.append(_frame(sub.name, sub.start))
            return sub.start, f"flow {sub.name!r} start"
        assert isinstance(node, Return)
        if len(self.stack) == 1:  # the entry flow returned: nothing left to do
            self.end(fx.Hangup("end"), "hangup")
            return None
        self.stack.pop()
        caller_frame = self.stack[-1]
        call = self.lookup_node(caller_frame.flow, caller_frame.node)
        assert isinstance(call, Subflow)
        return call.next, f"subflow {call.id!r} next"

    def ask(self, node: AnyNode) -> None:
        if isinstance(node, Menu):
            effect = fx.CollectDigits(
                prompt=self.render_prompt(node.prompt), max_digits=node.max_digits, timeout_s=node.timeout_s,
                terminator=_menu_terminator(node), node=self.qualified(node.id), choices=tuple(node.options),
            )
        elif isinstance(node, Collect):
            effect = fx.CollectDigits(
                prompt=self.render_prompt(node.prompt), max_digits=node.max_digits, timeout_s=node.timeout_s,
                terminator=node.terminator, node=self.qualified(node.id),
            )
        else:
            assert isinstance(node, Survey)
            question = node.questions[self.question]
            effect = fx.CollectDigits(
                prompt=self.render_prompt(question.prompt), max_digits=1, timeout_s=node.timeout_s, terminator="",
                node=f"{self.qualified(node.id)}.{question.id}",
                choices=tuple(str(k) for k in range(question.low, question.high + 1)),
            )
        self.emit(effect)
        self.waiting = Waiting.DIGITS

    def emit(self, effect: fx.Effect) -> None:
        self.effects.append(effect)
        self.origins.append(len(self.steps) - 1)

    def play(self, prompt: Prompt) -> None:
        self.emit(fx.Play(self.render_prompt(prompt)))
        self.waiting = Waiting.PROMPT

    def end(self, effect: fx.Effect, outcome: Outcome) -> None:
        self.emit(effect)
        self.finish(outcome)

    def finish(self, outcome: Outcome) -> None:
        self.waiting = Waiting.DONE
        self.outcome = outcome

    # --- helpers -----------------------------------------------------------

    def holds(self, test: Test) -> bool:
        if isinstance(test, IsOpen):
            return is_open(self.schedule(test.schedule), self.now)
        if isinstance(test, IsHoliday):
            return is_holiday(self.schedule(test.schedule), self.now)
        if isinstance(test, TierIn):
            return self.tier in test.tiers
        return _var_holds(test, self.values().get(test.var))

    def schedule(self, name: str) -> Schedule:
        for flow in (self.program.flows[self.stack[-1].flow], self.program.main):
            if name in flow.schedules:
                return flow.schedules[name]
        raise FlowError(f"unknown schedule {name!r} (at {self.where()})")

    def values(self) -> dict[str, str]:
        return {**self.vars, "customer_id": self.customer_id or "", "tier": tier_name(self.tier)}

    def render(self, template: str) -> str:
        values = self.values()
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), template)

    def render_prompt(self, prompt: Prompt) -> Prompt:
        if prompt.text is None or "${" not in prompt.text:
            return prompt
        return Prompt(prompt.file, self.render(prompt.text))

    def current(self) -> AnyNode:
        top = self.stack[-1]
        return self.lookup_node(top.flow, top.node)

    def lookup_node(self, flow: str, node: NodeId) -> AnyNode:
        try:
            return self.program.flows[flow].nodes[node]
        except KeyError:
            raise FlowError(f"unknown node {node!r} in flow {flow!r}") from None

    def qualified(self, node: NodeId) -> str:
        return self.program.qualified(self.stack[-1].flow, node)

    def path(self) -> tuple[str, ...]:
        return tuple(self.program.qualified(s.flow, s.node) for s in self.steps)

    def where(self) -> str:
        return self.qualified(self.stack[-1].node) if self.stack else "start"


def _frame(flow: str, node: NodeId) -> Frame:
    return Frame(flow, node)


def _menu_terminator(node: Menu) -> str:
    # '#' cannot end the input when it is itself a choice.
    return "" if any("#" in key for key in node.options) else "#"


def _strip(raw: str | None, terminator: str) -> str:
    if raw is None:
        return ""
    if terminator and terminator in raw:
        return raw[: raw.index(terminator)]
    return raw


def _collect_valid(node: Collect, digits: str) -> bool:
    if not node.min_digits <= len(digits) <= node.max_digits:
        return False
    if node.pattern is not None and re.fullmatch(node.pattern, digits) is None:
        return False
    return node.check is None or check_digit_valid(node.check, digits)


def _var_holds(test: VarTest, value: str | None) -> bool:
    if test.present is not None and (bool(value) != test.present):
        return False
    if test.equals is not None and value != test.equals:
        return False
    if test.one_of is not None and value not in test.one_of:
        return False
    return test.matches is None or (value is not None and re.fullmatch(test.matches, value) is not None)
