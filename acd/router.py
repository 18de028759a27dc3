"""The router: holds queues, agents and waiting calls; returns decisions.

Pure: no I/O, no asyncio, no clock of its own. Every method takes ``now``
(seconds on the injected clock) and returns a list of effects (commands for
the driver, events for everyone else). Same inputs and seed, same effects.

INTERFACE SKETCH — to be implemented (see acd/effects.py for effect types).
"""

from __future__ import annotations

from collections.abc import Iterable

from acd.effects import Effect
from acd.model import (
    AgentId,
    AgentProfile,
    AgentState,
    Call,
    CallId,
    QueueConfig,
    QueueId,
    RouterSettings,
)


class Router:
    def __init__(
        self,
        queues: Iterable[QueueConfig],
        agents: Iterable[AgentProfile],
        settings: RouterSettings | None = None,
        seed: int = 0,
    ) -> None:
        raise NotImplementedError

    # --- agents -------------------------------------------------------------
    def login(self, agent_id: AgentId, now: float) -> list[Effect]:
        """Logged out -> not ready (reason "login")."""
        raise NotImplementedError

    def logout(self, agent_id: AgentId, now: float) -> list[Effect]:
        raise NotImplementedError

    def set_ready(self, agent_id: AgentId, now: float) -> list[Effect]:
        """Ready; may immediately offer the best waiting call."""
        raise NotImplementedError

    def set_not_ready(self, agent_id: AgentId, reason: str, now: float) -> list[Effect]:
        raise NotImplementedError

    def set_skills(self, agent_id: AgentId, skills: dict[str, int], now: float) -> list[Effect]:
        raise NotImplementedError

    # --- calls --------------------------------------------------------------
    def enqueue(self, call: Call, now: float) -> list[Effect]:
        raise NotImplementedError

    def abandon(self, call_id: CallId, now: float) -> list[Effect]:
        """Caller hung up while waiting (or while an offer rang)."""
        raise NotImplementedError

    def answer(self, call_id: CallId, now: float) -> list[Effect]:
        """The reserved agent answered: reserved -> busy."""
        raise NotImplementedError

    def no_answer(self, call_id: CallId, now: float) -> list[Effect]:
        """The driver saw the offer fail (ring timeout, busy, unreachable)."""
        raise NotImplementedError

    def hold(self, call_id: CallId, now: float) -> list[Effect]:
        raise NotImplementedError

    def unhold(self, call_id: CallId, now: float) -> list[Effect]:
        raise NotImplementedError

    def hangup(self, call_id: CallId, now: float) -> list[Effect]:
        """Talk ended: busy/held -> wrap-up, timed by the queue's wrap_up_s."""
        raise NotImplementedError

    def extend_wrap_up(self, agent_id: AgentId, seconds: float, now: float) -> list[Effect]:
        raise NotImplementedError

    def end_wrap_up(self, agent_id: AgentId, now: float) -> list[Effect]:
        raise NotImplementedError

    def request_callback(self, call_id: CallId, now: float) -> list[Effect]:
        """The caller leaves the line but keeps their place."""
        raise NotImplementedError

    def tick(self, now: float) -> list[Effect]:
        """Apply whatever is due: relaxation steps, overflow, RONA, wrap-up end."""
        raise NotImplementedError

    # --- queries ------------------------------------------------------------
    def agent_state(self, agent_id: AgentId) -> AgentState:
        raise NotImplementedError

    def waiting(self, queue_id: QueueId) -> list[CallId]:
        """Waiting calls of a queue, in the order they would be served."""
        raise NotImplementedError
