"""Rostering against pyworkforce 0.5.1, and the 200-agent x 4-week solve.

Three figures, all measured in this run on the same machine:

1. Shift coverage (how many agents on each shift each day) vs pyworkforce's
   ``MinRequiredResources`` on 28 days x 96 intervals: objective (total
   shift cost with every interval covered) and wall time.
2. Per-agent roster vs pyworkforce's ``MinHoursRoster`` at the same time
   budget, both rosters scored with MinHoursRoster's objective (shifted
   hours minus weighted preferences); the same instance is expressed in our
   rules (shift windows, rest for its non-sequential shifts, bans as
   unavailability, its resting-day and hour minimums as weekly minimums,
   which is at least as strict).
3. Our 200 agents x 4 weeks x 30-min intervals with the default templates:
   time to first feasible roster, final status and gap.

pyworkforce sets ``solver.num_search_workers`` as a plain attribute, which
CP-SAT ignores, so both sides' worker counts are pinned here explicitly.

Run: ``python benchmarks/bench_roster.py [--workers 2] [--budget 30] [--big-limit 120]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import sys
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ortools.sat.python import cp_model  # noqa: E402

from wfm.roster import (  # noqa: E402
    DEFAULT_TEMPLATES,
    Agent,
    BreakCap,
    Contract,
    Horizon,
    ObjectiveWeights,
    PreferredShift,
    RosterProblem,
    ShiftTemplate,
    SolveOptions,
    Unavailability,
    generate_agents,
    solve_roster,
    solve_shift_coverage,
)

MONDAY = dt.date(2026, 1, 5)


def _pinned_cp_model(workers: int) -> types.SimpleNamespace:
    """A stand-in for pyworkforce's ``cp_model`` whose solvers use ``workers``."""

    class PinnedSolver(cp_model.CpSolver):
        def __init__(self) -> None:
            super().__init__()
            self.parameters.num_workers = workers

    namespace = types.SimpleNamespace(**{k: getattr(cp_model, k) for k in dir(cp_model) if not k.startswith("__")})
    namespace.CpSolver = PinnedSolver
    return namespace


# ---------------------------------------------------------------- 1. shift coverage
def coverage_instance(seed: int) -> tuple[list[list[int]], dict[str, tuple[int, int, int]]]:
    """Requirement [28 days][96 quarter-hours] and shifts name -> (start quarter, quarters, cost)."""
    rng = random.Random(seed)
    need = []
    for day in range(28):
        factor = 0.6 if day % 7 >= 5 else 1.0
        row = []
        for q in range(96):
            hour = q / 4
            base = 40 * factor * (math.exp(-(((hour - 11) / 2.5) ** 2)) + 0.8 * math.exp(-(((hour - 16) / 2.5) ** 2)))
            row.append(max(0, round(base + rng.uniform(-2, 2))) if 7 <= hour < 22 else 0)
        need.append(row)
    shifts = {f"full_{h:02d}": (h * 4, 32, 40) for h in range(6, 15)}
    shifts |= {f"part_{h:02d}": (h * 4, 16, 25) for h in range(6, 19)}
    return need, shifts


