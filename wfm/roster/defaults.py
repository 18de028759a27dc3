"""Built-in shift templates, breaks and contract, so a planner can start from
requirements and a head count alone."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence

from wfm.roster.rules import Agent, BreakRule, Contract, ShiftTemplate

# A 15-min break 1.5-3 h in, a 30-min unpaid lunch 3.5-5 h in, a 15-min break 5.5-7 h in.
DEFAULT_BREAKS = (
    BreakRule("break", 15, 90, 180),
    BreakRule("lunch", 30, 210, 300, paid=False),
    BreakRule("break", 15, 330, 420),
)


def _times(*clock: str) -> tuple[dt.time, ...]:
    return tuple(dt.time.fromisoformat(c) for c in clock)


# 8.5 h on site (8 h paid): early, day and late starts cover roughly 07:00-22:30.
DEFAULT_TEMPLATES = (
    ShiftTemplate("early", _times("07:00", "08:00"), 510, cost_per_hour=20.0, breaks=DEFAULT_BREAKS),
    ShiftTemplate("day", _times("09:00", "10:00", "11:00"), 510, cost_per_hour=20.0, breaks=DEFAULT_BREAKS),
    ShiftTemplate("late", _times("12:00", "13:00", "14:00"), 510, cost_per_hour=22.0, breaks=DEFAULT_BREAKS),
)

DEFAULT_CONTRACT = Contract(
    name="full-time",
    min_hours_week=24.0,
    max_hours_week=40.0,
    max_consecutive_days=6,
    min_rest_hours=11.0,
    days_off_per_week=2,
)


def generate_agents(
    count: int,
    skills: Sequence[str],
    seed: int = 1,
    contract: Contract = DEFAULT_CONTRACT,
    weights: Sequence[float] | None = None,
) -> tuple[Agent, ...]:
    """Make ``count`` agents whose skills match the requirement skills.

    Every agent gets one primary skill (drawn in proportion to ``weights``,
    e.g. each skill's total requirement, equal when None) at level 5-9; about
    a third also get a second skill at level 3-6, so cross-cover exists.

    Args:
        count: number of agents.
        skills: skill names to draw from.
        seed: random seed (same seed, same agents).
        contract: contract given to every agent.
        weights: relative demand per skill.
    """
    rng = random.Random(seed)
    names = list(skills)
    share = list(weights) if weights is not None and sum(weights) > 0 else [1.0] * len(names)
    width = max(3, len(str(count)))
    agents: list[Agent] = []
    for i in range(count):
        levels: dict[str, int] = {}
        if names:
            primary = rng.choices(names, weights=share)[0]
            levels[primary] = rng.randint(5, 9)
            others = [n for n in names if n != primary]
            if others and rng.random() < 1 / 3:
                levels[rng.choice(others)] = rng.randint(3, 6)
        agents.append(Agent(f"A{i + 1:0{width}d}", levels, contract))
    return tuple(agents)
