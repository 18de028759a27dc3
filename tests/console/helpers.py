"""Helpers for driving the consoles in tests."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
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


ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Demo:
    """A running ``callcenter demo``: its API address and data folder."""

    url: str
    data_dir: Path


@contextlib.contextmanager
def running_demo(data_dir: Path, speed: float, human_agents: str = "a01") -> Iterator[Demo]:
    """``callcenter demo`` with the sample center as a separate process on a
    free port; stopped (cleanly, records flushed) on the way out."""
    out_path = data_dir / "demo.out"
    with open(out_path, "w") as out, open(data_dir / "demo.err", "w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "callcenter.cli.demo", "--config", str(ROOT / "config" / "sample-center"),
             "--data-dir", str(data_dir), "--port", "0", "--headless", "--speed", str(speed),
             "--human-agents", human_agents, "--duration", "600"],
            cwd=ROOT, stdout=out, stderr=err, env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    try:
        url = None
        deadline = time.monotonic() + 30
        while url is None:
            for line in out_path.read_text().splitlines():
                if line.startswith("API listening on "):
                    url = line.split()[-1]
            if url is None:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the demo did not start:\n" + (data_dir / "demo.err").read_text()[-3000:])
                time.sleep(0.1)
        yield Demo(url, data_dir)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
