"""Helpers for the service tests: watching a subscription, sample customers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from sqlalchemy import select

from callcenter.bootstrap import App
from callcenter.service.facade import ServiceEvent, Viewer
from callcenter.storage.models import CustomerRow, PhoneRow
from callcenter.telephony.simulated import SimulatedSwitch

E = TypeVar("E")
T = TypeVar("T")
AppFactory = Callable[..., Coroutine[Any, Any, App]]


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run one test body (no async test plugin here)."""
    return asyncio.run(coro)


class Watch:
    """Everything one subscription receives, with a way to wait for an event."""

    def __init__(self, app: App, viewer: Viewer) -> None:
        self.seen: list[ServiceEvent] = []
        self._changed = asyncio.Event()
        self._sub = app.service.subscribe(viewer)
        self._task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async for event in self._sub:
            self.seen.append(event)
            self._changed.set()

    async def wait(self, kind: type[E], where: Callable[[E], bool] = lambda e: True, timeout: float = 5.0) -> E:
        async def find() -> E:
            while True:
                for event in self.seen:
                    if isinstance(event, kind) and where(event):
                        return event
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(find(), timeout)

    def of(self, kind: type[E]) -> list[E]:
        return [e for e in self.seen if isinstance(e, kind)]

    async def close(self) -> None:
        await self._sub.aclose()  # type: ignore[attr-defined]
        self._task.cancel()


def sim(app: App) -> SimulatedSwitch:
    assert isinstance(app.switch, SimulatedSwitch)
    return app.switch


async def a_customer(app: App, tier: str | None = None, dedicated: bool = False) -> tuple[str, str]:
    """(customer id, primary number) of a sample customer."""
    async with app.db.session() as session:
        query = select(CustomerRow.id, PhoneRow.e164).join(PhoneRow, PhoneRow.customer_id == CustomerRow.id).where(
            PhoneRow.position == 0)
        if tier is not None:
            query = query.where(CustomerRow.tier == tier)
        if dedicated:
            query = query.where(CustomerRow.dedicated_agent_id.is_not(None))
        else:
            query = query.where(CustomerRow.dedicated_agent_id.is_(None))
        row = (await session.execute(query.order_by(CustomerRow.id).limit(1))).first()
    assert row is not None
    return str(row[0]), str(row[1])



def check_consistent(db_file: str, *, stopped_cleanly: bool = False) -> dict[str, int]:
    """Check every interaction's legs in a database file (read with plain
    sqlite3, as after a crash); return row counts.

    Rules: an answered call has an answered offer by its agent; an ended or
    abandoned call has its end time (and an end cause); a hold or an offer
    still open belongs to a call in progress (or to one the shutdown
    closed); a wrap-up end comes after the end. With ``stopped_cleanly``,
    every call is ended and every answered call's wrap-up is closed.
    """
    import sqlite3

    con = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True)
    try:
        rows = con.execute(
            "select id, arrived_at, answered_at, agent_id, ended_at, abandoned, abandoned_at, wrap_up_end,"
            " end_cause from interactions").fetchall()
        offers = con.execute("select interaction_id, agent_id, outcome from interaction_offers").fetchall()
        holds = con.execute("select interaction_id, ended_at from interaction_holds").fetchall()
        states = con.execute("select count(*) from agent_state_log").fetchone()[0]
    finally:
        con.close()
    by_call: dict[str, list[tuple[str, str | None]]] = {}
    for call_id, agent, outcome in offers:
        by_call.setdefault(call_id, []).append((agent, outcome))
    ended = {r[0]: r[4] is not None for r in rows}
    causes = {r[0]: r[8] for r in rows}
    for call_id, arrived, answered, agent, end, abandoned, abandoned_at, wrap_end, cause in rows:
        assert arrived is not None, call_id
        if answered is not None:
            assert agent is not None and (agent, "answered") in by_call.get(call_id, []), call_id
            assert answered >= arrived, call_id
        if end is not None:
            assert end >= arrived and cause, call_id
        if abandoned:
            assert abandoned_at is not None and end is not None and answered is None, call_id
        if wrap_end is not None:
            assert end is not None and wrap_end >= end, call_id
        if stopped_cleanly:
            assert end is not None, f"{call_id} left open"
            if answered is not None:
                assert wrap_end is not None, f"{call_id}: wrap-up not closed"
    for call_id, legs in by_call.items():
        assert call_id in ended, f"offer of unknown call {call_id}"
        for _, outcome in legs:
            if outcome is None:
                assert not ended[call_id] or causes[call_id] == "service-stopped", f"{call_id}: offer left ringing"
    for call_id, hold_end in holds:
        if hold_end is None:
            assert not ended[call_id], f"{call_id}: hold left open"
    answered_n = sum(1 for r in rows if r[2] is not None)
    return {"interactions": len(rows), "answered": answered_n, "offers": len(offers), "agent_states": states}
