"""Request and response bodies: pydantic at the edge, and nowhere else.

Responses mirror the facade's ``to_dict()`` output (times are ISO 8601 UTC
strings, durations seconds). Response models accept unknown keys, so a field
the service adds reaches consoles at once; a test keeps the two in step.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from acd.model import MAX_LEVEL, MIN_LEVEL
from callcenter.service.facade import AnswerMode, SpyMode, TargetKind
from callcenter.storage.users import Role


Level = Annotated[int, Field(ge=MIN_LEVEL, le=MAX_LEVEL)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Response(BaseModel):
    model_config = ConfigDict(extra="allow")


# --- requests ----------------------------------------------------------------


class LoginRequest(_Request):
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1000, json_schema_extra={"format": "password"})


class AgentLoginRequest(_Request):
    answer_mode: AnswerMode = AnswerMode.CONSOLE


class NotReadyRequest(_Request):
    reason: str = Field(min_length=1, description="a not-ready reason code from GET /api/catalog")


class TransferRequest(_Request):
    target_kind: TargetKind
    target: str = Field(min_length=1, description="an agent id, a queue id or a phone number")
    attended: bool = Field(False, description="consult the target first; a queue transfer is always blind")


class WrapUpRequest(_Request):
    disposition: str = Field(min_length=1, description="a disposition code from GET /api/catalog")
    notes: str = Field("", max_length=10_000)


class ExtendWrapUpRequest(_Request):
    seconds: float = Field(gt=0, le=3600)


class DialRequest(_Request):
    number: str = Field(min_length=1, max_length=64, description="a phone number or a customer id")


class ForceStateRequest(_Request):
    state: Literal["ready", "not_ready", "logged_out"]
    reason: str | None = Field(None, description="required with not_ready")


class SkillsRequest(_Request):
    skills: dict[str, Level] = Field(min_length=1, description=f"skill -> level {MIN_LEVEL}-{MAX_LEVEL}")


class SpyRequest(_Request):
    mode: SpyMode = SpyMode.LISTEN


# --- responses ---------------------------------------------------------------


class ErrorDetail(_Response):
    id: str = Field(description="stable error id; see docs/api.md")
    message: str
    details: list[dict[str, object]] | None = None


class ErrorBody(_Response):
    error: ErrorDetail


class UserOut(_Response):
    username: str
    role: Role
    agent_id: str | None
    display_name: str = ""


class LoginResponse(_Response):
    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in_s: float
    user: UserOut


class HealthOut(_Response):
    status: Literal["ok", "degraded"]
    version: str
    switch_connected: bool
    store_ok: bool
    db_ok: bool | None = Field(description="None when the API was built without a database")


class IvrOut(_Response):
    path: list[str]
    inputs: dict[str, str]


class CallOut(_Response):
    call_id: str
    direction: str
    status: str
    queue: str | None
    caller_number: str | None
    customer_id: str | None
    agent_id: str | None
    arrived_at: str | None
    answered_at: str | None
    waited_s: float | None
    ivr: IvrOut
    transfer_target: str | None


class AgentStatsOut(_Response):
    calls: int
    aht_s: float | None
    occupancy: float | None
    time_in_state_s: dict[str, float]


class AgentOut(_Response):
    agent_id: str
    name: str
    state: str
    reason: str | None
    since: str | None
    time_in_state_s: float | None
    pending_reason: str | None
    skills: dict[str, int]
    current_call: CallOut | None
    wrap_up_until: str | None
    answer_mode: str
    simulated: bool
    today: AgentStatsOut


class QueueOut(_Response):
    queue_id: str
    name: str
    waiting: int
    longest_wait_s: float | None
    sl_target: float
    sl_threshold_s: float
    sl_today: float | None
    sl_30min: float | None
    asa_s: float | None
    aht_s: float | None
    abandon_rate: float | None
    offered: int
    answered: int
    abandoned: int


class AgentSummaryOut(_Response):
    agent_id: str
    name: str
    state: str
    reason: str | None
    time_in_state_s: float | None
    call_id: str | None
    skills: dict[str, int]
    simulated: bool


class LatencyOut(_Response):
    count: int
    p50_ms: float | None
    p90_ms: float | None
    p99_ms: float | None
    max_ms: float | None


class SnapshotOut(_Response):
    at: str | None
    queues: list[QueueOut]
    agents: list[AgentSummaryOut]
    waiting: int
    agents_ready: int
    agents_busy: int
    agents_logged_in: int
    calls_handled: int
    sl_today: float | None
    screen_pop: LatencyOut
    switch_connected: bool


class CallbackOut(_Response):
    call_id: str
    queue: str
    number: str | None
    customer_id: str | None
    requested_at: str | None
    assigned_agent: str | None


class SpyOut(_Response):
    spy_id: str
    supervisor: str
    agent_id: str
    call_id: str
    mode: str


class CatalogOut(_Response):
    queues: dict[str, str]
    not_ready_reasons: list[str]
    dispositions: dict[str, str]
    agents: dict[str, str]
