"""Say why a roster falls short, and catch contracts that cannot be honoured.

Two checks: :func:`check_contracts` runs before solving and names agents
whose weekly minimum hours cannot be reached at all (given shift lengths,
allowed weekdays, unavailability, days off, consecutive-day limit and weekly
maximum); :func:`explain_shortfalls` runs after solving and, for each run of
short intervals, counts the agents with the skill who could have worked and
the rule that kept each of them away.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from wfm.roster.problem import Prepared, fmt_day, week_limits
from wfm.roster.result import Coverage, Shortfall
from wfm.roster.rules import RosterError


@dataclass(frozen=True, slots=True)
class ContractConflict:
    """An agent whose contract cannot be met in one week, and why."""

    agent_id: str
    week_start: dt.date
    message: str


class ContractConflictError(RosterError):
    """Raised before solving when contracts contradict the other rules."""

    def __init__(self, conflicts: tuple[ContractConflict, ...]) -> None:
        self.conflicts = conflicts
        lines = [f"{c.agent_id}: {c.message}" for c in conflicts]
        super().__init__("contracts that cannot be met:\n" + "\n".join(lines))


def _max_days_in_block(days: int, max_consecutive: int) -> int:
    # Runs of at most c days separated by single rest days.
    return days - days // (max_consecutive + 1)


def check_contracts(prep: Prepared) -> tuple[ContractConflict, ...]:
    """Agents and weeks where no choice of shifts meets the contract's hours.

    Returns:
        One conflict per agent and week, empty when every contract can be met.
    """
    problem = prep.problem
    horizon = problem.horizon
    out: list[ContractConflict] = []
    for a, agent in enumerate(problem.agents):
        contract = agent.contract
        for week in horizon.weeks():
            low, high, max_days = week_limits(
                len(week), contract.min_hours_week, contract.max_hours_week, contract.days_off_per_week
            )
            week_start = horizon.date(week[0])
            if low > high:
                out.append(
                    ContractConflict(
                        agent.agent_id, week_start,
                        f"min {low / 60:g} h/week is above max {high / 60:g} h/week",
                    )
                )
                continue
            if low == 0:
                continue
            day_options = [sorted({prep.options[s].paid_minutes for s in prep.allowed[a][d]}) for d in week]
            limit = min(max_days, _max_days_in_block(len(week), contract.max_consecutive_days))
            # Reachable paid totals with at most `limit` working days (subset-sum over days).
            reach: dict[int, int] = {0: 0}  # total minutes -> fewest days to reach it
            for minutes in day_options:
                nxt = dict(reach)
                for total, used in reach.items():
                    if used >= limit:
                        continue
                    for m in minutes:
                        if total + m <= high and nxt.get(total + m, limit + 1) > used + 1:
                            nxt[total + m] = used + 1
                reach = nxt
            if any(total >= low for total in reach):
                continue
            best = max(reach)
            workable = [horizon.date(d) for d, opts in zip(week, day_options) if opts]
            blocked = [f"{horizon.date(d):%a}" for d, opts in zip(week, day_options) if not opts]
            lengths = sorted({m for opts in day_options for m in opts})
            why = [
                f"at most {limit} working days (days off {contract.days_off_per_week}, "
                f"max {contract.max_consecutive_days} in a row)",
                f"{len(workable)} days with an allowed shift",
            ]
            if blocked:
                why.append("no shift possible on " + ", ".join(blocked))
            if lengths:
                why.append("paid shift lengths " + "/".join(f"{m / 60:g}" for m in lengths) + " h")
            why.append(f"max {high / 60:g} h/week")
            out.append(
                ContractConflict(
                    agent.agent_id, week_start,
                    f"week of {week_start.isoformat()}: min {low / 60:g} h cannot be reached, "
                    f"at most {best / 60:g} h possible ({'; '.join(why)})",
                )
            )
    return tuple(out)


RULE_LABELS = {
    "days_off": "days off/week",
    "max_hours": "max hours/week",
    "max_consecutive": "max consecutive days",
    "rest": "minimum rest",
    "other_shift": "already on another shift that day",
    "on_break": "on a break then",
    "break_cap": "the break cap (no room for their breaks)",
    "unused": "free but not used (cost or search time)",
}


def _blocking_rules(
    prep: Prepared, shifts: Mapping[tuple[int, int], int], a: int, day: int, s: int
) -> list[str]:
    """Rules that stop agent ``a`` from also working option ``s`` on ``day``."""
    problem = prep.problem
    contract = problem.agents[a].contract
    week_index = day // 7
    week = problem.horizon.weeks()[week_index]
    _, high, max_days = week_limits(
        len(week), contract.min_hours_week, contract.max_hours_week, contract.days_off_per_week
    )
    worked = [d for d in week if (a, d) in shifts]
    rules = []
    if len(worked) + 1 > max_days:
        rules.append("days_off")
    paid = sum(prep.options[shifts[(a, d)]].paid_minutes for d in worked)
    if paid + prep.options[s].paid_minutes > high:
        rules.append("max_hours")
    before = 0
    while (a, day - before - 1) in shifts:
        before += 1
    after = 0
    while (a, day + after + 1) in shifts:
        after += 1
    if before + after + 1 > contract.max_consecutive_days:
        rules.append("max_consecutive")
    conflicts = prep.rest(contract.min_rest_hours)
    for gap in (1, 2):
        earlier = shifts.get((a, day - gap))
        later = shifts.get((a, day + gap))
        if (earlier is not None and s in conflicts.get((earlier, gap), ())) or (
            later is not None and later in conflicts.get((s, gap), ())
        ):
            rules.append("rest")
            break
    return rules


def _cap_full(prep: Prepared, day: int, s: int, on_break: list[int]) -> bool:
    """Whether some break of option ``s`` has no offset left under the cap."""
    cap = prep.problem.break_cap
    if cap is None:
        return False
    for footprints in prep.break_footprint[s]:
        if all(
            any(on_break[t] >= cap.max_on_break for t in (prep.slot_range(day, rel) for rel in fp) if t is not None)
            for fp in footprints
        ):
            return True
    return False


def explain_shortfalls(
    prep: Prepared,
    shifts: Mapping[tuple[int, int], int],
    coverage: Coverage,
    breaks: Mapping[tuple[int, int], tuple[int, ...]] | None = None,
    tolerance: float = 1e-6,
) -> tuple[Shortfall, ...]:
    """Describe every run of consecutive short intervals per skill.

    Args:
        prep: derived problem facts.
        shifts: the roster, (agent, day) -> option index.
        coverage: its coverage (see :func:`wfm.roster.result.compute_coverage`).
        breaks: chosen break offsets, (agent, day) -> offset index per rule.
        tolerance: shortfalls smaller than this are ignored.
    """
    problem = prep.problem
    horizon = problem.horizon
    spd = horizon.slots_per_day
    on_break = [0] * horizon.n_slots
    for (a, day), offsets in (breaks or {}).items():
        for footprints, o in zip(prep.break_footprint[shifts[(a, day)]], offsets):
            for rel in footprints[o]:
                t = prep.slot_range(day, rel)
                if t is not None:
                    on_break[t] += 1
    out: list[Shortfall] = []
    for skill, required in coverage.required.items():
        scheduled = coverage.scheduled[skill]
        t = 0
        while t < horizon.n_slots:
            if required[t] - scheduled[t] <= tolerance:
                t += 1
                continue
            first = t
            # A run stays within one day so each message names a single date.
            while t < horizon.n_slots and required[t] - scheduled[t] > tolerance and t // spd == first // spd:
                t += 1
            out.append(_explain_run(prep, shifts, skill, first, t, coverage, on_break))
    out.sort(key=lambda s: (s.start, s.skill))
    return tuple(out)


def _explain_run(
    prep: Prepared,
    shifts: Mapping[tuple[int, int], int],
    skill: str,
    first: int,
    stop: int,
    coverage: Coverage,
    on_break: list[int],
) -> Shortfall:
    problem = prep.problem
    horizon = problem.horizon
    spd = horizon.slots_per_day
    short = max(coverage.required[skill][t] - coverage.scheduled[skill][t] for t in range(first, stop))
    start = horizon.slot_start(first)
    end = horizon.slot_start(stop)
    span = f"{fmt_day(start.date())} {start:%H:%M}\u2013{end:%H:%M}"

    def covers(day: int, s: int) -> bool:
        return any(first <= day * spd + rel < stop for rel in prep.presence[s])

    days = [d for d in (first // spd - 1, first // spd) if 0 <= d < horizon.days]
    with_skill = [a for a, agent in enumerate(problem.agents) if skill in agent.skills]
    template_cover = any(
        covers(d, o.index) and horizon.date(d).weekday() in o.template.weekdays for d in days for o in prep.options
    )
    if not template_cover:
        message = f"{span} short by {short:g} on {skill}: no shift template covers this time"
        return Shortfall(skill, start, end, short, len(with_skill), 0, {}, message)
    binding: Counter[str] = Counter()
    available = 0
    for a in with_skill:
        options = [(d, s) for d in days for s in prep.allowed[a][d] if covers(d, s)]
        if not options:
            continue
        available += 1
        if any(shifts.get((a, d)) == s for d, s in options):
            binding["on_break"] += 1  # working a covering shift, so only breaks keep them off
            continue
        rules: set[str] = set()
        for d, s in options:
            if (a, d) in shifts:
                rules.add("other_shift")
            else:
                blocking = _blocking_rules(prep, shifts, a, d, s)
                if not blocking and _cap_full(prep, d, s, on_break):
                    blocking = ["break_cap"]
                rules.update(blocking or ["unused"])
        if "unused" in rules:
            rules = {"unused"}
        for rule in rules:
            binding[rule] += 1
    working = binding.pop("on_break", 0)
    parts = [f"{RULE_LABELS[r]} binds for {n} of them" for r, n in binding.most_common()]
    text = f"{span} short by {short:g} on {skill}: only {available} agents have {skill} and are available"
    if len(with_skill) != available:
        text += f" (of {len(with_skill)} with the skill)"
    if working:
        text += f"; {working} on shift then"
    if parts:
        text += "; " + ", ".join(parts)
    if problem.break_cap is not None and working:
        text += f"; break cap {problem.break_cap.max_on_break}"
    return Shortfall(skill, start, end, short, len(with_skill), available, dict(binding), text)
