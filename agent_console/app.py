"""The console application: log in, then the agent's or the supervisor's
screen by role, fed by one event stream that reconnects on its own."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path

from textual import work
from textual.worker import WorkerCancelled, WorkerFailed
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from agent_console.client import ApiClient, ApiError, Client
from agent_console.clock import FollowingClock, ServiceClock
from agent_console.config import ConsoleConfig, load_config, save_config
from agent_console.messages import SessionEnded, StreamMessage
from agent_console.screens.agent import AgentScreen
from agent_console.screens.login import LoginScreen
from agent_console.screens.supervisor import SupervisorScreen

ClientFactory = Callable[[str], Client]


class ConsoleApp(App[None]):
    """The terminal console for agents and supervisors.

    Args:
        server: the API address; default the one remembered from last time.
        username: prefilled user name; default the one remembered.
        password: log in at once with this password (scripts, tests).
        client_factory: builds the API client for a server address.
        clock: the service clock (tests pin it).
        config_path: the settings file (default: the user's config folder).
        tick_s: how often clocks on screen move.
    """

    TITLE = "Contact center console"
    CSS_PATH = ["styles/common.tcss", "styles/dialogs.tcss"]
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", show=False)]

    def __init__(self, server: str | None = None, username: str | None = None, password: str | None = None,
                 client_factory: ClientFactory = ApiClient, clock: ServiceClock | None = None,
                 config_path: Path | None = None, tick_s: float = 1.0) -> None:
        super().__init__()
        self.config_path = config_path
        self.config = load_config(config_path)
        self.server = server or self.config.server
        self.username = username if username is not None else self.config.user
        self.password = password
        self.client_factory = client_factory
        self.clock: ServiceClock = clock or FollowingClock()
        self.tick_s = tick_s
        self.client: Client | None = None
        self.main: Screen[None] | None = None

    def on_mount(self) -> None:
        self.push_screen(LoginScreen(self.server, self.username))
        if self.password:
            self.start_session(self.server, self.username, self.password)

    async def on_login_screen_submitted(self, message: LoginScreen.Submitted) -> None:
        self.start_session(message.server, message.username, message.password)

    @work(exclusive=True, group="session")
    async def start_session(self, server: str, username: str, password: str) -> None:
        """Log in, open the screen for the user's role, start the event stream."""
        await self._close_client()
        client = self.client_factory(server)
        self.client = client
        try:
            user = await client.login(username, password)
            catalog = await client.catalog()
            screen: Screen[None]
            if user.supervises:
                snapshot = await client.snapshot()
                screen = SupervisorScreen(client, catalog, self.clock, self.config.alerts, snapshot, self.tick_s)
            elif user.agent_id is not None:
                agent = await client.agent_login()
                screen = AgentScreen(client, catalog, self.clock, agent, self.tick_s)
            else:
                raise ApiError(f"{user.username} is a {user.role} user: this console is for agents and supervisors")
        except ApiError as exc:
            self._login_failed(exc.message)
            return
        self.config = ConsoleConfig(client.server, username, self.config.alerts)
        save_config(self.config, self.config_path)
        self.sub_title = f"{user.username} @ {client.server}"
        self.main = screen
        self.switch_screen(screen)
        self.follow_events(client, screen)

    def _login_failed(self, error: str) -> None:
        if isinstance(self.screen, LoginScreen):
            self.screen.failed(error)

    @work(exclusive=True, group="stream")
    async def follow_events(self, client: Client, screen: Screen[None]) -> None:
        """Hand every stream item to the screen on duty, in order."""
        async for item in client.stream():
            screen.post_message(StreamMessage(item))

    async def on_session_ended(self, message: SessionEnded) -> None:
        await self._stop_stream()
        await self._close_client()
        self.main = None
        while len(self.screen_stack) > 2:
            self.pop_screen()
        self.switch_screen(LoginScreen(self.server, self.username, error=message.reason))

    async def _stop_stream(self) -> None:
        # Wait for the stream to end so its socket is closed before we go on.
        for worker in [w for w in self.workers if w.group == "stream"]:
            worker.cancel()
            with contextlib.suppress(WorkerCancelled, WorkerFailed):
                await worker.wait()

    async def _close_client(self) -> None:
        if self.client is not None:
            client, self.client = self.client, None
            await client.close()

    async def action_quit(self) -> None:
        await self._stop_stream()
        await self._close_client()
        self.exit()

    async def on_unmount(self) -> None:
        await self._stop_stream()
        await self._close_client()
