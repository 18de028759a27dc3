"""``WS /api/events``: the live event stream of one console.

The client authenticates with ``?token=...`` or, better (URLs end up in
logs), with a first message ``{"type": "auth", "token": "..."}``. Then:

* server -> client: ``hello`` once; ``event`` for each service event (its
  ``to_dict()`` fields inline); ``ping`` after ``heartbeat_s`` of silence;
  ``pong`` to a client ``ping``; ``error`` then a close on a refusal
  (close code 4000 + the HTTP status: 4401, 4403, 4404).
* client -> server: ``ping`` (answered ``pong``) and ``pong`` (ignored).

An agent receives only their own events; supervisors and admins receive
all. One writer task owns the socket; a pump task drains the service's
subscription into a bounded buffer so the service never waits on a client.
A client that falls ``event_buffer`` events behind is closed (1013) and
should reconnect and reload its view. A closing client only ends its own
tasks and subscription.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from callcenter.api.context import ApiContext, context
from callcenter.api.errors import (
    AUTH_INVALID_TOKEN,
    AUTH_REQUIRED,
    REQUEST_INVALID,
    ErrorSpec,
    error_body,
    spec_for,
)
from callcenter.api.principal import Principal
from callcenter.service.errors import ServiceError
from callcenter.service.facade import ServiceEvent, Viewer, event_agent

log = logging.getLogger(__name__)
router = APIRouter()

# Close codes: 4000 + the HTTP status for a refusal (4401, 4403, 4404 ...);
# the standard 1013 "try again later" for a client too far behind, and 1012
# "service restart" when the service ends the stream.
CLOSE_UNAUTHORIZED = 4401
CLOSE_TOO_SLOW = 1013
CLOSE_SERVICE_STOPPING = 1012


class _Overflow(Exception):
    """The client's buffer is full."""


class _Ended(Exception):
    """The service closed the subscription (it is stopping)."""


def viewer_of(user: Principal) -> Viewer:
    return Viewer(user.username, user.role, user.agent_id)


def visible(user: Principal, event: ServiceEvent) -> bool:
    """Whether ``user`` may see ``event``: all for supervisors, own events for others.

    The service filters by viewer already; this second check is cheap, and a
    leak (another customer's screen pop) would be costly.
    """
    if user.supervises:
        return True
    agent = event_agent(event)
    return agent is not None and agent == user.agent_id


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat()


@router.websocket("/api/events")
async def events(websocket: WebSocket) -> None:
    """The live event stream; see the module docstring for the protocol."""
    ctx = context(websocket)
    await websocket.accept()
    try:
        login = await _authenticate(websocket, ctx)
    except WebSocketDisconnect:
        return
    if login is not None:
        await _Stream(websocket, ctx, *login).run()


async def _authenticate(websocket: WebSocket, ctx: ApiContext) -> tuple[Principal, str] | None:
    token = websocket.query_params.get("token")
    if token is None:
        first: str | None = None
        with anyio.move_on_after(ctx.settings.auth_timeout_s):
            first = await websocket.receive_text()
        if first is None:
            await _refuse(websocket, AUTH_REQUIRED, "send {\"type\": \"auth\", \"token\": ...} first")
            return None
        message = _parse(first)
        token = message.get("token") if message and message.get("type") == "auth" else None
        if not isinstance(token, str):
            await _refuse(websocket, AUTH_REQUIRED, "the first message must be {\"type\": \"auth\", \"token\": ...}")
            return None
    user = ctx.tokens.resolve(token)
    if user is None:
        await _refuse(websocket, AUTH_INVALID_TOKEN, "the token is unknown or expired: log in again")
        return None
    return user, token


async def _refuse(websocket: WebSocket, spec: ErrorSpec, message: str, code: int = CLOSE_UNAUTHORIZED) -> None:
    with contextlib.suppress(Exception):  # the client may be gone already
        await websocket.send_json({"type": "error", **error_body(spec, message)})
        await websocket.close(code, spec.id)


