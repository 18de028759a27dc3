"""The AMI connection: login, actions, list actions, events, reconnect.

One :class:`AmiClient` holds one TCP connection to one Asterisk and keeps it
up: when it drops (network, ``core restart``, a missed keepalive) the client
reconnects with exponential backoff and logs in again, and tells its owner
through ``on_connected`` / ``on_disconnected`` so that the owner can resync.

Why not panoramisk's ``Manager`` (the FastAGI side does use panoramisk):
its reconnect delay is fixed, a refused login only leaves
``authenticated = False`` behind, an action whose list was cut by a
disconnect waits forever, and its per-message case-insensitive dicts cost
more than the whole of this parser. The wire details it handles are all
here too, checked against real captures.

Actions are correlated by ``ActionID``. A list action (``CoreShowChannels``)
answers ``Response: Success`` / ``EventList: start``, then item events with
the same ``ActionID``, then a ``...Complete`` event; :meth:`AmiClient.list_action`
returns the items. Every action waits at most ``action_timeout``; a
connection lost mid-action fails it with ``SwitchNotConnected`` (it is
never silently re-sent: a ``Redirect`` re-sent a minute later is wrong).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from callcenter.telephony.asterisk.errors import AmiLoginFailed, AmiTimeout
from callcenter.telephony.asterisk.events import AmiEvent, Shutdown, note_unknown, translate
from callcenter.telephony.asterisk.protocol import BANNER_PREFIX, AmiMessage, AmiParser, encode_action
from callcenter.telephony.port import CommandFailed, SwitchNotConnected

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AmiSettings:
    """Where and how to reach AMI.

    Attributes:
        host: Asterisk's address.
        port: The AMI port (``manager.conf`` ``port``, 5038).
        username: The ``[user]`` section in ``manager.conf``.
        secret: Its ``secret``.
        connect_timeout: Seconds for TCP connect plus banner.
        login_timeout: Seconds for the Login response (a refused login
            takes Asterisk about one second).
        action_timeout: Seconds an action (or a whole list) may take.
        ping_interval: Seconds between keepalive Pings; 0 disables them.
        backoff_initial: First reconnect delay in seconds.
        backoff_max: Longest reconnect delay.
        backoff_factor: Growth of the delay per failed attempt.
        jitter: Random spread of each delay, as a fraction (0.1 = ±10 %),
            so that several nodes do not reconnect in lockstep.
        start_timeout: How long :meth:`AmiClient.start` keeps trying.
    """

    host: str = "127.0.0.1"
    port: int = 5038
    username: str = "callcenter"
    secret: str = ""
    connect_timeout: float = 5.0
    login_timeout: float = 5.0
    action_timeout: float = 10.0
    ping_interval: float = 20.0
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    backoff_factor: float = 2.0
    jitter: float = 0.1
    start_timeout: float = 15.0

    @property
    def address(self) -> str:
        """``host:port``."""
        return f"{self.host}:{self.port}"

    @classmethod
    def from_url(cls, url: str) -> AmiSettings:
        """Settings from ``tcp://user:secret@host:5038`` (other fields at
        their defaults; change them with ``dataclasses.replace``).

        Args:
            url: The AMI address with credentials (percent-encoded).

        Raises:
            ValueError: Not a ``tcp://`` URL or no user in it.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("tcp", "ami") or not parts.hostname or not parts.username:
            raise ValueError(f"expected tcp://user:secret@host:port, got {url!r}")
        return cls(
            host=parts.hostname,
            port=parts.port or 5038,
            username=unquote(parts.username),
            secret=unquote(parts.password or ""),
        )


class _Pending:
    """An action waiting for its response (and, for a list, its items)."""

    __slots__ = ("action", "future", "is_list", "items", "response")

    def __init__(self, action: str, is_list: bool, future: asyncio.Future[tuple[AmiMessage, list[AmiMessage]]]) -> None:
        self.action = action
        self.is_list = is_list
        self.future = future
        self.items: list[AmiMessage] = []
        self.response: AmiMessage | None = None

    def take(self, message: AmiMessage) -> tuple[bool, bool]:
        """Offer a message with this action's id: (consumed, finished)."""
        headers = message.headers
        if "Response" in headers:
            self.response = message
            if not self.is_list or headers["Response"] != "Success" or headers.get("EventList") != "start":
                self._finish()
                return True, True
            return True, False
        if not self.is_list or self.response is None:
            # An event that merely carries our id (OriginateResponse): not ours.
            return False, False
        if headers.get("EventList") == "Complete":
            self._finish()
            return True, True
        self.items.append(message)
        return True, False

    def _finish(self) -> None:
        if not self.future.done() and self.response is not None:
            self.future.set_result((self.response, self.items))


