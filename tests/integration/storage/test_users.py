"""Users with argon2 password hashes."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from sqlalchemy import select

from callcenter.storage.db import Database
from callcenter.storage.errors import DuplicateUser
from callcenter.storage.models import UserRow
from callcenter.storage.users import Role, Users

NOW = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone.utc)


def test_passwords_are_stored_as_argon2_hashes_and_verified(db_url: str) -> None:
    async def scenario() -> None:
        async with Database(db_url) as db, db.session() as session:
            users = Users(session)
            added = await users.add("mei", Role.SUPERVISOR, "correct horse", NOW, "Mei Kuo", agent_id="a12")
            assert (added.role, added.agent_id, added.active) == (Role.SUPERVISOR, "a12", True)
            stored = (await session.scalars(select(UserRow.password_hash))).one()
            assert stored.startswith("$argon2id$") and "correct horse" not in stored
            assert (await users.verify("mei", "correct horse")) == added
            assert await users.verify("mei", "wrong horse") is None
            assert await users.verify("nobody", "correct horse") is None
            with pytest.raises(DuplicateUser):
                await users.add("mei", Role.AGENT, "x", NOW)
            await users.set_active("mei", False)
            assert await users.verify("mei", "correct horse") is None
            await users.set_active("mei", True)
            await users.set_password("mei", "battery staple")
            assert await users.verify("mei", "correct horse") is None
            assert await users.verify("mei", "battery staple") is not None
            assert [u.username for u in await users.list_all()] == ["mei"]

    asyncio.run(scenario())
