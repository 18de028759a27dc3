"""An API over the fake center and in-memory users, with a few logins."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from callcenter.api import ApiSettings, create_app
from callcenter.storage.users import Role
from tests.integration.api.fakes import FakeCenter, FakeUsers

PASSWORD = "correct horse battery"

# username -> (role, agent id)
USERS = {
    "alice": (Role.AGENT, "a1"),
    "bob": (Role.AGENT, "a2"),
    "sam": (Role.SUPERVISOR, "s1"),
    "ada": (Role.ADMIN, None),
    "quinn": (Role.QA, None),
}


@pytest.fixture
def center() -> FakeCenter:
    return FakeCenter()


@pytest.fixture(scope="session")
def users() -> FakeUsers:
    directory = FakeUsers()
    for name, (role, agent) in USERS.items():
        directory.add(name, role, PASSWORD, agent)
    return directory


@pytest.fixture
def settings() -> ApiSettings:
    return ApiSettings(heartbeat_s=5.0, auth_timeout_s=2.0)


@pytest.fixture
def app(center: FakeCenter, users: FakeUsers, settings: ApiSettings) -> FastAPI:
    return create_app(center, users, settings)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    response = client.post("/api/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


def auth(client: TestClient, username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {login(client, username)}"}
