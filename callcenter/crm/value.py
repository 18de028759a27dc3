"""Customer value: monthly profit, tier, CLV, RFM, segment, next best action.

All pure functions over :mod:`callcenter.crm.model` values.

**Monthly profit** is the sum of transaction margins in the observation
window (the ``window_years`` before ``as_of``, as_of included) divided by the
window's months.

**Tier**, from monthly profit ``p`` in NT$ (the bank table of the seed)::

    A1  p > 2,500
    A2  500 <= p <= 2,500
    A3  0 < p < 500
    A4  -500 <= p <= 0
    A5  p < -500

**CLV** (Dwyer's customer-retention model)::

    CLV = sum_{n=1..H} (m - c) * p**n / (1 + r)**n

where ``m`` is the average yearly margin over the window (monthly profit x
12), ``c`` the yearly cost to serve not already netted out of the margins
(``yearly_cost``, default 0), ``p`` the yearly retention probability
(``retention``, default 0.8), ``r`` the yearly discount rate
(``discount_rate``, default 0.10) and ``H`` the horizon (``horizon_years``,
default 5). Year 0 (acquisition) is left out: these customers are already won.

**RFM**: recency (days since the last transaction, fewer is better),
frequency (transactions in the window) and monetary (amount in the window)
are each scored 1..5 by quintile over the population: a value's percentile
rank ``(below + equal / 2) / n`` times 5, floored, plus 1. Ties score the
same; customers with no transaction get the worst recency.

**Segment**: profitable = monthly profit above ``profitable_above`` (0: the
customer makes money, A1-A3); loyal = recency and frequency scores both at
least 3. Good friends are both, butterflies only profitable, barnacles only
loyal, strangers neither.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_left, bisect_right
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from callcenter.crm.model import CustomerId, CustomerValue, Rfm, Segment, Tier, Transaction

K = TypeVar("K", bound=Hashable)

A1_ABOVE = 2500.0
A2_FROM = 500.0
A4_FROM = -500.0


@dataclass(frozen=True, slots=True)
class ValueParams:
    """Parameters of the value model (see the module docstring)."""

    window_years: int = 2
    horizon_years: int = 5
    discount_rate: float = 0.10
    retention: float = 0.80
    yearly_cost: float = 0.0
    profitable_above: float = 0.0
    loyal_min_r: int = 3
    loyal_min_f: int = 3


@dataclass(frozen=True, slots=True)
class RfmInput:
    """Raw RFM measures of one customer; ``recency_days`` None: never bought."""

    recency_days: float | None
    frequency: int
    monetary: float


def tier_for_monthly_profit(profit: float) -> Tier:
    """The tier of a monthly profit in NT$ (bands in the module docstring)."""
    if profit > A1_ABOVE:
        return Tier.A1
    if profit >= A2_FROM:
        return Tier.A2
    if profit > 0:
        return Tier.A3
    if profit >= A4_FROM:
        return Tier.A4
    return Tier.A5


def window_start(as_of: dt.date, years: int) -> dt.date:
    """First day of the observation window ending on ``as_of`` (included)."""
    try:
        start = as_of.replace(year=as_of.year - years)
    except ValueError:  # 29 February
        start = as_of.replace(year=as_of.year - years, day=28)
    return start + dt.timedelta(days=1)


def monthly_profit(transactions: Iterable[Transaction], as_of: dt.date, window_years: int = 2) -> float:
    """Sum of margins in the window divided by its months."""
    start = window_start(as_of, window_years)
    total = math.fsum(t.margin for t in transactions if start <= t.date <= as_of)
    return total / (12 * window_years)


def clv(yearly_margin: float, params: ValueParams = ValueParams()) -> float:
    """Customer lifetime value of an average yearly margin (module docstring)."""
    net = yearly_margin - params.yearly_cost
    factor = params.retention / (1.0 + params.discount_rate)
    return net * math.fsum(factor**n for n in range(1, params.horizon_years + 1))


def quintile_scores(values: Mapping[K, float], higher_is_better: bool = True) -> dict[K, int]:
    """Score each value 1..5 by its percentile rank among all values."""
    ordered = sorted(values.values())
    n = len(ordered)
    scores: dict[K, int] = {}
    for key, value in values.items():
        below = bisect_left(ordered, value)
        equal = bisect_right(ordered, value) - below
        rank = (below + equal / 2) / n
        if not higher_is_better:
            rank = 1.0 - rank
        scores[key] = min(5, max(1, 1 + math.floor(5 * rank)))
    return scores


def rfm_scores(inputs: Mapping[K, RfmInput]) -> dict[K, Rfm]:
    """RFM quintile scores of a population."""
    if not inputs:
        return {}
    # No purchase at all ranks below the longest real recency.
    longest = max((i.recency_days for i in inputs.values() if i.recency_days is not None), default=0.0)
    recency = {k: (i.recency_days if i.recency_days is not None else longest + 1.0) for k, i in inputs.items()}
    r = quintile_scores(recency, higher_is_better=False)
    f = quintile_scores({k: float(i.frequency) for k, i in inputs.items()})
    m = quintile_scores({k: i.monetary for k, i in inputs.items()})
    return {k: Rfm(r[k], f[k], m[k]) for k in inputs}


def rfm_input(transactions: Sequence[Transaction], as_of: dt.date, window_years: int = 2) -> RfmInput:
    """Recency, frequency and monetary of one customer's transactions."""
    start = window_start(as_of, window_years)
    dates = [t.date for t in transactions if t.date <= as_of]
    in_window = [t for t in transactions if start <= t.date <= as_of]
    recency = float((as_of - max(dates)).days) if dates else None
    return RfmInput(recency, len(in_window), math.fsum(t.amount for t in in_window))


