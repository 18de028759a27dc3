"""``callcenter console``: the terminal console for agents and supervisors.

The console is a client of the API (it may run on another machine); this
command only starts it.
"""

from __future__ import annotations

import click


@click.command("console")
@click.option("--server", metavar="URL", help="API address, e.g. http://127.0.0.1:8080 (default: the last one used).")
@click.option("--user", "username", metavar="NAME", help="User name (default: the last one used).")
def console(server: str | None, username: str | None) -> None:
    """Open the agent or supervisor console (by the user's role)."""
    try:
        from agent_console.app import ConsoleApp
    except ImportError as exc:  # textual or websockets missing
        raise click.ClickException(f"the console needs its extra packages: {exc}") from None
    ConsoleApp(server=server, username=username).run()
