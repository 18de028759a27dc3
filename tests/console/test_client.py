"""The API client: errors, and an event stream that survives a server going away.

The stream runs against a real local WebSocket server that plays the API's
protocol (auth message, hello, events, a close); HTTP goes through an httpx
transport that answers like the API.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from websockets.asyncio.server import ServerConnection, serve

from agent_console.client import (
    ApiClient,
    ApiError,
    Backoff,
    Connected,
    Disconnected,
    LoggedOut,
    SessionExpired,
    StreamItem,
    Unreachable,
    events_url,
    normalize_server,
)
from agent_console.model import AgentStateChanged

LOGIN = {"token": "t0k", "token_type": "bearer", "expires_in_s": 3600,
         "user": {"username": "a01", "role": "agent", "agent_id": "a01", "display_name": "Xin"}}


def api(routes: dict[tuple[str, str], tuple[int, Any]]) -> httpx.MockTransport:
    def handle(request: httpx.Request) -> httpx.Response:
        status, body = routes.get((request.method, request.url.path), (404, {"error": {"id": "route.not_found",
                                                                                       "message": "no route"}}))
        return httpx.Response(status, json=body)

    return httpx.MockTransport(handle)


def test_addresses() -> None:
    assert normalize_server("127.0.0.1:8080/") == "http://127.0.0.1:8080"
    assert events_url("https://cc.example/") == "wss://cc.example/api/events"
    assert events_url("http://127.0.0.1:8080") == "ws://127.0.0.1:8080/api/events"


def test_backoff_doubles_to_a_cap_with_jitter_and_resets() -> None:
    backoff = Backoff(first=0.5, cap=4.0, jitter=0.2, rand=lambda: 0.5)
    assert [backoff.next() for _ in range(6)] == [0.5, 1.0, 2.0, 4.0, 4.0, 4.0]
    backoff.reset()
    assert backoff.next() == 0.5
    low = Backoff(first=1.0, jitter=0.2, rand=lambda: 0.0)
    assert low.next() == pytest.approx(0.8)


def test_errors_carry_the_api_error_id() -> None:
    async def main() -> None:
        routes = {
            ("POST", "/api/login"): (200, LOGIN),
            ("POST", "/api/agents/me/not-ready"): (422, {"error": {"id": "reason.unknown",
                                                                   "message": "unknown reason 'nap'"}}),
            ("GET", "/api/agents/me"): (401, {"error": {"id": "auth.invalid_token", "message": "log in again"}}),
            ("POST", "/api/agents/me/calls/c1/answer"): (503, {"error": {"id": "switch.unavailable",
                                                                         "message": "the switch is down"}}),
        }
        client = ApiClient("http://cc.test", transport=api(routes))
        user = await client.login("a01", "pw")
        assert user.agent_id == "a01" and not user.supervises
        with pytest.raises(ApiError) as refused:
            await client.not_ready("nap")
        assert (refused.value.error_id, refused.value.status) == ("reason.unknown", 422)
        with pytest.raises(SessionExpired):
            await client.agent()
        with pytest.raises(Unreachable, match="the switch is down"):
            await client.answer("c1")
        await client.close()

    asyncio.run(main())


def test_a_server_that_is_not_there_is_unreachable() -> None:
    async def main() -> None:
        client = ApiClient("http://127.0.0.1:9", timeout_s=2.0)
        with pytest.raises(Unreachable, match="does not answer"):
            await client.login("a01", "pw")
        await client.close()

    asyncio.run(main())


class EventServer:
    """A WebSocket server speaking the API's event protocol; each
    connection runs the next script in ``scripts``."""

    def __init__(self, scripts: list[Callable[[ServerConnection], Any]]) -> None:
        self.scripts = scripts
        self.tokens: list[str] = []

    async def handler(self, ws: ServerConnection) -> None:
        auth = json.loads(await ws.recv())
        self.tokens.append(auth["token"])
        script = self.scripts.pop(0) if self.scripts else None
        if script is not None:
            await script(ws)


async def hello_then_event_then_drop(ws: ServerConnection) -> None:
    await ws.send(json.dumps({"type": "hello", "user": {}, "heartbeat_s": 15}))
    await ws.send(json.dumps({"type": "event", "event": "agent_state", "agent_id": "a01", "previous": "ready",
                              "state": "not_ready", "at": "2025-03-04T02:15:00+00:00", "reason": "break"}))
    await ws.close(1011, "going away")


async def hello_then_expire(ws: ServerConnection) -> None:
    await ws.send(json.dumps({"type": "hello", "user": {}, "heartbeat_s": 15}))
    await ws.close(4401, "auth.invalid_token")


def test_stream_reconnects_after_a_drop_and_stops_when_the_login_ends() -> None:
    async def main() -> list[StreamItem]:
        server = EventServer([hello_then_event_then_drop, hello_then_event_then_drop, hello_then_expire])
        async with serve(server.handler, "127.0.0.1", 0) as ws_server:
            port = ws_server.sockets[0].getsockname()[1]
            client = ApiClient(f"http://127.0.0.1:{port}", backoff=Backoff(first=0.05, cap=0.1),
                               transport=api({("POST", "/api/login"): (200, LOGIN)}))
            await client.login("a01", "pw")
            items = [item async for item in client.stream()]
            await client.close()
        assert server.tokens == ["t0k"] * 3
        return items

    items = asyncio.run(asyncio.wait_for(main(), 10))
    kinds = [type(item).__name__ for item in items]
    assert kinds == ["Connected", "AgentStateChanged", "Disconnected",
                     "Connected", "AgentStateChanged", "Disconnected",
                     "Connected", "LoggedOut"]
    first = items[1]
    assert isinstance(first, AgentStateChanged) and first.reason == "break"
    drop = items[2]
    assert isinstance(drop, Disconnected) and 0 < drop.retry_in_s <= 0.1
    assert isinstance(items[0], Connected) and isinstance(items[-1], LoggedOut)


def test_stream_retries_while_the_server_is_down() -> None:
    async def main() -> list[StreamItem]:
        client = ApiClient("http://127.0.0.1:9", backoff=Backoff(first=0.02, cap=0.08, jitter=0.0),
                           transport=api({("POST", "/api/login"): (200, LOGIN)}))
        await client.login("a01", "pw")
        items: list[StreamItem] = []
        async for item in client.stream():
            items.append(item)
            if len(items) == 4:
                break
        await client.close()
        return items

    items = asyncio.run(asyncio.wait_for(main(), 10))
    assert all(isinstance(item, Disconnected) for item in items)
    assert [item.retry_in_s for item in items if isinstance(item, Disconnected)] == [0.02, 0.04, 0.08, 0.08]
