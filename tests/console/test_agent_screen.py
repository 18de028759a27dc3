"""The agent screen driven by key presses over the fake API: every action,
the footer's keys in each state, the screen pop, offline and re-login."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from agent_console.app import ConsoleApp
from agent_console.client import Connected, Disconnected, LoggedOut
from agent_console.screens.agent import AgentScreen
from agent_console.screens.dialogs import DialScreen, KeysScreen, PickScreen, TransferScreen, WrapUpScreen
from agent_console.screens.login import LoginScreen
from tests.console.fakes import NOW, POP, FakeClient, agent_json, call_json, iso
from tests.console.helpers import fake_app, screen_text, until

Flow = Callable[[Pilot[Any], AgentScreen, FakeClient], Awaitable[None]]


def pop_event(call_id: str = "c42") -> dict[str, Any]:
    return {"event": "screen_pop", "agent_id": "a01", "call_id": call_id, "queue": "sales", "direction": "inbound",
            "offered_at": iso(NOW - 2), "deadline": iso(NOW + 13), "answer_mode": "console", "pop": POP}


def call_event(status: str, call_id: str = "c42", answered: float | None = NOW - 5, **extra: Any) -> dict[str, Any]:
    call = {**call_json(call_id, status, answered), **extra}
    return {"event": "call", "at": iso(NOW), "detail": status, "call": call}


def state_event(state: str, reason: str | None = None, call_id: str | None = None) -> dict[str, Any]:
    return {"event": "agent_state", "agent_id": "a01", "previous": "", "state": state, "at": iso(NOW),
            "reason": reason, "call_id": call_id}


def footer(app: ConsoleApp) -> str:
    return screen_text(app).rstrip("\n").splitlines()[-1]


def run(flow: Flow, agent: dict[str, Any] | None = None) -> FakeClient:
    """Log in to the fake API as a01 and run ``flow`` on the agent screen."""
    fake = FakeClient("agent", agent or agent_json())

    async def main() -> None:
        app = fake_app(fake)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, AgentScreen) and app.screen.link == "", what="login")
            screen = app.screen
            assert isinstance(screen, AgentScreen)
            await flow(pilot, screen, fake)

    asyncio.run(main())
    return fake


async def offer_and_answer(pilot: Pilot[Any], screen: AgentScreen, fake: FakeClient) -> None:
    fake.push(pop_event())
    await until(pilot, lambda: screen.offer is not None, what="the pop")
    await pilot.press("a")
    assert ("answer", "c42") in fake.commands
    fake.push(call_event("talking"))
    await until(pilot, lambda: screen.call is not None and screen.call.status == "talking", what="talking")
    await pilot.pause()


def test_login_by_keys_remembers_server_and_user_only(console_config: Path) -> None:
    fake = FakeClient("agent")

    async def main() -> None:
        app = fake_app(fake, password=None)
        async with app.run_test(size=(80, 24)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, LoginScreen))
            await pilot.press(*"nope", "enter")
            await until(pilot, lambda: "wrong username or password" in screen_text(app), what="the error")
            await pilot.press(*"demo", "enter")
            await until(pilot, lambda: isinstance(app.screen, AgentScreen), what="the agent screen")

    asyncio.run(main())
    saved = json.loads(console_config.read_text())
    assert saved["server"] == fake.server and saved["user"] == "a01"
    assert "demo" not in console_config.read_text()
    assert ("agent_login",) in fake.commands  # logged in to the queues, not ready


def test_pop_shows_customer_value_history_ivr_and_next_action() -> None:
    async def flow(pilot: Pilot[Any], screen: AgentScreen, fake: FakeClient) -> None:
        assert "a Answer" not in footer(screen.app)
        fake.push(pop_event())
        await until(pilot, lambda: screen.offer is not None)
        await pilot.pause()
        text = screen_text(screen.app)
        for shown in ("INCOMING", "Chen Chia-Hui", "A1", "1,843,200", "good friend", "RFM 545", "a27",
                      "charge on card", "2025-03-17", "sale", "abandoned", "main-menu",
                      "015838", "NEXT", "answer in 0:13"):
            assert shown in text, shown
        assert footer(screen.app).startswith("a Answer h Decline")

    run(flow)


def test_answer_hold_resume_hang_up_and_disposition() -> None:
    async def flow(pilot: Pilot[Any], screen: AgentScreen, fake: FakeClient) -> None:
        await offer_and_answer(pilot, screen, fake)
        assert "h Hang up" in footer(screen.app) and "o Hold" in footer(screen.app)
        await pilot.press("o")
        assert ("hold", "c42") in fake.commands
        await pilot.pause()
        assert "o Resume" in footer(screen.app) and "ON HOLD" in screen_text(screen.app)
        await pilot.press("o")
        assert ("unhold", "c42") in fake.commands
        await pilot.press("h")
        assert ("hangup", "c42") in fake.commands
        assert screen.pending_wrap == "c42"
        fake.agent_data = agent_json("wrap_up", None, 0.0, wrap_until=NOW + 20)
        fake.push(state_event("wrap_up", call_id="c42"))
        await until(pilot, lambda: isinstance(screen.app.screen, WrapUpScreen), what="the wrap-up dialog")
        await pilot.pause()
        assert "wrap-up time left: 0:20" in screen_text(screen.app)
        await pilot.press("f2")
        await until(pilot, lambda: ("extend_wrap_up", 30.0) in fake.commands)
        await pilot.press("2", *"call back friday", "enter")
        await until(pilot, lambda: screen.pending_wrap is None)
        assert ("wrap_up", "c42", "follow-up", "call back friday") in fake.commands
        assert "Saved: follow-up" in screen_text(screen.app)

    run(flow, agent_json("ready", None, 30.0))


def test_wrap_up_needs_a_disposition_and_can_wait() -> None:
    async def flow(pilot: Pilot[Any], screen: AgentScreen, fake: FakeClient) -> None:
        await offer_and_answer(pilot, screen, fake)
        await pilot.press("h")
        await pilot.press("w")
        assert isinstance(screen.app.screen, WrapUpScreen)
        await pilot.press("tab", "enter")  # Enter in the notes with no code picked
        assert isinstance(screen.app.screen, WrapUpScreen)
        await pilot.press("escape")  # later
        await pilot.pause()
        assert "Disposition needed" in screen_text(screen.app) and "w Disposition" in footer(screen.app)
        await pilot.press("w", "down", "enter", "enter")  # the second code, no notes
        await until(pilot, lambda: screen.pending_wrap is None)
        assert ("wrap_up", "c42", "follow-up", "") in fake.commands

    run(flow, agent_json("ready", None, 30.0))


def test_blind_and_attended_transfers() -> None:
    async def flow(pilot: Pilot[Any], screen: AgentScreen, fake: FakeClient) -> None:
        await offer_and_answer(pilot, screen, fake)
        await pilot.press("t")
        assert isinstance(screen.app.screen, TransferScreen)
        await pilot.press(*"a02", "ctrl+t", "enter")
        assert ("transfer", "c42", "agent", "a02", True) in fake.commands
        await pilot.pause()
        assert screen.call is not None and screen.call.status == "consulting"
        assert "c Complete" in footer(screen.app) and "x Cancel xfer" in footer(screen.app)
        await pilot.press("x")
        assert ("cancel_transfer", "c42") in fake.commands
        await pilot.press("t", *"sup", "enter")  # the Support queue: always blind
        assert ("transfer", "c42", "queue", "support", False) in fake.commands
        await pilot.pause()
        assert screen.call is None and screen.pending_wrap == "c42"
        await pilot.press("w", "escape")
        fake.push(pop_event("c43"))
        await until(pilot, lambda: screen.offer is not None)
        await pilot.press("a")
        fake.push(call_event("talking", "c43"))
        await until(pilot, lambda: screen.call is not None and screen.call.call_id == "c43")
        await pilot.press("t", *"0223456789", "enter")
        assert ("transfer", "c43", "number", "0223456789", False) in fake.commands

    run(flow, agent_json("ready", None, 30.0))


def test_not_ready_with_reason_then_ready() -> None:
    async def flow(pilot: Pilot[Any], screen: AgentScreen, fake: FakeClient) -> None:
        await pilot.press("n")
        assert isinstance(screen.app.screen, PickScreen)
        assert "no-answer" not in screen_text(screen.app)  # the router's own reason
        await pilot.press("2")
        assert ("not_ready", "lunch") in fake.commands
        await pilot.pause()
        assert "NOT READY" in screen_text(screen.app) and "lunch" in screen_text(screen.app)
        await pilot.press("r")
        assert ("ready",) in fake.commands
        await pilot.pause()
        assert "READY" in screen_text(screen.app).splitlines()[0]

    run(flow)


def test_dial_a_number_or_a_waiting_callback() -> None:
    async def flow(pilot: Pilot[Any], screen: AgentScreen, fake: FakeClient) -> None:
        await pilot.press("d")
        await until(pilot, lambda: isinstance(screen.app.screen, DialScreen))
        await pilot.pause()
        assert "+886223456789" in screen_text(screen.app)  # the callback waiting in sales
        await pilot.press("tab", "enter")
        assert ("dial", "+886223456789") in fake.commands
        await pilot.pause()
        assert "DIALING" in screen_text(screen.app) and "h Hang up" in footer(screen.app)
        fake.push(call_event("ended", "c99"))
        await until(pilot, lambda: screen.call is None)
        await pilot.press("w", "escape")
        await pilot.press("d")
        await until(pilot, lambda: isinstance(screen.app.screen, DialScreen))
        await pilot.press(*"C000010", "enter")
        assert ("dial", "C000010") in fake.commands

    run(flow)


def test_missed_call_goes_back_to_the_queue() -> None:
    async def flow(pilot: Pilot[Any], screen: AgentScreen, fake: FakeClient) -> None:
        fake.push(pop_event())
        await until(pilot, lambda: screen.offer is not None)
        fake.push(call_event("queued", answered=None))
        await until(pilot, lambda: screen.offer is None)
        assert "back to the queue" in screen_text(screen.app)
        assert screen.pending_wrap is None

    run(flow, agent_json("ready", None, 30.0))


def test_server_away_keeps_the_screen_and_says_so() -> None:
    async def flow(pilot: Pilot[Any], screen: AgentScreen, fake: FakeClient) -> None:
        await offer_and_answer(pilot, screen, fake)
        fake.push(Disconnected("the server does not answer (ConnectionRefusedError)", 4.0))
        await until(pilot, lambda: screen.link != "")
        await pilot.pause()
        text = screen_text(screen.app)
        assert "offline" in text.splitlines()[0] and "Chen Chia-Hui" in text and "TALKING" in text
        fake.agent_data = agent_json("busy", None, 10.0, call=call_json("c42", "talking", NOW - 5))
        fake.push(Connected())
        await until(pilot, lambda: screen.link == "")
        await pilot.pause()
        assert "online" in screen_text(screen.app).splitlines()[0]

    run(flow, agent_json("ready", None, 30.0))


def test_expired_login_returns_to_the_login_screen() -> None:
    async def flow(pilot: Pilot[Any], screen: AgentScreen, fake: FakeClient) -> None:
        fake.push(LoggedOut("the login expired: log in again"))
        await until(pilot, lambda: isinstance(screen.app.screen, LoginScreen))
        await pilot.pause()
        assert "the login expired" in screen_text(screen.app)

    run(flow)


def test_keys_list_every_action_and_the_conference_note() -> None:
    async def flow(pilot: Pilot[Any], screen: AgentScreen, fake: FakeClient) -> None:
        await pilot.press("question_mark")
        assert isinstance(screen.app.screen, KeysScreen)
        await pilot.pause()
        text = screen_text(screen.app)
        for what in ("Answer", "Hang up", "Hold", "Transfer", "Disposition", "Dial", "Conference"):
            assert what in text, what
        await pilot.press("escape")
        assert isinstance(screen.app.screen, AgentScreen)

    run(flow)
