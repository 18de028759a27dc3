"""``callcenter wfm history`` and ``callcenter wfm forecast``."""

from __future__ import annotations

import io
import json
import math
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from wfm.forecast import (
    AUTO,
    DEFAULT_LEVEL,
    METHOD_NAMES,
    ForecastError,
    ForecastResult,
    forecast_history,
    read_overrides_csv,
    write_forecast_csv,
)
from wfm.forecasting.synthetic import generate_history
from wfm.history import HistoryError, read_history_csv, write_history_csv

_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _parse_dates(text: str, param: str) -> list[date]:
    days = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        try:
            days.append(date.fromisoformat(item))
        except ValueError:
            raise click.BadParameter(f"'{item}' is not a date like 2026-01-19", param_hint=param) from None
    return days


def _check_parent(path: Path | None, option: str) -> None:
    """Fail before any work when an output file cannot be created."""
    if path is not None and not path.resolve().parent.is_dir():
        raise click.BadParameter(f"folder '{path.parent}' does not exist", param_hint=option)


def _default_start(weeks: int) -> date:
    today = date.today()
    return today - timedelta(days=today.weekday(), weeks=weeks)


@click.command()
@click.option("--weeks", type=click.IntRange(1, 520), default=8, show_default=True, help="Weeks of history to generate.")
@click.option("--queues", default="sales,support", show_default=True, help="Comma-separated queue names.")
@click.option(
    "--interval-min", type=click.Choice(["15", "30"]), default="30", show_default=True, help="Interval length in minutes."
)
@click.option("--start", type=_DATE, default=None, metavar="YYYY-MM-DD", help="First day, YYYY-MM-DD.  [default: the Monday WEEKS weeks ago]")
@click.option("--seed", type=int, default=1, show_default=True, help="Random seed; the same seed gives the same file.")
@click.option("--trend", type=float, default=0.01, show_default=True, help="Volume growth per week (0.01 = +1 %).")
@click.option("--holidays", default="", help="Comma-separated dates (YYYY-MM-DD) with holiday volume.")
@click.option(
    "--holiday-factor", type=click.FloatRange(0, 1), default=0.1, show_default=True,
    help="Volume of a holiday relative to a normal day.",
)
@click.option(
    "--spike-rate", type=click.FloatRange(0, 1), default=0.02, show_default=True,
    help="Chance per queue and day of an outage spike.",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
    help="History CSV to write.  [default: standard output, without the summary]",
)
@click.option(
    "--from-db", "from_db", default=None, metavar="URL",
    help="Read the history from the service database's interaction records instead of generating it.",
)
@click.option(
    "--timezone", default="UTC", show_default=True,
    help="With --from-db: the center's time zone, which intervals are local to.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON instead of a table.")
