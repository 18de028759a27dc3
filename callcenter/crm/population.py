"""A realistic sample population: customers, transactions, cases.

Shaped like the bank table of the seed digest: A1 2 %, A2 8 %, A3 17 %,
A4 71 %, A5 2 % of customers, each with a monthly profit drawn around the
tier's average and kept inside its band, transactions over the two years
before ``as_of`` whose margins add up to exactly that profit (so importing
them gives every customer back the tier drawn here), phone numbers, account
numbers, dedicated agents for A1 (all) and A2 (half), and a few complaint
cases, some still open. Deterministic by seed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass

from callcenter.crm.model import (
    Case,
    CaseKind,
    CaseStatus,
    Customer,
    Tier,
    Transaction,
    default_due_at,
)
from callcenter.crm.value import window_start

TIER_SHARES: dict[Tier, float] = {Tier.A1: 0.02, Tier.A2: 0.08, Tier.A3: 0.17, Tier.A4: 0.71, Tier.A5: 0.02}
TIER_AVERAGE: dict[Tier, float] = {Tier.A1: 5990.0, Tier.A2: 1162.0, Tier.A3: 190.0, Tier.A4: -50.0, Tier.A5: -7617.0}
DEDICATED_AGENTS = ("a27", "a28", "a29", "a30")  # the sample center's private-banking team
WINDOW_YEARS = 2

_SURNAMES = ("Chen", "Lin", "Huang", "Chang", "Lee", "Wang", "Wu", "Liu", "Tsai", "Yang", "Hsu", "Cheng", "Hsieh",
             "Kuo", "Hung", "Tseng", "Chiu", "Liao", "Lai", "Chou")
_GIVEN = ("Mei-Ling", "Chih-Hao", "Shu-Fen", "Chia-Hui", "Wei-Ting", "Yu-Chen", "Chun-Hung", "Hsiu-Ying",
          "Po-Han", "Ya-Ting", "Chien-Ming", "Li-Hua", "Kuan-Yu", "Hui-Chen", "Tzu-Yi", "Ming-Te", "Pei-Shan",
          "Jun-Jie", "I-Chun", "Cheng-En")
_PRODUCTS: dict[Tier, tuple[str, ...]] = {
    Tier.A1: ("wealth management", "mortgage", "fund", "insurance", "credit card"),
    Tier.A2: ("mortgage", "fund", "credit card", "insurance", "savings"),
    Tier.A3: ("credit card", "savings", "personal loan", "fund"),
    Tier.A4: ("savings", "debit card", "credit card"),
    Tier.A5: ("credit card", "personal loan", "overdraft"),
}
_COMPLAINTS = ("card fee charged twice", "transfer delayed three days", "rude branch service",
               "wrong interest on statement", "ATM kept the card", "promised callback never came")


@dataclass(frozen=True, slots=True)
class Population:
    """A generated population; ``as_of`` ends the transactions' window."""

    as_of: dt.date
    customers: tuple[Customer, ...]
    transactions: tuple[Transaction, ...]
    cases: tuple[Case, ...]


def tier_counts(n: int, shares: dict[Tier, float] = TIER_SHARES) -> dict[Tier, int]:
    """Customers per tier, by largest remainder so the counts add up to ``n``."""
    total = sum(shares.values())
    exact = {t: n * s / total for t, s in shares.items()}
    counts = {t: int(v) for t, v in exact.items()}
    by_remainder = sorted(exact, key=lambda t: (exact[t] - counts[t], -t.rank), reverse=True)
    for t in by_remainder[: n - sum(counts.values())]:
        counts[t] += 1
    return counts


def _monthly_profit(rng: random.Random, tier: Tier) -> float:
    # Bounded bands: a scaled beta with the table's average; open-ended bands:
    # a lognormal excess beyond the edge. Kept 1 NT$ inside the band.
    if tier is Tier.A1:
        value = 2501.0 + rng.lognormvariate(0.0, 0.8) * (TIER_AVERAGE[tier] - 2501.0) / 1.377
    elif tier is Tier.A2:
        value = 501.0 + rng.betavariate(2.0, 4.05) * 1998.0
    elif tier is Tier.A3:
        value = 1.0 + rng.betavariate(2.0, 3.3) * 498.0
    elif tier is Tier.A4:
        value = -1.0 - rng.betavariate(1.0, 9.0) * 498.0
    else:
        value = -501.0 - rng.lognormvariate(0.0, 0.8) * (-TIER_AVERAGE[tier] - 501.0) / 1.377
    return round(value, 2)


