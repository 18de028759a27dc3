"""Each route calls the facade with the right arguments and returns its result."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from callcenter.service.facade import AnswerMode, CallbackView, CallStatus, SpyMode, SpySession, TargetKind
from tests.integration.api import fakes
from tests.integration.api.conftest import auth
from tests.integration.api.fakes import FakeCenter

AGENT_VIEW = fakes.agent_view("a1").to_dict()

# (who, method, path, body, facade call, expected JSON)
CASES: list[tuple[str, str, str, Any, tuple[str, tuple[Any, ...]], Any]] = [
    ("alice", "GET", "/api/agents/me", None, ("agent_view", ("a1",)), AGENT_VIEW),
    ("alice", "GET", "/api/agents/a1", None, ("agent_view", ("a1",)), AGENT_VIEW),
    ("alice", "POST", "/api/agents/me/login", None, ("login_agent", ("a1", AnswerMode.CONSOLE)),
     fakes.agent_view("a1", "not_ready").to_dict()),
    ("alice", "POST", "/api/agents/me/login", {"answer_mode": "phone"}, ("login_agent", ("a1", AnswerMode.PHONE)),
     fakes.agent_view("a1", "not_ready").to_dict()),
    ("alice", "POST", "/api/agents/me/logout", None, ("logout_agent", ("a1",)),
     fakes.agent_view("a1", "logged_out").to_dict()),
    ("alice", "POST", "/api/agents/me/ready", None, ("set_ready", ("a1",)), AGENT_VIEW),
    ("alice", "POST", "/api/agents/me/not-ready", {"reason": "lunch"}, ("set_not_ready", ("a1", "lunch")),
     fakes.agent_view("a1", "not_ready").to_dict()),
    ("alice", "POST", "/api/agents/me/calls/c7/answer", None, ("answer", ("a1", "c7")),
     fakes.call_view("c7", "a1").to_dict()),
    ("alice", "POST", "/api/agents/me/calls/c7/hangup", None, ("hangup", ("a1", "c7")),
     fakes.call_view("c7", "a1", CallStatus.ENDED).to_dict()),
    ("alice", "POST", "/api/agents/me/calls/c7/hold", None, ("hold", ("a1", "c7")),
     fakes.call_view("c7", "a1", CallStatus.HELD).to_dict()),
    ("alice", "POST", "/api/agents/me/calls/c7/unhold", None, ("unhold", ("a1", "c7")),
     fakes.call_view("c7", "a1").to_dict()),
    ("alice", "POST", "/api/agents/me/calls/c7/transfer", {"target_kind": "queue", "target": "sales"},
     ("transfer", ("a1", "c7", TargetKind.QUEUE, "sales", False)),
     fakes.call_view("c7", "a1", CallStatus.TRANSFERRED).to_dict()),
    ("alice", "POST", "/api/agents/me/calls/c7/transfer", {"target_kind": "agent", "target": "a2", "attended": True},
     ("transfer", ("a1", "c7", TargetKind.AGENT, "a2", True)),
     fakes.call_view("c7", "a1", CallStatus.CONSULTING).to_dict()),
    ("alice", "POST", "/api/agents/me/calls/c7/transfer", {"target_kind": "number", "target": "+3312345678"},
     ("transfer", ("a1", "c7", TargetKind.NUMBER, "+3312345678", False)),
     fakes.call_view("c7", "a1", CallStatus.TRANSFERRED).to_dict()),
    ("alice", "POST", "/api/agents/me/calls/c7/transfer/complete", None, ("complete_transfer", ("a1", "c7")),
     fakes.call_view("c7", "a1", CallStatus.TRANSFERRED).to_dict()),
    ("alice", "POST", "/api/agents/me/calls/c7/transfer/cancel", None, ("cancel_transfer", ("a1", "c7")),
     fakes.call_view("c7", "a1").to_dict()),
    ("alice", "POST", "/api/agents/me/calls/c7/wrap-up", {"disposition": "resolved", "notes": "paid"},
     ("wrap_up", ("a1", "c7", "resolved", "paid")), AGENT_VIEW),
    ("alice", "POST", "/api/agents/me/wrap-up/extend", {"seconds": 60}, ("extend_wrap_up", ("a1", 60.0)),
     fakes.agent_view("a1", "wrap_up").to_dict()),
    ("alice", "POST", "/api/agents/me/calls", {"number": "+15550001111"}, ("dial", ("a1", "+15550001111")),
     fakes.call_view("out1", "a1", CallStatus.DIALING).to_dict()),
    ("alice", "GET", "/api/agents/me/callbacks", None, ("callbacks", ("a1",)),
     [CallbackView("cb1", "billing", "+15550000000", None, fakes.T0, None).to_dict()]),
    ("alice", "GET", "/api/catalog", None, ("catalog", ()), fakes.catalog().to_dict()),
    # supervisors act on anyone
    ("sam", "POST", "/api/agents/a2/calls/c9/answer", None, ("answer", ("a2", "c9")),
     fakes.call_view("c9", "a2").to_dict()),
    ("sam", "GET", "/api/snapshot", None, ("snapshot", ()), fakes.snapshot().to_dict()),
    ("sam", "POST", "/api/agents/a2/state", {"state": "not_ready", "reason": "meeting"},
     ("force_state", ("a2", "not_ready", "meeting")), fakes.agent_view("a2", "not_ready").to_dict()),
    ("ada", "POST", "/api/agents/a2/state", {"state": "logged_out"},
     ("force_state", ("a2", "logged_out", None)), fakes.agent_view("a2", "logged_out").to_dict()),
    ("sam", "PUT", "/api/agents/a2/skills", {"skills": {"billing": 7, "sales": 2}},
     ("set_skills", ("a2", {"billing": 7, "sales": 2})), fakes.agent_view("a2").to_dict()),
    ("sam", "POST", "/api/agents/a2/spy", {"mode": "whisper"}, ("spy", ("sam", "a2", SpyMode.WHISPER)),
     SpySession("s1", "sam", "a2", "c0", SpyMode.WHISPER).to_dict()),
    ("sam", "POST", "/api/agents/a2/spy", None, ("spy", ("sam", "a2", SpyMode.LISTEN)),
     SpySession("s1", "sam", "a2", "c0", SpyMode.LISTEN).to_dict()),
    ("sam", "DELETE", "/api/spy/s1", None, ("end_spy", ("sam", "s1")), None),
]


@pytest.mark.parametrize(("who", "method", "path", "body", "call", "expected"), CASES,
                         ids=[f"{c[0]} {c[1]} {c[2]}" for c in CASES])
def test_route_calls_the_facade_and_returns_its_result(
    client: TestClient, center: FakeCenter, who: str, method: str, path: str, body: Any,
    call: tuple[str, tuple[Any, ...]], expected: Any,
) -> None:
    headers = auth(client, who)
    response = client.request(method, path, json=body, headers=headers)
    assert response.status_code == (204 if expected is None else 200), response.text
    assert center.calls == [call]
    if expected is not None:
        assert response.json() == expected


@pytest.mark.parametrize(("path", "body"), [
    ("/api/agents/me/not-ready", {}),
    ("/api/agents/me/calls/c1/transfer", {"target_kind": "planet", "target": "x"}),
    ("/api/agents/me/wrap-up/extend", {"seconds": 0}),
    ("/api/agents/a2/skills", {"skills": {"billing": 11}}),
    ("/api/agents/a2/state", {"state": "busy"}),
])
def test_malformed_bodies_never_reach_the_facade(client: TestClient, center: FakeCenter, path: str,
                                                 body: Any) -> None:
    method = "PUT" if path.endswith("skills") else "POST"
    response = client.request(method, path, json=body, headers=auth(client, "sam"))
    assert (response.status_code, response.json()["error"]["id"]) == (422, "request.invalid")
    assert center.calls == []
