"""``callcenter serve``: run the contact-center service.

The same service as the demo, configured by the config folder's
``service.yaml``, ``CALLCENTER_*`` variables and these flags. No simulated
callers or agents unless ``service.yaml`` asks for them (``simulation:
callers: true``), no demo users; with ``telephony: asterisk`` it drives a
real Asterisk over AMI and FastAGI. A non-SQLite database must be migrated
first (``callcenter db upgrade``).
"""

from __future__ import annotations

from pathlib import Path

import click

from callcenter.cli.demo import common_options, execute
from callcenter.settings import load_settings

SERVE_DEFAULTS = {"simulation": {"callers": False, "agents": False, "human_agents": []}}


@click.command()
@common_options
@click.option("--telephony", type=click.Choice(["simulated", "asterisk"]), default=None,
              help="Which switch [default: from service.yaml, else simulated].")
def serve(
    config_dir: Path, data_dir: Path | None, host: str | None, port: int | None, duration: float | None,
    headless: bool, no_api: bool, verbose: int, telephony: str | None,
) -> None:
    """Run the service (API, routing, storage) for a config folder."""
    overrides = {
        "data_dir": str(data_dir) if data_dir is not None else None,
        "telephony": telephony,
        "api": {"host": host, "port": port},
    }
    execute(lambda: load_settings(config_dir, overrides=overrides, defaults=SERVE_DEFAULTS), demo=False,
            headless=headless, duration=duration, api=not no_api, verbose=verbose)


if __name__ == "__main__":
    serve()
