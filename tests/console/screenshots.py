"""Make the documentation's console screenshots from a real run.

Starts ``callcenter demo`` (sample center, 10x), logs a supervisor console
in and lets the floor run a while, then has agent a01 answer a call, and
saves both screens as SVG::

    python -m tests.console.screenshots docs/images
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from agent_console.app import ConsoleApp
from agent_console.screens.agent import AgentScreen
from agent_console.screens.supervisor import SupervisorScreen
from tests.console.helpers import running_demo, until

SPEED = 10
FLOOR_S = 60.0  # real seconds the supervisor watches before its picture (10 min of demo time)


async def supervisor_shot(url: str, out: Path, done: asyncio.Event) -> None:
    app = ConsoleApp(server=url, username="supervisor", password="demo", config_path=out / ".console.json")
    async with app.run_test(size=(100, 32)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, SupervisorScreen), 20, "the supervisor screen")
        await pilot.pause(FLOOR_S)
        await pilot.press("s")  # by state: who is on a call first
        await pilot.pause(0.5)
        app.save_screenshot("console-supervisor.svg", str(out))
        await done.wait()


async def agent_shot(url: str, out: Path) -> None:
    app = ConsoleApp(server=url, username="a01", password="demo", config_path=out / ".console.json")
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, AgentScreen), 20, "the agent screen")
        screen = app.screen
        assert isinstance(screen, AgentScreen)
        await pilot.press("r")
        for _ in range(5):
            await until(pilot, lambda: screen.offer is not None, 120, "a call")
            await pilot.press("a")
            try:
                await until(pilot, lambda: screen.call is not None and screen.call.status == "talking", 5)
                break
            except AssertionError:
                await pilot.press("r")
        await pilot.pause(3.0)
        app.save_screenshot("console-agent.svg", str(out))
        await pilot.press("h")


async def main(out: Path) -> None:
    with tempfile.TemporaryDirectory() as data, running_demo(Path(data), SPEED) as demo:
        done = asyncio.Event()
        supervisor = asyncio.create_task(supervisor_shot(demo.url, out, done))
        await asyncio.sleep(FLOOR_S - 10)
        try:
            await agent_shot(demo.url, out)
        finally:
            done.set()
            await supervisor
    (out / ".console.json").unlink(missing_ok=True)


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/images")
    target.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(target))