EventHandler = Callable[[AmiEvent], None]
ConnectedHandler = Callable[[], Awaitable[None]]
DisconnectedHandler = Callable[[str], None]


class AmiClient:
    """A self-healing AMI connection.

    Args:
        settings: Where to connect and the timing knobs.
        on_event: Called with every typed event, in wire order, from the
            reader task (it must not block; an exception is logged and the
            connection stays up).
        on_connected: Awaited after every successful login (the first one
            included), with the reader already running: resync here.
        on_disconnected: Called with a reason when an established
            connection is lost.
        wanted: Event names to parse and translate (others are skipped
            unparsed); None means every event :func:`translate` knows.
        variables: ``VarSet`` variables to pass on (names, or prefixes
            ending in ``*``).
    """

    def __init__(
        self,
        settings: AmiSettings,
        *,
        on_event: EventHandler,
        on_connected: ConnectedHandler | None = None,
        on_disconnected: DisconnectedHandler | None = None,
        wanted: frozenset[str] | None = None,
        variables: tuple[str, ...] = (),
    ) -> None:
        from callcenter.telephony.asterisk.events import KNOWN_EVENTS

        self.settings = settings
        self._on_event = on_event
        self._on_connected = on_connected
        self._on_disconnected = on_disconnected
        self._parser = AmiParser(wanted if wanted is not None else KNOWN_EVENTS - {"VarSet"}, variables)
        self._parser.on_skip = note_unknown
        self._pending: dict[str, _Pending] = {}
        self._lists = 0
        self._prefix = f"cc-{uuid.uuid4().hex[:8]}-"
        self._ids = itertools.count(1)
        self._writer: asyncio.StreamWriter | None = None
        self._logged_in = False
        self._stopping = False
        self._supervisor: asyncio.Task[None] | None = None
        self._reader_task: asyncio.Task[str] | None = None
        self._pinger: asyncio.Task[None] | None = None
        self.version: str | None = None
        self.shutdown: Shutdown | None = None
        """The last ``Shutdown`` event of the current connection, if any."""
        self.connections = 0
        """Successful logins so far."""

    # --- lifecycle ----------------------------------------------------------

    @property
    def connected(self) -> bool:
        """Logged in and reading."""
        return self._logged_in

    async def start(self) -> None:
        """Connect and log in, retrying with backoff up to ``start_timeout``.

        Returns once logged in; the connection is then kept up in the
        background until :meth:`stop`.

        Raises:
            AmiLoginFailed: Asterisk refused the credentials.
            SwitchNotConnected: Asterisk could not be reached in time.
        """
        if self._supervisor is not None:
            return
        self._stopping = False
        first: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._supervisor = asyncio.create_task(self._supervise(first), name="ami-supervisor")
        try:
            await asyncio.wait_for(asyncio.shield(first), self.settings.start_timeout)
        except asyncio.TimeoutError:
            await self.stop()
            raise SwitchNotConnected(
                f"AMI at {self.settings.address} not reachable within {self.settings.start_timeout:g} s"
            ) from None
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Log off and close; no reconnect follows."""
        self._stopping = True
        if self._logged_in and self._writer is not None:
            try:
                await self.action("Logoff", timeout=1.0)
            except Exception:  # best effort on the way out
                pass
        tasks: list[asyncio.Task[None] | asyncio.Task[str] | None] = [self._pinger, self._supervisor]
        for task in tasks:
            if task is not None and not task.done():
                task.cancel()
        self._close_transport()
        tasks.append(self._reader_task)
        for task in tasks:
            if task is not None:
                try:
                    await task
                except (asyncio.CancelledError, Exception):
                    pass
        self._pinger = self._supervisor = self._reader_task = None
        self._fail_pending("AMI client stopped")
        self._logged_in = False

    def drop_connection(self) -> None:
        """Abort the current connection (a reconnect follows), e.g. after a
        keepalive went unanswered."""
        self._close_transport()

    async def _supervise(self, first: asyncio.Future[None]) -> None:
        settings = self.settings
        delay = settings.backoff_initial
        attempt = 0
        while not self._stopping:
            attempt += 1
            try:
                await self._open_and_login()
            except AmiLoginFailed as exc:
                if not first.done():
                    first.set_exception(exc)
                    return
                _log.error("%s; retrying", exc)
            except (OSError, EOFError, asyncio.TimeoutError, SwitchNotConnected) as exc:
                _log.warning("AMI connect to %s failed (attempt %d): %s", settings.address, attempt, exc or type(exc).__name__)
            else:
                attempt = 0
                delay = settings.backoff_initial
                if not first.done():
                    first.set_result(None)
                reason = await self._serve()
                if self._stopping:
                    return
                _log.warning("AMI connection to %s lost: %s", settings.address, reason)
                if self._on_disconnected is not None:
                    try:
                        self._on_disconnected(reason)
                    except Exception:
                        _log.exception("AMI on_disconnected handler failed")
            if self._stopping:
                return
            spread = 1.0 + settings.jitter * (2.0 * random.random() - 1.0)
            await asyncio.sleep(max(0.0, delay * spread))
            delay = min(settings.backoff_max, delay * settings.backoff_factor)

    async def _open_and_login(self) -> None:
        settings = self.settings
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(settings.host, settings.port), settings.connect_timeout
        )
        try:
            banner = await asyncio.wait_for(reader.readline(), settings.connect_timeout)
            if not banner:
                raise EOFError("connection closed before the AMI banner")
            text = banner.decode("utf-8", "replace").strip()
            if not text.startswith(BANNER_PREFIX):
                _log.warning("AMI: unexpected banner %.80r", text)
            else:
                self.version = text[len(BANNER_PREFIX) :]
            self._writer = writer
            self.shutdown = None
            self._reader_task = asyncio.create_task(self._read_loop(reader), name="ami-reader")
            response = await self._request(
                "Login",
                {"Username": settings.username, "Secret": settings.secret, "Events": "on"},
                timeout=settings.login_timeout,
                check=False,
            )
            if response.headers.get("Response") != "Success":
                raise AmiLoginFailed(settings.username, settings.address, response.get("Message", "refused"))
        except BaseException:
            self._close_transport()
            writer.close()
            if self._reader_task is not None:
                try:
                    await self._reader_task
                except (asyncio.CancelledError, Exception):
                    pass
                self._reader_task = None
            raise
        self._logged_in = True
        self.connections += 1
        _log.info("AMI logged in to %s as %s (protocol %s)", settings.address, settings.username, self.version)

    async def _serve(self) -> str:
        """Run one logged-in connection until it ends; return why it ended."""
        assert self._reader_task is not None
        if self.settings.ping_interval > 0:
            self._pinger = asyncio.create_task(self._keepalive(), name="ami-keepalive")
        if self._on_connected is not None:
            try:
                await self._on_connected()
            except SwitchNotConnected as exc:
                _log.warning("AMI resync cut short: %s", exc)
            except Exception:
                _log.exception("AMI on_connected handler failed")
        try:
            reason = await self._reader_task
        except asyncio.CancelledError:
            reason = "cancelled"
        self._reader_task = None
        self._logged_in = False
        if self._pinger is not None:
            self._pinger.cancel()
            try:
                await self._pinger
            except (asyncio.CancelledError, Exception):
                pass
            self._pinger = None
        self._close_transport()
        self._fail_pending(f"AMI connection lost ({reason})")
        return reason

    async def _keepalive(self) -> None:
        while True:
            await asyncio.sleep(self.settings.ping_interval)
            try:
                await self.action("Ping")
            except AmiTimeout:
                _log.warning("AMI keepalive unanswered; dropping the connection")
                self.drop_connection()
                return
            except SwitchNotConnected:
                return

    def _close_transport(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            writer.close()

    # --- reading ------------------------------------------------------------

    async def _read_loop(self, reader: asyncio.StreamReader) -> str:
        parser = self._parser
        parser.reset()
        route = self._route
        try:
            while True:
                chunk = await reader.read(65536)
                if not chunk:
                    if self.shutdown is not None:
                        return f"Asterisk shut down ({'restart' if self.shutdown.restart else 'stop'})"
                    return "connection closed by Asterisk"
                for message in parser.feed(chunk):
                    route(message)
        except (ConnectionError, OSError) as exc:
            return f"connection error: {exc}"
        finally:
            dropped = parser.reset()
            if dropped:
                _log.warning("AMI: dropped a truncated message (%d bytes) at disconnect", dropped)

    def _route(self, message: AmiMessage) -> None:
        headers = message.headers
        action_id = headers.get("ActionID")
        if action_id is not None and action_id in self._pending:
            pending = self._pending[action_id]
            consumed, finished = pending.take(message)
            if finished:
                del self._pending[action_id]
                if pending.is_list:
                    self._lists -= 1
                    self._parser.tagged = self._lists > 0
            if consumed:
                return
        if "Event" not in headers:
            _log.debug("AMI: response for no pending action: %r", message)
            return
        event = translate(message)
        if event is None:
            return
        if type(event) is Shutdown:
            self.shutdown = event
        try:
            self._on_event(event)
        except Exception:
            _log.exception("AMI event handler failed on %s", event.name)

    # --- actions ------------------------------------------------------------

    async def action(
        self, name: str, fields: Mapping[str, str | Sequence[str]] | None = None, *, timeout: float | None = None
    ) -> AmiMessage:
        """Send an action and return its response.

        Args:
            name: The action (``Redirect``).
            fields: Its headers (``ActionID`` is added).
            timeout: Seconds to wait; default ``action_timeout``.

        Raises:
            SwitchNotConnected: Not logged in, or the connection dropped.
            CommandFailed: ``Response: Error``.
            AmiTimeout: No response in time.
        """
        self._require_login(name)
        return await self._request(name, fields, timeout=timeout)

    async def list_action(
        self, name: str, fields: Mapping[str, str | Sequence[str]] | None = None, *, timeout: float | None = None
    ) -> list[AmiMessage]:
        """Send a list action and return its item events (the ``...Complete``
        event excluded).

        Raises:
            SwitchNotConnected: Not logged in, or the connection dropped
                before the list completed.
            CommandFailed: ``Response: Error``.
            AmiTimeout: The list did not complete in time.
        """
        self._require_login(name)
        _, items = await self._exchange(name, fields, timeout, is_list=True, check=True)
        return items

    def _require_login(self, name: str) -> None:
        if not self._logged_in or self._writer is None:
            raise SwitchNotConnected(f"AMI not connected; {name} not sent")

    async def _request(
        self,
        name: str,
        fields: Mapping[str, str | Sequence[str]] | None,
        *,
        timeout: float | None,
        check: bool = True,
    ) -> AmiMessage:
        response, _ = await self._exchange(name, fields, timeout, is_list=False, check=check)
        return response

    async def _exchange(
        self,
        name: str,
        fields: Mapping[str, str | Sequence[str]] | None,
        timeout: float | None,
        *,
        is_list: bool,
        check: bool,
    ) -> tuple[AmiMessage, list[AmiMessage]]:
        writer = self._writer
        if writer is None:
            raise SwitchNotConnected(f"AMI not connected; {name} not sent")
        action_id = f"{self._prefix}{next(self._ids)}"
        future: asyncio.Future[tuple[AmiMessage, list[AmiMessage]]] = asyncio.get_running_loop().create_future()
        pending = _Pending(name, is_list, future)
        self._pending[action_id] = pending
        if is_list:
            self._lists += 1
            self._parser.tagged = True
        wait = self.settings.action_timeout if timeout is None else timeout
        try:
            writer.write(encode_action(name, action_id, fields))
            response, items = await asyncio.wait_for(future, wait)
        except asyncio.TimeoutError:
            raise AmiTimeout(name, wait) from None
        finally:
            if self._pending.pop(action_id, None) is not None and is_list:
                self._lists -= 1
                self._parser.tagged = self._lists > 0
        if check and response.headers.get("Response") not in ("Success", "Goodbye"):
            raise CommandFailed(name, response.get("Message") or response.get("Output") or "error")
        return response, items

    def next_action_id(self) -> str:
        """Reserve an ``ActionID`` (to correlate an ``OriginateResponse``
        before the action is even sent); pass it as ``ActionID`` in
        :meth:`action_with_id`."""
        return f"{self._prefix}{next(self._ids)}"

    async def action_with_id(
        self, action_id: str, name: str, fields: Mapping[str, str | Sequence[str]] | None = None
    ) -> AmiMessage:
        """Like :meth:`action`, with an ``ActionID`` from :meth:`next_action_id`."""
        self._require_login(name)
        writer = self._writer
        assert writer is not None
        future: asyncio.Future[tuple[AmiMessage, list[AmiMessage]]] = asyncio.get_running_loop().create_future()
        self._pending[action_id] = _Pending(name, False, future)
        try:
            writer.write(encode_action(name, action_id, fields))
            response, _ = await asyncio.wait_for(future, self.settings.action_timeout)
        except asyncio.TimeoutError:
            raise AmiTimeout(name, self.settings.action_timeout) from None
        finally:
            self._pending.pop(action_id, None)
        if response.headers.get("Response") != "Success":
            raise CommandFailed(name, response.get("Message") or "error")
        return response

    def _fail_pending(self, reason: str) -> None:
        pending, self._pending = self._pending, {}
        self._lists = 0
        self._parser.tagged = False
        for item in pending.values():
            if not item.future.done():
                item.future.set_exception(SwitchNotConnected(f"{reason}; {item.action} not completed"))
