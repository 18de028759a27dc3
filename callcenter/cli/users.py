"""``callcenter users``: console users and their roles."""

from __future__ import annotations

import asyncio
import datetime as dt
import sys

import click

from callcenter.cli.db import url_option
from callcenter.storage.db import Database
from callcenter.storage.errors import StorageError
from callcenter.storage.migrate import require_current
from callcenter.storage.users import Role, User, Users


@click.group()
def users() -> None:
    """Console users: agents, supervisors, QA staff, planners, admins."""


@users.command("add")
@url_option("--db")
@click.option("--username", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--agent-id", default=None, help="The agent this user logs in as (agents, supervisors).")
@click.option("--display-name", default="", help="Name shown in the consoles.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
def add(url: str, username: str, role: str, agent_id: str | None, display_name: str, password_stdin: bool) -> None:
    """Add a user; the password is stored as an argon2 hash."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not password:
        raise click.ClickException("the password must not be empty")
    try:
        user = asyncio.run(_add(url, username, Role(role), password, display_name, agent_id))
    except (StorageError, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"added {user.username} ({user.role.value}{', agent ' + user.agent_id if user.agent_id else ''})")


@users.command("list")
@url_option("--db")
def list_cmd(url: str) -> None:
    """List users."""
    try:
        found = asyncio.run(_list(url))
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    for user in found:
        state = "" if user.active else " (inactive)"
        click.echo(f"{user.username:<20} {user.role.value:<11} {user.agent_id or '-':<8} {user.display_name}{state}")


async def _add(url: str, username: str, role: Role, password: str, display_name: str, agent_id: str | None) -> User:
    await require_current(url)
    async with Database(url) as db, db.session() as session:
        return await Users(session).add(username, role, password, dt.datetime.now(dt.timezone.utc),
                                        display_name=display_name, agent_id=agent_id)


async def _list(url: str) -> tuple[User, ...]:
    await require_current(url)
    async with Database(url) as db, db.session() as session:
        return await Users(session).list_all()