def segment_for(profit: float, rfm: Rfm, params: ValueParams = ValueParams()) -> Segment:
    """Profit x loyalty quadrant."""
    profitable = profit > params.profitable_above
    loyal = rfm.r >= params.loyal_min_r and rfm.f >= params.loyal_min_f
    if profitable:
        return Segment.GOOD_FRIEND if loyal else Segment.BUTTERFLY
    return Segment.BARNACLE if loyal else Segment.STRANGER


def assess(
    customer_ids: Iterable[CustomerId],
    transactions: Iterable[Transaction],
    as_of: dt.date,
    params: ValueParams = ValueParams(),
) -> dict[CustomerId, CustomerValue]:
    """Value of every customer of a population (RFM is relative to it).

    Args:
        customer_ids: the population; customers without transactions count.
        transactions: their transactions (others are ignored).
        as_of: the last day of the observation window.
        params: the value model's parameters.
    """
    by_customer: dict[CustomerId, list[Transaction]] = {c: [] for c in customer_ids}
    for t in transactions:
        if t.customer_id in by_customer:
            by_customer[t.customer_id].append(t)
    rfm = rfm_scores({c: rfm_input(ts, as_of, params.window_years) for c, ts in by_customer.items()})
    out: dict[CustomerId, CustomerValue] = {}
    for c, ts in by_customer.items():
        profit = monthly_profit(ts, as_of, params.window_years)
        out[c] = CustomerValue(
            monthly_profit=round(profit, 2),
            tier=tier_for_monthly_profit(profit),
            clv=round(clv(profit * 12, params), 2),
            rfm=rfm[c],
            segment=segment_for(profit, rfm[c], params),
        )
    return out


ACKNOWLEDGE_COMPLAINT = "acknowledge the open complaint first"
UNKNOWN_CALLER = "identify the caller; offer to register them"

_ACTIONS: dict[tuple[Tier, Segment], str] = {
    (Tier.A1, Segment.GOOD_FRIEND): "personal thanks; offer premium review",
    (Tier.A1, Segment.BUTTERFLY): "win back personally: ask what would keep them; offer a retention benefit",
    (Tier.A2, Segment.GOOD_FRIEND): "thank them; offer an upgrade or portfolio review",
    (Tier.A2, Segment.BUTTERFLY): "retain: ask about needs elsewhere; offer a loyalty benefit",
    (Tier.A3, Segment.GOOD_FRIEND): "invest: cross-sell a product they do not hold",
    (Tier.A3, Segment.BUTTERFLY): "invest: cross-sell with a loyalty offer",
}
_BY_SEGMENT: dict[Segment, str] = {
    Segment.GOOD_FRIEND: "thank them; cross-sell",
    Segment.BUTTERFLY: "retain: offer a loyalty benefit",
    Segment.BARNACLE: "suggest self-service channels",
    Segment.STRANGER: "serve efficiently; point to self-service",
}
_LOSS_MAKING = "review pricing and fees; move to lower-cost channels"


def next_best_action(tier: Tier | None, segment: Segment | None, open_complaint: bool = False) -> str:
    """A one-line hint for the agent, from tier and segment.

    An open complaint comes first whatever the value; loss-making A5 customers
    get a re-pricing hint (seed digest: fix, re-price, move channel).
    """
    if tier is None or segment is None:
        base = UNKNOWN_CALLER
    elif tier is Tier.A5:
        base = _LOSS_MAKING
    else:
        base = _ACTIONS.get((tier, segment), _BY_SEGMENT[segment])
    return f"{ACKNOWLEDGE_COMPLAINT}; then {base}" if open_complaint else base
