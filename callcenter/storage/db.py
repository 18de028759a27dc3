"""The database handle: one async engine, built on ``connect()``, not import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from callcenter.storage.errors import StorageError

DEFAULT_URL = "sqlite+aiosqlite:///data/callcenter.db"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL: readers do not block the writer; foreign keys are off by default
    # in SQLite; NORMAL sync is crash-safe in WAL (a killed process loses
    # nothing committed, only a power cut may lose the last commits).
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=NORMAL", "busy_timeout=5000"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for other databases or in-memory."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


class Database:
    """A database reached through an async SQLAlchemy engine.

    Example::

        db = Database("sqlite+aiosqlite:///data/callcenter.db")
        await db.connect()
        async with db.session() as session:
            ...
        await db.dispose()
    """

    def __init__(self, url: str = DEFAULT_URL, *, echo: bool = False) -> None:
        self.url = url
        self.echo = echo
        self._engine: AsyncEngine | None = None
        self._sessions: async_sessionmaker[AsyncSession] | None = None

    @property
    def is_sqlite(self) -> bool:
        return make_url(self.url).get_backend_name() == "sqlite"

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            raise StorageError("database not connected: await Database.connect() first")
        return self._engine

    async def connect(self) -> None:
        """Build the engine (creating a SQLite file's folder) and check it answers."""
        if self._engine is not None:
            return
        path = sqlite_path(self.url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(self.url, echo=self.echo)
        if self.is_sqlite:
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        try:
            async with engine.connect():
                pass
        except Exception:
            await engine.dispose()
            raise
        self._engine = engine
        # expire_on_commit off: values read stay usable after each commit.
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def dispose(self) -> None:
        """Close every pooled connection."""
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None
            self._sessions = None

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A session; uncommitted work is rolled back when the block ends."""
        if self._sessions is None:
            raise StorageError("database not connected: await Database.connect() first")
        async with self._sessions() as session:
            yield session

    async def __aenter__(self) -> Database:
        await self.connect()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.dispose()
