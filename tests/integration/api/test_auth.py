"""Login, tokens, logout, and secrets kept out of logs."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from callcenter.api import ApiSettings, create_app
from callcenter.storage.db import Database
from callcenter.storage.migrate import upgrade
from callcenter.storage.users import Role, Users
from tests.integration.api.conftest import PASSWORD, login
from tests.integration.api.fakes import FakeCenter, FakeUsers


def test_login_with_the_right_password_returns_a_bearer_token_and_the_user(client: TestClient) -> None:
    response = client.post("/api/login", json={"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer" and len(body["token"]) >= 40
    assert body["user"] == {"username": "alice", "role": "agent", "agent_id": "a1", "display_name": "Alice"}
    me = client.get("/api/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json()["username"] == "alice"


@pytest.mark.parametrize(("username", "password"), [("alice", "wrong"), ("nobody", PASSWORD)])
def test_a_wrong_password_or_unknown_user_is_refused_alike(client: TestClient, username: str, password: str) -> None:
    response = client.post("/api/login", json={"username": username, "password": password})
    assert response.status_code == 401
    assert response.json()["error"]["id"] == "auth.bad_credentials"


def test_a_malformed_login_names_the_fields_without_echoing_them(client: TestClient) -> None:
    response = client.post("/api/login", json={"username": "alice", "password": "", "extra": "hunter2"})
    assert response.status_code == 422
    assert response.json()["error"]["id"] == "request.invalid"
    assert "hunter2" not in response.text
    assert {tuple(d["loc"]) for d in response.json()["error"]["details"]} == {("body", "password"), ("body", "extra")}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}])
def test_routes_need_a_token(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get("/api/agents/me", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["id"] == "auth.required"
    assert response.headers["www-authenticate"] == "Bearer"


def test_an_unknown_token_is_refused(client: TestClient) -> None:
    response = client.get("/api/agents/me", headers={"Authorization": "Bearer not-a-token"})
    assert (response.status_code, response.json()["error"]["id"]) == (401, "auth.invalid_token")


def test_logout_revokes_the_token(client: TestClient) -> None:
    headers = {"Authorization": f"Bearer {login(client, 'alice')}"}
    assert client.post("/api/logout", headers=headers).status_code == 204
    response = client.get("/api/me", headers=headers)
    assert (response.status_code, response.json()["error"]["id"]) == (401, "auth.invalid_token")


def test_tokens_expire_when_idle_and_at_the_hard_cap(users: FakeUsers) -> None:
    now = [0.0]
    app = create_app(FakeCenter(), users, ApiSettings(token_ttl_s=60, max_token_ttl_s=100), clock=lambda: now[0])
    with TestClient(app) as client:
        headers = {"Authorization": f"Bearer {login(client, 'alice')}"}
        for t in (50.0, 99.0):  # each use renews the idle lifetime...
            now[0] = t
            assert client.get("/api/me", headers=headers).status_code == 200
        now[0] = 100.0  # ...but never past the cap
        assert client.get("/api/me", headers=headers).status_code == 401
        headers = {"Authorization": f"Bearer {login(client, 'alice')}"}
        now[0] = 160.0  # idle for the whole lifetime
        assert client.get("/api/me", headers=headers).status_code == 401


def test_passwords_and_tokens_never_reach_the_logs(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    client.post("/api/login", json={"username": "alice", "password": "wrong-secret"})
    token = login(client, "alice")
    with client.websocket_connect(f"/api/events?token={token}") as ws:
        ws.receive_json()
    client.post("/api/logout", headers={"Authorization": f"Bearer {token}"})
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "login refused for 'alice'" in text and "login: alice" in text
    assert token not in text and PASSWORD not in text and "wrong-secret" not in text


def test_without_a_users_directory_the_center_checks_passwords() -> None:
    with TestClient(create_app(FakeCenter())) as client:
        ok = client.post("/api/login", json={"username": "boss", "password": "center-pass"})
        assert ok.status_code == 200 and ok.json()["user"]["role"] == "supervisor"
        bad = client.post("/api/login", json={"username": "boss", "password": "nope"})
        assert bad.status_code == 401


def test_login_against_the_storage_users_table(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cc.db'}"
    upgrade(url)

    async def scenario() -> None:
        async with Database(url) as db:
            async with db.session() as session:
                await Users(session).add("mei", Role.SUPERVISOR, "s3cret pass", dt.datetime.now(dt.timezone.utc),
                                         "Mei", agent_id="s9")
            app = create_app(FakeCenter(), db)
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api") as client:
                good = await client.post("/api/login", json={"username": "mei", "password": "s3cret pass"})
                bad = await client.post("/api/login", json={"username": "mei", "password": "s3cret"})
                health = await client.get("/api/health")
        assert good.status_code == 200 and good.json()["user"]["agent_id"] == "s9"
        assert bad.json()["error"]["id"] == "auth.bad_credentials"
        assert health.json()["db_ok"] is True

    asyncio.run(scenario())
