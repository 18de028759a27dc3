"""The one composition root: settings in, a running contact center out.

``build`` wires clock, switch (simulated, or Asterisk when
``telephony: asterisk``), live-state store (in process, or Redis), storage
(SQLite is migrated on the spot; PostgreSQL must be migrated beforehand with
``callcenter db upgrade``), the router inside the service, the event bus and
the demo's simulated workforce. Nothing connects at import time; ``build``
connects the database, ``App.start`` the switch.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from callcenter.config.center import CenterConfig, load_center
from callcenter.config.loader import ConfigError
from callcenter.config.traffic import TRAFFIC_FILE, load_traffic
from callcenter.service.clock import Clock, ScaledClock
from callcenter.service.core import CallCenterService, ServiceOptions
from callcenter.service.ivr import CrmHooks, FlowRunner, IvrRunner
from callcenter.service.workforce import SimulatedWorkforce
from callcenter.settings import Settings, SettingsError
from callcenter.state import StateStore, open_store
from callcenter.storage.db import Database
from callcenter.storage.errors import DuplicateUser
from callcenter.storage.migrate import require_current, upgrade_async
from callcenter.storage.models import CustomerRow, PhoneRow
from callcenter.storage.users import Role, Users
from callcenter.telephony.port import Switch
from callcenter.telephony.sim_ivr import FlowCallers
from callcenter.telephony.simulated import SimSettings, SimulatedSwitch
from simulation.model import Roster, Traffic
from simulation.roster import load_roster
from simulation.errors import RosterError

log = logging.getLogger(__name__)
IVR_TRACES_FILE = "ivr-traces.jsonl"  # one JSON line per call: callcenter ivr stats

DEMO_PASSWORD = "demo"
DEMO_SUPERVISOR = "supervisor"
DEFAULT_DEMO_START = "10:00"  # the morning peak of the sample traffic


@dataclass
class App:
    """A built contact center: start it, run it, stop it."""

    settings: Settings
    center: CenterConfig
    clock: Clock
    switch: Switch
    store: StateStore
    db: Database
    service: CallCenterService
    workforce: SimulatedWorkforce | None = None
    traffic: Traffic | None = None
    day_origin: float = 0.0
    demo_logins: list[tuple[str, str, str]] = field(default_factory=list)  # (username, password, role)
    simulated_agents: tuple[str, ...] = ()
    human_agents: tuple[str, ...] = ()
    _started: bool = False

    async def start(self) -> None:
        await self.service.start()
        if self.workforce is not None:
            await self.workforce.start()
        self._started = True

    async def stop(self) -> None:
        """Stop cleanly: simulated agents, then the service (open calls
        closed, wrap-ups and every record flushed), then connections."""
        if self.workforce is not None:
            await self.workforce.stop()
        await self.service.stop()
        try:
            await self.store.close()
        finally:
            await self.db.dispose()


def day_origin(t: float, tz: ZoneInfo) -> float:
    local = dt.datetime.fromtimestamp(t, tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


def clock_start(start: str | None, tz: ZoneInfo, now: float | None = None) -> float:
    """Today's ``HH:MM`` in the center's time zone as clock time (None: now)."""
    wall = dt.datetime.now(tz) if now is None else dt.datetime.fromtimestamp(now, tz)
    if start is None:
        return wall.timestamp()
    hh, mm = (int(x) for x in start.split(":"))
    return wall.replace(hour=hh, minute=mm, second=0, microsecond=0).timestamp()


async def build(settings: Settings, *, demo: bool = False, clock: Clock | None = None) -> App:
    """Wire every component from ``settings`` (the database is connected and,
    on SQLite, migrated; nothing else is started).

    Args:
        settings: merged settings (``callcenter.settings.load_settings``).
        demo: create demo users and sample customers, start the clock at the
            demo start time (default 10:00).
        clock: use this clock instead (tests).

    Raises:
        ConfigError: the center's files are wrong (file, line, fix).
        SettingsError: a setting cannot be used.
        SchemaOutdated: a non-SQLite database is not migrated.
    """
    center = load_center(settings.config_dir)
    tz = ZoneInfo(center.center.timezone)
    sim = settings.simulation
    if clock is None:
        start = sim.start or (DEFAULT_DEMO_START if demo else None)
        speed = sim.speed if settings.telephony == "simulated" else 1.0
        clock = ScaledClock(clock_start(start, tz), speed)
    origin = day_origin(clock.now(), tz)

    db = Database(settings.db_url)
    await db.connect()
    try:
        if settings.is_sqlite:
            await upgrade_async(settings.db_url)
        else:
            await require_current(settings.db_url)
        if demo:
            await _sample_customers(db, settings, center)
    except BaseException:
        await db.dispose()
        raise

    agent_ids = [a.id for a in center.agents]
    unknown = [a for a in sim.human_agents if a not in agent_ids]
    if unknown:
        await db.dispose()
        raise SettingsError("simulation.human_agents", None,
                            f"unknown agents {', '.join(unknown)}; known: {', '.join(agent_ids)}")
    humans = tuple(a for a in agent_ids if a in sim.human_agents) if sim.agents else tuple(agent_ids)
    simulated = tuple(a for a in agent_ids if a not in humans) if sim.agents else ()

    traffic: Traffic | None = None
    if settings.telephony == "simulated" and (settings.config_dir / TRAFFIC_FILE).is_file():
        traffic = load_traffic(settings.config_dir, [q.id for q in center.queues], [s.id for s in center.skills])

    ivr: IvrRunner | None = None
    digits: FlowCallers | None = None
    if settings.ivr_flow is not None:
        from callcenter.config.ivr import load_program

        try:
            program = load_program(settings.ivr_flow)
        except BaseException:
            await db.dispose()
            raise
        queue_ids = [q.id for q in center.queues]
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        ivr = FlowRunner(program, CrmHooks(db, settings.region), tz, clock.now, settings.entry_points, queue_ids,
                         traces=settings.data_dir / IVR_TRACES_FILE)
        digits = FlowCallers(program, sim.seed)

    store = open_store(settings.redis_url.get_secret_value() if settings.redis_url else None)
    switch: Switch
    if settings.telephony == "asterisk":
        switch = _asterisk_switch(settings, clock)
    else:
        known = await _known_numbers(db) if traffic is not None else {}
        # With a flow, simulated callers dial the hotline and the IVR steers them.
        entries = {q.id: settings.ivr_number for q in center.queues} if ivr is not None else {}
        sim_switch = SimulatedSwitch(clock, SimSettings(
            traffic=traffic if sim.callers else None, seed=sim.seed, day_origin=origin, known_numbers=known,
            entry_numbers=entries,
        ), digits)
        for a in center.agents:
            endpoint = settings.agent_endpoint.format(agent=a.id, extension=a.extension or a.id,
                                                      number=a.extension or a.id, user=a.id)
            sim_switch.register_phone(endpoint, simulated=a.id in simulated)
        for user in await _supervisors(db, demo):
            sim_switch.register_phone(settings.supervisor_endpoint.format(user=user, agent=user, extension=user,
                                                                          number=user), simulated=False)
        switch = sim_switch

    options = ServiceOptions(
        agent_endpoint=settings.agent_endpoint,
        external_endpoint=settings.external_endpoint,
        supervisor_endpoint=settings.supervisor_endpoint,
        recordings_dir=settings.recordings_dir.as_posix(),
        record_calls=settings.record_calls,
        entry_points=settings.entry_points,
        default_queue=settings.default_queue,
        preferred_wait_s=settings.preferred_wait_s,
        transfer_wait_s=settings.transfer_wait_s,
        unknown_tier=settings.unknown_tier,
        region=settings.region,
        node_id=settings.node_id,
    )
    service = CallCenterService(center, clock, switch, db, store, options, ivr=ivr, seed=sim.seed)
    for agent_id in simulated:
        service.set_simulated(agent_id, True)

    workforce = None
    if simulated:
        roster = _roster(settings.config_dir)
        workforce = SimulatedWorkforce(
            service, clock, simulated, roster, origin,
            rona_return_s=traffic.rona_return_s if traffic is not None else 60.0, seed=sim.seed,
        )

    logins: list[tuple[str, str, str]] = []
    if demo:
        logins = await _demo_users(db, humans if sim.agents else sim.human_agents, clock.now())
    return App(settings, center, clock, switch, store, db, service, workforce, traffic, origin, logins,
               simulated, humans)


def _asterisk_switch(settings: Settings, clock: Clock) -> Switch:
    try:
        from callcenter.telephony.asterisk.client import AmiSettings
        from callcenter.telephony.asterisk.switch import AsteriskSettings, AsteriskSwitch
    except ImportError as exc:
        raise SettingsError("telephony", None, f"the Asterisk adapter cannot be loaded: {exc}") from None
    a = settings.asterisk
    ami = AmiSettings(host=a.host, port=a.port, username=a.username, secret=a.secret.get_secret_value())
    switch: Switch = AsteriskSwitch(AsteriskSettings(ami=ami, agi_host=a.agi_host, agi_port=a.agi_port,
                                                     recordings_dir=settings.recordings_dir.as_posix()), clock.now)
    return switch


def _roster(config_dir: Path) -> Roster | None:
    path = config_dir / "roster.csv"
    if not path.is_file():
        return None
    try:
        return load_roster(path)
    except RosterError as exc:
        raise ConfigError(exc.file, exc.line, exc.message) from None


async def _known_numbers(db: Database) -> dict[int, list[str]]:
    """Primary numbers of known customers by tier, so simulated callers are
    people the CRM knows."""
    out: dict[int, list[str]] = {}
    async with db.session() as session:
        rows = await session.execute(
            select(CustomerRow.tier, PhoneRow.e164).join(PhoneRow, PhoneRow.customer_id == CustomerRow.id)
            .where(PhoneRow.position == 0, CustomerRow.tier.is_not(None)).order_by(CustomerRow.id)
        )
        for tier, number in rows:
            if tier and tier[1:].isdigit():
                out.setdefault(int(tier[1:]), []).append(number)
    return out


async def _supervisors(db: Database, demo: bool) -> list[str]:
    async with db.session() as session:
        users = await Users(session).list_all()
    names = [u.username for u in users if u.role in (Role.SUPERVISOR, Role.ADMIN)]
    if demo and DEMO_SUPERVISOR not in names:
        names.append(DEMO_SUPERVISOR)
    return names


async def _demo_users(db: Database, agents: tuple[str, ...], now: float) -> list[tuple[str, str, str]]:
    at = dt.datetime.fromtimestamp(now, dt.timezone.utc)
    wanted = [(DEMO_SUPERVISOR, Role.SUPERVISOR, None)] + [(a, Role.AGENT, a) for a in agents]
    out: list[tuple[str, str, str]] = []
    async with db.session() as session:
        users = Users(session)
        for username, role, agent_id in wanted:
            if await users.get(username) is None:
                try:
                    await users.add(username, role, DEMO_PASSWORD, at, display_name=username, agent_id=agent_id)
                except DuplicateUser:
                    pass
            out.append((username, DEMO_PASSWORD, role.value))
    return out


async def _sample_customers(db: Database, settings: Settings, center: CenterConfig) -> None:
    """Load the config folder's sample customers once, so screen pops show someone."""
    customers = settings.config_dir / "customers.csv"
    if not customers.is_file():
        return
    async with db.session() as session:
        count = await session.scalar(select(func.count()).select_from(CustomerRow))
    if count:
        return
    from callcenter.crm.importer import import_files

    transactions = settings.config_dir / "transactions.csv"
    report = await import_files(db, customers, transactions if transactions.is_file() else None,
                                region=settings.region)
    log.info("sample customers: %s", report.summary())
