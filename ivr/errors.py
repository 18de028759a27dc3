"""Errors of the IVR engine; one base, subclasses named for the condition."""


class IvrError(Exception):
    """Base of every IVR error."""


class FlowError(IvrError):
    """The program cannot be run as written (unknown node or flow, missing
    ``next``); ``validate_program`` reports these before a call does."""


class UnexpectedEvent(IvrError):
    """An event the session is not waiting for (a driver bug)."""


class FlowLoop(IvrError):
    """Too many nodes in a row without waiting for the caller: a loop with
    no input, which the validator reports as a loop with no exit."""


class NaiveTime(IvrError):
    """An event time without a time zone; business hours need one."""
