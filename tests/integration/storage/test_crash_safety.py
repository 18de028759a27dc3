"""A process killed mid-call loses none of the legs it already recorded."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from callcenter.storage.db import Database
from callcenter.storage.interactions import Interactions, OfferOutcome

ROOT = Path(__file__).resolve().parents[3]

CHILD = textwrap.dedent("""
    import asyncio, datetime as dt, sys, time
    from callcenter.storage.db import Database
    from callcenter.storage.interactions import Interactions

    T0 = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone.utc)

    async def main(url):
        async with Database(url) as db, db.session() as session:
            log = Interactions(session)
            await log.start_interaction("doomed", T0, caller_number="0912345678")
            await log.record_enqueue("doomed", "support", T0 + dt.timedelta(seconds=10))
            await log.record_offer("doomed", "a13", T0 + dt.timedelta(seconds=20))
            await log.record_answer("doomed", "a13", T0 + dt.timedelta(seconds=25))
            print("answered", flush=True)
            time.sleep(60)  # mid-call: killed here

    asyncio.run(main(sys.argv[1]))
""")


def test_legs_recorded_before_a_sigkill_are_all_there(sqlite_url: str) -> None:
    child = subprocess.Popen([sys.executable, "-c", CHILD, sqlite_url], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.strip() == "answered", child.stderr.read() if child.stderr else ""
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()
    assert child.returncode == -signal.SIGKILL

    async def reopen() -> None:
        async with Database(sqlite_url) as db, db.session() as session:
            record = await Interactions(session).get("doomed")
        assert record.caller_number == "0912345678"
        assert record.queue == "support" and record.enqueued_at is not None
        assert [(o.agent_id, o.outcome) for o in record.offers] == [("a13", OfferOutcome.ANSWERED)]
        assert record.answered_at is not None and record.agent_id == "a13"
        assert record.ended_at is None  # the end was never reported

    asyncio.run(reopen())
