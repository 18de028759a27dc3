"""The simulator against queueing theory: M/M/N (Erlang C) and M/M/N+M (Erlang A).

Independent replications (different seeds) give one estimate each; the
theoretical value must lie in the 95 % confidence interval of their mean.
The runs go through the public single-queue entry point, and so through
the real router and the whole driver.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner
from scipy import stats

from callcenter.cli import main
from simulation.single_queue import SingleQueue, run_single_queue
from wfm.erlang import erlang_a, erlang_c_metrics

REPLICATIONS = 20


def confidence_interval(values: list[float]) -> tuple[float, float]:
    x = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
    return float(x.mean() - half), float(x.mean() + half)


def replicate(model: SingleQueue, field: str) -> list[float]:
    out = []
    for seed in range(REPLICATIONS):
        value = getattr(run_single_queue(model, 1000 + seed).stats, field)
        assert value is not None
        out.append(float(value))
    return out


# 10 Erlangs on 12 agents: P(wait) about 0.45, SL(20 s) about 0.64.
MMN = SingleQueue(calls_per_hour=200.0, aht_s=180.0, agents=12, answer_within_s=20.0, hours=4.0, warmup_s=1800.0)
# The same traffic on 10 agents with 2-minute patience: about 14 % abandon.
MMNM = SingleQueue(
    calls_per_hour=200.0, aht_s=180.0, agents=10, answer_within_s=20.0, hours=4.0, warmup_s=1800.0, patience_s=120.0
)


@pytest.fixture(scope="module")
def mmn_runs() -> list[object]:
    return [run_single_queue(MMN, 1000 + s).stats for s in range(REPLICATIONS)]


@pytest.fixture(scope="module")
def mmnm_runs() -> list[object]:
    return [run_single_queue(MMNM, 2000 + s).stats for s in range(REPLICATIONS)]


@pytest.mark.parametrize("field", ["p_wait", "service_level", "asa_s"])
def test_mmn_matches_erlang_c(mmn_runs: list[object], field: str) -> None:
    theory = erlang_c_metrics(MMN.agents, MMN.calls_per_hour * MMN.aht_s / 3600.0, MMN.aht_s, MMN.answer_within_s)
    lo, hi = confidence_interval([getattr(s, field) for s in mmn_runs])
    assert lo <= float(getattr(theory, field)) <= hi


@pytest.mark.parametrize("field", ["abandon_rate", "p_wait", "service_level"])
def test_mmn_with_patience_matches_erlang_a(mmnm_runs: list[object], field: str) -> None:
    assert MMNM.patience_s is not None
    theory = erlang_a(MMNM.agents, MMNM.calls_per_hour / 3600.0, MMNM.aht_s, MMNM.patience_s, MMNM.answer_within_s)
    lo, hi = confidence_interval([getattr(s, field) for s in mmnm_runs])
    assert lo <= float(getattr(theory, field)) <= hi


def test_nobody_abandons_without_patience(mmn_runs: list[object]) -> None:
    assert all(getattr(s, "abandoned") == 0 for s in mmn_runs)


def test_the_cli_json_matches_erlang_c() -> None:
    values = []
    for seed in range(8):
        result = CliRunner().invoke(
            main,
            ["simulate", "--calls-per-hour", "200", "--aht", "180", "--agents", "12", "--answer-within", "20",
             "--hours", "4", "--seed", str(seed), "--warmup-min", "30", "--json"],
        )
        assert result.exit_code == 0, result.output
        q = json.loads(result.stdout)["queues"]["q"]
        assert set(q) >= {"offered", "answered", "abandoned", "service_level", "asa_s", "aht_s", "occupancy", "p_wait"}
        assert 0 <= q["service_level"] <= 1 and 0 <= q["occupancy"] <= 1
        values.append(q["p_wait"])
    lo, hi = confidence_interval(values)
    assert lo <= float(erlang_c_metrics(12, 10.0, 180.0, 20.0).p_wait) <= hi
