"""Errors of the CRM package."""

from __future__ import annotations


class CrmError(Exception):
    """Base of every CRM error."""


class InvalidPhoneNumber(CrmError):
    """A phone number that cannot be read as a valid number."""

    def __init__(self, raw: str, reason: str) -> None:
        self.raw = raw
        self.reason = reason
        super().__init__(f"invalid phone number {raw!r}: {reason}")
