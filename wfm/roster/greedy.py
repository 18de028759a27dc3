"""A fast greedy roster: a starting point (solution hint) for CP-SAT.

Day by day it adds the shift option that covers the most remaining
requirement and gives it to an eligible agent (hard rules respected), the one
furthest below their contract minimum first. Breaks are left to the solver.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from wfm.roster.problem import Prepared, week_limits


class _AgentState:
    __slots__ = ("shifts", "week_minutes", "week_days")

    def __init__(self, weeks: int) -> None:
        self.shifts: dict[int, int] = {}
        self.week_minutes = [0] * weeks
        self.week_days = [0] * weeks


def _eligible(prep: Prepared, state: _AgentState, a: int, day: int, s: int) -> bool:
    problem = prep.problem
    contract = problem.agents[a].contract
    if day in state.shifts or s not in prep.allowed[a][day]:
        return False
    week = day // 7
    days_in_week = min(7, problem.horizon.days - week * 7)
    _, max_minutes, max_days = week_limits(
        days_in_week, contract.min_hours_week, contract.max_hours_week, contract.days_off_per_week
    )
    if state.week_days[week] + 1 > max_days or state.week_minutes[week] + prep.options[s].paid_minutes > max_minutes:
        return False
    before = 0
    while day - before - 1 in state.shifts:
        before += 1
    after = 0
    while day + after + 1 in state.shifts:
        after += 1
    if before + after + 1 > contract.max_consecutive_days:
        return False
    conflicts = prep.rest(contract.min_rest_hours)
    for gap in (1, 2):
        earlier = state.shifts.get(day - gap)
        if earlier is not None and s in conflicts.get((earlier, gap), ()):
            return False
        later = state.shifts.get(day + gap)
        if later is not None and later in conflicts.get((s, gap), ()):
            return False
    return True


Roster = dict[tuple[int, int], int]
Breaks = dict[tuple[int, int], tuple[int, ...]]


def greedy_roster(prep: Prepared, targets: Mapping[tuple[int, int], int] | None = None) -> tuple[Roster, Breaks]:
    """A roster respecting every hard rule (break cap included), built greedily.

    Args:
        prep: derived problem facts.
        targets: optional (day, option) -> head count (e.g. from the shift
            coverage model); without it options are picked by remaining need.

    Returns:
        (agent index, day) -> option index, and (agent index, day) -> chosen
        offset index per break rule.
    """
    problem = prep.problem
    horizon = problem.horizon
    slot = horizon.slot_minutes
    weeks = len(horizon.weeks())
    states = [_AgentState(weeks) for _ in problem.agents]
    residual = {k: [float(v) for v in values] for k, values in problem.requirements.items()}
    total = [sum(r[t] for r in residual.values()) for t in range(horizon.n_slots)]
    out: Roster = {}
    breaks: Breaks = {}
    weights = problem.weights
    cap = problem.break_cap.max_on_break if problem.break_cap is not None else None
    on_break = [0] * horizon.n_slots

    def place_breaks(day: int, s: int) -> tuple[int, ...] | None:
        # Each break at the offset with the fewest agents already on break; None if the cap forbids.
        picks = []
        for footprints in prep.break_footprint[s]:
            def load(o: int) -> int:
                slots = [t for t in (prep.slot_range(day, rel) for rel in footprints[o]) if t is not None]
                return max((on_break[t] for t in slots), default=0)

            best = min(range(len(footprints)), key=load)
            if cap is not None and load(best) + 1 > cap:
                return None
            picks.append(best)
        return tuple(picks)

    def pick(day: int, s: int) -> int | None:
        # Remaining need this option would meet, per skill; an agent meets their skills' share.
        per_skill = dict.fromkeys(residual, 0.0)
        for rel, minutes in prep.presence[s].items():
            t = prep.slot_range(day, rel)
            if t is not None:
                for k in residual:
                    per_skill[k] += min(max(residual[k][t], 0.0), minutes / slot)
        best: tuple[float, float, int] | None = None
        for a in range(len(problem.agents)):
            if not _eligible(prep, states[a], a, day, s):
                continue
            contract = problem.agents[a].contract
            deficit = contract.min_hours_week * 60 * weeks - sum(states[a].week_minutes)
            need = sum(per_skill[k] for k in problem.agents[a].skills if k in per_skill)
            key = (need, deficit, -a)
            if best is None or key > best:
                best = key
        return None if best is None else -best[2]

    def assign(a: int, day: int, s: int, offsets: tuple[int, ...]) -> None:
        state = states[a]
        breaks[(a, day)] = offsets
        for footprints, o in zip(prep.break_footprint[s], offsets):
            for rel in footprints[o]:
                t = prep.slot_range(day, rel)
                if t is not None:
                    on_break[t] += 1
        state.shifts[day] = s
        state.week_minutes[day // 7] += prep.options[s].paid_minutes
        state.week_days[day // 7] += 1
        out[(a, day)] = s
        for rel, minutes in prep.presence[s].items():
            t = prep.slot_range(day, rel)
            if t is None:
                continue
            total[t] -= minutes / slot
            for k in problem.agents[a].skills:
                if k in residual:
                    residual[k][t] -= minutes / slot

    for day in range(horizon.days):
        if targets is not None:
            for s in range(len(prep.options)):
                for _ in range(targets.get((day, s), 0)):
                    a = pick(day, s)
                    offsets = place_breaks(day, s)
                    if a is None or offsets is None:
                        break
                    assign(a, day, s, offsets)
            continue
        _fill_day(prep, day, states, residual, total, place_breaks, assign)
    # Top up agents below their contract minimum with the shifts that cover most remaining need.
    for a, agent in enumerate(problem.agents):
        contract = agent.contract
        for w, week in enumerate(horizon.weeks()):
            low, _, _ = week_limits(len(week), contract.min_hours_week, contract.max_hours_week, contract.days_off_per_week)
            while states[a].week_minutes[w] < low:
                best: tuple[float, int, int, tuple[int, ...]] | None = None
                for day in week:
                    for s in prep.allowed[a][day]:
                        if not _eligible(prep, states[a], a, day, s):
                            continue
                        offsets = place_breaks(day, s)
                        if offsets is None:
                            continue
                        gain = 0.0
                        for rel, minutes in prep.presence[s].items():
                            t = prep.slot_range(day, rel)
                            if t is not None:
                                gain += sum(min(max(residual[k][t], 0.0), minutes / slot) for k in agent.skills if k in residual)
                        if best is None or gain > best[0]:
                            best = (gain, day, s, offsets)
                if best is None:
                    break
                assign(a, best[1], best[2], best[3])
    return out, breaks


def _fill_day(
    prep: Prepared,
    day: int,
    states: list[_AgentState],
    residual: dict[str, list[float]],
    total: list[float],
    place_breaks: Callable[[int, int], tuple[int, ...] | None],
    assign: Callable[[int, int, int, tuple[int, ...]], None],
) -> None:
    """Add shifts on ``day`` while one is worth its cost: best (option, crew) first."""
    problem = prep.problem
    slot = problem.horizon.slot_minutes
    weights = problem.weights
    weeks = len(problem.horizon.weeks())
    # Who could work which option today; others' eligibility does not change as we assign.
    candidates: dict[tuple[int, int], list[int]] = {}
    for a in range(len(problem.agents)):
        for s in prep.allowed[a][day]:
            if _eligible(prep, states[a], a, day, s):
                candidates.setdefault((s, prep.group_of[a]), []).append(a)
    for agents in candidates.values():
        # Furthest below the contract minimum first, so the top-up has less to do.
        agents.sort(key=lambda a: sum(states[a].week_minutes) - problem.agents[a].contract.min_hours_week * 60 * weeks)
        agents.reverse()
    taken: set[int] = set()
    blocked: set[int] = set()
    while True:
        best: tuple[float, int, int] | None = None
        for option in prep.options:
            s = option.index
            if s in blocked:
                continue
            gains = dict.fromkeys(residual, 0.0)
            present = 0.0
            shared = 0.0
            for rel, minutes in prep.presence[s].items():
                t = prep.slot_range(day, rel)
                if t is None:
                    continue
                present += minutes
                share = minutes / slot
                shared += min(max(total[t], 0.0), share)
                for k in residual:
                    gains[k] += min(max(residual[k][t], 0.0), share)
            for g, skills in enumerate(prep.groups):
                pool = candidates.get((s, g))
                if not pool:
                    continue
                while pool and pool[-1] in taken:
                    pool.pop()
                if not pool:
                    continue
                # People count once (pooled need); the crew's own skills' need breaks ties.
                covered = sum(gains[k] for k in skills)
                value = weights.under * slot * shared + covered
                value -= prep.cost[s] + weights.over * sum(present - gains[k] * slot for k in skills)
                if value > 0 and (best is None or value > best[0]):
                    best = (value, s, g)
        if best is None:
            return
        _, s, g = best
        offsets = place_breaks(day, s)
        if offsets is None:
            blocked.add(s)
            continue
        a = candidates[(s, g)].pop()
        taken.add(a)
        assign(a, day, s, offsets)
