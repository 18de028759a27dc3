"""The supervisor's screen: wallboard, agent grid, alerts, and commands on
the selected agent (force a state, change skills, listen / whisper / barge).

Agent rows follow ``agent_state`` events at once. Queue figures come from
``GET /api/snapshot``: once on (re)connect, then again shortly after call
events (at most one request per ``refresh_s``), never on a timer of its own.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

from agent_console.board import Board
from agent_console.client import ApiError, Client, Connected, Disconnected, LoggedOut, SessionExpired
from agent_console.clock import ServiceClock
from agent_console.config import AlertRules
from agent_console.messages import SessionEnded, StreamMessage
from agent_console.model import Catalog, Event, Snapshot, Spy
from agent_console.screens.dialogs import KeysScreen, PickScreen, SkillsScreen
from agent_console.widgets.supervisor import AgentGrid, AlertList, SummaryBar, Wallboard, summary_line

T = TypeVar("T")
SORTS = ("agent", "state", "time", "name")
SPY_MODES = [("listen", "Listen (hear both sides)"), ("whisper", "Whisper (talk to the agent only)"),
             ("barge", "Barge (talk to both)")]


class SupervisorScreen(Screen[None]):
    """The floor at a glance, and a hand on it."""

    CSS_PATH = "../styles/supervisor.tcss"
    BINDINGS = [
        Binding("r", "force('ready')", "Ready"),
        Binding("n", "force('not_ready')", "Not ready"),
        Binding("o", "force('logged_out')", "Sign out"),
        Binding("k", "skills", "Skills"),
        Binding("m", "monitor", "Monitor"),
        Binding("x", "stop_monitor", "Stop monitor"),
        Binding("s", "sort", "Sort"),
        Binding("slash", "filter", "Filter"),
        Binding("question_mark", "keys", "Keys"),
        Binding("q", "quit", "Quit"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    version: reactive[int] = reactive(0)
    now: reactive[float] = reactive(0.0)
    sort_by: reactive[str] = reactive("agent")
    filter_text: reactive[str] = reactive("")
    spy: reactive[Spy | None] = reactive(None, bindings=True)
    link: reactive[str] = reactive("")
    message: reactive[str] = reactive("")

    def __init__(self, client: Client, catalog: Catalog, clock: ServiceClock, rules: AlertRules,
                 snapshot: Snapshot | None = None, tick_s: float = 1.0, refresh_s: float = 1.0,
                 redraw_s: float = 0.1) -> None:
        super().__init__()
        self.client = client
        self.catalog = catalog
        self.clock = clock
        self.rules = rules
        self.tick_s = tick_s
        self.refresh_s = refresh_s
        self.board = Board()
        self.redraw_s = redraw_s
        self._refresh_timer: Timer | None = None
        self._redraw_timer: Timer | None = None
        if snapshot is not None:
            self.board.load(snapshot)
            clock.observe(snapshot.at)
        self.set_reactive(SupervisorScreen.now, clock.now())

    def compose(self) -> ComposeResult:
        yield SummaryBar(id="summary")
        yield Wallboard(id="wallboard")
        yield AgentGrid(id="agents")
        yield AlertList(id="alerts")
        yield Input(placeholder="filter agents: id, name, state, reason or skill; Enter applies, Esc clears",
                    id="filter")
        yield Static("", id="message")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#filter", Input).display = False
        self.set_interval(self.tick_s, self._tick)
        self._redraw()
        self.query_one(AgentGrid).focus()

    def _tick(self) -> None:
        self.now = self.clock.now()

    # --- drawing ------------------------------------------------------------------------

    def watch_version(self) -> None:
        # A busy floor sends dozens of events a second: draw at most every
        # redraw_s, and at once when the screen has been quiet.
        if self._redraw_timer is None:
            self._redraw_timer = self.set_timer(self.redraw_s, self._redraw_later)

    def _redraw_later(self) -> None:
        self._redraw_timer = None
        self._redraw()

    def watch_now(self) -> None:
        self._redraw()

    def watch_sort_by(self) -> None:
        self._redraw()

    def watch_filter_text(self) -> None:
        self._redraw()

    def watch_link(self) -> None:
        self._redraw()

    def watch_spy(self) -> None:
        self._redraw()

    def watch_message(self, message: str) -> None:
        if self.is_mounted:
            self.query_one("#message", Static).update(message)

    def _redraw(self) -> None:
        if not self.is_mounted:
            return
        board, now = self.board, self.now
        spying = f"{self.spy.mode} {self.spy.agent_id}" if self.spy else ""
        self.query_one(SummaryBar).line = summary_line(board, self.link, spying)
        self.query_one(Wallboard).show(board, now, self.rules.wait_over_s)
        self.query_one(AgentGrid).show(board.rows(self.sort_by, self.filter_text), board, now)
        self.query_one(AlertList).alerts = tuple(board.alerts(now, self.rules))

    # --- what the server says ------------------------------------------------------------

    async def on_stream_message(self, message: StreamMessage) -> None:
        item = message.item
        if isinstance(item, Connected):
            self.link = ""
            await self.reload()
        elif isinstance(item, Disconnected):
            self.link = f"offline: {item.reason}; retrying in {item.retry_in_s:.0f}s"
        elif isinstance(item, LoggedOut):
            self.post_message(SessionEnded(item.reason))
        else:
            self._apply(item)

    def _apply(self, event: Event) -> None:
        self.clock.observe(event.at)
        if self.board.apply(event):
            self._schedule_refresh()
        self.version += 1

    def _schedule_refresh(self) -> None:
        # Many call events in a burst make one snapshot request.
        if self._refresh_timer is None:
            self._refresh_timer = self.set_timer(self.refresh_s, self._refresh)

    async def _refresh(self) -> None:
        self._refresh_timer = None
        await self.reload()

    async def reload(self) -> None:
        """Fetch the snapshot again: queue figures, and every agent row."""
        snapshot = await self._api("snapshot", self.client.snapshot())
        if snapshot is not None:
            self.clock.observe(snapshot.at)
            self.board.load(snapshot)
            self.now = self.clock.now()
            self.version += 1

    # --- keys --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop_monitor":
            return self.spy is not None
        if action == "monitor":
            return self.spy is None
        return True

    def _selected(self) -> str | None:
        agent_id = self.query_one(AgentGrid).selected
        if agent_id is None:
            self.message = "No agent selected."
        return agent_id

    async def action_force(self, state: str) -> None:
        agent_id = self._selected()
        if agent_id is None:
            return
        if state == "not_ready":
            async def chosen(reason: str | None) -> None:
                if reason:
                    await self._force(agent_id, state, reason)

            reasons = [(r, r) for r in self.catalog.chosen_reasons]
            self.app.push_screen(PickScreen(f"{agent_id} not ready: why?", reasons), chosen)
            return
        await self._force(agent_id, state, None)

    async def _force(self, agent_id: str, state: str, reason: str | None) -> None:
        agent = await self._api(f"force {state}", self.client.force_state(agent_id, state, reason))
        if agent is not None:
            self.message = f"{agent_id} is {agent.state.replace('_', ' ')}" + (
                f" ({agent.pending_reason} after the call)" if agent.pending_reason else "")

    def action_skills(self) -> None:
        agent_id = self._selected()
        if agent_id is None:
            return
        row = self.board.agents[agent_id]
        known = sorted({s for r in self.board.agents.values() for s in r.skills})

        async def chosen(skills: dict[str, int] | None) -> None:
            if skills is not None:
                agent = await self._api("skills", self.client.set_skills(agent_id, skills))
                if agent is not None:
                    self.message = f"{agent_id} skills: " + " ".join(f"{s}:{v}" for s, v in agent.skills.items())

        self.app.push_screen(SkillsScreen(f"{agent_id} {row.name}", row.skills, known), chosen)

    def action_monitor(self) -> None:
        agent_id = self._selected()
        if agent_id is None:
            return

        async def chosen(mode: str | None) -> None:
            if mode:
                spy = await self._api(mode, self.client.spy(agent_id, mode))
                if spy is not None:
                    self.spy = spy
                    self.message = f"{mode}: your phone rings into {agent_id}'s call {spy.call_id}; x stops."

        self.app.push_screen(PickScreen(f"Monitor {agent_id}'s call", SPY_MODES), chosen)

    async def action_stop_monitor(self) -> None:
        spy = self.spy
        if spy is None:
            return
        try:
            await self.client.end_spy(spy.spy_id)
            self.message = f"Stopped monitoring {spy.agent_id}."
        except SessionExpired as exc:
            self.post_message(SessionEnded(exc.message))
            return
        except ApiError as exc:
            # The call may have ended (and the session with it).
            self.message = f"stop monitor: {exc.message}"
        self.spy = None

    def action_sort(self) -> None:
        self.sort_by = SORTS[(SORTS.index(self.sort_by) + 1) % len(SORTS)]
        self.message = f"Agents sorted by {self.sort_by}."

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.value = self.filter_text
        box.focus()

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        self.filter_text = event.value.strip()
        event.input.display = False
        self.query_one(AgentGrid).focus()
        self.message = f"Filter: {self.filter_text}" if self.filter_text else ""

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = False
        self.filter_text = ""
        self.message = ""
        self.query_one(AgentGrid).focus()

    def action_keys(self) -> None:
        lines = [(b.key.replace("question_mark", "?").replace("slash", "/"), b.description)
                 for b in self.BINDINGS if isinstance(b, Binding)]
        self.app.push_screen(KeysScreen(lines, "Sort cycles agent id, state, time in state, name."))

    async def action_quit(self) -> None:
        if self.spy is not None:
            await self.action_stop_monitor()
        await self.app.run_action("app.quit")

    async def _api(self, what: str, request: Awaitable[T]) -> T | None:
        try:
            return await request
        except SessionExpired as exc:
            self.post_message(SessionEnded(exc.message))
        except ApiError as exc:
            self.message = f"{what}: {exc.message}"
        return None
