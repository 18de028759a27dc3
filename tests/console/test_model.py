"""The console's pure parts: parsing API JSON, formatting, the supervisor's
board (history, alerts, sorting), the following clock, the settings file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agent_console.board import Board, History
from agent_console.clock import FollowingClock
from agent_console.config import AlertRules, ConsoleConfig, config_path, load_config, save_config
from agent_console.format import duration, money, percent, sparkline, tier_style
from agent_console.model import (
    Agent,
    AgentStateChanged,
    CallChanged,
    CallOffered,
    Catalog,
    Snapshot,
    parse_event,
    parse_time,
)
from tests.console.fakes import CATALOG, NOW, POP, agent_json, call_json, iso, snapshot_json


def test_agent_view_parses_times_on_the_service_clock() -> None:
    agent = Agent.from_json(agent_json("busy", None, 75.0, call=call_json("c42", "talking", NOW - 60)))
    assert agent.since == pytest.approx(NOW - 75) and agent.as_of == pytest.approx(NOW)
    assert agent.current_call is not None and agent.current_call.live
    assert agent.current_call.ivr_inputs == {"menu": "1", "account": "015838"}
    assert agent.today.calls == 14 and agent.today.time_in_state_s["busy"] == 2975.0
    assert parse_time("2025-03-04T02:15:00") == parse_time("2025-03-04T02:15:00+00:00")
    assert parse_time(None) is None


def test_events_parse_to_typed_values_and_unknown_ones_are_skipped() -> None:
    pop = parse_event({"event": "screen_pop", "agent_id": "a01", "call_id": "c42", "queue": "sales",
                       "direction": "inbound", "offered_at": iso(NOW), "deadline": iso(NOW + 15),
                       "answer_mode": "console", "pop": POP, "extra": "ignored"})
    assert isinstance(pop, CallOffered)
    customer = pop.offer.pop.customer
    assert customer is not None and (customer.tier, customer.clv, customer.segment) == ("A1", 1843200.0, "good friend")
    assert pop.offer.pop.open_cases[0].kind == "complaint" and pop.offer.pop.last_interactions[0].disposition == "sale"
    unknown = parse_event({"event": "screen_pop", "agent_id": "a01", "call_id": "c1", "pop": {
        "caller_number": "+886", "customer": None, "ivr": {"path": [], "inputs": {}}}})
    assert isinstance(unknown, CallOffered) and unknown.offer.pop.customer is None
    call = parse_event({"event": "call", "at": iso(NOW), "detail": "held", "call": call_json("c42", "held")})
    assert isinstance(call, CallChanged) and call.call.status == "held"
    assert parse_event({"event": "something_new", "at": iso(NOW)}) is None


def test_catalog_offers_only_reasons_an_agent_picks() -> None:
    catalog = Catalog.from_json(CATALOG)
    assert "no-answer" in catalog.not_ready_reasons and "no-answer" not in catalog.chosen_reasons


def test_formats() -> None:
    assert [duration(s) for s in (None, -3, 0, 59.9, 61, 3600, 5400)] == ["–", "0:00", "0:00", "0:59", "1:01",
                                                                         "1:00:00", "1:30:00"]
    assert (percent(None), percent(0.805), money(1843200.4), money(-2557)) == ("–", "80%", "1,843,200", "-2,557")
    assert tier_style("A1") != tier_style("A5") and tier_style(None) == tier_style("??")
    assert sparkline([0, 0, 0], 5) == "▁▁▁"
    assert sparkline([0, 4, 8], 5) == "▁▅█"
    assert len(sparkline(list(range(100)), 14)) == 14


def test_history_keeps_an_hour_of_minutes_and_fills_quiet_minutes() -> None:
    history = History(minutes=60)
    history.record("sales", NOW - 3 * 60, 2)
    history.record("sales", NOW - 3 * 60 + 10, 5)  # same minute: the most
    history.record("sales", NOW - 60, 1)
    assert history.series("sales", NOW) == [5, 5, 1, 1]
    history.record("sales", NOW + 2 * 3600, 3)
    assert history.series("sales", NOW + 2 * 3600) == [3]
    assert history.series("billing", NOW) == []


def test_board_follows_events_and_raises_alerts() -> None:
    board = Board()
    board.load(Snapshot.from_json(snapshot_json()))
    rules = AlertRules(wait_over_s=60, stuck_s={"not_ready": 900.0, "wrap_up": 120.0})
    keys = [a.key for a in board.alerts(NOW, rules)]
    assert keys == ["sl:support", "wait:support", "stuck:a09"]
    # The longest wait grows between snapshots.
    support = board.queues["support"]
    assert board.longest_wait(support, NOW + 10) == pytest.approx(105)
    assert "wait:complaints" in [a.key for a in board.alerts(NOW + 20, rules)]

    board.apply(AgentStateChanged("a03", "busy", "wrap_up", NOW - 200))
    assert "stuck:a03" in [a.key for a in board.alerts(NOW, rules)]
    board.apply(AgentStateChanged("a09", "not_ready", "ready", NOW))
    assert board.agents["a09"].state == "ready" and board.agents["a09"].reason is None
    assert [r.agent_id for r in board.rows("state")][:3] == ["a10", "a01", "a21"]
    assert [r.agent_id for r in board.rows(text="mandarin")] == ["a10"]
    # A reload keeps the exact start of a state that did not change.
    board.load(Snapshot.from_json(snapshot_json()))
    assert board.agents["a01"].since == pytest.approx(NOW - 75)


def test_following_clock_learns_offset_and_rate() -> None:
    local = [100.0]
    clock = FollowingClock(lambda: local[0], min_span_s=2.0)
    clock.observe(NOW)
    local[0] += 1.0
    assert clock.now() == pytest.approx(NOW + 1.0)
    local[0] += 2.0
    clock.observe(NOW + 60)  # 60 service seconds in 3 local ones: a 20x demo
    assert clock.rate == pytest.approx(20.0)
    local[0] += 0.5
    assert clock.now() == pytest.approx(NOW + 70)
    clock.observe(NOW - 86400)  # a restart far back: not a rate
    assert clock.rate == pytest.approx(20.0)


def test_settings_file_round_trip_and_bad_files(tmp_path: Path, console_config: Path) -> None:
    assert config_path() == console_config
    assert load_config() == ConsoleConfig()
    save_config(ConsoleConfig("http://cc:8080", "a01"))
    assert load_config() == ConsoleConfig("http://cc:8080", "a01")
    console_config.write_text(json.dumps({"server": "http://x", "alerts": {"wait_over_s": 30,
                                                                          "stuck_s": {"held": 60}}}))
    loaded = load_config()
    assert loaded.alerts.wait_over_s == 30 and loaded.alerts.stuck_s["held"] == 60
    assert loaded.alerts.stuck_s["not_ready"] == 900
    console_config.write_text("{not json")
    assert load_config() == ConsoleConfig()
    save_config(ConsoleConfig(), tmp_path / "file-as-dir" / "x.json")  # a folder that can be made
    blocked = tmp_path / "blocked"
    blocked.write_text("")
    save_config(ConsoleConfig(), blocked / "console.json")  # cannot write: no error
