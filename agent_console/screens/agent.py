"""The agent's screen: state, the ringing call and its screen pop, call
control, wrap-up, outbound calls and today's figures, all from the keyboard.

The screen's state lives in reactive attributes; the widgets are bound to
them. Events from the stream arrive as :class:`StreamMessage`; commands go
to the API and their answers update the same attributes.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import replace
from typing import TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Static

from agent_console.client import ApiError, Client, Connected, Disconnected, LoggedOut, SessionExpired
from agent_console.clock import ServiceClock
from agent_console.messages import SessionEnded, StreamMessage
from agent_console.model import (
    FINISHED_CALL,
    Agent,
    AgentStateChanged,
    Call,
    CallChanged,
    CallOffered,
    Catalog,
    Offer,
    ScreenPop,
)
from agent_console.screens.dialogs import (
    DialScreen,
    KeysScreen,
    PickScreen,
    TransferScreen,
    TransferTarget,
    WrapUp,
    WrapUpScreen,
)
from agent_console.widgets.agent import CallBar, CustomerCard, HistoryCard, StateBar, StatsBar

T = TypeVar("T")
EXTEND_S = 30.0

CONFERENCE_NOTE = ("Conference calls: not offered; the switch interface has no conference "
                   "bridge yet. Use an attended transfer (t, then c) instead.")


class AgentScreen(Screen[None]):
    """One agent at work."""

    CSS_PATH = "../styles/agent.tcss"
    BINDINGS = [
        Binding("r", "ready", "Ready"),
        Binding("n", "not_ready", "Not ready"),
        Binding("a", "answer", "Answer"),
        Binding("h", "decline", "Decline"),
        Binding("h", "hangup", "Hang up"),
        Binding("o", "hold", "Hold"),
        Binding("o", "unhold", "Resume"),
        Binding("t", "transfer", "Transfer"),
        Binding("c", "complete_transfer", "Complete"),
        Binding("x", "cancel_transfer", "Cancel xfer"),
        Binding("w", "wrap_up", "Disposition"),
        Binding("e", "extend", "+30s"),
        Binding("d", "dial", "Dial"),
        Binding("l", "logout", "Log out"),
        Binding("question_mark", "keys", "Keys"),
        Binding("q", "app.quit", "Quit"),
    ]

    agent: reactive[Agent | None] = reactive(None, bindings=True)
    offer: reactive[Offer | None] = reactive(None, bindings=True)
    call: reactive[Call | None] = reactive(None, bindings=True)
    pop: reactive[ScreenPop | None] = reactive(None)
    pending_wrap: reactive[str | None] = reactive(None, bindings=True)
    now: reactive[float] = reactive(0.0)
    link: reactive[str] = reactive("")
    message: reactive[str] = reactive("")

    def __init__(self, client: Client, catalog: Catalog, clock: ServiceClock, agent: Agent | None = None,
                 tick_s: float = 1.0) -> None:
        super().__init__()
        self.client = client
        self.catalog = catalog
        self.clock = clock
        self.tick_s = tick_s
        self._wrap_dialog: WrapUpScreen | None = None
        self.set_reactive(AgentScreen.agent, agent)
        self.set_reactive(AgentScreen.now, clock.now())

    def compose(self) -> ComposeResult:
        yield StateBar(id="state").data_bind(AgentScreen.agent, AgentScreen.now, AgentScreen.link)
        yield CallBar(id="call").data_bind(AgentScreen.agent, AgentScreen.offer, AgentScreen.call,
                                           AgentScreen.pending_wrap, AgentScreen.now)
        with Horizontal(id="pop"):
            with VerticalScroll(id="card") as card:
                card.border_title = "Caller"
                yield CustomerCard().data_bind(AgentScreen.pop)
            with VerticalScroll(id="history") as history:
                history.border_title = "What to do · history"
                yield HistoryCard().data_bind(AgentScreen.pop)
        yield StatsBar(id="stats").data_bind(AgentScreen.agent)
        yield Static("", id="message")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.set_interval(self.tick_s, self._tick)
        if self.agent is not None:
            self._show_agent(self.agent)

    def _tick(self) -> None:
        self.now = self.clock.now()

    def watch_now(self) -> None:
        self._count_down()

    def watch_agent(self) -> None:
        self._count_down()

    def watch_message(self, message: str) -> None:
        self.query_one("#message", Static).update(message)

    # --- what the server says ------------------------------------------------------

    async def on_stream_message(self, message: StreamMessage) -> None:
        item = message.item
        if isinstance(item, Connected):
            self.link = ""
            await self.reload()
        elif isinstance(item, Disconnected):
            self.link = f"offline: {item.reason}; retrying in {item.retry_in_s:.0f}s"
        elif isinstance(item, LoggedOut):
            self.post_message(SessionEnded(item.reason))
        elif isinstance(item, AgentStateChanged):
            self._on_state(item)
        elif isinstance(item, CallOffered):
            self._on_offer(item)
        elif isinstance(item, CallChanged):
            self._on_call(item)

    async def reload(self) -> None:
        """Fetch the agent's view again (after a reconnect or a state change)."""
        agent = await self._api("refresh", self.client.agent())
        if agent is not None:
            self._show_agent(agent)

    def _show_agent(self, agent: Agent) -> None:
        self.clock.observe(agent.as_of)
        self.agent = agent
        call = agent.current_call
        if call is not None and call.live:
            self.call = call
        elif self.call is not None and (call is None or call.call_id == self.call.call_id):
            self.call = None
        if self.offer is not None and agent.state not in ("reserved", "busy", "held"):
            self.offer = None
        self.now = self.clock.now()

    def _on_state(self, event: AgentStateChanged) -> None:
        if self.agent is None or event.agent_id != self.agent.agent_id:
            return
        self.clock.observe(event.at)
        self.agent = replace(self.agent, state=event.state, reason=event.reason, since=event.at)
        self._offer_wrap_up()
        self.run_worker(self.reload(), exclusive=True, group="agent-view")

    def watch_pending_wrap(self) -> None:
        self._offer_wrap_up()

    def _offer_wrap_up(self) -> None:
        """Open the wrap-up dialog by itself once the call ended and wrap-up began."""
        agent = self.agent
        if agent is not None and agent.state == "wrap_up" and self.pending_wrap and self.app.screen is self:
            self.action_wrap_up()

    def _on_offer(self, event: CallOffered) -> None:
        self.clock.observe(event.at)
        self.offer = event.offer
        self.pop = event.offer.pop
        self.message = ""
        self.app.bell()

    def _on_call(self, event: CallChanged) -> None:
        call = event.call
        mine = {c.call_id for c in (self.call, self.offer) if c is not None}
        if self.agent is None or (call.agent_id != self.agent.agent_id and call.call_id not in mine):
            return
        self.clock.observe(event.at)
        if call.live:
            self.call = call
            if call.status != "ringing":
                self.offer = None
            return
        if call.call_id not in mine:
            return
        answered = call.answered_at is not None
        if call.status in FINISHED_CALL and answered:
            self.pending_wrap = call.call_id
        elif call.status == "queued":
            self.message = "The call went back to the queue: it was not answered in time."
        elif call.status == "abandoned":
            self.message = "The caller hung up before the call was answered."
        self.offer = None
        self.call = None

    # --- keys ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        agent, call, offer = self.agent, self.call, self.offer
        state = agent.state if agent else "logged_out"
        on_call = call is not None and call.live and call.status != "ringing"
        ringing = offer is not None and not on_call
        status = call.status if call else ""
        rules = {
            "ready": state in ("not_ready", "logged_out", "wrap_up") and not on_call and not ringing,
            "not_ready": state != "logged_out" and not ringing,
            "answer": ringing,
            "decline": ringing,
            "hangup": on_call,
            "hold": status == "talking",
            "unhold": status == "held",
            "transfer": status in ("talking", "held"),
            "complete_transfer": status == "consulting",
            "cancel_transfer": status == "consulting",
            "wrap_up": self.pending_wrap is not None,
            "extend": state == "wrap_up",
            "dial": state in ("not_ready", "ready") and not on_call and not ringing,
            "logout": state in ("ready", "not_ready", "wrap_up") and not on_call and not ringing,
        }
        return rules.get(action, True)

    async def action_ready(self) -> None:
        if self.agent is None or self.agent.state == "logged_out":
            agent = await self._api("log in", self.client.agent_login())
            if agent is None:
                return
            self._show_agent(agent)
        agent = await self._api("ready", self.client.ready())
        if agent is not None:
            self._show_agent(agent)
            self.message = ""

    def action_not_ready(self) -> None:
        reasons = [(r, r) for r in self.catalog.chosen_reasons]

        async def chosen(reason: str | None) -> None:
            if reason:
                agent = await self._api("not ready", self.client.not_ready(reason))
                if agent is not None:
                    self._show_agent(agent)
                    if agent.pending_reason:
                        self.message = f"Not ready ({reason}) after this call."

        self.app.push_screen(PickScreen("Not ready: why?", reasons), chosen)

    async def action_answer(self) -> None:
        if self.offer is None:
            return
        call = await self._api("answer", self.client.answer(self.offer.call_id))
        if call is not None:
            self.call = call

    async def action_decline(self) -> None:
        if self.offer is not None:
            await self._api("decline", self.client.hangup(self.offer.call_id))

    async def action_hangup(self) -> None:
        if self.call is not None:
            call = await self._api("hang up", self.client.hangup(self.call.call_id))
            if call is not None and not call.live:
                self._on_call(CallChanged(call, None))

    async def action_hold(self) -> None:
        if self.call is not None:
            self._set_call(await self._api("hold", self.client.hold(self.call.call_id)))

    async def action_unhold(self) -> None:
        if self.call is not None:
            self._set_call(await self._api("resume", self.client.unhold(self.call.call_id)))

    def _set_call(self, call: Call | None) -> None:
        if call is not None and call.live:
            self.call = call

    def action_transfer(self) -> None:
        if self.call is None:
            return
        call_id = self.call.call_id

        async def chosen(target: TransferTarget | None) -> None:
            if target is None:
                return
            call = await self._api("transfer", self.client.transfer(call_id, target.kind, target.target,
                                                                     target.attended))
            if call is not None:
                how = "consulting" if target.attended else "transferred to"
                self.message = f"{how} {target.kind} {target.target}"
                if call.live:
                    self.call = call
                else:
                    self._on_call(CallChanged(call, None))

        agent_id = self.agent.agent_id if self.agent else None
        self.app.push_screen(TransferScreen(self.catalog, agent_id), chosen)

    async def action_complete_transfer(self) -> None:
        if self.call is not None:
            call = await self._api("complete transfer", self.client.complete_transfer(self.call.call_id))
            if call is not None and not call.live:
                self._on_call(CallChanged(call, None))

    async def action_cancel_transfer(self) -> None:
        if self.call is not None:
            self._set_call(await self._api("cancel transfer", self.client.cancel_transfer(self.call.call_id)))

    def action_wrap_up(self) -> None:
        call_id = self.pending_wrap
        if call_id is None:
            return
        dialog = WrapUpScreen(call_id, self.catalog.dispositions, self._extend_later)

        async def chosen(answer: WrapUp | None) -> None:
            self._wrap_dialog = None
            if answer is None:
                return
            agent = await self._api("wrap-up", self.client.wrap_up(call_id, answer.disposition, answer.notes))
            if agent is not None:
                self.pending_wrap = None
                self._show_agent(agent)
                self.message = f"Saved: {answer.disposition} for call {call_id}."

        self._wrap_dialog = dialog
        self.app.push_screen(dialog, chosen)
        self._count_down()

    def _count_down(self) -> None:
        """Keep the open wrap-up dialog's timer in step with the agent."""
        if self._wrap_dialog is None:
            return
        agent = self.agent
        until = agent.wrap_up_until if agent and agent.state == "wrap_up" else None
        self._wrap_dialog.remaining = None if until is None else until - self.now

    def _extend_later(self) -> None:
        self.run_worker(self.action_extend(), group="extend")

    async def action_extend(self) -> None:
        agent = await self._api("extend wrap-up", self.client.extend_wrap_up(EXTEND_S))
        if agent is not None:
            self._show_agent(agent)
            self.message = f"Wrap-up extended by {EXTEND_S:.0f} s."

    async def action_dial(self) -> None:
        callbacks = await self._api("callbacks", self.client.callbacks()) or []

        async def chosen(number: str | None) -> None:
            if number:
                call = await self._api("dial", self.client.dial(number))
                if call is not None:
                    self.call = call
                    self.pop = ScreenPop(call.caller_number)

        self.app.push_screen(DialScreen(callbacks), chosen)

    async def action_logout(self) -> None:
        agent = await self._api("log out", self.client.agent_logout())
        if agent is not None:
            self._show_agent(agent)
            self.message = "Logged out of the queues. r logs in again, q quits."

    def action_keys(self) -> None:
        lines = [(b.key.replace("question_mark", "?"), b.description)
                 for b in self.BINDINGS if isinstance(b, Binding)]
        self.app.push_screen(KeysScreen(lines, CONFERENCE_NOTE))

    # --- talking to the API ------------------------------------------------------------

    async def _api(self, what: str, request: Awaitable[T]) -> T | None:
        """Run one request; show a failure on the message line instead of raising."""
        try:
            return await request
        except SessionExpired as exc:
            self.post_message(SessionEnded(exc.message))
        except ApiError as exc:
            self.message = f"{what}: {exc.message}"
        return None
