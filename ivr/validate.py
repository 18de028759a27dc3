"""Find what is wrong with a program before a caller does.

Errors: unknown targets, dead ends (a missing ``next``, ``else`` ...),
unknown subflows, schedules, queues or skills, subflow cycles, loops with
no exit, missing prompt files, and menus with no way to a person. Warnings:
unreachable nodes, and inputs that hang up after failed tries. Every
problem names the file, the line and a fix.

Pure: prompt files are checked through a predicate the caller supplies.
"""

from __future__ import annotations

import difflib
from collections import defaultdict, deque
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from ivr.model import (
    HUMAN_KINDS,
    AnyNode,
    Callback,
    Collect,
    Condition,
    Flow,
    IsHoliday,
    IsOpen,
    Menu,
    Play,
    Program,
    Prompt,
    Queue,
    Return,
    SetVars,
    Subflow,
    Survey,
)

Severity = Literal["error", "warning"]
Key = tuple[str, str]  # (flow, node)
END: Key = ("", "<end>")


@dataclass(frozen=True, slots=True)
class Problem:
    severity: Severity
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.severity}: {self.message}"


def validate_program(
    program: Program,
    *,
    prompt_exists: Callable[[str], bool] | None = None,
    queues: Collection[str] | None = None,
    skills: Collection[str] | None = None,
) -> list[Problem]:
    """Every problem of ``program``, errors and warnings, sorted by place.

    Args:
        program: the entry flow and its subflows.
        prompt_exists: tells whether a prompt file name exists; None skips
            the check (text prompts never need a file).
        queues: the ACD's queue ids; None skips the check.
        skills: the ACD's skill ids; None skips the check.
    """
    checker = _Checker(program, prompt_exists, queues, skills)
    checker.run()
    unique = {(p.file, p.line or 0, p.severity, p.message): p for p in checker.problems}
    return [unique[key] for key in sorted(unique)]


def _name(node: AnyNode) -> str:
    return f"{node.kind} '{node.id}' (line {node.line})" if node.line is not None else f"{node.kind} '{node.id}'"


