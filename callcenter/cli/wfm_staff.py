"""``callcenter wfm staff``: required agents per interval from a forecast CSV."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import click
import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from wfm.forecast import ForecastError, read_forecast_csv
from wfm.staffing import StaffingError, StaffingTarget, required_agents

OUT_COLUMNS = (
    "queue", "interval_start", "calls", "aht_s", "traffic_erlangs", "agents", "scheduled",
    "service_level", "asa_s", "occupancy",
)


def _interval_s(frame: pd.DataFrame) -> float:
    """The most common step between consecutive intervals of a queue, seconds."""
    steps: list[float] = []
    for _, group in frame.groupby("queue", sort=False):
        starts = group["interval_start"].sort_values()
        steps.extend(starts.diff().dt.total_seconds().dropna().tolist())
    steps = [s for s in steps if s > 0]
    if not steps:
        raise click.UsageError("cannot tell the interval length from one interval per queue: give --interval-s")
    values, counts = np.unique(np.asarray(steps), return_counts=True)
    return float(values[np.argmax(counts)])


def staff_frame(frame: pd.DataFrame, interval_s: float, target: StaffingTarget) -> pd.DataFrame:
    """One row per queue and interval with the requirement and its figures.

    Args:
        frame: Forecast rows (``queue, interval_start, calls, aht_s``).
        interval_s: Interval length, seconds.
        target: The staffing target.

    Returns:
        A frame with the columns of ``OUT_COLUMNS`` (plus ``abandon_rate``
        with a patience).
    """
    parts = []
    for queue, group in frame.groupby("queue", sort=True):
        group = group.sort_values("interval_start")
        try:
            r = required_agents(group["calls"].to_numpy(), group["aht_s"].to_numpy(), interval_s, target)
        except StaffingError as exc:
            raise click.UsageError(f"queue {queue}: {exc}") from None
        part = pd.DataFrame({
            "queue": str(queue),
            "interval_start": group["interval_start"].to_numpy(),
            "calls": r.calls,
            "aht_s": group["aht_s"].to_numpy(),
            "traffic_erlangs": r.traffic,
            "agents": r.agents,
            "scheduled": r.scheduled,
            "service_level": r.service_level,
            "asa_s": r.asa_s,
            "occupancy": r.occupancy,
        })
        if r.abandon_rate is not None:
            part["abandon_rate"] = r.abandon_rate
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def daily_summary(rows: pd.DataFrame, interval_s: float) -> pd.DataFrame:
    """Per queue and day: calls, peak agents, agent-hours (required and scheduled)."""
    hours = interval_s / 3600.0
    day = rows.assign(date=rows["interval_start"].dt.date)
    out = day.groupby(["queue", "date"], sort=True).agg(
        calls=("calls", "sum"),
        peak_agents=("agents", "max"),
        peak_scheduled=("scheduled", "max"),
        agent_hours=("agents", "sum"),
        scheduled_hours=("scheduled", "sum"),
        min_service_level=("service_level", "min"),
    ).reset_index()
    out["agent_hours"] *= hours
    out["scheduled_hours"] *= hours
    return out


def _plot(rows: pd.DataFrame, path: Path, interval_s: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    queues = list(dict.fromkeys(rows["queue"]))
    fig, axes = plt.subplots(len(queues), 1, figsize=(11, 3.2 * len(queues)), squeeze=False, sharex=True)
    for ax, queue in zip(axes[:, 0], queues):
        q = rows[rows["queue"] == queue].set_index("interval_start")
        # A regular grid with NaN where the center is closed breaks the lines.
        grid = pd.date_range(q.index.min(), q.index.max(), freq=pd.Timedelta(seconds=interval_s))
        q = q.reindex(grid.union(q.index)).rename_axis("interval_start").reset_index()
        ax.step(q["interval_start"], q["agents"], where="post", label="required agents")
        ax.step(q["interval_start"], q["scheduled"], where="post", label="scheduled agents")
        ax.set_ylabel("agents")
        ax.set_title(f"queue {queue}")
        calls_ax = ax.twinx()
        calls_ax.plot(q["interval_start"], q["calls"], color="grey", alpha=0.6, linewidth=1, label="calls")
        calls_ax.set_ylabel("calls per interval")
        lines = ax.get_legend_handles_labels()
        more = calls_ax.get_legend_handles_labels()
        ax.legend(lines[0] + more[0], lines[1] + more[1], loc="upper left", fontsize="small")
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def _json_value(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = frame.copy()
    if "interval_start" in out:
        out["interval_start"] = out["interval_start"].dt.strftime("%Y-%m-%dT%H:%M:%S")
    if "date" in out:
        out["date"] = out["date"].astype(str)
    return [{k: _json_value(v) for k, v in row.items()} for row in json.loads(out.to_json(orient="records"))]


@click.command()
@click.option(
    "--forecast", "forecast_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), required=True,
    help="Forecast CSV: queue,interval_start,calls,aht_s[,calls_lo,calls_hi].",
)
@click.option(
    "--target-sl", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=None,
    help="Service-level target as a fraction (0.8 = 80 %).  [default: 0.8 when no other target is given]",
)
@click.option(
    "--answer-within", type=click.FloatRange(min=0), default=20.0, show_default=True,
    help="Service-level threshold T, seconds.",
)
@click.option("--target-asa", type=click.FloatRange(min=0, min_open=True), default=None, help="Largest ASA, seconds.")
@click.option(
    "--max-abandon", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=None,
    help="Largest abandon rate as a fraction (needs --patience).",
)
@click.option(
    "--patience", type=click.FloatRange(min=0, min_open=True), default=None,
    help="Mean caller patience, seconds: use Erlang A (callers abandon) instead of Erlang C.",
)
@click.option(
    "--max-occupancy", type=click.FloatRange(0, 1, min_open=True), default=None,
    help="Occupancy cap as a fraction (0.85 = 85 %).",
)
@click.option(
    "--shrinkage", type=click.FloatRange(0, 1, max_open=True), default=0.0, show_default=True,
    help="Fraction of paid time off the phones: scheduled = ceil(agents / (1 - shrinkage)).",
)
@click.option("--min-agents", type=click.IntRange(min=0), default=0, show_default=True, help="Floor per interval.")
@click.option(
    "--interval-s", type=click.FloatRange(min=0, min_open=True), default=None,
    help="Interval length, seconds.  [default: read from the forecast]",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="CSV to write, one row per queue and interval ('-' for standard output).",
)
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), default=None, help="PNG staffing curve per queue.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (daily summary and intervals) instead of a table.")
def staff(
    forecast_path: Path,
    target_sl: float | None,
    answer_within: float,
    target_asa: float | None,
    max_abandon: float | None,
    patience: float | None,
    max_occupancy: float | None,
    shrinkage: float,
    min_agents: int,
    interval_s: float | None,
    out: Path | None,
    plot: Path | None,
    as_json: bool,
) -> None:
    """Required agents per interval for a service target (Erlang C/A).

    For each queue and interval of the forecast: the fewest agents meeting
    every target given (service level, ASA, abandon rate, occupancy cap),
    and the agents to schedule after shrinkage. With --patience, Erlang A:
    the service level counts answered-within over offered calls.
    """
    if max_abandon is not None and patience is None:
        raise click.UsageError("--max-abandon needs --patience (mean caller patience, seconds)")
    if target_sl is None and target_asa is None and max_abandon is None:
        target_sl = 0.8
    if out is not None and str(out) == "-" and as_json:
        raise click.UsageError("--out - and --json both write to standard output: choose one")
    target = StaffingTarget(
        service_level=target_sl, answer_within_s=answer_within, max_asa_s=target_asa,
        max_abandon=max_abandon, patience_s=patience, max_occupancy=max_occupancy,
        shrinkage=shrinkage, min_agents=min_agents,
    )
    try:
        frame = read_forecast_csv(forecast_path)
    except ForecastError as exc:
        raise click.BadParameter(str(exc), param_hint="--forecast") from None
    if frame.empty:
        raise click.BadParameter(f"{forecast_path}: no rows", param_hint="--forecast")
    step = interval_s if interval_s is not None else _interval_s(frame)
    err = Console(stderr=True)
    rows = staff_frame(frame, step, target)
    days = daily_summary(rows, step)
    columns = [*OUT_COLUMNS, *(["abandon_rate"] if "abandon_rate" in rows else [])]
    if out is not None:
        table = rows.loc[:, columns].copy()
        table["interval_start"] = table["interval_start"].dt.strftime("%Y-%m-%dT%H:%M:%S")
        if str(out) == "-":
            table.to_csv(sys.stdout, index=False, lineterminator="\n", float_format="%.4f")
        else:
            table.to_csv(out, index=False, lineterminator="\n", float_format="%.4f")
            err.print(f"wrote {len(table)} intervals to {out}")
    if plot is not None:
        _plot(rows, plot, step)
        err.print(f"wrote the staffing curves to {plot}")
    if as_json:
        target_json = {
            "service_level": target_sl, "answer_within_s": answer_within, "max_asa_s": target_asa,
            "max_abandon": max_abandon, "patience_s": patience, "max_occupancy": max_occupancy,
            "shrinkage": shrinkage, "min_agents": min_agents,
        }
        doc = {
            "model": "erlang_a" if patience is not None else "erlang_c",
            "interval_s": step,
            "target": target_json,
            "days": _records(days),
            "intervals": _records(rows.loc[:, columns]),
        }
        click.echo(json.dumps(doc))
        return
    console = err if out is not None and str(out) == "-" else Console()
    console.print(_summary_table(days, "Erlang A" if patience is not None else "Erlang C"))


def _summary_table(days: pd.DataFrame, model: str) -> Table:
    table = Table(title=f"Staffing by queue and day ({model})", caption="agents: required on the phones; sched.: after shrinkage")
    table.add_column("Queue", no_wrap=True)
    table.add_column("Date", no_wrap=True)
    for name in ("Calls", "Peak agents", "Peak sched.", "Agent-h", "Sched. h", "Min SL"):
        table.add_column(name, justify="right")
    for row in days.itertuples(index=False):
        table.add_row(
            str(row.queue), str(row.date), f"{row.calls:,.0f}", str(row.peak_agents),
            str(row.peak_scheduled), f"{row.agent_hours:,.1f}", f"{row.scheduled_hours:,.1f}",
            f"{row.min_service_level:.1%}",
        )
    return table
