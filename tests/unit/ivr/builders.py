"""Helpers for IVR tests: flows from YAML text, a call driven event by event."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from callcenter.config.ivr import load_program
from ivr import effects as fx
from ivr.events import CallerHungUp, CallStarted, DigitsReceived, DigitTimeout, Event, LookupResult, PromptFinished
from ivr.interpreter import IvrState, Waiting, start, step
from ivr.model import Program

TAIPEI = ZoneInfo("Asia/Taipei")
MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=TAIPEI)
SAMPLES = Path(__file__).parents[3] / "config" / "ivr"
CENTER = Path(__file__).parents[3] / "config" / "sample-center"

HOURS = """\
schedules:
  office:
    timezone: Asia/Taipei
    hours: {mon-fri: "08:00-20:00", sat: "09:00-12:00"}
    holidays: [2026-04-03]
"""


def write(folder: Path, text: str, name: str = "main") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def program(folder: Path, text: str, name: str = "main", **subflows: str) -> Program:
    """Write ``text`` as ``<name>.yaml`` (and each subflow) and load it."""
    for sub, sub_text in subflows.items():
        write(folder, sub_text, sub)
    return load_program(write(folder, text, name))


class Call:
    """One call through a program; each method feeds one event."""

    def __init__(
        self,
        prog: Program,
        at: datetime = MONDAY_10,
        caller: str = "+886912000009",
        channel_vars: Mapping[str, str] | None = None,
    ) -> None:
        self.at = at
        self.state: IvrState = start(prog)
        self.effects: tuple[fx.Effect, ...] = ()
        self.all: list[fx.Effect] = []
        self.send(CallStarted(caller, "5000", at, dict(channel_vars or {}), "call-1"))

    def send(self, event: Event) -> tuple[fx.Effect, ...]:
        self.state, self.effects = step(self.state, event)
        self.all += self.effects
        return self.effects

    def later(self, seconds: float = 1.0) -> datetime:
        self.at += timedelta(seconds=seconds)
        return self.at

    def prompt_done(self) -> tuple[fx.Effect, ...]:
        return self.send(PromptFinished(self.later()))

    def press(self, digits: str) -> tuple[fx.Effect, ...]:
        return self.send(DigitsReceived(digits, self.later()))

    def timeout(self) -> tuple[fx.Effect, ...]:
        return self.send(DigitTimeout(self.later(5)))

    def lookup(self, record: Mapping[str, str] | None) -> tuple[fx.Effect, ...]:
        return self.send(LookupResult(record, self.later(0.2)))

    def hang_up(self) -> tuple[fx.Effect, ...]:
        return self.send(CallerHungUp(self.later()))

    def skip_prompts(self) -> tuple[fx.Effect, ...]:
        """Finish prompts until the call asks, looks up or ends."""
        while self.state.waiting is Waiting.PROMPT:
            self.prompt_done()
        return self.effects

    @property
    def last(self) -> fx.Effect:
        return self.effects[-1]

    def played(self) -> list[str]:
        return [e.prompt.shown() for e in self.all if isinstance(e, fx.Play)]
