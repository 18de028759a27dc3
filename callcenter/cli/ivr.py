"""``callcenter ivr``: check flow files, walk a flow in the terminal, trace statistics."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import click

from callcenter.config.center import load_center
from callcenter.config.ivr import FLOW_SUFFIXES, check_flow_files, load_program
from callcenter.config.loader import ConfigError
from callcenter.crm.phones import try_normalize
from ivr import effects as fx
from ivr.analytics import FlowStats, flow_stats
from ivr.errors import IvrError
from ivr.events import CallerHungUp, CallStarted, DigitsReceived, DigitTimeout, Event, LookupResult, PromptFinished
from ivr.interpreter import IvrState, start, step
from ivr.model import Program, tier_name, tier_rank
from ivr.trace import CallTrace, TraceFormatError, from_dict, to_dict

#: A small built-in customer set for ``try`` (accounts end in a Luhn digit).
DEMO_CUSTOMERS: tuple[dict[str, str], ...] = (
    {"id": "C001", "name": "Lin Mei-Ling", "phone": "+886912000001", "account": "1000000016", "tier": "A1",
     "balance": "1,250,400"},
    {"id": "C002", "name": "Chen Wei", "phone": "+886912000002", "account": "1000000024", "tier": "A2",
     "balance": "310,250"},
    {"id": "C003", "name": "Wang Hsiu-Ying", "phone": "+886912000003", "account": "1000000032", "tier": "A3",
     "balance": "48,900"},
    {"id": "C004", "name": "Chang Chih-Hao", "phone": "+886912000004", "account": "1000000040", "tier": "A4",
     "balance": "2,310"},
    {"id": "C005", "name": "Liu Ya-Ting", "phone": "+886912000005", "account": "1000000057", "tier": "A5",
     "balance": "-1,020"},
)
UNKNOWN_CALLER = "+886223456789"
DIGIT_S = 2.0  # time a caller takes to press keys, for the trace
SPEECH_CHARS_PER_S = 15.0


@click.group("ivr")
def ivr_group() -> None:
    """IVR flows: check them, walk them in the terminal, read call traces."""


# --- check -------------------------------------------------------------------


def _flow_files(paths: Sequence[Path]) -> list[Path]:
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            out += sorted(p for p in path.iterdir() if p.suffix in FLOW_SUFFIXES and p.is_file())
        else:
            out.append(path)
    return out


@ivr_group.command("check")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--prompts", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="Folder of prompt sound files: every 'file:' prompt must be there (any extension).")
@click.option("--center", type=click.Path(exists=True, path_type=Path), default=None,
              help="Center config (folder or center.yaml): queue and skill names must exist there.")
def check(paths: tuple[Path, ...], prompts: Path | None, center: Path | None) -> None:
    """Check flow files (a folder means its *.yaml) and the subflows they call.

    Prints errors and warnings as FILE:LINE: ...; exits with status 1 when
    there is an error.
    """
    queues: list[str] | None = None
    skills: list[str] | None = None
    if center is not None:
        try:
            config = load_center(center)
        except ConfigError as exc:
            raise click.ClickException(f"center config: {exc}") from None
        queues = [q.id for q in config.queues]
        skills = [s.id for s in config.skills]
    files = _flow_files(paths)
    if not files:
        raise click.ClickException("no flow files (*.yaml) found")
    problems = check_flow_files(files, prompts=prompts, queues=queues, skills=skills)
    for problem in problems:
        click.echo(str(problem))
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    click.echo(f"{len(files)} file(s) checked: {errors} error(s), {warnings} warning(s)")
    if errors:
        raise SystemExit(1)


# --- try ---------------------------------------------------------------------


class DataHooks:
    """Answers ``Lookup`` effects from a list of records: a key matches a
    record's id, account or phone (phones compared in E.164)."""

    def __init__(self, records: Sequence[Mapping[str, str]]) -> None:
        self.records = list(records)

    def find(self, key: str) -> Mapping[str, str] | None:
        key = key.strip()
        if not key:
            return None
        phone = try_normalize(key)
        for record in self.records:
            if key in (record.get("id"), record.get("account")):
                return record
            phones = [p for p in record.get("phone", "").split(";") if p]
            if phone is not None and phone in (try_normalize(p) for p in phones):
                return record
        return None


