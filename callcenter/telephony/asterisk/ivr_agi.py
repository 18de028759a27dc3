"""The IVR engine's effects as AGI commands, and AGI replies as its events.

The IVR interpreter (``ivr.interpreter.step``) is pure: it returns effects
and waits for events. :func:`perform` carries out one effect in a caller's
FastAGI session and returns the event that answers it, so a driver is::

    state, effects = step(start(program), CallStarted(...))
    while effects:
        for effect in effects:
            event = await perform(session, effect, now)
        if event is None: break            # the IVR part ended
        state, effects = step(state, event)

==================  ===============================================  =====================
effect              AGI                                              event back
==================  ===============================================  =====================
Play                ``STREAM FILE <file> ""``                        PromptFinished
CollectDigits       ``GET DATA <file> <ms> <max>`` (``#`` ends);     DigitsReceived /
                    other terminators or no prompt: ``STREAM FILE``  DigitTimeout
                    with escape digits, then ``WAIT FOR DIGIT``
SetVariable         ``SET VARIABLE <name> "<value>"``                (none)
EnterQueue          ``SET VARIABLE CC_QUEUE/CC_PRIORITY/...``; the   (none: IVR ends)
                    dialplan goes on to the holding area
Voicemail           ``EXEC VoiceMail "<box>,u"``                     (none: IVR ends)
Transfer            ``EXEC Dial "<trunk dial string>"``              (none: IVR ends)
Hangup              ``HANGUP``                                       (none: IVR ends)
==================  ===============================================  =====================

A ``-1`` result is ambiguous (a missing file, or the caller gone);
``CHANNEL STATUS`` tells them apart (511 on a dead channel), and a gone
caller answers with ``CallerHungUp``. ``Lookup``, ``OfferCallback``,
``RecordSurvey`` and ``OpenCase`` are the service's (CRM, callbacks, QA),
not the switch's: :func:`is_switch_effect` says which is which.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from callcenter.telephony.asterisk.errors import AgiHangup
from callcenter.telephony.asterisk.fastagi import AgiSession, quote
from callcenter.telephony.port import InvalidCommand
from ivr import effects as fx
from ivr.events import CallerHungUp, DigitsReceived, DigitTimeout, Event, PromptFinished
from ivr.model import Prompt

_log = logging.getLogger(__name__)

DIGITS = "0123456789*#"

_SWITCH_EFFECTS = (fx.Play, fx.CollectDigits, fx.SetVariable, fx.EnterQueue, fx.Voicemail, fx.Transfer, fx.Hangup)

TextToSpeech = Callable[[str], str | None]
"""Renders a prompt's text to a sound name Asterisk can play (None: cannot)."""


def is_switch_effect(effect: fx.Effect) -> bool:
    """Whether :func:`perform` carries out ``effect`` (else the service does)."""
    return isinstance(effect, _SWITCH_EFFECTS)


def _sound(prompt: Prompt, tts: TextToSpeech | None) -> str | None:
    if prompt.file:
        return prompt.file
    text = prompt.text
    if text and tts is not None:
        return tts(text)
    if text:
        _log.warning("IVR prompt %r has no sound file and no text-to-speech hook; skipped", text)
    return None


def queue_variables(effect: fx.EnterQueue) -> list[tuple[str, str]]:
    """The channel variables an ``EnterQueue`` leaves for the dialplan and
    the screen pop."""
    out = [("CC_QUEUE", effect.queue), ("CC_PRIORITY", str(effect.priority))]
    if effect.skills:
        out.append(("CC_SKILLS", ",".join(f"{skill}:{level}" for skill, level in effect.skills)))
    if effect.customer_id is not None:
        out.append(("CC_CUSTOMER", effect.customer_id))
    if effect.ivr_path:
        out.append(("CC_IVR_PATH", "/".join(effect.ivr_path)))
    return out


