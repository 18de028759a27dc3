"""Where the API checks passwords: the storage users, or a stand-in."""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import text

from callcenter.storage.db import Database
from callcenter.storage.users import User, Users


class UserDirectory(Protocol):
    """Checks credentials and reports whether its store answers."""

    async def verify(self, username: str, password: str) -> User | None:
        """The active user with that password, else None."""
        ...

    async def ping(self) -> bool:
        """True when the store answers."""
        ...


class DatabaseUsers:
    """The storage ``users`` table (argon2 hashes), one session per call."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def verify(self, username: str, password: str) -> User | None:
        async with self.db.session() as session:
            return await Users(session).verify(username, password)

    async def ping(self) -> bool:
        try:
            async with self.db.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        except Exception:  # any failure means "not ok"; health reports, it does not raise
            return False
        return True


def directory(users: Database | UserDirectory) -> UserDirectory:
    """A directory from a database handle, or the directory itself."""
    return DatabaseUsers(users) if isinstance(users, Database) else users
