"""A hand-written stand-in for the API, with fixed data, for snapshot tests
and for driving the screens through states a live demo reaches only by luck.

It answers like the API (the same JSON shapes, parsed by the same model
code) and records every command it gets.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Mapping
from typing import Any

from agent_console.client import ApiError, Connected, StreamItem
from agent_console.model import Agent, Call, Callback, Catalog, Snapshot, Spy, User, parse_event

NOW = dt.datetime(2025, 3, 4, 2, 15, tzinfo=dt.timezone.utc).timestamp()  # 10:15 in Taipei


def iso(t: float | None) -> str | None:
    return None if t is None else dt.datetime.fromtimestamp(t, dt.timezone.utc).isoformat()


CATALOG = {
    "queues": {"sales": "Sales", "support": "Support", "billing": "Billing", "complaints": "Complaints",
               "vip": "Private banking"},
    "not_ready_reasons": ["break", "lunch", "training", "meeting", "coaching", "no-answer"],
    "dispositions": {"resolved": "Resolved on first contact", "follow-up": "Needs follow-up", "sale": "Sale made",
                     "no-sale": "Offer declined", "complaint-opened": "Complaint case opened",
                     "transferred": "Transferred"},
    "agents": {"a01": "Xin Yang", "a02": "Wei Liu", "a03": "Li Wang", "a09": "Li Lin", "a27": "Mei Chen"},
}

POP = {
    "caller_number": "+886976072408",
    "customer": {
        "id": "C000002", "name": "Chen Chia-Hui", "account_number": "015838000002",
        "phones": ["+886976072408"], "tier": "A1", "clv": 1843200.0, "monthly_profit": 6120.0,
        "segment": "good friend", "rfm": "545", "dedicated_agent_id": "a27", "notes": "prefers Mandarin",
    },
    "last_interactions": [
        {"id": "i1", "arrived_at": iso(NOW - 3 * 86400), "channel": "phone", "direction": "inbound",
         "outcome": "answered", "queue": "sales", "agent_id": "a03", "disposition": "sale", "notes": "card upgrade"},
        {"id": "i2", "arrived_at": iso(NOW - 9 * 86400), "channel": "phone", "direction": "inbound",
         "outcome": "abandoned", "queue": "support", "agent_id": None, "disposition": None, "notes": ""},
    ],
    "open_cases": [
        {"id": "K17", "kind": "complaint", "status": "open", "opened_at": iso(NOW - 2 * 86400),
         "due_at": iso(NOW + 13 * 86400), "owner_agent_id": "a09", "summary": "double charge on card"},
    ],
    "ivr": {"path": ["welcome", "language", "main-menu", "sales"], "inputs": {"menu": "1", "account": "015838"}},
    "waited_s": 14.2,
    "next_best_action": "acknowledge the open complaint first; then offer the premium savings plan",
}


def call_json(call_id: str = "c42", status: str = "ringing", answered: float | None = None) -> dict[str, Any]:
    return {
        "call_id": call_id, "direction": "inbound", "status": status, "queue": "sales",
        "caller_number": "+886976072408", "customer_id": "C000002", "agent_id": "a01",
        "arrived_at": iso(NOW - 30), "answered_at": iso(answered), "waited_s": 14.2,
        "ivr": POP["ivr"], "transfer_target": None,
    }


def agent_json(state: str = "not_ready", reason: str | None = "login", in_state: float = 95.0,
               call: dict[str, Any] | None = None, wrap_until: float | None = None) -> dict[str, Any]:
    return {
        "agent_id": "a01", "name": "Xin Yang", "state": state, "reason": reason, "since": iso(NOW - in_state),
        "time_in_state_s": in_state, "pending_reason": None, "skills": {"sales": 6}, "current_call": call,
        "wrap_up_until": iso(wrap_until), "answer_mode": "console", "simulated": False,
        "today": {"calls": 14, "aht_s": 212.5, "occupancy": 0.78,
                  "time_in_state_s": {"ready": 1820.0, "busy": 2975.0, "wrap_up": 410.0, "not_ready": 600.0}},
    }


def _queue(qid: str, name: str, waiting: int, longest: float | None, sl: float | None, sl30: float | None,
           target: float, within: float, asa: float, aht: float, abandon: float) -> dict[str, Any]:
    return {"queue_id": qid, "name": name, "waiting": waiting, "longest_wait_s": longest, "sl_target": target,
            "sl_threshold_s": within, "sl_today": sl, "sl_30min": sl30, "asa_s": asa, "aht_s": aht,
            "abandon_rate": abandon, "offered": 120, "answered": 112, "abandoned": 8}


AGENTS = [
    ("a01", "Xin Yang", "busy", None, 75.0, "c42", {"sales": 6}),
    ("a02", "Wei Liu", "ready", None, 12.0, None, {"sales": 4, "support": 2}),
    ("a03", "Li Wang", "wrap_up", None, 8.0, None, {"sales": 7, "support": 2}),
    ("a09", "Li Lin", "not_ready", "lunch", 1250.0, None, {"support": 7, "complaints": 5}),
    ("a10", "Yu Lee", "reserved", None, 4.0, "c51", {"support": 8, "billing": 4, "mandarin": 8}),
    ("a13", "Yu Chang", "held", None, 40.0, "c48", {"support": 9, "billing": 6}),
    ("a21", "Li Wu", "busy", None, 301.0, "c39", {"billing": 4, "complaints": 9}),
    ("a27", "Mei Chen", "ready", None, 33.0, None, {"vip": 9, "sales": 3}),
    ("a30", "Hao Lin", "logged_out", None, 5400.0, None, {"vip": 7}),
]


def snapshot_json() -> dict[str, Any]:
    return {
        "at": iso(NOW),
        "queues": [
            _queue("sales", "Sales", 2, 18.0, 0.86, 0.91, 0.8, 20, 9.5, 215.0, 0.03),
            _queue("support", "Support", 6, 95.0, 0.72, 0.61, 0.8, 20, 31.0, 305.0, 0.08),
            _queue("billing", "Billing", 0, None, 0.93, None, 0.8, 30, 7.0, 260.0, 0.01),
            _queue("complaints", "Complaints", 1, 41.0, 0.9, 0.95, 0.9, 30, 12.0, 480.0, 0.02),
            _queue("vip", "Private banking", 0, None, 1.0, 1.0, 0.9, 10, 3.0, 390.0, 0.0),
        ],
        "agents": [{"agent_id": a, "name": n, "state": s, "reason": r, "time_in_state_s": t, "call_id": c,
                    "skills": k, "simulated": a != "a01"} for a, n, s, r, t, c, k in AGENTS],
        "waiting": 9, "agents_ready": 2, "agents_busy": 5, "agents_logged_in": 8, "calls_handled": 431,
        "sl_today": 0.84, "screen_pop": {"count": 0, "p50_ms": None, "p90_ms": None, "p99_ms": None, "max_ms": None},
        "switch_connected": True,
    }


def history(snapshot: Snapshot) -> list[tuple[str, float, float]]:
    """A fixed last hour of waiting callers per queue, for the sparklines."""
    out: list[tuple[str, float, float]] = []
    assert snapshot.at is not None
    for i, q in enumerate(snapshot.queues):
        for minute in range(60):
            value = (minute * (i + 2) + i * 7) % 9
            out.append((q.queue_id, snapshot.at - (59 - minute) * 60, float(value)))
    return out


class FakeClient:
    """The API with fixed answers; ``push`` sends a stream item."""

    def __init__(self, role: str = "agent", agent: dict[str, Any] | None = None, password: str = "demo") -> None:
        self.server = "http://callcenter.example:8080"
        self.role = role
        self.password = password
        self.user: User | None = None
        self.agent_data = agent or agent_json()
        self.commands: list[tuple[Any, ...]] = []
        self.items: asyncio.Queue[StreamItem] = asyncio.Queue()
        self.items.put_nowait(Connected())

    def push(self, message: Mapping[str, Any] | StreamItem) -> None:
        """Send an event message (API JSON) or a stream notice to the console."""
        item = parse_event(message) if isinstance(message, Mapping) else message
        assert item is not None
        self.items.put_nowait(item)

    async def stream(self) -> AsyncIterator[StreamItem]:
        while True:
            yield await self.items.get()

    async def login(self, username: str, password: str) -> User:
        if password != self.password:
            raise ApiError("wrong username or password", "auth.bad_credentials", 401)
        self.user = User(username, self.role, "a01" if self.role == "agent" else None, username)
        return self.user

    async def logout(self) -> None:
        self.commands.append(("logout",))

    async def close(self) -> None:
        pass

    async def catalog(self) -> Catalog:
        return Catalog.from_json(CATALOG)

    def _agent(self, **changes: Any) -> Agent:
        self.agent_data = {**self.agent_data, **changes}
        return Agent.from_json(self.agent_data)

    async def agent(self) -> Agent:
        return self._agent()

    async def agent_login(self) -> Agent:
        self.commands.append(("agent_login",))
        return self._agent()

    async def agent_logout(self) -> Agent:
        self.commands.append(("agent_logout",))
        return self._agent(state="logged_out", reason=None)

    async def ready(self) -> Agent:
        self.commands.append(("ready",))
        return self._agent(state="ready", reason=None, since=iso(NOW), time_in_state_s=0.0)

    async def not_ready(self, reason: str) -> Agent:
        self.commands.append(("not_ready", reason))
        return self._agent(state="not_ready", reason=reason, since=iso(NOW), time_in_state_s=0.0)

    async def answer(self, call_id: str) -> Call:
        self.commands.append(("answer", call_id))
        return Call.from_json(call_json(call_id, "ringing"))

    async def hangup(self, call_id: str) -> Call:
        self.commands.append(("hangup", call_id))
        return Call.from_json(call_json(call_id, "ended", answered=NOW - 60))

    async def hold(self, call_id: str) -> Call:
        self.commands.append(("hold", call_id))
        return Call.from_json(call_json(call_id, "held", answered=NOW - 60))

    async def unhold(self, call_id: str) -> Call:
        self.commands.append(("unhold", call_id))
        return Call.from_json(call_json(call_id, "talking", answered=NOW - 60))

    async def transfer(self, call_id: str, target_kind: str, target: str, attended: bool) -> Call:
        self.commands.append(("transfer", call_id, target_kind, target, attended))
        status = "consulting" if attended else "transferred"
        data = call_json(call_id, status, answered=NOW - 60)
        data["transfer_target"] = target if attended else None
        return Call.from_json(data)

    async def complete_transfer(self, call_id: str) -> Call:
        self.commands.append(("complete_transfer", call_id))
        return Call.from_json(call_json(call_id, "transferred", answered=NOW - 60))

    async def cancel_transfer(self, call_id: str) -> Call:
        self.commands.append(("cancel_transfer", call_id))
        return Call.from_json(call_json(call_id, "held", answered=NOW - 60))

    async def wrap_up(self, call_id: str, disposition: str, notes: str) -> Agent:
        self.commands.append(("wrap_up", call_id, disposition, notes))
        return self._agent(state="ready", reason=None, wrap_up_until=None)

    async def extend_wrap_up(self, seconds: float) -> Agent:
        self.commands.append(("extend_wrap_up", seconds))
        return self._agent()

    async def dial(self, number: str) -> Call:
        self.commands.append(("dial", number))
        data = call_json("c99", "dialing")
        data.update(direction="outbound", caller_number=number, queue=None)
        return Call.from_json(data)

    async def callbacks(self) -> list[Callback]:
        return [Callback.from_json({"call_id": "cb1", "queue": "sales", "number": "+886223456789",
                                    "customer_id": "C000010", "requested_at": iso(NOW - 900),
                                    "assigned_agent": None})]

    async def snapshot(self) -> Snapshot:
        self.commands.append(("snapshot",))
        return Snapshot.from_json(snapshot_json())

    async def force_state(self, agent_id: str, state: str, reason: str | None = None) -> Agent:
        self.commands.append(("force_state", agent_id, state, reason))
        return Agent.from_json({**agent_json(), "agent_id": agent_id, "state": state, "reason": reason})

    async def set_skills(self, agent_id: str, skills: Mapping[str, int]) -> Agent:
        self.commands.append(("set_skills", agent_id, dict(skills)))
        return Agent.from_json({**agent_json(), "agent_id": agent_id, "skills": dict(skills)})

    async def spy(self, agent_id: str, mode: str) -> Spy:
        self.commands.append(("spy", agent_id, mode))
        return Spy("s1", agent_id, "c42", mode)

    async def end_spy(self, spy_id: str) -> None:
        self.commands.append(("end_spy", spy_id))
