"""Databases for the storage contract tests: a SQLite file and a real PostgreSQL.

PostgreSQL comes from ``CALLCENTER_TEST_PG_URL`` (default: a local server,
user postgres, database test). When that server does not answer, a
throwaway cluster is started from the Debian PostgreSQL binaries if they
exist; otherwise the PostgreSQL cases are skipped with the reason, or fail
when ``CI=true``. Each run gets its own database, dropped at the end.
"""

from __future__ import annotations

import asyncio
import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Awaitable, Iterator
from pathlib import Path
from typing import TypeVar

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from callcenter.storage.db import Database
from callcenter.storage.migrate import upgrade
from callcenter.storage.models import Base

T = TypeVar("T")
DEFAULT_PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def run(awaitable: Awaitable[T]) -> T:
    """Run one coroutine to completion (no async test plugin here)."""
    async def main() -> T:
        return await awaitable
    return asyncio.run(main())


def _plain(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _answers(url: str) -> str | None:
    try:
        conn = await asyncpg.connect(_plain(url), timeout=3)
    except (OSError, asyncpg.PostgresError, asyncio.TimeoutError) as exc:
        return f"{type(exc).__name__}: {exc}"
    await conn.close()
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL required in CI: {reason}")
    pytest.skip(f"PostgreSQL not available: {reason}")


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """URL of a PostgreSQL server that answers (its maintenance database)."""
    url = os.environ.get("CALLCENTER_TEST_PG_URL", DEFAULT_PG_URL)
    problem = run(_answers(url))
    if problem is None:
        yield url
        return
    initdb = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not initdb:
        _unavailable(f"{make_url(url).render_as_string(hide_password=True)}: {problem}; no initdb to start one")
    if os.geteuid() == 0:
        _unavailable(f"{problem}; initdb refuses to run as root")
    bindir = Path(initdb[-1]).parent
    data = Path(tempfile.mkdtemp(prefix="cc-pg-"))
    port = _free_port()
    try:
        subprocess.run([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"],
                       check=True, capture_output=True)
        subprocess.run([str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(data / "log"), "-o",
                        f"-p {port} -k {data} -c listen_addresses=127.0.0.1", "start"],
                       check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        shutil.rmtree(data, ignore_errors=True)
        _unavailable(f"{problem}; a throwaway cluster did not start: {exc}")
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], capture_output=True)
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_url(pg_server_url: str) -> Iterator[str]:
    """A database of its own for this run, migrated to the newest schema."""
    name = f"cc_test_{secrets.token_hex(6)}"

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(_plain(pg_server_url))
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    run(admin(f'CREATE DATABASE "{name}"'))
    url = make_url(pg_server_url).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        yield url
    finally:
        run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _truncate(url: str) -> None:
    tables = ", ".join(t.name for t in Base.metadata.sorted_tables)
    async with Database(url) as db, db.engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated database: a SQLite file, or the run's PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'cc.db'}"
        upgrade(url)
        return url
    url = str(request.getfixturevalue("pg_url"))
    run(_truncate(url))
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """An empty, migrated SQLite file."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'cc.db'}"
    upgrade(url)
    return url