def _phone(rng: random.Random, used: set[str], mobile: bool) -> str:
    while True:
        number = f"+8869{rng.randint(0, 89999999):08d}" if mobile else f"+8862{rng.randint(20000000, 29999999)}"
        if number not in used:
            used.add(number)
            return number


def _split(rng: random.Random, total: float, k: int) -> list[float]:
    # Same-sign parts, in cents, adding up to the total exactly.
    cents = round(total * 100)
    weights = [rng.expovariate(1.0) for _ in range(k)]
    scale = sum(weights)
    parts = [int(cents * w / scale) for w in weights]
    parts[-1] += cents - sum(parts)
    return [p / 100 for p in parts]


def generate(n: int, seed: int, as_of: dt.date, dedicated_agents: Sequence[str] = DEDICATED_AGENTS) -> Population:
    """Generate ``n`` customers with transactions and cases.

    Args:
        n: number of customers.
        seed: the same seed (and ``as_of``) gives the same population.
        as_of: last day of the two years of transactions.
        dedicated_agents: agents given to A1 and half of the A2 customers.
    """
    if n < 0:
        raise ValueError("n must be 0 or more")
    rng = random.Random(seed)
    tiers = [t for t, c in tier_counts(n).items() for _ in range(c)]
    rng.shuffle(tiers)
    start = window_start(as_of, WINDOW_YEARS)
    span_days = (as_of - start).days
    now = dt.datetime.combine(as_of, dt.time(9, 0), tzinfo=dt.timezone.utc)
    used_phones: set[str] = set()
    customers: list[Customer] = []
    transactions: list[Transaction] = []
    cases: list[Case] = []
    next_agent = 0
    for index, tier in enumerate(tiers, start=1):
        cid = f"C{index:06d}"
        phones = [_phone(rng, used_phones, mobile=True)]
        if rng.random() < 0.3:
            phones.append(_phone(rng, used_phones, mobile=False))
        agent = None
        if dedicated_agents and (tier is Tier.A1 or (tier is Tier.A2 and rng.random() < 0.5)):
            agent = dedicated_agents[next_agent % len(dedicated_agents)]
            next_agent += 1
        customers.append(Customer(
            id=cid,
            name=f"{rng.choice(_SURNAMES)} {rng.choice(_GIVEN)}",
            phones=tuple(phones),
            account_number=f"{index * 7919 % 10**6:06d}{index:06d}",
            dedicated_agent_id=agent,
        ))
        # Loyal customers buy often and recently; the others drifted away
        # after the first year (butterflies, strangers).
        loyal = rng.random() < (0.8 if tier in (Tier.A1, Tier.A2, Tier.A3) else 0.5)
        k = rng.randint(12, 36) if loyal else rng.randint(2, 8)
        latest = span_days if loyal else span_days * 3 // 5
        days = sorted(rng.randint(0, latest) for _ in range(k))
        if loyal:
            days[-1] = span_days - rng.randint(0, 30)
        products = _PRODUCTS[tier]
        for day, margin in zip(sorted(days), _split(rng, _monthly_profit(rng, tier) * 12 * WINDOW_YEARS, k)):
            amount = round(abs(margin) / rng.uniform(0.02, 0.25) + rng.uniform(100.0, 3000.0), 2)
            transactions.append(Transaction(cid, start + dt.timedelta(days=day), amount, margin, rng.choice(products)))
        if rng.random() < 0.03:
            opened = now - dt.timedelta(days=rng.randint(0, 40), hours=rng.randint(0, 8))
            still_open = opened > now - dt.timedelta(days=12)
            cases.append(Case(
                id=len(cases) + 1,
                customer_id=cid,
                kind=CaseKind.COMPLAINT,
                opened_at=opened,
                status=CaseStatus.OPEN if still_open else CaseStatus.CLOSED,
                due_at=default_due_at(CaseKind.COMPLAINT, opened),
                owner_agent_id=agent or f"a{rng.randint(9, 26):02d}",
                summary=rng.choice(_COMPLAINTS),
            ))
    return Population(as_of, tuple(customers), tuple(transactions), tuple(cases))
