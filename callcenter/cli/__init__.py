"""The ``callcenter`` command.

Each sub-command lives in its own module and is imported only when run, so
``callcenter --help`` stays fast and one broken optional dependency does not
take the whole command down.
"""

from __future__ import annotations

import importlib

import click

# command name -> ("module:attribute", one-line help shown by --help)
_COMMANDS = {
    "demo": ("callcenter.cli.demo:demo", "Run a live demo center: simulated switch, callers and agents, API."),
    "serve": ("callcenter.cli.serve:serve", "Run the contact-center service for a center configuration."),
    "console": ("callcenter.cli.console:console", "Open the agent or supervisor console (Textual)."),
    "simulate": ("callcenter.cli.simulate:simulate", "Simulate a center (or one queue) through the real router."),
    "config": ("callcenter.cli.config_cmd:config", "Inspect and check configuration."),
    "wfm": ("callcenter.cli.wfm:wfm", "Workforce management: forecast, staff, schedule, verify."),
    "db": ("callcenter.cli.db:db", "Create and migrate the service database."),
    "crm": ("callcenter.cli.crm:crm", "Customers: generate sample data, import CSV, compute value."),
    "users": ("callcenter.cli.users:users", "Console users and roles (argon2 passwords)."),
    "ivr": ("callcenter.cli.ivr:ivr_group", "IVR flows: check, walk in the terminal, trace statistics."),
}


class LazyGroup(click.Group):
    """A click group whose commands are imported on first use."""

    def __init__(self, *args: object, lazy: dict[str, tuple[str, str]] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self._lazy))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self._lazy:
            module_name, attr = self._lazy[cmd_name][0].split(":")
            command: click.Command = getattr(importlib.import_module(module_name), attr)
            return command
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Help from the table above: listing commands must not import them all.
        rows = [(name, self._lazy[name][1]) for name in sorted(self._lazy)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=LazyGroup, lazy=_COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="callcenter")
def main() -> None:
    """Open-source contact center: routing, simulation and workforce management."""


if __name__ == "__main__":
    main()
