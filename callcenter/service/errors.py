"""Errors of the service layer.

One base, :class:`ServiceError`; subclasses name the condition. HTTP status
codes and stable error ids are the API's business, not this module's. A
command that raises changed nothing.
"""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every service error."""


class UnknownAgent(ServiceError):
    """No agent with that id in the center's configuration."""

    def __init__(self, agent_id: str) -> None:
        self.agent_id = agent_id
        super().__init__(f"unknown agent {agent_id!r}")


class UnknownCall(ServiceError):
    """No live call with that id."""

    def __init__(self, call_id: str) -> None:
        self.call_id = call_id
        super().__init__(f"unknown call {call_id!r}")


class UnknownQueue(ServiceError):
    def __init__(self, queue_id: str) -> None:
        self.queue_id = queue_id
        super().__init__(f"unknown queue {queue_id!r}")


class UnknownReason(ServiceError):
    """A not-ready reason code that is not configured."""

    def __init__(self, reason: str, known: tuple[str, ...]) -> None:
        self.reason = reason
        self.known = known
        super().__init__(f"unknown not-ready reason {reason!r}; known: {', '.join(known)}")


class UnknownDisposition(ServiceError):
    def __init__(self, code: str, known: tuple[str, ...]) -> None:
        self.code = code
        self.known = known
        super().__init__(f"unknown disposition {code!r}; known: {', '.join(known)}")


class NotYourCall(ServiceError):
    """The call exists but belongs to another agent (or to none)."""

    def __init__(self, agent_id: str, call_id: str) -> None:
        self.agent_id = agent_id
        self.call_id = call_id
        super().__init__(f"call {call_id!r} is not agent {agent_id!r}'s")


class InvalidState(ServiceError):
    """The agent or call is not in a state that allows the command."""


class InvalidRequest(ServiceError):
    """Arguments the service cannot act on (empty number, bad seconds ...)."""


class NotPermitted(ServiceError):
    """The user's role does not allow the command."""


class SwitchUnavailable(ServiceError):
    """The telephony switch is down; the command was not carried out."""
