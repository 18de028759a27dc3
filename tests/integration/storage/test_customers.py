"""Customers, phone matching, cases, the screen-pop path and the agent log."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from callcenter.crm.errors import InvalidPhoneNumber
from callcenter.crm.lookup import screen_pop_for
from callcenter.crm.model import COMPLAINT_DEADLINE, CaseKind, CaseStatus, Customer, CustomerValue, Rfm, Segment, Tier
from callcenter.storage.agents import AgentStateLog
from callcenter.storage.cases import Cases
from callcenter.storage.customers import Customers
from callcenter.storage.db import Database
from callcenter.storage.interactions import Interactions

NOW = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone.utc)
MEI = Customer(id="C1", name="Chen Mei-Ling", phones=("0912-345-678", "(02) 2345-6789"), account_number="ACC-1")


@pytest.mark.parametrize("written", ["0912345678", "0912-345-678", "+886 912 345 678", "+886-912-345-678",
                                     "002886912345678", "886912345678", "(02) 2345 6789", "+886223456789"])
def test_a_customer_is_found_by_any_written_form_of_their_number(db_url: str, written: str) -> None:
    async def scenario() -> Customer | None:
        async with Database(db_url) as db, db.session() as session:
            await Customers(session).upsert(MEI, NOW)
            return await Customers(session).find_by_phone(written)

    found = asyncio.run(scenario())
    assert found is not None and found.id == "C1"
    assert found.phones == ("+886912345678", "+886223456789")


def test_lookups_that_match_nobody(db_url: str) -> None:
    async def scenario() -> None:
        async with Database(db_url) as db, db.session() as session:
            customers = Customers(session)
            await customers.upsert(MEI, NOW)
            assert await customers.find_by_phone("0912-000-111") is None
            assert await customers.find_by_phone("anonymous") is None
            assert await customers.find_by_phone(None) is None
            assert await customers.find_by_account("ACC-404") is None
            assert (await customers.find_by_account(" ACC-1 ")) is not None

    asyncio.run(scenario())


def test_upsert_updates_fields_and_phones_and_rejects_bad_numbers(db_url: str) -> None:
    async def scenario() -> None:
        async with Database(db_url) as db, db.session() as session:
            customers = Customers(session)
            await customers.upsert(MEI, NOW)
            moved = Customer(id="C1", name="Chen Mei-Ling", phones=("+886 2 2345 6789", "0933-111-222"),
                             account_number="ACC-1", dedicated_agent_id="a27", notes="prefers mornings")
            stored = await customers.upsert(moved, NOW)
            assert stored.phones == ("+886223456789", "+886933111222")
            assert (stored.dedicated_agent_id, stored.notes) == ("a27", "prefers mornings")
            assert await customers.find_by_phone("0912345678") is None
            with pytest.raises(InvalidPhoneNumber):
                await customers.upsert(Customer(id="C2", name="X", phones=("12",)), NOW)
            assert await customers.count() == 1

    asyncio.run(scenario())


def test_a_shared_number_gives_the_most_valuable_customer(db_url: str) -> None:
    async def scenario() -> None:
        async with Database(db_url) as db, db.session() as session:
            customers = Customers(session)
            await customers.upsert_many([
                Customer(id="C1", name="Parent", phones=("0223456789",)),
                Customer(id="C2", name="Child", phones=("0223456789",)),
            ], NOW)
            await customers.set_values({
                "C1": CustomerValue(120.0, Tier.A3, 5000.0, Rfm(3, 3, 3), Segment.GOOD_FRIEND),
                "C2": CustomerValue(3000.0, Tier.A1, 90000.0, Rfm(5, 4, 5), Segment.GOOD_FRIEND),
            }, NOW)
            assert [c.id for c in await customers.find_all_by_phone("02-2345-6789")] == ["C2", "C1"]
            best = await customers.find_by_phone("02-2345-6789")
            assert best is not None and (best.tier, best.clv, best.rfm) == (Tier.A1, 90000.0, Rfm(5, 4, 5))

    asyncio.run(scenario())


def test_complaints_get_a_fifteen_day_deadline_and_open_cases_are_listed(db_url: str) -> None:
    async def scenario() -> None:
        async with Database(db_url) as db, db.session() as session:
            await Customers(session).upsert(MEI, NOW)
            cases = Cases(session)
            complaint = await cases.open("C1", CaseKind.COMPLAINT, NOW, "card fee charged twice", "a09")
            request = await cases.open("C1", CaseKind.REQUEST, NOW + dt.timedelta(hours=1), "new card")
            old = await cases.open("C1", CaseKind.INQUIRY, NOW - dt.timedelta(days=3), "rates")
            await cases.close(old.id, NOW)
            assert complaint.due_at == NOW + COMPLAINT_DEADLINE == NOW + dt.timedelta(days=15)
            assert request.due_at is None
            assert [(c.kind, c.status) for c in await cases.open_for("C1")] == [
                (CaseKind.COMPLAINT, CaseStatus.OPEN), (CaseKind.REQUEST, CaseStatus.OPEN)]

    asyncio.run(scenario())


def test_the_screen_pop_path_reads_customer_history_and_cases(db_url: str) -> None:
    async def scenario() -> dict[str, object]:
        async with Database(db_url) as db, db.session() as session:
            await Customers(session).upsert(MEI, NOW)
            await Customers(session).set_values(
                {"C1": CustomerValue(6000.0, Tier.A1, 150000.0, Rfm(5, 5, 5), Segment.GOOD_FRIEND)}, NOW)
            log = Interactions(session)
            for day in range(7):
                call = f"old-{day}"
                await log.start_interaction(call, NOW - dt.timedelta(days=7 - day), "0912345678", customer_id="C1")
                await log.record_answer(call, "a27", NOW - dt.timedelta(days=7 - day, seconds=-20))
                await log.record_end(call, NOW - dt.timedelta(days=7 - day, seconds=-200))
            await log.start_interaction("now", NOW, "0912-345-678", customer_id="C1")
            await Cases(session).open("C1", CaseKind.COMPLAINT, NOW - dt.timedelta(days=2), "fee")
            pop = await screen_pop_for(session, "0912-345-678", ["welcome", "vip"], {"menu": "1"}, 12.5,
                                       exclude_call_id="now")
            return pop.to_dict()

    pop = asyncio.run(scenario())
    customer = pop["customer"]
    assert isinstance(customer, dict) and customer["id"] == "C1" and customer["tier"] == "A1"
    assert [i["id"] for i in pop["last_interactions"]] == ["old-6", "old-5", "old-4", "old-3", "old-2"]  # type: ignore[union-attr]
    assert [c["kind"] for c in pop["open_cases"]] == ["complaint"]  # type: ignore[union-attr]
    assert str(pop["next_best_action"]).startswith("acknowledge the open complaint first")
    assert pop["ivr"] == {"path": ["welcome", "vip"], "inputs": {"menu": "1"}} and pop["waited_s"] == 12.5


def test_agent_state_log_keeps_order_and_reasons(db_url: str) -> None:
    async def scenario() -> None:
        async with Database(db_url) as db, db.session() as session:
            log = AgentStateLog(session)
            await log.append("a01", "ready", NOW)
            await log.append("a01", "busy", NOW + dt.timedelta(seconds=5), call_id="call-1")
            await log.append("a01", "not_ready", NOW + dt.timedelta(seconds=300), reason="break")
            await log.append("a02", "ready", NOW)
            entries = await log.history("a01", since=NOW + dt.timedelta(seconds=1))
            assert [(e.state, e.reason, e.call_id) for e in entries] == [
                ("busy", None, "call-1"), ("not_ready", "break", None)]

    asyncio.run(scenario())
