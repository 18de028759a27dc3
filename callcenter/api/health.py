"""``GET /api/health`` (no login needed) and ``GET /api/catalog``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from callcenter.api.auth import CurrentUser
from callcenter.api.context import context
from callcenter.api.schemas import CatalogOut, ErrorBody, HealthOut

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["health"])


@router.get("/health", response_model=HealthOut, responses={503: {"model": HealthOut}})
async def health(request: Request) -> JSONResponse:
    """Is the service up: the switch, the live-state store, the database.

    200 with ``status: ok`` when all answer; 503 with ``status: degraded``
    otherwise (load balancers read the code, people read the body).
    """
    ctx = context(request)
    switch_connected, store_ok = False, False
    try:
        snapshot = await ctx.center.snapshot()
        switch_connected, store_ok = snapshot.switch_connected, True
    except Exception as exc:  # health reports a failure, it never raises one
        log.warning("health: snapshot failed: %s", type(exc).__name__)
    if ctx.store_probe is not None:
        store_ok = await _probe(ctx.store_probe)
    db_ok = None if ctx.users is None else await ctx.users.ping()
    ok = switch_connected and store_ok and db_ok is not False
    body = {"status": "ok" if ok else "degraded", "version": ctx.settings.version,
            "switch_connected": switch_connected, "store_ok": store_ok, "db_ok": db_ok}
    return JSONResponse(body, status_code=200 if ok else 503)


async def _probe(probe: Any) -> bool:
    try:
        return bool(await probe())
    except Exception:
        return False


@router.get("/catalog", response_model=CatalogOut, responses={401: {"model": ErrorBody}})
async def catalog(request: Request, _user: CurrentUser) -> dict[str, Any]:
    """Queues, not-ready reasons, dispositions and agents, for console menus."""
    return context(request).center.catalog().to_dict()
