"""Simulated callers: answers by a configured split, whole calls driven to the end."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping

import pytest

from callcenter.config.ivr import load_program
from ivr import effects as fx
from ivr.events import CallerHungUp, CallStarted, DigitsReceived, DigitTimeout
from ivr.model import Prompt
from ivr.simulate import SimulatedCaller, answer_with, run_call
from tests.unit.ivr.builders import MONDAY_10, SAMPLES

ASK = fx.CollectDigits(Prompt(text="menu"), 1, 5.0, node="main_menu", choices=("1", "2", "0"))


def test_split_weights_are_followed() -> None:
    caller = SimulatedCaller({"main_menu": {"1": 3, "2": 1}}, random.Random(7))
    counts = Counter(caller.choose(ASK) for _ in range(4000))
    assert set(counts) == {"1", "2"}
    assert counts["1"] / 4000 == pytest.approx(0.75, abs=0.03)


def test_special_answers_and_defaults() -> None:
    rng = random.Random(1)
    assert isinstance(SimulatedCaller({"main_menu": {"timeout": 1}}, rng).answer(ASK, MONDAY_10), DigitTimeout)
    assert isinstance(SimulatedCaller({"main_menu": {"hangup": 1}}, rng).answer(ASK, MONDAY_10), CallerHungUp)
    answer = SimulatedCaller({}, rng).answer(ASK, MONDAY_10)
    assert isinstance(answer, DigitsReceived) and answer.digits in ASK.choices
    free = fx.CollectDigits(None, 10, 8.0, node="identify/ask_account")
    assert isinstance(SimulatedCaller({}, rng).answer(free, MONDAY_10), DigitTimeout)
    with pytest.raises(ValueError, match="positive weights"):
        SimulatedCaller({"m": {"1": 0}}, rng)


def _lookup(effect: fx.Lookup) -> Mapping[str, str] | None:
    if effect.hook == "balance":
        return {"balance": "100"}
    return {"id": "C9", "tier": "A2", "name": "Ho"} if effect.key.endswith("1") else None


def run(seed: int, caller: str) -> tuple[str | None, tuple[str, ...]]:
    program = load_program(SAMPLES / "main.yaml")
    sim = SimulatedCaller({"main_menu": {"1": 1, "2": 1, "3": 1, "4": 1, "0": 1},
                           "identify/ask_account": {"1000000016": 3, "timeout": 1}}, random.Random(seed))
    state, effects = run_call(program, CallStarted(caller, "5000", MONDAY_10), answer_with(sim, _lookup))
    assert effects[-1].ends
    return state.outcome, state.path


def test_whole_calls_are_repeatable_and_end() -> None:
    assert run(3, "+886912000000") == run(3, "+886912000000")
    outcome, path = run(3, "+886912000001")  # an A2 caller takes the VIP lane
    assert outcome == "queue" and path[-1] == "vip_lane"
    outcomes = {run(seed, "+886912000000")[0] for seed in range(20)}
    assert outcomes <= {"queue", "hangup"} and "queue" in outcomes