def read_customers(path: Path) -> list[dict[str, str]]:
    """Records from a CSV with columns id,name,phone,account,tier (more
    columns become more fields). The CRM's customers.csv columns
    (customer_id, phones, account_number) are understood too."""
    aliases = {"customer_id": "id", "phones": "phone", "account_number": "account"}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        columns = [aliases.get(c, c) for c in reader.fieldnames or ()]
        if "id" not in columns:
            raise click.ClickException(f"{path}: needs an 'id' column (found: {', '.join(columns) or 'none'})")
        return [{aliases.get(k, k): (v or "") for k, v in row.items() if k is not None} for row in reader]


def _answers(script: str | None) -> Iterator[str] | None:
    if script is None:
        return None
    return iter(part.strip() for part in script.split(","))


def _say_s(prompt_text: str) -> float:
    return max(1.0, round(len(prompt_text) / SPEECH_CHARS_PER_S, 1))


class _Walk:
    """One call in the terminal: prints what happens, asks for keys."""

    def __init__(self, program: Program, hooks: DataHooks, script: Iterator[str] | None) -> None:
        self.program = program
        self.hooks = hooks
        self.script = script
        self.shown_steps = 0

    def show(self, state: IvrState, effects: Sequence[fx.Effect]) -> None:
        # Each effect after the node that produced it.
        for effect, origin in zip(effects, state.origins):
            self.show_nodes(state, origin + 1)
            self.show_effect(effect)
        self.show_nodes(state, len(state.steps))

    def show_nodes(self, state: IvrState, upto: int) -> None:
        for trace_step in state.steps[self.shown_steps:upto]:
            node = self.program.flows[trace_step.flow].nodes[trace_step.node]
            click.echo(f"[{self.program.qualified(trace_step.flow, trace_step.node)}] {node.kind}")
        self.shown_steps = max(self.shown_steps, upto)

    def show_effect(self, effect: fx.Effect) -> None:
        if isinstance(effect, fx.Play):
            click.echo(f"  play: {effect.prompt.shown()}")
        elif isinstance(effect, fx.CollectDigits):
            keys = f" (keys {' '.join(effect.choices)})" if effect.choices else f" (up to {effect.max_digits} keys)"
            click.echo(f"  ask: {effect.prompt.shown() if effect.prompt else ''}{keys}")
        elif isinstance(effect, fx.Lookup):
            click.echo(f"  lookup {effect.hook}({effect.key})")
        elif isinstance(effect, fx.SetVariable):
            click.echo(f"  set {effect.variable} = {effect.value}")
        elif isinstance(effect, fx.OpenCase):
            due = effect.due_at.strftime("%Y-%m-%d %H:%M") if effect.due_at else "no due date"
            click.echo(f"  => open case '{effect.kind}' (due {due})")
        elif isinstance(effect, fx.OfferCallback):
            click.echo(f"  => callback request in queue '{effect.queue}' to {effect.number}")
        elif isinstance(effect, fx.RecordSurvey):
            answers = ", ".join(f"{k}={'-' if v is None else v}" for k, v in effect.answers.items())
            click.echo(f"  => survey recorded ({answers}){'' if effect.complete else ' incomplete'}")
        elif isinstance(effect, fx.EnterQueue):
            skills = ", ".join(f"{s}:{level}" for s, level in effect.skills) or "-"
            click.echo(f"=> enter queue '{effect.queue}': priority {effect.priority}, tier "
                       f"{tier_name(effect.tier) or '-'}, customer {effect.customer_id or '-'}, skills {skills}")
        elif isinstance(effect, fx.Voicemail):
            click.echo(f"=> voicemail box '{effect.mailbox}'")
        elif isinstance(effect, fx.Transfer):
            click.echo(f"=> transfer to {effect.number}")
        elif isinstance(effect, fx.Hangup):
            click.echo(f"=> hang up ({effect.reason})")

    def answer(self, effect: fx.Effect, state: IvrState) -> Event:
        assert state.now is not None
        now = state.now
        if isinstance(effect, fx.Play):
            return PromptFinished(now + timedelta(seconds=_say_s(effect.prompt.shown())))
        if isinstance(effect, fx.Lookup):
            record = self.hooks.find(effect.key)
            found = f"found {record.get('id', '?')} ({record.get('name', '')}, {record.get('tier', '-')})" \
                if record else "not found"
            click.echo(f"  lookup -> {found}")
            return LookupResult(dict(record) if record else None, now)
        assert isinstance(effect, fx.CollectDigits)
        keys = self.read_keys()
        if keys is None:
            click.echo("  (the caller hangs up)")
            return CallerHungUp(now + timedelta(seconds=DIGIT_S))
        if keys in ("", "t"):
            click.echo("  (no input)")
            return DigitTimeout(now + timedelta(seconds=effect.timeout_s))
        return DigitsReceived(keys, now + timedelta(seconds=DIGIT_S))

    def read_keys(self) -> str | None:
        if self.script is not None:
            keys = next(self.script, None)
            if keys is None:
                click.echo("  (end of script)")
                return None
            click.echo(f"  > {keys}")
        else:
            try:
                keys = str(click.prompt("  keys (empty: no input, h: hang up)", default="", show_default=False))
            except click.Abort:
                return None
        return None if keys.lower() == "h" else keys


