"""Stores for the live-state contract tests: in process, and on a real redis-server.

Redis comes from ``REDIS_URL`` when set; otherwise one throwaway
redis-server is started for the session (free port, temporary folder) and
stopped at the end. Without a redis-server binary the Redis cases are
skipped with the reason, or fail when ``CI=true``. Every test works under
its own random key prefix and deletes only those keys afterwards.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest
from redis import Redis

from callcenter.state import MemoryStore, StateStore
from callcenter.state.redis_store import RedisStore
from callcenter.state.testing import LocalRedis, redis_server_binary

T = TypeVar("T")


def unavailable(reason: str) -> None:
    """Skip a Redis case with the reason, or fail in CI where Redis is required."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"Redis required in CI: {reason}")
    pytest.skip(f"Redis not available: {reason}")


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """URL of a Redis server for the session (``REDIS_URL``, or one started here)."""
    url = os.environ.get("REDIS_URL")
    if url:
        yield url
        return
    if redis_server_binary() is None:
        unavailable("REDIS_URL is not set and no redis-server binary is on PATH")
    server = LocalRedis()
    server.start()
    try:
        yield server.url
    finally:
        server.close()


def new_prefix() -> str:
    return "test-" + secrets.token_hex(6)


def delete_prefix(url: str, prefix: str) -> None:
    """Delete the keys of one prefix (never anything else on a shared server)."""
    with Redis.from_url(url) as client:
        keys = list(client.scan_iter(match="{" + prefix + "}:*", count=1000))
        for start in range(0, len(keys), 500):
            client.delete(*keys[start : start + 500])


class Stores:
    """Opens store objects on one backend: each ``open()`` is a new node's view.

    For Redis every ``open()`` is a new client (its own connections) on the
    same keys; in process there is one store, shared.
    """

    def __init__(self, kind: str, url: str | None = None) -> None:
        self.kind = kind
        self.url = url
        self.prefix = new_prefix()
        self._memory: MemoryStore | None = None
        self._opened: list[StateStore] = []

    def open(self, **options: Any) -> StateStore:
        if self.kind == "memory":
            if self._memory is None:
                self._memory = MemoryStore()
                self._opened.append(self._memory)
            return self._memory
        assert self.url is not None
        store = RedisStore.from_url(self.url, prefix=self.prefix, **options)
        self._opened.append(store)
        return store

    def run(self, body: Callable[[], Awaitable[T]]) -> T:
        """Run one test body on a fresh loop; close every store it opened."""

        async def main() -> T:
            try:
                return await body()
            finally:
                for store in self._opened:
                    await store.close()
                self._opened.clear()
                self._memory = None

        return asyncio.run(main())

    def cleanup(self) -> None:
        if self.kind == "redis" and self.url is not None:
            delete_prefix(self.url, self.prefix)


@pytest.fixture(params=["memory", "redis"])
def stores(request: pytest.FixtureRequest) -> Iterator[Stores]:
    """The same contract test, once per store."""
    url = request.getfixturevalue("redis_url") if request.param == "redis" else None
    backend = Stores(request.param, url)
    try:
        yield backend
    finally:
        backend.cleanup()


@pytest.fixture
def redis_stores(redis_url: str) -> Iterator[Stores]:
    """Redis only (restarts, several clients, key layout)."""
    backend = Stores("redis", redis_url)
    try:
        yield backend
    finally:
        backend.cleanup()


@pytest.fixture
def own_redis() -> Iterator[LocalRedis]:
    """A redis-server this test owns and may kill and restart (append-only persistence on)."""
    if redis_server_binary() is None:
        unavailable("no redis-server binary on PATH to start (and restart) one")
    server = LocalRedis(appendonly=True)
    server.start()
    try:
        yield server
    finally:
        server.close()
