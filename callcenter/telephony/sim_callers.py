"""Who calls the simulated switch, and when: the simulation package's models, in clock time.

Arrivals are the non-homogeneous Poisson process of ``simulation.arrivals``
over ``traffic.yaml``'s per-interval volumes; handle times, patience and
callers (a tiered population, ``simulation.population.Customers``) are drawn
exactly as the virtual-time simulator draws them, from the same named
random streams. Only the time axis differs: traffic seconds count from the
center's local midnight, so ``day_origin`` (that midnight as clock time) is
added to every arrival.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from simulation.arrivals import arrival_times
from simulation.model import Distribution, Traffic, lognormal
from simulation.population import Customers
from simulation.rng import Draws, sample, streams

STREAMS = ["arrivals", "callers", "handle", "patience", "population", "ring", "miss", "external", "think"]
DEFAULT_TALK = lognormal(300.0, 0.8)


@dataclass(frozen=True, slots=True)
class Arrival:
    """One simulated inbound call.

    ``intent`` is the traffic queue the caller wants (the IVR's simulated
    caller steers there); ``called_number`` the number they dial.
    """

    at: float
    intent: str
    called_number: str
    caller_number: str
    tier: int
    handle_s: float
    patience_s: float  # inf: never hangs up while waiting


def schedule(
    traffic: Traffic,
    seed: int,
    day_origin: float,
    from_t: float,
    until_t: float | None = None,
    known_numbers: Mapping[int, Sequence[str]] | None = None,
    entry_numbers: Mapping[str, str] | None = None,
) -> list[Arrival]:
    """Every arrival in ``[from_t, until_t)`` (clock time), in order.

    Args:
        traffic: volumes, handle times, patience and population.
        seed: same seed, same callers (the whole day is drawn, then cut).
        day_origin: clock time of traffic second 0 (local midnight).
        from_t: first clock time to keep.
        until_t: end (None: the traffic's last interval).
        known_numbers: per tier (1-5), phone numbers of known customers; a
            simulated customer of that tier calls from one of them (so the
            screen pop finds them). Other callers get an unlisted number.
        entry_numbers: queue id -> the number its callers dial (default:
            the queue id itself).
    """
    rng = streams(seed, STREAMS)
    known = {tier: list(numbers) for tier, numbers in (known_numbers or {}).items() if numbers}
    entries = dict(entry_numbers or {})
    customers = Customers(traffic.population, rng["population"]) if traffic.population is not None else None
    out: list[Arrival] = []
    lo = from_t - day_origin
    hi = None if until_t is None else until_t - day_origin
    for q in traffic.queues:
        t = arrival_times(q.calls, traffic.start_s, traffic.interval_s, rng["arrivals"], from_s=lo, until_s=hi)
        n = int(t.size)
        unit = Distribution(q.handle_time.kind, 1.0, q.handle_time.cv)
        h = sample(unit, rng["handle"], n)
        if q.aht_s is not None:
            ix = np.clip(((t - traffic.start_s) // traffic.interval_s).astype(int), 0, len(q.aht_s) - 1)
            h *= np.asarray(q.aht_s, dtype=float)[ix]
        else:
            h *= q.handle_time.mean_s
        p = sample(q.patience, rng["patience"], n) if q.patience is not None else np.full(n, np.inf)
        who = customers.pick(rng["callers"], n, q.tiers) if customers is not None else np.full(n, -1)
        for i in range(n):
            c = int(who[i])
            tier = int(customers.tier[c]) if customers is not None and c >= 0 else 3
            numbers = known.get(tier)
            if numbers and c >= 0:
                number = numbers[c % len(numbers)]
            else:
                number = f"+8869{(c if c >= 0 else i) % 10**8:08d}"
            out.append(Arrival(
                at=day_origin + float(t[i]), intent=q.queue_id, called_number=entries.get(q.queue_id, q.queue_id),
                caller_number=number, tier=tier, handle_s=max(1.0, float(h[i])), patience_s=float(p[i]),
            ))
    out.sort(key=lambda a: a.at)
    return out


def talk_draws(traffic: Traffic | None, rng: np.random.Generator) -> list[Draws]:
    """Talk-time draws for parties outside the center (callback customers,
    transfer targets): one per traffic queue, picked at random per call."""
    if traffic is None or not traffic.queues:
        return [Draws(DEFAULT_TALK, rng)]
    return [Draws(q.handle_time, rng) for q in traffic.queues]
