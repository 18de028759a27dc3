"""Console users: roles and argon2 password hashes."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from enum import Enum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.storage.errors import DuplicateUser, NotFound
from callcenter.storage.models import UserRow


class Role(str, Enum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    QA = "qa"
    PLANNER = "planner"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class User:
    """A user as the service sees it: never the hash."""

    id: int
    username: str
    role: Role
    display_name: str
    agent_id: str | None
    active: bool
    created_at: dt.datetime


def _user(row: UserRow) -> User:
    return User(row.id, row.username, Role(row.role), row.display_name, row.agent_id, row.active, row.created_at)


class Users:
    """Users over one session; writes commit.

    Hashing and verifying run in a worker thread: argon2 is deliberately
    slow (tens of ms) and must not stall the event loop.
    """

    def __init__(self, session: AsyncSession, hasher: PasswordHasher | None = None) -> None:
        self.session = session
        self.hasher = hasher or PasswordHasher()

    async def add(
        self,
        username: str,
        role: Role,
        password: str,
        at: dt.datetime,
        display_name: str = "",
        agent_id: str | None = None,
    ) -> User:
        """Create a user.

        Raises:
            DuplicateUser: the username is taken.
            ValueError: empty username or password.
        """
        if not username.strip() or not password:
            raise ValueError("username and password must not be empty")
        password_hash = await asyncio.to_thread(self.hasher.hash, password)
        row = UserRow(username=username.strip(), role=Role(role).value, password_hash=password_hash,
                      display_name=display_name, agent_id=agent_id, active=True, created_at=at)
        self.session.add(row)
        try:
            await self.session.commit()
        except IntegrityError:
            await self.session.rollback()
            raise DuplicateUser(username) from None
        return _user(row)

    async def get(self, username: str) -> User | None:
        row = await self._row(username)
        return _user(row) if row else None

    async def list_all(self) -> tuple[User, ...]:
        return tuple(_user(r) for r in await self.session.scalars(select(UserRow).order_by(UserRow.username)))

    async def verify(self, username: str, password: str) -> User | None:
        """The user if the password is right and the user active, else None.

        A hash made with older parameters is upgraded on success.
        """
        row = await self._row(username)
        if row is None or not row.active:
            return None
        try:
            await asyncio.to_thread(self.hasher.verify, row.password_hash, password)
        except (VerificationError, InvalidHashError):
            return None
        if self.hasher.check_needs_rehash(row.password_hash):
            row.password_hash = await asyncio.to_thread(self.hasher.hash, password)
            await self.session.commit()
        return _user(row)

    async def set_password(self, username: str, password: str) -> None:
        row = await self._require(username)
        row.password_hash = await asyncio.to_thread(self.hasher.hash, password)
        await self.session.commit()

    async def set_active(self, username: str, active: bool) -> None:
        row = await self._require(username)
        row.active = active
        await self.session.commit()

    async def _row(self, username: str) -> UserRow | None:
        return (await self.session.scalars(select(UserRow).where(UserRow.username == username.strip()))).first()

    async def _require(self, username: str) -> UserRow:
        row = await self._row(username)
        if row is None:
            raise NotFound("user", username)
        return row
