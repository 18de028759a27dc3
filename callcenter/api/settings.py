"""Settings of the console API: a frozen slice handed to ``create_app``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ApiSettings:
    """What the API needs beyond the service and the users.

    Attributes:
        token_ttl_s: a bearer token's lifetime, renewed by use (sliding).
        max_token_ttl_s: hard cap on a token's lifetime from login.
        heartbeat_s: seconds between server pings on an idle WebSocket.
        auth_timeout_s: how long a WebSocket may take to send its token
            in the first message when none was given in the URL.
        event_buffer: events queued per WebSocket client before the slowest
            client is dropped (it reconnects and reloads its view).
        version: reported by ``GET /api/health`` and in the OpenAPI document.
    """

    token_ttl_s: float = 8 * 3600.0
    max_token_ttl_s: float = 24 * 3600.0
    heartbeat_s: float = 15.0
    auth_timeout_s: float = 10.0
    event_buffer: int = 1000
    version: str = "0.1.0"

    def __post_init__(self) -> None:
        for name in ("token_ttl_s", "max_token_ttl_s", "heartbeat_s", "auth_timeout_s"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        if self.event_buffer < 1:
            raise ValueError("event_buffer must be at least 1")
