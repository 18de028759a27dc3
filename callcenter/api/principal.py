"""Who is calling: the user behind a bearer token, and what they may do."""

from __future__ import annotations

from dataclasses import dataclass

from callcenter.storage.users import Role, User

# Roles that act on any agent and see every event.
SUPERVISING_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})


@dataclass(frozen=True, slots=True)
class Principal:
    """A logged-in user as the API sees it (never a password or a hash)."""

    username: str
    role: Role
    agent_id: str | None
    display_name: str = ""

    @classmethod
    def of(cls, user: User) -> Principal:
        return cls(user.username, user.role, user.agent_id, user.display_name)

    @property
    def supervises(self) -> bool:
        """True for supervisors and admins: they may act on any agent."""
        return self.role in SUPERVISING_ROLES

    def may_act_on(self, agent_id: str) -> bool:
        """An agent acts on themself only; supervisors and admins on anyone."""
        return self.supervises or (self.agent_id is not None and self.agent_id == agent_id)
