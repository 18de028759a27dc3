"""``callcenter wfm erlang``: Erlang C (or A) figures for one interval."""

from __future__ import annotations

import json
import math

import click
from rich.console import Console
from rich.table import Table

from wfm.erlang import erlang_a, erlang_c_metrics, traffic_erlangs
from wfm.staffing import StaffingTarget, required_agents, scheduled_agents


def _number(value: float) -> float | None:
    """JSON has no infinity: an unbounded wait is null."""
    return value if math.isfinite(value) else None


@click.command()
@click.option("--calls", type=click.FloatRange(min=0), required=True, help="Calls offered in the interval.")
@click.option(
    "--interval-s", type=click.FloatRange(min=0, min_open=True), default=1800.0, show_default=True,
    help="Interval length, seconds.",
)
@click.option("--aht", type=click.FloatRange(min=0, min_open=True), required=True, help="Average handling time, seconds.")
@click.option(
    "--answer-within", type=click.FloatRange(min=0), required=True,
    help="Service-level threshold T, seconds (answered within T).",
)
@click.option("--agents", type=click.IntRange(min=0), default=None, help="Agents on the phones (give this or --target-sl).")
@click.option(
    "--target-sl", type=click.FloatRange(0, 1, min_open=True, max_open=True), default=None,
    help="Service-level target as a fraction (0.8 = 80 %): print the fewest agents meeting it.",
)
@click.option(
    "--patience", type=click.FloatRange(min=0, min_open=True), default=None,
    help="Mean caller patience, seconds: use Erlang A (callers abandon) instead of Erlang C.",
)
@click.option(
    "--shrinkage", type=click.FloatRange(0, 1, max_open=True), default=None,
    help="Fraction of paid time off the phones (0.3 = 30 %): also print the agents to schedule.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def erlang(
    calls: float,
    interval_s: float,
    aht: float,
    answer_within: float,
    agents: int | None,
    target_sl: float | None,
    patience: float | None,
    shrinkage: float | None,
    as_json: bool,
) -> None:
    """Erlang C/A figures for one interval.

    Give the agents to get service level, ASA, P(wait) and occupancy, or a
    service-level target to get the fewest agents meeting it. Fractions are
    0-1, times are seconds. With --patience, Erlang A: callers abandon after
    an exponential patience, the service level counts answered-within over
    offered calls and ASA is the average wait of answered calls.
    """
    if (agents is None) == (target_sl is None):
        raise click.UsageError("give exactly one of --agents or --target-sl")
    traffic = float(traffic_erlangs(calls, interval_s, aht))
    if agents is None:
        target = StaffingTarget(service_level=target_sl, answer_within_s=answer_within, patience_s=patience)
        agents = int(required_agents([calls], aht, interval_s, target).agents[0])
    out: dict[str, object] = {
        "model": "erlang_c" if patience is None else "erlang_a",
        "calls": calls,
        "interval_s": interval_s,
        "aht_s": aht,
        "answer_within_s": answer_within,
        "traffic_erlangs": traffic,
        "agents": agents,
    }
    if patience is None:
        c = erlang_c_metrics(agents, traffic, aht, answer_within)
        out |= {
            "p_wait": float(c.p_wait), "service_level": float(c.service_level),
            "asa_s": _number(float(c.asa_s)), "occupancy": float(c.occupancy),
        }
    else:
        a = erlang_a(agents, calls / interval_s, aht, patience, answer_within)
        out |= {
            "patience_s": patience, "p_wait": float(a.p_wait), "service_level": float(a.service_level),
            "service_level_answered": float(a.service_level_answered), "asa_s": _number(float(a.asa_s)),
            "occupancy": float(a.occupancy), "abandon_rate": float(a.abandon_rate),
        }
    if target_sl is not None:
        out["target_sl"] = target_sl
    if shrinkage is not None:
        out["shrinkage"] = shrinkage
        out["scheduled_agents"] = int(scheduled_agents([agents], shrinkage)[0])
    if patience is None and agents <= traffic and calls > 0:
        Console(stderr=True).print(
            f"[yellow]warning:[/] {agents} agents for {traffic:.2f} Erlangs: the queue grows without bound"
        )
    if as_json:
        click.echo(json.dumps(out))
        return
    _table(out)


_ROWS = [
    ("traffic_erlangs", "Traffic (Erlangs)", "{:.2f}"),
    ("agents", "Agents", "{}"),
    ("scheduled_agents", "Agents to schedule", "{}"),
    ("p_wait", "P(wait)", "{:.1%}"),
    ("service_level", "Service level", "{:.1%}"),
    ("service_level_answered", "Service level (of answered)", "{:.1%}"),
    ("asa_s", "ASA (s)", "{:.1f}"),
    ("abandon_rate", "Abandon rate", "{:.1%}"),
    ("occupancy", "Occupancy", "{:.1%}"),
]


def _table(out: dict[str, object]) -> None:
    model = "Erlang A" if out["model"] == "erlang_a" else "Erlang C"
    caption = f"{out['calls']:g} calls in {out['interval_s']:g} s, AHT {out['aht_s']:g} s"
    table = Table(title=model, caption=caption)
    table.add_column("Figure")
    table.add_column("Value", justify="right")
    for key, label, fmt in _ROWS:
        if key not in out:
            continue
        value = out[key]
        text = "unbounded" if value is None else fmt.format(value)
        if key == "service_level":
            label = f"Service level ({out['answer_within_s']:g} s)"
        table.add_row(label, text)
    Console().print(table)
