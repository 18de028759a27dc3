"""Errors of the simulator."""

from __future__ import annotations


class SimulationError(Exception):
    """Base of every simulator error."""


class InputError(SimulationError):
    """A problem in an input file at a known place: ``file:line: message``."""

    def __init__(self, file: str, line: int | None, message: str) -> None:
        self.file = file
        self.line = line
        self.message = message
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {message}")


class RosterError(InputError):
    """A roster file that cannot be read."""
