"""A fast greedy roster: a starting point (solution hint) for CP-SAT.

Day by day it adds the shift option that covers the most remaining
requirement and gives it to an eligible agent (hard rules respected), the one
furthest below their contract minimum first. Breaks are left to the solver.
"""

from __future__ import annotations

from collections.abc import Mapping

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
        blocked: set[int] = set()
        while True:
            best_s, best_gain = -1, 0.0
            for option in prep.options:
                if option.index in blocked:
                    continue
                gain = 0.0
                for rel, minutes in prep.presence[option.index].items():
                    t = prep.slot_range(day, rel)
                    if t is not None:
                        gain += min(max(total[t], 0.0), minutes / slot)
                # Worth a shift only if the cover it adds outweighs its cost and idle time.
                worth = gain * slot * weights.under - prep.cost[option.index] - weights.over * option.length
                if worth > 0 and gain > best_gain + 1e-9:
                    best_s, best_gain = option.index, gain
            if best_s < 0:
                break
            a = pick(day, best_s)
            offsets = place_breaks(day, best_s)
            if a is None or offsets is None:
                blocked.add(best_s)
                continue
            assign(a, day, best_s, offsets)
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
