"""Plain values of the CRM: customers, transactions, cases, past interactions.

Frozen and slotted, with no database behind them: repositories in
``callcenter.storage`` return these, and the pure functions in ``value`` and
``screenpop`` take them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

CustomerId = str

# Taiwan's Consumer Protection Act: a complaint not handled within 15 days
# may be escalated, so complaint cases carry that deadline.
COMPLAINT_DEADLINE = dt.timedelta(days=15)


class Tier(str, Enum):
    """Value tier by monthly profit, A1 most valuable (the bank table)."""

    A1 = "A1"
    A2 = "A2"
    A3 = "A3"
    A4 = "A4"
    A5 = "A5"

    @property
    def rank(self) -> int:
        """1 for A1 ... 5 for A5, the routing core's ``Call.tier``."""
        return int(self.value[1])


class Segment(str, Enum):
    """Profit x loyalty quadrant."""

    GOOD_FRIEND = "good friend"  # profitable and loyal
    BUTTERFLY = "butterfly"  # profitable, not loyal
    BARNACLE = "barnacle"  # loyal, low value
    STRANGER = "stranger"  # neither


class CaseKind(str, Enum):
    COMPLAINT = "complaint"
    REQUEST = "request"
    INQUIRY = "inquiry"
    CALLBACK = "callback"


class CaseStatus(str, Enum):
    OPEN = "open"
    PENDING = "pending"  # waiting on the customer or another department
    CLOSED = "closed"


OPEN_CASE_STATUSES = (CaseStatus.OPEN, CaseStatus.PENDING)


@dataclass(frozen=True, slots=True)
class Rfm:
    """Recency, frequency and monetary quintile scores, each 1 (worst) to 5."""

    r: int
    f: int
    m: int

    @property
    def code(self) -> str:
        """The usual three-digit cell, e.g. ``"545"``."""
        return f"{self.r}{self.f}{self.m}"

    @property
    def score(self) -> int:
        """Combined score, the sum of the three (3..15)."""
        return self.r + self.f + self.m


@dataclass(frozen=True, slots=True)
class Transaction:
    """One product transaction: what the customer paid and what the bank kept."""

    customer_id: CustomerId
    date: dt.date
    amount: float  # NT$
    margin: float  # NT$ profit (negative: the transaction lost money)
    product: str = ""


@dataclass(frozen=True, slots=True)
class CustomerValue:
    """What a customer is worth, computed by ``value.assess``."""

    monthly_profit: float
    tier: Tier
    clv: float
    rfm: Rfm
    segment: Segment


@dataclass(frozen=True, slots=True)
class Customer:
    """A customer as stored. Value fields are ``None`` until computed."""

    id: CustomerId
    name: str
    phones: tuple[str, ...] = ()  # E.164
    account_number: str | None = None
    tier: Tier | None = None
    clv: float | None = None
    monthly_profit: float | None = None
    rfm: Rfm | None = None
    segment: Segment | None = None
    dedicated_agent_id: str | None = None
    notes: str = ""


@dataclass(frozen=True, slots=True)
class Case:
    """A service case: a complaint, a request, a promised callback."""

    id: int
    customer_id: CustomerId
    kind: CaseKind
    opened_at: dt.datetime
    status: CaseStatus
    due_at: dt.datetime | None = None
    owner_agent_id: str | None = None
    summary: str = ""
    interaction_id: str | None = None


@dataclass(frozen=True, slots=True)
class InteractionSummary:
    """One past contact, as the screen pop lists it."""

    id: str
    arrived_at: dt.datetime
    channel: str
    direction: str
    outcome: str  # answered, abandoned, not answered, in progress
    queue: str | None = None
    agent_id: str | None = None
    disposition: str | None = None
    notes: str = ""


def default_due_at(kind: CaseKind, opened_at: dt.datetime) -> dt.datetime | None:
    """The deadline a new case gets when none is given: complaints 15 days."""
    return opened_at + COMPLAINT_DEADLINE if kind is CaseKind.COMPLAINT else None
