"""What happens to a call in the IVR, as the switch (or a simulator) reports it.

Every event carries ``at``, a time-zone-aware time: the interpreter never
reads a clock, so business hours, traces and case due dates all follow the
driver's clock (wall time, or virtual time in the simulator).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar


@dataclass(frozen=True, slots=True)
class CallStarted:
    """A call entered the IVR. ``channel_vars`` may preset variables, among
    them ``tier`` (``A1``..``A5``) and ``customer_id`` when the switch knows."""

    name: ClassVar[str] = "call_started"
    caller: str
    called: str
    at: datetime
    channel_vars: Mapping[str, str] = field(default_factory=dict)
    call_id: str = ""


@dataclass(frozen=True, slots=True)
class DigitsReceived:
    """The caller's keys for a ``CollectDigits`` (without the terminator;
    an empty string counts as no input)."""

    name: ClassVar[str] = "digits_received"
    digits: str
    at: datetime


@dataclass(frozen=True, slots=True)
class DigitTimeout:
    """No key within the ``CollectDigits`` timeout."""

    name: ClassVar[str] = "digit_timeout"
    at: datetime


@dataclass(frozen=True, slots=True)
class PromptFinished:
    """A ``Play`` ended."""

    name: ClassVar[str] = "prompt_finished"
    at: datetime


@dataclass(frozen=True, slots=True)
class LookupResult:
    """The data hook's answer to a ``Lookup``: the record, or None when
    nothing matched (``error`` says why when the hook failed)."""

    name: ClassVar[str] = "lookup_result"
    record: Mapping[str, str] | None
    at: datetime
    error: str | None = None


@dataclass(frozen=True, slots=True)
class CallerHungUp:
    """The caller hung up while in the IVR."""

    name: ClassVar[str] = "caller_hung_up"
    at: datetime


Event = CallStarted | DigitsReceived | DigitTimeout | PromptFinished | LookupResult | CallerHungUp
