"""What an agent does from the console (supervisors and admins may do it
for any agent). ``{agent_id}`` may be ``me``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from callcenter.api.auth import AgentTarget
from callcenter.api.context import context
from callcenter.api.schemas import (
    AgentLoginRequest,
    AgentOut,
    CallbackOut,
    CallOut,
    DialRequest,
    ErrorBody,
    ExtendWrapUpRequest,
    NotReadyRequest,
    TransferRequest,
    WrapUpRequest,
)

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (401, 403, 404, 409, 422, 503)
}
router = APIRouter(prefix="/api/agents/{agent_id}", tags=["agents"], responses=_ERRORS)


@router.get("", response_model=AgentOut)
async def view(request: Request, agent_id: AgentTarget) -> dict[str, Any]:
    """State, reason, time in state, current call and today's figures."""
    return (await context(request).center.agent_view(agent_id)).to_dict()


@router.post("/login", response_model=AgentOut)
async def login(request: Request, agent_id: AgentTarget, body: AgentLoginRequest | None = None) -> dict[str, Any]:
    """Start the agent's shift (not ready, reason ``login``)."""
    mode = (body or AgentLoginRequest()).answer_mode
    return (await context(request).center.login_agent(agent_id, mode)).to_dict()


@router.post("/logout", response_model=AgentOut)
async def logout(request: Request, agent_id: AgentTarget) -> dict[str, Any]:
    """End the agent's shift (from ready, not ready or wrap-up)."""
    return (await context(request).center.logout_agent(agent_id)).to_dict()


@router.post("/ready", response_model=AgentOut)
async def ready(request: Request, agent_id: AgentTarget) -> dict[str, Any]:
    """Ready for calls."""
    return (await context(request).center.set_ready(agent_id)).to_dict()


@router.post("/not-ready", response_model=AgentOut)
async def not_ready(request: Request, agent_id: AgentTarget, body: NotReadyRequest) -> dict[str, Any]:
    """Not ready with a reason code; during a call it applies after wrap-up."""
    return (await context(request).center.set_not_ready(agent_id, body.reason)).to_dict()


@router.post("/calls", response_model=CallOut)
async def dial(request: Request, agent_id: AgentTarget, body: DialRequest) -> dict[str, Any]:
    """An outbound call to a number or a customer."""
    return (await context(request).center.dial(agent_id, body.number)).to_dict()


@router.post("/calls/{call_id}/answer", response_model=CallOut)
async def answer(request: Request, agent_id: AgentTarget, call_id: str) -> dict[str, Any]:
    """Take the call offered to the agent."""
    return (await context(request).center.answer(agent_id, call_id)).to_dict()


@router.post("/calls/{call_id}/hangup", response_model=CallOut)
async def hangup(request: Request, agent_id: AgentTarget, call_id: str) -> dict[str, Any]:
    """End the call (or cancel an outbound call still dialing)."""
    return (await context(request).center.hangup(agent_id, call_id)).to_dict()


@router.post("/calls/{call_id}/hold", response_model=CallOut)
async def hold(request: Request, agent_id: AgentTarget, call_id: str) -> dict[str, Any]:
    """Put the caller on hold (music)."""
    return (await context(request).center.hold(agent_id, call_id)).to_dict()


@router.post("/calls/{call_id}/unhold", response_model=CallOut)
async def unhold(request: Request, agent_id: AgentTarget, call_id: str) -> dict[str, Any]:
    """Take the caller off hold."""
    return (await context(request).center.unhold(agent_id, call_id)).to_dict()


@router.post("/calls/{call_id}/transfer", response_model=CallOut)
async def transfer(request: Request, agent_id: AgentTarget, call_id: str, body: TransferRequest) -> dict[str, Any]:
    """Transfer to an agent, a queue or a number; blind, or attended (then complete or cancel)."""
    center = context(request).center
    return (await center.transfer(agent_id, call_id, body.target_kind, body.target, body.attended)).to_dict()


@router.post("/calls/{call_id}/transfer/complete", response_model=CallOut)
async def complete_transfer(request: Request, agent_id: AgentTarget, call_id: str) -> dict[str, Any]:
    """Join the caller to the consulted target and leave the call."""
    return (await context(request).center.complete_transfer(agent_id, call_id)).to_dict()


@router.post("/calls/{call_id}/transfer/cancel", response_model=CallOut)
async def cancel_transfer(request: Request, agent_id: AgentTarget, call_id: str) -> dict[str, Any]:
    """Drop the consultation and return to the caller."""
    return (await context(request).center.cancel_transfer(agent_id, call_id)).to_dict()


@router.post("/calls/{call_id}/wrap-up", response_model=AgentOut)
async def wrap_up(request: Request, agent_id: AgentTarget, call_id: str, body: WrapUpRequest) -> dict[str, Any]:
    """Record the disposition and notes and end the after-call work."""
    center = context(request).center
    return (await center.wrap_up(agent_id, call_id, body.disposition, body.notes)).to_dict()


@router.post("/wrap-up/extend", response_model=AgentOut)
async def extend_wrap_up(request: Request, agent_id: AgentTarget, body: ExtendWrapUpRequest) -> dict[str, Any]:
    """More time for after-call work (capped by the center's settings)."""
    return (await context(request).center.extend_wrap_up(agent_id, body.seconds)).to_dict()


@router.get("/callbacks", response_model=list[CallbackOut])
async def callbacks(request: Request, agent_id: AgentTarget) -> list[dict[str, Any]]:
    """Callback requests waiting in the queues the agent serves."""
    return [c.to_dict() for c in await context(request).center.callbacks(agent_id)]
