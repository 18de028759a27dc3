"""Errors of the storage package."""

from __future__ import annotations

from sqlalchemy.engine import make_url


class StorageError(Exception):
    """Base of every storage error."""


class NotFound(StorageError):
    """No row with that key."""

    def __init__(self, what: str, key: object) -> None:
        self.what = what
        self.key = key
        super().__init__(f"no {what} {key!r}")


class DuplicateUser(StorageError):
    """A user with that username exists already."""

    def __init__(self, username: str) -> None:
        self.username = username
        super().__init__(f"user {username!r} exists already")


class SchemaOutdated(StorageError):
    """The database is not at the schema revision this code expects."""

    def __init__(self, url: str, current: str | None, head: str | None) -> None:
        self.current = current
        self.head = head
        where = "has no schema yet" if current is None else f"is at revision {current}, not {head}"
        shown = make_url(url).render_as_string(hide_password=True)
        super().__init__(f"the database {where}: run `callcenter db upgrade --url {shown}`")
