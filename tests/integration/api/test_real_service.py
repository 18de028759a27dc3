"""The API over the real service: the simulated switch, SQLite, a real socket.

A human agent logs in through the API, goes ready, and takes calls that the
simulated switch brings in; each call's screen pop must reach the agent's
WebSocket (and the supervisor's), and nobody else's. The offer-to-delivery
latency is measured at the WebSocket client: clock time at receipt minus
the pop's ``offered_at``, scaled back to real time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import statistics
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from callcenter.api import ApiSettings, create_app
from callcenter.api.server import server
from callcenter.bootstrap import App, build
from callcenter.settings import load_settings
from callcenter.storage.users import Role, Users
from callcenter.telephony.simulated import SimulatedSwitch

CONFIG = Path(__file__).resolve().parents[3] / "config" / "sample-center"
SPEED = 20.0  # clock seconds per real second
CALLS = 20
WAIT_S = 10.0  # real seconds for any one step


@dataclass
class Client:
    """A WebSocket reader that stamps each message with the clock at receipt."""

    ws: ClientConnection
    app: App
    messages: asyncio.Queue[tuple[float, dict[str, Any]]] = field(default_factory=asyncio.Queue)
    seen: list[dict[str, Any]] = field(default_factory=list)

    async def read(self) -> None:
        async for raw in self.ws:
            now = self.app.clock.now()
            message = json.loads(raw)
            self.seen.append(message)
            await self.messages.put((now, message))

    async def next_event(self, name: str, **match: Any) -> tuple[float, dict[str, Any]]:
        async with asyncio.timeout(WAIT_S):
            while True:
                at, message = await self.messages.get()
                if message.get("event") == name and all(message.get(k) == v for k, v in match.items()):
                    return at, message


@asynccontextmanager
async def running_center(tmp_path: Path) -> AsyncIterator[tuple[App, str]]:
    """The service with its API on a free port; yields the app and the base URL."""
    settings = load_settings(CONFIG, env={}, overrides={
        "data_dir": str(tmp_path),
        "database": {"url": f"sqlite+aiosqlite:///{tmp_path / 'cc.db'}"},
        "simulation": {"speed": SPEED, "callers": False, "agents": False, "human_agents": []},
        "recording": {"enabled": False},
    })
    app = await build(settings)
    now = dt.datetime.now(dt.timezone.utc)
    async with app.db.session() as session:
        users = Users(session)
        await users.add("xin", Role.AGENT, "agent pass", now, "Xin Yang", agent_id="a01")
        await users.add("wei", Role.AGENT, "agent pass", now, "Wei Liu", agent_id="a02")
        await users.add("mei", Role.SUPERVISOR, "super pass", now, "Mei")
    await app.start()
    api = server(create_app(app.service, app.db, ApiSettings(heartbeat_s=5.0)), port=0, log_level="info",
                 configure_logging=False)
    task = asyncio.create_task(api.serve())
    try:
        async with asyncio.timeout(WAIT_S):
            while not api.started:
                assert not task.done(), task.exception()
                await asyncio.sleep(0.01)
        port = api.servers[0].sockets[0].getsockname()[1]
        yield app, f"127.0.0.1:{port}"
    finally:
        api.should_exit = True
        await task
        await app.stop()


async def _login(http: httpx.AsyncClient, username: str, password: str) -> str:
    response = await http.post("/api/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


async def _ok(response: Any) -> dict[str, Any]:
    result = await response
    assert result.status_code == 200, result.text
    body: dict[str, Any] = result.json()
    return body


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _scenario(tmp_path: Path) -> dict[str, Any]:
    async with running_center(tmp_path) as (app, address):
        switch = app.switch
        assert isinstance(switch, SimulatedSwitch)
        async with httpx.AsyncClient(base_url=f"http://{address}") as http:
            xin, wei = await _login(http, "xin", "agent pass"), await _login(http, "wei", "agent pass")
            mei = await _login(http, "mei", "super pass")
            health = (await http.get("/api/health")).json()
            agent_ws = await connect(f"ws://{address}/api/events?token={xin}")
            other_ws = await connect(f"ws://{address}/api/events?token={wei}")
            super_ws = await connect(f"ws://{address}/api/events")
            await super_ws.send(json.dumps({"type": "auth", "token": mei}))
            clients = [Client(ws, app) for ws in (agent_ws, other_ws, super_ws)]
            readers = [asyncio.create_task(c.read()) for c in clients]
            agent, other, supervisor = clients
            try:
                for client in clients:
                    async with asyncio.timeout(WAIT_S):
                        assert (await client.messages.get())[1]["type"] == "hello"
                h = {"Authorization": f"Bearer {xin}"}
                await _ok(http.post("/api/agents/me/login", headers=h))
                await _ok(http.post("/api/agents/me/login", headers={"Authorization": f"Bearer {wei}"}))
                assert (await _ok(http.post("/api/agents/me/ready", headers=h)))["state"] == "ready"
                latencies_ms: list[float] = []
                for i in range(CALLS):
                    switch.call_in(f"+8869{i:08d}", "sales", handle_s=10_000)
                    received, pop = await agent.next_event("screen_pop")
                    offered = dt.datetime.fromisoformat(pop["offered_at"]).timestamp()
                    latencies_ms.append((received - offered) / SPEED * 1000)
                    call_id = pop["call_id"]
                    await supervisor.next_event("screen_pop", call_id=call_id)
                    # Bob may not answer Alice's call, even by naming it.
                    refused = await http.post(f"/api/agents/me/calls/{call_id}/answer",
                                              headers={"Authorization": f"Bearer {wei}"})
                    assert (refused.status_code, refused.json()["error"]["id"]) == (403, "call.not_yours")
                    await _ok(http.post(f"/api/agents/me/calls/{call_id}/answer", headers=h))
                    await agent.next_event("agent_state", state="busy")
                    await _ok(http.post(f"/api/agents/me/calls/{call_id}/hangup", headers=h))
                    view = await _ok(http.post(f"/api/agents/me/calls/{call_id}/wrap-up", headers=h,
                                               json={"disposition": "resolved", "notes": f"call {i}"}))
                    if view["state"] != "ready":
                        await _ok(http.post("/api/agents/me/ready", headers=h))
                snapshot = await _ok(http.get("/api/snapshot", headers={"Authorization": f"Bearer {mei}"}))
                forbidden = await http.get("/api/snapshot", headers=h)
            finally:
                for ws in (agent_ws, other_ws, super_ws):
                    await ws.close()
                await asyncio.gather(*readers, return_exceptions=True)
    other_calls = [m for m in other.seen if m.get("event") == "screen_pop" or m.get("agent_id") == "a01"
                   or (m.get("call") or {}).get("agent_id") == "a01"]
    return {"tokens": [xin, wei, mei], "latencies_ms": latencies_ms, "snapshot": snapshot, "health": health, "forbidden": forbidden,
            "other_leaks": other_calls, "supervisor_pops": [m for m in supervisor.seen
                                                            if m.get("event") == "screen_pop"]}


def test_a_routed_call_pops_on_the_agents_websocket_quickly(tmp_path: Path,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    result = asyncio.run(_scenario(tmp_path))
    latencies = result["latencies_ms"]
    p50, p99 = statistics.median(latencies), _percentile(latencies, 0.99)
    service = result["snapshot"]["screen_pop"]
    print(f"\nscreen pop, offer -> agent WebSocket over {len(latencies)} calls: p50 {p50:.1f} ms, "
          f"p99 {p99:.1f} ms, max {max(latencies):.1f} ms; service-side p50 {service['p50_ms']} ms")
    assert len(latencies) == CALLS and len(result["supervisor_pops"]) == CALLS
    assert result["other_leaks"] == []
    assert result["health"]["status"] == "ok" and result["health"]["db_ok"] is True
    assert result["forbidden"].status_code == 403
    assert result["snapshot"]["calls_handled"] >= CALLS
    assert p50 < 100.0, latencies
    assert p99 < 500.0, latencies  # a loose ceiling for a shared CI machine; the goal is < 100 ms
    # The server logged the WebSocket URLs, with the tokens redacted.
    messages = [r.getMessage() for r in caplog.records]
    assert any("/api/events?token=***" in m for m in messages)
    assert not any(token in m for token in result["tokens"] for m in messages)
    assert not any("agent pass" in m or "super pass" in m for m in messages)
