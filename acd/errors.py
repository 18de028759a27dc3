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


class InvalidConfig(AcdError):
    """Queue, agent or settings values the router cannot work with."""


class InvalidCall(AcdError):
    """A call that cannot be queued: duplicate id, tier out of range, bad skill level."""
