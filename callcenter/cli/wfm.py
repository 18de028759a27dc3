"""``callcenter wfm``: forecast, staff, schedule, verify, erlang."""

from __future__ import annotations

import click

from callcenter.cli import LazyGroup

_COMMANDS = {
    "erlang": "callcenter.cli.wfm_erlang:erlang",
    "forecast": "callcenter.cli.wfm_forecast:forecast",
    "history": "callcenter.cli.wfm_forecast:history",
    "staff": "callcenter.cli.wfm_staff:staff",
    "schedule": "callcenter.cli.wfm_schedule:schedule",
    "verify": "callcenter.cli.wfm_verify:verify",
}


@click.group(cls=LazyGroup, lazy=_COMMANDS)
def wfm() -> None:
    """Workforce management: forecast calls, staff intervals, build rosters, verify them."""
