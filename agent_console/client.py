"""The console's only way to the contact center: its HTTP and WebSocket API.

:class:`Client` is what the screens code against; :class:`ApiClient` is the
real one (httpx for requests, websockets for the event stream); tests pass a
hand-written fake. The stream reconnects on its own with backoff and says so
(:class:`Connected`, :class:`Disconnected`), so a screen can keep what it
shows while the server is away and reload when it comes back.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlsplit, urlunsplit

import httpx
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from agent_console.model import (
    Agent,
    Call,
    Callback,
    Catalog,
    Event,
    Snapshot,
    Spy,
    User,
    parse_event,
)

CLOSE_UNAUTHORIZED = 4401  # the API's close code for a dead token


class ApiError(Exception):
    """The API refused a request; ``error_id`` is its stable error id."""

    def __init__(self, message: str, error_id: str = "", status: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.error_id = error_id
        self.status = status


class Unreachable(ApiError):
    """The server did not answer (down, restarting, wrong address)."""


class SessionExpired(ApiError):
    """The login is gone (token expired or revoked): log in again."""


# --- what the stream yields besides events ------------------------------------


@dataclass(frozen=True, slots=True)
class Connected:
    """The stream is (again) live: reload what is shown."""


@dataclass(frozen=True, slots=True)
class Disconnected:
    """The stream is down; another try follows in ``retry_in_s``."""

    reason: str
    retry_in_s: float


@dataclass(frozen=True, slots=True)
class LoggedOut:
    """The server ended this login; the stream stops."""

    reason: str


StreamItem = Event | Connected | Disconnected | LoggedOut


class Client(Protocol):
    """What a console may ask of the contact center."""

    server: str
    user: User | None

    async def login(self, username: str, password: str) -> User: ...
    async def logout(self) -> None: ...
    async def close(self) -> None: ...
    async def catalog(self) -> Catalog: ...

    # the agent's own console ("me")
    async def agent(self) -> Agent: ...
    async def agent_login(self) -> Agent: ...
    async def agent_logout(self) -> Agent: ...
    async def ready(self) -> Agent: ...
    async def not_ready(self, reason: str) -> Agent: ...
    async def answer(self, call_id: str) -> Call: ...
    async def hangup(self, call_id: str) -> Call: ...
    async def hold(self, call_id: str) -> Call: ...
    async def unhold(self, call_id: str) -> Call: ...
    async def transfer(self, call_id: str, target_kind: str, target: str, attended: bool) -> Call: ...
    async def complete_transfer(self, call_id: str) -> Call: ...
    async def cancel_transfer(self, call_id: str) -> Call: ...
    async def wrap_up(self, call_id: str, disposition: str, notes: str) -> Agent: ...
    async def extend_wrap_up(self, seconds: float) -> Agent: ...
    async def dial(self, number: str) -> Call: ...
    async def callbacks(self) -> list[Callback]: ...

    # supervisors
    async def snapshot(self) -> Snapshot: ...
    async def force_state(self, agent_id: str, state: str, reason: str | None = None) -> Agent: ...
    async def set_skills(self, agent_id: str, skills: Mapping[str, int]) -> Agent: ...
    async def spy(self, agent_id: str, mode: str) -> Spy: ...
    async def end_spy(self, spy_id: str) -> None: ...

    def stream(self) -> AsyncIterator[StreamItem]:
        """Events until the login ends, reconnecting with backoff."""
        ...


# --- backoff -----------------------------------------------------------------


class Backoff:
    """Reconnect delays: doubling from ``first`` up to ``cap``, with jitter so
    a room of consoles does not reconnect in step after a restart."""

    def __init__(self, first: float = 0.5, cap: float = 10.0, jitter: float = 0.2,
                 rand: Callable[[], float] = random.random) -> None:
        self.first = first
        self.cap = cap
        self.jitter = jitter
        self._rand = rand
        self._next = first

    def next(self) -> float:
        """The delay before the next try (and double the one after)."""
        base = self._next
        self._next = min(self.cap, self._next * 2)
        return base * (1 - self.jitter + 2 * self.jitter * self._rand())

    def reset(self) -> None:
        self._next = self.first


# --- the real client ------------------------------------------------------------


def normalize_server(server: str) -> str:
    """``host:port`` or a URL -> ``http(s)://host:port`` without a trailing slash."""
    text = server.strip()
    if "://" not in text:
        text = "http://" + text
    return text.rstrip("/")


