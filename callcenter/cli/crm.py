"""``callcenter crm``: generate a sample population, import CSV files."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import click

from callcenter.cli.db import shown, url_option
from callcenter.crm.csvfiles import write_population
from callcenter.crm.importer import ImportReport, import_files
from callcenter.crm.phones import DEFAULT_REGION
from callcenter.crm.population import generate as generate_population
from callcenter.storage.db import Database
from callcenter.storage.errors import StorageError
from callcenter.storage.migrate import require_current

MAX_ERRORS_SHOWN = 50


@click.group()
def crm() -> None:
    """Customers: generate sample data, import CSV files, value customers."""


@crm.command("generate")
@click.option("--customers", "n", type=click.IntRange(min=1), default=1000, show_default=True,
              help="Number of customers.")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same population.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Last day of the two years of transactions [default: today].")
@click.option("--out-dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for customers.csv, transactions.csv and cases.csv.")
def generate(n: int, seed: int, as_of: dt.datetime | None, out_dir: Path) -> None:
    """Write a realistic sample population (five value tiers) as CSV files."""
    day = as_of.date() if as_of else dt.date.today()
    population = generate_population(n, seed, day)
    for path in write_population(population, out_dir):
        click.echo(f"wrote {path}")
    click.echo(f"{len(population.customers)} customers, {len(population.transactions)} transactions, "
               f"{len(population.cases)} cases, as of {day}")


@crm.command("import")
@url_option("--db")
@click.option("--customers", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="customers.csv")
@click.option("--transactions", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="transactions.csv")
@click.option("--cases", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="cases.csv")
@click.option("--region", default=DEFAULT_REGION, show_default=True,
              help="Region for phone numbers written without a country code.")
@click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="End of the value window [default: latest transaction date].")
def import_cmd(url: str, customers: Path | None, transactions: Path | None, cases: Path | None, region: str,
               as_of: dt.datetime | None) -> None:
    """Import customers (and transactions, cases), then compute CLV, RFM, tier, segment.

    Bad rows are listed with file, line and column and skipped; the good
    rows are imported. Exits with status 1 when any row had an error.
    """
    if customers is None and transactions is None and cases is None:
        raise click.UsageError("give at least one of --customers, --transactions, --cases")
    try:
        report = asyncio.run(_import(url, customers, transactions, cases, region, as_of.date() if as_of else None))
    except StorageError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"imported into {shown(url)}")
    click.echo(report.summary())
    for error in report.errors[:MAX_ERRORS_SHOWN]:
        click.echo(str(error), err=True)
    if len(report.errors) > MAX_ERRORS_SHOWN:
        click.echo(f"... and {len(report.errors) - MAX_ERRORS_SHOWN} more", err=True)
    if report.errors:
        raise SystemExit(1)


async def _import(url: str, customers: Path | None, transactions: Path | None, cases: Path | None, region: str,
                  as_of: dt.date | None) -> ImportReport:
    await require_current(url)
    async with Database(url) as db:
        return await import_files(db, customers, transactions, cases, region=region, as_of=as_of)
