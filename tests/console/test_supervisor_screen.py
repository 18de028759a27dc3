"""The supervisor screen driven by key presses over the fake API."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from textual.pilot import Pilot

from agent_console.client import Disconnected
from agent_console.screens.dialogs import PickScreen, SkillsScreen
from agent_console.screens.supervisor import SupervisorScreen
from agent_console.widgets.supervisor import AgentGrid
from tests.console.fakes import NOW, FakeClient, call_json, iso
from tests.console.helpers import fake_app, screen_text, until

Flow = Callable[[Pilot[Any], SupervisorScreen, FakeClient], Awaitable[None]]


def run(flow: Flow, size: tuple[int, int] = (80, 24)) -> FakeClient:
    fake = FakeClient("supervisor")

    async def main() -> None:
        app = fake_app(fake, "supervisor")
        async with app.run_test(size=size) as pilot:
            await until(pilot, lambda: isinstance(app.screen, SupervisorScreen) and app.screen.link == "")
            screen = app.screen
            assert isinstance(screen, SupervisorScreen)
            screen.refresh_s = 0.2
            await until(pilot, lambda: len(grid_ids(screen)) == 9, what="the agent grid")
            await pilot.pause(0.15)
            await flow(pilot, screen, fake)

    asyncio.run(main())
    return fake


def grid_line(screen: SupervisorScreen, agent_id: str) -> str:
    lines = [line for line in screen_text(screen.app).splitlines() if line.lstrip().startswith(agent_id + " ")]
    return lines[0] if lines else ""


def grid_ids(screen: SupervisorScreen) -> list[str]:
    grid = screen.query_one(AgentGrid)
    return [str(key.value) for key in grid.rows]


def test_wallboard_grid_and_alerts() -> None:
    async def flow(pilot: Pilot[Any], screen: SupervisorScreen, fake: FakeClient) -> None:
        text = screen_text(screen.app)
        for shown in ("9 waiting", "SL today 84%", "Sales", "Support", "1:35", "61%", "Li Lin", "NOT READY",
                      "lunch", "ON HOLD", "Support: service level 30 min 61% < 80%",
                      "Support: a caller has waited 1:35", "a09 Li Lin: not ready (lunch) for 20:50"):
            assert shown in text, shown
        assert text.splitlines()[-1].startswith("r Ready n Not ready o Sign out k Skills m Monitor")

    run(flow)


def test_agent_state_events_change_the_grid_at_once() -> None:
    async def flow(pilot: Pilot[Any], screen: SupervisorScreen, fake: FakeClient) -> None:
        snapshots = fake.commands.count(("snapshot",))
        fake.push({"event": "agent_state", "agent_id": "a02", "previous": "ready", "state": "not_ready",
                   "at": iso(NOW), "reason": "break", "call_id": None})
        await until(pilot, lambda: "break" in grid_line(screen, "a02"), 1.0)
        assert "NOT READY" in grid_line(screen, "a02")
        fake.push({"event": "agent_skills", "agent_id": "a02", "skills": {"sales": 9}, "at": iso(NOW)})
        await until(pilot, lambda: "sales:9" in grid_line(screen, "a02"), 1.0)
        assert fake.commands.count(("snapshot",)) == snapshots  # no reload for agent events

    run(flow)


def test_call_events_reload_the_queue_figures_once_per_burst() -> None:
    async def flow(pilot: Pilot[Any], screen: SupervisorScreen, fake: FakeClient) -> None:
        before = fake.commands.count(("snapshot",))
        for n in range(5):
            call = {**call_json(f"c{60 + n}", "queued"), "agent_id": None}
            fake.push({"event": "call", "at": iso(NOW), "detail": "queued", "call": call})
        await until(pilot, lambda: fake.commands.count(("snapshot",)) > before, 2.0)
        await pilot.pause(0.4)
        assert fake.commands.count(("snapshot",)) == before + 1
        fake.push({"event": "call", "at": iso(NOW), "detail": "connected",
                   "call": call_json("c51", "talking", NOW - 1) | {"agent_id": "a10"}})
        await until(pilot, lambda: "+886976072" in grid_line(screen, "a10"), 1.0)

    run(flow, size=(100, 30))


def test_sort_and_filter() -> None:
    async def flow(pilot: Pilot[Any], screen: SupervisorScreen, fake: FakeClient) -> None:
        assert grid_ids(screen)[:3] == ["a01", "a02", "a03"]
        await pilot.press("s")  # by state: ringing first
        await pilot.pause(0.15)
        assert grid_ids(screen)[0] == "a10" and grid_ids(screen)[-1] == "a30"
        await pilot.press("s")  # by time in state: longest first
        await pilot.pause(0.15)
        assert grid_ids(screen)[0] == "a30"
        await pilot.press("slash", *"lunch", "enter")
        await pilot.pause(0.15)
        assert grid_ids(screen) == ["a09"]
        await pilot.press("slash", *"vip", "enter")  # a skill
        await pilot.pause(0.15)
        assert sorted(grid_ids(screen)) == ["a27", "a30"]
        await pilot.press("escape")
        await pilot.pause(0.15)
        assert len(grid_ids(screen)) == 9

    run(flow)


def test_force_states_on_the_selected_agent() -> None:
    async def flow(pilot: Pilot[Any], screen: SupervisorScreen, fake: FakeClient) -> None:
        await pilot.press("down")  # a02
        await pilot.press("n")
        assert isinstance(screen.app.screen, PickScreen)
        await pilot.press("1")
        assert ("force_state", "a02", "not_ready", "break") in fake.commands
        await pilot.press("r")
        assert ("force_state", "a02", "ready", None) in fake.commands
        await pilot.press("o")
        assert ("force_state", "a02", "logged_out", None) in fake.commands

    run(flow)


def test_change_skill_levels() -> None:
    async def flow(pilot: Pilot[Any], screen: SupervisorScreen, fake: FakeClient) -> None:
        await pilot.press("down")  # a02: sales 4, support 2
        await pilot.press("k")
        assert isinstance(screen.app.screen, SkillsScreen)
        skills = sorted({s for r in screen.board.agents.values() for s in r.skills})
        await pilot.press(*["down"] * skills.index("sales"), "right", "right")  # sales 4 -> 6
        await pilot.press(*["down"] * (skills.index("support") - skills.index("sales")), "delete")
        await pilot.press("home", "8")  # the first skill (billing) at 8
        await pilot.press("enter")
        assert ("set_skills", "a02", {"billing": 8, "sales": 6}) in fake.commands

    run(flow)


def test_listen_whisper_barge_and_stop() -> None:
    async def flow(pilot: Pilot[Any], screen: SupervisorScreen, fake: FakeClient) -> None:
        await pilot.press("m")  # a01, on a call
        assert isinstance(screen.app.screen, PickScreen)
        await pilot.press("2")
        assert ("spy", "a01", "whisper") in fake.commands
        await pilot.pause(0.15)
        text = screen_text(screen.app)
        assert "whisper a01" in text.splitlines()[0] and "x Stop monitor" in text.splitlines()[-1]
        await pilot.press("x")
        assert ("end_spy", "s1") in fake.commands
        await pilot.pause(0.15)
        assert "m Monitor" in screen_text(screen.app).splitlines()[-1]

    run(flow)


def test_server_away_keeps_the_board() -> None:
    async def flow(pilot: Pilot[Any], screen: SupervisorScreen, fake: FakeClient) -> None:
        fake.push(Disconnected("the server closed the connection", 2.0))
        await until(pilot, lambda: "offline" in screen_text(screen.app).splitlines()[0], 1.0)
        assert "Li Lin" in screen_text(screen.app) and "Support" in screen_text(screen.app)

    run(flow, size=(120, 30))