def _timezone(program: Program, name: str | None) -> ZoneInfo:
    if name is None:
        zones = [s.timezone for f in program.flows.values() for s in f.schedules.values()]
        name = zones[0] if zones else "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f"unknown time zone {name!r}", param_hint="--tz") from None


@ivr_group.command("try")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--caller", default=UNKNOWN_CALLER, show_default=True,
              help="Calling number (the demo customers are +886912000001 to +886912000005).")
@click.option("--called", default="5000", show_default=True, help="Called number.")
@click.option("--at", "at_text", default=None, metavar="'YYYY-MM-DD HH:MM'",
              help="Local time of the call [default: now].")
@click.option("--tz", default=None, help="Time zone of --at [default: the flow's schedule's, else UTC].")
@click.option("--tier", type=click.Choice(["A1", "A2", "A3", "A4", "A5"], case_sensitive=False), default=None,
              help="Customer tier known before the flow starts.")
@click.option("--var", "variables", multiple=True, metavar="NAME=VALUE", help="A channel variable (repeatable).")
@click.option("--script", default=None,
              help="Answers to the questions, comma-separated: keys such as 1 or 1000000016#, "
                   "t (or nothing) for no input, h to hang up. Without it, keys are read from the terminal.")
@click.option("--customers", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="CSV (id,name,phone,account,tier[,...]) answering lookups instead of the demo customers.")
@click.option("--trace-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Append the call's trace as a JSON line (for 'callcenter ivr stats').")
def try_cmd(file: Path, caller: str, called: str, at_text: str | None, tz: str | None, tier: str | None,
            variables: tuple[str, ...], script: str | None, customers: Path | None, trace_out: Path | None) -> None:
    """Walk a flow in the terminal: prompts as text, each node, variables and decisions."""
    try:
        program = load_program(file)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    zone = _timezone(program, tz)
    if at_text is None:
        at = datetime.now(zone).replace(second=0, microsecond=0)
    else:
        try:
            at = datetime.strptime(at_text.strip().replace("T", " "), "%Y-%m-%d %H:%M").replace(tzinfo=zone)
        except ValueError:
            raise click.BadParameter(f"{at_text!r}: write 'YYYY-MM-DD HH:MM'", param_hint="--at") from None
    channel_vars: dict[str, str] = {}
    for item in variables:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r}: write NAME=VALUE", param_hint="--var")
        channel_vars[name] = value
    if tier is not None:
        channel_vars["tier"] = tier.upper()
    hooks = DataHooks(read_customers(customers) if customers else DEMO_CUSTOMERS)
    walk = _Walk(program, hooks, _answers(script))
    click.echo(f"call from {caller} to {called} at {at:%Y-%m-%d %H:%M} {zone.key} ({at:%A})")
    try:
        state, effects = step(start(program), CallStarted(caller, called, at, channel_vars, "try-1"))
        walk.show(state, effects)
        while not state.done:
            state, effects = step(state, walk.answer(effects[-1], state))
            walk.show(state, effects)
    except IvrError as exc:
        raise click.ClickException(f"the flow failed: {exc}") from None
    trace = state.trace()
    click.echo(f"path: {' > '.join(state.path)}")
    click.echo(f"outcome: {trace.outcome}, {trace.duration_s:.0f} s in the IVR"
               f"{', customer ' + state.customer_id if state.customer_id else ''}"
               f"{', tier ' + tier_name(state.tier) if tier_rank(tier_name(state.tier)) else ''}")
    if trace_out is not None:
        with trace_out.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(to_dict(trace)) + "\n")


