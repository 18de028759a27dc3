"""Helpers for driving the consoles in tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from agent_console.app import ConsoleApp
from agent_console.clock import FixedClock
from tests.console.fakes import NOW, FakeClient


async def until(pilot: Pilot[Any], check: Callable[[], object], timeout: float = 5.0, what: str = "") -> None:
    """Let the app run until ``check()`` is true; fail after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or check}\n{screen_text(pilot.app)}")
        await pilot.pause(0.05)


def screen_text(app: App[Any]) -> str:
    """The screen as plain text, as a person would read it."""
    update = app.screen._compositor.render_full_update()
    return "\n".join("".join(strip.text for strip in line) for line in update.strips) + "\n"


def fake_app(fake: FakeClient, username: str = "a01", password: str | None = "demo") -> ConsoleApp:
    """A console on the fake API with the clock stopped at ``NOW``."""
    return ConsoleApp(server=fake.server, username=username, password=password, client_factory=lambda _: fake,
                      clock=FixedClock(NOW), tick_s=3600.0)
