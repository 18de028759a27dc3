"""Simulated callers press the menu keys that lead to the queue they want."""

from __future__ import annotations

from pathlib import Path

from callcenter.config.ivr import load_program
from callcenter.telephony.sim_ivr import FlowCallers
from callcenter.telephony.simulated import CallerInfo

FLOW = Path(__file__).resolve().parents[3] / "config" / "ivr" / "main.yaml"


def caller(intent: str) -> CallerInfo:
    return CallerInfo("sim-1.1", "+886912345678", "1800", intent, 3)


def test_menu_keys_follow_the_intent() -> None:
    program = load_program(FLOW)
    callers = FlowCallers(program, seed=1)
    menu = program.main.nodes["main_menu"]
    prompt = menu.prompt.file or menu.prompt.text  # type: ignore[union-attr]
    assert prompt
    picks = {intent: callers.digits(caller(intent), prompt, 1) for intent in
             ("sales", "support", "billing", "complaints")}
    assert picks == {"sales": "1", "support": "2", "billing": "3", "complaints": "4"}


def test_other_prompts_get_silence_and_unknown_intents_a_valid_key() -> None:
    program = load_program(FLOW)
    callers = FlowCallers(program, seed=1)
    assert callers.digits(caller("sales"), "Please enter your 10-digit account number, then the hash key.", 10) is None
    menu = program.main.nodes["main_menu"]
    prompt = menu.prompt.file or menu.prompt.text  # type: ignore[union-attr]
    key = callers.digits(caller("nowhere"), prompt, 1)
    assert key in menu.options  # type: ignore[union-attr]
