"""``callcenter simulate`` on the sample center and from flags."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from callcenter.cli import main

SAMPLE = Path(__file__).resolve().parents[2] / "config" / "sample-center"


def test_sample_center_json_has_queues_and_intervals() -> None:
    result = CliRunner().invoke(main, ["simulate", "--config", str(SAMPLE), "--seed", "3", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data["queues"]) == {"sales", "support", "billing", "complaints", "vip"}
    assert [i["start"] for i in data["intervals"]][:3] == ["08:00", "08:30", "09:00"]
    assert len(data["intervals"]) == 24
    total = data["total"]
    assert total["offered"] > 1000
    # A realistic day: decent, imperfect service.
    assert 0.6 < total["service_level"] < 0.95
    assert 0.02 < total["abandon_rate"] < 0.2
    again = CliRunner().invoke(main, ["simulate", "--config", str(SAMPLE), "--seed", "3", "--json"])
    assert again.stdout == result.stdout


def test_window_interval_and_table() -> None:
    result = CliRunner().invoke(
        main, ["simulate", "--config", str(SAMPLE), "--start", "10:00", "--hours", "2", "--interval-min", "60"]
    )
    assert result.exit_code == 0, result.output
    assert "Simulated 10:00-12:00" in result.stdout
    assert "11:00" in result.stdout and "12:00 " not in result.stdout.split("Per 60 minutes")[1]


def test_real_time_short_run() -> None:
    result = CliRunner().invoke(
        main, ["simulate", "--config", str(SAMPLE), "--start", "09:00", "--hours", "0.05", "--speed", "2000", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["start"] == "09:00"


def test_input_errors_are_clear() -> None:
    runner = CliRunner()
    none = runner.invoke(main, ["simulate"])
    assert none.exit_code == 2 and "give --config DIR" in none.output
    both = runner.invoke(main, ["simulate", "--config", str(SAMPLE), "--agents", "3"])
    assert both.exit_code == 2 and "exclude each other" in both.output
    part = runner.invoke(main, ["simulate", "--agents", "3"])
    assert part.exit_code == 2 and "needs all of" in part.output
    start = runner.invoke(main, ["simulate", "--config", str(SAMPLE), "--start", "8h"])
    assert start.exit_code == 2 and "bad time '8h'" in start.output


def test_config_errors_name_file_and_line(tmp_path: Path) -> None:
    for name in ("center.yaml", "agents.yaml", "roster.csv"):
        (tmp_path / name).write_text((SAMPLE / name).read_text())
    text = (SAMPLE / "traffic.yaml").read_text().replace("mean_s: 360", "mean_s: -5", 1)
    (tmp_path / "traffic.yaml").write_text(text)
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "mean_s: -5" in t)
    result = CliRunner().invoke(main, ["simulate", "--config", str(tmp_path)])
    assert result.exit_code == 1
    assert f"traffic.yaml:{line}:" in result.output and "Traceback" not in result.output
    (tmp_path / "traffic.yaml").write_text((SAMPLE / "traffic.yaml").read_text())
    (tmp_path / "roster.csv").write_text("agent_id,start,end,breaks\na01,08:00,16:61,\n")
    result = CliRunner().invoke(main, ["simulate", "--config", str(tmp_path)])
    assert result.exit_code == 1 and "roster.csv:2: bad time '16:61'" in result.output
