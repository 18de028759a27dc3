"""Storage writes in the order things happened, off the reaction path.

Every leg boundary (arrival, IVR, enqueue, offer, answer, hold, transfer,
end, wrap-up) and every agent state change is one write, committed on its
own (``callcenter.storage`` repositories commit per call). One writer task
applies them in submission order, so a call's rows never arrive out of
order and reactions never wait for the disk; a command that must be durable
before it returns (a wrap-up) awaits its write. Killed mid-call, the
database holds every boundary written so far, each one whole.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from callcenter.storage.db import Database

log = logging.getLogger(__name__)

Write = Callable[[AsyncSession], Awaitable[None]]


class Recorder:
    """A single ordered writer over a :class:`Database`."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.written = 0
        self.failed = 0
        self._queue: asyncio.Queue[tuple[Write, str, asyncio.Future[Exception | None]] | None] | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._queue = asyncio.Queue()
            self._task = asyncio.create_task(self._run(), name="storage-writer")

    def submit(self, write: Write, what: str) -> asyncio.Future[Exception | None]:
        """Queue a write; the future resolves to None, or the error it met
        (never raises, so unawaited failures are logged, not lost)."""
        fut: asyncio.Future[Exception | None] = asyncio.get_running_loop().create_future()
        if self._queue is None:
            fut.set_result(RuntimeError("storage writer not started"))
            return fut
        self._queue.put_nowait((write, what, fut))
        return fut

    @property
    def backlog(self) -> int:
        return 0 if self._queue is None else self._queue.qsize()

    async def flush(self) -> None:
        """Wait until everything submitted so far is written."""
        if self._queue is None:
            return
        done = self.submit(_noop, "flush")
        await done

    async def close(self) -> None:
        """Write what is queued, then stop the writer."""
        if self._queue is None or self._task is None:
            return
        self._queue.put_nowait(None)
        await self._task
        self._task = None
        self._queue = None

    async def _run(self) -> None:
        assert self._queue is not None
        queue = self._queue
        while True:
            item = await queue.get()
            if item is None:
                return
            write, what, fut = item
            error: Exception | None = None
            try:
                async with self.db.session() as session:
                    await write(session)
                self.written += 1
            except Exception as exc:  # a bad row must not stop the writer
                error = exc
                self.failed += 1
                log.warning("storage write failed (%s): %s", what, exc)
            if not fut.done():
                fut.set_result(error)


async def _noop(_: AsyncSession) -> None:
    return None
