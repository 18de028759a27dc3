"""The console's small settings file: the last server and user, alert limits.

Kept as JSON in the user's config folder (``$XDG_CONFIG_HOME/callcenter/
console.json``, by default ``~/.config/callcenter/console.json``);
``CALLCENTER_CONSOLE_CONFIG`` names another file (tests use it). Passwords
and tokens are never written.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

ENV_PATH = "CALLCENTER_CONSOLE_CONFIG"
DEFAULT_SERVER = "http://127.0.0.1:8080"


@dataclass(frozen=True, slots=True)
class AlertRules:
    """When the supervisor console raises an alert.

    Attributes:
        wait_over_s: a caller has waited this long in any queue.
        stuck_s: an agent has been in a state this long, by state.
    """

    wait_over_s: float = 60.0
    stuck_s: dict[str, float] = field(default_factory=lambda: {
        "not_ready": 900.0, "wrap_up": 180.0, "reserved": 60.0, "held": 300.0, "busy": 1200.0,
    })


@dataclass(frozen=True, slots=True)
class ConsoleConfig:
    """What the console remembers between runs."""

    server: str = DEFAULT_SERVER
    user: str = ""
    alerts: AlertRules = field(default_factory=AlertRules)


def config_path() -> Path:
    """Where the settings file lives (``CALLCENTER_CONSOLE_CONFIG`` wins)."""
    override = os.environ.get(ENV_PATH)
    if override:
        return Path(override)
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "callcenter" / "console.json"


def load_config(path: Path | None = None) -> ConsoleConfig:
    """The saved settings; defaults when the file is missing or unreadable."""
    path = path or config_path()
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ConsoleConfig()
    if not isinstance(data, dict):
        return ConsoleConfig()
    alerts = data.get("alerts") if isinstance(data.get("alerts"), dict) else {}
    assert isinstance(alerts, dict)
    rules = AlertRules()
    if isinstance(alerts.get("wait_over_s"), (int, float)):
        rules = replace(rules, wait_over_s=float(alerts["wait_over_s"]))
    if isinstance(alerts.get("stuck_s"), dict):
        stuck = dict(rules.stuck_s)
        stuck.update({str(k): float(v) for k, v in alerts["stuck_s"].items() if isinstance(v, (int, float))})
        rules = replace(rules, stuck_s=stuck)
    return ConsoleConfig(str(data.get("server") or DEFAULT_SERVER), str(data.get("user") or ""), rules)


def save_config(config: ConsoleConfig, path: Path | None = None) -> None:
    """Write the settings (best effort: a read-only home must not stop a shift)."""
    path = path or config_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(config), indent=2) + "\n", encoding="utf-8")
    except OSError:
        pass
