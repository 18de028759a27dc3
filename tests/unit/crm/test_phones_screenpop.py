"""Phone normalization and the screen pop."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from callcenter.crm.errors import InvalidPhoneNumber
from callcenter.crm.model import Case, CaseKind, CaseStatus, Customer, InteractionSummary, Rfm, Segment, Tier
from callcenter.crm.phones import normalize, try_normalize
from callcenter.crm.screenpop import build_screen_pop

NOW = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("raw", ["0912345678", "0912-345-678", "+886 912 345 678", "886912345678",
                                 "002 886 912 345 678", " (0912) 345678 "])
def test_forms_of_one_mobile_number(raw: str) -> None:
    assert normalize(raw) == "+886912345678"


def test_other_regions_and_invalid_numbers() -> None:
    assert normalize("(415) 555-2671", region="US") == "+14155552671"
    assert normalize("+1 415 555 2671") == "+14155552671"
    for bad in ("", "12", "not a number", "0912-345"):
        with pytest.raises(InvalidPhoneNumber, match="invalid phone number"):
            normalize(bad)
    assert try_normalize("anonymous") is None and try_normalize(None) is None


def _customer(**kw: object) -> Customer:
    fields: dict[str, object] = dict(id="C1", name="Chen Mei-Ling", phones=("+886912345678",),
                                     account_number="ACC-1", tier=Tier.A1, clv=150000.0, monthly_profit=6000.0,
                                     rfm=Rfm(5, 4, 5), segment=Segment.GOOD_FRIEND, dedicated_agent_id="a27")
    fields.update(kw)
    return Customer(**fields)  # type: ignore[arg-type]


def _contacts(n: int) -> list[InteractionSummary]:
    return [InteractionSummary(f"i{k}", NOW - dt.timedelta(days=k), "voice", "inbound", "answered",
                               queue="vip", agent_id="a27", disposition="resolved") for k in range(n)]


def test_screen_pop_of_a_known_customer() -> None:
    late = Case(2, "C1", CaseKind.REQUEST, NOW - dt.timedelta(days=1), CaseStatus.OPEN)
    complaint = Case(1, "C1", CaseKind.COMPLAINT, NOW - dt.timedelta(days=3), CaseStatus.OPEN,
                     due_at=NOW + dt.timedelta(days=12), summary="fee charged twice")
    pop = build_screen_pop("0912-345-678", _customer(), _contacts(8), [late, complaint],
                           ["welcome", "vip"], {"account": "ACC-1"}, 18.25)
    assert pop.known and pop.tier == "A1" and pop.rfm == "545" and pop.segment == "good friend"
    assert [i.id for i in pop.last_interactions] == ["i0", "i1", "i2", "i3", "i4"]
    assert [c.id for c in pop.open_cases] == [1, 2]  # the one with a deadline first
    assert pop.next_best_action.startswith("acknowledge the open complaint first")
    data = json.loads(json.dumps(pop.to_dict()))
    assert data["customer"]["dedicated_agent_id"] == "a27"
    assert data["open_cases"][0]["due_at"] == "2025-03-15T09:00:00+00:00"
    assert data["ivr"] == {"path": ["welcome", "vip"], "inputs": {"account": "ACC-1"}}
    assert data["waited_s"] == 18.25 and len(data["last_interactions"]) == 5


def test_screen_pop_of_an_unknown_caller() -> None:
    pop = build_screen_pop("+886223456789", None, ivr_path=["welcome"], waited_s=-1.0)
    data = pop.to_dict()
    assert not pop.known and data["customer"] is None and data["last_interactions"] == []
    assert data["waited_s"] == 0.0 and data["next_best_action"].startswith("identify the caller")


def test_screen_pop_next_best_action_follows_value() -> None:
    barnacle = _customer(tier=Tier.A4, segment=Segment.BARNACLE, clv=-200.0)
    assert build_screen_pop("0912345678", barnacle).next_best_action == "suggest self-service channels"
    assert build_screen_pop("0912345678", _customer()).next_best_action == "personal thanks; offer premium review"
