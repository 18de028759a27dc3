"""Simulated callers in an IVR flow: they press the keys that lead where they want to go.

The simulated switch only hears "play this prompt, read up to N digits"
(as Asterisk's GET DATA does), so :class:`FlowCallers` recognises the
prompt as one of the flow's menus and picks the key whose branch reaches
the caller's intended queue soonest. Where no key leads there it falls back
to ``ivr.simulate.SimulatedCaller`` (a weighted or uniform pick among the
menu's keys). Number prompts (an account number) get silence: a simulated
caller does not know their account number, so the flow's fallback runs.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Mapping

from callcenter.telephony.simulated import CallerInfo
from ivr import effects as fx
from ivr.model import Menu, Program, Queue, Subflow
from ivr.simulate import HANGUP, TIMEOUT, SimulatedCaller


class FlowCallers:
    """A digit source for :class:`~callcenter.telephony.simulated.SimulatedSwitch`.

    Args:
        program: the IVR flow the service runs.
        seed: for the fallback picks.
        split: optional ``SimulatedCaller`` weights by menu node.
    """

    def __init__(self, program: Program, seed: int = 1, split: Mapping[str, Mapping[str, float]] | None = None) -> None:
        self.program = program
        self._fallback = SimulatedCaller(split or {}, random.Random(seed))
        self._menus: dict[str, tuple[str, Menu]] = {}  # prompt -> (flow, menu)
        for flow in program.flows.values():
            for node in flow.nodes.values():
                if isinstance(node, Menu):
                    for text in (node.prompt.file, node.prompt.text):
                        if text:
                            self._menus.setdefault(text, (flow.name, node))
        self._routes: dict[tuple[str, str, str], dict[str, int]] = {}

    def digits(self, caller: CallerInfo, prompt: str, max_digits: int) -> str | None:
        found = self._menus.get(prompt)
        if found is None:
            return None  # not a menu (an account number, a survey): stays silent
        flow, menu = found
        best: tuple[int, str] | None = None
        # On a tie the named choice wins over "0" (the operator key).
        for key in sorted(menu.options, key=lambda k: (k == "0", k)):
            hops = self._queues_from(flow, menu.options[key]).get(caller.intent)
            if hops is not None and (best is None or hops < best[0]):
                best = (hops, key)
        if best is not None:
            return best[1]
        choice = self._fallback.choose(fx.CollectDigits(menu.prompt, max_digits, menu.timeout_s, node=menu.id,
                                                        choices=tuple(sorted(menu.options))))
        return None if choice in (TIMEOUT, HANGUP) else choice

    def _queues_from(self, flow: str, start: str) -> dict[str, int]:
        """Queues reachable from node ``start`` of ``flow`` (hops to the nearest of each)."""
        cached = self._routes.get((flow, start, ""))
        if cached is not None:
            return cached
        nodes = self.program.flows[flow].nodes
        out: dict[str, int] = {}
        seen = {start}
        todo: deque[tuple[str, int]] = deque([(start, 0)])
        while todo:
            node_id, hops = todo.popleft()
            node = nodes.get(node_id)
            if node is None:
                continue
            if isinstance(node, Queue):
                out.setdefault(node.queue, hops)
                continue
            targets = [e.target for e in node.exits() if e.target is not None]
            if isinstance(node, Subflow) and node.flow in self.program.flows:
                sub = self.program.flows[node.flow]
                for queue, n in self._queues_from(node.flow, sub.start).items():
                    out.setdefault(queue, hops + 1 + n)
            for target in targets:
                if target not in seen:
                    seen.add(target)
                    todo.append((target, hops + 1))
        self._routes[(flow, start, "")] = out
        return out