def bench_coverage(workers: int, budget: float) -> None:
    from pyworkforce.scheduling import MinRequiredResources

    need, shifts = coverage_instance(seed=7)
    coverage = {name: [1 if s <= q < s + n else 0 for q in range(96)] for name, (s, n, _) in shifts.items()}
    theirs = MinRequiredResources(
        num_days=28, periods=96, shifts_coverage=coverage, required_resources=need,
        max_period_concurrency=1000, max_shift_concurrency=200,
        cost_dict={name: c for name, (_, _, c) in shifts.items()}, max_search_time=budget, num_search_workers=workers,
    )
    theirs.solver.parameters.num_workers = workers  # their attribute assignment is ignored by CP-SAT
    started = time.perf_counter()
    their_solution = theirs.solve()
    their_time = time.perf_counter() - started

    horizon = Horizon(MONDAY, 28, 15)
    templates = tuple(
        ShiftTemplate(name, (dt.time(s // 4, 15 * (s % 4)),), n * 15, cost_per_hour=c / (n / 4))
        for name, (s, n, c) in shifts.items()
    )
    requirement = tuple(v for row in need for v in row)
    problem = RosterProblem(horizon, templates, (Agent("x", {"s": 5}),), {"s": requirement},
                            weights=ObjectiveWeights(under=100, over=0, cost=1))
    started = time.perf_counter()
    ours = solve_shift_coverage(problem, time_limit_s=budget, workers=workers, max_per_shift=200)
    our_time = time.perf_counter() - started
    print("1. shift coverage, 28 days x 96 intervals, 22 shift types")
    print(f"   pyworkforce MinRequiredResources: {their_solution['status']:8s} cost {their_solution['cost']:>9,.0f}  {their_time:6.2f} s")
    print(f"   ours (solve_shift_coverage):      {ours.status:8s} cost {ours.cost:>9,.0f}  {our_time:6.2f} s"
          f"  (objective {ours.objective:,.0f}: cost + under-coverage penalty)")
    print(f"   ratio ours/theirs: cost {ours.cost / their_solution['cost']:.3f}, wall time {our_time / their_time:.2f}x")


# ---------------------------------------------------------------- 2. per-agent roster
SHIFTS = ("Morning", "Afternoon", "Night")
WINDOWS = {"Morning": (6, 14), "Afternoon": (14, 22), "Night": (22, 30)}


def roster_instance(seed: int, non_sequential: bool, days: int = 28, people: int = 45) -> dict[str, object]:
    rng = random.Random(seed)
    resources = [f"r{i:02d}" for i in range(people)]
    required = {s: [rng.randint(6, 11) if s != "Night" else rng.randint(3, 6) for _ in range(days)] for s in SHIFTS}
    banned = [
        {"resource": r, "shift": s, "day": d}
        for r in resources for d in range(days) for s in SHIFTS if rng.random() < 0.05
    ]
    preferences = [{"resource": r, "shift": rng.choice(SHIFTS)} for r in resources]
    priorities = [{"resource": r, "weight": rng.randint(1, 3)} for r in resources]
    return {
        "num_days": days, "resources": resources, "shifts": list(SHIFTS), "shifts_hours": [8, 8, 8],
        "min_working_hours": 8 * 18, "max_resting": 8, "banned_shifts": banned, "required_resources": required,
        "non_sequential_shifts": [{"origin": "Night", "destination": "Morning"}] if non_sequential else [],
        "resources_preferences": preferences, "resources_prioritization": priorities,
    }


def their_objective(data: dict[str, object], worked: list[tuple[str, int, str]]) -> float:
    """MinHoursRoster's objective: shifted hours minus weighted preference hits."""
    preferred = {(p["resource"], p["shift"]) for p in data["resources_preferences"]}  # type: ignore[attr-defined]
    weight = {p["resource"]: p["weight"] for p in data["resources_prioritization"]}  # type: ignore[attr-defined]
    return sum(8 - (weight[r] if (r, s) in preferred else 0) for r, _, s in worked)


def their_feasible(data: dict[str, object], worked: list[tuple[str, int, str]]) -> bool:
    days = int(data["num_days"])  # type: ignore[call-overload]
    count: dict[tuple[int, str], int] = {}
    per_person: dict[str, list[tuple[int, str]]] = {}
    for r, d, s in worked:
        count[(d, s)] = count.get((d, s), 0) + 1
        per_person.setdefault(r, []).append((d, s))
    required = data["required_resources"]
    if any(count.get((d, s), 0) < required[s][d] for s in SHIFTS for d in range(days)):  # type: ignore[index]
        return False
    for r in data["resources"]:  # type: ignore[attr-defined]
        mine = dict(per_person.get(r, []))
        if len(mine) != len(per_person.get(r, [])) or len(mine) < days - int(data["max_resting"]):  # type: ignore[call-overload]
            return False
        if 8 * len(mine) < int(data["min_working_hours"]):  # type: ignore[call-overload]
            return False
        if data["non_sequential_shifts"] and any(
            mine.get(d) == "Night" and mine.get(d + 1) == "Morning" for d in range(days)
        ):
            return False
    banned = {(b["resource"], b["shift"], b["day"]) for b in data["banned_shifts"]}  # type: ignore[attr-defined]
    return not any((r, s, d) in banned for r, d, s in worked)


def ours_for(data: dict[str, object]) -> RosterProblem:
    days = int(data["num_days"])  # type: ignore[call-overload]
    horizon = Horizon(MONDAY, days, 60)
    templates = tuple(ShiftTemplate(s, (dt.time(WINDOWS[s][0] % 24),), 480, cost_per_hour=1.0) for s in SHIFTS)
    need = [0] * horizon.n_slots
    for s in SHIFTS:
        for d, count in enumerate(data["required_resources"][s]):  # type: ignore[index]
            for h in range(*WINDOWS[s]):
                t = d * 24 + h
                if t < horizon.n_slots:
                    need[t] = count
    min_days = max(days - int(data["max_resting"]), math.ceil(int(data["min_working_hours"]) / 8))  # type: ignore[call-overload]
    weekly = Contract("bench", min_hours_week=8 * math.ceil(min_days * 7 / days), max_hours_week=168,
                      max_consecutive_days=7, min_rest_hours=1 if data["non_sequential_shifts"] else 0,
                      days_off_per_week=0)
    preferred = {p["resource"]: p["shift"] for p in data["resources_preferences"]}  # type: ignore[attr-defined]
    weight = {p["resource"]: p["weight"] for p in data["resources_prioritization"]}  # type: ignore[attr-defined]
    bans: dict[str, list[Unavailability]] = {}
    for b in data["banned_shifts"]:  # type: ignore[attr-defined]
        start, end = WINDOWS[b["shift"]]
        day = MONDAY + dt.timedelta(days=b["day"])
        bans.setdefault(b["resource"], []).append(
            Unavailability(on=day, start=dt.time(start), end=dt.time(end) if end < 24 else None)
        )
    agents = tuple(
        Agent(r, {"s": 5}, weekly, tuple(bans.get(r, ())), (PreferredShift(preferred[r], weight[r]),))
        for r in data["resources"]  # type: ignore[attr-defined]
    )
    # Cost 8 per shift (x60 to stay integral next to the other weights); over-coverage is free as in theirs.
    return RosterProblem(horizon, templates, agents, {"s": tuple(need)},
                         weights=ObjectiveWeights(under=10_000, over=0, cost=60, preference=60, min_hours_shortfall=10_000))


def bench_roster(workers: int, budget: float) -> None:
    from pyworkforce.rostering import binary_programming
    from pyworkforce.rostering.binary_programming import MinHoursRoster

    binary_programming.cp_model = _pinned_cp_model(workers)  # type: ignore[attr-defined]
    print(f"2. per-agent roster, 45 people x 28 days x 3 shifts (8 h), budget {budget:g} s each")
    for non_sequential in (False, True):
        data = roster_instance(seed=11, non_sequential=non_sequential)
        theirs = MinHoursRoster(**data, max_search_time=budget, num_search_workers=workers)  # type: ignore[arg-type]
        started = time.perf_counter()
        solution = theirs.solve()
        their_time = time.perf_counter() - started
        their_worked = [(x["resource"], x["day"], x["shift"]) for x in solution["resource_shifts"]]
        started = time.perf_counter()
        result = solve_roster(ours_for(data), SolveOptions(time_limit_s=budget, workers=workers))
        our_time = time.perf_counter() - started
        our_worked = [(a.agent_id, (a.date - MONDAY).days, a.template) for a in result.assignments]
        label = "with Night->Morning banned" if non_sequential else "no non-sequential rule"
        print(f"   {label}:")
        print(f"     pyworkforce MinHoursRoster: {solution['status']:8s} objective "
              f"{their_objective(data, their_worked):>7,.0f}  feasible {their_feasible(data, their_worked)}  {their_time:6.2f} s")
        print(f"     ours (solve_roster):        {result.status:8s} objective "
              f"{their_objective(data, our_worked):>7,.0f}  feasible {their_feasible(data, our_worked)}  {our_time:6.2f} s"
              f"  (gap on our own objective {result.gap:.2%})")
        print(f"     ratio ours/theirs (their objective, lower is better): "
              f"{their_objective(data, our_worked) / their_objective(data, their_worked):.3f}")
    print("   note: MinHoursRoster's non-sequential constraint sums every next-day shift, so after a Night it bans")
    print("   any shift the next day, not only Morning; ours bans only what the rule says, hence its lower objective there.")


# ---------------------------------------------------------------- 3. scale
def big_requirements(horizon: Horizon, skills: dict[str, float]) -> dict[str, tuple[int, ...]]:
    out = {}
    for skill, peak in skills.items():
        values = []
        for t in range(horizon.n_slots):
            hour = (t % horizon.slots_per_day) * horizon.slot_minutes / 60
            weekday = horizon.date(t // horizon.slots_per_day).weekday()
            shape = math.exp(-(((hour - 11) / 3) ** 2)) + 0.7 * math.exp(-(((hour - 16.5) / 3) ** 2))
            values.append(round(peak * shape * (0.6 if weekday >= 5 else 1.0)) if 7 <= hour < 22 else 0)
        out[skill] = tuple(values)
    return out


def bench_scale(workers: int, limit: float) -> None:
    horizon = Horizon(MONDAY, 28, 30)
    requirements = big_requirements(horizon, {"sales": 60, "support": 45, "billing": 20})
    agents = generate_agents(200, list(requirements), seed=1, weights=[sum(v) for v in requirements.values()])
    problem = RosterProblem(horizon, DEFAULT_TEMPLATES, agents, requirements, BreakCap(30))
    started = time.perf_counter()
    result = solve_roster(problem, SolveOptions(time_limit_s=limit, workers=workers))
    wall = time.perf_counter() - started
    first = f"{result.first_solution_s:.1f} s" if result.first_solution_s is not None else "none"
    required = sum(sum(v) for v in requirements.values()) * horizon.slot_minutes / 60
    print(f"3. 200 agents x 28 days x 30-min intervals, 3 skills, default templates, break cap 30, limit {limit:g} s")
    print(f"   first feasible {first}, final {result.status}, objective {result.objective:,.0f}, "
          f"bound {result.best_bound:,.0f}, gap {result.gap:.1%}, wall {wall:.1f} s")
    print(f"   {len(result.assignments)} shifts; required {required:,.0f} agent-h, "
          f"under {result.total_under:,.1f} agent-h, over {result.total_over:,.1f} agent-h")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--budget", type=float, default=30.0, help="time budget of parts 1 and 2, seconds")
    parser.add_argument("--big-limit", type=float, default=120.0, help="time limit of part 3, seconds")
    parser.add_argument("--skip", choices=["coverage", "roster", "scale"], action="append", default=[])
    args = parser.parse_args()
    print(f"workers {args.workers} on both sides")
    if "coverage" not in args.skip:
        bench_coverage(args.workers, args.budget)
    if "roster" not in args.skip:
        bench_roster(args.workers, args.budget)
    if "scale" not in args.skip:
        bench_scale(args.workers, args.big_limit)


if __name__ == "__main__":
    main()
