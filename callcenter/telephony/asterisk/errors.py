"""Errors of the Asterisk adapter, all under the port's :class:`TelephonyError`.

The port's own errors (``SwitchNotConnected``, ``NoSuchChannel``,
``CommandFailed``, ``InvalidCommand``) are raised where they fit; these
name the conditions only Asterisk has.
"""

from __future__ import annotations

from callcenter.telephony.port import TelephonyError


class AmiLoginFailed(TelephonyError):
    """Asterisk refused the AMI login (wrong user or secret, or the client's
    address is not permitted for the user). Asterisk closes the connection
    after about a second; retrying with the same settings cannot help."""

    def __init__(self, username: str, address: str, message: str) -> None:
        self.username = username
        self.address = address
        self.message = message
        super().__init__(
            f"AMI login as {username!r} at {address} was refused ({message}); check the user's secret, "
            f"'permit' and 'deny' in manager.conf, then 'manager reload'"
        )


class AmiTimeout(TelephonyError):
    """An AMI action got no (complete) answer in time."""

    def __init__(self, action: str, seconds: float) -> None:
        self.action = action
        self.seconds = seconds
        super().__init__(f"AMI {action} got no answer within {seconds:g} s")


class AgiError(TelephonyError):
    """Base of the FastAGI errors."""


class AgiHangup(AgiError):
    """The channel hung up during the AGI session (``HANGUP``, ``result=-1``
    or the socket closed); no more commands can be run on it."""


class AgiCommandFailed(AgiError):
    """Asterisk answered an AGI command with an error code: 510 (unknown
    command), 511 (not permitted on a dead channel) or 520 (bad usage)."""

    def __init__(self, command: str, code: int, text: str) -> None:
        self.command = command
        self.code = code
        self.text = text
        super().__init__(f"AGI {command.split(' ', 1)[0]} failed: {code} {text}")
