"""Seeded random streams.

Each kind of draw has its own stream, spawned from one seed, so that adding
draws of one kind (say, more ring delays) does not shift any other kind: same
seed, same arrivals. Draws are made in blocks, because one numpy call per
value costs more than the rest of the simulator's work per call.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import numpy as np

from simulation.model import Distribution, DistKind

_BLOCK = 1024


def streams(seed: int, names: list[str]) -> dict[str, np.random.Generator]:
    """One independent generator per name, all derived from ``seed``.

    The n-th name always gets the n-th child of the seed sequence, so callers
    should pass names in a fixed order.
    """
    children = np.random.SeedSequence(seed).spawn(len(names))
    return {name: np.random.Generator(np.random.PCG64(child)) for name, child in zip(names, children)}


def sample(dist: Distribution, rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` draws of ``dist`` as a float array."""
    if dist.kind is DistKind.FIXED or dist.mean_s == 0:
        return np.full(n, float(dist.mean_s))
    if dist.kind is DistKind.EXPONENTIAL:
        return rng.exponential(dist.mean_s, n)
    sigma2 = math.log1p(dist.cv * dist.cv)
    mu = math.log(dist.mean_s) - sigma2 / 2.0
    return rng.lognormal(mu, math.sqrt(sigma2), n)


def draws(dist: Distribution, rng: np.random.Generator) -> Iterator[float]:
    """Endless draws of ``dist``, the same values as ``Draws`` (``next()`` on a
    generator costs less than a method call: hot paths draw once per call)."""
    while True:
        yield from sample(dist, rng, _BLOCK).tolist()


def uniforms(rng: np.random.Generator) -> Iterator[float]:
    """Endless uniform [0, 1) draws, the same values as ``Uniforms``."""
    while True:
        yield from rng.random(_BLOCK).tolist()


class Draws:
    """An endless supply of draws from one distribution, made in blocks."""

    __slots__ = ("_dist", "_rng", "_buf", "_i")

    def __init__(self, dist: Distribution, rng: np.random.Generator) -> None:
        self._dist = dist
        self._rng = rng
        self._buf: list[float] = []
        self._i = 0

    def next(self) -> float:
        """The next draw."""
        if self._i >= len(self._buf):
            self._buf = sample(self._dist, self._rng, _BLOCK).tolist()
            self._i = 0
        value = self._buf[self._i]
        self._i += 1
        return value


class Uniforms:
    """An endless supply of uniform [0, 1) draws, made in blocks."""

    __slots__ = ("_rng", "_buf", "_i")

    def __init__(self, rng: np.random.Generator) -> None:
        self._rng = rng
        self._buf: list[float] = []
        self._i = 0

    def next(self) -> float:
        """The next draw."""
        if self._i >= len(self._buf):
            self._buf = self._rng.random(_BLOCK).tolist()
            self._i = 0
        value = self._buf[self._i]
        self._i += 1
        return value
