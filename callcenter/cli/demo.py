"""``callcenter demo``: the whole contact center on embedded defaults, in real time.

The service with the simulated switch (simulated callers from the center's
``traffic.yaml``, simulated agents from its roster), SQLite in a local data
folder and in-process live state. Agents named in ``--human-agents`` are
left to people: log in from a console (``a01`` / ``demo``) and take calls.
The API (when installed) runs in the same event loop. SIGINT/SIGTERM or
``--duration`` stop it cleanly: open calls are closed with a clear end
cause, wrap-ups and every record are flushed.

Run it as ``callcenter demo`` or ``python -m callcenter.cli.demo``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.live import Live
from rich.text import Text

from callcenter.bootstrap import App, build
from callcenter.config.loader import ConfigError
from callcenter.service.facade import Snapshot
from callcenter.settings import Settings, load_settings
from callcenter.storage.errors import StorageError

DEFAULT_CONFIG = Path("config/sample-center")
HEADLESS_EVERY_S = 5.0

log = logging.getLogger(__name__)


def summary_line(snap: Snapshot, clock_text: str) -> str:
    """The one-line state of the center."""
    sl = "-" if snap.sl_today is None else f"{snap.sl_today:.0%}"
    pop = snap.screen_pop
    pop_text = "-" if pop.p50_ms is None else f"{pop.p50_ms:.1f}/{pop.p99_ms:.1f} ms"
    return (f"{clock_text}  waiting {snap.waiting}  ready {snap.agents_ready}  busy {snap.agents_busy}"
            f"  logged in {snap.agents_logged_in}  SL today {sl}  handled {snap.calls_handled}"
            f"  pop p50/p99 {pop_text}")


def _clock_text(app: App) -> str:
    import datetime as dt
    from zoneinfo import ZoneInfo

    t = dt.datetime.fromtimestamp(app.clock.now(), ZoneInfo(app.center.center.timezone))
    return t.strftime("%H:%M:%S")


async def _start_api(app: App, host: str, port: int) -> tuple[Any, asyncio.Task[None]] | None:
    """Serve the API in this loop, if the API package is installed."""
    try:
        import uvicorn

        from callcenter.api.app import create_app
        from callcenter.api.server import server as api_server
    except ImportError as exc:
        log.info("API not available: %s", exc)
        return None

    class EmbeddedServer(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield  # the demo handles SIGINT/SIGTERM itself

    api = create_app(app.service, app.db)
    base = api_server(api, host=host, port=port, log_level="warning")
    srv = EmbeddedServer(base.config)
    task = asyncio.create_task(srv.serve(), name="api")
    for _ in range(200):
        if srv.started or task.done():
            break
        await asyncio.sleep(0.02)
    if task.done():
        failure = task.exception()
        raise click.ClickException(f"the API could not start on {host}:{port}: {failure}")
    return srv, task


def _api_address(srv: Any, host: str, port: int) -> str:
    try:
        sock = srv.servers[0].sockets[0]
        host, port = sock.getsockname()[:2]
    except (AttributeError, IndexError):
        pass
    return f"http://{host}:{port}"


async def run(settings: Settings, *, demo: bool, headless: bool, duration: float | None, api: bool = True) -> int:
    """Build, start, run until a signal or ``duration`` real seconds, stop.

    Returns:
        The exit code (0 on a clean stop).
    """
    out = Console(highlight=False)
    app = await build(settings, demo=demo)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    server: tuple[Any, asyncio.Task[None]] | None = None
    try:
        await app.start()
        if api:
            server = await _start_api(app, settings.api.host, settings.api.port)
        if server is not None:
            out.print(f"API listening on {_api_address(server[0], settings.api.host, settings.api.port)}")
        elif api:
            out.print("API not available (the callcenter.api package is not installed)")
        if app.demo_logins:
            logins = ", ".join(f"{u}/{p} ({r})" for u, p, r in app.demo_logins)
            out.print(f"Demo logins: {logins}")
        if app.simulated_agents:
            out.print(f"Simulated agents: {len(app.simulated_agents)}; human agents: "
                      f"{', '.join(app.human_agents) or 'none'}")
        out.print(f"Database: {settings.db_url_shown}; speed x{settings.simulation.speed:g}; "
                  f"IVR: {settings.ivr_flow or 'none (callers go straight to their queue)'}")
        sys.stdout.flush()
        deadline = None if duration is None else time.monotonic() + duration
        if headless or not out.is_terminal:
            await _headless(app, stop, deadline)
        else:
            await _live(app, stop, deadline, out)
    finally:
        if server is not None:
            server[0].should_exit = True
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server[1], 5.0)
        await app.stop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(sig)
    snap_line = f"stopped cleanly; records written {app.service.recorder.written}"
    out.print(snap_line)
    return 0


async def _wait(stop: asyncio.Event, seconds: float, deadline: float | None) -> bool:
    """Sleep ``seconds`` or until stopped; True when it is time to stop."""
    if deadline is not None:
        seconds = min(seconds, max(0.0, deadline - time.monotonic()))
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set() or (deadline is not None and time.monotonic() >= deadline)


async def _headless(app: App, stop: asyncio.Event, deadline: float | None) -> None:
    while True:
        if await _wait(stop, HEADLESS_EVERY_S, deadline):
            return
        snap = await app.service.snapshot()
        print(summary_line(snap, _clock_text(app)), flush=True)


async def _live(app: App, stop: asyncio.Event, deadline: float | None, out: Console) -> None:
    with Live(Text("starting..."), console=out, refresh_per_second=4, transient=False) as live:
        while True:
            snap = await app.service.snapshot()
            live.update(Text(summary_line(snap, _clock_text(app))))
            if await _wait(stop, 1.0, deadline):
                return


def common_options(fn: Any) -> Any:
    """Options shared by ``demo`` and ``serve``."""
    for option in reversed([
        click.option("--config", "config_dir", type=click.Path(file_okay=False, path_type=Path),
                     default=DEFAULT_CONFIG, show_default=True, help="Config folder (center.yaml, service.yaml ...)."),
        click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
                     help="Folder for the SQLite database and recordings [default: ./data]."),
        click.option("--host", default=None, help="API address to bind [default: 127.0.0.1]."),
        click.option("--port", type=click.IntRange(0, 65535), default=None,
                     help="API port (0: any free port) [default: 8080]."),
        click.option("--duration", type=click.FloatRange(min=0, min_open=True), default=None,
                     help="Stop cleanly after this many real seconds."),
        click.option("--headless", is_flag=True, help="Plain status lines instead of the live line."),
        click.option("--no-api", is_flag=True, help="Do not start the HTTP/WebSocket API."),
        click.option("-v", "--verbose", count=True, help="More logging (-vv for debug)."),
    ]):
        fn = option(fn)
    return fn


def setup_logging(verbose: int, level: str) -> None:
    chosen = logging.DEBUG if verbose > 1 else logging.INFO if verbose == 1 else getattr(logging, level, logging.INFO)
    logging.basicConfig(level=max(chosen, logging.WARNING) if verbose == 0 else chosen,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def execute(settings_fn: Any, *, demo: bool, headless: bool, duration: float | None, api: bool, verbose: int) -> None:
    """Load settings, run, and turn known failures into clean CLI errors."""
    try:
        settings = settings_fn()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    setup_logging(verbose, settings.log_level)
    try:
        code = asyncio.run(run(settings, demo=demo, headless=headless, duration=duration, api=api))
    except (ConfigError, StorageError) as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot start: {exc}") from None
    sys.exit(code)


@click.command()
@common_options
@click.option("--speed", type=click.FloatRange(min=0, min_open=True, max=3600), default=None,
              help="Clock speed: simulated seconds per real second [default: 1].")
@click.option("--start", "start", default=None, help="Simulated time of day to start at, HH:MM [default: 10:00].")
@click.option("--seed", type=int, default=None, help="Random seed of callers and agents [default: 1].")
@click.option("--human-agents", default=None,
              help="Comma-separated agents driven by people from consoles [default: a01,a02]; '' for none.")
@click.option("--ivr", "ivr_flow", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="IVR flow for inbound calls [default: ../ivr/main.yaml next to the config folder, if any].")
@click.option("--no-ivr", is_flag=True, help="No IVR: callers go straight to their queue.")
def demo(
    config_dir: Path, data_dir: Path | None, host: str | None, port: int | None, duration: float | None,
    headless: bool, no_api: bool, verbose: int, speed: float | None, start: str | None, seed: int | None,
    human_agents: str | None, ivr_flow: Path | None, no_ivr: bool,
) -> None:
    """Run a demo center: simulated callers and agents, SQLite, the API, a live summary."""
    humans = None if human_agents is None else [a.strip() for a in human_agents.split(",") if a.strip()]
    if ivr_flow is None and not no_ivr:
        shipped = config_dir.parent / "ivr" / "main.yaml"
        ivr_flow = shipped if shipped.is_file() else None
    overrides: dict[str, Any] = {
        "data_dir": str(data_dir) if data_dir is not None else None,
        "telephony": "simulated",
        "api": {"host": host, "port": port},
        "simulation": {"speed": speed, "start": start, "seed": seed, "human_agents": humans},
        "ivr": {"flow": str(ivr_flow.resolve()) if ivr_flow is not None else None},
    }
    if no_ivr:
        overrides["ivr"] = {"flow": ""}  # empty: none, whatever service.yaml says
    execute(lambda: load_settings(config_dir, overrides=overrides), demo=True, headless=headless,
            duration=duration, api=not no_api, verbose=verbose)


if __name__ == "__main__":
    demo()
