"""Solve the models: shift coverage (a) and the per-agent roster (b)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from ortools.sat.python import cp_model

from wfm.roster.diagnose import ContractConflictError, check_contracts, explain_shortfalls
from wfm.roster.greedy import greedy_roster
from wfm.roster.model import RosterModel, build_coverage_model, build_relaxation, build_roster_model
from wfm.roster.problem import Prepared, RosterProblem, week_limits
from wfm.roster.result import (
    RosterResult,
    agent_hours,
    compute_coverage,
    make_assignments,
    relative_gap,
)

WarmStart = Literal["greedy", "coverage", "none"]
LARGE_MODEL = 5000  # agent-day-shift booleans above which presolve is kept light


@dataclass(frozen=True, slots=True)
class Progress:
    """An improving solution found while solving."""

    objective: float
    bound: float
    elapsed_s: float
    solutions: int


@dataclass(frozen=True, slots=True)
class SolveOptions:
    """Solver budget and start.

    ``warm_start``: ``greedy`` hints a greedy roster; ``coverage`` hints a
    greedy roster built to the head counts of the relaxation below; ``none``
    gives no hint.

    ``relaxation_share``: on big models, share of the time limit spent first
    on the roster model without its agents (crew counts only). Its proven
    bound is a valid lower bound for the roster, often far tighter than the
    one CP-SAT proves on the big model in the same time; 0 skips it (unless
    ``coverage``).
    """

    time_limit_s: float = 60.0
    workers: int = 2
    seed: int = 1
    warm_start: WarmStart = "greedy"
    check_contracts: bool = True
    relaxation_share: float = 0.15


@dataclass(frozen=True, slots=True)
class ShiftCount:
    """Model (a) output: agents of a skill on a shift option on a day."""

    day: int
    option: str
    template: str
    skill: str
    agents: int


@dataclass(frozen=True, slots=True)
class CoverageSolution:
    """The outcome of the shift-coverage model (a)."""

    status: str
    objective: float
    best_bound: float
    gap: float
    wall_time_s: float
    counts: tuple[ShiftCount, ...] = field(default=())
    cost: float = 0.0


class _Reporter(cp_model.CpSolverSolutionCallback):
    """Records the first-solution time and forwards improving objectives."""

    def __init__(self, on_progress: Callable[[Progress], None] | None, started: float) -> None:
        super().__init__()
        self._on_progress = on_progress
        self._started = started
        self.first_s: float | None = None
        self.count = 0

    def on_solution_callback(self) -> None:
        self.count += 1
        elapsed = time.monotonic() - self._started
        if self.first_s is None:
            self.first_s = elapsed
        if self._on_progress is not None:
            self._on_progress(Progress(self.objective_value, self.best_objective_bound, elapsed, self.count))


def _solver(time_limit_s: float, workers: int, seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit_s)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    return solver


def _solved(status: cp_model.CpSolverStatus) -> bool:
    return status in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def solve_shift_coverage(
    problem: RosterProblem,
    time_limit_s: float = 10.0,
    workers: int = 2,
    seed: int = 1,
    max_per_shift: int | None = None,
    prep: Prepared | None = None,
) -> CoverageSolution:
    """Model (a): head counts per skill, shift option and day (no per-agent rules).

    Args:
        problem: the problem (agents only bound the counts per skill).
        time_limit_s: solver time limit.
        workers: CP-SAT workers.
        seed: random seed.
        max_per_shift: bound on each count instead of the agents per skill.
        prep: derived facts, when already computed.
    """
    prep = prep or Prepared(problem)
    model, layer = build_coverage_model(prep, max_per_shift)
    solver = _solver(time_limit_s, workers, seed)
    status = solver.solve(model)
    if not _solved(status):
        return CoverageSolution(solver.status_name(status), float("nan"), float("nan"), float("nan"), solver.wall_time)
    counts = tuple(
        ShiftCount(day, prep.options[s].name, prep.options[s].template.name, prep.skills[g], solver.value(var))
        for (day, s, g), var in sorted(layer.counts.items())
        if solver.value(var) > 0
    )
    cost = sum(solver.value(var) * prep.cost[s] for (_, s, _), var in layer.counts.items())
    return CoverageSolution(
        status=solver.status_name(status),
        objective=solver.objective_value,
        best_bound=solver.best_objective_bound,
        gap=relative_gap(solver.objective_value, solver.best_objective_bound),
        wall_time_s=solver.wall_time,
        counts=counts,
        cost=float(cost),
    )


def _hint(
    rm: RosterModel, shifts: dict[tuple[int, int], int], breaks: dict[tuple[int, int], tuple[int, ...]]
) -> None:
    """Hint a complete solution: agent choices, crew counts, breaks, slacks."""
    prep = rm.prep
    model = rm.model
    values: dict[int, int] = {}

    def hint(var: cp_model.IntVar, value: int) -> None:
        values[var.index] = value
        model.add_hint(var, value)

    for (a, day, s), var in rm.x.items():
        hint(var, 1 if shifts.get((a, day)) == s else 0)
    totals: dict[tuple[int, int, int], int] = {}
    takers: dict[tuple[int, int, int, int, int], int] = {}
    for (a, day), s in shifts.items():
        g = prep.group_of[a]
        totals[(day, s, g)] = totals.get((day, s, g), 0) + 1
        for r, o in enumerate(breaks[(a, day)]):
            takers[(day, s, g, r, o)] = takers.get((day, s, g, r, o), 0) + 1
    for crew, var in rm.layer.counts.items():
        hint(var, totals.get(crew, 0))
    for break_key, var in rm.layer.breaks.items():
        hint(var, takers.get(break_key, 0))

    def cover(terms: list[tuple[cp_model.IntVar, int]]) -> int:
        return sum(values.get(v.index, 0) * m for v, m in terms)

    for cell, (terms, need) in rm.layer.cover_terms.items():
        have = cover(terms)
        hint(rm.layer.short[cell], max(0, need - have))
        hint(rm.layer.over[cell], max(0, have - need))
    for t, (terms, need) in rm.layer.pooled_terms.items():
        hint(rm.layer.pooled_short[t], max(0, need - cover(terms)))
    for (skill, t), var in rm.layer.short.items():
        if (skill, t) not in rm.layer.cover_terms:
            hint(var, prep.problem.requirements[skill][t] * prep.problem.horizon.slot_minutes)
    for (a, w), var in rm.hours_short.items():
        week = prep.problem.horizon.weeks()[w]
        contract = prep.problem.agents[a].contract
        low, _, _ = week_limits(len(week), contract.min_hours_week, contract.max_hours_week, contract.days_off_per_week)
        paid = sum(prep.options[shifts[(a, d)]].paid_minutes for d in week if (a, d) in shifts)
        hint(var, max(0, low - paid))


def _solve_relaxation(prep: Prepared, options: SolveOptions, time_limit_s: float) -> tuple[float, dict[tuple[int, int], int]]:
    """Bound and (day, option) head counts from the agent-free relaxation."""
    model, layer = build_relaxation(prep)
    solver = _solver(time_limit_s, options.workers, options.seed)
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE or status == cp_model.MODEL_INVALID:
        return float("-inf"), {}
    targets: dict[tuple[int, int], int] = {}
    if _solved(status):
        for (day, s, _), var in layer.counts.items():
            targets[(day, s)] = targets.get((day, s), 0) + solver.value(var)
    return solver.best_objective_bound, targets


def _place_breaks(
    rm: RosterModel, solver: cp_model.CpSolver, shifts: dict[tuple[int, int], int]
) -> dict[tuple[int, int], tuple[int, ...]]:
    """Hand each crew's break counts to its members (they are interchangeable)."""
    prep = rm.prep
    members: dict[tuple[int, int, int], list[int]] = {}
    for (a, day), s in sorted(shifts.items()):
        members.setdefault((day, s, prep.group_of[a]), []).append(a)
    chosen: dict[tuple[int, int], list[int]] = {key: [] for key in shifts}
    for (day, s, g), agents in members.items():
        for r, offsets in enumerate(prep.options[s].break_offsets):
            if len(offsets) == 1:
                picks = [0] * len(agents)
            else:
                picks = [o for o in range(len(offsets)) for _ in range(solver.value(rm.layer.breaks[(day, s, g, r, o)]))]
            for a, o in zip(agents, picks):
                chosen[(a, day)].append(o)
    return {key: tuple(v) for key, v in chosen.items()}


