"""``POST /api/login``, ``POST /api/logout``, ``GET /api/me``."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import HTTPAuthorizationCredentials

from callcenter.api.auth import CurrentUser, bearer_scheme, bearer_token
from callcenter.api.context import context
from callcenter.api.errors import AUTH_BAD_CREDENTIALS, ApiError
from callcenter.api.principal import Principal
from callcenter.api.schemas import ErrorBody, LoginRequest, LoginResponse, UserOut

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["session"])


def user_out(user: Principal) -> dict[str, Any]:
    return {"username": user.username, "role": user.role.value, "agent_id": user.agent_id,
            "display_name": user.display_name}


@router.post("/login", response_model=LoginResponse, responses={401: {"model": ErrorBody}})
async def login(body: LoginRequest, request: Request) -> dict[str, Any]:
    """Check a username and password; return a bearer token for the other routes."""
    ctx = context(request)
    principal = await ctx.authenticate(body.username, body.password)
    if principal is None:
        # The username only: never the password.
        log.info("login refused for %r", body.username)
        raise ApiError(AUTH_BAD_CREDENTIALS, "wrong username or password")
    issued = ctx.tokens.issue(principal)
    log.info("login: %s (%s)", principal.username, principal.role.value)
    return {"token": issued.token, "token_type": "bearer", "expires_in_s": issued.expires_in_s,
            "user": user_out(principal)}


@router.post("/logout", status_code=204, response_class=Response, responses={401: {"model": ErrorBody}})
async def logout(
    request: Request,
    user: CurrentUser,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Response:
    """Revoke the token of this request (the agent's ACD state is unchanged)."""
    context(request).tokens.revoke(bearer_token(credentials))
    log.info("logout: %s", user.username)
    return Response(status_code=204)


@router.get("/me", response_model=UserOut, responses={401: {"model": ErrorBody}})
async def me(user: CurrentUser) -> dict[str, Any]:
    """The logged-in user."""
    return user_out(user)
