"""Snapshots of the main screens at 80x24, with fixed data and a stopped clock."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot

from agent_console.app import ConsoleApp
from agent_console.model import Snapshot
from agent_console.screens.agent import AgentScreen
from agent_console.screens.supervisor import SupervisorScreen
from tests.console.fakes import NOW, FakeClient, agent_json, history, snapshot_json
from tests.console.helpers import fake_app, screen_text, until
from tests.console.snapshots import check_snapshot
from tests.console.test_agent_screen import call_event, pop_event, state_event

Steps = Callable[[Pilot[Any], ConsoleApp, FakeClient], Awaitable[None]]


def snap(name: str, role: str, steps: Steps, agent: dict[str, Any] | None = None) -> None:
    fake = FakeClient(role, agent)

    async def main() -> None:
        app = fake_app(fake, "a01" if role == "agent" else "supervisor")
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, (AgentScreen, SupervisorScreen)) and
                        getattr(app.screen, "link", "x") == "")
            await steps(pilot, app, fake)
            await settled(pilot, app)
            check_snapshot(app, name)

    asyncio.run(main())


async def settled(pilot: Pilot[Any], app: ConsoleApp, timeout_s: float = 10.0) -> None:
    """Wait until the screen stops changing (3 equal renders 0.1 s apart): a
    loaded machine may need more than one refresh to size the tables."""
    previous, same = "", 0
    for _ in range(int(timeout_s / 0.1)):
        await pilot.pause(0.1)
        text = screen_text(app)
        same = same + 1 if text == previous else 0
        if same >= 2:
            return
        previous = text
    raise AssertionError("the screen never settled")


async def nothing(pilot: Pilot[Any], app: ConsoleApp, fake: FakeClient) -> None:
    pass


async def ringing(pilot: Pilot[Any], app: ConsoleApp, fake: FakeClient) -> None:
    fake.push(pop_event())
    await until(pilot, lambda: isinstance(app.screen, AgentScreen) and app.screen.offer is not None)


async def talking_then_wrap_up(pilot: Pilot[Any], app: ConsoleApp, fake: FakeClient) -> None:
    await ringing(pilot, app, fake)
    await pilot.press("a")
    fake.push(call_event("talking"))
    await pilot.pause(0.1)
    await pilot.press("h")
    fake.agent_data = agent_json("wrap_up", None, 4.0, wrap_until=NOW + 16)
    fake.push(state_event("wrap_up", call_id="c42"))
    await pilot.pause(0.2)
    await pilot.press("3")


async def transfer_dialog(pilot: Pilot[Any], app: ConsoleApp, fake: FakeClient) -> None:
    await ringing(pilot, app, fake)
    await pilot.press("a")
    fake.push(call_event("talking"))
    await pilot.pause(0.1)
    await pilot.press("t", *"a0")


async def with_history(pilot: Pilot[Any], app: ConsoleApp, fake: FakeClient) -> None:
    screen = app.screen
    assert isinstance(screen, SupervisorScreen)
    for queue, at, waiting in history(Snapshot.from_json(snapshot_json())):
        screen.board.history.record(queue, at, waiting)
    screen.version += 1


def test_agent_not_ready() -> None:
    snap("agent_not_ready", "agent", nothing)


def test_agent_ringing_with_screen_pop() -> None:
    snap("agent_ringing", "agent", ringing, agent_json("ready", None, 42.0))


def test_agent_wrap_up() -> None:
    snap("agent_wrap_up", "agent", talking_then_wrap_up, agent_json("ready", None, 42.0))


def test_agent_transfer() -> None:
    snap("agent_transfer", "agent", transfer_dialog, agent_json("ready", None, 42.0))


def test_supervisor_wallboard() -> None:
    snap("supervisor", "supervisor", with_history)
