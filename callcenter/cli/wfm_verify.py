"""``callcenter wfm verify``: simulate a roster against a forecast."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import click
from rich import box
from rich.console import Console
from rich.table import Table

from callcenter.cli.simulate import progress_bar
from callcenter.config.center import load_center
from callcenter.config.loader import ConfigError
from simulation.errors import RosterError
from simulation.roster import load_roster
from wfm.forecast import ForecastError, read_forecast_csv
from wfm.verify import Verification, VerifyError, verify as run_verify


def _pct(value: object) -> str:
    return "-" if not isinstance(value, float) else f"{value:.1%}"


@click.command()
@click.option("--roster", "roster_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Roster CSV (agent_id,date,start,end,breaks[,skills]).")
@click.option("--forecast", "forecast_path", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Forecast CSV (queue,interval_start,calls,aht_s[,calls_lo,calls_hi]).")
@click.option("--center", "center_dir", type=click.Path(path_type=Path), default=None,
              help="Config folder (or center.yaml) for queues, agents and routing [default: one queue per "
                   "forecast queue, needing the skill of the same name; agents from the roster's skills].")
@click.option("--target-sl", type=click.FloatRange(0, 1, min_open=True), default=0.8, show_default=True,
              help="Service-level target, fraction (0.8 = 80 %).")
@click.option("--answer-within", type=click.FloatRange(min=0), default=20.0, show_default=True,
              help="Service-level threshold, seconds.")
@click.option("--patience", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Mean caller patience in seconds (exponential) [default: nobody abandons].")
@click.option("--replications", type=click.IntRange(min=1), default=5, show_default=True,
              help="Independent simulated runs to average.")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the first run.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the per-interval results as CSV.")
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also draw service level per interval and queue as a PNG.")
def verify(
    roster_path: Path, forecast_path: Path, center_dir: Path | None, target_sl: float, answer_within: float,
    patience: float | None, replications: int, seed: int, as_json: bool, out: Path | None, plot: Path | None,
) -> None:
    """Simulate a roster against a forecast; flag intervals below the target.

    Runs the roster's shifts and breaks through the simulated center (the
    real router) with the forecast's calls and AHT per interval, several
    times, and reports the mean expected service level, ASA and abandon rate
    per queue and interval. Example:

    callcenter wfm verify --roster roster.csv --forecast forecast.csv --replications 5
    """
    try:
        roster = load_roster(roster_path)
    except RosterError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        forecast = read_forecast_csv(forecast_path)
    except ForecastError as exc:
        raise click.ClickException(str(exc)) from None
    queues = agents = settings = None
    if center_dir is not None:
        try:
            queues, agents, settings = load_center(center_dir).to_acd()
        except ConfigError as exc:
            raise click.ClickException(str(exc)) from None
    with progress_bar("replications", replications) as advance:
        try:
            result = run_verify(
                roster, forecast, queues=queues, agents=agents or (), settings=settings, target_sl=target_sl,
                answer_within_s=answer_within, patience_s=patience, replications=replications, seed=seed,
                progress=advance,
            )
        except VerifyError as exc:
            raise click.ClickException(str(exc)) from None
    rows = result.rows()
    if out is not None:
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    if plot is not None:
        _plot(result, plot)
    if as_json:
        click.echo(json.dumps({
            "target_sl": target_sl, "answer_within_s": answer_within, "replications": replications, "seed": seed,
            "queues": {q: dict(result.report.by_queue[q]) for q in result.report.queues},
            "intervals": rows,
            "below_target": [
                {"queue": f.queue, "interval_start": f.interval_start.isoformat(), "calls": f.calls,
                 "service_level": f.service_level} for f in result.flags
            ],
        }, indent=1))
        return
    _print(result)


def _print(result: Verification) -> None:
    console = Console()
    report = result.report
    table = Table(title=f"Expected per queue, mean of {result.replications} runs", box=box.SIMPLE_HEAD)
    for name in ("Queue", "Offered", "SL", "ASA s", "Abandon", "Occupancy"):
        table.add_column(name, justify="left" if name == "Queue" else "right")
    for q in report.queues:
        row = report.by_queue[q]
        asa = row["asa_s"]
        table.add_row(q, f"{row['offered'] or 0:.0f}", _pct(row["service_level"]),
                      "-" if asa is None else f"{asa:.1f}", _pct(row["abandon_rate"]), _pct(row["occupancy"]))
    console.print(table)
    if not result.flags:
        console.print(f"Every interval meets {result.target_sl:.0%} within {result.answer_within_s:g} s.")
        return
    flagged = Table(title=f"Intervals below {result.target_sl:.0%} within {result.answer_within_s:g} s",
                    box=box.SIMPLE_HEAD)
    for name in ("Interval", "Queue", "Calls", "SL"):
        flagged.add_column(name, justify="left" if name in ("Interval", "Queue") else "right")
    for f in result.flags:
        flagged.add_row(f.interval_start.strftime("%Y-%m-%d %H:%M"), f.queue, f"{f.calls:.1f}",
                        f"[red]{f.service_level:.1%}[/]")
    console.print(flagged)


def _plot(result: Verification, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    report = result.report
    times = [float(mdates.date2num(result.when(k))) for k in report.intervals]  # type: ignore[no-untyped-call]
    fig, ax = plt.subplots(figsize=(10, 4))
    for q in report.queues:
        values = [report.by_queue_interval[(q, k)]["service_level"] for k in report.intervals]
        ax.plot(times, [float("nan") if v is None else v for v in values], marker=".", label=q)
    ax.axhline(result.target_sl, color="red", linestyle="--", label="target")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel(f"service level ({result.answer_within_s:g} s)")
    ax.set_title(f"Expected service level, mean of {result.replications} simulated runs")
    ax.legend(loc="lower right", fontsize="small")
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%m-%d %H:%M"))  # type: ignore[no-untyped-call]
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
