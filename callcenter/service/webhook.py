"""Screen-pop webhooks: POST the pop to an external CRM, never blocking a call.

Each post runs as its own task with a short timeout; a failure is logged
(the URL without its query, which may carry ids) and counted, never raised
into call handling.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit

import httpx

log = logging.getLogger(__name__)


def _safe(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{parts.path}"


class PopWebhooks:
    """Fire-and-forget JSON posts with a bounded wait at shutdown."""

    def __init__(self, timeout_s: float = 2.0) -> None:
        self.timeout_s = timeout_s
        self.sent = 0
        self.failed = 0
        self._client: httpx.AsyncClient | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def post(self, url: str, payload: dict[str, Any]) -> None:
        """Queue one POST of ``payload`` to ``url``."""
        task = asyncio.get_running_loop().create_task(self._send(url, payload), name="pop-webhook")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send(self, url: str, payload: dict[str, Any]) -> None:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout_s)
        try:
            response = await self._client.post(url, json=payload)
            response.raise_for_status()
            self.sent += 1
        except httpx.HTTPError as exc:
            self.failed += 1
            log.warning("screen-pop webhook to %s failed: %s", _safe(url), type(exc).__name__)

    async def close(self) -> None:
        """Let posts under way finish (within the timeout), then close."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=self.timeout_s)
        for task in self._tasks:
            task.cancel()
        if self._client is not None:
            await self._client.aclose()
            self._client = None
