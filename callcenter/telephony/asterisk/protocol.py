"""The AMI wire format: framing, message parsing and action encoding.

AMI is line based: ``Key: value`` lines ending in CRLF, a message ends with
an empty line. The server opens with a banner line
(``Asterisk Call Manager/11.0.0``) that is *not* followed by an empty line,
so it arrives glued to the first message.

This parser is written for the event firehose: with ``read = all`` a busy
server sends thousands of messages a second, half of them ``VarSet``. It
decodes whole chunks at message boundaries (never splitting a UTF-8
sequence), splits them once, and builds each header dict in one call; only
odd messages (the banner, a repeated header, a line without ``": "``) take
the slower careful path. Nothing here raises on bad input: damaged lines
are counted and skipped so that one bad message never costs the connection.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import repeat

_log = logging.getLogger(__name__)

EOL = "\r\n"
END = b"\r\n\r\n"
BANNER_PREFIX = "Asterisk Call Manager/"
MAX_BUFFER = 4 * 1024 * 1024
"""Bytes kept while waiting for the end of a message; beyond this the
buffer is garbage (no message is that long) and is dropped."""


class AmiMessage:
    """One AMI message: a response to an action, or an event.

    ``headers`` holds each header's first value; ``repeated`` holds every
    value of a header that occurred more than once (``Output`` lines of a
    ``Command`` response, ``Variable`` lines), in order.
    """

    __slots__ = ("headers", "repeated")

    def __init__(self, headers: dict[str, str], repeated: dict[str, list[str]] | None = None) -> None:
        self.headers = headers
        self.repeated = repeated

    @property
    def event(self) -> str | None:
        """The event name, or None for a response."""
        return self.headers.get("Event")

    @property
    def response(self) -> str | None:
        """``Success``, ``Error``, ``Goodbye``..., or None for an event."""
        return self.headers.get("Response")

    @property
    def action_id(self) -> str | None:
        """The ``ActionID`` the client put on the action this answers."""
        return self.headers.get("ActionID")

    def get(self, key: str, default: str = "") -> str:
        """A header's first value, or ``default``."""
        return self.headers.get(key, default)

    def values(self, key: str) -> list[str]:
        """Every value of a header, in order (empty when absent)."""
        if self.repeated is not None and key in self.repeated:
            return list(self.repeated[key])
        value = self.headers.get(key)
        return [] if value is None else [value]

    def __repr__(self) -> str:
        kind = f"Event={self.event!r}" if self.event is not None else f"Response={self.response!r}"
        return f"<AmiMessage {kind} {len(self.headers)} headers>"


