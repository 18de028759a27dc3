"""A queue's external CRM: the pop carries its link, and its webhook gets the pop."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

from callcenter.bootstrap import App, build
from callcenter.service.facade import AnswerMode, ScreenPopEvent, Viewer
from callcenter.settings import load_settings
from tests.integration.service.conftest import CONFIG
from tests.integration.service.helpers import Watch, a_customer, run, sim


async def _crm_server(received: list[dict[str, object]]) -> tuple[asyncio.Server, int]:
    """A minimal HTTP server on loopback that records JSON POST bodies."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
        received.append(json.loads(await reader.readexactly(length)))
        writer.write(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def _app_with_crm(tmp_path: Path, data_dir: Path, crm_yaml: str) -> App:
    """The sample center with ``crm_yaml`` added to its sales queue; a01 ready at a console."""
    config = tmp_path / "center"
    shutil.copytree(CONFIG, config)
    text = (config / "center.yaml").read_text()
    marker = "  - id: sales\n    name: Sales\n"
    assert marker in text
    (config / "center.yaml").write_text(text.replace(marker, marker + crm_yaml))
    settings = load_settings(config, env={}, overrides={
        "data_dir": str(data_dir), "ivr": {"flow": ""},
        "simulation": {"speed": 60.0, "callers": False, "agents": False, "human_agents": ["a01"]},
    })
    app = await build(settings, demo=True)
    await app.start()
    await app.service.login_agent("a01", AnswerMode.CONSOLE)
    await app.service.set_ready("a01")
    return app


def test_pop_has_the_crm_link_and_the_webhook_receives_it(tmp_path: Path, data_dir: Path) -> None:
    async def body() -> None:
        received: list[dict[str, object]] = []
        server, port = await _crm_server(received)
        app = await _app_with_crm(tmp_path, data_dir, (
            "    crm_pop:\n"
            "      url: https://crm.example.com/customers/{customer_id}?call={call_id}&from={caller_number}\n"
            f"      webhook: http://127.0.0.1:{port}/pops\n"
        ))
        try:
            a01 = Watch(app, Viewer.agent("a01"))
            customer, number = await a_customer(app)
            call_id = sim(app).call_in(number, "sales", handle_s=600.0)
            pop = await a01.wait(ScreenPopEvent)
            plus = number.replace("+", "%2B")
            assert pop.external_url == f"https://crm.example.com/customers/{customer}?call={call_id}&from={plus}"
            for _ in range(100):
                if received:
                    break
                await asyncio.sleep(0.02)
            assert received and received[0]["call_id"] == call_id
            assert received[0]["pop"]["customer"]["id"] == customer  # type: ignore[index]
            await a01.close()
        finally:
            await app.stop()
            server.close()
            await server.wait_closed()
        assert app.service.webhooks.sent == 1 and app.service.webhooks.failed == 0

    run(body())


def test_a_dead_webhook_is_logged_and_the_call_goes_on(tmp_path: Path, data_dir: Path) -> None:
    async def body() -> None:
        # nothing listens on port 9 of loopback (discard): the post fails at once
        app = await _app_with_crm(tmp_path, data_dir, "    crm_pop: {webhook: 'http://127.0.0.1:9/x'}\n")
        try:
            a01 = Watch(app, Viewer.agent("a01"))
            _, number = await a_customer(app)
            call_id = sim(app).call_in(number, "sales", handle_s=600.0)
            pop = await a01.wait(ScreenPopEvent)
            assert pop.external_url is None
            await app.service.answer("a01", call_id)
            await a01.close()
        finally:
            await app.stop()
        assert app.service.webhooks.failed == 1

    run(body())
