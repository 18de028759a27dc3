"""Import customers, transactions and cases from CSV, then value everyone.

Rows are checked one by one (see ``csvfiles`` for the columns); a bad row is
reported with file, line and column and skipped, the good rows go in. After
the import, value fields (monthly profit, tier, CLV, RFM, segment) are
recomputed for the whole population: RFM quintiles are relative to it, so
new customers move everyone's cut points.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from callcenter.crm.csvfiles import RowError, read_cases, read_customers, read_transactions
from callcenter.crm.phones import DEFAULT_REGION
from callcenter.crm.value import ValueParams, assess
from callcenter.storage.cases import Cases
from callcenter.storage.customers import Customers, Transactions
from callcenter.storage.db import Database
from callcenter.storage.models import CustomerRow

_BATCH = 1000


@dataclass(frozen=True, slots=True)
class ImportReport:
    customers_new: int = 0
    customers_updated: int = 0
    transactions_added: int = 0
    transactions_duplicate: int = 0
    cases_added: int = 0
    customers_valued: int = 0
    as_of: dt.date | None = None
    errors: tuple[RowError, ...] = field(default_factory=tuple)

    def summary(self) -> str:
        """A few lines for people; errors are listed separately."""
        lines = [
            f"customers: {self.customers_new} new, {self.customers_updated} updated",
            f"transactions: {self.transactions_added} added, {self.transactions_duplicate} already there",
            f"cases: {self.cases_added} added",
            f"valued {self.customers_valued} customers as of {self.as_of}" if self.as_of else "nothing to value",
            f"{len(self.errors)} row(s) with errors" if self.errors else "no errors",
        ]
        return "\n".join(lines)


async def import_files(
    db: Database,
    customers: Path | None = None,
    transactions: Path | None = None,
    cases: Path | None = None,
    now: dt.datetime | None = None,
    region: str = DEFAULT_REGION,
    as_of: dt.date | None = None,
    params: ValueParams = ValueParams(),
) -> ImportReport:
    """Import the given files into a connected, migrated database.

    Args:
        now: time stamped on created/updated rows (default: the wall clock).
        region: for phone numbers written without a country code.
        as_of: end of the value window; default the latest transaction date
            in the database (so an old file still values as it was), or
            today when there are no transactions.
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    errors: list[RowError] = []
    new = updated = added = duplicate = cases_added = 0
    async with db.session() as session:
        known: set[str] = set(await Customers(session, region).ids())
        accounts = {a: c for c, a in await session.execute(
            select(CustomerRow.id, CustomerRow.account_number).where(CustomerRow.account_number.is_not(None)))}
        if customers is not None:
            parsed = read_customers(customers, region)
            errors.extend(parsed.errors)
            good = []
            for line, customer in parsed.rows:
                owner = accounts.get(customer.account_number or "")
                if owner is not None and owner != customer.id:
                    errors.append(RowError(str(customers), line, "account_number",
                                           f"{customer.account_number!r} belongs to customer {owner}"))
                    continue
                good.append(customer)
            for start in range(0, len(good), _BATCH):
                batch = good[start:start + _BATCH]
                created = await Customers(session, region).upsert_many(batch, now)
                new += created
                updated += len(batch) - created
            known.update(c.id for c in good)
        if transactions is not None:
            parsed_t = read_transactions(transactions)
            errors.extend(parsed_t.errors)
            involved = sorted({t.customer_id for _, t in parsed_t.rows} & known)
            existing = {(t.customer_id, t.date, t.amount, t.margin, t.product)
                        for t in await Transactions(session).for_customers(involved)}
            fresh = []
            for line, txn in parsed_t.rows:
                if txn.customer_id not in known:
                    errors.append(RowError(str(transactions), line, "customer_id",
                                           f"unknown customer {txn.customer_id!r}"))
                    continue
                key = (txn.customer_id, txn.date, round(txn.amount, 2), round(txn.margin, 2), txn.product)
                if key in existing:
                    duplicate += 1
                    continue
                existing.add(key)
                fresh.append(txn)
            for start in range(0, len(fresh), _BATCH * 10):
                await Transactions(session).add_many(fresh[start:start + _BATCH * 10])
            added = len(fresh)
        if cases is not None:
            parsed_c = read_cases(cases)
            errors.extend(parsed_c.errors)
            for line, case in parsed_c.rows:
                if case.customer_id not in known:
                    errors.append(RowError(str(cases), line, "customer_id", f"unknown customer {case.customer_id!r}"))
                    continue
                await Cases(session).open(case.customer_id, case.kind, case.opened_at, case.summary,
                                          case.owner_agent_id, case.due_at, status=case.status)
                cases_added += 1
    valued, window_end = await revalue(db, now=now, as_of=as_of, params=params)
    return ImportReport(new, updated, added, duplicate, cases_added, valued, window_end, tuple(errors))


async def revalue(
    db: Database, now: dt.datetime, as_of: dt.date | None = None, params: ValueParams = ValueParams()
) -> tuple[int, dt.date | None]:
    """Recompute every customer's value fields; returns (count, as_of used)."""
    async with db.session() as session:
        ids = await Customers(session).ids()
        if not ids:
            return 0, None
        txns = Transactions(session)
        window_end = as_of or await txns.latest_date() or now.date()
        values = assess(ids, await txns.for_customers(), window_end, params)
        await Customers(session).set_values(values, now)
    return len(values), window_end
