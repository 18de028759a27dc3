"""Loopback fakes: an AMI server and an Asterisk FastAGI client, both
speaking bytes recorded from a real Asterisk 22 (``tests/fixtures/asterisk``).

``FakeAmi`` listens on a free port on 127.0.0.1. It answers each action
from a script: replies recorded after the same action in a capture (their
``ActionID`` rewritten to the one the client sent), or built-in answers
for the actions every session sends (Login, Ping, CoreStatus,
CoreShowChannels, DeviceStateList, Logoff), themselves cut from captures.
Tests push recorded event streams, damaged bytes or a disconnect at will.

``FakeAsteriskAgi`` connects to a FastAGI server like Asterisk's
``AGI(agi://...)``: it sends a recorded ``agi_*`` environment, then answers
each command with the recorded reply to the same command.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from callcenter.telephony.asterisk.capture import Received, Sent, Step, connections, read_steps

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "asterisk"
BANNER = b"Asterisk Call Manager/11.0.0\r\n"
CLOSE = object()
"""A reply item: close the connection here."""

Reply = bytes | float | object
"""Bytes to send, a delay in seconds, or CLOSE."""


def fixture(name: str) -> Path:
    """A capture file by its name prefix (``ami-03``)."""
    matches = sorted(FIXTURES.glob(f"{name}*.log"))
    assert matches, f"no capture {name}"
    return matches[0]


@dataclass(frozen=True, slots=True)
class Recorded:
    """One action sent in a capture and every byte received until the next."""

    headers: dict[str, str]
    reply: bytes

    @property
    def action(self) -> str:
        return self.headers.get("Action", "")

    @property
    def action_id(self) -> str:
        return self.headers.get("ActionID", "")


def recorded(path: Path) -> list[Recorded]:
    """The (action, reply bytes) pairs of a capture, in order."""
    out: list[Recorded] = []
    current: Sent | None = None
    chunks: list[bytes] = []
    for conn in connections(path):
        for step in conn:
            if isinstance(step, Sent):
                if current is not None:
                    out.append(Recorded(current.headers, b"".join(chunks)))
                current, chunks = step, []
            elif isinstance(step, Received) and current is not None:
                chunks.append(step.data)
        if current is not None:
            out.append(Recorded(current.headers, b"".join(chunks)))
        current, chunks = None, []
    return out


def reply_to(path: Path, action: str, nth: int = 0, **match: str) -> Recorded:
    """The ``nth`` recorded reply to ``action`` whose headers match ``match``."""
    found = [
        r for r in recorded(path) if r.action == action and all(r.headers.get(k) == v for k, v in match.items())
    ]
    return found[nth]


def events_after(path: Path, action: str, nth: int = 0) -> bytes:
    """The events recorded after an action until the next one, without the
    action's own response (blocks carrying its ``ActionID``)."""
    rec = reply_to(path, action, nth)
    tag = f"ActionID: {rec.action_id}\r\n".encode()
    blocks = [b for b in rec.reply.split(b"\r\n\r\n") if b.strip() and tag not in b + b"\r\n"]
    return b"".join(b + b"\r\n\r\n" for b in blocks)


def between(path: Path, start: str, end: str | None = None) -> bytes:
    """Received bytes from the first note containing ``start`` up to the
    note containing ``end`` (or the end of the file)."""
    out: list[bytes] = []
    on = False
    for step in read_steps(path):
        text = getattr(step, "text", None)
        if text is not None:
            if not on and start in text:
                on = True
            elif on and end is not None and end in text:
                break
        elif on and isinstance(step, Received):
            out.append(step.data)
    return b"".join(out)


def rewrite_action_id(data: bytes, old: str, new: str) -> bytes:
    return data.replace(f"ActionID: {old}\r\n".encode(), f"ActionID: {new}\r\n".encode())


def _list_reply(action_id: str, message: str, complete: str, items: list[bytes]) -> bytes:
    head = f"Response: Success\r\nActionID: {action_id}\r\nEventList: start\r\nMessage: {message}\r\n\r\n".encode()
    tail = f"Event: {complete}\r\nActionID: {action_id}\r\nEventList: Complete\r\nListItems: {len(items)}\r\n\r\n"
    return head + b"".join(items) + tail.encode()


