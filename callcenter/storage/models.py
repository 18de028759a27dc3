"""The tables, as typed declarative models.

Portable types only (JSON, timezone-aware UTC timestamps via ``UtcDateTime``,
``Numeric`` read as float) so one schema serves SQLite and PostgreSQL.
Constraint names follow a naming convention so migrations are stable.
The indexes serve the screen-pop path: phone -> customer, a customer's last
interactions, a customer's open cases.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from callcenter.storage.types import UtcDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Money = Numeric(14, 2, asdecimal=False)
ROLES = ("agent", "supervisor", "qa", "planner", "admin")
OFFER_OUTCOMES = ("answered", "no-answer", "abandoned", "rejected")
TRANSFER_KINDS = ("blind", "attended")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dt.datetime: UtcDateTime(), dict[str, Any]: JSON(), list[str]: JSON()}


class CustomerRow(Base):
    __tablename__ = "customers"
    __table_args__ = (
        CheckConstraint(_in("tier", ("A1", "A2", "A3", "A4", "A5")), name="tier"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    account_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    tier: Mapped[str | None] = mapped_column(String(2))
    clv: Mapped[float | None] = mapped_column(Money)
    monthly_profit: Mapped[float | None] = mapped_column(Money)
    rfm_r: Mapped[int | None] = mapped_column(Integer)
    rfm_f: Mapped[int | None] = mapped_column(Integer)
    rfm_m: Mapped[int | None] = mapped_column(Integer)
    rfm_score: Mapped[int | None] = mapped_column(Integer)
    segment: Mapped[str | None] = mapped_column(String(20))
    dedicated_agent_id: Mapped[str | None] = mapped_column(String(64))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]

    phones: Mapped[list[PhoneRow]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="PhoneRow.position", lazy="selectin"
    )


class PhoneRow(Base):
    __tablename__ = "customer_phones"
    __table_args__ = (UniqueConstraint("customer_id", "e164", name="uq_customer_phones_customer_e164"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    e164: Mapped[str] = mapped_column(String(16), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)  # 0: the primary number

    customer: Mapped[CustomerRow] = relationship(back_populates="phones")


class TransactionRow(Base):
    __tablename__ = "transactions"
    __table_args__ = (Index("ix_transactions_customer_date", "customer_id", "date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[float] = mapped_column(Money)
    margin: Mapped[float] = mapped_column(Money)
    product: Mapped[str] = mapped_column(String(60), default="")


class InteractionRow(Base):
    __tablename__ = "interactions"
    __table_args__ = (Index("ix_interactions_customer_arrived", "customer_id", "arrived_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the call id (Asterisk Linkedid)
    channel: Mapped[str] = mapped_column(String(16), default="voice")
    direction: Mapped[str] = mapped_column(String(16), default="inbound")
    caller_number: Mapped[str | None] = mapped_column(String(40))
    customer_id: Mapped[str | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    arrived_at: Mapped[dt.datetime]
    ivr_path: Mapped[list[str]] = mapped_column(default=list)
    ivr_inputs: Mapped[dict[str, Any]] = mapped_column(default=dict)
    queue: Mapped[str | None] = mapped_column(String(64))
    enqueued_at: Mapped[dt.datetime | None]
    answered_at: Mapped[dt.datetime | None]
    agent_id: Mapped[str | None] = mapped_column(String(64))
    ended_at: Mapped[dt.datetime | None]
    wrap_up_end: Mapped[dt.datetime | None]
    abandoned: Mapped[bool] = mapped_column(Boolean, default=False)
    abandoned_at: Mapped[dt.datetime | None]
    disposition: Mapped[str | None] = mapped_column(String(64))
    notes: Mapped[str] = mapped_column(Text, default="")
    recording_ref: Mapped[str | None] = mapped_column(String(255))
    end_cause: Mapped[str | None] = mapped_column(String(64))

    offers: Mapped[list[OfferRow]] = relationship(order_by="OfferRow.id", lazy="raise")
    holds: Mapped[list[HoldRow]] = relationship(order_by="HoldRow.id", lazy="raise")
    transfers: Mapped[list[TransferRow]] = relationship(order_by="TransferRow.id", lazy="raise")


class OfferRow(Base):
    """One agent offered the call (a leg): rang, then answered or not."""

    __tablename__ = "interaction_offers"
    __table_args__ = (
        CheckConstraint(_in("outcome", OFFER_OUTCOMES), name="outcome"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    interaction_id: Mapped[str] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[str] = mapped_column(String(64))
    offered_at: Mapped[dt.datetime]
    outcome: Mapped[str | None] = mapped_column(String(16))
    outcome_at: Mapped[dt.datetime | None]


class HoldRow(Base):
    __tablename__ = "interaction_holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    interaction_id: Mapped[str] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]


class TransferRow(Base):
    __tablename__ = "interaction_transfers"
    __table_args__ = (CheckConstraint(_in("kind", TRANSFER_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    interaction_id: Mapped[str] = mapped_column(ForeignKey("interactions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    from_agent_id: Mapped[str | None] = mapped_column(String(64))
    to_target: Mapped[str] = mapped_column(String(64))  # an agent, a queue or a number
    at: Mapped[dt.datetime]


class CaseRow(Base):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(_in("status", ("open", "pending", "closed")), name="status"),
        Index("ix_cases_customer_status", "customer_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(24))
    opened_at: Mapped[dt.datetime]
    due_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="open")
    owner_agent_id: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text, default="")
    interaction_id: Mapped[str | None] = mapped_column(ForeignKey("interactions.id", ondelete="SET NULL"))


class AgentStateRow(Base):
    __tablename__ = "agent_state_log"
    __table_args__ = (Index("ix_agent_state_log_agent_at", "agent_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agent_id: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(64))
    at: Mapped[dt.datetime]
    call_id: Mapped[str | None] = mapped_column(String(64))


class UserRow(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(16))
    agent_id: Mapped[str | None] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime]
