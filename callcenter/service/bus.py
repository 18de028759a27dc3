"""The in-process event bus: service events fanned out to subscriptions.

Each subscription has a bounded queue; a reader that falls behind loses its
oldest events rather than slowing the service (a console reconnects and
asks for a fresh view). With several nodes, the state store's publish /
subscribe carries the same events between nodes and each node's bus feeds
its own consoles.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from callcenter.service.facade import ServiceEvent, Viewer, event_agent

DEFAULT_BACKLOG = 1000


class Subscription(AsyncIterator[ServiceEvent]):
    """Events for one viewer; iterate with ``async for``, end with ``aclose()``."""

    def __init__(self, bus: EventBus, viewer: Viewer, backlog: int) -> None:
        self.viewer = viewer
        self.dropped = 0
        self._bus = bus
        self._queue: asyncio.Queue[ServiceEvent | None] = asyncio.Queue(maxsize=backlog)
        self._closed = False

    def wants(self, event: ServiceEvent) -> bool:
        if self.viewer.sees_all:
            return True
        agent = event_agent(event)
        return agent is not None and agent == self.viewer.agent_id

    def offer(self, event: ServiceEvent | None) -> None:
        if self._closed:
            return
        if self._queue.full():
            try:
                self._queue.get_nowait()
                self.dropped += 1
            except asyncio.QueueEmpty:  # pragma: no cover - full then empty cannot happen in one thread
                pass
        self._queue.put_nowait(event)

    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> ServiceEvent:
        if self._closed:
            raise StopAsyncIteration
        event = await self._queue.get()
        if event is None:
            self._closed = True
            raise StopAsyncIteration
        return event

    async def aclose(self) -> None:
        self._closed = True
        self._bus.unsubscribe(self)

    def pending(self) -> int:
        return self._queue.qsize()


class EventBus:
    """Fan-out of service events to subscriptions (one loop, no locks)."""

    def __init__(self, backlog: int = DEFAULT_BACKLOG) -> None:
        self.backlog = backlog
        self._subs: list[Subscription] = []

    def subscribe(self, viewer: Viewer) -> Subscription:
        """A new subscription, receiving from now on."""
        sub = Subscription(self, viewer, self.backlog)
        self._subs.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        if sub in self._subs:
            self._subs.remove(sub)

    def publish(self, event: ServiceEvent) -> int:
        """Hand ``event`` to every subscription that wants it; returns how many."""
        n = 0
        for sub in self._subs:
            if sub.wants(event):
                sub.offer(event)
                n += 1
        return n

    def close(self) -> None:
        """End every subscription (their iterators stop)."""
        for sub in list(self._subs):
            sub.offer(None)
        self._subs.clear()

    @property
    def subscribers(self) -> int:
        return len(self._subs)
