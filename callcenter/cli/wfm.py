"""``callcenter wfm``: forecast, staff, schedule, verify, erlang."""

from __future__ import annotations

import click

from callcenter.cli import LazyGroup

_COMMANDS = {
    "history": ("callcenter.cli.wfm_forecast:history", "Generate realistic interval history (CSV) for demos and tests."),
    "forecast": ("callcenter.cli.wfm_forecast:forecast", "Forecast calls and AHT per interval, chosen by backtest."),
    "staff": ("callcenter.cli.wfm_staff:staff", "Required agents per interval for a service target (Erlang C/A)."),
    "schedule": ("callcenter.cli.wfm_schedule:schedule", "Build a roster with breaks (OR-Tools CP-SAT)."),
    "verify": ("callcenter.cli.wfm_verify:verify", "Simulate a roster against a forecast; flag weak intervals."),
    "erlang": ("callcenter.cli.wfm_erlang:erlang", "Erlang C/A figures for one interval."),
}


@click.group(cls=LazyGroup, lazy=_COMMANDS)
def wfm() -> None:
    """Workforce management: forecast calls, staff intervals, build rosters, verify them."""
