"""``callcenter config``: check a center definition."""

from __future__ import annotations

from pathlib import Path

import click

from callcenter.config.center import load_center
from callcenter.config.loader import ConfigError


@click.group()
def config() -> None:
    """Inspect and check configuration."""


@config.command("check")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def check(path: Path) -> None:
    """Check a center definition (a config folder or its center.yaml).

    Prints a summary when it is valid; otherwise names the file, the line
    and what is wrong, and exits with status 1.
    """
    try:
        center = load_center(path)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"OK {center.center.name}: "
                  f"{len(center.skills)} skills, {len(center.queues)} queues, {len(center.agents)} agents, "
                  f"{len(center.not_ready_reasons)} not-ready reasons, {len(center.dispositions)} dispositions")
    for queue in center.queues:
        needs = ", ".join(f"{s}>={lvl}" for s, lvl in queue.skills.items())
        eligible = sum(all(a.skills.get(s, 0) >= lvl for s, lvl in queue.skills.items()) for a in center.agents)
        click.echo(f"  queue {queue.id:<12} needs {needs:<16} policy {queue.policy.value:<15} "
                      f"{eligible} agents eligible at full requirements")
