"""Service cases: complaints (15-day deadline), requests, callbacks."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.crm.model import OPEN_CASE_STATUSES, Case, CaseKind, CaseStatus, default_due_at
from callcenter.storage.errors import NotFound
from callcenter.storage.models import CaseRow


def to_case(row: CaseRow) -> Case:
    return Case(
        id=row.id,
        customer_id=row.customer_id,
        kind=CaseKind(row.kind),
        opened_at=row.opened_at,
        status=CaseStatus(row.status),
        due_at=row.due_at,
        owner_agent_id=row.owner_agent_id,
        summary=row.summary,
        interaction_id=row.interaction_id,
    )


class Cases:
    """Cases over one session; writes commit."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def open(
        self,
        customer_id: str,
        kind: CaseKind,
        opened_at: dt.datetime,
        summary: str = "",
        owner_agent_id: str | None = None,
        due_at: dt.datetime | None = None,
        interaction_id: str | None = None,
        status: CaseStatus = CaseStatus.OPEN,
    ) -> Case:
        """Open a case; a complaint without ``due_at`` is due 15 days after opening."""
        row = CaseRow(
            customer_id=customer_id,
            kind=kind.value,
            opened_at=opened_at,
            due_at=due_at or default_due_at(kind, opened_at),
            status=status.value,
            owner_agent_id=owner_agent_id,
            summary=summary,
            interaction_id=interaction_id,
            closed_at=opened_at if status is CaseStatus.CLOSED else None,
        )
        self.session.add(row)
        await self.session.commit()
        return to_case(row)

    async def open_for(self, customer_id: str) -> tuple[Case, ...]:
        """A customer's open and pending cases, oldest first."""
        query = (
            select(CaseRow)
            .where(CaseRow.customer_id == customer_id, CaseRow.status.in_([s.value for s in OPEN_CASE_STATUSES]))
            .order_by(CaseRow.opened_at, CaseRow.id)
        )
        return tuple(to_case(r) for r in await self.session.scalars(query))

    async def close(self, case_id: int, at: dt.datetime) -> None:
        result = await self.session.execute(
            update(CaseRow).where(CaseRow.id == case_id).values(status=CaseStatus.CLOSED.value, closed_at=at)
            .execution_options(synchronize_session=False)
        )
        if not getattr(result, "rowcount", 0):
            await self.session.rollback()
            raise NotFound("case", case_id)
        await self.session.commit()