def history(
    weeks: int,
    queues: str,
    interval_min: str,
    start: datetime | None,
    seed: int,
    trend: float,
    holidays: str,
    holiday_factor: float,
    spike_rate: float,
    out: Path | None,
    from_db: str | None,
    timezone: str,
    as_json: bool,
) -> None:
    """Generate realistic interval history (CSV) for demos and tests.

    With --from-db, read it instead from the interactions the service
    recorded (calls bucketed by arrival time in --timezone).

    Weekly and intraday seasonality, trend, holidays, negative binomial
    noise, occasional outage spikes, AHT by time of day and abandons that
    rise with load. Columns: queue,interval_start,offered,handled,aht_s,abandoned.
    """
    if as_json and out is None:
        raise click.UsageError("--json prints the summary of a written file: give --out too")
    _check_parent(out, "--out")
    names = [name.strip() for name in queues.split(",") if name.strip()]
    if not names:
        raise click.BadParameter("give at least one queue name", param_hint="--queues")
    if len(set(names)) != len(names):
        raise click.BadParameter("a queue name is listed twice", param_hint="--queues")
    first = start.date() if start is not None else _default_start(weeks)
    if from_db is not None:
        frame = _history_from_db(from_db, int(interval_min), timezone)
        first = frame["interval_start"].min().date()
        weeks = max(1, -(-len(frame["interval_start"].dt.normalize().unique()) // 7))
    else:
        frame = generate_history(
            names, first, weeks, int(interval_min), seed=seed, trend_per_week=trend,
            holidays=_parse_dates(holidays, "--holidays"), holiday_factor=holiday_factor, spike_rate=spike_rate,
        )
    if out is None:
        click.echo(frame.pipe(_history_csv_text), nl=False)
        return
    write_history_csv(frame, out)
    summary = _history_summary(frame)
    if as_json:
        click.echo(json.dumps({"out": str(out), "rows": len(frame), "queues": summary}, indent=2))
        return
    table = Table(title=f"History {first:%Y-%m-%d} + {weeks} weeks, {interval_min}-minute intervals -> {out}")
    for header in ("Queue", "Days", "Offered", "Per weekday", "Per weekend day", "Abandoned %", "AHT s"):
        table.add_column(header, justify="left" if header == "Queue" else "right")
    for row in summary:
        table.add_row(
            row["queue"], str(row["days"]), f"{row['offered']:,}", f"{row['offered_per_weekday']:,.0f}",
            f"{row['offered_per_weekend_day']:,.0f}", f"{row['abandon_pct']:.1f}", f"{row['aht_s']:.0f}",
        )
    Console().print(table)


def _history_from_db(url: str, interval_min: int, timezone: str) -> pd.DataFrame:
    import asyncio
    from zoneinfo import ZoneInfoNotFoundError

    from callcenter.storage.db import Database
    from callcenter.storage.history import interval_history

    async def read() -> pd.DataFrame:
        async with Database(url) as db:
            return await interval_history(db, interval_min=interval_min, timezone=timezone)

    try:
        return asyncio.run(read())
    except ZoneInfoNotFoundError:
        raise click.BadParameter(f"unknown time zone {timezone!r}", param_hint="--timezone") from None
    except HistoryError as exc:
        raise click.ClickException(str(exc)) from None
    except Exception as exc:  # connection, missing tables: say which database
        raise click.ClickException(f"cannot read history from the database: {exc}") from None


def _history_csv_text(frame: pd.DataFrame) -> str:
    buffer = io.StringIO()
    write_history_csv(frame, buffer)
    return buffer.getvalue()


def _history_summary(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for queue, group in frame.groupby("queue", sort=True):
        daily = group.groupby(group["interval_start"].dt.normalize())["offered"].sum()
        weekend = daily.index.day_of_week >= 5
        handled = int(group["handled"].sum())
        rows.append(
            {
                "queue": str(queue),
                "days": len(daily),
                "offered": int(group["offered"].sum()),
                "offered_per_weekday": float(daily[~weekend].mean()) if (~weekend).any() else 0.0,
                "offered_per_weekend_day": float(daily[weekend].mean()) if weekend.any() else 0.0,
                "abandon_pct": 100.0 * float(group["abandoned"].sum()) / max(int(group["offered"].sum()), 1),
                "aht_s": float((group["handled"] * group["aht_s"]).sum()) / handled if handled else 0.0,
            }
        )
    return rows


@click.command()
@click.option(
    "--history", "history_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
    help="Interval history CSV (queue,interval_start,offered,handled,aht_s,abandoned).",
)
@click.option("--weeks", type=click.IntRange(1, 52), default=4, show_default=True, help="Weeks to forecast.")
@click.option(
    "--method", type=click.Choice([AUTO, *METHOD_NAMES]), default=AUTO, show_default=True,
    help="Forecast method; auto picks the lowest interval WAPE in the backtest.",
)
@click.option(
    "--holdout-weeks", type=click.IntRange(0, 52), default=2, show_default=True,
    help="Last weeks of history held out for the backtest (0: none; needs a named method).",
)
@click.option(
    "--overrides", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
    help="Special days CSV date,factor (a holiday 0.2, a campaign day 1.5).",
)
@click.option(
    "--level", type=click.FloatRange(0.5, 0.99), default=DEFAULT_LEVEL, show_default=True,
    help="Coverage of the prediction interval (calls_lo, calls_hi).",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
    help="Forecast CSV to write (queue,interval_start,calls,aht_s,calls_lo,calls_hi).",
)
@click.option("--json", "as_json", is_flag=True, help="Print accuracy and a forecast summary as JSON.")
@click.option(
    "--plot", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
    help="PNG of recent history and the forecast with its band, per queue.",
)
def forecast(
    history_path: Path,
    weeks: int,
    method: str,
    holdout_weeks: int,
    overrides: Path | None,
    level: float,
    out: Path | None,
    as_json: bool,
    plot: Path | None,
) -> None:
    """Forecast calls and AHT per interval, chosen by backtest.

    Forecasts every queue of the history for the next WEEKS weeks. Backtests every method on the last HOLDOUT-WEEKS weeks (rolling origin),
    prints MAPE and WAPE per day and per interval with the chosen method
    marked, and writes the forecast CSV.
    """
    _check_parent(out, "--out")
    _check_parent(plot, "--plot")
    try:
        frame = read_history_csv(history_path)
        special = read_overrides_csv(overrides) if overrides is not None else {}
    except HistoryError as exc:
        raise click.ClickException(str(exc)) from None
    progress = Progress(
        TextColumn("backtesting"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    )
    with progress:
        task = progress.add_task("backtest", total=None)

        def on_step(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            result = forecast_history(
                frame, weeks, method=method, holdout_weeks=holdout_weeks, overrides=special,
                level=level, on_step=on_step,
            )
        except (ForecastError, HistoryError) as exc:
            raise click.ClickException(str(exc)) from None
    if out is not None:
        write_forecast_csv(result.frame, out)
    if plot is not None:
        from wfm.plots import plot_forecast

        plot_forecast(frame, result.frame, plot)
    summary = _forecast_summary(result)
    if as_json:
        payload = {
            "history": str(history_path),
            "weeks": weeks,
            "method": method,
            "holdout_weeks": holdout_weeks,
            "level": level,
            "accuracy": _accuracy_rows(result),
            "forecast": {
                "start": f"{result.frame['interval_start'].min():%Y-%m-%dT%H:%M:%S}",
                "end": f"{result.frame['interval_start'].max():%Y-%m-%dT%H:%M:%S}",
                "rows": len(result.frame),
                "out": str(out) if out is not None else None,
                "plot": str(plot) if plot is not None else None,
                "queues": summary,
            },
        }
        click.echo(json.dumps(payload, indent=2))
        return
    console = Console()
    if result.accuracy:
        console.print(_accuracy_table(result))
    console.print(_summary_table(result, summary))
    if out is not None:
        console.print(f"wrote {len(result.frame)} rows to {out}")
    else:
        console.print("no --out given: the forecast was not written")
    if plot is not None:
        console.print(f"plot written to {plot}")


def _number(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 2)


def _chosen(result: ForecastResult) -> dict[str, str]:
    return {decision.queue: decision.method for decision in result.queues}


def _accuracy_rows(result: ForecastResult) -> list[dict[str, Any]]:
    chosen = _chosen(result)
    return [
        {
            "queue": item.queue,
            "method": item.method,
            "chosen": chosen.get(item.queue) == item.method,
            "day_mape": _number(item.day_mape),
            "day_wape": _number(item.day_wape),
            "interval_mape": _number(item.interval_mape),
            "interval_wape": _number(item.interval_wape),
            "points": item.points,
        }
        for item in result.accuracy
    ]


def _accuracy_table(result: ForecastResult) -> Table:
    table = Table(title=f"Backtest on the last {result.holdout_weeks} week(s), rolling origin (%, lower is better)")
    for header in ("Queue", "Method", "Day MAPE", "Day WAPE", "Interval MAPE", "Interval WAPE", "Chosen"):
        table.add_column(header, justify="left" if header in ("Queue", "Method") else "right")
    for row in _accuracy_rows(result):
        cells = [f"{row[key]:.1f}" if row[key] is not None else "-" for key in
                 ("day_mape", "day_wape", "interval_mape", "interval_wape")]
        table.add_row(
            row["queue"], row["method"], *cells, "*" if row["chosen"] else "",
            style="bold green" if row["chosen"] else None,
        )
    return table


def _forecast_summary(result: ForecastResult) -> list[dict[str, Any]]:
    frames = result.frame
    rows = []
    for decision in result.queues:
        part = frames[frames["queue"] == decision.queue]
        calls = float(part["calls"].sum())
        days = part["interval_start"].dt.normalize().nunique()
        peak = part.loc[part["calls"].idxmax()]
        rows.append(
            {
                "queue": decision.queue,
                "method": decision.method,
                "calls": round(calls, 1),
                "calls_per_day": round(calls / max(days, 1), 1),
                "aht_s": round(float((part["calls"] * part["aht_s"]).sum()) / calls, 1) if calls > 0 else 0.0,
                "peak_interval": f"{peak['interval_start']:%Y-%m-%dT%H:%M:%S}",
                "peak_calls": round(float(peak["calls"]), 2),
                "dispersion": round(decision.dispersion, 4),
                "special_days": [f"{day:%Y-%m-%d}" for day in decision.special_days],
            }
        )
    return rows


def _summary_table(result: ForecastResult, summary: list[dict[str, Any]]) -> Table:
    start = result.frame["interval_start"].min()
    end = result.frame["interval_start"].max()
    table = Table(title=f"Forecast {start:%Y-%m-%d} to {end:%Y-%m-%d}, {result.level:.0%} prediction intervals")
    for header in ("Queue", "Method", "Calls", "Per day", "Peak", "Peak calls", "AHT s", "Special days"):
        table.add_column(header, justify="left" if header in ("Queue", "Method", "Peak") else "right")
    for row in summary:
        peak = datetime.fromisoformat(row["peak_interval"])
        table.add_row(
            row["queue"], row["method"], f"{row['calls']:,.0f}", f"{row['calls_per_day']:,.0f}",
            f"{peak:%m-%d %H:%M}", f"{row['peak_calls']:.1f}", f"{row['aht_s']:.0f}",
            str(len(row["special_days"])),
        )
    table.caption = "Special days: history days replaced before fitting (overrides, holidays, spikes)."
    return table
