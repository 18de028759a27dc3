"""``callcenter wfm schedule``: a roster (who works which shift) with CP-SAT."""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from callcenter.config.loader import ConfigError
from callcenter.config.roster import load_agents, load_shifts
from wfm.roster import (
    DEFAULT_TEMPLATES,
    Agent,
    BreakCap,
    ContractConflictError,
    Horizon,
    Progress,
    RequirementsError,
    RosterError,
    RosterProblem,
    RosterResult,
    ShiftTemplate,
    SolveOptions,
    generate_agents,
    read_requirements,
    solve_roster,
    summary,
    write_roster_csv,
)
from wfm.roster.solve import WarmStart

DEFAULT_CAP_SHARE = 0.15  # default break cap: this share of the head count


class _ProgressLine:
    """Improving objectives on stderr: one line at most every half second."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._last = 0.0
        self._pending: Progress | None = None

    def __call__(self, progress: Progress) -> None:
        self._pending = progress
        now = time.monotonic()
        if now - self._last >= 0.5:
            self._emit()
            self._last = now

    def _emit(self) -> None:
        p = self._pending
        if p is None:
            return
        gap = abs(p.objective - p.bound) / max(1.0, abs(p.objective))
        self._console.print(
            f"[dim]{p.elapsed_s:6.1f}s[/dim] solution {p.solutions}: objective {p.objective:,.0f}, "
            f"bound {p.bound:,.0f}, gap {gap:.1%}",
            highlight=False,
        )
        self._pending = None

    def flush(self) -> None:
        """Print the last solution if it was held back."""
        self._emit()


def _summary_table(result: RosterResult) -> Table:
    cov = result.coverage
    table = Table(title=f"Roster: {result.status}, gap {result.gap:.1%}" if not math.isnan(result.gap) else f"Roster: {result.status}")
    for column in ("skill", "required agent-h", "scheduled agent-h", "under agent-h", "over agent-h"):
        table.add_column(column, justify="right" if column != "skill" else "left")
    for skill, required in cov.required.items():
        table.add_row(
            skill,
            f"{sum(required) * cov.slot_minutes / 60:,.1f}",
            f"{sum(cov.scheduled[skill]) * cov.slot_minutes / 60:,.1f}",
            f"{cov.under_agent_hours(skill):,.1f}",
            f"{cov.over_agent_hours(skill):,.1f}",
        )
    return table


def _hours_table(result: RosterResult, limit: int = 15) -> Table:
    table = Table(title="Hours per agent and week vs contract (outside the limits first)")
    for column in ("agent", "week", "hours", "min", "max"):
        table.add_column(column, justify="left" if column in ("agent", "week") else "right")
    rows = sorted(result.hours, key=lambda h: (h.min_hours - 1e-9 <= h.hours <= h.max_hours + 1e-9, h.agent_id))
    for h in rows[:limit]:
        table.add_row(h.agent_id, h.week_start.isoformat(), f"{h.hours:g}", f"{h.min_hours:g}", f"{h.max_hours:g}")
    return table


@click.command()
@click.option(
    "--requirements", "requirements_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
    help="CSV: skill,interval_start,required, or the staffing output of 'wfm staff' (queue = skill, scheduled = requirement).",
)
@click.option(
    "--agents", "agents_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
    help="Agents YAML (skills, contracts, unavailability, preferences).",
)
@click.option(
    "--generate-agents", type=click.IntRange(min=1), default=None,
    help="Instead of --agents: this many agents, skills drawn to match the requirement skills, default contract.",
)
@click.option(
    "--shifts", "shifts_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
    help="Shift templates YAML (starts, length, weekdays, cost, breaks, break cap).  [default: built-in early/day/late]",
)
@click.option("--weeks", type=click.IntRange(1, 8), default=None, help="Weeks to roster.  [default: the span of the requirements]")
@click.option(
    "--start", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
    help="First day (YYYY-MM-DD).  [default: the first day of the requirements]",
)
@click.option("--break-cap", type=click.IntRange(min=0), default=None,
              help="Most agents on a break at once in any interval.  [default: shifts file, else 15% of the head count]")
@click.option("--time-limit", type=click.FloatRange(min=0, min_open=True), default=60.0, show_default=True, help="Solver time limit, seconds.")
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True, help="CP-SAT worker threads.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed (solver and generated agents).")
@click.option(
    "--warm-start", type=click.Choice(["greedy", "coverage", "none"]), default="greedy", show_default=True,
    help="Solution hint: a greedy roster, or one built from a shift-coverage solve first, or none.",
)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Roster CSV to write: agent_id,date,start,end,breaks,skills.")
@click.option("--plot-coverage", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="PNG of required vs scheduled agents per interval and skill.")
@click.option("--plot-roster", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="PNG of agents x days coloured by shift.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON instead of tables.")
def schedule(
    requirements_path: Path,
    agents_path: Path | None,
    generate_agents: int | None,
    shifts_path: Path | None,
    weeks: int | None,
    start: dt.datetime | None,
    break_cap: int | None,
    time_limit: float,
    workers: int,
    seed: int,
    warm_start: str,
    out: Path | None,
    plot_coverage: Path | None,
    plot_roster: Path | None,
    as_json: bool,
) -> None:
    """Build a roster: which agent works which shift each day, breaks placed.

    Covers the requirement per interval and skill as well as possible under
    contracts (weekly hours, days off, consecutive days, rest), availability,
    the break cap and preferences. Under-coverage is allowed but penalised;
    the summary says where coverage falls short and which rules bind.
    """
    if (agents_path is None) == (generate_agents is None):
        raise click.UsageError("give exactly one of --agents FILE or --generate-agents N")
    err = Console(stderr=True)
    try:
        table = read_requirements(requirements_path)
    except RequirementsError as exc:
        raise click.BadParameter(str(exc), param_hint="--requirements") from None
    first = start.date() if start is not None else table.first_day
    days = weeks * 7 if weeks is not None else (table.last_day - first).days + 1
    if days < 1:
        raise click.BadParameter(f"{first} is after the last requirement day {table.last_day}", param_hint="--start")
    try:
        horizon = Horizon(first, days, table.slot_minutes)
        requirements = table.grid(horizon)
    except RosterError as exc:
        raise click.BadParameter(str(exc), param_hint="--requirements") from None
    if not any(any(values) for values in requirements.values()):
        raise click.BadParameter(f"no requirement falls between {first} and {horizon.date(days - 1)}", param_hint="--requirements")

    templates: tuple[ShiftTemplate, ...] = DEFAULT_TEMPLATES
    cap: BreakCap | None = None
    try:
        if shifts_path is not None:
            templates, cap = load_shifts(shifts_path)
        agents: tuple[Agent, ...]
        if agents_path is not None:
            agents = load_agents(agents_path)
        else:
            assert generate_agents is not None
            skills = list(requirements)
            agents = generate_agents_for(generate_agents, skills, requirements, seed)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    if break_cap is not None:
        cap = BreakCap(break_cap)
    elif cap is None:
        cap = BreakCap(max(1, math.ceil(DEFAULT_CAP_SHARE * len(agents))))

    try:
        problem = RosterProblem(horizon, templates, agents, requirements, cap)
        start_kind: WarmStart = "coverage" if warm_start == "coverage" else "none" if warm_start == "none" else "greedy"
        options = SolveOptions(time_limit_s=time_limit, workers=workers, seed=seed, warm_start=start_kind)
        err.print(
            f"rostering {len(agents)} agents over {days} days ({horizon.start} to {horizon.date(days - 1)}), "
            f"{len(templates)} shift templates, break cap {cap.max_on_break}, time limit {time_limit:g}s",
            highlight=False,
        )
        progress = _ProgressLine(err)
        result = solve_roster(problem, options, progress)
        progress.flush()
    except ContractConflictError as exc:
        raise click.ClickException(str(exc)) from None
    except RosterError as exc:
        raise click.ClickException(str(exc)) from None

    if out is not None:
        write_roster_csv(out, result, agents)
        err.print(f"wrote {len(result.assignments)} shifts to {out}", highlight=False)
    if plot_coverage is not None or plot_roster is not None:
        from wfm.roster_plots import plot_coverage as draw_coverage
        from wfm.roster_plots import plot_roster as draw_roster

        if plot_coverage is not None:
            draw_coverage(result, plot_coverage)
            err.print(f"wrote the coverage curve to {plot_coverage}", highlight=False)
        if plot_roster is not None:
            draw_roster(result, plot_roster)
            err.print(f"wrote the roster chart to {plot_roster}", highlight=False)
    if as_json:
        click.echo(json.dumps(summary(result)))
        return
    console = Console()
    console.print(
        f"status {result.status}, objective {result.objective:,.0f}, best bound {result.best_bound:,.0f}, "
        f"gap {result.gap:.2%}, {result.wall_time_s:.1f}s, {len(result.assignments)} shifts",
        highlight=False,
    )
    console.print(_summary_table(result))
    console.print(_hours_table(result))
    if result.shortfalls:
        console.print(f"[bold]Short intervals ({len(result.shortfalls)}):[/bold]")
        for shortfall in result.shortfalls[:20]:
            console.print(f"  {shortfall.message}", highlight=False)
        if len(result.shortfalls) > 20:
            console.print(f"  ... and {len(result.shortfalls) - 20} more (see --json)")
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}", highlight=False)


def generate_agents_for(count: int, skills: list[str], requirements: dict[str, tuple[int, ...]], seed: int) -> tuple[Agent, ...]:
    """Generated agents, skills weighted by each skill's total requirement."""
    return generate_agents(count, skills, seed=seed, weights=[float(sum(requirements[k])) for k in skills])
