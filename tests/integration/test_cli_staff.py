"""``callcenter wfm staff`` through click's runner, on small forecast files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from callcenter.cli import main
from wfm.staffing import StaffingTarget, required_agents

CALLS = {"sales": [100.0, 0.0, 250.0, 40.0], "support": [60.0, 80.0, 120.0, 30.0]}
STARTS = ["2026-01-19T08:00:00", "2026-01-19T08:30:00", "2026-01-19T09:00:00", "2026-01-20T08:00:00"]


@pytest.fixture
def forecast(tmp_path: Path) -> Path:
    path = tmp_path / "forecast.csv"
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["queue", "interval_start", "calls", "aht_s", "calls_lo", "calls_hi"])
        for queue, calls in CALLS.items():
            for start, c in zip(STARTS, calls):
                w.writerow([queue, start, c, 180.0 if queue == "sales" else 240.0, c * 0.8, c * 1.2])
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["wfm", "staff", *args])
    return result.exit_code, result.stdout, result.stderr


def test_out_csv_has_the_agreed_columns_and_requirements(forecast: Path, tmp_path: Path) -> None:
    out = tmp_path / "staff.csv"
    code, _, err = invoke("--forecast", str(forecast), "--shrinkage", "0.3", "--out", str(out))
    assert code == 0, err
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert list(rows[0]) == [
        "queue", "interval_start", "calls", "aht_s", "traffic_erlangs", "agents", "scheduled",
        "service_level", "asa_s", "occupancy",
    ]
    expected = required_agents(CALLS["sales"], 180.0, 1800.0, StaffingTarget(0.8, 20.0, shrinkage=0.3))
    sales = [r for r in rows if r["queue"] == "sales"]
    assert [r["interval_start"] for r in sales] == STARTS
    assert [int(r["agents"]) for r in sales] == expected.agents.tolist() == [14, 0, 30, 7]
    assert [int(r["scheduled"]) for r in sales] == expected.scheduled.tolist()
    assert float(sales[0]["traffic_erlangs"]) == pytest.approx(10.0)
    assert all(float(r["service_level"]) >= 0.8 for r in rows)


def test_json_daily_summary(forecast: Path) -> None:
    code, out, err = invoke("--forecast", str(forecast), "--target-sl", "0.8", "--max-occupancy", "0.85", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["model"] == "erlang_c" and doc["interval_s"] == 1800.0
    day = next(d for d in doc["days"] if d["queue"] == "sales" and d["date"] == "2026-01-19")
    assert day["peak_agents"] == 30
    assert day["agent_hours"] == pytest.approx((14 + 0 + 30) * 0.5)
    assert len(doc["intervals"]) == 8
    assert all(r["occupancy"] <= 0.85 for r in doc["intervals"])


def test_erlang_a_targets_add_abandon_rate(forecast: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.csv"
    code, _, err = invoke(
        "--forecast", str(forecast), "--patience", "120", "--max-abandon", "0.03", "--target-asa", "30",
        "--out", str(out),
    )
    assert code == 0, err
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert list(rows[0])[-1] == "abandon_rate"
    assert all(float(r["abandon_rate"]) <= 0.03 and float(r["asa_s"]) <= 30 for r in rows)


def test_table_and_plot(forecast: Path, tmp_path: Path) -> None:
    png = tmp_path / "curve.png"
    code, out, err = invoke("--forecast", str(forecast), "--plot", str(png))
    assert code == 0, err
    assert "support" in out and "2026-01-20" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_interval_length_is_read_from_the_file(tmp_path: Path) -> None:
    path = tmp_path / "quarter.csv"
    path.write_text(
        "queue,interval_start,calls,aht_s\n"
        "q,2026-01-19T08:00:00,50,180\nq,2026-01-19T08:15:00,50,180\nq,2026-01-19T08:45:00,50,180\n"
    )
    code, out, _ = invoke("--forecast", str(path), "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["interval_s"] == 900.0
    assert doc["intervals"][0]["traffic_erlangs"] == pytest.approx(10.0)
    one = tmp_path / "one.csv"
    one.write_text("queue,interval_start,calls,aht_s\nq,2026-01-19T08:00:00,50,180\n")
    code, out, err = invoke("--forecast", str(one))
    assert code == 2 and "--interval-s" in err
    code, out, _ = invoke("--forecast", str(one), "--interval-s", "900", "--json")
    assert code == 0 and json.loads(out)["intervals"][0]["agents"] == 14


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("queue,interval_start,calls\nq,2026-01-19T08:00:00,5\n", [], "aht_s"),
        ("queue,interval_start,calls,aht_s\nq,yesterday,5,180\n", [], "--forecast"),
        ("queue,interval_start,calls,aht_s\nq,2026-01-19T08:00:00,-5,180\n", ["--interval-s", "1800"], "queue q: calls"),
        ("queue,interval_start,calls,aht_s\nq,2026-01-19T08:00:00,5,180\n", ["--max-abandon", "0.05"], "--patience"),
        ("queue,interval_start,calls,aht_s\nq,2026-01-19T08:00:00,5,180\n", ["--target-sl", "1.5"], "--target-sl"),
    ],
)
def test_bad_input_is_named(tmp_path: Path, content: str, args: list[str], message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)
    code, _, err = invoke("--forecast", str(path), *args)
    assert code == 2
    assert message in err and "Traceback" not in err
