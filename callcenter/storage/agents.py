"""The agent state log: every state change, with its reason and call."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.storage.models import AgentStateRow


@dataclass(frozen=True, slots=True)
class AgentStateEntry:
    agent_id: str
    state: str
    at: dt.datetime
    reason: str | None = None
    call_id: str | None = None


class AgentStateLog:
    """Append-only log of agent states over one session; appends commit."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def append(
        self, agent_id: str, state: str | Enum, at: dt.datetime, reason: str | None = None, call_id: str | None = None
    ) -> None:
        value = state.value if isinstance(state, Enum) else state
        self.session.add(AgentStateRow(agent_id=agent_id, state=str(value), at=at, reason=reason, call_id=call_id))
        await self.session.commit()

    async def history(
        self, agent_id: str, since: dt.datetime | None = None, until: dt.datetime | None = None
    ) -> tuple[AgentStateEntry, ...]:
        """An agent's states in time order, optionally within [since, until)."""
        query = select(AgentStateRow).where(AgentStateRow.agent_id == agent_id)
        if since is not None:
            query = query.where(AgentStateRow.at >= since)
        if until is not None:
            query = query.where(AgentStateRow.at < until)
        rows = await self.session.scalars(query.order_by(AgentStateRow.at, AgentStateRow.id))
        return tuple(AgentStateEntry(r.agent_id, r.state, r.at, r.reason, r.call_id) for r in rows)
