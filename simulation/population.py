"""A customer population in value tiers, shaped like the seed's bank table."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from acd.model import AgentId
from simulation.model import Population


def customer_id(index: int) -> str:
    """The id of customer ``index`` of a population."""
    return f"c{index:06d}"


class Customers:
    """``population.customers`` customers with a tier, a CLV and maybe a
    dedicated account agent, and a way to pick who is calling.

    Tiers are assigned in exact proportion to their shares (largest
    remainder), so a small population still has its A1s. CLV is the tier's
    mean times a lognormal spread (cv 0.5), keeping the tier's sign.
    """

    def __init__(
        self,
        population: Population,
        rng: np.random.Generator,
        dedicated_agents: Sequence[AgentId] = (),
    ) -> None:
        n = population.customers
        if n <= 0:
            raise ValueError(f"a population needs customers > 0, got {n}")
        specs = sorted(population.tiers, key=lambda t: t.tier)
        shares = np.array([t.share for t in specs], dtype=float)
        if shares.sum() <= 0:
            raise ValueError("tier shares must add up to more than 0")
        shares = shares / shares.sum()
        exact = shares * n
        counts = np.floor(exact).astype(int)
        for i in np.argsort(-(exact - counts))[: n - int(counts.sum())]:
            counts[i] += 1
        self._n = n
        self._ids: list[str] | None = None  # built on first use: a run needs only its callers'
        self.tier = np.repeat(np.array([t.tier for t in specs]), counts)
        spread = rng.lognormal(-0.5 * np.log1p(0.25), np.sqrt(np.log1p(0.25)), n)
        self.clv = np.repeat(np.array([t.clv for t in specs], dtype=float), counts) * spread
        weight = np.repeat(np.array([t.call_weight for t in specs], dtype=float), counts)
        self.dedicated: list[AgentId | None] = [None] * n
        if dedicated_agents:
            share = np.repeat(np.array([t.dedicated_share for t in specs]), counts)
            has = rng.random(n) < share
            picks = rng.integers(0, len(dedicated_agents), n)
            for i in np.flatnonzero(has):
                self.dedicated[int(i)] = dedicated_agents[int(picks[i])]
        self._weight = weight
        self._tier_index = {t.tier: np.flatnonzero(self.tier == t.tier) for t in specs}

    @property
    def ids(self) -> list[str]:
        """Every customer's id (``customer_id`` of its index)."""
        if self._ids is None:
            self._ids = [customer_id(i) for i in range(self._n)]
        return self._ids

    def __len__(self) -> int:
        return self._n

    def pick(self, rng: np.random.Generator, n: int, tiers: Sequence[int] | None = None) -> np.ndarray:
        """Indices of the customers making ``n`` calls, weighted by call frequency.

        Args:
            rng: the caller stream.
            n: number of calls.
            tiers: only customers of these tiers call (None: everyone).
        """
        if tiers is None:
            pool = np.arange(self._n)
        else:
            pool = np.concatenate([self._tier_index.get(t, np.empty(0, dtype=int)) for t in tiers])
            if pool.size == 0:
                raise ValueError(f"no customers in tiers {list(tiers)}")
        w = self._weight[pool]
        return pool[rng.choice(pool.size, size=n, p=w / w.sum())]
