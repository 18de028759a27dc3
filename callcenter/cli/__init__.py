"""The ``callcenter`` command.

Each sub-command lives in its own module and is imported only when run, so
``callcenter --help`` stays fast and one broken optional dependency does not
take the whole command down.
"""

from __future__ import annotations

import importlib

import click

# command name -> "module:attribute"
_COMMANDS = {
    "simulate": "callcenter.cli.simulate:simulate",
    "config": "callcenter.cli.config_cmd:config",
    "wfm": "callcenter.cli.wfm:wfm",
}


class LazyGroup(click.Group):
    """A click group whose commands are imported on first use."""

    def __init__(self, *args: object, lazy: dict[str, str] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._lazy))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self._lazy:
            module_name, attr = self._lazy[cmd_name].split(":")
            command: click.Command = getattr(importlib.import_module(module_name), attr)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, lazy=_COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="callcenter")
def main() -> None:
    """Open-source contact center: routing, simulation and workforce management."""


if __name__ == "__main__":
    main()
