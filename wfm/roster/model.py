"""CP-SAT models: (a) shift coverage counts and (b) the per-agent roster.

Both share one coverage layer. Agents with the same skills form a *crew*;
the model counts crew members on each shift option each day (``N``) and how
many of them take each break at each candidate offset (``nb``). Coverage and
the break cap are per-interval linear sums of those counts, so the model
grows with days x options x crews, not with agents x intervals. The roster
model (b) adds one boolean per agent, day and allowed option, tied to the
crew counts, and the contract rules on those booleans. Breaks are handed to
individual agents after solving: crew members are interchangeable.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from wfm.roster.problem import Prepared, week_limits
from wfm.roster.rules import PreferredDayOff, PreferredShift

Crew = tuple[int, int, int]  # (day, option, crew index)
BreakKey = tuple[int, int, int, int, int]  # (day, option, crew, rule, offset index)


@dataclass
class CoverageLayer:
    """Crew counts, break counts and coverage slacks of one model."""

    counts: dict[Crew, cp_model.IntVar] = field(default_factory=dict)
    breaks: dict[BreakKey, cp_model.IntVar] = field(default_factory=dict)
    short: dict[tuple[str, int], cp_model.IntVar] = field(default_factory=dict)
    over: dict[tuple[str, int], cp_model.IntVar] = field(default_factory=dict)
    pooled_short: dict[int, cp_model.IntVar] = field(default_factory=dict)
    # (skill, t) or t -> (terms, required agent-minutes): kept to evaluate hints.
    cover_terms: dict[tuple[str, int], tuple[list[tuple[cp_model.IntVar, int]], int]] = field(default_factory=dict)
    pooled_terms: dict[int, tuple[list[tuple[cp_model.IntVar, int]], int]] = field(default_factory=dict)
    objective: list[tuple[cp_model.IntVar, int]] = field(default_factory=list)


def add_coverage_layer(
    model: cp_model.CpModel,
    prep: Prepared,
    crews: dict[Crew, int],
    crew_skills: Sequence[frozenset[str]],
) -> CoverageLayer:
    """Add crew counts (upper bound given per crew), breaks, coverage and cap.

    Args:
        model: the model to extend.
        prep: derived problem facts.
        crews: (day, option, crew) -> most members that could work it.
        crew_skills: skills of each crew index.
    """
    problem = prep.problem
    slot = problem.horizon.slot_minutes
    weights = problem.weights
    layer = CoverageLayer()
    cover: dict[tuple[str, int], list[tuple[cp_model.IntVar, int]]] = defaultdict(list)
    pooled: dict[int, list[tuple[cp_model.IntVar, int]]] = defaultdict(list)
    on_break: dict[int, list[cp_model.IntVar]] = defaultdict(list)
    bounds: dict[int, int] = {}

    for (day, s, g), bound in crews.items():
        n = model.new_int_var(0, bound, f"N_d{day}_s{s}_g{g}")
        bounds[n.index] = bound
        layer.counts[(day, s, g)] = n
        layer.objective.append((n, prep.cost[s]))
        for rel, minutes in prep.presence[s].items():
            t = prep.slot_range(day, rel)
            if t is None:
                continue
            pooled[t].append((n, minutes))
            for skill in crew_skills[g]:
                cover[(skill, t)].append((n, minutes))
        for r, footprints in enumerate(prep.break_footprint[s]):
            parts = []
            for o, footprint in enumerate(footprints):
                # Each break's takers are split over its candidate offsets.
                nb = n if len(footprints) == 1 else model.new_int_var(0, bound, f"B_d{day}_s{s}_g{g}_r{r}_o{o}")
                if nb is not n:
                    layer.breaks[(day, s, g, r, o)] = nb
                    parts.append(nb)
                for rel, minutes in footprint.items():
                    t = prep.slot_range(day, rel)
                    if t is None:
                        continue
                    on_break[t].append(nb)
                    pooled[t].append((nb, -minutes))
                    for skill in crew_skills[g]:
                        cover[(skill, t)].append((nb, -minutes))
            # Everyone on the shift takes every break once.
            if parts:
                model.add(sum(parts) == n)

    # Coverage per skill and interval: cover + short - over == required (agent-minutes).
    for skill, required in problem.requirements.items():
        for t, need in enumerate(required):
            terms = cover.get((skill, t), [])
            need_minutes = need * slot
            if not terms and need == 0:
                continue
            short = model.new_int_var(0, need_minutes, f"short_{skill}_{t}")
            layer.short[(skill, t)] = short
            layer.objective.append((short, weights.under))
            if not terms:
                continue
            most = sum(m * bounds[v.index] for v, m in terms if m > 0)
            over = model.new_int_var(0, max(0, most - need_minutes), f"over_{skill}_{t}")
            layer.over[(skill, t)] = over
            layer.cover_terms[(skill, t)] = (terms, need_minutes)
            layer.objective.append((over, weights.over))
            model.add(cp_model.LinearExpr.weighted_sum([v for v, _ in terms], [m for _, m in terms]) + short - over == need_minutes)

    # Pooled coverage: agents counted under several skills are still one person each.
    if any(len(s) > 1 for s in crew_skills) and len(problem.requirements) > 1:
        for t in range(problem.horizon.n_slots):
            need_minutes = sum(r[t] for r in problem.requirements.values()) * slot
            if need_minutes == 0:
                continue
            terms = pooled.get(t, [])
            short = model.new_int_var(0, need_minutes, f"pshort_{t}")
            layer.pooled_short[t] = short
            layer.pooled_terms[t] = (terms, need_minutes)
            layer.objective.append((short, weights.under))
            model.add(cp_model.LinearExpr.weighted_sum([v for v, _ in terms], [m for _, m in terms]) + short >= need_minutes)

    # Break cap: at most so many agents on a break in any interval.
    if problem.break_cap is not None:
        for t, takers in on_break.items():
            model.add(sum(takers) <= problem.break_cap.max_on_break)
    return layer


@dataclass
class RosterModel:
    """The per-agent model (b) and handles to its variables."""

    model: cp_model.CpModel
    prep: Prepared
    layer: CoverageLayer
    x: dict[tuple[int, int, int], cp_model.IntVar]  # (agent, day, option) -> works it
    hours_short: dict[tuple[int, int], cp_model.IntVar]  # (agent, week) -> paid minutes under contract minimum
    objective_terms: list[tuple[cp_model.IntVar, int]]


def build_roster_model(prep: Prepared) -> RosterModel:
    """Build model (b): which agent works which option on which day.

    Returns:
        The model with every constraint family added and the objective set.
    """
    problem = prep.problem
    horizon = problem.horizon
    model = cp_model.CpModel()
    x: dict[tuple[int, int, int], cp_model.IntVar] = {}
    for a, days in enumerate(prep.allowed):
        for day, options in enumerate(days):
            for s in options:
                x[(a, day, s)] = model.new_bool_var(f"x_a{a}_d{day}_s{s}")

    members: dict[Crew, list[cp_model.IntVar]] = defaultdict(list)
    for (a, day, s), var in x.items():
        members[(day, s, prep.group_of[a])].append(var)
    layer = add_coverage_layer(model, prep, {k: len(v) for k, v in members.items()}, prep.groups)
    # Crew counts are the sums of their members' choices.
    for key, vars_ in members.items():
        model.add(sum(vars_) == layer.counts[key])
    add_crew_capacity(model, prep, layer)

    terms = list(layer.objective)
    hours_short: dict[tuple[int, int], cp_model.IntVar] = {}
    for a, agent in enumerate(problem.agents):
        contract = agent.contract
        day_vars = [[x[(a, d, s)] for s in prep.allowed[a][d]] for d in range(horizon.days)]
        # At most one shift per agent per day.
        for vars_ in day_vars:
            if len(vars_) > 1:
                model.add_at_most_one(vars_)
        worked = [sum(v) if v else 0 for v in day_vars]
        # Minimum rest between the end of one shift and the start of the next.
        add_rest_rule(model, x, a, prep, contract.min_rest_hours)
        # At most so many working days in a row.
        add_max_consecutive(model, worked, contract.max_consecutive_days)
        for w, week in enumerate(horizon.weeks()):
            min_minutes, max_minutes, max_days = week_limits(
                len(week), contract.min_hours_week, contract.max_hours_week, contract.days_off_per_week
            )
            paid = [(x[(a, d, s)], prep.options[s].paid_minutes) for d in week for s in prep.allowed[a][d]]
            # Days off per week: at most so many working days in each 7-day block.
            if max_days < len(week):
                model.add(sum(worked[d] for d in week) <= max_days)
            if not paid:
                continue
            paid_expr = cp_model.LinearExpr.weighted_sum([v for v, _ in paid], [m for _, m in paid])
            # Max paid hours per week (hard).
            model.add(paid_expr <= max_minutes)
            # Min paid hours per week: soft slack so the model stays feasible; contradictions are caught up front.
            if min_minutes > 0:
                slack = model.new_int_var(0, min_minutes, f"hshort_a{a}_w{w}")
                model.add(paid_expr + slack >= min_minutes)
                hours_short[(a, w)] = slack
                terms.append((slack, problem.weights.min_hours_shortfall))
        # Preferences (soft): penalise shifts of other templates and work on wished days off.
        preferred = {p.template: p.weight for p in agent.preferences if isinstance(p, PreferredShift)}
        for d in range(horizon.days):
            date = horizon.date(d)
            if preferred:
                weight = max(preferred.values()) * problem.weights.preference
                for s in prep.allowed[a][d]:
                    if prep.options[s].template.name not in preferred:
                        terms.append((x[(a, d, s)], weight))
            for p in agent.preferences:
                if isinstance(p, PreferredDayOff) and p.applies_to(date):
                    for s in prep.allowed[a][d]:
                        terms.append((x[(a, d, s)], p.weight * problem.weights.preference))
    model.minimize(cp_model.LinearExpr.weighted_sum([v for v, _ in terms], [c for _, c in terms]))
    return RosterModel(model, prep, layer, x, hours_short, terms)


def add_rest_rule(
    model: cp_model.CpModel,
    x: dict[tuple[int, int, int], cp_model.IntVar],
    agent: int,
    prep: Prepared,
    min_rest_hours: float,
) -> None:
    """Minimum rest between shifts: a shift excludes later ones that start too soon."""
    conflicts = prep.rest(min_rest_hours)
    days = prep.problem.horizon.days
    for day in range(days):
        for s in prep.allowed[agent][day]:
            for gap in (1, 2):
                later = day + gap
                if later >= days:
                    continue
                bad = [x[(agent, later, o)] for o in prep.allowed[agent][later] if o in conflicts.get((s, gap), ())]
                if bad:
                    # One shift a day, so the later ones are exclusive among themselves too.
                    model.add(x[(agent, day, s)] + sum(bad) <= 1)


def add_max_consecutive(model: cp_model.CpModel, worked: Sequence[cp_model.LinearExprT], limit: int) -> None:
    """At most ``limit`` working days in a row.

    Every window of ``limit + 1`` consecutive days holds at most ``limit``
    working days; windows start at day 0 .. ``len(worked) - limit - 1`` so the
    last window ends on the horizon's last day.
    """
    for first in range(len(worked) - limit):
        model.add(sum(worked[first : first + limit + 1]) <= limit)


def build_coverage_model(prep: Prepared, max_per_shift: int | None = None) -> tuple[cp_model.CpModel, CoverageLayer]:
    """Build model (a): how many agents of each skill on each option each day.

    Each skill is a crew of its own (no per-agent rules), bounded by the
    agents having that skill, or by ``max_per_shift`` when given.
    """
    problem = prep.problem
    model = cp_model.CpModel()
    crew_skills = [frozenset({k}) for k in prep.skills]
    with_skill = [sum(1 for a in problem.agents if k in a.skills) for k in prep.skills]
    crews: dict[Crew, int] = {}
    for day in range(problem.horizon.days):
        weekday = problem.horizon.date(day).weekday()
        for option in prep.options:
            if weekday not in option.template.weekdays:
                continue
            for g, count in enumerate(with_skill):
                bound = count if max_per_shift is None else max_per_shift
                if bound > 0:
                    crews[(day, option.index, g)] = bound
    layer = add_coverage_layer(model, prep, crews, crew_skills)
    model.minimize(cp_model.LinearExpr.weighted_sum([v for v, _ in layer.objective], [c for _, c in layer.objective]))
    return model, layer


def build_relaxation(prep: Prepared) -> tuple[cp_model.CpModel, CoverageLayer]:
    """Model (b) without its agents: crew counts bounded by who may work each shift.

    Dropping the per-agent rules (and the soft terms they carry) only widens
    the choice, so the optimum here, and any proven bound, is a lower bound
    on the roster model's objective.
    """
    model = cp_model.CpModel()
    crews: dict[Crew, int] = defaultdict(int)
    for a, days in enumerate(prep.allowed):
        for day, options in enumerate(days):
            for s in options:
                crews[(day, s, prep.group_of[a])] += 1
    layer = add_coverage_layer(model, prep, dict(crews), prep.groups)
    add_crew_capacity(model, prep, layer)
    model.minimize(cp_model.LinearExpr.weighted_sum([v for v, _ in layer.objective], [c for _, c in layer.objective]))
    return model, layer


def add_crew_capacity(model: cp_model.CpModel, prep: Prepared, layer: CoverageLayer) -> None:
    """Per-crew sums of the per-agent limits: one shift a day, days and hours per week.

    Redundant in the roster model (they tighten its LP bound) and what keeps
    the agent-free relaxation close to it.
    """
    problem = prep.problem
    by_day: dict[tuple[int, int], list[tuple[cp_model.IntVar, int]]] = defaultdict(list)
    for (day, s, g), n in layer.counts.items():
        by_day[(day, g)].append((n, prep.options[s].paid_minutes))
    sizes = [0] * len(prep.groups)
    for g in prep.group_of:
        sizes[g] += 1
    for (day, g), terms in by_day.items():
        # Crew capacity per day: each member works at most one shift.
        model.add(sum(n for n, _ in terms) <= sizes[g])
    for week in problem.horizon.weeks():
        days_cap = [0] * len(prep.groups)
        minutes_cap = [0] * len(prep.groups)
        for a, agent in enumerate(problem.agents):
            c = agent.contract
            _, high, max_days = week_limits(len(week), c.min_hours_week, c.max_hours_week, c.days_off_per_week)
            days_cap[prep.group_of[a]] += max_days
            minutes_cap[prep.group_of[a]] += high
        for g in range(len(prep.groups)):
            terms = [t for d in week for t in by_day.get((d, g), [])]
            if not terms:
                continue
            # Crew capacity per week: members' working days and paid hours.
            model.add(sum(n for n, _ in terms) <= days_cap[g])
            model.add(cp_model.LinearExpr.weighted_sum([n for n, _ in terms], [m for _, m in terms]) <= minutes_cap[g])
