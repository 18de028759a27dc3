"""FastAGI: the dialplan hands a call to us (``AGI(agi://host:4573/ivr)``)
and we drive it with AGI commands until we let it go back to the dialplan.

The server is panoramisk's :class:`~panoramisk.fast_agi.Application` (its
route table keyed by ``agi_network_script``, and its ``Request`` with the
``agi_*`` environment), with two things done differently, both seen in the
captures:

* the environment is read with ``readuntil`` so that a peer that connects
  and closes before the empty line ends the connection; panoramisk's loop
  on ``read(100)`` spins forever on EOF;
* replies are read by a per-session reader task, not by the command that
  waits for them: Asterisk writes ``HANGUP`` *between* a command and its
  reply when the caller hangs up (agi-02), and a bad-usage reply is a
  ``520-`` block of several lines ending with ``520 End of proper usage.``
  (agi-01). Reading one line per command, as panoramisk's
  ``Request.send_command`` does, takes ``HANGUP`` for the reply and is one
  reply behind from then on.

A session lives as long as the AGI application runs on the channel: until we
close it (the dialplan goes on), the channel leaves (``Redirect`` or
``Bridge`` over AMI, a hangup), or the socket closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from panoramisk.fast_agi import Application

from callcenter.telephony.asterisk.errors import AgiCommandFailed, AgiHangup

_log = logging.getLogger(__name__)

MAX_ENV = 64 * 1024
"""Bytes allowed for the ``agi_*`` environment block."""

_KV = re.compile(r"(\w+)=(\S*)")


@dataclass(frozen=True, slots=True)
class AgiReply:
    """One reply to an AGI command.

    Attributes:
        code: 200 on success (5xx are raised as errors).
        result: The text after ``result=`` (``"1"``, ``"-1"``, ``"23"``, ``""``).
        data: The text in parentheses (``yes`` in ``result=1 (yes)``,
            ``timeout`` in ``result=23 (timeout)``), or None.
        extra: Further ``key=value`` pairs (``endpos``).
        line: The reply as received.
    """

    code: int
    result: str
    data: str | None
    extra: tuple[tuple[str, str], ...]
    line: str

    @property
    def value(self) -> int | None:
        """``result`` as an int, or None when it is not a number."""
        try:
            return int(self.result)
        except ValueError:
            return None

    def get(self, key: str) -> str | None:
        """An ``extra`` value (``endpos``)."""
        for k, v in self.extra:
            if k == key:
                return v
        return None


def parse_reply(line: str) -> AgiReply:
    """Parse a ``200 result=...`` line.

    Args:
        line: One reply line without its LF.

    Returns:
        The reply; a line that is not ``NNN ...`` gets code 0.
    """
    if not (line[:3].isdigit() and line[3:4] in ("", " ", "-")):
        return AgiReply(0, "", None, (), line)
    code = int(line[:3])
    rest = line[4:]
    result = ""
    data: str | None = None
    if rest.startswith("result="):
        value, _, tail = rest[7:].partition(" ")
        result = value
        if tail.startswith("("):
            close = tail.rfind(")")
            if close > 0:
                data = tail[1:close]
                tail = tail[close + 1 :]
        rest = tail
    return AgiReply(code, result, data, tuple(_KV.findall(rest)), line)


def quote(text: str) -> str:
    """An AGI argument in double quotes (prompts, variable values).

    Raises:
        ValueError: ``text`` contains a line break (it would end the command).
    """
    if "\n" in text or "\r" in text:
        raise ValueError("an AGI argument may not contain a line break")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


class AgiSession:
    """One channel's FastAGI session.

    Args:
        env: The ``agi_*`` environment Asterisk sent.
        reader: The socket's reader (after the environment).
        writer: The socket's writer.
    """

    def __init__(self, env: Mapping[str, str], reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.env = dict(env)
        self._reader = reader
        self._writer = writer
        self._replies: asyncio.Queue[list[str] | None] = asyncio.Queue()
        self._lock = asyncio.Lock()
        self.hung_up = False
        """Asterisk said ``HANGUP``, a command got 511, or the socket closed."""
        self.finished = asyncio.Event()
        """Set when the session is over (closed by us or by Asterisk)."""
        self._pump = asyncio.create_task(self._read_replies(), name=f"agi-{self.channel_id}")

    @property
    def channel_id(self) -> str:
        """The channel's ``Uniqueid`` (``agi_uniqueid``)."""
        return self.env.get("agi_uniqueid", "")

    @property
    def channel_name(self) -> str:
        """``agi_channel`` (``PJSIP/trunk-00000000``)."""
        return self.env.get("agi_channel", "")

    @property
    def script(self) -> str:
        """``agi_network_script`` (the path in the AGI URL)."""
        return self.env.get("agi_network_script", "")

    async def _read_replies(self) -> None:
        try:
            while True:
                raw = await self._reader.readline()
                if not raw:
                    break
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                if line == "HANGUP":
                    self.hung_up = True
                    if not self._lock.locked():
                        # Nobody is talking to the channel: let the AGI end now
                        # (a command in flight still gets its reply first).
                        self._writer.close()
                    continue
                if line.startswith("100 "):
                    continue  # "Trying...": the real reply follows
                if line[:4].endswith("-") and line[:3].isdigit():
                    block = [line]
                    end = line[:3] + " "
                    while True:
                        more = await self._reader.readline()
                        if not more:
                            break
                        text = more.decode("utf-8", "replace").rstrip("\r\n")
                        block.append(text)
                        if text.startswith(end):
                            break
                    self._replies.put_nowait(block)
                    continue
                self._replies.put_nowait([line])
        except (ConnectionError, OSError):
            pass
        finally:
            self.hung_up = True
            self._replies.put_nowait(None)
            self.finished.set()

    async def command(self, command: str, timeout: float | None = None) -> AgiReply:
        """Run one AGI command and return its reply.

        Args:
            command: The command line (``STREAM FILE welcome ""``), no LF.
            timeout: Seconds to wait for the reply (None: as long as it takes;
                ``WAIT FOR DIGIT -1`` blocks until a key).

        Raises:
            AgiHangup: The session is over, or Asterisk answered 511 (dead
                channel).
            AgiCommandFailed: 510 (unknown command) or 520 (bad usage).
            ValueError: ``command`` contains a line break.
        """
        if "\n" in command or "\r" in command:
            raise ValueError("an AGI command is one line")
        async with self._lock:
            if self.finished.is_set():
                raise AgiHangup(f"AGI session of {self.channel_id} is over; {command.split(' ', 1)[0]} not sent")
            try:
                self._writer.write(command.encode("utf-8") + b"\n")
                await self._writer.drain()
            except (ConnectionError, OSError) as exc:
                raise AgiHangup(f"AGI socket of {self.channel_id} closed: {exc}") from None
            try:
                block = await asyncio.wait_for(self._replies.get(), timeout)
            except asyncio.TimeoutError:
                # A late reply would answer the next command: end the session instead.
                await self.close()
                raise AgiHangup(
                    f"AGI {command.split(' ', 1)[0]} on {self.channel_id} got no reply in {timeout:g} s; session closed"
                ) from None
        if block is None:
            self._replies.put_nowait(None)  # later commands see the end too
            raise AgiHangup(f"AGI session of {self.channel_id} ended during {command.split(' ', 1)[0]}")
        reply = parse_reply(block[0])
        if reply.code == 200:
            return reply
        text = "\n".join([block[0][4:], *block[1:]])
        if reply.code == 511:
            self.hung_up = True
            raise AgiHangup(f"{command.split(' ', 1)[0]} on dead channel {self.channel_id}: {text}")
        raise AgiCommandFailed(command, reply.code, text)

    async def channel_alive(self) -> bool:
        """Whether the channel is still there (after an ambiguous ``-1``):
        ``CHANNEL STATUS`` answers 511 on a dead channel."""
        if self.hung_up or self.finished.is_set():
            return False
        try:
            await self.command("CHANNEL STATUS", timeout=5.0)
        except (AgiHangup, asyncio.TimeoutError):
            return False
        return not self.hung_up

    async def close(self) -> None:
        """End the session: the AGI application returns and the dialplan goes on."""
        if not self._writer.is_closing():
            self._writer.close()
        with contextlib.suppress(Exception):
            await self._writer.wait_closed()
        self._pump.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._pump
        self.finished.set()


