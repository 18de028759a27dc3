"""Errors of the routing core; HTTP codes and error ids live in the API, not here."""


class AcdError(Exception):
    """Base of every routing-core error."""


class UnknownAgent(AcdError):
    pass


class UnknownQueue(AcdError):
    pass


class UnknownCall(AcdError):
    pass


class InvalidTransition(AcdError):
    """An agent or call was asked to do something its state does not allow."""


class UnknownReason(AcdError):
    """A not-ready reason code that is not in the configured list."""
