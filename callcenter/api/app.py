"""The app factory: one FastAPI app per service, no globals, no I/O at import."""

from __future__ import annotations

import time

from fastapi import FastAPI

from callcenter.api import agents, errors, events, health, session, supervisors
from callcenter.api.context import ApiContext, Probe
from callcenter.api.logs import protect_server_logs
from callcenter.api.settings import ApiSettings
from callcenter.api.tokens import Clock, TokenStore
from callcenter.api.users import UserDirectory, directory
from callcenter.service.facade import ContactCenter
from callcenter.storage.db import Database

DESCRIPTION = """\
HTTP and WebSocket API of the contact center, for the agent and supervisor
consoles. Log in with `POST /api/login`, then send
`Authorization: Bearer <token>`. Errors are
`{"error": {"id": "...", "message": "..."}}` with stable ids. Live events:
`WS /api/events` (not shown here; see docs/api.md).
"""


def create_app(
    center: ContactCenter,
    users: Database | UserDirectory | None = None,
    settings: ApiSettings | None = None,
    *,
    store_probe: Probe | None = None,
    clock: Clock = time.monotonic,
) -> FastAPI:
    """Build the API over a running contact center.

    Args:
        center: the service facade; the caller starts and stops it.
        users: where passwords are checked: a connected storage
            :class:`Database` (its ``users`` table), any
            :class:`UserDirectory`, or None to ask ``center.authenticate``.
        settings: token lifetimes, heartbeat, buffer sizes, version.
        store_probe: reports whether the live-state store answers (for
            ``/api/health``); None judges it by a snapshot.
        clock: monotonic seconds for token expiry (tests inject one).
    """
    settings = settings or ApiSettings()
    app = FastAPI(
        title="Contact center API",
        version=settings.version,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.api = ApiContext(
        center=center,
        users=None if users is None else directory(users),
        tokens=TokenStore(settings.token_ttl_s, settings.max_token_ttl_s, clock),
        settings=settings,
        store_probe=store_probe,
    )
    errors.install(app)
    for module in (health, session, agents, supervisors, events):
        app.include_router(module.router)
    # The server logs a WebSocket's URL, token included, unless redacted.
    protect_server_logs()
    return app