async def perform(
    session: AgiSession,
    effect: fx.Effect,
    now: Callable[[], datetime],
    *,
    tts: TextToSpeech | None = None,
    trunk: str = "PJSIP/{number}@trunk",
) -> Event | None:
    """Carry out one IVR effect in a FastAGI session.

    Args:
        session: The caller's AGI session.
        effect: A switch effect (see :func:`is_switch_effect`).
        now: The clock, time-zone aware (the interpreter insists).
        tts: Renders text-only prompts to a sound name.
        trunk: Dial string for ``Transfer``; ``{number}`` is replaced.

    Returns:
        The event answering a waiting effect (``PromptFinished``,
        ``DigitsReceived``, ``DigitTimeout``, ``CallerHungUp``), or None for
        an action or an effect that ends the IVR part of the call.

    Raises:
        InvalidCommand: ``effect`` is the service's (``Lookup`` ...).
    """
    try:
        if isinstance(effect, fx.Play):
            return await _play(session, effect, now, tts)
        if isinstance(effect, fx.CollectDigits):
            return await _collect(session, effect, now, tts)
        if isinstance(effect, fx.SetVariable):
            await session.command(f"SET VARIABLE {effect.variable} {quote(effect.value)}")
            return None
        if isinstance(effect, fx.EnterQueue):
            for name, value in queue_variables(effect):
                await session.command(f"SET VARIABLE {name} {quote(value)}")
            return None
        if isinstance(effect, fx.Voicemail):
            await session.command(f"EXEC VoiceMail {quote(effect.mailbox + ',u')}")
            return None
        if isinstance(effect, fx.Transfer):
            await session.command(f"EXEC Dial {quote(trunk.format(number=effect.number))}")
            return None
        if isinstance(effect, fx.Hangup):
            await session.command("HANGUP")
            return None
    except AgiHangup:
        return CallerHungUp(now())
    raise InvalidCommand(f"{effect.name} is carried out by the service, not over AGI")


async def _gone(session: AgiSession, now: Callable[[], datetime]) -> Event | None:
    return None if await session.channel_alive() else CallerHungUp(now())


async def _play(session: AgiSession, effect: fx.Play, now: Callable[[], datetime], tts: TextToSpeech | None) -> Event:
    sound = _sound(effect.prompt, tts)
    if sound is not None:
        reply = await session.command(f'STREAM FILE {sound} ""')
        if reply.result == "-1":
            gone = await _gone(session, now)
            if gone is not None:
                return gone
            _log.warning("Asterisk could not play %r (missing sound file?)", sound)
    return PromptFinished(now())


async def _collect(
    session: AgiSession, effect: fx.CollectDigits, now: Callable[[], datetime], tts: TextToSpeech | None
) -> Event:
    sound = _sound(effect.prompt, tts) if effect.prompt is not None else None
    timeout_ms = max(1, int(effect.timeout_s * 1000))
    if sound is not None and effect.terminator == "#":
        reply = await session.command(f"GET DATA {sound} {timeout_ms} {effect.max_digits}")
        if reply.result == "-1":
            return await _gone(session, now) or DigitTimeout(now())
        if reply.result == "":
            return DigitTimeout(now())
        return DigitsReceived(reply.result, now())
    digits = ""
    if sound is not None:
        reply = await session.command(f"STREAM FILE {sound} {quote(DIGITS)}")
        value = reply.value
        if value is None or value < 0:
            gone = await _gone(session, now)
            if gone is not None:
                return gone
        elif value > 0:
            key = chr(value)
            if key == effect.terminator:
                return DigitsReceived("", now())
            digits = key
    deadline = time.monotonic() + timeout_ms / 1000
    while len(digits) < effect.max_digits:
        left = int((deadline - time.monotonic()) * 1000)
        if left <= 0:
            break
        reply = await session.command(f"WAIT FOR DIGIT {left}")
        value = reply.value
        if value is None or value < 0:
            gone = await _gone(session, now)
            if gone is not None:
                return gone
            break
        if value == 0:
            break
        key = chr(value)
        if effect.terminator and key == effect.terminator:
            return DigitsReceived(digits, now())
        digits += key
    return DigitsReceived(digits, now()) if digits else DigitTimeout(now())
