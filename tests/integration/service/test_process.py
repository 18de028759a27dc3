"""The demo as a process: killed mid-call it loses nothing written; stopped, it closes everything."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.integration.service.conftest import CONFIG
from tests.integration.service.helpers import check_consistent

ROOT = CONFIG.parents[1]


def start_demo(data_dir: Path, template_db: Path, *extra: str) -> subprocess.Popen[str]:
    shutil.copy(template_db, data_dir / "callcenter.db")
    env = dict(os.environ, PYTHONPATH=str(ROOT), OPENBLAS_NUM_THREADS="1")
    return subprocess.Popen(
        [sys.executable, "-m", "callcenter.cli.demo", "--config", str(CONFIG), "--headless", "--speed", "60",
         "--data-dir", str(data_dir), "--duration", "120", *extra],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def calls_in_progress(db_file: Path) -> int:
    if not db_file.exists():
        return 0
    try:
        con = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=1.0)
        try:
            return int(con.execute(
                "select count(*) from interactions where answered_at is not null and ended_at is null").fetchone()[0])
        finally:
            con.close()
    except sqlite3.OperationalError:
        return 0


def wait_for_calls(proc: subprocess.Popen[str], db_file: Path, at_least: int = 3, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"the demo exited early: {proc.stdout.read() if proc.stdout else ''}"
        if calls_in_progress(db_file) >= at_least:
            return
        time.sleep(0.2)
    raise AssertionError("no calls in progress in time")


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait(10)
    if proc.stdout is not None:
        proc.stdout.close()


def test_killed_mid_call_every_interaction_is_whole(tmp_path: Path, template_db: Path) -> None:
    db_file = tmp_path / "callcenter.db"
    proc = start_demo(tmp_path, template_db, "--no-api")
    try:
        wait_for_calls(proc, db_file)
        before = check_consistent(str(db_file))
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        stop(proc)
    after = check_consistent(str(db_file))
    assert calls_in_progress(db_file) >= 1  # killed mid-call: those stay in progress, whole
    for key, value in before.items():
        assert after[key] >= value, key  # nothing written before the kill is lost


def test_sigterm_stops_cleanly_closing_calls_and_wrap_ups(tmp_path: Path, template_db: Path) -> None:
    db_file = tmp_path / "callcenter.db"
    proc = start_demo(tmp_path, template_db, "--port", "0")
    try:
        wait_for_calls(proc, db_file)
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    finally:
        stop(proc)
    assert proc.returncode == 0, out
    assert "API listening on http://127.0.0.1:" in out or "API not available" in out
    assert "Demo logins: supervisor/demo (supervisor), a01/demo (agent), a02/demo (agent)" in out
    assert "stopped cleanly" in out
    counts = check_consistent(str(db_file), stopped_cleanly=True)
    assert counts["answered"] >= 3
    con = sqlite3.connect(db_file)
    try:
        causes = {c for (c,) in con.execute("select distinct end_cause from interactions")}
        last_states = dict(con.execute(
            "select agent_id, state from agent_state_log where id in (select max(id) from agent_state_log group by agent_id)"))
    finally:
        con.close()
    assert "service-stopped" in causes
    assert set(last_states.values()) == {"logged_out"}
