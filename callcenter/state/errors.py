"""Errors of the live-state package."""

from __future__ import annotations


class StateError(Exception):
    """Base of every live-state error."""


class StateUnavailable(StateError):
    """The store cannot be reached (Redis down, restarting, or the store is closed).

    Raised after the client's bounded reconnect attempts, never by hanging:
    the caller decides whether to retry, queue the work or fail the request.
    """


class VersionConflict(StateError):
    """An optimistic update found another version than the one it expected."""

    def __init__(self, agent_id: str, expected: int, actual: int) -> None:
        self.agent_id = agent_id
        self.expected = expected
        self.actual = actual
        super().__init__(f"agent {agent_id!r} is at version {actual}, not {expected}: reload and retry")


class AgentNotFound(StateError):
    """No live record for that agent."""

    def __init__(self, agent_id: str) -> None:
        self.agent_id = agent_id
        super().__init__(f"no live record for agent {agent_id!r}")


class UnknownEvent(StateError):
    """An event on the wire whose name no event class is registered for."""
