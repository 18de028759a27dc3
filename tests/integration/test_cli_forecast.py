"""``callcenter wfm history`` then ``callcenter wfm forecast``, through click."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from callcenter.cli import main


@pytest.fixture(scope="module")
def history_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wfm") / "history.csv"
    result = CliRunner().invoke(
        main,
        [
            "wfm", "history", "--weeks", "6", "--queues", "sales,support", "--interval-min", "30",
            "--start", "2026-01-05", "--seed", "1", "--holidays", "2026-01-19", "--out", str(path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "sales" in result.output and "support" in result.output
    return path


def test_history_writes_the_agreed_columns(history_csv: Path) -> None:
    frame = pd.read_csv(history_csv)
    assert list(frame.columns) == ["queue", "interval_start", "offered", "handled", "aht_s", "abandoned"]
    assert frame["interval_start"].iloc[0] == "2026-01-05T08:00:00"
    assert set(frame["queue"]) == {"sales", "support"}


def test_history_without_out_prints_csv_and_is_deterministic() -> None:
    args = ["wfm", "history", "--weeks", "1", "--queues", "vip", "--start", "2026-01-05", "--seed", "4"]
    first = CliRunner().invoke(main, args)
    second = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert first.stdout.startswith("queue,interval_start,offered,handled,aht_s,abandoned\n")
    assert first.stdout == second.stdout


def test_forecast_json_csv_and_plot(history_csv: Path, tmp_path: Path) -> None:
    out, plot = tmp_path / "forecast.csv", tmp_path / "forecast.png"
    result = CliRunner().invoke(
        main,
        [
            "wfm", "forecast", "--history", str(history_csv), "--weeks", "2", "--holdout-weeks", "2",
            "--out", str(out), "--json", "--plot", str(plot),
        ],
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    methods = {(row["queue"], row["method"]) for row in payload["accuracy"]}
    assert len(methods) == 8
    chosen = [row for row in payload["accuracy"] if row["chosen"]]
    assert sorted(row["queue"] for row in chosen) == ["sales", "support"]
    assert all(0 < row["interval_wape"] < 60 for row in payload["accuracy"])
    summary = {row["queue"]: row for row in payload["forecast"]["queues"]}
    assert summary["sales"]["calls_per_day"] > 300
    assert "2026-01-19" in summary["sales"]["special_days"]
    assert payload["forecast"]["start"] == "2026-02-16T08:00:00"
    frame = pd.read_csv(out)
    assert list(frame.columns) == ["queue", "interval_start", "calls", "aht_s", "calls_lo", "calls_hi"]
    assert len(frame) == payload["forecast"]["rows"] == 2 * 14 * 24
    assert plot.stat().st_size > 10_000
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_forecast_table_marks_the_chosen_method(history_csv: Path) -> None:
    result = CliRunner().invoke(
        main, ["wfm", "forecast", "--history", str(history_csv), "--weeks", "1", "--method", "weekday_average"]
    )
    assert result.exit_code == 0, result.output
    chosen_lines = [line for line in result.stdout.splitlines() if line.rstrip(" │|").endswith("*")]
    assert len(chosen_lines) == 2 and all("weekday_" in line for line in chosen_lines)
    assert "not written" in result.stdout


def test_forecast_with_overrides(history_csv: Path, tmp_path: Path) -> None:
    overrides = tmp_path / "overrides.csv"
    overrides.write_text("date,factor\n2026-02-17,0.5\n", encoding="utf-8")
    out = tmp_path / "f.csv"
    args = ["wfm", "forecast", "--history", str(history_csv), "--weeks", "1", "--method", "seasonal_naive"]
    assert CliRunner().invoke(main, [*args, "--out", str(out), "--overrides", str(overrides)]).exit_code == 0
    frame = pd.read_csv(out)
    day = frame["interval_start"].str[:10]
    sales = frame[frame["queue"] == "sales"].groupby(day)["calls"].sum()
    assert sales["2026-02-17"] < 0.7 * sales["2026-02-18"]


@pytest.mark.parametrize(
    ("content", "extra", "message"),
    [
        ("queue,interval_start,offered,handled,aht_s,abandoned\nq,2026-01-05T08:00:00,x,1,100,0\n", [],
         "line 2, column 'offered'"),
        (None, ["--holdout-weeks", "0"], "give holdout weeks >= 1 or name a method"),
        (None, ["--holdout-weeks", "6"], "leave 0 for training"),
    ],
)
def test_forecast_errors_are_clear(
    history_csv: Path, tmp_path: Path, content: str | None, extra: list[str], message: str
) -> None:
    path = history_csv
    if content is not None:
        path = tmp_path / "bad.csv"
        path.write_text(content, encoding="utf-8")
    result = CliRunner().invoke(main, ["wfm", "forecast", "--history", str(path), *extra])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_history_rejects_bad_dates() -> None:
    result = CliRunner().invoke(main, ["wfm", "history", "--holidays", "2026-13-01"])
    assert result.exit_code == 2
    assert "'2026-13-01' is not a date" in result.output


def test_output_folders_are_checked_before_work(history_csv: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    result = CliRunner().invoke(
        main, ["wfm", "forecast", "--history", str(history_csv), "--plot", str(missing / "f.png")]
    )
    assert result.exit_code == 2
    assert "--plot" in result.output and "does not exist" in result.output
    result = CliRunner().invoke(main, ["wfm", "history", "--json"])
    assert result.exit_code == 2 and "give --out too" in result.output
