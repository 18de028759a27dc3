"""Keep secrets out of logs.

The API itself logs usernames, never passwords or tokens. The one leak it
cannot avoid by care alone is the ASGI server's own log line for a
WebSocket opened as ``/api/events?token=...``: this filter rewrites such
lines (and any ``Bearer ...`` text) before a handler sees them.
"""

from __future__ import annotations

import logging
import re

_SECRET = re.compile(r"(?i)((?:[?&]|\b)(?:token|password)=)[^&\s\"']+|(\bbearer\s+)[A-Za-z0-9._~+/=-]+")
SERVER_LOGGERS = ("uvicorn.error", "uvicorn.access", "uvicorn", "hypercorn.error", "hypercorn.access")


def redact(text: str) -> str:
    """``text`` with token and password values replaced by ``***``."""
    return _SECRET.sub(lambda m: (m.group(1) or m.group(2)) + "***", text)


class RedactSecrets(logging.Filter):
    """A logging filter that redacts secrets in a record's final message."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the handler's problem, not ours
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def protect_server_logs(names: tuple[str, ...] = SERVER_LOGGERS) -> None:
    """Attach :class:`RedactSecrets` to the ASGI servers' loggers, once."""
    for name in names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
