"""``callcenter db``: create and migrate the service database."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

import click
from sqlalchemy.engine import make_url

from callcenter.storage.db import DEFAULT_URL
from callcenter.storage.migrate import current_revision, head_revision, upgrade

URL_ENV = "CALLCENTER_DB_URL"
F = TypeVar("F", bound=Callable[..., Any])


def url_option(name: str = "--url") -> Callable[[F], F]:
    """The database URL option shared by db, crm and users commands."""
    return click.option(name, "url", envvar=URL_ENV, default=DEFAULT_URL, show_default=True,
                        help=f"Database URL (SQLAlchemy async form); env {URL_ENV}.")


def shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


@click.group()
def db() -> None:
    """Create and migrate the service database."""


@db.command("upgrade")
@url_option()
@click.option("--revision", default="head", show_default=True, help="Target revision.")
def upgrade_cmd(url: str, revision: str) -> None:
    """Create the tables or migrate them to the newest schema."""
    try:
        upgrade(url, revision)
    except Exception as exc:  # any driver or migration failure, shown plainly
        raise click.ClickException(f"upgrade of {shown(url)} failed: {exc}") from None
    click.echo(f"{shown(url)} is at revision {revision if revision != 'head' else head_revision()}")


@db.command("current")
@url_option()
def current_cmd(url: str) -> None:
    """Show the database's schema revision and the newest one shipped."""
    current = asyncio.run(current_revision(url))
    click.echo(f"{shown(url)}: revision {current or 'none'} (newest {head_revision()})")
