"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

import asyncio

from callcenter.storage.migrate import current_revision, downgrade_async, head_revision, schema_diff, upgrade_async


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    assert asyncio.run(schema_diff(db_url)) == []
    assert asyncio.run(current_revision(db_url)) == head_revision()


def test_downgrade_to_empty_and_back(sqlite_url: str) -> None:
    async def scenario() -> None:
        await downgrade_async(sqlite_url, "base")
        assert await current_revision(sqlite_url) is None
        assert len(await schema_diff(sqlite_url)) > 0
        await upgrade_async(sqlite_url)
        assert await schema_diff(sqlite_url) == []

    asyncio.run(scenario())
