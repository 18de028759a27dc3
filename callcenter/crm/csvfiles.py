"""CSV files of customers, transactions and cases: read with row errors, write.

Columns (a header line first; UTF-8, a BOM is accepted):

- customers.csv: ``customer_id`` (required, up to 32 characters), ``name``
  (required), ``phones`` (numbers separated by ``;``, any written form;
  the first is the primary), ``account_number``, ``dedicated_agent_id``,
  ``notes``.
- transactions.csv: ``customer_id``, ``date`` (YYYY-MM-DD), ``amount`` and
  ``margin`` (NT$, a dot for decimals; margin may be negative), ``product``.
- cases.csv: ``customer_id``, ``kind`` (complaint, request, inquiry,
  callback), ``opened_at`` (ISO 8601; without an offset it is UTC),
  ``status`` (open, pending, closed; default open), ``due_at`` (default: 15
  days after opening for complaints), ``owner_agent_id``, ``summary``.

A bad row is reported with file, line and column and left out; the good rows
are kept.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from callcenter.crm.errors import InvalidPhoneNumber
from callcenter.crm.model import Case, CaseKind, CaseStatus, Customer, Transaction, default_due_at
from callcenter.crm.phones import DEFAULT_REGION, normalize
from callcenter.crm.population import Population

CUSTOMER_COLUMNS = ("customer_id", "name", "phones", "account_number", "dedicated_agent_id", "notes")
TRANSACTION_COLUMNS = ("customer_id", "date", "amount", "margin", "product")
CASE_COLUMNS = ("customer_id", "kind", "opened_at", "status", "due_at", "owner_agent_id", "summary")
T = TypeVar("T")
E = TypeVar("E", CaseKind, CaseStatus)

REQUIRED = {
    "customers": ("customer_id", "name"),
    "transactions": ("customer_id", "date", "amount", "margin"),
    "cases": ("customer_id", "kind", "opened_at"),
}


@dataclass(frozen=True, slots=True)
class RowError:
    """What is wrong where: ``file:line: column: message``."""

    file: str
    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        column = f" {self.column}:" if self.column else ""
        return f"{self.file}:{self.line}:{column} {self.message}"


@dataclass(frozen=True, slots=True)
class Parsed(Generic[T]):
    """Good rows (with their line numbers) and the errors of one file."""

    rows: tuple[tuple[int, T], ...]
    errors: tuple[RowError, ...]


class _Bad(Exception):
    def __init__(self, column: str, message: str) -> None:
        self.column = column
        self.message = message


def _rows(path: Path, kind: str, errors: list[RowError]) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in REQUIRED[kind] if c not in header]
        if missing:
            errors.append(RowError(str(path), 1, None, f"missing column(s) {', '.join(missing)}; "
                                                        f"the header must name {', '.join(REQUIRED[kind])}"))
            return
        reader.fieldnames = header
        for record in reader:
            if None in record:
                errors.append(RowError(str(path), reader.line_num, None,
                                       f"{len(header) + len(record[None])} fields, the header has {len(header)}"))
                continue
            yield reader.line_num, {k: (v or "").strip() for k, v in record.items()}


def _required(row: dict[str, str], column: str) -> str:
    value = row.get(column, "")
    if not value:
        raise _Bad(column, "missing value")
    return value


def _number(row: dict[str, str], column: str) -> float:
    text = _required(row, column)
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        raise _Bad(column, f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise _Bad(column, f"not a finite number: {text!r}")
    return value


def _date(row: dict[str, str], column: str) -> dt.date:
    text = _required(row, column)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _Bad(column, f"not a date (YYYY-MM-DD): {text!r}") from None


def _time(row: dict[str, str], column: str, required: bool = True) -> dt.datetime | None:
    text = _required(row, column) if required else row.get(column, "")
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise _Bad(column, f"not an ISO 8601 time: {text!r}") from None
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)


def _choice(row: dict[str, str], column: str, enum: type[E], default: E | None) -> E:
    text = row.get(column, "").lower()
    if not text and default is not None:
        return default
    try:
        return enum(text)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise _Bad(column, f"{text!r} is not one of {allowed}") from None


def read_customers(path: Path, region: str = DEFAULT_REGION) -> Parsed[Customer]:
    """Read customers.csv; phones are normalized to E.164 with ``region``."""
    errors: list[RowError] = []
    good: list[tuple[int, Customer]] = []
    seen_ids: dict[str, int] = {}
    seen_accounts: dict[str, int] = {}
    for line, row in _rows(path, "customers", errors):
        try:
            cid = _required(row, "customer_id")
            if len(cid) > 32:
                raise _Bad("customer_id", "longer than 32 characters")
            if cid in seen_ids:
                raise _Bad("customer_id", f"{cid!r} already on line {seen_ids[cid]}")
            name = _required(row, "name")
            phones = []
            for raw in filter(None, (p.strip() for p in row.get("phones", "").split(";"))):
                try:
                    phones.append(normalize(raw, region))
                except InvalidPhoneNumber as exc:
                    raise _Bad("phones", f"{raw!r}: {exc.reason}") from None
            account = row.get("account_number") or None
            if account and account in seen_accounts:
                raise _Bad("account_number", f"{account!r} already on line {seen_accounts[account]}")
        except _Bad as bad:
            errors.append(RowError(str(path), line, bad.column, bad.message))
            continue
        seen_ids[cid] = line
        if account:
            seen_accounts[account] = line
        good.append((line, Customer(
            id=cid, name=name, phones=tuple(dict.fromkeys(phones)), account_number=account,
            dedicated_agent_id=row.get("dedicated_agent_id") or None, notes=row.get("notes", ""),
        )))
    return Parsed(tuple(good), tuple(errors))


def read_transactions(path: Path) -> Parsed[Transaction]:
    """Read transactions.csv (customer ids are checked by the importer)."""
    errors: list[RowError] = []
    good: list[tuple[int, Transaction]] = []
    for line, row in _rows(path, "transactions", errors):
        try:
            txn = Transaction(
                customer_id=_required(row, "customer_id"), date=_date(row, "date"),
                amount=_number(row, "amount"), margin=_number(row, "margin"), product=row.get("product", ""),
            )
        except _Bad as bad:
            errors.append(RowError(str(path), line, bad.column, bad.message))
            continue
        good.append((line, txn))
    return Parsed(tuple(good), tuple(errors))


def read_cases(path: Path) -> Parsed[Case]:
    """Read cases.csv; ids are given by the database, so ``Case.id`` is 0."""
    errors: list[RowError] = []
    good: list[tuple[int, Case]] = []
    for line, row in _rows(path, "cases", errors):
        try:
            kind = _choice(row, "kind", CaseKind, None)
            opened = _time(row, "opened_at")
            assert opened is not None
            due = _time(row, "due_at", required=False) or default_due_at(kind, opened)
            if due is not None and due < opened:
                raise _Bad("due_at", "before opened_at")
            case = Case(
                id=0, customer_id=_required(row, "customer_id"), kind=kind, opened_at=opened,
                status=_choice(row, "status", CaseStatus, CaseStatus.OPEN), due_at=due,
                owner_agent_id=row.get("owner_agent_id") or None, summary=row.get("summary", ""),
            )
        except _Bad as bad:
            errors.append(RowError(str(path), line, bad.column, bad.message))
            continue
        good.append((line, case))
    return Parsed(tuple(good), tuple(errors))


def _write(path: Path, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)


def write_population(population: Population, out_dir: Path) -> list[Path]:
    """Write customers.csv, transactions.csv and cases.csv; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / "customers.csv", out_dir / "transactions.csv", out_dir / "cases.csv"]
    _write(paths[0], CUSTOMER_COLUMNS, [
        (c.id, c.name, ";".join(c.phones), c.account_number or "", c.dedicated_agent_id or "", c.notes)
        for c in population.customers
    ])
    _write(paths[1], TRANSACTION_COLUMNS, [
        (t.customer_id, t.date.isoformat(), f"{t.amount:.2f}", f"{t.margin:.2f}", t.product)
        for t in population.transactions
    ])
    _write(paths[2], CASE_COLUMNS, [
        (c.customer_id, c.kind.value, c.opened_at.isoformat(), c.status.value,
         c.due_at.isoformat() if c.due_at else "", c.owner_agent_id or "", c.summary)
        for c in population.cases
    ])
    return paths
