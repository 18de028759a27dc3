"""The consoles against a real contact center: ``callcenter demo`` with the
sample center, started here as a separate process (a console always runs
apart from the service) and stopped at the end.

Simulated callers keep arriving; ``a01`` is left to the test. The demo runs
at 10x, so the ring timeout (15 s) is 1.5 s real: the test answers at once,
and takes the next call should one ring out anyway.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_console.app import ConsoleApp
from agent_console.format import state_label
from agent_console.screens.agent import AgentScreen
from agent_console.screens.dialogs import WrapUpScreen
from agent_console.screens.login import LoginScreen
from agent_console.screens.supervisor import SupervisorScreen
from tests.console.helpers import Demo, running_demo, screen_text, until

SPEED = 10


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """``callcenter demo`` on a free port, with a01 left to the console."""
    with running_demo(tmp_path_factory.mktemp("demo"), SPEED) as server:
        yield server


def _disposition(db: Path, call_id: str) -> tuple[str | None, str] | None:
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT disposition, notes FROM interactions WHERE id = ?", (call_id,)).fetchone()
    return None if row is None else (row[0], row[1])


def test_agent_takes_a_call_and_supervisor_follows(demo: Demo, console_config: Path) -> None:
    asyncio.run(_take_a_call(demo))


class Watch:
    """What the supervisor console showed of a01, and when."""

    def __init__(self) -> None:
        self.seen: list[tuple[float, str, str | None, str]] = []  # (time, state, reason, grid line)
        self.ready = asyncio.Event()
        self.done = asyncio.Event()

    async def saw(self, state: str, since: float, within: float, reason: str | None = None) -> str:
        """The grid line of a01 once it showed ``state``; fail unless within ``within`` s of ``since``."""
        deadline = since + within
        while True:
            # look before checking the clock: this may be called late when the
            # loop was busy, and what counts is when the grid showed it
            for at, seen_state, seen_reason, line in self.seen:
                if at >= since and seen_state == state and (reason is None or seen_reason == reason):
                    assert at - since <= within, f"{state} shown after {at - since:.2f}s"
                    return line
            if asyncio.get_running_loop().time() > deadline + 0.5:
                raise AssertionError(f"the supervisor never showed a01 {state}: {self.seen[-3:]}")
            await asyncio.sleep(0.02)


async def _supervise(url: str, watch: Watch) -> None:
    """A supervisor console, run in its own task (Textual keeps the running
    app in a context variable, so each console gets its own task)."""
    app = ConsoleApp(server=url, username="supervisor", password="demo")
    loop = asyncio.get_running_loop()
    async with app.run_test(size=(100, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SupervisorScreen) and app.screen.link == "", 15,
                    "the supervisor screen")
        screen = app.screen
        assert isinstance(screen, SupervisorScreen)
        watch.ready.set()
        last: tuple[str, str | None] | None = None
        while not watch.done.is_set():
            row = screen.board.agents.get("a01")
            if row is not None and (row.state, row.reason) != last:
                last = (row.state, row.reason)
                # Time it when the grid SHOWS the change (label and reason on
                # a01's line), not when the model got it: that is what a
                # supervisor sees.
                # two spaces before the label: "  READY " is not "NOT READY"
                wanted = [f"  {state_label(row.state)} "] + ([row.reason] if row.reason else [])
                line = ""
                give_up = loop.time() + 3.0
                while loop.time() < give_up:
                    lines = [text for text in screen_text(app).splitlines() if text.lstrip().startswith("a01 ")]
                    line = lines[0] if lines else ""
                    if all(word in line for word in wanted):
                        break
                    await pilot.pause(0.05)  # a full render is costly: don't starve the app
                watch.seen.append((loop.time(), row.state, row.reason, line))
            await pilot.pause(0.02)


async def _take_a_call(demo: Demo) -> None:
    watch = Watch()
    supervisor = asyncio.create_task(_supervise(demo.url, watch))
    try:
        await asyncio.wait_for(watch.ready.wait(), 20)
        await _agent_console(demo, watch)
    finally:
        watch.done.set()
        await asyncio.wait_for(supervisor, 10)


async def _agent_console(demo: Demo, watch: Watch) -> None:
    app = ConsoleApp(server=demo.url, username="a01")
    loop = asyncio.get_running_loop()
    async with app.run_test(size=(80, 24)) as pilot:
        # The agent logs in by typing the password (server and user are filled in).
        await until(pilot, lambda: isinstance(app.screen, LoginScreen), what="the login screen")
        await pilot.press(*"demo", "enter")
        await until(pilot, lambda: isinstance(app.screen, AgentScreen), 15, "the agent screen")
        screen = app.screen
        assert isinstance(screen, AgentScreen)
        await until(pilot, lambda: screen.link == "", 10, "the event stream")

        # Not ready with a reason picked by key, then ready. Once first, to
        # warm both processes up (first requests, first dialogs) ...
        await pilot.press("n")
        started = loop.time()
        await pilot.press("2")  # 2 = lunch
        assert "lunch" in await watch.saw("not_ready", started, 10.0, reason="lunch")
        started = loop.time()
        await pilot.press("r")
        assert "READY" in await watch.saw("ready", started, 10.0)
        # ... then timed: the supervisor's grid shows each change within a second.
        await pilot.press("n")
        started = loop.time()
        await pilot.press("1")  # 1 = break
        assert "break" in await watch.saw("not_ready", started, 1.0, reason="break")
        started = loop.time()
        await pilot.press("r")
        assert "READY" in await watch.saw("ready", started, 1.0)

        call_id = await _answer_next_call(pilot, screen)
        await pilot.pause(0.1)  # the footer redraws on the next refresh
        shown = screen_text(app)
        pop = screen.pop
        assert pop is not None
        who = pop.customer.name if pop.customer and pop.customer.name else "unknown caller"
        assert who in shown and "TALKING" in shown, shown
        assert "h Hang up" in shown and "o Hold" in shown, shown
        assert "ON CALL" in await watch.saw("busy", started, 120)

        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, WrapUpScreen) or screen.pending_wrap is None,
                    5, "the wrap-up dialog")
        if not isinstance(app.screen, WrapUpScreen):  # wrap-up time over already: open it by key
            await pilot.press("w")
        await until(pilot, lambda: isinstance(app.screen, WrapUpScreen), 5, "the wrap-up dialog")
        await pilot.press("1", *"e2e note", "enter")  # 1 = resolved, then the notes, Enter saves
        await until(pilot, lambda: screen.pending_wrap is None, 5, "the saved disposition")

        db = demo.data_dir / "callcenter.db"
        deadline = time.monotonic() + 5
        while _disposition(db, call_id) != ("resolved", "e2e note"):
            assert time.monotonic() < deadline, _disposition(db, call_id)
            await pilot.pause(0.1)
        await pilot.press("q")


async def _answer_next_call(pilot: object, screen: AgentScreen) -> str:
    """Answer the next call offered to the agent; if one rings out first
    (the machine was slow), get ready again and take the next."""
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    for _ in range(4):
        await until(pilot, lambda: screen.offer is not None, 90, "a call offered to a01")
        offer = screen.offer
        assert offer is not None
        await pilot.press("a")
        try:
            await until(pilot, lambda: screen.call is not None and screen.call.status == "talking", 5, "talking")
            return offer.call_id
        except AssertionError:
            await until(pilot, lambda: screen.offer is None and screen.call is None, 10, "the missed call gone")
            await pilot.press("r")
    raise AssertionError("no call could be answered")