def _parse(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class _Stream:
    """One authenticated connection: pump, reader and writer."""

    def __init__(self, websocket: WebSocket, ctx: ApiContext, user: Principal, token: str) -> None:
        self.websocket = websocket
        self.ctx = ctx
        self.user = user
        self.token = token
        self.out: asyncio.Queue[dict[str, Any]] = asyncio.Queue(ctx.settings.event_buffer)

    async def run(self) -> None:
        try:
            subscription = self.ctx.center.subscribe(viewer_of(self.user))
        except ServiceError as exc:
            spec = spec_for(exc)
            await _refuse(self.websocket, spec, str(exc), 4000 + spec.status)
            return
        log.info("events: %s connected", self.user.username)
        close: tuple[int, str] | None = None
        # An anyio task group, like the server's own: the first part to end
        # (client gone, overflow, logout) cancels the other two, and a server
        # shutdown cancels all three cleanly.
        try:
            async with anyio.create_task_group() as group:

                async def part(run_part: Callable[[], Awaitable[None]]) -> None:
                    nonlocal close
                    try:
                        await run_part()
                    except _Ended:
                        close = (CLOSE_SERVICE_STOPPING, "the service is stopping: reconnect")
                    except _Overflow:
                        close = (CLOSE_TOO_SLOW, "too slow: reconnect and reload")
                    except _Unauthorized:
                        close = (CLOSE_UNAUTHORIZED, AUTH_INVALID_TOKEN.id)
                    except WebSocketDisconnect:
                        pass
                    except Exception as exc:  # one broken stream must not take the service down
                        log.warning("events: %s stream failed: %s", self.user.username, type(exc).__name__)
                    finally:
                        group.cancel_scope.cancel()

                group.start_soon(part, lambda: self._pump(subscription))
                group.start_soon(part, self._read)
                group.start_soon(part, self._write)
        finally:
            with anyio.CancelScope(shield=True):
                await _close_iterator(subscription)
                if close is not None and self.websocket.application_state == WebSocketState.CONNECTED:
                    with contextlib.suppress(Exception):
                        await self.websocket.close(*close)
            log.info("events: %s disconnected", self.user.username)

    async def _pump(self, subscription: AsyncIterator[ServiceEvent]) -> None:
        async for event in subscription:
            if visible(self.user, event):
                self._queue({"type": "event", **event.to_dict()})
        raise _Ended

    def _queue(self, message: dict[str, Any]) -> None:
        try:
            self.out.put_nowait(message)
        except asyncio.QueueFull:
            raise _Overflow from None

    async def _read(self) -> None:
        while True:
            message = _parse(await self.websocket.receive_text())
            kind = message.get("type") if message else None
            if kind == "ping":
                self._queue({"type": "pong", "at": _now()})
            elif kind not in ("pong", "auth"):
                self._queue({"type": "error", **error_body(REQUEST_INVALID, "expected {\"type\": \"ping\"}")})

    async def _write(self) -> None:
        user = self.user
        await self.websocket.send_json({
            "type": "hello",
            "user": {"username": user.username, "role": user.role.value, "agent_id": user.agent_id},
            "heartbeat_s": self.ctx.settings.heartbeat_s,
        })
        while True:
            message: dict[str, Any] | None = None
            with anyio.move_on_after(self.ctx.settings.heartbeat_s):
                message = await self.out.get()
            if message is None:
                # A silent stretch: check the login still holds, then ping.
                if self.ctx.tokens.resolve(self.token) is None:
                    raise _Unauthorized
                message = {"type": "ping", "at": _now()}
            await self.websocket.send_text(json.dumps(message, separators=(",", ":")))


class _Unauthorized(Exception):
    """The login behind the stream ended (logout or expiry)."""


async def _close_iterator(iterator: AsyncIterator[ServiceEvent]) -> None:
    close = getattr(iterator, "aclose", None) or getattr(iterator, "close", None)
    if close is not None:
        with contextlib.suppress(Exception):
            result = close()
            if asyncio.iscoroutine(result):
                await result
