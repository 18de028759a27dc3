"""``callcenter ivr check|try|stats`` through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from callcenter.cli.ivr import ivr_group

ROOT = Path(__file__).parents[2]
SAMPLES = ROOT / "config" / "ivr"
MAIN = str(SAMPLES / "main.yaml")
CENTER = str(ROOT / "config" / "sample-center")
OPEN = "2026-03-02 10:00"  # a Monday morning in Taipei
CLOSED = "2026-03-02 22:30"


def ivr(*args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(ivr_group, list(args), input=input)


def test_check_passes_the_samples_with_the_center() -> None:
    result = ivr("check", str(SAMPLES), "--center", CENTER)
    assert result.exit_code == 0, result.output
    assert "4 file(s) checked: 0 error(s), 0 warning(s)" in result.output


def test_check_reports_file_line_and_fails(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "start: menu\n"
        "nodes:\n"
        "  menu:\n"
        "    kind: menu\n"
        "    prompt: {file: menu}\n"
        "    options: {'1': balance}\n"
        "  balance: {kind: play, prompt: {text: hi}, next: bye}\n"
        "  bye: {kind: hangup}\n"
        "  sales: {kind: queue, queue: sails}\n"
    )
    sounds = tmp_path / "sounds"
    sounds.mkdir()
    result = ivr("check", str(bad), "--center", CENTER, "--prompts", str(sounds))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert f"{bad}:3: error: menu 'menu' (line 3) has no way to an agent: add a key such as '0: agent'" \
           " leading to a queue node (or 'self_service_only: true' if on purpose)" in lines
    assert any(line.startswith(f"{bad}:3: error: menu 'menu' (line 3) plays 'menu'") for line in lines)
    assert any(line.startswith(f"{bad}:9: error: queue 'sales' (line 9) names queue 'sails'") for line in lines)
    assert any(line.startswith(f"{bad}:9: warning: queue 'sales' (line 9) is never reached") for line in lines)
    assert lines[-1] == "1 file(s) checked: 3 error(s), 2 warning(s)"


def test_check_a_file_that_does_not_load(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("start: a\nnodes:\n  a: {kind: play, prompt: x, next: [b}\n")
    result = ivr("check", str(bad))
    assert result.exit_code == 1 and f"{bad}:3: error: YAML syntax" in result.output


def test_try_main_menu_by_script() -> None:
    result = ivr("try", MAIN, "--at", OPEN, "--script", "t,t,t,1")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "call from +886223456789 to 5000 at 2026-03-02 10:00 Asia/Taipei (Monday)" in out
    assert "  play: Welcome to Sample Bank." in out
    assert "  lookup -> not found" in out and out.count("  (no input)") == 3
    assert "[identify/unidentified] set\n  set identified = no" in out
    assert "=> enter queue 'sales': priority 0, tier -, customer -, skills -" in out
    assert out.rstrip().endswith("outcome: queue, 40 s in the IVR")


def test_try_identifies_by_account_and_takes_the_vip_lane() -> None:
    result = ivr("try", MAIN, "--at", OPEN, "--script", "1000000017#,1000000016#")
    assert result.exit_code == 0, result.output
    assert "  play: That account number is not valid. Please try again." in result.output
    assert "  lookup -> found C001 (Lin Mei-Ling, A1)" in result.output
    assert "=> enter queue 'vip': priority 20, tier A1, customer C001, skills vip:5" in result.output


def test_try_after_hours_complaint_and_tier_option(tmp_path: Path) -> None:
    late = ivr("try", MAIN, "--at", CLOSED, "--caller", "+886912000003", "--script", "2")
    assert late.exit_code == 0 and "=> voicemail box 'support'" in late.output
    complaint = ivr("try", MAIN, "--at", OPEN, "--caller", "+886912000003", "--script", "4")
    assert "  => open case 'complaint' (due 2026-03-17 10:00)" in complaint.output
    assert "=> enter queue 'complaints': priority 10" in complaint.output
    vip = ivr("try", MAIN, "--at", OPEN, "--tier", "a2", "--script", "t,t,t")
    assert "=> enter queue 'vip'" in vip.output and "tier A2" in vip.output


def test_try_reads_keys_from_the_terminal_and_a_customer_csv(tmp_path: Path) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text("id,name,phone,account,tier,balance\nX1,Test Person,0912-111-222,,A5,42\n")
    result = ivr("try", MAIN, "--at", OPEN, "--caller", "+886912111222", "--customers", str(customers),
                 input="3\n1\n9\n5\n1\n1\n")
    assert result.exit_code == 0, result.output
    assert "lookup -> found X1 (Test Person, A5)" in result.output
    assert "  play: Your available balance is 42 dollars." in result.output
    assert "  => survey recorded (satisfied=5, recommend=1, continue=1)" in result.output
    assert "=> hang up (flow)" in result.output


def test_try_hangup_and_end_of_input(tmp_path: Path) -> None:
    hung = ivr("try", MAIN, "--at", OPEN, "--script", "h")
    assert hung.exit_code == 0 and "(the caller hangs up)" in hung.output and "outcome: caller_hangup" in hung.output
    eof = ivr("try", MAIN, "--at", OPEN, input="")
    assert eof.exit_code == 0 and "outcome: caller_hangup" in eof.output


def test_try_rejects_bad_options(tmp_path: Path) -> None:
    assert ivr("try", MAIN, "--at", "tomorrow").exit_code == 2
    assert "unknown time zone" in ivr("try", MAIN, "--tz", "Mars/Base").output
    assert ivr("try", MAIN, "--var", "novalue").exit_code == 2
    bad_csv = tmp_path / "c.csv"
    bad_csv.write_text("name,phone\nA,1\n")
    assert "needs an 'id' column" in ivr("try", MAIN, "--customers", str(bad_csv)).output


def test_traces_from_try_feed_stats(tmp_path: Path) -> None:
    traces = tmp_path / "traces.jsonl"
    for script in ("t,t,t,1", "t,t,t,0", "h", "1000000016#"):
        assert ivr("try", MAIN, "--at", OPEN, "--script", script, "--trace-out", str(traces)).exit_code == 0
    result = ivr("stats", str(traces))
    assert result.exit_code == 0, result.output
    assert "flow main: 4 calls; contained 0 (0.0%), to a person 3 (75.0%), dropped 1 (25.0%)" in result.output
    assert "outcomes: caller_hangup 1, queue 3" in result.output
    data = json.loads(ivr("stats", str(traces), "--json").output)["main"]
    assert data["calls"] == 4 and data["nodes"]["main_menu"]["exits"] == {"sales": 1, "agent": 1}
    assert data["nodes"]["identify/ask_account"]["drop_offs"] == 1


def test_stats_names_a_bad_line(tmp_path: Path) -> None:
    traces = tmp_path / "t.jsonl"
    traces.write_text('\n{"flow": "main"}\n')
    result = ivr("stats", str(traces))
    assert result.exit_code == 1 and f"{traces}:2: not a call trace: missing field" in result.output
