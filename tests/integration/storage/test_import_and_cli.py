"""CSV import with row errors, and the db, crm and users commands."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

from callcenter.cli.crm import crm
from callcenter.cli.db import db as db_group
from callcenter.cli.users import users
from callcenter.crm.importer import import_files
from callcenter.crm.population import generate, tier_counts
from callcenter.storage.customers import Customers
from callcenter.storage.db import Database
from callcenter.storage.users import Users

NOW = dt.datetime(2025, 7, 1, tzinfo=dt.timezone.utc)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_good_rows_are_imported_and_bad_rows_reported_with_their_place(db_url: str, tmp_path: Path) -> None:
    customers = _write(tmp_path / "customers.csv", (
        "customer_id,name,phones,account_number,dedicated_agent_id,notes\n"
        "C1,Chen Mei-Ling,0912-345-678;02 2345 6789,ACC-1,a27,\n"
        "C2,,0912-000-001,ACC-2,,\n"           # line 3: no name
        "C3,Lin Po-Han,12345,ACC-3,,\n"        # line 4: bad phone
        "C4,Wang Yu-Chen,0933 111 222,ACC-1,,\n"  # line 5: account taken on line 2
        "C5,Wu Tzu-Yi,0988-765-432,,,\"likes, commas\"\n"
    ))
    transactions = _write(tmp_path / "transactions.csv", (
        "customer_id,date,amount,margin,product\n"
        "C1,2025-06-01,100000,80000,fund\n"
        "C1,2025-06-31,10,1,fund\n"          # line 3: bad date
        "C5,2025-06-02,5000,-2000,credit card\n"
        "C9,2025-06-02,5000,200,savings\n"   # line 5: unknown customer
        "C5,2025-06-03,abc,1,savings\n"      # line 6: bad amount
    ))

    async def scenario() -> None:
        async with Database(db_url) as db:
            report = await import_files(db, customers, transactions, now=NOW)
            assert (report.customers_new, report.transactions_added) == (2, 2)
            assert sorted((Path(e.file).name, e.line, e.column) for e in report.errors) == [
                ("customers.csv", 3, "name"), ("customers.csv", 4, "phones"), ("customers.csv", 5, "account_number"),
                ("transactions.csv", 3, "date"), ("transactions.csv", 5, "customer_id"),
                ("transactions.csv", 6, "amount"),
            ]
            assert report.as_of == dt.date(2025, 6, 2)
            again = await import_files(db, customers, transactions, now=NOW)
            assert (again.customers_new, again.customers_updated, again.transactions_duplicate) == (0, 2, 2)
            async with db.session() as session:
                c1 = await Customers(session).find_by_phone("+886223456789")
                c5 = await Customers(session).get("C5")
            assert c1 is not None and c1.tier is not None and c1.tier.value == "A1"  # 80,000 / 24 months
            assert c5 is not None and c5.tier is not None and c5.tier.value == "A4" and c5.notes == "likes, commas"

    asyncio.run(scenario())


def test_a_generated_population_imports_back_into_its_tiers(db_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(crm, ["generate", "--customers", "150", "--seed", "11", "--as-of", "2025-06-30",
                                 "--out-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(db_group, ["upgrade", "--url", db_url]).exit_code == 0
    result = runner.invoke(crm, ["import", "--db", db_url, "--customers", str(tmp_path / "customers.csv"),
                                 "--transactions", str(tmp_path / "transactions.csv"),
                                 "--cases", str(tmp_path / "cases.csv")])
    assert result.exit_code == 0, result.output
    assert "customers: 150 new" in result.output and "no errors" in result.output
    population = generate(150, 11, dt.date(2025, 6, 30))

    async def tiers() -> Counter[str]:
        async with Database(db_url) as db, db.session() as session:
            found = [await Customers(session).get(c.id) for c in population.customers]
        return Counter(c.tier.value for c in found if c is not None and c.tier is not None)

    assert asyncio.run(tiers()) == {t.value: n for t, n in tier_counts(150).items()}


def test_import_reports_bad_rows_with_exit_status_1(sqlite_url: str, tmp_path: Path) -> None:
    customers = _write(tmp_path / "c.csv", "customer_id,name,phones\nC1,A,0912345678\nC2,B,nope\n")
    result = CliRunner().invoke(crm, ["import", "--db", sqlite_url, "--customers", str(customers)])
    assert result.exit_code == 1
    assert f"{customers}:3: phones:" in result.output


def test_commands_refuse_a_database_without_schema(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    result = CliRunner().invoke(users, ["add", "--db", url, "--username", "u", "--role", "agent",
                                        "--password-stdin"], input="pw\n")
    assert result.exit_code == 1 and "callcenter db upgrade" in result.output


def test_users_add_with_password_from_stdin(sqlite_url: str) -> None:
    runner = CliRunner()
    result = runner.invoke(users, ["add", "--db", sqlite_url, "--username", "yu", "--role", "agent",
                                   "--agent-id", "a13", "--password-stdin"], input="s3cret\n")
    assert result.exit_code == 0, result.output
    again = runner.invoke(users, ["add", "--db", sqlite_url, "--username", "yu", "--role", "qa",
                                  "--password-stdin"], input="x\n")
    assert again.exit_code == 1 and "exists already" in again.output

    async def verify() -> tuple[bool, bool]:
        async with Database(sqlite_url) as db, db.session() as session:
            right = await Users(session).verify("yu", "s3cret")
            wrong = await Users(session).verify("yu", "s3cret\n")
        return right is not None and right.agent_id == "a13", wrong is None

    assert asyncio.run(verify()) == (True, True)
    assert "yu" in runner.invoke(users, ["list", "--db", sqlite_url]).output