@dataclass
class FakeAmi:
    """A scripted AMI server on 127.0.0.1.

    Attributes:
        secret: The secret Login must carry.
        startup: ``CoreStartupTime`` (change it to play a restart).
        channels: ``CoreShowChannel`` event bodies (no ``ActionID``, no
            trailing blank line) listed by CoreShowChannels.
        scripts: Action name -> queued replies (each a list of Reply items).
        actions: Every action received, as header dicts.
        banner: Send the banner on connect (False: close at once, as a
            restarting Asterisk did).
    """

    secret: str = "secret"
    startup: str = "08:57:38"
    channels: list[bytes] = field(default_factory=list)
    scripts: dict[str, deque[list[Reply]]] = field(default_factory=dict)
    actions: list[dict[str, str]] = field(default_factory=list)
    banner: bool = True
    cut_list_after: int | None = None
    """Close the connection after this many CoreShowChannel items (once)."""
    handlers: dict[str, Callable[[dict[str, str]], list[Reply]]] = field(default_factory=dict)
    _server: asyncio.base_events.Server | None = None
    _writers: list[asyncio.StreamWriter] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)
    connections: int = 0
    logins: int = 0

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self.port

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        self.kill()
        if self._server is not None:
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    def kill(self) -> None:
        """Drop every connection at once."""
        for writer in self._writers:
            writer.transport.abort()
        self._writers.clear()

    def push(self, data: bytes) -> None:
        """Send bytes to every connected client."""
        for writer in self._writers:
            writer.write(data)

    def script(self, action: str, *replies: Reply) -> None:
        """Queue one reply (a sequence of items) for the next ``action``."""
        self.scripts.setdefault(action, deque()).append(list(replies))

    def script_recorded(self, path: Path, action: str, nth: int = 0, **match: str) -> None:
        """Queue the recorded reply to an action (``ActionID`` rewritten)."""
        rec = reply_to(path, action, nth, **match)
        self.scripts.setdefault(action, deque()).append([("rewrite", rec.action_id, rec.reply)])

    async def wait_for_action(self, action: str, count: int = 1, timeout: float = 5.0) -> None:
        async def seen() -> None:
            while sum(1 for a in self.actions if a.get("Action") == action) < count:
                await asyncio.sleep(0.01)

        await asyncio.wait_for(seen(), timeout)

    # --- serving ------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        try:
            if not self.banner:
                writer.transport.abort()
                return
            self._writers.append(writer)
            writer.write(BANNER)
            while True:
                try:
                    raw = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                headers: dict[str, str] = {}
                for line in raw.decode().split("\r\n"):
                    key, sep, value = line.partition(": ")
                    if sep and key not in headers:
                        headers[key] = value
                self.actions.append(headers)
                for item in self._reply(headers):
                    if item is CLOSE:
                        await writer.drain()
                        writer.transport.abort()
                        return
                    if isinstance(item, float):
                        await writer.drain()
                        await asyncio.sleep(item)
                    elif isinstance(item, bytes):
                        writer.write(item)
                    elif isinstance(item, tuple):
                        _, old, data = item
                        writer.write(rewrite_action_id(data, old, headers.get("ActionID", "")))
                await writer.drain()
        except ConnectionError:
            return
        finally:
            if writer in self._writers:
                self._writers.remove(writer)
            self._tasks.discard(task)

    def _reply(self, headers: dict[str, str]) -> list[Reply]:
        action = headers.get("Action", "")
        aid = headers.get("ActionID", "")
        queued = self.scripts.get(action)
        if queued:
            return queued.popleft()
        if action in self.handlers:
            return self.handlers[action](headers)
        if action == "Login":
            if headers.get("Secret") != self.secret:
                rec = reply_to(fixture("ami-01b"), "Login", 0)
                return [0.05, ("rewrite", rec.action_id, rec.reply), CLOSE]
            self.logins += 1
            rec = reply_to(fixture("ami-01-"), "Login")
            return [("rewrite", rec.action_id, rec.reply)]
        if action == "Ping":
            rec = reply_to(fixture("ami-01-"), "Ping", 0)
            return [("rewrite", rec.action_id, rec.reply)]
        if action == "CoreStatus":
            rec = reply_to(fixture("ami-01-"), "CoreStatus")
            return [("rewrite", rec.action_id, rec.reply.replace(b"08:57:38", self.startup.encode()))]
        if action == "CoreShowChannels":
            items = [c + f"\r\nActionID: {aid}\r\n\r\n".encode() for c in self.channels]
            if self.cut_list_after is not None:
                cut, self.cut_list_after = self.cut_list_after, None
                head = f"Response: Success\r\nActionID: {aid}\r\nEventList: start\r\nMessage: Channels will follow\r\n\r\n"
                return [head.encode(), *items[:cut], 0.05, CLOSE]
            return [_list_reply(aid, "Channels will follow", "CoreShowChannelsComplete", items)]
        if action == "DeviceStateList":
            item = f"Event: DeviceStateChange\r\nActionID: {aid}\r\nDevice: PJSIP/1001\r\nState: NOT_INUSE\r\n\r\n"
            return [_list_reply(aid, "Device State Changes will follow", "DeviceStateListComplete", [item.encode()])]
        if action == "Logoff":
            return [f"Response: Goodbye\r\nActionID: {aid}\r\nMessage: Thanks for all the fish.\r\n\r\n".encode(), CLOSE]
        return [f"Response: Error\r\nActionID: {aid}\r\nMessage: Invalid/unknown command: {action}.\r\n\r\n".encode()]


