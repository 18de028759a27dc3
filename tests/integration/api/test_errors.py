"""The one error table: every service error has a status and a stable id."""

from __future__ import annotations

import inspect

import pytest
from fastapi.testclient import TestClient

from callcenter.api.errors import API_ERRORS, SERVICE_ERRORS, spec_for
from callcenter.service import errors as svc
from tests.integration.api.conftest import auth
from tests.integration.api.fakes import FakeCenter


def _subclasses(cls: type[svc.ServiceError]) -> set[type[svc.ServiceError]]:
    found = {cls}
    for sub in cls.__subclasses__():
        found |= _subclasses(sub)
    return found


SERVICE_CLASSES = sorted(_subclasses(svc.ServiceError), key=lambda c: c.__name__)


def _instance(cls: type[svc.ServiceError]) -> svc.ServiceError:
    # Fill each constructor argument with a plausible value.
    params = [p for p in inspect.signature(cls.__init__).parameters.values() if p.name != "self"]
    args: list[object] = []
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        args.append(("x",) if "tuple" in str(p.annotation) or p.name == "known" else "x")
    return cls(*args)


def test_the_table_covers_every_service_error_explicitly() -> None:
    defined = {name: obj for name, obj in vars(svc).items()
               if inspect.isclass(obj) and issubclass(obj, svc.ServiceError)}
    assert set(defined.values()) <= set(SERVICE_CLASSES)
    missing = [c.__name__ for c in SERVICE_CLASSES if c not in SERVICE_ERRORS]
    assert missing == [], f"add rows to callcenter/api/errors.py SERVICE_ERRORS for {missing}"


def test_ids_are_dotted_lowercase_and_statuses_are_errors() -> None:
    for spec in [*SERVICE_ERRORS.values(), *API_ERRORS]:
        assert 400 <= spec.status < 600
        area, _, condition = spec.id.partition(".")
        assert area.isidentifier() and area.islower() and condition, spec.id


def test_a_subclass_without_a_row_falls_back_to_its_base() -> None:
    class AgentOnBreak(svc.InvalidState):
        pass

    assert spec_for(AgentOnBreak("on break")) == SERVICE_ERRORS[svc.InvalidState]


@pytest.mark.parametrize("cls", SERVICE_CLASSES, ids=lambda c: c.__name__)
def test_each_service_error_reaches_the_client_with_its_status_and_id(
    client: TestClient, center: FakeCenter, cls: type[svc.ServiceError]
) -> None:
    error = _instance(cls)
    center.fail_with = error
    response = client.post("/api/agents/me/ready", headers=auth(client, "alice"))
    spec = SERVICE_ERRORS[cls]
    assert response.status_code == spec.status
    assert response.json() == {"error": {"id": spec.id, "message": str(error) or spec.id}}


def test_unknown_routes_and_methods_have_ids_too(client: TestClient) -> None:
    assert client.get("/api/nothing").json()["error"]["id"] == "route.not_found"
    response = client.delete("/api/login")
    assert (response.status_code, response.json()["error"]["id"]) == (405, "route.method_not_allowed")
