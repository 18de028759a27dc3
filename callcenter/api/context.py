"""What every route reaches through ``request.app.state``: no module globals."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import cast

from starlette.requests import HTTPConnection

from callcenter.api.principal import Principal
from callcenter.api.settings import ApiSettings
from callcenter.api.tokens import TokenStore
from callcenter.api.users import UserDirectory
from callcenter.service.facade import ContactCenter

Probe = Callable[[], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class ApiContext:
    """The service, the users, the sessions and the settings of one app.

    ``users`` None: passwords are checked by ``center.authenticate``.
    ``store_probe`` None: the live store counts as up when a snapshot works.
    """

    center: ContactCenter
    users: UserDirectory | None
    tokens: TokenStore
    settings: ApiSettings
    store_probe: Probe | None = None

    async def authenticate(self, username: str, password: str) -> Principal | None:
        """The principal for a good username and password, else None."""
        if self.users is not None:
            user = await self.users.verify(username, password)
            return None if user is None else Principal.of(user)
        viewer = await self.center.authenticate(username, password)
        return None if viewer is None else Principal(viewer.username, viewer.role, viewer.agent_id)


def context(conn: HTTPConnection) -> ApiContext:
    """The context of the app serving this request or WebSocket."""
    return cast(ApiContext, conn.app.state.api)
