"""Alembic, driven from code: ``upgrade(url)`` and a schema comparison.

The migration scripts ship inside the package (``migrations/``), so an
installed service can upgrade its database without an ``alembic.ini``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from callcenter.storage.db import Database
from callcenter.storage.errors import SchemaOutdated
from callcenter.storage.models import Base

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at the packaged migrations and ``url``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade_async(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` to ``revision``, inside a running loop."""
    await _run(url, lambda cfg: command.upgrade(cfg, revision))


async def downgrade_async(url: str, revision: str) -> None:
    """Migrate the database at ``url`` down to ``revision`` (``"base"``: empty)."""
    await _run(url, lambda cfg: command.downgrade(cfg, revision))


def head_revision() -> str | None:
    """The newest revision the package ships."""
    return ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


async def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at (None: never migrated)."""
    db = Database(url)
    await db.connect()
    try:
        async with db.engine.connect() as conn:
            return await conn.run_sync(lambda c: MigrationContext.configure(c).get_current_revision())
    finally:
        await db.dispose()


async def require_current(url: str) -> None:
    """Raise :class:`SchemaOutdated` unless the database is at the head revision."""
    current, head = await current_revision(url), head_revision()
    if current != head:
        raise SchemaOutdated(url, current, head)


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` to ``revision`` (from sync code)."""
    asyncio.run(upgrade_async(url, revision))


async def schema_diff(url: str) -> list[Any]:
    """Differences between the database's schema and the models (empty: same)."""
    db = Database(url)
    await db.connect()
    try:
        async with db.engine.connect() as conn:
            return await conn.run_sync(_compare)
    finally:
        await db.dispose()


def _compare(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": True})
    diff: list[Any] = compare_metadata(context, Base.metadata)
    return diff


async def _run(url: str, action: Any) -> None:
    # One connection handed to env.py, so migrations run in the caller's
    # loop instead of env.py starting its own.
    db = Database(url)
    await db.connect()
    try:
        async with db.engine.begin() as conn:
            def run(sync_conn: Connection) -> None:
                cfg = alembic_config(url)
                cfg.attributes["connection"] = sync_conn
                action(cfg)
            await conn.run_sync(run)
    finally:
        await db.dispose()
