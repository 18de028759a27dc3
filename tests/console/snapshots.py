"""Snapshot checks: the screen as text and as SVG, against stored files.

Run with ``CONSOLE_SNAPSHOT_UPDATE=1`` to (re)write the stored files after
a deliberate change, then look at the SVGs and commit them.
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path
from typing import Any

from textual.app import App

from tests.console.helpers import screen_text

SNAPSHOTS = Path(__file__).parent / "__snapshots__"
UPDATE_ENV = "CONSOLE_SNAPSHOT_UPDATE"


def check_snapshot(app: App[Any], name: str) -> None:
    """Compare the screen with ``__snapshots__/<name>.txt`` and ``.svg``."""
    text = screen_text(app)
    svg = app.export_screenshot(title=name)
    text_path, svg_path = SNAPSHOTS / f"{name}.txt", SNAPSHOTS / f"{name}.svg"
    if os.environ.get(UPDATE_ENV) == "1":
        SNAPSHOTS.mkdir(exist_ok=True)
        text_path.write_text(text, encoding="utf-8")
        svg_path.write_text(svg, encoding="utf-8")
        return
    assert text_path.exists() and svg_path.exists(), f"no snapshot {name}: run with {UPDATE_ENV}=1 and review it"
    stored = text_path.read_text(encoding="utf-8")
    if text != stored:
        diff = "\n".join(difflib.unified_diff(stored.splitlines(), text.splitlines(), "stored", "now", lineterm=""))
        raise AssertionError(f"snapshot {name} changed:\n{diff}")
    # Same text: the colours and styles must match too.
    assert svg == svg_path.read_text(encoding="utf-8"), f"snapshot {name}: same text, other styles ({svg_path})"
