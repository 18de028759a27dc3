"""Bad input on every port gives a typed error (or is ignored) and changes nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from callcenter.bootstrap import App
from callcenter.service.errors import (
    InvalidRequest,
    InvalidState,
    NotPermitted,
    NotYourCall,
    ServiceError,
    UnknownAgent,
    UnknownCall,
    UnknownDisposition,
    UnknownQueue,
    UnknownReason,
)
from callcenter.service.facade import AnswerMode, CallEvent, CallStatus, ScreenPopEvent, SpyMode, TargetKind, Viewer
from callcenter.settings import SettingsError, load_settings
from callcenter.storage.users import Role
from callcenter.telephony.port import (
    ChannelHungUp,
    ChannelsBridged,
    DtmfReceived,
    OriginateResult,
    RecordingFinished,
    SwitchResynced,
)
from tests.integration.service.conftest import CONFIG
from tests.integration.service.helpers import AppFactory, Watch, run, sim


async def state_of(app: App) -> tuple[object, ...]:
    """Everything a bad command must leave alone: agents, queues, stored rows."""
    await app.service.recorder.flush()
    snap = await app.service.snapshot()
    db_file = app.settings.db_url.split("///", 1)[1]
    con = sqlite3.connect(db_file)
    try:
        rows = tuple(con.execute(f"select count(*) from {t}").fetchone()[0] for t in (
            "interactions", "interaction_offers", "interaction_holds", "interaction_transfers", "agent_state_log"))
    finally:
        con.close()
    agents = tuple((a.agent_id, a.state, a.reason, a.call_id, tuple(sorted(a.skills.items()))) for a in snap.agents)
    return agents, tuple((q.queue_id, q.waiting) for q in snap.queues), rows


def test_bad_facade_commands_raise_typed_errors_and_change_nothing(make_app: AppFactory) -> None:
    async def body() -> None:
        app = await make_app()
        await app.start()
        svc = app.service
        try:
            boss = Watch(app, Viewer.supervisor("supervisor"))
            await svc.login_agent("a01", AnswerMode.CONSOLE)
            await svc.set_ready("a01")
            call_id = sim(app).call_in("+886912000999", "sales", handle_s=3600.0)
            await boss.wait(ScreenPopEvent)  # ringing for a01
            await svc.login_agent("a02")  # not ready
            before = await state_of(app)

            bad: list[tuple[type[ServiceError], Callable[[], Awaitable[object]]]] = [
                (UnknownAgent, lambda: svc.login_agent("zz")),
                (UnknownAgent, lambda: svc.set_ready("zz")),
                (UnknownAgent, lambda: svc.agent_view("zz")),
                (UnknownAgent, lambda: svc.answer("zz", call_id)),
                (UnknownAgent, lambda: svc.transfer("a01", call_id, TargetKind.AGENT, "zz")),
                (UnknownCall, lambda: svc.answer("a01", "no-such-call")),
                (NotYourCall, lambda: svc.answer("a02", call_id)),
                (NotYourCall, lambda: svc.hangup("a02", call_id)),
                (NotYourCall, lambda: svc.wrap_up("a02", "no-such-call", "resolved")),
                (InvalidState, lambda: svc.hold("a01", call_id)),  # ringing, not talking
                (InvalidState, lambda: svc.transfer("a01", call_id, TargetKind.QUEUE, "support")),
                (InvalidState, lambda: svc.complete_transfer("a01", call_id)),
                (InvalidState, lambda: svc.cancel_transfer("a01", call_id)),
                (InvalidState, lambda: svc.logout_agent("a01")),  # reserved for the call
                (InvalidState, lambda: svc.extend_wrap_up("a02", 30.0)),
                (InvalidState, lambda: svc.spy("supervisor", "a02", SpyMode.LISTEN)),
                (InvalidState, lambda: svc.dial("a01", "0223456789")),  # has a call ringing
                (InvalidState, lambda: svc.set_ready("a03")),  # logged out
                (InvalidState, lambda: svc.wrap_up("a01", call_id, "resolved")),  # still in progress
                (UnknownReason, lambda: svc.set_not_ready("a02", "nap")),
                (UnknownReason, lambda: svc.force_state("a02", "not_ready", "nap")),
                (UnknownDisposition, lambda: svc.wrap_up("a01", call_id, "bogus")),
                (InvalidRequest, lambda: svc.set_skills("a02", {"sales": 11})),
                (InvalidRequest, lambda: svc.set_skills("a02", {"juggling": 3})),
                (InvalidRequest, lambda: svc.set_skills("a02", {})),
                (InvalidRequest, lambda: svc.extend_wrap_up("a02", -5.0)),
                (InvalidRequest, lambda: svc.force_state("a02", "busy")),
                (InvalidRequest, lambda: svc.force_state("a02", "not_ready")),
                (InvalidRequest, lambda: svc.dial("a02", "")),
                (InvalidRequest, lambda: svc.dial("a02", "not a number")),
                (InvalidRequest, lambda: svc.transfer("a01", call_id, TargetKind.NUMBER, "  ")),
                (InvalidRequest, lambda: svc.end_spy("supervisor", "spy-404")),
            ]
            for error, command in bad:
                with pytest.raises(error):
                    await command()
            with pytest.raises(UnknownAgent):
                svc.subscribe(Viewer.agent("zz"))
            with pytest.raises(NotPermitted):
                svc.subscribe(Viewer("quality", Role.QA))
            assert await state_of(app) == before

            # The call still goes through once asked properly.
            await svc.answer("a01", call_id)
            await boss.wait(CallEvent, lambda e: e.call.call_id == call_id and e.call.status is CallStatus.TALKING)
            with pytest.raises(UnknownQueue):
                await svc.transfer("a01", call_id, TargetKind.QUEUE, "nope")
            with pytest.raises(InvalidRequest):
                await svc.transfer("a01", call_id, TargetKind.NUMBER, "abc")
            with pytest.raises(InvalidRequest):
                await svc.transfer("a01", call_id, TargetKind.AGENT, "a01")
            with pytest.raises(InvalidState):
                await svc.transfer("a01", call_id, TargetKind.AGENT, "a03")  # logged out
            spy = await svc.spy("supervisor", "a01", SpyMode.LISTEN)
            with pytest.raises(NotPermitted):
                await svc.end_spy("someone-else", spy.spy_id)
            assert (await svc.agent_view("a01")).state == "busy"
        finally:
            await app.stop()

    run(body())


def test_stray_switch_events_are_ignored(make_app: AppFactory) -> None:
    async def body() -> None:
        app = await make_app()
        await app.start()
        try:
            await app.service.login_agent("a01")
            before = await state_of(app)
            for event in (
                ChannelHungUp("ghost", 16, "Normal Clearing", 1.0),
                OriginateResult("ghost", True, 1.0),
                OriginateResult("ghost", False, 1.0),
                ChannelsBridged("b-1", ("ghost", "ghost2"), 1.0),
                RecordingFinished("ghost", "x.wav", 1.0),
                DtmfReceived("ghost", "5", 1.0),
                SwitchResynced((), 1.0),
            ):
                await app.service.dispatch(event)
            assert await state_of(app) == before
        finally:
            await app.stop()

    run(body())


def test_bad_settings_name_the_file_line_variable_or_flag(tmp_path: Path) -> None:
    folder = tmp_path / "center"
    folder.mkdir()
    for name in ("center.yaml", "agents.yaml"):
        (folder / name).write_text((CONFIG / name).read_text())
    (folder / "service.yaml").write_text("telephony: simulated\napi:\n  port: 99999\n")
    with pytest.raises(SettingsError) as err:
        load_settings(folder, env={})
    assert err.value.line == 3 and "service.yaml" in err.value.file
    (folder / "service.yaml").write_text("telephony: carrier-pigeon\n")
    with pytest.raises(SettingsError) as err:
        load_settings(folder, env={})
    assert err.value.line == 1
    (folder / "service.yaml").write_text("simulation: {speed: 2}\n")
    with pytest.raises(SettingsError) as err:
        load_settings(folder, env={"CALLCENTER_API_PORT": "http"})
    assert "CALLCENTER_API_PORT" in str(err.value)
    with pytest.raises(SettingsError) as err:
        load_settings(folder, env={}, overrides={"simulation": {"speed": -1.0}})
    assert "command-line option" in str(err.value)


def test_settings_merge_in_order_and_hide_secrets(tmp_path: Path) -> None:
    folder = tmp_path / "center"
    folder.mkdir()
    (folder / "service.yaml").write_text(
        "api: {port: 9000}\nsimulation: {speed: 5, seed: 3}\nasterisk: {secret: s3cret}\n"
        "database: {url: 'postgresql+asyncpg://cc:hunter2@db/cc'}\n")
    s = load_settings(folder, env={"CALLCENTER_SPEED": "30", "CALLCENTER_REDIS_URL": "redis://:pw@r:6379/0"},
                      overrides={"simulation": {"seed": 9, "start": None}})
    assert (s.api.port, s.simulation.speed, s.simulation.seed) == (9000, 30.0, 9)
    assert s.db_url.startswith("postgresql") and not s.is_sqlite
    shown = repr(s) + repr(s.asterisk)
    for secret in ("s3cret", "hunter2", ":pw@"):
        assert secret not in shown
    assert s.asterisk.secret.get_secret_value() == "s3cret"
    plain = load_settings(folder.parent / "missing", env={})
    assert plain.telephony == "simulated" and plain.is_sqlite and plain.db_url.endswith("data/callcenter.db")