class AmiParser:
    """Incremental AMI parser: feed bytes, get complete messages.

    Events the consumer has no use for are skipped before their headers are
    split, by name from the first line: most of a busy server's stream
    (``VarSet``, ``Newexten``, ``Cdr``, ``RTCPSent``) costs a string compare.
    Responses are always parsed, and so are events that carry an
    ``ActionID`` while ``tagged`` is set (items of a list action).

    Args:
        wanted: Event names to parse; None parses every event.
        variables: ``VarSet`` events are parsed only for these variable
            names (or prefixes ending in ``*``), even if ``VarSet`` is not
            in ``wanted``.

    Attributes:
        version: The protocol version from the last banner seen (``11.0.0``).
        malformed: Count of lines or blocks that could not be read.
        skipped: Count of events skipped unparsed.
        tagged: Parse every event that carries an ``ActionID``.
    """

    def __init__(self, wanted: frozenset[str] | None = None, variables: tuple[str, ...] = ()) -> None:
        self._buffer = b""
        self._wanted = wanted
        # Matched with str.startswith at the offset after "Variable: ".
        self._var_prefixes = tuple(v[:-1] if v.endswith("*") else v + "\r\n" for v in variables)
        self.version: str | None = None
        self.malformed = 0
        self.skipped = 0
        self.tagged = False
        self.on_skip: Callable[[str], None] | None = None
        """Called once per event name skipped (to log it once)."""
        self._skipped_names: set[str] = set()

    @property
    def pending(self) -> int:
        """Bytes held that do not yet form a complete message."""
        return len(self._buffer)

    def feed(self, data: bytes) -> list[AmiMessage]:
        """Add received bytes; return the messages they complete.

        Args:
            data: Bytes as read from the socket (any chunking).

        Returns:
            The complete messages, in order; a partial message stays buffered.
        """
        buffer = self._buffer + data if self._buffer else data
        cut = buffer.rfind(END)
        if cut < 0:
            if len(buffer) > MAX_BUFFER:
                _log.warning("AMI: dropped %d bytes with no message end", len(buffer))
                self.malformed += 1
                buffer = b""
            self._buffer = buffer
            return []
        self._buffer = buffer[cut + 4 :]
        return self.parse_blocks(buffer[:cut].decode("utf-8", "replace").split("\r\n\r\n"))

    def reset(self) -> int:
        """Drop any partial message (the connection closed); return its size."""
        dropped = len(self._buffer)
        self._buffer = b""
        return dropped

    def parse_blocks(self, blocks: Iterable[str]) -> list[AmiMessage]:
        """Parse already-framed message blocks (text between empty lines)."""
        out: list[AmiMessage] = []
        append = out.append
        wanted = self._wanted
        split = str.split
        sep = repeat(": ")
        once = repeat(1)
        skipped = 0
        tagged = self.tagged
        seen = self._skipped_names
        for block in blocks:
            if wanted is not None and block.startswith("Event: "):
                end = block.find("\r\n")
                name = block[7:end] if end > 0 else block[7:]
                if name not in wanted and not (
                    (tagged and "\r\nActionID: " in block) or (name == "VarSet" and self._wanted_var(block))
                ):
                    skipped += 1
                    if name not in seen:
                        seen.add(name)
                        if self.on_skip is not None:
                            self.on_skip(name)
                    continue
            lines = block.split("\r\n")
            try:
                headers = dict(map(split, lines, sep, once))
            except ValueError:
                message = self._careful(lines)
                if message is not None:
                    append(message)
                continue
            if len(headers) != len(lines) or ("Event" not in headers and "Response" not in headers):
                message = self._careful(lines)
                if message is not None:
                    append(message)
                continue
            append(AmiMessage(headers))
        self.skipped += skipped
        return out

    def _wanted_var(self, block: str) -> bool:
        if not self._var_prefixes:
            return False
        at = block.find("\r\nVariable: ")
        return at >= 0 and block.startswith(self._var_prefixes, at + 12)

    def _careful(self, lines: Sequence[str]) -> AmiMessage | None:
        """The slow path: banner, repeated headers, damaged lines."""
        headers: dict[str, str] = {}
        repeated: dict[str, list[str]] | None = None
        for line in lines:
            if not line:
                continue
            if line.startswith(BANNER_PREFIX):
                self.version = line[len(BANNER_PREFIX) :].strip()
                continue
            key, sep, value = line.partition(": ")
            if not sep:
                key, sep, value = line.partition(":")
                if not sep or not key or " " in key:
                    self.malformed += 1
                    _log.debug("AMI: skipped a line that is not a header: %.80r", line)
                    continue
            if key in headers:
                if repeated is None:
                    repeated = {}
                if key not in repeated:
                    repeated[key] = [headers[key]]
                repeated[key].append(value)
            else:
                headers[key] = value
        if not headers:
            return None
        if "Event" not in headers and "Response" not in headers:
            # Garbage glued to the start of a message: keep the message.
            first = next(iter(headers))
            for real in ("Event", "Response"):
                if first.endswith(real):
                    headers = {real if k == first else k: v for k, v in headers.items()}
                    self.malformed += 1
                    _log.warning("AMI: stripped garbage before %r", real)
                    return AmiMessage(headers, repeated)
        if "Event" not in headers and "Response" not in headers:
            self.malformed += 1
            _log.warning("AMI: dropped a message with neither Event nor Response: %.120r", "|".join(lines))
            return None
        return AmiMessage(headers, repeated)


def encode_action(action: str, action_id: str, fields: Mapping[str, str | Sequence[str]] | None = None) -> bytes:
    """Encode one AMI action for the wire.

    Args:
        action: The action name (``Originate``).
        action_id: The id the server will echo in every reply to it.
        fields: Other headers; a sequence value repeats the header
            (``Variable``).

    Returns:
        The action's bytes, ending with the empty line.

    Raises:
        ValueError: A value contains a line break (it would inject headers).
    """
    lines = [f"Action: {action}", f"ActionID: {action_id}"]
    for key, value in (fields or {}).items():
        values = [value] if isinstance(value, str) else list(value)
        for item in values:
            if "\r" in item or "\n" in item:
                raise ValueError(f"AMI header {key!r} may not contain a line break")
            lines.append(f"{key}: {item}")
    return (EOL.join(lines) + EOL + EOL).encode("utf-8")
