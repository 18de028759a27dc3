"""WS /api/events: who receives what, heartbeats, and disconnects."""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from callcenter.api import ApiSettings, create_app
from callcenter.service.facade import CallEvent, ServiceEvent, SwitchEvent, Viewer
from callcenter.storage.users import Role
from tests.integration.api import fakes
from tests.integration.api.conftest import login
from tests.integration.api.fakes import FakeCenter, FakeUsers


def _wait_for_subscribers(center: FakeCenter, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(center.subscribers) != count:
        assert time.monotonic() < deadline, f"{len(center.subscribers)} subscribers, expected {count}"
        time.sleep(0.005)


def _hello(ws: Any) -> dict[str, Any]:
    message: dict[str, Any] = ws.receive_json()
    assert message["type"] == "hello"
    return message


def test_an_agent_receives_their_own_screen_pop_and_not_anyone_elses(client: TestClient,
                                                                      center: FakeCenter) -> None:
    with client.websocket_connect(f"/api/events?token={login(client, 'alice')}") as ws:
        assert _hello(ws)["user"] == {"username": "alice", "role": "agent", "agent_id": "a1"}
        _wait_for_subscribers(center, 1)
        center.publish(fakes.screen_pop("a2", "c-bob"))
        center.publish(SwitchEvent(False, fakes.T0))
        center.publish(CallEvent(fakes.call_view("c-bob", "a2"), fakes.T0))
        center.publish(fakes.screen_pop("a1", "c-alice"))
        center.publish(fakes.state_event("a2"))
        center.publish(fakes.state_event("a1", "reserved"))
        pop = ws.receive_json()
        assert (pop["type"], pop["event"], pop["call_id"]) == ("event", "screen_pop", "c-alice")
        assert pop["pop"] == fakes.screen_pop("a1", "c-alice").pop.to_dict()
        state = ws.receive_json()
        assert (state["event"], state["agent_id"], state["state"]) == ("agent_state", "a1", "reserved")
        assert center.subscribers[0].viewer == Viewer("alice", Role.AGENT, "a1")


def test_a_supervisor_receives_everything(client: TestClient, center: FakeCenter) -> None:
    events: list[ServiceEvent] = [fakes.screen_pop("a2", "c2"), fakes.screen_pop("a1", "c1"), SwitchEvent(False, fakes.T0),
              fakes.state_event("a1")]
    with client.websocket_connect("/api/events") as ws:
        ws.send_json({"type": "auth", "token": login(client, "sam")})  # token in the first message
        assert _hello(ws)["user"]["role"] == "supervisor"
        _wait_for_subscribers(center, 1)
        assert center.subscribers[0].viewer.role.value == "supervisor"
        for event in events:
            center.publish(event)
        received = [ws.receive_json() for _ in events]
    assert received == [{"type": "event", **e.to_dict()} for e in events]


@pytest.mark.parametrize("first", [None, {"type": "auth", "token": "forged"}, {"type": "ping"}])
def test_a_stream_without_a_valid_token_is_closed(client: TestClient, center: FakeCenter,
                                                  first: dict[str, Any] | None) -> None:
    url = "/api/events?token=forged" if first is None else "/api/events"
    with client.websocket_connect(url) as ws:
        if first is not None:
            ws.send_json(first)
        error = ws.receive_json()
        assert error["type"] == "error" and error["error"]["id"].startswith("auth.")
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4401
    assert center.subscribers == [] and center.closed_subscriptions == 0


def test_pings_both_ways(users: FakeUsers) -> None:
    center = FakeCenter()
    with TestClient(create_app(center, users, ApiSettings(heartbeat_s=0.05))) as client:
        with client.websocket_connect(f"/api/events?token={login(client, 'alice')}") as ws:
            _hello(ws)
            assert ws.receive_json()["type"] == "ping"  # server heartbeat after silence
            ws.send_json({"type": "ping"})
            kinds = {ws.receive_json()["type"] for _ in range(3)}
            assert "pong" in kinds
            ws.send_text("not json")
            assert any(ws.receive_json()["type"] == "error" for _ in range(3))


def test_logout_ends_the_stream_at_the_next_heartbeat(users: FakeUsers) -> None:
    center = FakeCenter()
    with TestClient(create_app(center, users, ApiSettings(heartbeat_s=0.05))) as client:
        token = login(client, "alice")
        with client.websocket_connect(f"/api/events?token={token}") as ws:
            _hello(ws)
            client.post("/api/logout", headers={"Authorization": f"Bearer {token}"})
            with pytest.raises(WebSocketDisconnect) as closed:
                while True:
                    ws.receive_json()
        assert closed.value.code == 4401


def test_the_service_keeps_working_when_a_client_goes_away(client: TestClient, center: FakeCenter) -> None:
    token = login(client, "alice")
    with client.websocket_connect(f"/api/events?token={token}") as ws:
        _hello(ws)
        _wait_for_subscribers(center, 1)
    _wait_for_subscribers(center, 0)
    assert center.closed_subscriptions == 1
    center.publish(fakes.screen_pop("a1", "c3"))  # nobody listening: no harm
    assert client.get("/api/agents/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    with client.websocket_connect(f"/api/events?token={token}") as ws:
        _hello(ws)
        _wait_for_subscribers(center, 1)
        center.publish(fakes.screen_pop("a1", "c4"))
        assert ws.receive_json()["call_id"] == "c4"


def test_a_client_too_far_behind_is_dropped_not_waited_for(users: FakeUsers) -> None:
    center = FakeCenter()
    with TestClient(create_app(center, users, ApiSettings(event_buffer=2))) as client:
        with client.websocket_connect(f"/api/events?token={login(client, 'sam')}") as ws:
            _hello(ws)
            _wait_for_subscribers(center, 1)
            # All in one loop turn: faster than any socket can take them.
            center.publish(*(fakes.state_event("a1", f"s{i}") for i in range(50)))
            with pytest.raises(WebSocketDisconnect) as closed:
                while True:
                    ws.receive_json()
        assert closed.value.code == 1013
        _wait_for_subscribers(center, 0)


def test_a_silent_client_is_refused_after_the_auth_timeout(users: FakeUsers) -> None:
    center = FakeCenter()
    with TestClient(create_app(center, users, ApiSettings(auth_timeout_s=0.05))) as client:
        with client.websocket_connect("/api/events") as ws:
            assert ws.receive_json()["error"]["id"] == "auth.required"
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
    assert closed.value.code == 4401


def test_a_role_without_live_events_is_refused_with_the_service_error_id(client: TestClient,
                                                                       center: FakeCenter) -> None:
    with client.websocket_connect(f"/api/events?token={login(client, 'quinn')}") as ws:
        assert ws.receive_json()["error"]["id"] == "auth.forbidden"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4403


def test_a_stopping_service_closes_streams_so_consoles_reconnect(client: TestClient, center: FakeCenter) -> None:
    with client.websocket_connect(f"/api/events?token={login(client, 'sam')}") as ws:
        _hello(ws)
        _wait_for_subscribers(center, 1)
        center.end_subscriptions()
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 1012
