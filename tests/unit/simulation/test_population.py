"""The customer population follows the five-tier bank table."""

from __future__ import annotations

import numpy as np

from simulation.model import Population, bank_tiers
from simulation.population import Customers


def test_tier_shares_follow_the_bank_table() -> None:
    customers = Customers(Population(customers=10000), np.random.default_rng(0))
    shares = np.bincount(customers.tier, minlength=6)[1:] / len(customers)
    assert np.allclose(shares, [0.02, 0.08, 0.17, 0.71, 0.02], atol=1e-4)


def test_clv_has_the_sign_and_order_of_the_tiers() -> None:
    customers = Customers(Population(customers=5000), np.random.default_rng(0))
    means = [customers.clv[customers.tier == t].mean() for t in range(1, 6)]
    assert means[0] > means[1] > means[2] > 0 > means[3] > means[4]
    # Top 10 % of customers (A1 + A2) hold more than all the value: the table's shape.
    assert customers.clv[customers.tier <= 2].sum() > customers.clv.sum()
    assert np.all(customers.clv[customers.tier == 4] < 0)


def test_some_top_customers_have_a_dedicated_agent_and_no_others() -> None:
    agents = ["a27", "a28", "a29"]
    customers = Customers(Population(customers=5000), np.random.default_rng(2), dedicated_agents=agents)
    dedicated = np.array([d is not None for d in customers.dedicated])
    share = {t: dedicated[customers.tier == t].mean() for t in range(1, 6)}
    spec = {t.tier: t.dedicated_share for t in bank_tiers()}
    assert abs(share[1] - spec[1]) < 0.15 and abs(share[2] - spec[2]) < 0.06
    assert share[3] == share[4] == share[5] == 0
    assert {d for d in customers.dedicated if d} <= set(agents)


def test_frequent_callers_call_more_and_tier_filter_holds() -> None:
    customers = Customers(Population(customers=2000), np.random.default_rng(0))
    rng = np.random.default_rng(5)
    picked = customers.pick(rng, 20000)
    per_customer_a1 = np.isin(picked, np.flatnonzero(customers.tier == 1)).sum() / (customers.tier == 1).sum()
    per_customer_a4 = np.isin(picked, np.flatnonzero(customers.tier == 4)).sum() / (customers.tier == 4).sum()
    assert per_customer_a1 > 1.5 * per_customer_a4  # call_weight 2 vs 1
    # Customers call again: far fewer distinct callers than calls.
    assert len(set(picked.tolist())) < len(picked) / 5
    vip = customers.pick(rng, 500, tiers=[1, 2])
    assert set(customers.tier[vip].tolist()) <= {1, 2}
