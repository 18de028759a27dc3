"""Read recorded AMI and FastAGI transcripts (the capture file format).

A capture is plain text. Lines that start with ``#`` are annotations by the
recorder and not wire data: ``#<<< t=S`` marks bytes received at ``t``,
``#>>> t=S`` followed by ``#>>> <line>`` lines is what the client sent, and
``#--- ...`` is a note (scenario, connect, close). Everything else is the
byte stream the server sent, verbatim (CRLF for AMI, LF for AGI).

The replay tests, the loopback fakes and the ingestion benchmark read the
captures through this module, so they all agree on what the wire said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_TIME = re.compile(rb"t=(\d+(?:\.\d+)?)")


@dataclass(frozen=True, slots=True)
class Received:
    """Bytes the server sent, from one ``#<<<`` mark to the next annotation."""

    data: bytes
    at: float


@dataclass(frozen=True, slots=True)
class Sent:
    """One action or command the client sent, as its wire lines (no EOLs,
    without the blank line that ends an AMI action)."""

    lines: tuple[str, ...]
    at: float

    @property
    def headers(self) -> dict[str, str]:
        """The action's ``Key: value`` lines as a dict (first value wins)."""
        out: dict[str, str] = {}
        for line in self.lines:
            key, sep, value = line.partition(": ")
            if sep and key not in out:
                out[key] = value
        return out


@dataclass(frozen=True, slots=True)
class Note:
    """A ``#---`` annotation."""

    text: str


Step = Received | Sent | Note


def read_steps(path: Path) -> list[Step]:
    """Parse a capture into its steps, in file order.

    Args:
        path: The capture file.

    Returns:
        Received blocks, sent actions and notes as they appear.
    """
    steps: list[Step] = []
    received: list[bytes] = []
    recv_at = 0.0
    sent: list[str] | None = None
    sent_at = 0.0

    def flush_received() -> None:
        if received:
            steps.append(Received(b"".join(received), recv_at))
            received.clear()

    def flush_sent() -> None:
        nonlocal sent
        if sent is not None:
            while sent and sent[-1] == "":
                sent.pop()
            steps.append(Sent(tuple(sent), sent_at))
            sent = None

    for raw in path.read_bytes().splitlines(keepends=True):
        if not raw.startswith(b"#"):
            received.append(raw)
            continue
        line = raw.rstrip(b"\n")
        if line.startswith(b"#<<<"):
            flush_received()
            flush_sent()
            match = _TIME.search(line)
            recv_at = float(match.group(1)) if match else recv_at
        elif line.startswith(b"#>>> t="):
            flush_received()
            flush_sent()
            match = _TIME.search(line)
            sent_at = float(match.group(1)) if match else sent_at
            sent = []
        elif line.startswith(b"#>>> ") or line == b"#>>>":
            if sent is None:
                sent = []
            sent.append(line[5:].decode("utf-8", "replace").rstrip("\r"))
        else:
            flush_received()
            flush_sent()
            steps.append(Note(line.lstrip(b"#- ").decode("utf-8", "replace")))
    flush_received()
    flush_sent()
    return steps


def received_bytes(path: Path) -> bytes:
    """Everything the server sent in a capture, annotations removed.

    Args:
        path: The capture file.

    Returns:
        The concatenated byte stream (several connections run together, each
        starting with its own banner).
    """
    return b"".join(line for line in path.read_bytes().splitlines(keepends=True) if not line.startswith(b"#"))


def connections(path: Path) -> list[list[Step]]:
    """Split a capture's steps by TCP connection (at each "connected" note).

    Args:
        path: The capture file.

    Returns:
        One list of steps per connection; notes before the first connection
        are dropped.
    """
    result: list[list[Step]] = []
    for step in read_steps(path):
        if isinstance(step, Note) and ("connected to" in step.text or "FastAGI connection" in step.text):
            result.append([])
        elif result:
            result[-1].append(step)
    return result
