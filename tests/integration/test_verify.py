"""``wfm verify``: a roster simulated against a forecast, through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from callcenter.cli import main
from simulation.roster import parse_roster
from wfm.verify import VerifyError, verify

FORECAST = """queue,interval_start,calls,aht_s
sales,2026-01-05T09:00:00,5,300
sales,2026-01-05T09:30:00,5,300
sales,2026-01-05T10:00:00,40,300
support,2026-01-05T09:00:00,4,240
support,2026-01-05T09:30:00,4,240
support,2026-01-05T10:00:00,6,240
"""
ROSTER = """agent_id,date,start,end,breaks,skills
x1,2026-01-05,08:45,17:00,,sales:5
x2,2026-01-05,08:45,17:00,,sales:5;support:3
x3,2026-01-05,08:45,17:00,,support:5
x4,2026-01-05,08:45,17:00,,sales:5
"""


@pytest.fixture()
def files(tmp_path: Path) -> tuple[Path, Path]:
    forecast, roster = tmp_path / "forecast.csv", tmp_path / "roster.csv"
    forecast.write_text(FORECAST)
    roster.write_text(ROSTER)
    return roster, forecast


def frame() -> pd.DataFrame:
    out = pd.read_csv(__import__("io").StringIO(FORECAST))
    out["interval_start"] = pd.to_datetime(out["interval_start"])
    return out


def test_a_peak_the_roster_cannot_carry_is_flagged_and_quiet_intervals_are_not() -> None:
    result = verify(parse_roster(ROSTER), frame(), answer_within_s=20.0, replications=3, seed=4)
    flagged = {(f.queue, f.interval_start.strftime("%H:%M")) for f in result.flags}
    # 40 sales calls of 5 minutes in 30 minutes is 6.7 Erlangs for 3 agents.
    assert ("sales", "10:00") in flagged
    assert ("sales", "09:00") not in flagged and ("support", "09:00") not in flagged
    rows = {(r["queue"], r["interval_start"]): r for r in result.rows()}
    assert rows[("sales", "2026-01-05T10:00:00")]["calls"] == 40.0
    assert 1 <= rows[("sales", "2026-01-05T09:00:00")]["offered"] <= 10  # type: ignore[operator]


def test_same_seed_same_verdict() -> None:
    a = verify(parse_roster(ROSTER), frame(), replications=2, seed=9)
    b = verify(parse_roster(ROSTER), frame(), replications=2, seed=9)
    assert a.rows() == b.rows()


def test_agents_without_skills_are_refused() -> None:
    roster = parse_roster("agent_id,start,end,breaks\nx9,09:00,17:00,\n")
    with pytest.raises(VerifyError, match="x9"):
        verify(roster, frame(), replications=1)


def test_cli_json_csv_and_plot(files: tuple[Path, Path], tmp_path: Path) -> None:
    roster, forecast = files
    out, plot = tmp_path / "verify.csv", tmp_path / "verify.png"
    result = CliRunner().invoke(
        main,
        ["wfm", "verify", "--roster", str(roster), "--forecast", str(forecast), "--replications", "2",
         "--patience", "120", "--json", "--out", str(out), "--plot", str(plot)],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data["queues"]) == {"sales", "support"}
    assert any(f["queue"] == "sales" and f["interval_start"] == "2026-01-05T10:00:00" for f in data["below_target"])
    assert out.read_text().startswith("queue,interval_start,calls,offered,service_level")
    assert plot.read_bytes()[:4] == b"\x89PNG"


def test_cli_table_and_errors(files: tuple[Path, Path], tmp_path: Path) -> None:
    roster, forecast = files
    result = CliRunner().invoke(main, ["wfm", "verify", "--roster", str(roster), "--forecast", str(forecast),
                                       "--replications", "1"])
    assert result.exit_code == 0, result.output
    assert "Intervals below 80%" in result.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("agent_id,start,end,breaks\nx1,9:75,17:00,\n")
    result = CliRunner().invoke(main, ["wfm", "verify", "--roster", str(bad), "--forecast", str(forecast)])
    assert result.exit_code == 1
    assert f"{bad}:2: bad time '9:75'" in result.output
    assert "Traceback" not in result.output


def test_only_the_rosters_days_are_simulated() -> None:
    # a one-day roster against a two-day forecast: day two is not judged
    two_days = FORECAST + "sales,2026-01-06T10:00:00,40,300\n"
    out = pd.read_csv(__import__("io").StringIO(two_days))
    out["interval_start"] = pd.to_datetime(out["interval_start"])
    result = verify(parse_roster(ROSTER), out, replications=1, seed=2)
    days = {str(r["interval_start"])[:10] for r in result.rows()}
    assert days == {"2026-01-05"}
    assert all(f.interval_start.date().isoformat() == "2026-01-05" for f in result.flags)


def test_a_forecast_outside_the_rosters_days_is_an_error() -> None:
    late = frame()
    late["interval_start"] = late["interval_start"] + pd.Timedelta(days=7)
    with pytest.raises(VerifyError, match="no intervals on the roster's days"):
        verify(parse_roster(ROSTER), late, replications=1)
