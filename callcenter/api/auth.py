"""Authentication and role checks, as FastAPI dependencies.

Routes declare who may call them by the dependency they take:
``CurrentUser`` (anyone logged in), ``Supervisor`` (supervisors and
admins), or ``agent_target`` (the agent a route acts on: an agent's own id,
or any id for supervisors and admins).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from callcenter.api.context import context
from callcenter.api.errors import (
    AUTH_FORBIDDEN,
    AUTH_INVALID_TOKEN,
    AUTH_NO_AGENT,
    AUTH_REQUIRED,
    ApiError,
)
from callcenter.api.principal import Principal

# "me" in a path stands for the caller's own agent id.
SELF = "me"

bearer_scheme = HTTPBearer(auto_error=False, description="The token returned by POST /api/login.")


def bearer_token(credentials: HTTPAuthorizationCredentials | None) -> str:
    """The raw token of an ``Authorization: Bearer`` header."""
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise ApiError(AUTH_REQUIRED, "log in first: send Authorization: Bearer <token>")
    return credentials.credentials


async def current_user(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    """The logged-in user behind the request's bearer token."""
    principal = context(request).tokens.resolve(bearer_token(credentials))
    if principal is None:
        raise ApiError(AUTH_INVALID_TOKEN, "the token is unknown or expired: log in again")
    return principal


CurrentUser = Annotated[Principal, Depends(current_user)]


async def supervisor(user: CurrentUser) -> Principal:
    """The user, if a supervisor or an admin."""
    if not user.supervises:
        raise ApiError(AUTH_FORBIDDEN, f"role {user.role.value!r} may not do this: supervisors and admins only")
    return user


Supervisor = Annotated[Principal, Depends(supervisor)]


def resolve_agent(user: Principal, agent_id: str) -> str:
    """The agent id a route acts on, after the role check.

    Raises:
        ApiError: ``auth.no_agent`` when "me" is used by a user who is not
            an agent; ``auth.forbidden`` when an agent names someone else.
    """
    if agent_id == SELF:
        if user.agent_id is None:
            raise ApiError(AUTH_NO_AGENT, f"user {user.username!r} is not linked to an agent")
        return user.agent_id
    if not user.may_act_on(agent_id):
        raise ApiError(AUTH_FORBIDDEN, f"user {user.username!r} may not act on agent {agent_id!r}")
    return agent_id


async def agent_target(agent_id: str, user: CurrentUser) -> str:
    """The ``{agent_id}`` path parameter, checked against the caller's role."""
    return resolve_agent(user, agent_id)


AgentTarget = Annotated[str, Depends(agent_target)]