# --- stats -------------------------------------------------------------------


def read_traces(path: Path) -> list[CallTrace]:
    """Traces from a JSON-lines file; a bad line is an error naming it."""
    traces = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                traces.append(from_dict(json.loads(line)))
            except (json.JSONDecodeError, TraceFormatError, AttributeError, TypeError) as exc:
                raise click.ClickException(f"{path}:{number}: not a call trace: {exc}") from None
    return traces


def _stats_dict(stats: FlowStats) -> dict[str, Any]:
    return {
        "flow": stats.flow,
        "calls": stats.calls,
        "outcomes": dict(stats.outcomes),
        "contained": stats.contained,
        "containment_rate": stats.containment_rate,
        "reached_human": stats.reached_human,
        "drop_offs": stats.drop_offs,
        "drop_off_rate": stats.drop_off_rate,
        "time_in_ivr_s": {"mean": stats.mean_time_s, "median": stats.median_time_s, "p90": stats.p90_time_s},
        "nodes": {
            name: {"visits": n.visits, "calls": n.calls, "exits": dict(n.exits), "drop_offs": n.drop_offs,
                   "ends": dict(n.ends), "mean_dwell_s": n.mean_dwell_s}
            for name, n in stats.nodes.items()
        },
    }


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


@ivr_group.command("stats")
@click.argument("traces", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def stats(traces: Path, as_json: bool) -> None:
    """Per-flow figures from call traces (JSON lines): visits, exits and
    drop-offs per node, containment, time in the IVR."""
    by_flow = flow_stats(read_traces(traces))
    if as_json:
        click.echo(json.dumps({flow: _stats_dict(s) for flow, s in by_flow.items()}, indent=2))
        return
    if not by_flow:
        click.echo("no traces")
        return
    for flow, s in by_flow.items():
        click.echo(f"flow {flow}: {s.calls} calls; contained {s.contained} ({_pct(s.contained, s.calls)}), "
                   f"to a person {s.reached_human} ({_pct(s.reached_human, s.calls)}), "
                   f"dropped {s.drop_offs} ({_pct(s.drop_offs, s.calls)})")
        click.echo(f"  time in IVR: mean {s.mean_time_s:.1f} s, median {s.median_time_s:.1f} s, "
                   f"p90 {s.p90_time_s:.1f} s")
        click.echo("  outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(s.outcomes.items())))
        width = max(len(name) for name in s.nodes)
        click.echo(f"  {'node':<{width}}  visits  calls  drops  ends  mean s  top exit")
        for name, n in s.nodes.items():
            top = max(n.exits.items(), key=lambda kv: kv[1], default=None)
            exit_text = f"{top[0]} ({top[1]})" if top else "-"
            click.echo(f"  {name:<{width}}  {n.visits:>6}  {n.calls:>5}  {n.drop_offs:>5}  {sum(n.ends.values()):>4}"
                       f"  {n.mean_dwell_s:>6.1f}  {exit_text}")
