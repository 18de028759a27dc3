"""Console tests: each gets its own settings file, never the user's."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def console_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "console.json"
    monkeypatch.setenv("CALLCENTER_CONSOLE_CONFIG", str(path))
    return path
