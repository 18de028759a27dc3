"""What the interpreter asks the switch and the service to do, as values.

Every ``step`` returns zero or more *actions* (done at once, no answer
expected) followed by exactly one effect that either *waits* for an event
or *ends* the IVR part of the call. Each maps to FastAGI or to a service
call without change:

============== ==========================================================
effect         carried out by
============== ==========================================================
Play           ``STREAM FILE <file> ""`` (text: the TTS hook renders a
               file first); answer ``PromptFinished``
CollectDigits  ``GET DATA <file> <timeout ms> <max>`` when the terminator
               is ``#``, else ``STREAM FILE`` + ``WAIT FOR DIGIT`` loop;
               answer ``DigitsReceived`` or ``DigitTimeout``
Lookup         the named data hook (CRM); answer ``LookupResult``
SetVariable    ``SET VARIABLE <name> "<value>"``
EnterQueue     the ACD (the caller waits in the holding extension)
OfferCallback  the ACD's callback queue
Voicemail      ``EXEC VoiceMail <mailbox>,u``
Transfer       ``EXEC Dial <trunk>/<number>``
Hangup         ``HANGUP``
RecordSurvey   the service (QA store)
OpenCase       the service (CRM case with a due date)
============== ==========================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import ClassVar

from ivr.model import Prompt

SkillNeeds = tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class Play:
    """Play a prompt; wait for ``PromptFinished``."""

    name: ClassVar[str] = "play"
    waits: ClassVar[bool] = True
    ends: ClassVar[bool] = False
    prompt: Prompt


@dataclass(frozen=True, slots=True)
class CollectDigits:
    """Play ``prompt`` (interruptible) and read up to ``max_digits`` keys,
    ending early on ``terminator``; wait for ``DigitsReceived`` or
    ``DigitTimeout``. ``node`` and ``choices`` (a menu's keys) are for
    logs, the terminal runner and simulated callers; the switch needs
    neither."""

    name: ClassVar[str] = "collect_digits"
    waits: ClassVar[bool] = True
    ends: ClassVar[bool] = False
    prompt: Prompt | None
    max_digits: int
    timeout_s: float
    terminator: str = "#"
    node: str = ""
    choices: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Lookup:
    """Ask data hook ``hook`` for the record of ``key``; wait for ``LookupResult``."""

    name: ClassVar[str] = "lookup"
    waits: ClassVar[bool] = True
    ends: ClassVar[bool] = False
    hook: str
    key: str


@dataclass(frozen=True, slots=True)
class SetVariable:
    """Set a channel variable (the dialplan and the screen pop can read it)."""

    name: ClassVar[str] = "set_variable"
    waits: ClassVar[bool] = False
    ends: ClassVar[bool] = False
    variable: str
    value: str


@dataclass(frozen=True, slots=True)
class OfferCallback:
    """The caller accepted a callback: queue one at ``number``."""

    name: ClassVar[str] = "offer_callback"
    waits: ClassVar[bool] = False
    ends: ClassVar[bool] = False
    queue: str
    number: str
    skills: SkillNeeds = ()
    priority: int = 0
    tier: int | None = None
    customer_id: str | None = None
    ivr_path: tuple[str, ...] = ()
    ivr_inputs: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RecordSurvey:
    """Store survey answers (question id -> key, None when unanswered)."""

    name: ClassVar[str] = "record_survey"
    waits: ClassVar[bool] = False
    ends: ClassVar[bool] = False
    answers: Mapping[str, int | None]
    complete: bool
    call_id: str = ""
    customer_id: str | None = None


@dataclass(frozen=True, slots=True)
class OpenCase:
    """Open a case; ``due_days`` (15 for a complaint, by the consumer
    protection act) counts from ``opened_at``."""

    name: ClassVar[str] = "open_case"
    waits: ClassVar[bool] = False
    ends: ClassVar[bool] = False
    kind: str
    due_days: int | None
    opened_at: datetime
    customer_id: str | None = None
    caller: str = ""
    call_id: str = ""

    @property
    def due_at(self) -> datetime | None:
        return self.opened_at + timedelta(days=self.due_days) if self.due_days is not None else None


@dataclass(frozen=True, slots=True)
class EnterQueue:
    """Hand the call to the ACD queue ``queue``; the IVR part ends."""

    name: ClassVar[str] = "enter_queue"
    waits: ClassVar[bool] = False
    ends: ClassVar[bool] = True
    queue: str
    skills: SkillNeeds = ()
    priority: int = 0
    tier: int | None = None
    customer_id: str | None = None
    ivr_path: tuple[str, ...] = ()
    ivr_inputs: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Voicemail:
    """Let the caller leave a message in ``mailbox``; the IVR part ends."""

    name: ClassVar[str] = "voicemail"
    waits: ClassVar[bool] = False
    ends: ClassVar[bool] = True
    mailbox: str
    customer_id: str | None = None
    ivr_path: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Transfer:
    """Send the call to an external number; the IVR part ends."""

    name: ClassVar[str] = "transfer"
    waits: ClassVar[bool] = False
    ends: ClassVar[bool] = True
    number: str
    customer_id: str | None = None
    ivr_path: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Hangup:
    """Hang the call up. ``reason``: ``flow`` (a hangup node), ``end`` (the
    entry flow returned) or ``no_input`` (tries used up, no ``on_failure``)."""

    name: ClassVar[str] = "hangup"
    waits: ClassVar[bool] = False
    ends: ClassVar[bool] = True
    reason: str = "flow"


Effect = (
    Play | CollectDigits | Lookup | SetVariable | OfferCallback | RecordSurvey | OpenCase | EnterQueue | Voicemail
    | Transfer | Hangup
)
