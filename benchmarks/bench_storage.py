"""Screen-pop query path on SQLite: phone lookup + last 5 interactions + open cases.

Builds a SQLite file with 10,000 customers (the sample generator) and 50,000
interactions, then times ``screen_pop_for`` for random callers. The goal for
offer-to-pop is under 100 ms.

    python benchmarks/bench_storage.py [--customers N] [--interactions M] [--lookups K]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert

from callcenter.crm.lookup import screen_pop_for
from callcenter.crm.population import generate
from callcenter.storage.cases import Cases
from callcenter.storage.customers import Customers
from callcenter.storage.db import Database
from callcenter.storage.migrate import upgrade_async
from callcenter.storage.models import InteractionRow

AS_OF = dt.date(2025, 6, 30)
NOW = dt.datetime(2025, 6, 30, 18, 0, tzinfo=dt.timezone.utc)


async def build(url: str, customers: int, interactions: int) -> list[str]:
    """Fill the database; returns the customers' primary numbers."""
    await upgrade_async(url)
    population = generate(customers, 1, AS_OF)
    rng = random.Random(2)
    async with Database(url) as db, db.session() as session:
        await Customers(session).upsert_many(population.customers, NOW)
        for case in population.cases:
            await Cases(session).open(case.customer_id, case.kind, case.opened_at, case.summary,
                                      case.owner_agent_id, case.due_at, status=case.status)
        ids = [c.id for c in population.customers]
        rows = []
        for k in range(interactions):
            arrived = NOW - dt.timedelta(seconds=rng.randint(0, 365 * 86400))
            answered = rng.random() < 0.9
            rows.append({
                "id": f"call-{k:07d}", "channel": "voice", "direction": "inbound", "caller_number": None,
                "customer_id": rng.choice(ids), "arrived_at": arrived, "ivr_path": ["welcome"], "ivr_inputs": {},
                "queue": "support", "enqueued_at": arrived, "abandoned": not answered, "notes": "",
                "answered_at": arrived + dt.timedelta(seconds=20) if answered else None,
                "agent_id": f"a{rng.randint(1, 30):02d}" if answered else None,
                "ended_at": arrived + dt.timedelta(seconds=300),
            })
        for start in range(0, len(rows), 5000):
            await session.execute(insert(InteractionRow), rows[start:start + 5000])
        await session.commit()
    return [c.phones[0] for c in population.customers]


def _local(number: str) -> str:
    # Callers' numbers arrive in national form: +886912345678 -> 0912-345-678.
    digits = "0" + number[4:]
    return f"{digits[:4]}-{digits[4:7]}-{digits[7:]}"


async def measure(url: str, numbers: list[str], lookups: int) -> list[float]:
    rng = random.Random(3)
    times: list[float] = []
    async with Database(url) as db:
        for _ in range(lookups):
            number = _local(rng.choice(numbers))
            start = time.perf_counter()
            async with db.session() as session:
                pop = await screen_pop_for(session, number, ["welcome"], {}, 12.0)
            times.append((time.perf_counter() - start) * 1000)
            assert pop.known
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=10_000)
    parser.add_argument("--interactions", type=int, default=50_000)
    parser.add_argument("--lookups", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        start = time.perf_counter()
        numbers = asyncio.run(build(url, args.customers, args.interactions))
        print(f"built {args.customers} customers, {args.interactions} interactions "
              f"in {time.perf_counter() - start:.1f} s")
        times = sorted(asyncio.run(measure(url, numbers, args.lookups)))
        p95 = times[int(0.95 * (len(times) - 1))]
        print(f"screen pop (phone lookup + last 5 interactions + open cases), {len(times)} lookups: "
              f"median {statistics.median(times):.2f} ms, p95 {p95:.2f} ms, max {times[-1]:.2f} ms")


if __name__ == "__main__":
    main()
