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
        if not dedicated:
            query = query.where(CustomerRow.dedicated_agent_id.is_(None))
        row = (await session.execute(query.order_by(CustomerRow.id).limit(1))).first()
    assert row is not None
    return str(row[0]), str(row[1])

