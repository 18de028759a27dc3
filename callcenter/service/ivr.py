"""The IVR seam: how an inbound call gets from the entry number to a queue.

The service hands an answered call to an :class:`IvrRunner`, which talks to
the caller through the switch (prompts, digits) and says where the call goes
and what the caller entered. :class:`DirectEntry` is the runner without
prompts: the dialled number names the queue. The IVR engine (``ivr``, a pure
``step(state, event) -> (state, effects)``) plugs in as another runner.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from callcenter.telephony.port import ChannelId, Switch


@dataclass(frozen=True, slots=True)
class IvrCall:
    """What a runner knows of the call it serves."""

    call_id: str
    channel: ChannelId
    caller_number: str | None
    called_number: str
    customer_id: str | None = None
    tier: int | None = None


@dataclass(frozen=True, slots=True)
class IvrResult:
    """Where the call goes next.

    ``queue`` None: the call ends in the IVR (self-service done, or the
    caller hung up: ``hung_up``). ``customer_id`` when the IVR identified the
    caller (an account number typed in).
    """

    queue: str | None
    path: tuple[str, ...] = ()
    inputs: Mapping[str, str] = field(default_factory=dict)
    customer_id: str | None = None
    hung_up: bool = False
    priority: int = 0


class IvrRunner(Protocol):
    async def run(self, call: IvrCall, switch: Switch) -> IvrResult:
        """Serve the caller until they are to be queued (or gone)."""
        ...


class DirectEntry:
    """No prompts: the entry number picks the queue.

    Args:
        entry_points: dialled number -> queue id.
        queues: known queue ids; a dialled queue id goes to that queue.
        default_queue: for any other number (default: the first queue).
    """

    def __init__(self, entry_points: Mapping[str, str], queues: list[str], default_queue: str | None = None) -> None:
        self.entry_points = dict(entry_points)
        self.queues = list(queues)
        self.default_queue = default_queue or (self.queues[0] if self.queues else None)

    def queue_for(self, called_number: str) -> str | None:
        if called_number in self.entry_points:
            return self.entry_points[called_number]
        if called_number in self.queues:
            return called_number
        return self.default_queue

    async def run(self, call: IvrCall, switch: Switch) -> IvrResult:
        return IvrResult(self.queue_for(call.called_number), path=("entry",))
