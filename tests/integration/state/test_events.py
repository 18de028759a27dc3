"""Events on the wire: every registered event survives JSON, typed."""

from __future__ import annotations

import dataclasses
import json
import typing
from dataclasses import dataclass
from typing import ClassVar

import pytest

from acd import effects
from acd.model import AgentState
from callcenter.state import (
    AgentReleased,
    AgentReserved,
    CallClaimed,
    CounterChanged,
    UnknownEvent,
    decode,
    encode,
    register,
)

SAMPLES: list[object] = [
    effects.AgentStateChanged("a1", AgentState.BUSY, AgentState.WRAP_UP, 12.5, reason=None, call_id="c1"),
    effects.CallQueued("c1", "sales", 1.0),
    effects.CallRequeued("c1", "sales", "a1", 2.0),
    effects.CallMoved("c1", "sales", "support", 3.0),
    effects.CallAnswered("c1", "sales", "a1", 4.0, 3.0),
    effects.CallAbandoned("c1", "sales", 5.0, 4.0),
    effects.CallEnded("c1", "a1", 6.0),
    effects.CallbackRequested("c1", "sales", 7.0),
    AgentReserved("a1", "c1", "n1", 8.0),
    AgentReleased("a1", "c1", AgentState.NOT_READY, 9.0),
    CallClaimed("c1", "sales", "n2", 10.0),
    CounterChanged("sales", "offered", 3, 11.0),
]


def test_every_routing_event_has_a_sample() -> None:
    covered = {type(s) for s in SAMPLES}
    assert set(typing.get_args(effects.Event)) <= covered


@pytest.mark.parametrize("event", SAMPLES, ids=lambda e: type(e).__name__)
def test_events_round_trip_through_json(event: object) -> None:
    line = encode(event)  # type: ignore[arg-type]
    assert json.loads(line)["name"] == type(event).name  # type: ignore[attr-defined]
    back = decode(line)
    assert back == event and type(back) is type(event)


def test_enums_travel_as_their_values() -> None:
    body = json.loads(encode(AgentReleased("a1", "c1", AgentState.NOT_READY, 9.0)))
    assert body == {"name": "agent_released", "agent_id": "a1", "call_id": "c1", "state": "not_ready", "at": 9.0}


def test_unknown_and_conflicting_names_are_refused() -> None:
    with pytest.raises(UnknownEvent, match="register"):
        decode('{"name": "nobody_knows", "x": 1}')

    @dataclass(frozen=True, slots=True)
    class Clash:
        name: ClassVar[str] = "call_queued"
        call_id: str

    with pytest.raises(ValueError, match="taken"):
        register(Clash)
    with pytest.raises(TypeError):
        register(int)


def test_a_service_event_can_be_registered() -> None:
    @dataclass(frozen=True, slots=True)
    class WallboardNote:
        name: ClassVar[str] = "test_wallboard_note"
        queue_id: str
        lines: tuple[str, ...]
        at: float

    register(WallboardNote)
    note = WallboardNote("sales", ("busy day", "2 agents sick"), 1.0)
    assert decode(encode(note)) == note
    assert dataclasses.is_dataclass(decode(encode(note)))
