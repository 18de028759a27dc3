"""``callcenter wfm schedule`` through click's runner, on one small week."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from callcenter.cli import main

MONDAY = dt.date(2026, 1, 5)


def _write_requirements(path: Path, staffing_layout: bool = False) -> Path:
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        if staffing_layout:
            w.writerow(["queue", "interval_start", "calls", "aht_s", "traffic_erlangs", "agents", "scheduled",
                        "service_level", "asa_s", "occupancy"])
        else:
            w.writerow(["skill", "interval_start", "required"])
        for day in range(7):
            for k in range(16, 40):  # 08:00-20:00
                start = dt.datetime.combine(MONDAY + dt.timedelta(days=day), dt.time()) + dt.timedelta(minutes=30 * k)
                for skill, peak in (("sales", 3), ("support", 2)):
                    need = round(peak * math.exp(-(((k / 2) - 13) / 3) ** 2))
                    if staffing_layout:
                        w.writerow([skill, start.isoformat(), 10, 180, 1.0, need, need, 0.8, 10, 0.7])
                    else:
                        w.writerow([skill, start.isoformat(), need])
    return path


@pytest.fixture
def requirements(tmp_path: Path) -> Path:
    return _write_requirements(tmp_path / "requirements.csv")


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["wfm", "schedule", *args])
    return result.exit_code, result.stdout, result.stderr


def test_writes_roster_csv_and_plots(requirements: Path, tmp_path: Path) -> None:
    out, coverage_png, roster_png = tmp_path / "roster.csv", tmp_path / "coverage.png", tmp_path / "roster.png"
    code, stdout, stderr = invoke(
        "--requirements", str(requirements), "--generate-agents", "10", "--time-limit", "3", "--workers", "2",
        "--out", str(out), "--plot-coverage", str(coverage_png), "--plot-roster", str(roster_png),
    )
    assert code == 0, stderr
    rows = list(csv.DictReader(out.read_text().splitlines()))
    assert rows and list(rows[0]) == ["agent_id", "date", "start", "end", "breaks", "skills"]
    for row in rows:
        dt.date.fromisoformat(row["date"])
        assert len(row["breaks"].split(";")) == 3 and all("+" in b for b in row["breaks"].split(";"))
        assert all(":" in s for s in row["skills"].split(";"))
    assert len({(r["agent_id"], r["date"]) for r in rows}) == len(rows)
    for png in (coverage_png, roster_png):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "status" in stdout and "gap" in stdout
    assert "solution 1: objective" in stderr


def test_json_summary_on_stdout(tmp_path: Path) -> None:
    requirements = _write_requirements(tmp_path / "staff.csv", staffing_layout=True)
    agents = tmp_path / "agents.yaml"
    agents.write_text(
        "contracts:\n  flex: {min_hours_week: 0, max_hours_week: 40}\n"
        "default_contract: flex\n"
        "agents:\n"
        + "".join(f"  - {{id: S{i}, skills: {{sales: 6}}}}\n" for i in range(4))
        + "".join(f"  - {{id: T{i}, skills: {{support: 6}}}}\n" for i in range(3))
    )
    shifts = tmp_path / "shifts.yaml"
    shifts.write_text(
        "break_cap: 2\ntemplates:\n"
        "  - {name: early, starts: ['08:00'], length_min: 480, cost_per_hour: 20}\n"
        "  - {name: late, starts: ['12:00'], length_min: 480, cost_per_hour: 22}\n"
    )
    code, stdout, stderr = invoke(
        "--requirements", str(requirements), "--agents", str(agents), "--shifts", str(shifts),
        "--time-limit", "3", "--json",
    )
    assert code == 0, stderr
    doc = json.loads(stdout)
    assert doc["status"] in ("OPTIMAL", "FEASIBLE")
    assert set(doc["coverage"]) == {"sales", "support"}
    assert {h["agent_id"] for h in doc["hours"]} == {f"S{i}" for i in range(4)} | {f"T{i}" for i in range(3)}
    assert doc["gap"] is not None and doc["best_bound"] <= doc["objective"]


def test_contract_conflict_is_reported_without_traceback(requirements: Path, tmp_path: Path) -> None:
    agents = tmp_path / "agents.yaml"
    agents.write_text(
        "contracts:\n  odd: {min_hours_week: 50, max_hours_week: 60}\n"
        "agents:\n  - {id: X1, skills: {sales: 5}, contract: odd}\n"
    )
    code, _, stderr = invoke("--requirements", str(requirements), "--agents", str(agents), "--time-limit", "2")
    assert code == 1
    assert "X1: week of 2026-01-05: min 50 h cannot be reached" in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give exactly one of --agents FILE or --generate-agents N"),
        (("--generate-agents", "3", "--start", "2027-01-01"), "is after the last requirement day"),
    ],
)
def test_usage_errors(requirements: Path, args: tuple[str, ...], message: str) -> None:
    code, _, stderr = invoke("--requirements", str(requirements), *args)
    assert code == 2 and message in stderr


def test_bad_yaml_names_file_and_line(requirements: Path, tmp_path: Path) -> None:
    agents = tmp_path / "agents.yaml"
    agents.write_text("agents:\n  - id: A\n    skills: {sales: 0}\n")
    code, _, stderr = invoke("--requirements", str(requirements), "--agents", str(agents))
    assert code == 1 and f"{agents}:3:" in stderr and "level must be 1..10" in stderr
