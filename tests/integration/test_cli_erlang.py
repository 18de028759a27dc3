"""``callcenter wfm erlang`` through click's runner."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from callcenter.cli import main
from wfm.erlang import erlang_a, erlang_c_metrics

BASE = ["wfm", "erlang", "--calls", "100", "--aht", "180", "--answer-within", "20"]


def run(*args: str) -> Any:
    result = CliRunner().invoke(main, [*BASE, *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_given_agents_prints_erlang_c_figures() -> None:
    out = run("--agents", "12")
    ref = erlang_c_metrics(12, 10.0, 180.0, 20.0)
    assert out["agents"] == 12
    assert out["traffic_erlangs"] == pytest.approx(10.0)  # default interval 1800 s
    assert out["p_wait"] == pytest.approx(0.4494, abs=1e-4)
    assert out["service_level"] == pytest.approx(float(ref.service_level))
    assert out["asa_s"] == pytest.approx(float(ref.asa_s))
    assert out["occupancy"] == pytest.approx(10 / 12)
    assert "abandon_rate" not in out


def test_target_sl_gives_the_fewest_agents_and_scheduled() -> None:
    out = run("--target-sl", "0.8", "--shrinkage", "0.3")
    assert out["agents"] == 14  # 13 agents give 79.6 %
    assert out["service_level"] >= 0.8
    assert out["scheduled_agents"] == 20  # ceil(14 / 0.7)
    assert run("--target-sl", "0.79")["agents"] == 13


def test_patience_switches_to_erlang_a() -> None:
    out = run("--agents", "12", "--patience", "120", "--interval-s", "3600")
    ref = erlang_a(12, 100 / 3600, 180.0, 120.0, 20.0)
    assert out["traffic_erlangs"] == pytest.approx(5.0)
    assert out["abandon_rate"] == pytest.approx(float(ref.abandon_rate))
    assert out["service_level"] == pytest.approx(float(ref.service_level))
    target = run("--target-sl", "0.8", "--patience", "120")
    assert target["agents"] == 12 and 0.0 < target["abandon_rate"] < 0.1


def test_unstable_queue_has_null_asa_and_a_warning() -> None:
    result = CliRunner().invoke(main, [*BASE, "--agents", "9", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["asa_s"] is None
    assert "grows without bound" in result.stderr


def test_table_without_json() -> None:
    result = CliRunner().invoke(main, [*BASE, "--agents", "12"])
    assert result.exit_code == 0
    assert "Service level (20 s)" in result.output and "64.0%" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "exactly one of --agents or --target-sl"),
        (["--agents", "12", "--target-sl", "0.8"], "exactly one of --agents or --target-sl"),
        (["--target-sl", "80"], "--target-sl"),
        (["--agents", "-1"], "--agents"),
        (["--agents", "3", "--patience", "0"], "--patience"),
        (["--agents", "3", "--shrinkage", "1"], "--shrinkage"),
    ],
)
def test_bad_input_is_a_usage_error(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, [*BASE, *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
