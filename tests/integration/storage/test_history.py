"""Interval history read from interaction records (for WFM), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from callcenter.storage.db import Database
from callcenter.storage.history import interval_history
from callcenter.storage.interactions import Interactions
from wfm.history import HistoryError

UTC = dt.timezone.utc
# 2025-03-03 01:00 UTC is 09:00 in Taipei (UTC+8)
T0 = dt.datetime(2025, 3, 3, 1, 0, tzinfo=UTC)


def at(minutes: float, day: int = 0) -> dt.datetime:
    return T0 + dt.timedelta(days=day, minutes=minutes)


async def _call(db: Database, call_id: str, queue: str, arrive: dt.datetime, *,
                answer_s: float | None = None, talk_s: float = 0, wrap_s: float | None = None,
                abandon_s: float | None = None) -> None:
    async with db.session() as s:
        r = Interactions(s)
        await r.start_interaction(call_id, arrive)
        await r.record_enqueue(call_id, queue, arrive)
        if answer_s is not None:
            answered = arrive + dt.timedelta(seconds=answer_s)
            await r.record_answer(call_id, "a1", answered)
            if talk_s:
                ended = answered + dt.timedelta(seconds=talk_s)
                await r.record_end(call_id, ended)
                if wrap_s is not None:
                    await r.record_wrap_up(call_id, "resolved", "", ended + dt.timedelta(seconds=wrap_s))
        elif abandon_s is not None:
            await r.record_abandon(call_id, arrive + dt.timedelta(seconds=abandon_s))


def test_history_counts_offered_handled_aht_and_abandons_per_interval(db_url: str) -> None:
    async def scenario() -> list[dict[str, object]]:
        async with Database(db_url) as db:
            await _call(db, "c1", "sales", at(5), answer_s=10, talk_s=200, wrap_s=40)   # handle 240
            await _call(db, "c2", "sales", at(20), answer_s=5, talk_s=120)              # handle 120, no wrap-up
            await _call(db, "c3", "sales", at(25), abandon_s=30)
            await _call(db, "c4", "sales", at(40), answer_s=3)                          # still talking
            await _call(db, "c5", "support", at(95, day=1), answer_s=1, talk_s=60, wrap_s=0)
            frame = await interval_history(db, interval_min=30, timezone="Asia/Taipei")
        return frame.to_dict("records")

    rows = asyncio.run(scenario())
    by = {(r["queue"], r["interval_start"].strftime("%m-%d %H:%M")): r for r in rows}  # type: ignore[attr-defined]
    first = by[("sales", "03-03 09:00")]
    assert (first["offered"], first["handled"], first["abandoned"]) == (3, 2, 1)
    assert first["aht_s"] == pytest.approx(180.0)
    second = by[("sales", "03-03 09:30")]
    assert (second["offered"], second["handled"], second["aht_s"]) == (1, 1, 0.0)  # no finished call yet
    # open hours seen: 09:00 to 10:30, filled with zeros on both days and queues
    assert by[("support", "03-03 09:00")]["offered"] == 0
    assert by[("sales", "03-04 10:30")]["offered"] == 0
    assert by[("support", "03-04 10:30")]["offered"] == 1
    assert {k[1][6:] for k in by} == {"09:00", "09:30", "10:00", "10:30"}


def test_history_from_an_empty_database_says_so(sqlite_url: str) -> None:
    async def scenario() -> None:
        async with Database(sqlite_url) as db:
            await interval_history(db)

    with pytest.raises(HistoryError, match="no queued inbound calls"):
        asyncio.run(scenario())


def test_wfm_history_command_reads_the_database(sqlite_url: str, tmp_path: object) -> None:
    from pathlib import Path

    from click.testing import CliRunner

    from callcenter.cli import main
    from wfm.history import read_history_csv

    async def fill() -> None:
        async with Database(sqlite_url) as db:
            await _call(db, "c1", "sales", at(5), answer_s=10, talk_s=200, wrap_s=40)
            await _call(db, "c2", "sales", at(50), abandon_s=30)

    asyncio.run(fill())
    out = Path(str(tmp_path)) / "history.csv"
    result = CliRunner().invoke(
        main, ["wfm", "history", "--from-db", sqlite_url, "--timezone", "Asia/Taipei", "--out", str(out), "--json"]
    )
    assert result.exit_code == 0, result.output
    frame = read_history_csv(out)
    assert frame["offered"].sum() == 2 and frame["abandoned"].sum() == 1
    assert frame["interval_start"].min().strftime("%H:%M") == "09:00"
    bad = CliRunner().invoke(main, ["wfm", "history", "--from-db", sqlite_url, "--timezone", "Mars/Olympus"])
    assert bad.exit_code == 2 and "unknown time zone" in bad.output
