"""Events fanned out to consoles on every node, and their JSON wire form.

An event is a frozen dataclass with a ``name`` class attribute (the routing
core's events in ``acd.effects`` and the store's own below). Only the Redis
edge sees JSON: ``encode`` writes ``{"name": ..., <fields>}``; ``decode``
rebuilds the registered class, turning enum values back into enums and
nested objects back into dataclasses.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, ClassVar, Protocol, Union

from acd import effects
from acd.model import AgentId, AgentState, CallId, QueueId
from callcenter.state.errors import UnknownEvent
from callcenter.state.model import NodeId


class WireEvent(Protocol):
    """What the store can publish: a dataclass instance with a wire ``name``."""

    name: ClassVar[str]


@dataclass(frozen=True, slots=True)
class AgentReserved:
    """A node reserved the agent for a call (``reserve_agent`` or ``assign``)."""

    name: ClassVar[str] = "agent_reserved"
    agent_id: AgentId
    call_id: CallId
    node: NodeId
    at: float


@dataclass(frozen=True, slots=True)
class AgentReleased:
    """The agent is no longer tied to the call."""

    name: ClassVar[str] = "agent_released"
    agent_id: AgentId
    call_id: CallId
    state: AgentState
    at: float


@dataclass(frozen=True, slots=True)
class CallClaimed:
    """A node took the call out of its queue."""

    name: ClassVar[str] = "call_claimed"
    call_id: CallId
    queue_id: QueueId
    node: NodeId
    at: float


@dataclass(frozen=True, slots=True)
class CounterChanged:
    """A wallboard counter moved."""

    name: ClassVar[str] = "counter_changed"
    queue_id: QueueId
    counter: str
    value: int
    at: float


@dataclass(frozen=True, slots=True)
class Received:
    """An event as a subscriber gets it, with its position in the event log.

    Pass the last ``position`` back to ``subscribe(after=...)`` to resume
    without a gap after a disconnect.
    """

    position: str
    event: WireEvent


_REGISTRY: dict[str, type[Any]] = {}


def register(cls: type[Any]) -> type[Any]:
    """Make ``cls`` (a dataclass with a ``name``) decodable; usable as a decorator."""
    name = getattr(cls, "name", None)
    if not dataclasses.is_dataclass(cls) or not isinstance(name, str):
        raise TypeError(f"{cls!r} is not a dataclass with a string `name`")
    known = _REGISTRY.get(name)
    if known is not None and known is not cls:
        raise ValueError(f"event name {name!r} is taken by {known.__qualname__}")
    _REGISTRY[name] = cls
    return cls


for _cls in typing.get_args(effects.Event) + (AgentReserved, AgentReleased, CallClaimed, CounterChanged):
    register(_cls)


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list, frozenset, set)):
        return [_plain(v) for v in value]
    return value


def encode(event: WireEvent) -> str:
    """The event as one line of JSON."""
    if not dataclasses.is_dataclass(event):
        raise TypeError(f"{event!r} is not a dataclass event")
    body = _plain(event)
    body["name"] = event.name
    return json.dumps(body, separators=(",", ":"), allow_nan=False)


def _typed(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _typed(options[0], value) if len(options) == 1 else value
    if origin in (tuple, frozenset, list, set):
        args = [a for a in typing.get_args(hint) if a is not Ellipsis]
        inner = args[0] if args else Any
        return origin(_typed(inner, v) for v in value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _build(hint, value)
    return value


def _build(cls: type[Any], body: Mapping[str, Any]) -> Any:
    hints = typing.get_type_hints(cls)
    kwargs = {f.name: _typed(hints[f.name], body[f.name]) for f in dataclasses.fields(cls) if f.name in body}
    return cls(**kwargs)


def decode(text: str | bytes) -> WireEvent:
    """Rebuild an event from its JSON line.

    Raises:
        UnknownEvent: no class is registered for the event's name.
    """
    body = json.loads(text)
    cls = _REGISTRY.get(body.get("name"))
    if cls is None:
        raise UnknownEvent(f"no event class is registered for {body.get('name')!r}: call events.register(cls)")
    event: WireEvent = _build(cls, body)
    return event