def solve_roster(
    problem: RosterProblem,
    options: SolveOptions = SolveOptions(),
    on_progress: Callable[[Progress], None] | None = None,
) -> RosterResult:
    """Model (b): who works which shift each day, with breaks placed.

    Under-coverage is a penalised slack, so a roster always comes back; the
    result says where coverage falls short and which rules bind there.

    Raises:
        ContractConflictError: contracts that cannot be met whatever the
            roster (checked first unless ``options.check_contracts`` is off).
    """
    started = time.monotonic()
    prep = Prepared(problem)
    if options.check_contracts:
        conflicts = check_contracts(prep)
        if conflicts:
            raise ContractConflictError(conflicts)
    relaxed_bound, targets = float("-inf"), None
    rm = build_roster_model(prep)
    big = len(rm.x) > LARGE_MODEL
    # Small models prove their own bound quickly; the relaxation pays off on big ones.
    relax_s = options.time_limit_s * (options.relaxation_share if big else 0.0)
    if options.warm_start == "coverage":
        relaxed_bound, counts = _solve_relaxation(prep, options, max(0.2 * options.time_limit_s, relax_s))
        targets, relax_s = counts or None, 0.0
    start_roster: dict[tuple[int, int], int] = {}
    start_breaks: dict[tuple[int, int], tuple[int, ...]] = {}
    if options.warm_start != "none":
        start_roster, start_breaks = greedy_roster(prep, targets)
        _hint(rm, start_roster, start_breaks)
    # The relaxation (bound only) runs after the roster solve, so a first roster comes early.
    remaining = options.time_limit_s - (time.monotonic() - started) - relax_s
    solver = _solver(remaining, options.workers, options.seed)
    if big:
        # Big models: light presolve, so the search (and the hinted start) begins within seconds.
        solver.parameters.max_presolve_iterations = 1
        solver.parameters.cp_model_probing_level = 0
        solver.parameters.symmetry_level = 0
    reporter = _Reporter(on_progress, started)
    status = solver.solve(rm.model, reporter)
    if relax_s > 0 and status != cp_model.OPTIMAL:
        relaxed_bound, _ = _solve_relaxation(prep, options, options.time_limit_s - (time.monotonic() - started))
    warnings: list[str] = []
    if _solved(status):
        shifts = {(a, day): s for (a, day, s), var in rm.x.items() if solver.value(var)}
        breaks = _place_breaks(rm, solver, shifts)
        objective, bound = solver.objective_value, max(solver.best_objective_bound, relaxed_bound)
        for (a, w), slack in rm.hours_short.items():
            if solver.value(slack) > 0:
                warnings.append(
                    f"{problem.agents[a].agent_id}: {solver.value(slack) / 60:g} h below the contract minimum "
                    f"in the week of {problem.horizon.date(w * 7).isoformat()}"
                )
    else:
        shifts, breaks = start_roster, start_breaks
        objective, bound = float("nan"), float("nan")
        warnings.append(f"the solver found no roster ({solver.status_name(status)}); showing the greedy start")
    coverage = compute_coverage(prep, shifts, breaks)
    return RosterResult(
        status=solver.status_name(status),
        objective=objective,
        best_bound=bound,
        gap=relative_gap(objective, bound) if _solved(status) else float("nan"),
        wall_time_s=time.monotonic() - started,
        first_solution_s=reporter.first_s,
        solutions=reporter.count,
        assignments=make_assignments(prep, shifts, breaks),
        coverage=coverage,
        hours=agent_hours(prep, shifts),
        shortfalls=explain_shortfalls(prep, shifts, coverage, breaks),
        warnings=tuple(warnings),
    )


__all__ = [
    "CoverageSolution",
    "Progress",
    "ShiftCount",
    "SolveOptions",
    "solve_roster",
    "solve_shift_coverage",
]
