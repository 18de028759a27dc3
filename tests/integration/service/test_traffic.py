"""The demo center under simulated traffic, in process: routing, storage, a person among bots."""

from __future__ import annotations

import asyncio

from callcenter.service.facade import AgentStateEvent, AnswerMode, CallEvent, CallStatus, ScreenPopEvent, Viewer
from callcenter.storage.db import Database
from callcenter.storage.interactions import Interactions
from tests.integration.service.helpers import AppFactory, Watch, check_consistent, run


def test_simulated_traffic_lands_in_storage_and_a_human_agent_takes_a_call(make_app: AppFactory) -> None:
    async def body() -> None:
        app = await make_app(speed=120.0, callers=True, agents=True, humans=("a01",))
        await app.start()
        try:
            a01 = Watch(app, Viewer.agent("a01"))
            await app.service.login_agent("a01", AnswerMode.CONSOLE)
            await app.service.set_ready("a01")
            pop = await a01.wait(ScreenPopEvent, timeout=20.0)
            await app.service.answer("a01", pop.call_id)
            await a01.wait(CallEvent, lambda e: e.call.call_id == pop.call_id and e.call.status is CallStatus.TALKING)
            await app.service.set_not_ready("a01", "break")  # after this call
            await app.service.hangup("a01", pop.call_id)
            await a01.wait(AgentStateEvent, lambda e: e.state == "wrap_up")
            view = await app.service.wrap_up("a01", pop.call_id, "sale", "gold card")
            assert (view.state, view.reason) == ("not_ready", "break")
            await asyncio.sleep(3.0)  # six more minutes of traffic
            snap = await app.service.snapshot()
            assert snap.calls_handled >= 10 and snap.agents_logged_in >= 15
            assert all(q.sl_today is None or 0.0 <= q.sl_today <= 1.0 for q in snap.queues)
            assert snap.screen_pop.count >= 10
            assert snap.screen_pop.p99_ms is not None and snap.screen_pop.p99_ms < 100.0
            await a01.close()
        finally:
            await app.stop()
        db_file = app.settings.db_url.split("///", 1)[1]
        counts = check_consistent(db_file, stopped_cleanly=True)
        assert counts["interactions"] >= 20 and counts["answered"] >= 10
        assert counts["agent_states"] >= 2 * len(app.simulated_agents)
        async with Database(app.settings.db_url) as db, db.session() as session:
            rec = await Interactions(session).get(pop.call_id)
        assert (rec.agent_id, rec.disposition, rec.notes) == ("a01", "sale", "gold card")

    run(body())
