"""What supervisors and admins do: the snapshot, forced states, skills, spying."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from callcenter.api.auth import Supervisor, resolve_agent
from callcenter.api.context import context
from callcenter.api.schemas import AgentOut, ErrorBody, ForceStateRequest, SkillsRequest, SnapshotOut, SpyOut, SpyRequest

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (401, 403, 404, 409, 422, 503)
}
router = APIRouter(prefix="/api", tags=["supervisors"], responses=_ERRORS)


@router.get("/snapshot", response_model=SnapshotOut)
async def snapshot(request: Request, _user: Supervisor) -> dict[str, Any]:
    """Queues and agents now (the event stream keeps it current)."""
    return (await context(request).center.snapshot()).to_dict()


@router.post("/agents/{agent_id}/state", response_model=AgentOut)
async def force_state(request: Request, user: Supervisor, agent_id: str, body: ForceStateRequest) -> dict[str, Any]:
    """Force an agent ready, not ready (with a reason) or logged out."""
    target = resolve_agent(user, agent_id)
    return (await context(request).center.force_state(target, body.state, body.reason)).to_dict()


@router.put("/agents/{agent_id}/skills", response_model=AgentOut)
async def set_skills(request: Request, user: Supervisor, agent_id: str, body: SkillsRequest) -> dict[str, Any]:
    """Replace an agent's skills and levels (routing uses them at once)."""
    target = resolve_agent(user, agent_id)
    return (await context(request).center.set_skills(target, body.skills)).to_dict()


@router.post("/agents/{agent_id}/spy", response_model=SpyOut)
async def spy(request: Request, user: Supervisor, agent_id: str, body: SpyRequest | None = None) -> dict[str, Any]:
    """Ring the supervisor's phone into the agent's call: listen, whisper or barge."""
    target = resolve_agent(user, agent_id)
    mode = (body or SpyRequest()).mode
    return (await context(request).center.spy(user.username, target, mode)).to_dict()


@router.delete("/spy/{spy_id}", status_code=204, response_class=Response)
async def end_spy(request: Request, user: Supervisor, spy_id: str) -> Response:
    """Stop listening."""
    await context(request).center.end_spy(user.username, spy_id)
    return Response(status_code=204)
