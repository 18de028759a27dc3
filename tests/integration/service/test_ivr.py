"""Inbound calls through the IVR flow (``config/ivr/main.yaml``) on the simulated switch."""

from __future__ import annotations

import json

from click.testing import CliRunner

from callcenter.bootstrap import IVR_TRACES_FILE
from callcenter.cli import main
from callcenter.service.facade import AnswerMode, CallEvent, CallStatus, ScreenPopEvent, Viewer
from callcenter.storage.cases import Cases
from callcenter.storage.interactions import Interactions
from tests.integration.service.helpers import AppFactory, Watch, a_customer, run, sim


def test_a_known_caller_is_identified_steered_by_the_menu_and_popped_with_the_ivr_path(make_app: AppFactory) -> None:
    async def body() -> None:
        app = await make_app(speed=120.0, ivr=True)
        await app.start()
        try:
            a01 = Watch(app, Viewer.agent("a01"))
            await app.service.login_agent("a01", AnswerMode.CONSOLE)
            await app.service.set_ready("a01")
            customer, number = await a_customer(app, tier="A3")
            call_id = sim(app).call_in(number, app.settings.ivr_number, handle_s=600.0, intent="sales", tier=3)
            pop = await a01.wait(ScreenPopEvent, timeout=10.0)
            assert pop.call_id == call_id and pop.queue == "sales"
            ivr = pop.to_dict()["pop"]["ivr"]
            assert ivr["path"][:3] == ["welcome", "identify", "identify/by_number"] and ivr["path"][-1] == "sales"
            assert ivr["inputs"] == {"main_menu": "1"}
            assert pop.pop.customer_id == customer
            await app.service.answer("a01", call_id)
            await a01.wait(CallEvent, lambda e: e.call.status is CallStatus.TALKING)
            await app.service.recorder.flush()
            async with app.db.session() as session:
                rec = await Interactions(session).get(call_id)
            assert rec.ivr_path[-1] == "sales" and rec.ivr_inputs == {"main_menu": "1"} and rec.customer_id == customer
            # the call's IVR trace is kept for the flow analytics
            result = CliRunner().invoke(main, ["ivr", "stats", str(app.settings.data_dir / IVR_TRACES_FILE), "--json"])
            assert result.exit_code == 0, result.output
            stats = json.loads(result.output)
            assert "main" in json.dumps(stats) and "welcome" in json.dumps(stats)
        finally:
            await app.stop()

    run(body())


def test_a_complaint_opens_a_case_and_a_vip_skips_the_menu(make_app: AppFactory) -> None:
    async def body() -> None:
        app = await make_app(speed=120.0, ivr=True)
        await app.start()
        try:
            boss = Watch(app, Viewer.supervisor("supervisor"))
            customer, number = await a_customer(app, tier="A4")
            complaint = sim(app).call_in(number, app.settings.ivr_number, intent="complaints", tier=4)
            _, vip_number = await a_customer(app, tier="A1", dedicated=True)
            vip = sim(app).call_in(vip_number, app.settings.ivr_number, intent="sales", tier=1)
            await boss.wait(CallEvent, lambda e: e.call.call_id == complaint and e.detail == "queued", timeout=10.0)
            await boss.wait(CallEvent, lambda e: e.call.call_id == vip and e.detail == "queued", timeout=10.0)
            snap = {q.queue_id: q.waiting for q in (await app.service.snapshot()).queues}
            assert snap["complaints"] == 1 and snap["vip"] == 1
            await app.service.recorder.flush()
            async with app.db.session() as session:
                cases = await Cases(session).open_for(customer)
                vip_rec = await Interactions(session).get(vip)
            assert [(c.kind.value, c.interaction_id) for c in cases if c.interaction_id == complaint] == [
                ("complaint", complaint)]
            assert "main_menu" not in vip_rec.ivr_path and vip_rec.ivr_path[-1] == "vip_lane"
        finally:
            await app.stop()

    run(body())
