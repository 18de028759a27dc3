"""Simulated callers and a driver loop, for the simulated switch and tests.

``SimulatedCaller`` answers ``CollectDigits`` by a configured split: for
each node (as in ``CollectDigits.node``; survey questions are
``<node>.<question>``) a weight per answer. An answer is a string of keys,
or ``timeout`` or ``hangup``. A node missing from the split gets a uniform
pick among the effect's ``choices`` (a timeout when there are none).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from ivr import effects as fx
from ivr.errors import FlowLoop
from ivr.events import CallerHungUp, CallStarted, DigitsReceived, DigitTimeout, Event, LookupResult, PromptFinished
from ivr.interpreter import IvrState, start, step
from ivr.model import Program

TIMEOUT = "timeout"
HANGUP = "hangup"

Responder = Callable[[fx.Effect, IvrState], Event]


class SimulatedCaller:
    """Chooses keys for ``CollectDigits`` effects by weights per node.

    Args:
        split: node -> answer -> weight (weights need not sum to 1).
        rng: the random source (seeded by the caller, for repeatable runs).
    """

    def __init__(self, split: Mapping[str, Mapping[str, float]], rng: random.Random) -> None:
        for node, weights in split.items():
            if not weights or any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
                raise ValueError(f"split for {node!r} needs positive weights")
        self.split = split
        self.rng = rng

    def choose(self, effect: fx.CollectDigits) -> str:
        """The answer (keys, ``timeout`` or ``hangup``) to one ``CollectDigits``."""
        weights = self.split.get(effect.node)
        if weights is None:
            return self.rng.choice(effect.choices) if effect.choices else TIMEOUT
        answers = list(weights)
        return self.rng.choices(answers, weights=[weights[a] for a in answers])[0]

    def answer(self, effect: fx.CollectDigits, at: datetime) -> DigitsReceived | DigitTimeout | CallerHungUp:
        """The event for one ``CollectDigits`` at time ``at``."""
        choice = self.choose(effect)
        if choice == TIMEOUT:
            return DigitTimeout(at)
        if choice == HANGUP:
            return CallerHungUp(at)
        return DigitsReceived(choice, at)


def run_call(
    program: Program, started: CallStarted, respond: Responder, max_events: int = 1000
) -> tuple[IvrState, list[fx.Effect]]:
    """Run one call to its end, asking ``respond`` for the answer to each
    waiting effect. Returns the final state and every effect, in order.

    Raises:
        FlowLoop: the call did not end within ``max_events`` events.
    """
    state, out = step(start(program), started)
    effects = list(out)
    for _ in range(max_events):
        if state.done:
            return state, effects
        state, out = step(state, respond(effects[-1], state))
        effects.extend(out)
    raise FlowLoop(f"call still in the IVR after {max_events} events (at {state.node})")


def answer_with(
    caller: SimulatedCaller,
    lookup: Callable[[fx.Lookup], Mapping[str, str] | None],
    prompt_s: float = 3.0,
    digits_s: float = 2.0,
) -> Responder:
    """A responder for ``run_call``: prompts take ``prompt_s``, answers
    ``digits_s`` (virtual time), lookups are answered by ``lookup``."""

    def respond(effect: fx.Effect, state: IvrState) -> Event:
        assert state.now is not None
        if isinstance(effect, fx.Play):
            return PromptFinished(state.now + timedelta(seconds=prompt_s))
        if isinstance(effect, fx.CollectDigits):
            return caller.answer(effect, state.now + timedelta(seconds=digits_s))
        if isinstance(effect, fx.Lookup):
            return LookupResult(lookup(effect), state.now)
        raise ValueError(f"{effect.name} does not wait for an answer")

    return respond
