"""Every route checks the caller's role and whose agent or call it touches."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from callcenter.service.errors import NotYourCall
from tests.integration.api.conftest import auth
from tests.integration.api.fakes import FakeCenter

SUPERVISOR_ROUTES = [
    ("GET", "/api/snapshot", None),
    ("POST", "/api/agents/a1/state", {"state": "ready"}),
    ("PUT", "/api/agents/a1/skills", {"skills": {"billing": 3}}),
    ("POST", "/api/agents/a2/spy", {"mode": "listen"}),
    ("DELETE", "/api/spy/s1", None),
]


@pytest.mark.parametrize(("method", "path", "body"), SUPERVISOR_ROUTES)
@pytest.mark.parametrize("who", ["alice", "quinn"])
def test_supervisor_routes_refuse_agents_and_other_roles(client: TestClient, center: FakeCenter, who: str,
                                                         method: str, path: str, body: object) -> None:
    response = client.request(method, path, json=body, headers=auth(client, who))
    assert (response.status_code, response.json()["error"]["id"]) == (403, "auth.forbidden")
    assert center.calls == []


@pytest.mark.parametrize(("method", "path", "body"), [
    ("GET", "/api/agents/a2", None),
    ("POST", "/api/agents/a2/ready", None),
    ("POST", "/api/agents/a2/calls/c9/answer", None),
    ("POST", "/api/agents/a2/calls/c9/hangup", None),
    ("POST", "/api/agents/a2/calls/c9/wrap-up", {"disposition": "resolved"}),
    ("GET", "/api/agents/a2/callbacks", None),
])
def test_an_agent_cannot_act_for_another_agent(client: TestClient, center: FakeCenter, method: str, path: str,
                                               body: object) -> None:
    response = client.request(method, path, json=body, headers=auth(client, "alice"))
    assert (response.status_code, response.json()["error"]["id"]) == (403, "auth.forbidden")
    assert center.calls == []


def test_an_agent_cannot_answer_a_call_offered_to_someone_else(client: TestClient, center: FakeCenter) -> None:
    # a1 names the call of a2 on their own path: the service knows whose call it is.
    center.fail_with = NotYourCall("a1", "c9")
    response = client.post("/api/agents/me/calls/c9/answer", headers=auth(client, "alice"))
    assert response.status_code == 403
    assert response.json()["error"] == {"id": "call.not_yours", "message": "call 'c9' is not agent 'a1''s"}
    assert center.calls == [("answer", ("a1", "c9"))]


def test_a_user_without_an_agent_has_no_me(client: TestClient, center: FakeCenter) -> None:
    response = client.post("/api/agents/me/ready", headers=auth(client, "quinn"))
    assert (response.status_code, response.json()["error"]["id"]) == (403, "auth.no_agent")
    assert center.calls == []


@pytest.mark.parametrize("who", ["sam", "ada"])
def test_supervisors_and_admins_act_on_any_agent(client: TestClient, center: FakeCenter, who: str) -> None:
    headers = auth(client, who)
    assert client.post("/api/agents/a2/ready", headers=headers).status_code == 200
    assert client.post("/api/agents/a1/calls/c1/hold", headers=headers).status_code == 200
    assert center.calls == [("set_ready", ("a2",)), ("hold", ("a1", "c1"))]


def test_catalog_and_own_view_are_open_to_any_logged_in_user(client: TestClient) -> None:
    assert client.get("/api/catalog", headers=auth(client, "quinn")).status_code == 200
    assert client.get("/api/agents/me", headers=auth(client, "sam")).json()["agent_id"] == "s1"
