"""Interactions written leg by leg and read back, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from callcenter.storage.db import Database
from callcenter.storage.errors import NotFound
from callcenter.storage.interactions import Interactions, OfferOutcome, TransferKind

T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone.utc)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def test_a_call_written_leg_by_leg_reads_back_whole(db_url: str) -> None:
    async def scenario() -> None:
        async with Database(db_url) as db:
            # A fresh session per boundary, as the service does.
            steps = [
                lambda r: r.start_interaction("call-1", at(0), caller_number="0912-345-678"),
                lambda r: r.record_ivr("call-1", ["welcome", "menu", "billing"], {"menu": "2", "account": "12345"}),
                lambda r: r.record_enqueue("call-1", "billing", at(20)),
                lambda r: r.record_offer("call-1", "a10", at(30)),
                lambda r: r.record_offer_outcome("call-1", "a10", OfferOutcome.NO_ANSWER, at(45)),
                lambda r: r.record_offer("call-1", "a11", at(47)),
                lambda r: r.record_answer("call-1", "a11", at(52)),
                lambda r: r.record_hold("call-1", at(80), agent_id="a11"),
                lambda r: r.record_unhold("call-1", at(110)),
                lambda r: r.record_transfer("call-1", TransferKind.ATTENDED, "a21", at(150), from_agent_id="a11"),
                lambda r: r.record_recording("call-1", "rec/2025/03/03/call-1.wav"),
                lambda r: r.record_end("call-1", at(300), cause="normal-clearing"),
                lambda r: r.record_wrap_up("call-1", "billing-resolved", "refund promised", at(330)),
            ]
            for step in steps:
                async with db.session() as session:
                    await step(Interactions(session))
            async with db.session() as session:
                record = await Interactions(session).get("call-1")
        assert record.caller_number == "0912-345-678"
        assert record.ivr_path == ("welcome", "menu", "billing")
        assert record.ivr_inputs == {"menu": "2", "account": "12345"}
        assert (record.queue, record.enqueued_at) == ("billing", at(20))
        assert [(o.agent_id, o.offered_at, o.outcome, o.outcome_at) for o in record.offers] == [
            ("a10", at(30), OfferOutcome.NO_ANSWER, at(45)),
            ("a11", at(47), OfferOutcome.ANSWERED, at(52)),
        ]
        assert (record.answered_at, record.agent_id) == (at(52), "a11")
        assert [(h.started_at, h.ended_at, h.agent_id) for h in record.holds] == [(at(80), at(110), "a11")]
        assert [(t.kind, t.from_agent_id, t.to_target, t.at) for t in record.transfers] == [
            (TransferKind.ATTENDED, "a11", "a21", at(150))
        ]
        assert (record.ended_at, record.end_cause, record.recording_ref) == (
            at(300), "normal-clearing", "rec/2025/03/03/call-1.wav")
        assert (record.disposition, record.notes, record.wrap_up_end) == ("billing-resolved", "refund promised", at(330))
        assert not record.abandoned
        assert record.arrived_at.tzinfo is not None and record.arrived_at.utcoffset() == dt.timedelta(0)

    asyncio.run(scenario())


def test_abandon_while_ringing_closes_the_offer(db_url: str) -> None:
    async def scenario() -> None:
        async with Database(db_url) as db, db.session() as session:
            log = Interactions(session)
            await log.start_interaction("call-2", at(0), caller_number="+886223456789")
            await log.record_enqueue("call-2", "support", at(5))
            await log.record_offer("call-2", "a12", at(40))
            await log.record_abandon("call-2", at(44))
            record = await log.get("call-2")
        assert record.abandoned and record.abandoned_at == at(44)
        assert (record.ended_at, record.end_cause) == (at(44), "abandoned")
        assert [(o.outcome, o.outcome_at) for o in record.offers] == [(OfferOutcome.ABANDONED, at(44))]

    asyncio.run(scenario())


def test_times_come_back_in_utc_and_naive_times_are_refused(db_url: str) -> None:
    taipei = dt.timezone(dt.timedelta(hours=8))

    async def scenario() -> None:
        async with Database(db_url) as db, db.session() as session:
            log = Interactions(session)
            await log.start_interaction("call-3", dt.datetime(2025, 3, 3, 17, 0, tzinfo=taipei))
            record = await log.get("call-3")
            assert record.arrived_at == T0 and record.arrived_at.tzinfo == dt.timezone.utc
            with pytest.raises(Exception, match="naive datetime"):
                await log.record_enqueue("call-3", "sales", dt.datetime(2025, 3, 3, 9, 0))

    asyncio.run(scenario())


def test_unknown_calls_and_missing_legs_are_reported(db_url: str) -> None:
    async def scenario() -> None:
        async with Database(db_url) as db, db.session() as session:
            log = Interactions(session)
            with pytest.raises(NotFound):
                await log.record_enqueue("nope", "sales", at(1))
            with pytest.raises(NotFound):
                await log.record_offer("nope", "a01", at(1))
            await log.start_interaction("call-4", at(0))
            with pytest.raises(NotFound):
                await log.record_offer_outcome("call-4", "a01", OfferOutcome.REJECTED, at(2))
            with pytest.raises(NotFound):
                await log.record_unhold("call-4", at(3))
            with pytest.raises(NotFound):
                await log.get("nope")
            # The session is still usable after those errors.
            await log.record_enqueue("call-4", "sales", at(4))
            assert (await log.get("call-4")).queue == "sales"

    asyncio.run(scenario())