def core_show_channel(path: Path, uniqueid: str) -> bytes:
    """A recorded CoreShowChannel body for ``uniqueid`` (ActionID removed)."""
    for rec in recorded(path):
        for block in rec.reply.split(b"\r\n\r\n"):
            if block.startswith(b"Event: CoreShowChannel\r\n") and f"Uniqueid: {uniqueid}\r\n".encode() in block + b"\r\n":
                lines = [line for line in block.split(b"\r\n") if not line.startswith(b"ActionID: ")]
                return b"\r\n".join(lines)
    raise AssertionError(f"no CoreShowChannel for {uniqueid}")


# --- FastAGI ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AgiScript:
    """A recorded FastAGI session: the environment and each command's reply."""

    env: bytes
    exchanges: tuple[tuple[str, bytes], ...]

    @classmethod
    def load(cls, path: Path) -> AgiScript:
        steps: list[Step] = connections(path)[0]
        env = b""
        exchanges: list[tuple[str, bytes]] = []
        command: str | None = None
        replies: list[bytes] = []
        for step in steps:
            if isinstance(step, Sent):
                if command is not None:
                    exchanges.append((command, b"".join(replies)))
                command, replies = step.lines[0], []
            elif isinstance(step, Received):
                if command is None:
                    env += step.data
                else:
                    replies.append(step.data)
        if command is not None:
            exchanges.append((command, b"".join(replies)))
        return cls(env, tuple(exchanges))

    def replies_by_verb(self) -> dict[str, bytes]:
        """The first recorded reply per command verb (``STREAM FILE``)."""
        out: dict[str, bytes] = {}
        for command, reply in self.exchanges:
            out.setdefault(verb(command), reply)
        return out


def verb(command: str) -> str:
    words = command.split()
    two = " ".join(words[:2])
    if two in ("STREAM FILE", "WAIT FOR", "GET DATA", "SET VARIABLE", "GET VARIABLE", "CHANNEL STATUS",
               "SAY DIGITS", "DATABASE PUT", "DATABASE GET", "GET FULL", "SET CONTEXT", "SET EXTENSION"):
        return " ".join(words[:3]) if two in ("WAIT FOR", "GET FULL") else two
    return words[0] if words else ""


class FakeAsteriskAgi:
    """Plays Asterisk's side of a FastAGI session.

    Args:
        script: The recorded session.
        strict: Answer the i-th command with the i-th recorded reply (and
            note mismatches); otherwise answer by command verb.
        replies: Extra or overriding replies by verb.
        env: Overrides for ``agi_*`` values in the environment.
    """

    def __init__(
        self,
        script: AgiScript,
        *,
        strict: bool = True,
        replies: dict[str, bytes] | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.script = script
        self.strict = strict
        self.by_verb = {**script.replies_by_verb(), **(replies or {})}
        self.env_overrides = env or {}
        self.commands: list[str] = []
        self.mismatches: list[tuple[str, str]] = []
        self.closed_by_server = False

    def _env(self) -> bytes:
        lines = self.script.env.decode().split("\n")
        out = []
        for line in lines:
            key, sep, _ = line.partition(": ")
            if sep and key in self.env_overrides:
                out.append(f"{key}: {self.env_overrides[key]}")
            else:
                out.append(line)
        return "\n".join(out).encode()

    async def run(self, port: int, *, hang_up_after: int | None = None) -> list[str]:
        """Connect, send the environment, answer until the server closes.

        Args:
            port: The FastAGI server's port on 127.0.0.1.
            hang_up_after: Close the socket after this many commands (a
                caller hanging up with no AGI-side notice).
        """
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(self._env())
        await writer.drain()
        try:
            while True:
                if hang_up_after is not None and len(self.commands) >= hang_up_after:
                    break
                raw = await reader.readline()
                if not raw:
                    self.closed_by_server = True
                    break
                command = raw.decode().rstrip("\n")
                index = len(self.commands)
                self.commands.append(command)
                writer.write(self._answer(index, command))
                await writer.drain()
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
        return self.commands

    def _answer(self, index: int, command: str) -> bytes:
        if self.strict and index < len(self.script.exchanges):
            expected, reply = self.script.exchanges[index]
            if expected != command:
                self.mismatches.append((expected, command))
            return reply
        return self.by_verb.get(verb(command), b"510 Invalid or unknown command\n")
