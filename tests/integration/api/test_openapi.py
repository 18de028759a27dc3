"""The OpenAPI document, health, and response schemas in step with the service."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel

from callcenter.api import ApiSettings, create_app, schemas
from callcenter.service.facade import CallbackView, SpyMode, SpySession
from tests.integration.api import fakes
from tests.integration.api.fakes import FakeCenter, FakeUsers

ROUTES = {
    ("get", "/api/health"), ("get", "/api/catalog"), ("post", "/api/login"), ("post", "/api/logout"),
    ("get", "/api/me"), ("get", "/api/agents/{agent_id}"), ("post", "/api/agents/{agent_id}/login"),
    ("post", "/api/agents/{agent_id}/logout"), ("post", "/api/agents/{agent_id}/ready"),
    ("post", "/api/agents/{agent_id}/not-ready"), ("post", "/api/agents/{agent_id}/calls"),
    ("post", "/api/agents/{agent_id}/calls/{call_id}/answer"),
    ("post", "/api/agents/{agent_id}/calls/{call_id}/hangup"),
    ("post", "/api/agents/{agent_id}/calls/{call_id}/hold"),
    ("post", "/api/agents/{agent_id}/calls/{call_id}/unhold"),
    ("post", "/api/agents/{agent_id}/calls/{call_id}/transfer"),
    ("post", "/api/agents/{agent_id}/calls/{call_id}/transfer/complete"),
    ("post", "/api/agents/{agent_id}/calls/{call_id}/transfer/cancel"),
    ("post", "/api/agents/{agent_id}/calls/{call_id}/wrap-up"),
    ("post", "/api/agents/{agent_id}/wrap-up/extend"), ("get", "/api/agents/{agent_id}/callbacks"),
    ("get", "/api/snapshot"), ("post", "/api/agents/{agent_id}/state"), ("put", "/api/agents/{agent_id}/skills"),
    ("post", "/api/agents/{agent_id}/spy"), ("delete", "/api/spy/{spy_id}"),
}


def test_the_openapi_document_lists_every_route_with_bearer_auth(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert document["info"]["version"] == "0.1.0"
    listed = {(method, path) for path, item in document["paths"].items() for method in item}
    assert listed == ROUTES
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    answer = document["paths"]["/api/agents/{agent_id}/calls/{call_id}/answer"]["post"]
    assert answer["security"] == [{"HTTPBearer": []}]
    assert answer["responses"]["403"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")


def test_health_reports_switch_store_and_database(client: TestClient) -> None:
    response = client.get("/api/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": "0.1.0", "switch_connected": True, "store_ok": True,
                               "db_ok": True}


@pytest.mark.parametrize(("switch", "db", "store"), [(False, True, True), (True, False, True), (True, True, False)])
def test_health_is_503_when_a_part_is_down(switch: bool, db: bool, store: bool) -> None:
    center = FakeCenter(switch_connected=switch)

    async def probe() -> bool:
        return store

    with TestClient(create_app(center, FakeUsers(up=db), ApiSettings(version="9.9"), store_probe=probe)) as client:
        response = client.get("/api/health")
    assert response.status_code == 503
    assert response.json() == {"status": "degraded", "version": "9.9", "switch_connected": switch,
                               "store_ok": store, "db_ok": db}


def test_importing_the_package_builds_nothing() -> None:
    import callcenter.api as api

    assert not [name for name, value in vars(api).items() if type(value).__name__ == "FastAPI"]


def _fields(model: type[BaseModel]) -> set[str]:
    return set(model.model_fields)


@pytest.mark.parametrize(("model", "sample"), [
    (schemas.AgentOut, fakes.agent_view("a1").to_dict()),
    (schemas.CallOut, fakes.call_view("c1", "a1").to_dict()),
    (schemas.AgentStatsOut, fakes.agent_view("a1").today.to_dict()),
    (schemas.SnapshotOut, fakes.snapshot().to_dict()),
    (schemas.QueueOut, fakes.snapshot().queues[0].to_dict()),
    (schemas.AgentSummaryOut, fakes.snapshot().agents[0].to_dict()),
    (schemas.LatencyOut, fakes.snapshot().screen_pop.to_dict()),
    (schemas.CallbackOut, CallbackView("cb", "q", None, None, fakes.T0, None).to_dict()),
    (schemas.SpyOut, SpySession("s", "sam", "a1", "c1", SpyMode.LISTEN).to_dict()),
    (schemas.CatalogOut, fakes.catalog().to_dict()),
], ids=lambda v: v.__name__ if isinstance(v, type) else "")
def test_response_schemas_match_the_service_views(model: type[BaseModel], sample: dict[str, Any]) -> None:
    # The API passes unknown keys through; this keeps the documented ones exact.
    assert _fields(model) == set(sample), "update callcenter/api/schemas.py to the facade's to_dict()"
    assert model.model_validate(sample).model_dump() == sample
