"""Interactions, written at every leg boundary.

One row per call, plus child rows for each agent offered the call, each
hold and each transfer. Every ``record_*`` method commits on its own: if the
process dies mid-call, every boundary already reported is on disk.

Methods take the time of the event (``at``) from the caller's clock; they
never read the wall clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import func, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from callcenter.crm.model import InteractionSummary
from callcenter.storage.errors import NotFound
from callcenter.storage.models import HoldRow, InteractionRow, OfferRow, TransferRow
from callcenter.storage.types import UtcDateTime


class OfferOutcome(str, Enum):
    ANSWERED = "answered"
    NO_ANSWER = "no-answer"
    ABANDONED = "abandoned"  # the caller hung up while it rang
    REJECTED = "rejected"


class TransferKind(str, Enum):
    BLIND = "blind"
    ATTENDED = "attended"


@dataclass(frozen=True, slots=True)
class Offer:
    agent_id: str
    offered_at: dt.datetime
    outcome: OfferOutcome | None = None
    outcome_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Hold:
    started_at: dt.datetime
    ended_at: dt.datetime | None = None
    agent_id: str | None = None


@dataclass(frozen=True, slots=True)
class Transfer:
    kind: TransferKind
    to_target: str
    at: dt.datetime
    from_agent_id: str | None = None


@dataclass(frozen=True, slots=True)
class InteractionRecord:
    """A whole interaction as stored, legs included."""

    id: str
    channel: str
    direction: str
    caller_number: str | None
    customer_id: str | None
    arrived_at: dt.datetime
    ivr_path: tuple[str, ...]
    ivr_inputs: Mapping[str, Any]
    queue: str | None
    enqueued_at: dt.datetime | None
    answered_at: dt.datetime | None
    agent_id: str | None
    ended_at: dt.datetime | None
    wrap_up_end: dt.datetime | None
    abandoned: bool
    abandoned_at: dt.datetime | None
    disposition: str | None
    notes: str
    recording_ref: str | None
    end_cause: str | None
    offers: tuple[Offer, ...]
    holds: tuple[Hold, ...]
    transfers: tuple[Transfer, ...]


def outcome_of(row: InteractionRow) -> str:
    """answered, abandoned, not answered (ended unanswered) or in progress."""
    if row.abandoned:
        return "abandoned"
    if row.answered_at is not None:
        return "answered"
    if row.ended_at is not None:
        return "not answered"
    return "in progress"


class Interactions:
    """Interaction writes and reads over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def start_interaction(
        self,
        call_id: str,
        arrived_at: dt.datetime,
        caller_number: str | None = None,
        customer_id: str | None = None,
        channel: str = "voice",
        direction: str = "inbound",
    ) -> None:
        """The call arrived."""
        self.session.add(InteractionRow(
            id=call_id, arrived_at=arrived_at, caller_number=caller_number, customer_id=customer_id,
            channel=channel, direction=direction, ivr_path=[], ivr_inputs={}, abandoned=False, notes="",
        ))
        await self.session.commit()

    async def identify(self, call_id: str, customer_id: str | None) -> None:
        """The caller was matched to a customer (by number, account, IVR input)."""
        await self._update(call_id, customer_id=customer_id)

    async def record_ivr(self, call_id: str, path: Sequence[str], inputs: Mapping[str, Any]) -> None:
        """The IVR part ended: the nodes visited and what the caller entered."""
        await self._update(call_id, ivr_path=list(path), ivr_inputs=dict(inputs))

    async def record_enqueue(self, call_id: str, queue: str, at: dt.datetime) -> None:
        await self._update(call_id, queue=queue, enqueued_at=at)

    async def record_offer(self, call_id: str, agent_id: str, at: dt.datetime) -> None:
        """An agent's phone starts ringing with this call."""
        await self._add(call_id, OfferRow(interaction_id=call_id, agent_id=agent_id, offered_at=at))

    async def record_offer_outcome(self, call_id: str, agent_id: str, outcome: OfferOutcome, at: dt.datetime) -> None:
        """How the agent's latest pending offer of this call ended."""
        offer_id = await self._pending_offer(call_id, agent_id)
        if offer_id is None:
            raise NotFound("pending offer", (call_id, agent_id))
        await self.session.execute(
            update(OfferRow).where(OfferRow.id == offer_id)
            .values(outcome=OfferOutcome(outcome).value, outcome_at=at)
            .execution_options(synchronize_session=False)
        )
        await self.session.commit()

    async def record_answer(self, call_id: str, agent_id: str, at: dt.datetime) -> None:
        """The agent answered; their pending offer, if any, becomes answered."""
        offer_id = await self._pending_offer(call_id, agent_id)
        if offer_id is not None:
            await self.session.execute(
                update(OfferRow).where(OfferRow.id == offer_id)
                .values(outcome=OfferOutcome.ANSWERED.value, outcome_at=at)
                .execution_options(synchronize_session=False)
            )
        await self._update(call_id, answered_at=at, agent_id=agent_id)

    async def record_hold(self, call_id: str, at: dt.datetime, agent_id: str | None = None) -> None:
        await self._add(call_id, HoldRow(interaction_id=call_id, started_at=at, agent_id=agent_id))

    async def record_unhold(self, call_id: str, at: dt.datetime) -> None:
        """Ends the open hold span."""
        hold_id = await self.session.scalar(
            select(func.max(HoldRow.id)).where(HoldRow.interaction_id == call_id, HoldRow.ended_at.is_(None))
        )
        if hold_id is None:
            raise NotFound("open hold", call_id)
        await self.session.execute(
            update(HoldRow).where(HoldRow.id == hold_id).values(ended_at=at)
            .execution_options(synchronize_session=False)
        )
        await self.session.commit()

    async def record_transfer(
        self, call_id: str, kind: TransferKind, to_target: str, at: dt.datetime, from_agent_id: str | None = None
    ) -> None:
        await self._add(call_id, TransferRow(
            interaction_id=call_id, kind=TransferKind(kind).value, to_target=to_target, at=at,
            from_agent_id=from_agent_id,
        ))

    async def record_recording(self, call_id: str, recording_ref: str) -> None:
        await self._update(call_id, recording_ref=recording_ref)

    async def record_end(self, call_id: str, at: dt.datetime, cause: str | None = None) -> None:
        """The call hung up (any open hold ends with it)."""
        await self.session.execute(
            update(HoldRow).where(HoldRow.interaction_id == call_id, HoldRow.ended_at.is_(None)).values(ended_at=at)
            .execution_options(synchronize_session=False)
        )
        await self._update(call_id, ended_at=at, end_cause=cause)

    async def record_wrap_up(
        self, call_id: str, disposition: str | None, notes: str = "", at: dt.datetime | None = None
    ) -> None:
        """After-call work done: disposition code, notes, when it ended."""
        values: dict[str, Any] = {"disposition": disposition, "notes": notes}
        if at is not None:
            values["wrap_up_end"] = at
        await self._update(call_id, **values)

    async def record_abandon(self, call_id: str, at: dt.datetime) -> None:
        """The caller hung up before being answered; ringing offers end too."""
        await self.session.execute(
            update(OfferRow).where(OfferRow.interaction_id == call_id, OfferRow.outcome.is_(None))
            .values(outcome=OfferOutcome.ABANDONED.value, outcome_at=at)
            .execution_options(synchronize_session=False)
        )
        await self._update(
            call_id, abandoned=True, abandoned_at=at,
            ended_at=func.coalesce(InteractionRow.ended_at, literal(at, UtcDateTime())),
            end_cause=func.coalesce(InteractionRow.end_cause, "abandoned"),
        )

    async def get(self, call_id: str) -> InteractionRecord:
        query = select(InteractionRow).where(InteractionRow.id == call_id).options(
            selectinload(InteractionRow.offers), selectinload(InteractionRow.holds),
            selectinload(InteractionRow.transfers),
        ).execution_options(populate_existing=True)
        row = (await self.session.scalars(query)).first()
        if row is None:
            raise NotFound("interaction", call_id)
        return _record(row)

    async def last_interactions(self, customer_id: str, n: int = 5) -> tuple[InteractionSummary, ...]:
        """A customer's ``n`` most recent interactions, newest first."""
        query = (
            select(InteractionRow)
            .where(InteractionRow.customer_id == customer_id)
            .order_by(InteractionRow.arrived_at.desc(), InteractionRow.id.desc())
            .limit(n)
        )
        return tuple(
            InteractionSummary(
                id=r.id, arrived_at=r.arrived_at, channel=r.channel, direction=r.direction, outcome=outcome_of(r),
                queue=r.queue, agent_id=r.agent_id, disposition=r.disposition, notes=r.notes,
            )
            for r in await self.session.scalars(query)
        )

    async def _update(self, call_id: str, **values: Any) -> None:
        result = await self.session.execute(
            update(InteractionRow).where(InteractionRow.id == call_id).values(**values)
            .execution_options(synchronize_session=False)
        )
        if not getattr(result, "rowcount", 0):
            await self.session.rollback()
            raise NotFound("interaction", call_id)
        await self.session.commit()

    async def _add(self, call_id: str, row: OfferRow | HoldRow | TransferRow) -> None:
        self.session.add(row)
        try:
            await self.session.commit()
        except IntegrityError:
            # The only foreign key is the interaction: the call is unknown.
            await self.session.rollback()
            raise NotFound("interaction", call_id) from None

    async def _pending_offer(self, call_id: str, agent_id: str) -> int | None:
        offer_id: int | None = await self.session.scalar(
            select(func.max(OfferRow.id)).where(
                OfferRow.interaction_id == call_id, OfferRow.agent_id == agent_id, OfferRow.outcome.is_(None)
            )
        )
        return offer_id


def _record(row: InteractionRow) -> InteractionRecord:
    return InteractionRecord(
        id=row.id, channel=row.channel, direction=row.direction, caller_number=row.caller_number,
        customer_id=row.customer_id, arrived_at=row.arrived_at, ivr_path=tuple(row.ivr_path or ()),
        ivr_inputs=dict(row.ivr_inputs or {}), queue=row.queue, enqueued_at=row.enqueued_at,
        answered_at=row.answered_at, agent_id=row.agent_id, ended_at=row.ended_at, wrap_up_end=row.wrap_up_end,
        abandoned=row.abandoned, abandoned_at=row.abandoned_at, disposition=row.disposition, notes=row.notes,
        recording_ref=row.recording_ref, end_cause=row.end_cause,
        offers=tuple(Offer(o.agent_id, o.offered_at, OfferOutcome(o.outcome) if o.outcome else None, o.outcome_at)
                     for o in row.offers),
        holds=tuple(Hold(h.started_at, h.ended_at, h.agent_id) for h in row.holds),
        transfers=tuple(Transfer(TransferKind(t.kind), t.to_target, t.at, t.from_agent_id) for t in row.transfers),
    )
