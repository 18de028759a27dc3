"""``callcenter serve`` and ``callcenter demo`` invoked as commands."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from callcenter.cli.demo import demo
from callcenter.cli.serve import serve
from tests.integration.service.conftest import CONFIG


def test_serve_runs_without_simulated_callers_and_stops_after_its_duration(tmp_path: Path, template_db: Path) -> None:
    shutil.copy(template_db, tmp_path / "callcenter.db")
    result = CliRunner().invoke(serve, ["--config", str(CONFIG), "--data-dir", str(tmp_path), "--duration", "1",
                                        "--headless", "--no-api"])
    assert result.exit_code == 0, result.output
    assert "stopped cleanly" in result.output and "Demo logins" not in result.output


def test_bad_config_is_a_clean_error(tmp_path: Path) -> None:
    folder = tmp_path / "center"
    folder.mkdir()
    (folder / "center.yaml").write_text("skills: []\nqueues: []\n")
    result = CliRunner().invoke(demo, ["--config", str(folder), "--data-dir", str(tmp_path), "--duration", "1",
                                       "--no-api", "--no-ivr"])
    assert result.exit_code == 1
    assert "center.yaml:1" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(demo, ["--config", str(CONFIG), "--human-agents", "zz", "--data-dir", str(tmp_path),
                                       "--duration", "1", "--no-api"])
    assert result.exit_code == 1 and "unknown agents zz" in result.output
