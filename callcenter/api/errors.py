"""Every error the API returns: one table of HTTP status and stable id.

The body is always ``{"error": {"id": "...", "message": "..."}}`` (plus
``details`` for malformed requests). Ids are part of the API contract:
consoles branch on them, never on messages. docs/api.md lists them.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from callcenter.service import errors as svc

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ErrorSpec:
    """An HTTP status and the stable id that goes with it."""

    status: int
    id: str


# The service's typed errors. A subclass added to the service without a row
# here falls back to its nearest mapped base (see ``spec_for``); the test
# suite insists on a row for each.
SERVICE_ERRORS: Mapping[type[svc.ServiceError], ErrorSpec] = {
    svc.UnknownAgent: ErrorSpec(404, "agent.unknown"),
    svc.UnknownCall: ErrorSpec(404, "call.unknown"),
    svc.UnknownQueue: ErrorSpec(404, "queue.unknown"),
    svc.UnknownReason: ErrorSpec(422, "reason.unknown"),
    svc.UnknownDisposition: ErrorSpec(422, "disposition.unknown"),
    svc.NotYourCall: ErrorSpec(403, "call.not_yours"),
    svc.InvalidState: ErrorSpec(409, "state.invalid"),
    svc.InvalidRequest: ErrorSpec(422, "request.invalid"),
    svc.NotPermitted: ErrorSpec(403, "auth.forbidden"),
    svc.SwitchUnavailable: ErrorSpec(503, "switch.unavailable"),
    svc.ServiceError: ErrorSpec(500, "service.error"),
}

# The API's own conditions.
AUTH_REQUIRED = ErrorSpec(401, "auth.required")
AUTH_INVALID_TOKEN = ErrorSpec(401, "auth.invalid_token")
AUTH_BAD_CREDENTIALS = ErrorSpec(401, "auth.bad_credentials")
AUTH_FORBIDDEN = ErrorSpec(403, "auth.forbidden")
AUTH_NO_AGENT = ErrorSpec(403, "auth.no_agent")
REQUEST_INVALID = ErrorSpec(422, "request.invalid")
ROUTE_NOT_FOUND = ErrorSpec(404, "route.not_found")
METHOD_NOT_ALLOWED = ErrorSpec(405, "route.method_not_allowed")
INTERNAL = ErrorSpec(500, "server.internal")

API_ERRORS: tuple[ErrorSpec, ...] = (
    AUTH_REQUIRED, AUTH_INVALID_TOKEN, AUTH_BAD_CREDENTIALS, AUTH_FORBIDDEN, AUTH_NO_AGENT,
    REQUEST_INVALID, ROUTE_NOT_FOUND, METHOD_NOT_ALLOWED, INTERNAL,
)


class ApiError(Exception):
    """An error raised by the API itself (authentication, roles)."""

    def __init__(self, spec: ErrorSpec, message: str) -> None:
        self.spec = spec
        self.message = message
        super().__init__(f"{spec.id}: {message}")


def spec_for(exc: svc.ServiceError) -> ErrorSpec:
    """The row of the service error, or of its nearest mapped base class."""
    for cls in type(exc).__mro__:
        spec = SERVICE_ERRORS.get(cls)
        if spec is not None:
            return spec
    return SERVICE_ERRORS[svc.ServiceError]


def error_body(spec: ErrorSpec, message: str, details: Any = None) -> dict[str, Any]:
    """The JSON body of an error."""
    error: dict[str, Any] = {"id": spec.id, "message": message}
    if details is not None:
        error["details"] = details
    return {"error": error}


def error_response(spec: ErrorSpec, message: str, details: Any = None,
                   headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(spec, message, details), status_code=spec.status,
                        headers=dict(headers) if headers else None)


async def _api_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    headers = {"WWW-Authenticate": "Bearer"} if exc.spec.status == 401 else None
    return error_response(exc.spec, exc.message, headers=headers)


async def _service_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, svc.ServiceError)
    spec = spec_for(exc)
    if spec.status >= 500:
        log.warning("service error %s: %s", spec.id, exc)
    return error_response(spec, str(exc) or spec.id)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    # Location and reason only: echoing the input could echo a password.
    details = [{"loc": [str(p) for p in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors()]
    return error_response(REQUEST_INVALID, "the request is malformed", details)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return error_response(ROUTE_NOT_FOUND, "no such route")
    if exc.status_code == 405:
        return error_response(METHOD_NOT_ALLOWED, "method not allowed on this route")
    return error_response(ErrorSpec(exc.status_code, f"http.{exc.status_code}"), str(exc.detail))


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled %s in a request", type(exc).__name__, exc_info=exc)
    return error_response(INTERNAL, "internal error")


def install(app: FastAPI) -> None:
    """Register the handlers that turn exceptions into error bodies."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(svc.ServiceError, _service_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
