"""A contact center built by the composition root, on a scratch SQLite file.

The sample center's database (migrated, sample customers imported) is made
once per session and copied for each test. Async tests are plain functions
that ``asyncio.run`` their body.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from callcenter.bootstrap import App, build
from tests.integration.service.helpers import AppFactory, run
from callcenter.crm.importer import import_files
from callcenter.service.clock import ScaledClock
from callcenter.settings import load_settings
from callcenter.storage.db import Database
from callcenter.storage.migrate import upgrade_async

CONFIG = Path(__file__).resolve().parents[3] / "config" / "sample-center"
IVR_FLOW = CONFIG.parent / "ivr" / "main.yaml"


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample center's database, migrated and with sample customers."""
    path = tmp_path_factory.mktemp("template") / "callcenter.db"
    url = f"sqlite+aiosqlite:///{path}"

    async def prepare() -> None:
        await upgrade_async(url)
        db = Database(url)
        await db.connect()
        try:
            await import_files(db, CONFIG / "customers.csv", CONFIG / "transactions.csv")
        finally:
            await db.dispose()

    run(prepare())
    return path


@pytest.fixture
def data_dir(tmp_path: Path, template_db: Path) -> Path:
    shutil.copy(template_db, tmp_path / "callcenter.db")
    return tmp_path


@pytest.fixture
def make_app(data_dir: Path) -> AppFactory:
    """``await make_app(speed=60, callers=False, agents=False, humans=...)``: a built, unstarted app."""

    async def make(
        speed: float = 60.0, callers: bool = False, agents: bool = False,
        humans: tuple[str, ...] = ("a01", "a02"), start: str = "10:00", seed: int = 1, ivr: bool = False,
    ) -> App:
        settings = load_settings(CONFIG, env={}, overrides={
            "data_dir": str(data_dir),
            "simulation": {"speed": speed, "callers": callers, "agents": agents, "human_agents": list(humans),
                           "seed": seed, "start": start},
            "ivr": {"flow": str(IVR_FLOW) if ivr else ""},
        })
        app = await build(settings, demo=True)
        assert isinstance(app.clock, ScaledClock)
        return app

    return make
