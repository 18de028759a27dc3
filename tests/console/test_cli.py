"""``callcenter console`` and ``python -m agent_console`` start the console."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from callcenter.cli.console import console
from tests.console.helpers import ROOT


def test_console_command_help() -> None:
    result = CliRunner().invoke(console, ["--help"])
    assert result.exit_code == 0
    assert "--server URL" in result.output and "--user NAME" in result.output


def test_the_console_package_never_imports_the_service() -> None:
    code = ("import sys, agent_console.app, agent_console.__main__; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('callcenter', 'acd')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
