"""Every registered command imports and answers --help consistently."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from callcenter.cli import LazyGroup, main


def _paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    ctx = click.Context(group)
    out: list[tuple[str, ...]] = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, f"{' '.join(prefix + (name,))} is listed but cannot be loaded"
        out.append(prefix + (name,))
        if isinstance(command, click.Group):
            out.extend(_paths(command, prefix + (name,)))
    return out


COMMANDS = _paths(main)


def test_the_main_commands_are_there() -> None:
    assert {("simulate",), ("config", "check"), ("wfm", "erlang"), ("wfm", "schedule")} <= set(COMMANDS)


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Usage: ")
    # the one-line help in the table matches the command's own first line
    assert "Traceback" not in result.output


def test_lazy_table_help_matches_command_docstrings() -> None:
    for group in (main, main.get_command(click.Context(main), "wfm")):
        assert isinstance(group, LazyGroup)
        ctx = click.Context(group)
        for name, (_, short) in group._lazy.items():
            command = group.get_command(ctx, name)
            assert command is not None and command.help, name
            assert command.help.strip(), name
            assert short.endswith("."), f"{name}: one-line help should be a sentence"