def _suggest(wrong: str, known: Iterable[str]) -> str:
    known = sorted(known)
    close = difflib.get_close_matches(wrong, known, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return f"{hint}known: {', '.join(known)}"


class _Checker:
    def __init__(
        self,
        program: Program,
        prompt_exists: Callable[[str], bool] | None,
        queues: Collection[str] | None,
        skills: Collection[str] | None,
    ) -> None:
        self.program = program
        self.prompt_exists = prompt_exists
        self.queues = queues
        self.skills = skills
        self.problems: list[Problem] = []

    def error(self, flow: Flow, line: int | None, message: str) -> None:
        self.problems.append(Problem("error", flow.file, line, message))

    def warning(self, flow: Flow, line: int | None, message: str) -> None:
        self.problems.append(Problem("warning", flow.file, line, message))

    def run(self) -> None:
        for flow in self.program.flows.values():
            self.check_flow(flow)
        self.check_subflow_cycles()
        graph = self.graph()
        self.check_loops(graph)
        self.check_humans(graph)

    # --- one flow at a time -------------------------------------------------

    def check_flow(self, flow: Flow) -> None:
        if flow.start not in flow.nodes:
            self.error(flow, flow.line, f"flow '{flow.name}' starts at unknown node '{flow.start}': "
                       f"set 'start:' to one of its nodes ({_suggest(flow.start, flow.nodes)})")
        for node in flow.nodes.values():
            self.check_exits(flow, node)
            self.check_references(flow, node)
            self.check_prompts(flow, node)
            self.check_failure(flow, node)
        self.check_unreachable(flow)

    def check_exits(self, flow: Flow, node: AnyNode) -> None:
        if isinstance(node, Menu) and not node.options:
            self.error(flow, node.line, f"{_name(node)} has no options: add keys such as '1: <node>' and '0: agent'")
        for exit_ in node.exits():
            if exit_.target is None:
                field = {"goto": "goto", "else": "else"}.get(exit_.label, exit_.label)
                self.error(flow, exit_.line, f"{_name(node)} is a dead end: it has no '{field}'; "
                           f"add '{field}: <node>' (for instance a queue or a hangup node)")
            elif exit_.target not in flow.nodes:
                self.error(flow, exit_.line, f"{_name(node)} {exit_.label} goes to unknown node '{exit_.target}': "
                           f"{_suggest(exit_.target, flow.nodes)}")

    def check_references(self, flow: Flow, node: AnyNode) -> None:
        if isinstance(node, Subflow) and node.flow not in self.program.flows:
            self.error(flow, node.line, f"{_name(node)} calls flow '{node.flow}', which was not found: "
                       f"put {node.flow}.yaml next to {flow.file or 'this file'} or fix the name")
        if isinstance(node, Condition):
            for rule in node.rules:
                if isinstance(rule.test, (IsOpen, IsHoliday)):
                    name = rule.test.schedule
                    if name not in flow.schedules and name not in self.program.main.schedules:
                        known = set(flow.schedules) | set(self.program.main.schedules)
                        self.error(flow, rule.line, f"{_name(node)} uses unknown schedule '{name}': define it under "
                                   f"'schedules:' ({_suggest(name, known) if known else 'none defined'})")
        if isinstance(node, (Queue, Callback)) and self.queues is not None and node.queue not in self.queues:
            self.error(flow, node.lines.get("queue", node.line), f"{_name(node)} names queue '{node.queue}', "
                       f"which the center does not have: {_suggest(node.queue, self.queues)}")
        if isinstance(node, (Queue, SetVars)) and self.skills is not None:
            for skill in node.skills:
                if skill not in self.skills:
                    self.error(flow, node.lines.get(f"skills.{skill}", node.line), f"{_name(node)} needs skill "
                               f"'{skill}', which the center does not have: {_suggest(skill, self.skills)}")

    def check_prompts(self, flow: Flow, node: AnyNode) -> None:
        if self.prompt_exists is None:
            return
        for prompt in _prompts(node):
            if prompt.file is not None and not self.prompt_exists(prompt.file):
                self.error(flow, node.line, f"{_name(node)} plays '{prompt.file}', which is not in the prompts "
                           f"folder: add {prompt.file}.wav (or .gsm, .ulaw ...) or give a 'text:' for speech")

    def check_failure(self, flow: Flow, node: AnyNode) -> None:
        if not isinstance(node, (Menu, Collect)) or node.on_failure is not None:
            return
        if flow.self_service_only or (isinstance(node, Menu) and node.self_service_only):
            return
        self.warning(flow, node.line, f"{_name(node)} hangs up after {node.retries + 1} failed tries: "
                     "add 'on_failure: <node>' leading to an agent, so a caller who struggles is not dropped")

    def check_unreachable(self, flow: Flow) -> None:
        if flow.start not in flow.nodes:
            return
        seen = {flow.start}
        todo = [flow.start]
        while todo:
            node = flow.nodes[todo.pop()]
            for exit_ in node.exits():
                target = exit_.target
                if target is not None and target in flow.nodes and target not in seen:
                    seen.add(target)
                    todo.append(target)
        for node in flow.nodes.values():
            if node.id not in seen:
                self.warning(flow, node.line, f"{_name(node)} is never reached from start '{flow.start}': "
                             "link it from another node or remove it")

    # --- across flows -------------------------------------------------------

    def callers(self) -> dict[str, list[tuple[Flow, Subflow]]]:
        out: dict[str, list[tuple[Flow, Subflow]]] = defaultdict(list)
        for flow in self.program.flows.values():
            for node in flow.nodes.values():
                if isinstance(node, Subflow) and node.flow in self.program.flows:
                    out[node.flow].append((flow, node))
        return out

    def check_subflow_cycles(self) -> None:
        calls: dict[str, list[tuple[str, Subflow]]] = defaultdict(list)
        for caller, sites in self.callers().items():
            for flow, node in sites:
                calls[flow.name].append((caller, node))
        reported: set[frozenset[str]] = set()
        for start in self.program.flows:
            stack: list[tuple[str, list[str]]] = [(start, [start])]
            while stack:
                name, trail = stack.pop()
                for callee, node in calls.get(name, []):
                    if callee == start:
                        members = frozenset(trail)
                        if members not in reported:
                            reported.add(members)
                            flow = self.program.flows[name]
                            self.error(flow, node.line, f"{_name(node)} closes a cycle of subflow calls "
                                       f"({' -> '.join(trail + [start])}): a call would never return; "
                                       "use 'return' or a goto instead")
                    elif callee not in trail:
                        stack.append((callee, trail + [callee]))

    def graph(self) -> dict[Key, set[Key]]:
        """Every (flow, node) and where it can go; END stands for the end of
        the IVR part (terminal nodes, a return from the entry flow, an input
        that hangs up after failed tries)."""
        callers = self.callers()
        edges: dict[Key, set[Key]] = {END: set()}
        for flow in self.program.flows.values():
            for node in flow.nodes.values():
                key = (flow.name, node.id)
                out = edges.setdefault(key, set())
                for exit_ in node.exits():
                    if exit_.target is not None and exit_.target in flow.nodes and not isinstance(node, Subflow):
                        out.add((flow.name, exit_.target))
                if node.terminal:
                    out.add(END)
                if isinstance(node, (Menu, Collect)) and node.on_failure is None:
                    out.add(END)
                if isinstance(node, Subflow) and node.flow in self.program.flows:
                    sub = self.program.flows[node.flow]
                    if sub.start in sub.nodes:
                        out.add((sub.name, sub.start))
                if isinstance(node, Return):
                    if flow.name == self.program.entry or not callers.get(flow.name):
                        out.add(END)
                    for caller_flow, site in callers.get(flow.name, []):
                        if site.next is not None and site.next in caller_flow.nodes:
                            out.add((caller_flow.name, site.next))
        return edges

    def check_loops(self, graph: dict[Key, set[Key]]) -> None:
        can_end = _backwards(graph, {END})
        stuck = {key for key in graph if key not in can_end}
        for component in _cycles(graph, stuck):
            first = min(component, key=lambda k: (self.node(k).line or 0, k))
            flow = self.program.flows[first[0]]
            names = " -> ".join(self.program.qualified(*k) for k in sorted(component))
            self.error(flow, self.node(first).line, f"loop with no exit: {names} never reach a queue, transfer, "
                       "voicemail or hangup; add a way out (for instance a menu key or an on_failure to an agent)")

    def check_humans(self, graph: dict[Key, set[Key]]) -> None:
        humans = {key for key in graph if key != END and self.node(key).kind in HUMAN_KINDS}
        anywhere = _backwards(graph, humans)
        # Reaching a person without being asked for anything more.
        quiet = _backwards(graph, humans, through=lambda key: not self.node(key).asks)
        for flow in self.program.flows.values():
            if flow.self_service_only:
                continue
            for node in flow.nodes.values():
                if not isinstance(node, Menu) or node.self_service_only:
                    continue
                if (flow.name, node.id) not in anywhere:
                    self.error(flow, node.line, f"{_name(node)} has no way to an agent: add a key such as "
                               "'0: agent' leading to a queue node (or 'self_service_only: true' if on purpose)")
                elif not any(
                    (flow.name, t) in quiet and not flow.nodes[t].asks for t in node.options.values() if t in flow.nodes
                ):
                    self.error(flow, node.line, f"{_name(node)} has no key for an agent (every way to a person "
                               "goes through another menu or input): add a key such as '0: agent' leading to "
                               "a queue node (or 'self_service_only: true' if on purpose)")

    def node(self, key: Key) -> AnyNode:
        return self.program.flows[key[0]].nodes[key[1]]


def _prompts(node: AnyNode) -> list[Prompt]:
    out: list[Prompt | None] = []
    if isinstance(node, Play):
        out.append(node.prompt)
    elif isinstance(node, Menu):
        out += [node.prompt, node.invalid, node.no_input]
    elif isinstance(node, Collect):
        out += [node.prompt, node.invalid]
    elif isinstance(node, Survey):
        out += [q.prompt for q in node.questions] + [node.invalid]
    return [p for p in out if p is not None]


def _backwards(
    graph: Mapping[Key, set[Key]], targets: set[Key], through: Callable[[Key], bool] | None = None
) -> set[Key]:
    """Keys with a path to one of ``targets``; with ``through``, only paths
    whose inner keys (not the first, not the target) pass the test."""
    reverse: dict[Key, list[Key]] = defaultdict(list)
    for source, outs in graph.items():
        for target in outs:
            reverse[target].append(source)
    seen = set(targets)
    todo = deque(targets)
    while todo:
        key = todo.popleft()
        if through is not None and key not in targets and not through(key):
            continue  # reached, but nothing reaches a person through it
        for source in reverse[key]:
            if source not in seen:
                seen.add(source)
                todo.append(source)
    return seen


def _cycles(graph: Mapping[Key, set[Key]], keys: set[Key]) -> list[set[Key]]:
    """Strongly connected components of the subgraph on ``keys`` that hold a
    cycle (Tarjan, iterative)."""
    index: dict[Key, int] = {}
    low: dict[Key, int] = {}
    on_stack: set[Key] = set()
    stack: list[Key] = []
    found: list[set[Key]] = []
    counter = 0
    for root in sorted(keys):
        if root in index:
            continue
        work: list[tuple[Key, list[Key]]] = [(root, sorted(k for k in graph[root] if k in keys))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            key, todo = work[-1]
            if todo:
                nxt = todo.pop()
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(k for k in graph[nxt] if k in keys)))
                elif nxt in on_stack:
                    low[key] = min(low[key], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[key])
            if low[key] == index[key]:
                component: set[Key] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == key:
                        break
                if len(component) > 1 or key in graph[key]:
                    found.append(component)
    return found
