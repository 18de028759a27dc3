"""Messages between the app and its screens."""

from __future__ import annotations

from textual.message import Message

from agent_console.client import StreamItem


class StreamMessage(Message):
    """One item from the event stream, for the screen on duty."""

    def __init__(self, item: StreamItem) -> None:
        super().__init__()
        self.item = item


class SessionEnded(Message):
    """The login is over (expired or revoked): back to the login screen."""

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason
