"""Erlang C: our vectorised staffing against pyworkforce's ErlangC, same inputs.

Prints, for a 96-interval day (15-minute intervals) and an 80/20 target:
whether both give the same required agents per interval, the largest
relative difference of P(wait) and service level at those agents, and the
speed ratio (their time / ours, best of several runs, measured in this run).

Run: python3 benchmarks/bench_erlang.py [--scale 1.0]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from pyworkforce.queuing import ErlangC

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere

from wfm.erlang import erlang_c, service_level
from wfm.staffing import StaffingTarget, required_agents

INTERVAL_S = 900.0
TARGET, WITHIN_S = 0.8, 20.0


def day(scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Two-peaked intraday curve of calls per 15 minutes, AHT varying by hour."""
    t = np.arange(96) / 4.0  # hour of day
    shape = np.exp(-((t - 10.5) ** 2) / 4.0) + 0.8 * np.exp(-((t - 15.0) ** 2) / 5.0)
    calls = np.round(5 + 250 * scale * shape)
    aht = 200 + 60 * np.sin(t / 24 * 2 * np.pi)
    return calls, aht


def ours(calls: np.ndarray, aht: np.ndarray) -> np.ndarray:
    return required_agents(calls, aht, INTERVAL_S, StaffingTarget(TARGET, WITHIN_S)).agents


def theirs(calls: np.ndarray, aht: np.ndarray) -> np.ndarray:
    # pyworkforce works in minutes; its "asa" is the service-level threshold.
    return np.array([
        ErlangC(transactions=c, aht=h / 60, asa=WITHIN_S / 60, interval=INTERVAL_S / 60)
        .required_positions(service_level=TARGET)["raw_positions"]
        for c, h in zip(calls, aht)
    ])


def best_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the call volume (1.0: peak ~260 calls/15 min)")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    calls, aht = day(args.scale)
    traffic = calls * aht / INTERVAL_S
    a, b = ours(calls, aht), theirs(calls, aht)
    print(f"day: 96 intervals of 15 min, {calls.sum():.0f} calls, traffic {traffic.min():.1f}-{traffic.max():.1f} Erlangs")
    print(f"required agents (80/20): same in {int((a == b).sum())}/96 intervals, total ours {a.sum()} theirs {b.sum()}")
    for k in np.flatnonzero(a != b):
        print(f"  interval {k}: ours {a[k]}, theirs {b[k]} (traffic {traffic[k]:.3f}; pyworkforce starts at round(A + 1))")
    rel_pw, rel_sl = 0.0, 0.0
    for i in range(96):
        ref = ErlangC(transactions=calls[i], aht=aht[i] / 60, asa=WITHIN_S / 60, interval=INTERVAL_S / 60)
        n = int(b[i])
        rel_pw = max(rel_pw, abs(erlang_c(n, traffic[i]) / ref.waiting_probability(n) - 1))
        rel_sl = max(rel_sl, abs(service_level(n, traffic[i], aht[i], WITHIN_S) / ref.service_level(n) - 1))
    print(f"max relative difference at the same agents: P(wait) {rel_pw:.1e}, service level {rel_sl:.1e}")
    t_ours = best_of(lambda: ours(calls, aht), args.repeat)
    t_theirs = best_of(lambda: theirs(calls, aht), args.repeat)
    print(f"time for the day: ours {t_ours * 1e3:.2f} ms, pyworkforce {t_theirs * 1e3:.2f} ms, "
          f"ours is {t_theirs / t_ours:.1f}x faster")


if __name__ == "__main__":
    main()
