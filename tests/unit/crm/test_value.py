"""Value model: tiers, CLV, RFM, segments, next best action."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcenter.crm.model import Rfm, Segment, Tier, Transaction
from callcenter.crm.value import (
    ACKNOWLEDGE_COMPLAINT,
    RfmInput,
    ValueParams,
    assess,
    clv,
    monthly_profit,
    next_best_action,
    rfm_scores,
    segment_for,
    tier_for_monthly_profit,
)

money = st.floats(min_value=-1e7, max_value=1e7, allow_nan=False)


@pytest.mark.parametrize(("profit", "tier"), [
    (5990, Tier.A1), (2500.01, Tier.A1), (2500, Tier.A2), (1162, Tier.A2), (500, Tier.A2), (499.99, Tier.A3),
    (1, Tier.A3), (0.01, Tier.A3), (0, Tier.A4), (-50, Tier.A4), (-500, Tier.A4), (-500.01, Tier.A5),
    (-7617, Tier.A5),
])
def test_tier_bands_of_the_bank_table(profit: float, tier: Tier) -> None:
    assert tier_for_monthly_profit(profit) is tier


@given(money, money)
def test_tiers_are_monotone_in_profit(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert tier_for_monthly_profit(high).rank <= tier_for_monthly_profit(low).rank


@given(money)
def test_every_profit_has_exactly_one_tier(profit: float) -> None:
    assert tier_for_monthly_profit(profit) in set(Tier)


def test_clv_by_hand() -> None:
    params = ValueParams(horizon_years=3, discount_rate=0.1, retention=0.8, yearly_cost=100.0)
    expected = sum(900.0 * 0.8**n / 1.1**n for n in (1, 2, 3))
    assert clv(1000.0, params) == pytest.approx(expected)


@given(money, st.floats(min_value=0, max_value=1e6), st.floats(min_value=0.0, max_value=1.0))
def test_clv_grows_with_margin(margin: float, more: float, retention: float) -> None:
    params = ValueParams(retention=retention)
    assert clv(margin + more, params) >= clv(margin, params) - 1e-6


@given(st.floats(min_value=1.0, max_value=1e6), st.floats(min_value=0.0, max_value=0.5),
       st.floats(min_value=0.001, max_value=0.5))
def test_clv_falls_as_the_discount_rate_rises(margin: float, rate: float, step: float) -> None:
    assert clv(margin, ValueParams(discount_rate=rate + step)) < clv(margin, ValueParams(discount_rate=rate))


inputs = st.builds(RfmInput, st.one_of(st.none(), st.floats(min_value=0, max_value=3650)),
                   st.integers(min_value=0, max_value=500), st.floats(min_value=0, max_value=1e8))


@given(st.dictionaries(st.text(min_size=1, max_size=4), inputs, min_size=1, max_size=60))
def test_rfm_scores_are_1_to_5_and_monotone(population: dict[str, RfmInput]) -> None:
    scores = rfm_scores(population)
    assert set(scores) == set(population)
    for score in scores.values():
        assert {score.r, score.f, score.m} <= {1, 2, 3, 4, 5}
    for a in population:
        for b in population:
            if population[a].monetary > population[b].monetary:
                assert scores[a].m >= scores[b].m
            if population[a].frequency > population[b].frequency:
                assert scores[a].f >= scores[b].f


def test_rfm_quintiles_split_a_population_evenly() -> None:
    population = {str(i): RfmInput(float(100 - i), i, float(i * 10)) for i in range(100)}
    scores = rfm_scores(population)
    for field in ("r", "f", "m"):
        counts = [sum(getattr(s, field) == q for s in scores.values()) for q in range(1, 6)]
        assert counts == [20, 20, 20, 20, 20]
    assert scores["99"] == Rfm(5, 5, 5) and scores["0"].code == "111" and scores["99"].score == 15
    never = rfm_scores({"a": RfmInput(None, 0, 0.0), "b": RfmInput(400.0, 1, 10.0)})
    assert never["a"].r < never["b"].r


def test_segments_by_profit_and_loyalty() -> None:
    loyal, fickle = Rfm(4, 3, 2), Rfm(2, 5, 5)
    assert segment_for(300.0, loyal) is Segment.GOOD_FRIEND
    assert segment_for(300.0, fickle) is Segment.BUTTERFLY
    assert segment_for(-20.0, loyal) is Segment.BARNACLE
    assert segment_for(0.0, fickle) is Segment.STRANGER


def test_next_best_action_by_tier_segment_and_complaint() -> None:
    assert next_best_action(Tier.A1, Segment.GOOD_FRIEND) == "personal thanks; offer premium review"
    assert next_best_action(Tier.A4, Segment.BARNACLE) == "suggest self-service channels"
    assert next_best_action(Tier.A1, Segment.GOOD_FRIEND, open_complaint=True).startswith(ACKNOWLEDGE_COMPLAINT)
    assert "pricing" in next_best_action(Tier.A5, Segment.STRANGER)
    assert next_best_action(None, None).startswith("identify the caller")
    for tier in Tier:
        for segment in Segment:
            assert next_best_action(tier, segment)


def test_assess_uses_the_two_year_window() -> None:
    as_of = dt.date(2025, 6, 30)
    txns = [
        Transaction("C1", dt.date(2025, 6, 1), 1000.0, 24000.0),    # in the window
        Transaction("C1", dt.date(2023, 6, 30), 1000.0, 999999.0),  # one day too old
        Transaction("C2", dt.date(2024, 1, 1), 500.0, -24000.0),
    ]
    assert monthly_profit([t for t in txns if t.customer_id == "C1"], as_of) == 1000.0
    values = assess(["C1", "C2", "C3"], txns, as_of)
    assert (values["C1"].tier, values["C2"].tier, values["C3"].tier) == (Tier.A2, Tier.A5, Tier.A4)
    assert values["C1"].clv > 0 > values["C2"].clv and values["C3"].clv == 0
    assert values["C1"].rfm.r > values["C3"].rfm.r
