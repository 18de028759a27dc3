"""Errors of the storage package."""

from __future__ import annotations


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
