"""Bearer tokens: opaque random strings kept server-side with an expiry.

A token is 32 random bytes (URL-safe base64). The server keeps only its
SHA-256 digest, so the session table holds nothing a client could replay.
A token expires ``token_ttl_s`` after its last use, and in any case
``max_token_ttl_s`` after login. Sessions live in the process: a restart
logs every console out, which then logs in again.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from callcenter.api.principal import Principal

Clock = Callable[[], float]


@dataclass(slots=True)
class _Session:
    principal: Principal
    issued_at: float
    expires_at: float


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A new token as handed to the client, once."""

    token: str
    expires_in_s: float


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class TokenStore:
    """Issues, resolves and revokes bearer tokens.

    Args:
        ttl_s: idle lifetime; each successful resolve renews it.
        max_ttl_s: absolute lifetime from issue.
        clock: monotonic seconds (injected for tests).
    """

    def __init__(self, ttl_s: float, max_ttl_s: float, clock: Clock = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self.max_ttl_s = max(max_ttl_s, ttl_s)
        self.clock = clock
        self._sessions: dict[str, _Session] = {}

    def issue(self, principal: Principal) -> IssuedToken:
        """A fresh token for ``principal``."""
        self._purge()
        token = secrets.token_urlsafe(32)
        now = self.clock()
        self._sessions[_digest(token)] = _Session(principal, now, now + self.ttl_s)
        return IssuedToken(token, self.ttl_s)

    def resolve(self, token: str) -> Principal | None:
        """The principal of a live token (renewing it), else None."""
        key = _digest(token)
        session = self._sessions.get(key)
        now = self.clock()
        if session is None:
            return None
        if now >= session.expires_at:
            del self._sessions[key]
            return None
        session.expires_at = min(now + self.ttl_s, session.issued_at + self.max_ttl_s)
        return session.principal

    def revoke(self, token: str) -> bool:
        """Forget a token; True if it was live."""
        return self._sessions.pop(_digest(token), None) is not None

    def revoke_user(self, username: str) -> int:
        """Forget every token of a user; how many there were."""
        keys = [k for k, s in self._sessions.items() if s.principal.username == username]
        for key in keys:
            del self._sessions[key]
        return len(keys)

    def __len__(self) -> int:
        return len(self._sessions)

    def _purge(self) -> None:
        now = self.clock()
        for key in [k for k, s in self._sessions.items() if now >= s.expires_at]:
            del self._sessions[key]
