"""The screen pop: what an agent sees when a call is offered.

Built by a pure function from what storage already returned: the customer
(or nobody, for an unknown caller), their last contacts, their open cases,
and what the IVR learned. ``to_dict()`` gives the JSON the consoles get.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from callcenter.crm.model import Case, CaseKind, Customer, InteractionSummary
from callcenter.crm.value import next_best_action

LAST_CONTACTS = 5


@dataclass(frozen=True, slots=True)
class ScreenPop:
    """Everything shown on offer; ``customer_id`` None: unknown caller."""

    caller_number: str | None
    customer_id: str | None
    name: str | None
    account_number: str | None
    phones: tuple[str, ...]
    tier: str | None
    clv: float | None
    monthly_profit: float | None
    segment: str | None
    rfm: str | None  # three-digit cell, e.g. "545"
    dedicated_agent_id: str | None
    notes: str
    last_interactions: tuple[InteractionSummary, ...]
    open_cases: tuple[Case, ...]
    ivr_path: tuple[str, ...]
    ivr_inputs: Mapping[str, str] = field(default_factory=dict)
    waited_s: float = 0.0
    next_best_action: str = ""

    @property
    def known(self) -> bool:
        return self.customer_id is not None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: enums as values, times as ISO 8601."""
        return {
            "caller_number": self.caller_number,
            "customer": None if self.customer_id is None else {
                "id": self.customer_id,
                "name": self.name,
                "account_number": self.account_number,
                "phones": list(self.phones),
                "tier": self.tier,
                "clv": self.clv,
                "monthly_profit": self.monthly_profit,
                "segment": self.segment,
                "rfm": self.rfm,
                "dedicated_agent_id": self.dedicated_agent_id,
                "notes": self.notes,
            },
            "last_interactions": [_interaction(i) for i in self.last_interactions],
            "open_cases": [_case(c) for c in self.open_cases],
            "ivr": {"path": list(self.ivr_path), "inputs": dict(self.ivr_inputs)},
            "waited_s": round(self.waited_s, 3),
            "next_best_action": self.next_best_action,
        }


def build_screen_pop(
    caller_number: str | None,
    customer: Customer | None,
    last_interactions: Sequence[InteractionSummary] = (),
    open_cases: Sequence[Case] = (),
    ivr_path: Sequence[str] = (),
    ivr_inputs: Mapping[str, str] | None = None,
    waited_s: float = 0.0,
) -> ScreenPop:
    """Assemble the screen pop of one offered call.

    Args:
        caller_number: the number the switch reported (shown as received).
        customer: the matched customer, None for an unknown caller.
        last_interactions: most recent first; only the first five are kept.
        open_cases: the customer's open cases; the earliest deadline first.
        ivr_path: node ids the caller went through.
        ivr_inputs: what the caller entered, by prompt name.
        waited_s: seconds from arrival to the offer.
    """
    cases = tuple(sorted(open_cases, key=_deadline_order))
    open_complaint = any(c.kind is CaseKind.COMPLAINT for c in cases)
    action = next_best_action(
        customer.tier if customer else None, customer.segment if customer else None, open_complaint
    )
    return ScreenPop(
        caller_number=caller_number,
        customer_id=customer.id if customer else None,
        name=customer.name if customer else None,
        account_number=customer.account_number if customer else None,
        phones=customer.phones if customer else (),
        tier=customer.tier.value if customer and customer.tier else None,
        clv=customer.clv if customer else None,
        monthly_profit=customer.monthly_profit if customer else None,
        segment=customer.segment.value if customer and customer.segment else None,
        rfm=customer.rfm.code if customer and customer.rfm else None,
        dedicated_agent_id=customer.dedicated_agent_id if customer else None,
        notes=customer.notes if customer else "",
        last_interactions=tuple(last_interactions)[:LAST_CONTACTS],
        open_cases=cases,
        ivr_path=tuple(ivr_path),
        ivr_inputs=dict(ivr_inputs or {}),
        waited_s=max(0.0, waited_s),
        next_best_action=action,
    )


def _deadline_order(case: Case) -> tuple[int, dt.datetime, dt.datetime]:
    # Cases with a deadline first, soonest first; then by opening.
    due = case.due_at or case.opened_at
    return (0 if case.due_at else 1, due, case.opened_at)


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _interaction(i: InteractionSummary) -> dict[str, Any]:
    return {
        "id": i.id,
        "arrived_at": _iso(i.arrived_at),
        "channel": i.channel,
        "direction": i.direction,
        "outcome": i.outcome,
        "queue": i.queue,
        "agent_id": i.agent_id,
        "disposition": i.disposition,
        "notes": i.notes,
    }


def _case(c: Case) -> dict[str, Any]:
    return {
        "id": c.id,
        "kind": c.kind.value,
        "status": c.status.value,
        "opened_at": _iso(c.opened_at),
        "due_at": _iso(c.due_at),
        "owner_agent_id": c.owner_agent_id,
        "summary": c.summary,
    }
