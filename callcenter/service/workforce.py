"""Simulated agents for the demo: people-shaped behaviour through the facade.

A simulated agent logs in at the start of their shift (``roster.csv``),
goes ready, takes breaks, answers their phone (that part is the simulated
switch's: their endpoint is a simulated phone), files a disposition part-way
through wrap-up, comes back from a missed offer after ``rona_return_s`` and
logs out when the shift ends. Everything goes through the same
:class:`~callcenter.service.facade.ContactCenter` calls a console makes, so
the demo exercises the real service. Agents listed as human are left alone.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

from acd.model import NO_ANSWER_REASON
from callcenter.service.clock import Clock, Timer
from callcenter.service.errors import ServiceError
from callcenter.service.facade import AgentStateEvent, AnswerMode, ContactCenter, ServiceEvent, Viewer
from simulation.model import Roster, Shift

log = logging.getLogger(__name__)

DAY_S = 86400.0
DISPOSITION_WEIGHTS = {"resolved": 6.0, "follow-up": 2.0, "sale": 1.0, "no-sale": 1.0}


class SimulatedWorkforce:
    """Drives the simulated agents of one center.

    Args:
        center: the service facade.
        clock: the one clock.
        agents: ids of the simulated agents.
        roster: shifts (times from the roster's day start); None: everyone
            works all day without breaks.
        day_origin: clock time of the roster's second 0 (local midnight).
        rona_return_s: a simulated agent back from a missed offer after this.
        seed: for dispositions and wrap-up lengths.
    """

    def __init__(
        self,
        center: ContactCenter,
        clock: Clock,
        agents: Sequence[str],
        roster: Roster | None,
        day_origin: float,
        rona_return_s: float = 60.0,
        seed: int = 1,
    ) -> None:
        self.center = center
        self.clock = clock
        self.agents = set(agents)
        self.roster = roster
        self.day_origin = day_origin
        self.rona_return_s = rona_return_s
        self._rng = random.Random(seed)
        self._timers: list[Timer] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._listener: asyncio.Task[None] | None = None
        self._on_break: dict[str, int] = {}
        self._stopping = False

    async def start(self) -> None:
        """Log in whoever is on shift now; schedule the rest of the day."""
        sub = self.center.subscribe(Viewer.supervisor("simulated-workforce"))
        self._listener = asyncio.create_task(self._listen(sub), name="workforce-events")
        now = self.clock.now()
        shifts = self._shifts()
        for agent_id in sorted(self.agents):
            mine = [s for s in shifts if s.agent_id == agent_id]
            if self.roster is None:
                await self._login(agent_id)
                continue
            for shift in mine:
                start = self.day_origin + shift.start_s
                end = self.day_origin + shift.end_s
                if end <= now:
                    continue
                if start <= now:
                    await self._login(agent_id)
                else:
                    self._at(start, self._login, agent_id)
                for b in shift.breaks:
                    b_start = self.day_origin + b.start_s
                    if b_start + b.duration_s > now:
                        self._at(max(b_start, now), self._break, agent_id, b.reason, b.duration_s)
                self._at(end, self._logout, agent_id)

    async def stop(self) -> None:
        self._stopping = True
        for timer in self._timers:
            timer.cancel()
        self._timers.clear()
        if self._listener is not None:
            self._listener.cancel()
            try:
                await self._listener
            except asyncio.CancelledError:
                pass
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def _shifts(self) -> list[Shift]:
        if self.roster is None:
            return []
        # The demo lives through one day: the roster's first day.
        return [s for s in self.roster.shifts if s.start_s < DAY_S and s.agent_id in self.agents]

    def _at(self, when: float, fn: Callable[..., Awaitable[None]], *args: object) -> None:
        def fire() -> None:
            if not self._stopping:
                self._spawn(fn(*args))

        self._timers.append(self.clock.call_at(when, fire))

    def _spawn(self, coro: Awaitable[None]) -> None:
        async def run() -> None:
            try:
                await coro
            except ServiceError as exc:
                log.debug("simulated agent: %s", exc)

        task = asyncio.create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _login(self, agent_id: str) -> None:
        await self.center.login_agent(agent_id, AnswerMode.PHONE)
        await self.center.set_ready(agent_id)

    async def _logout(self, agent_id: str) -> None:
        view = await self.center.agent_view(agent_id)
        if view.state in ("ready", "not_ready", "wrap_up"):
            await self.center.logout_agent(agent_id)
        else:
            self._at(self.clock.now() + 30.0, self._logout, agent_id)  # finish the call first

    async def _break(self, agent_id: str, reason: str, duration_s: float) -> None:
        view = await self.center.agent_view(agent_id)
        if view.state == "logged_out":
            return
        token = self._on_break.get(agent_id, 0) + 1
        self._on_break[agent_id] = token
        await self.center.set_not_ready(agent_id, reason)
        self._at(self.clock.now() + duration_s, self._back, agent_id, token)

    async def _back(self, agent_id: str, token: int) -> None:
        if self._on_break.get(agent_id) != token:
            return
        view = await self.center.agent_view(agent_id)
        if view.state == "not_ready" or view.pending_reason is not None:
            await self.center.set_ready(agent_id)

    async def _listen(self, sub: AsyncIterator[ServiceEvent]) -> None:
        async for event in sub:
            if isinstance(event, AgentStateEvent) and event.agent_id in self.agents:
                self._react(event)

    def _react(self, event: AgentStateEvent) -> None:
        now = self.clock.now()
        if event.state == "wrap_up" and event.call_id is not None:
            # File the disposition part-way through the after-call work.
            self._at(now + self._rng.uniform(3.0, 12.0), self._dispose, event.agent_id, event.call_id)
        elif event.state == "not_ready" and event.reason == NO_ANSWER_REASON:
            self._at(now + self.rona_return_s, self._return_from_rona, event.agent_id)

    async def _dispose(self, agent_id: str, router_call_id: str) -> None:
        view = await self.center.agent_view(agent_id)
        if view.state != "wrap_up":
            return
        catalog = self.center.catalog()
        codes = list(catalog.dispositions) or ["resolved"]
        weights = [DISPOSITION_WEIGHTS.get(c, 0.5) for c in codes]
        code = self._rng.choices(codes, weights)[0]
        call_id = router_call_id.split("~", 1)[0]
        await self.center.wrap_up(agent_id, call_id, code, "simulated agent")

    async def _return_from_rona(self, agent_id: str) -> None:
        view = await self.center.agent_view(agent_id)
        if view.state == "not_ready" and view.reason == NO_ANSWER_REASON:
            await self.center.set_ready(agent_id)
