"""The path of a call through the IVR: the record analytics work from.

The interpreter appends a ``TraceStep`` each time the call enters a node;
``IvrState.trace()`` gives the ``CallTrace`` once the call has left the IVR.
``to_dict``/``from_dict`` give the JSON-lines form ``callcenter ivr stats``
reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from ivr.errors import IvrError

#: ``hangup``: the flow ended the call; ``no_input``: it hung up after the
#: caller's tries ran out; ``caller_hangup``: the caller left.
Outcome = Literal["queue", "transfer", "voicemail", "hangup", "no_input", "caller_hangup"]
OUTCOMES: tuple[Outcome, ...] = ("queue", "transfer", "voicemail", "hangup", "no_input", "caller_hangup")


@dataclass(frozen=True, slots=True)
class TraceStep:
    """The call entered ``node`` of ``flow`` at ``at``."""

    flow: str
    node: str
    at: datetime


@dataclass(frozen=True, slots=True)
class CallTrace:
    """A finished call's way through the IVR.

    ``outcome`` is how the IVR part ended; ``human`` is True when the call
    was queued, transferred or given a callback (a person takes over).
    """

    flow: str
    started_at: datetime
    ended_at: datetime
    steps: tuple[TraceStep, ...]
    outcome: Outcome
    human: bool
    call_id: str = ""

    @property
    def duration_s(self) -> float:
        return (self.ended_at - self.started_at).total_seconds()

    @property
    def contained(self) -> bool:
        """Ended by the flow itself, in self-service: no person, no voicemail,
        and the caller did not drop off."""
        return self.outcome == "hangup" and not self.human


class TraceFormatError(IvrError):
    """A trace record that cannot be read."""


def to_dict(trace: CallTrace) -> dict[str, Any]:
    """A JSON-ready dict (times in ISO 8601)."""
    return {
        "call_id": trace.call_id,
        "flow": trace.flow,
        "started_at": trace.started_at.isoformat(),
        "ended_at": trace.ended_at.isoformat(),
        "outcome": trace.outcome,
        "human": trace.human,
        "path": [{"flow": s.flow, "node": s.node, "at": s.at.isoformat()} for s in trace.steps],
    }


def from_dict(data: Mapping[str, Any]) -> CallTrace:
    """Read back what ``to_dict`` wrote.

    Raises:
        TraceFormatError: a missing field, a bad time or an unknown outcome.
    """
    try:
        outcome = data["outcome"]
        if outcome not in OUTCOMES:
            raise TraceFormatError(f"unknown outcome {outcome!r}; expected one of {', '.join(OUTCOMES)}")
        steps = tuple(
            TraceStep(flow=str(s["flow"]), node=str(s["node"]), at=datetime.fromisoformat(s["at"]))
            for s in data["path"]
        )
        return CallTrace(
            flow=str(data["flow"]),
            started_at=datetime.fromisoformat(data["started_at"]),
            ended_at=datetime.fromisoformat(data["ended_at"]),
            steps=steps,
            outcome=outcome,
            human=bool(data["human"]),
            call_id=str(data.get("call_id", "")),
        )
    except KeyError as exc:
        raise TraceFormatError(f"missing field {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        raise TraceFormatError(str(exc)) from None
