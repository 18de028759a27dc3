"""Customers, their phone numbers and transactions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.crm.model import Customer, CustomerValue, Rfm, Segment, Tier, Transaction
from callcenter.crm.phones import DEFAULT_REGION, normalize, try_normalize
from callcenter.storage.models import CustomerRow, PhoneRow, TransactionRow

_CHUNK = 500  # ids per IN (...) list: well under SQLite's variable limit


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


def to_customer(row: CustomerRow) -> Customer:
    """The plain value of a customer row (phones loaded)."""
    rfm = None
    if row.rfm_r is not None and row.rfm_f is not None and row.rfm_m is not None:
        rfm = Rfm(row.rfm_r, row.rfm_f, row.rfm_m)
    return Customer(
        id=row.id,
        name=row.name,
        phones=tuple(p.e164 for p in row.phones),
        account_number=row.account_number,
        tier=Tier(row.tier) if row.tier else None,
        clv=row.clv,
        monthly_profit=row.monthly_profit,
        rfm=rfm,
        segment=Segment(row.segment) if row.segment else None,
        dedicated_agent_id=row.dedicated_agent_id,
        notes=row.notes,
    )


class Customers:
    """Customer lookups and writes over one session.

    Phone numbers are stored in E.164; lookups normalize their input with
    ``region`` for numbers written without a country code.
    """

    def __init__(self, session: AsyncSession, region: str = DEFAULT_REGION) -> None:
        self.session = session
        self.region = region

    async def get(self, customer_id: str) -> Customer | None:
        row = await self.session.get(CustomerRow, customer_id)
        return to_customer(row) if row else None

    async def find_all_by_phone(self, number: str | None) -> tuple[Customer, ...]:
        """Every customer with this number, most valuable first."""
        e164 = try_normalize(number, self.region)
        if e164 is None:
            return ()
        query = (
            select(CustomerRow)
            .join(PhoneRow, PhoneRow.customer_id == CustomerRow.id)
            .where(PhoneRow.e164 == e164)
            .order_by(func.coalesce(CustomerRow.tier, "A9"), PhoneRow.position, CustomerRow.id)
        )
        rows = (await self.session.scalars(query)).unique().all()
        return tuple(to_customer(r) for r in rows)

    async def find_by_phone(self, number: str | None) -> Customer | None:
        """The customer calling from ``number``, in any written form.

        A number shared by several customers (a household line) gives the
        most valuable one. Missing or invalid numbers (anonymous callers)
        give None.
        """
        found = await self.find_all_by_phone(number)
        return found[0] if found else None

    async def find_by_account(self, account_number: str) -> Customer | None:
        query = select(CustomerRow).where(CustomerRow.account_number == account_number.strip())
        row = (await self.session.scalars(query)).first()
        return to_customer(row) if row else None

    async def upsert(self, customer: Customer, at: dt.datetime) -> Customer:
        """Insert or update one customer (and its phones); commits.

        Raises:
            InvalidPhoneNumber: one of the phones is not a valid number.
        """
        await self.upsert_many([customer], at)
        stored = await self.get(customer.id)
        assert stored is not None
        return stored

    async def upsert_many(self, customers: Sequence[Customer], at: dt.datetime) -> int:
        """Insert or update customers' identity fields and phones; one commit.

        Value fields (tier, CLV, RFM, segment) are left alone: ``set_values``
        writes them. Returns how many were new.

        Raises:
            InvalidPhoneNumber: a phone is not a valid number (nothing written).
        """
        normalized = {c.id: [normalize(p, self.region) for p in c.phones] for c in customers}
        existing: dict[str, CustomerRow] = {}
        for chunk in _chunks([c.id for c in customers]):
            rows = await self.session.scalars(select(CustomerRow).where(CustomerRow.id.in_(chunk)))
            existing.update((r.id, r) for r in rows)
        created = 0
        for customer in customers:
            row = existing.get(customer.id)
            if row is None:
                row = CustomerRow(id=customer.id, created_at=at, phones=[])
                self.session.add(row)
                existing[customer.id] = row
                created += 1
            row.name = customer.name
            row.account_number = customer.account_number or None
            row.dedicated_agent_id = customer.dedicated_agent_id or None
            row.notes = customer.notes
            row.updated_at = at
            _set_phones(row, normalized[customer.id])
        await self.session.commit()
        return created

    async def set_values(self, values: Mapping[str, CustomerValue], at: dt.datetime) -> None:
        """Write computed value fields of many customers; one commit."""
        rows = [
            {
                "id": cid, "tier": v.tier.value, "clv": v.clv, "monthly_profit": v.monthly_profit,
                "rfm_r": v.rfm.r, "rfm_f": v.rfm.f, "rfm_m": v.rfm.m, "rfm_score": v.rfm.score,
                "segment": v.segment.value, "updated_at": at,
            }
            for cid, v in values.items()
        ]
        if rows:
            await self.session.execute(update(CustomerRow), rows)
        await self.session.commit()

    async def ids(self) -> list[str]:
        """Every customer id."""
        return list(await self.session.scalars(select(CustomerRow.id).order_by(CustomerRow.id)))

    async def count(self) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(CustomerRow)) or 0)


def _set_phones(row: CustomerRow, numbers: Sequence[str]) -> None:
    # Keep rows of numbers still there (a delete and re-insert of the same
    # number in one flush would trip the unique constraint).
    wanted = list(dict.fromkeys(numbers))
    keep = {p.e164: p for p in row.phones if p.e164 in wanted}
    row.phones = [keep.get(n) or PhoneRow(e164=n) for n in wanted]
    for position, phone in enumerate(row.phones):
        phone.position = position


class Transactions:
    """Customers' transactions over one session."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add_many(self, transactions: Sequence[Transaction]) -> None:
        """Append transactions; one commit."""
        if transactions:
            await self.session.execute(insert(TransactionRow), [
                {"customer_id": t.customer_id, "date": t.date, "amount": t.amount, "margin": t.margin,
                 "product": t.product}
                for t in transactions
            ])
        await self.session.commit()

    async def for_customers(self, customer_ids: Sequence[str] | None = None) -> list[Transaction]:
        """Transactions of these customers (None: everyone), oldest first."""
        # Plain column rows, not ORM objects: this reads whole populations.
        t = TransactionRow
        query = select(t.customer_id, t.date, t.amount, t.margin, t.product).order_by(t.customer_id, t.date, t.id)
        if customer_ids is None:
            return [Transaction(c, d, float(a), float(m), p) for c, d, a, m, p in await self.session.execute(query)]
        out: list[Transaction] = []
        for chunk in _chunks(list(customer_ids)):
            rows = await self.session.execute(query.where(t.customer_id.in_(chunk)))
            out.extend(Transaction(c, d, float(a), float(m), p) for c, d, a, m, p in rows)
        return out

    async def latest_date(self) -> dt.date | None:
        """The date of the most recent transaction, None when there is none."""
        latest: dt.date | None = await self.session.scalar(select(func.max(TransactionRow.date)))
        return latest