def events_url(server: str) -> str:
    """The WebSocket address of the event stream on ``server``."""
    parts = urlsplit(normalize_server(server))
    scheme = "wss" if parts.scheme == "https" else "ws"
    return urlunsplit((scheme, parts.netloc, parts.path.rstrip("/") + "/api/events", "", ""))


class ApiClient:
    """The contact center's API over HTTP and one WebSocket.

    Args:
        server: ``http://host:port`` (or ``host:port``).
        timeout_s: per request.
        backoff: reconnect delays of the event stream.
        transport: an httpx transport (tests only).
    """

    def __init__(self, server: str, timeout_s: float = 10.0, backoff: Backoff | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.server = normalize_server(server)
        self.user: User | None = None
        self.backoff = backoff or Backoff()
        self._token: str | None = None
        self._http = httpx.AsyncClient(base_url=self.server, timeout=timeout_s, transport=transport)

    async def close(self) -> None:
        await self._http.aclose()

    async def _call(self, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        try:
            response = await self._http.request(method, path, json=body, headers=headers)
        except (httpx.TransportError, OSError) as exc:
            raise Unreachable(f"the server at {self.server} does not answer ({type(exc).__name__})") from None
        if response.status_code == 204:
            return None
        try:
            data = response.json()
        except ValueError:
            data = None
        if response.is_success:
            return data
        error = data.get("error", {}) if isinstance(data, dict) else {}
        message = str(error.get("message") or response.reason_phrase or "request failed")
        error_id = str(error.get("id") or "")
        if response.status_code == 401 and path != "/api/login":
            raise SessionExpired(message, error_id, 401)
        if response.status_code == 503:
            raise Unreachable(message, error_id, 503)
        raise ApiError(message, error_id, response.status_code)

    # session ------------------------------------------------------------------

    async def login(self, username: str, password: str) -> User:
        data = await self._call("POST", "/api/login", {"username": username, "password": password})
        self._token = str(data["token"])
        self.user = User.from_json(data["user"])
        return self.user

    async def logout(self) -> None:
        if self._token is None:
            return
        try:
            await self._call("POST", "/api/logout")
        finally:
            self._token = None

    async def catalog(self) -> Catalog:
        return Catalog.from_json(await self._call("GET", "/api/catalog"))

    # agent --------------------------------------------------------------------

    async def agent(self) -> Agent:
        return Agent.from_json(await self._call("GET", "/api/agents/me"))

    async def agent_login(self) -> Agent:
        return Agent.from_json(await self._call("POST", "/api/agents/me/login", {"answer_mode": "console"}))

    async def agent_logout(self) -> Agent:
        return Agent.from_json(await self._call("POST", "/api/agents/me/logout"))

    async def ready(self) -> Agent:
        return Agent.from_json(await self._call("POST", "/api/agents/me/ready"))

    async def not_ready(self, reason: str) -> Agent:
        return Agent.from_json(await self._call("POST", "/api/agents/me/not-ready", {"reason": reason}))

    async def _call_action(self, call_id: str, action: str, body: Mapping[str, Any] | None = None) -> Call:
        return Call.from_json(await self._call("POST", f"/api/agents/me/calls/{call_id}/{action}", body))

    async def answer(self, call_id: str) -> Call:
        return await self._call_action(call_id, "answer")

    async def hangup(self, call_id: str) -> Call:
        return await self._call_action(call_id, "hangup")

    async def hold(self, call_id: str) -> Call:
        return await self._call_action(call_id, "hold")

    async def unhold(self, call_id: str) -> Call:
        return await self._call_action(call_id, "unhold")

    async def transfer(self, call_id: str, target_kind: str, target: str, attended: bool) -> Call:
        body = {"target_kind": target_kind, "target": target, "attended": attended}
        return await self._call_action(call_id, "transfer", body)

    async def complete_transfer(self, call_id: str) -> Call:
        return await self._call_action(call_id, "transfer/complete")

    async def cancel_transfer(self, call_id: str) -> Call:
        return await self._call_action(call_id, "transfer/cancel")

    async def wrap_up(self, call_id: str, disposition: str, notes: str) -> Agent:
        body = {"disposition": disposition, "notes": notes}
        return Agent.from_json(await self._call("POST", f"/api/agents/me/calls/{call_id}/wrap-up", body))

    async def extend_wrap_up(self, seconds: float) -> Agent:
        return Agent.from_json(await self._call("POST", "/api/agents/me/wrap-up/extend", {"seconds": seconds}))

    async def dial(self, number: str) -> Call:
        return Call.from_json(await self._call("POST", "/api/agents/me/calls", {"number": number}))

    async def callbacks(self) -> list[Callback]:
        return [Callback.from_json(c) for c in await self._call("GET", "/api/agents/me/callbacks")]

    # supervisor -----------------------------------------------------------------

    async def snapshot(self) -> Snapshot:
        return Snapshot.from_json(await self._call("GET", "/api/snapshot"))

    async def force_state(self, agent_id: str, state: str, reason: str | None = None) -> Agent:
        body = {"state": state, "reason": reason}
        return Agent.from_json(await self._call("POST", f"/api/agents/{agent_id}/state", body))

    async def set_skills(self, agent_id: str, skills: Mapping[str, int]) -> Agent:
        return Agent.from_json(await self._call("PUT", f"/api/agents/{agent_id}/skills", {"skills": dict(skills)}))

    async def spy(self, agent_id: str, mode: str) -> Spy:
        return Spy.from_json(await self._call("POST", f"/api/agents/{agent_id}/spy", {"mode": mode}))

    async def end_spy(self, spy_id: str) -> None:
        await self._call("DELETE", f"/api/spy/{spy_id}")

    # events -------------------------------------------------------------------

    async def stream(self) -> AsyncIterator[StreamItem]:
        """Events for this login, forever: reconnects with backoff after a
        drop (yielding :class:`Disconnected`, then :class:`Connected`), and
        ends with :class:`LoggedOut` when the server refuses the token."""
        while self._token is not None:
            reason = "no connection"
            try:
                async with connect(events_url(self.server), open_timeout=5, max_size=2**22) as ws:
                    await ws.send(json.dumps({"type": "auth", "token": self._token}))
                    hello = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    if hello.get("type") != "hello":
                        yield LoggedOut(_error_text(hello) or "the server refused the event stream")
                        return
                    self.backoff.reset()
                    yield Connected()
                    # The server pings after heartbeat_s of silence: three
                    # missed beats mean the link is dead even if TCP says not.
                    silence = 3 * float(hello.get("heartbeat_s") or 15.0)
                    async for item in self._messages(ws, silence):
                        yield item
                        if isinstance(item, LoggedOut):
                            return
            except ConnectionClosed as exc:
                if exc.rcvd is not None and exc.rcvd.code == CLOSE_UNAUTHORIZED:
                    yield LoggedOut("the login expired: log in again")
                    return
                reason = "the server closed the connection"
            except (OSError, InvalidHandshake, InvalidURI, asyncio.TimeoutError, ValueError) as exc:
                reason = f"the server does not answer ({type(exc).__name__})"
            delay = self.backoff.next()
            yield Disconnected(reason, delay)
            await asyncio.sleep(delay)

    async def _messages(self, ws: ClientConnection, silence_s: float) -> AsyncIterator[StreamItem]:
        while True:
            try:
                text = await asyncio.wait_for(ws.recv(), silence_s)
            except asyncio.TimeoutError:
                await ws.close()
                raise ConnectionClosed(None, None) from None
            message = json.loads(text)
            kind = message.get("type") if isinstance(message, dict) else None
            if kind == "event":
                event = parse_event(message)
                if event is not None:
                    yield event
            elif kind == "error":
                error = message.get("error", {})
                if isinstance(error, dict) and str(error.get("id", "")).startswith("auth"):
                    yield LoggedOut(str(error.get("message") or "the login expired"))
                    return


def _error_text(message: Any) -> str:
    if isinstance(message, dict) and isinstance(message.get("error"), dict):
        return str(message["error"].get("message") or "")
    return ""