SessionHandler = Callable[[AgiSession], Awaitable[None]]


class _Application(Application):  # type: ignore[misc]  # panoramisk is untyped
    """panoramisk's Application with an environment read that survives EOF."""

    async def handler(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            raw = await reader.readuntil(b"\n\n")
        except asyncio.IncompleteReadError:
            _log.warning("FastAGI: peer closed before sending its environment")
            writer.close()
            return
        except asyncio.LimitOverrunError:
            _log.warning("FastAGI: environment block too long; closing")
            writer.close()
            return
        except (ConnectionError, OSError) as exc:
            _log.warning("FastAGI: connection error while reading the environment: %s", exc)
            writer.close()
            return
        headers: dict[str, str] = {}
        for line in raw.decode(self.default_encoding, "replace").split("\n"):
            key, sep, value = line.partition(": ")
            if sep:
                headers[key] = value
            elif line.endswith(":"):
                headers[line[:-1]] = ""  # "agi_accountcode: " may lose its space
        script = headers.get("agi_network_script")
        route: Any = self._route.get(script) if script is not None else None
        if route is None:
            _log.error("FastAGI: no route for script %r (channel %s)", script, headers.get("agi_channel"))
            writer.close()
            return
        try:
            await route(_Request(headers, reader, writer))
        except Exception:
            _log.exception("FastAGI: script %r failed", script)
        finally:
            writer.close()


@dataclass(frozen=True, slots=True)
class _Request:
    headers: dict[str, str]
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter


class FastAgiServer:
    """The FastAGI listener and its live sessions, by channel id.

    Args:
        host: Address to bind (one Asterisk can reach).
        port: Port to bind (4573 is FastAGI's; 0 picks a free one).
        scripts: The ``agi_network_script`` names served (the path in
            ``agi://host:port/<script>``).
        on_session: Awaited for every new session; when it returns the
            session is closed (the call goes back to the dialplan). Without
            one, a session stays open until :meth:`AgiSession.close`, the
            channel leaves, or :meth:`stop`.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 4573,
        *,
        scripts: tuple[str, ...] = ("ivr",),
        on_session: SessionHandler | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.scripts = scripts
        self._on_session = on_session
        self._server: asyncio.base_events.Server | None = None
        self._sessions: dict[str, AgiSession] = {}
        self._waiters: dict[str, list[asyncio.Future[AgiSession]]] = {}

    @property
    def bound_port(self) -> int:
        """The port actually bound (useful with port 0)."""
        if self._server is None or not self._server.sockets:
            return self.port
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        """Bind and start accepting Asterisk's connections."""
        if self._server is not None:
            return
        app = _Application(default_encoding="utf-8", loop=asyncio.get_running_loop())
        for script in self.scripts:
            app.add_route(script, self._serve)
        self._server = await asyncio.start_server(app.handler, self.host, self.port, limit=MAX_ENV)
        _log.info("FastAGI listening on %s:%d for %s", self.host, self.bound_port, ", ".join(self.scripts))

    async def stop(self) -> None:
        """Stop listening and close every session."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
        for session in list(self._sessions.values()):
            await session.close()
        if server is not None:
            await server.wait_closed()
        for waiters in self._waiters.values():
            for waiter in waiters:
                if not waiter.done():
                    waiter.cancel()
        self._waiters.clear()

    def sessions(self) -> tuple[AgiSession, ...]:
        """Every live session."""
        return tuple(s for s in self._sessions.values() if not s.finished.is_set())

    def get(self, channel_id: str) -> AgiSession | None:
        """The live session of a channel, if any."""
        session = self._sessions.get(channel_id)
        return session if session is not None and not session.finished.is_set() else None

    async def session_for(self, channel_id: str, timeout: float) -> AgiSession | None:
        """The channel's session, waiting up to ``timeout`` for it to connect
        (the dialplan reaches ``AGI()`` a moment after the channel appears)."""
        session = self.get(channel_id)
        if session is not None or timeout <= 0:
            return session
        waiter: asyncio.Future[AgiSession] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(channel_id, []).append(waiter)
        try:
            return await asyncio.wait_for(waiter, timeout)
        except (asyncio.TimeoutError, asyncio.CancelledError):
            return None
        finally:
            waiters = self._waiters.get(channel_id)
            if waiters is not None and waiter in waiters:
                waiters.remove(waiter)
                if not waiters:
                    del self._waiters[channel_id]

    async def _serve(self, request: _Request) -> None:
        session = AgiSession(request.headers, request.reader, request.writer)
        channel_id = session.channel_id
        previous = self._sessions.get(channel_id)
        if previous is not None:
            await previous.close()  # AGI() run again by the dialplan: the new session wins
        self._sessions[channel_id] = session
        _log.debug("FastAGI session for %s (%s) script %s", channel_id, session.channel_name, session.script)
        for waiter in self._waiters.pop(channel_id, []):
            if not waiter.done():
                waiter.set_result(session)
        try:
            if self._on_session is not None:
                await self._on_session(session)
            else:
                await session.finished.wait()
        finally:
            await session.close()
            if self._sessions.get(channel_id) is session:
                del self._sessions[channel_id]
