"""``callcenter simulate``: a simulated day of a center, or one queue, through the real router."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
from rich import box
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from callcenter.config.loader import ConfigError
from callcenter.config.traffic import load_scenario
from simulation.center import SimulatedCenter, make_env
from simulation.report import Report, clock, make_report, metric_settings, to_json
from simulation.roster import parse_hhmm
from simulation.single_queue import QUEUE, SingleQueue, run_single_queue
from wfm.erlang import erlang_a, erlang_c_metrics

PROGRESS_MIN_S = 0.0  # the bar shows whenever stderr is a terminal


@contextmanager
def progress_bar(label: str, total: float, enabled: bool = True) -> Iterator[Callable[[float], None]]:
    """A rich progress bar on stderr; yields ``advance_to(done)``.

    Rich draws nothing when stderr is not a terminal, so piped ``--json``
    output stays clean either way.
    """
    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield lambda done: None
        return
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(), console=console, transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)
        yield lambda done: bar.update(task, completed=done)


def _pct(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}%}"


def _secs(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _int(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _sl(value: float | None, target: float, digits: int = 1) -> str:
    text = _pct(value, digits)
    return f"[red]{text}[/]" if value is not None and value < target else text


def _number(value: float | None) -> float | None:
    return value if value is None or math.isfinite(value) else None


@click.command()
@click.option(
    "--config", "config_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Config folder with center.yaml, traffic.yaml and roster.csv.",
)
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Use this roster CSV instead of the folder's roster.csv.")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed: same seed, same run.")
@click.option("--start", "start_text", default=None, help="Start of the simulated window, HH:MM [default: the traffic's first interval].")
@click.option("--hours", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Length of the simulated window in hours [default: to the traffic's last interval; 8 for one queue].")
@click.option("--speed", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Run in real time, this many times faster than the wall clock (10 = ten simulated seconds a second) "
                   "[default: virtual time, as fast as possible].")
@click.option("--interval-min", type=click.Choice(["15", "30", "60"]), default="30", show_default=True,
              help="Reporting interval, minutes.")
@click.option("--calls-per-hour", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Single-queue form: arrival rate (Poisson).")
@click.option("--aht", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Single-queue form: mean handle time in seconds (exponential).")
@click.option("--agents", type=click.IntRange(min=1), default=None, help="Single-queue form: identical agents.")
@click.option("--answer-within", type=click.FloatRange(min=0), default=20.0, show_default=True,
              help="Single-queue form: service-level threshold in seconds.")
@click.option("--patience", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Single-queue form: mean caller patience in seconds (exponential) [default: nobody abandons].")
@click.option("--warmup-min", type=click.FloatRange(min=0), default=30.0, show_default=True,
              help="Single-queue form: minutes simulated before measuring.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def simulate(
    config_dir: Path | None,
    roster: Path | None,
    seed: int,
    start_text: str | None,
    hours: float | None,
    speed: float | None,
    interval_min: str,
    calls_per_hour: float | None,
    aht: float | None,
    agents: int | None,
    answer_within: float,
    patience: float | None,
    warmup_min: float,
    as_json: bool,
) -> None:
    """Simulate a center, or one queue, through the real router.

    Center form: callers, agents, shifts and breaks from a config folder;
    prints service level, ASA, AHT, abandon rate and occupancy per queue and
    per interval. Example: callcenter simulate --config config/sample-center --seed 1

    Single-queue form (M/M/N, or M/M/N+M with --patience), to check against
    Erlang C/A: callcenter simulate --calls-per-hour 200 --aht 180 --agents 12
    --answer-within 20 --hours 8 --seed 1 --json

    Rates are fractions 0-1 in JSON (percentages in tables), times seconds.
    """
    single = [calls_per_hour, aht, agents]
    if config_dir is None and all(v is None for v in single):
        raise click.UsageError("give --config DIR, or --calls-per-hour, --aht and --agents for one queue")
    if config_dir is not None and any(v is not None for v in single):
        raise click.UsageError("--config and the single-queue options (--calls-per-hour, --aht, --agents) exclude each other")
    if config_dir is None:
        if any(v is None for v in single):
            raise click.UsageError("the single-queue form needs all of --calls-per-hour, --aht and --agents")
        if start_text is not None or roster is not None:
            raise click.UsageError("--start and --roster apply to --config only")
        assert calls_per_hour is not None and aht is not None and agents is not None
        model = SingleQueue(calls_per_hour, aht, agents, answer_within, hours or 8.0, patience, warmup_min * 60.0)
        _single(model, seed, speed, as_json)
        return
    assert config_dir is not None
    _center(config_dir, roster, seed, start_text, hours, speed, int(interval_min) * 60.0, as_json)


def _center(
    config_dir: Path,
    roster: Path | None,
    seed: int,
    start_text: str | None,
    hours: float | None,
    speed: float | None,
    interval_s: float,
    as_json: bool,
) -> None:
    try:
        scenario = load_scenario(config_dir, roster)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    traffic = scenario.traffic
    start = traffic.start_s
    if start_text is not None:
        try:
            start = float(parse_hhmm(start_text))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--start") from None
    end = start + hours * 3600.0 if hours is not None else traffic.end_s
    if end <= start:
        raise click.BadParameter(f"the traffic ends at {clock(traffic.end_s)}: give --hours", param_hint="--start")
    center = SimulatedCenter(scenario, seed, start_s=start, until_s=end, env=make_env(start, speed))
    with progress_bar("simulating", end - start) as advance:
        run = center.run(progress=lambda t: advance(t - start), step_s=60.0 if speed else 900.0)
    settings = metric_settings(scenario.queues, traffic.ring_delay)
    report = make_report(run, scenario.queues, scenario.agents, settings, interval_s)
    if as_json:
        out = {"seed": seed, "config": str(config_dir), "calls": run.calls} | to_json(report)
        click.echo(json.dumps(out, indent=1))
        return
    targets = {q.id: q.service_level.target for q in scenario.queues}
    _print_center(report, targets, seed, run.calls)


def _print_center(report: Report, targets: dict[str, float], seed: int, calls: int) -> None:
    console = Console()
    console.print("Left: overflowed, voicemail or callback request. CB: callbacks answered. Occ: occupancy.")
    title = f"Simulated {clock(report.start_s)}-{clock(report.end_s)}, seed {seed}: {calls} calls"
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1), collapse_padding=True)
    for name in ("Queue", "Offered", "Answ", "Aband", "Left", "CB", "SL", "ASA s", "AHT s", "Aband%", "Occ"):
        table.add_column(name, justify="left" if name == "Queue" else "right", no_wrap=True)
    rows = [(q, report.by_queue[q], targets.get(q, 0.8)) for q in report.queues]
    for q, row, target in rows + [("total", report.total, 0.8)]:
        table.add_row(
            q, _int(row["offered"]), _int(row["answered"]), _int(row["abandoned"]), _int(row["left"]),
            str(report.callbacks.get(q, "")) if q != "total" else str(sum(report.callbacks.values())),
            _sl(row["service_level"], target), _secs(row["asa_s"]), _secs(row["aht_s"]),
            _pct(row["abandon_rate"]), _pct(row["occupancy"]),
            end_section=q == report.queues[-1],
        )
    console.print(table)
    per = Table(title=f"Per {report.interval_s / 60:.0f} minutes; SL per queue on the right (red: below target)",
                box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1), collapse_padding=True)
    for name in ("Time", "Offer", "SL", "ASA s", "Aband", "Occ", *(q[:7] for q in report.queues)):
        per.add_column(name, justify="left" if name == "Time" else "right", no_wrap=True)
    for k in report.intervals:
        row = report.by_interval[k]
        per.add_row(
            clock(k), _int(row["offered"]), _sl(row["service_level"], 0.8, 0), _secs(row["asa_s"]),
            _pct(row["abandon_rate"], 0), _pct(row["occupancy"], 0),
            *(_sl(report.by_queue_interval[(q, k)]["service_level"], targets.get(q, 0.8), 0) for q in report.queues),
        )
    console.print(per)


def _theory(model: SingleQueue) -> dict[str, Any]:
    traffic = model.calls_per_hour * model.aht_s / 3600.0
    if model.patience_s is None:
        c = erlang_c_metrics(model.agents, traffic, model.aht_s, model.answer_within_s)
        return {
            "model": "erlang_c", "p_wait": float(c.p_wait), "service_level": float(c.service_level),
            "asa_s": _number(float(c.asa_s)), "occupancy": float(c.occupancy), "abandon_rate": 0.0,
        }
    a = erlang_a(model.agents, model.calls_per_hour / 3600.0, model.aht_s, model.patience_s, model.answer_within_s)
    return {
        "model": "erlang_a", "p_wait": float(a.p_wait), "service_level": float(a.service_level),
        "asa_s": _number(float(a.asa_s)), "occupancy": float(a.occupancy), "abandon_rate": float(a.abandon_rate),
    }


def _single(model: SingleQueue, seed: int, speed: float | None, as_json: bool) -> None:
    total = model.warmup_s + model.hours * 3600.0
    with progress_bar("simulating", total) as advance:
        result = run_single_queue(model, seed, env=make_env(0.0, speed), progress=advance)
    s = result.stats
    figures = {
        "offered": s.offered, "answered": s.answered, "abandoned": s.abandoned,
        "service_level": s.service_level, "asa_s": s.asa_s, "aht_s": s.aht_s,
        "abandon_rate": s.abandon_rate, "occupancy": result.occupancy, "p_wait": s.p_wait,
    }
    theory = _theory(model)
    if as_json:
        out = {
            "seed": seed,
            "model": {
                "calls_per_hour": model.calls_per_hour, "aht_s": model.aht_s, "agents": model.agents,
                "answer_within_s": model.answer_within_s, "hours": model.hours, "patience_s": model.patience_s,
                "warmup_s": model.warmup_s, "traffic_erlangs": model.calls_per_hour * model.aht_s / 3600.0,
            },
            "queues": {QUEUE: figures},
            "theory": theory,
        }
        click.echo(json.dumps(out, indent=1))
        return
    label = "Erlang C" if model.patience_s is None else "Erlang A"
    table = Table(title=f"One queue, {model.agents} agents, {model.calls_per_hour:g} calls/h, AHT {model.aht_s:g} s, seed {seed}")
    table.add_column("Figure")
    table.add_column("Simulated", justify="right")
    table.add_column(label, justify="right")
    table.add_row("Offered", str(s.offered), "")
    table.add_row("Answered", str(s.answered), "")
    table.add_row("Abandoned", str(s.abandoned), "")
    for key, name, fmt in (
        ("p_wait", "P(wait)", _pct), ("service_level", f"SL ({model.answer_within_s:g} s)", _pct),
        ("asa_s", "ASA s", _secs), ("abandon_rate", "Abandon", _pct), ("occupancy", "Occupancy", _pct),
    ):
        table.add_row(name, fmt(figures[key]), fmt(theory[key]))
    table.add_row("AHT s", _secs(s.aht_s), f"{model.aht_s:.1f}")
    Console().print(table)
