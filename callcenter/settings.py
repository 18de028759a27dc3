"""Service settings, merged once: code defaults, ``service.yaml``, ``CALLCENTER_*`` environment, CLI flags.

The center itself (queues, agents, reasons) lives in ``center.yaml``; how the
service runs (which switch, database, Redis, API port, simulation speed)
lives in an optional ``service.yaml`` in the same config folder. Each later
source overrides the earlier ones key by key. Pydantic checks the merged
values at this edge; the rest of the service gets :class:`Settings`, frozen
dataclasses. Secrets (the AMI secret, passwords in URLs) never show in
``repr`` or logs.

Environment variables (all optional)::

    CALLCENTER_TELEPHONY      simulated | asterisk
    CALLCENTER_DATA_DIR       folder for the SQLite file and recordings
    CALLCENTER_DB_URL         SQLAlchemy async URL (default: SQLite in the data folder)
    CALLCENTER_REDIS_URL      redis://host:port/db (default: in-process state)
    CALLCENTER_API_HOST, CALLCENTER_API_PORT
    CALLCENTER_AMI_HOST, CALLCENTER_AMI_PORT, CALLCENTER_AMI_USERNAME, CALLCENTER_AMI_SECRET
    CALLCENTER_AGI_HOST, CALLCENTER_AGI_PORT
    CALLCENTER_SPEED, CALLCENTER_SEED, CALLCENTER_START (HH:MM)
    CALLCENTER_HUMAN_AGENTS   comma-separated agent ids driven by people
    CALLCENTER_IVR_FLOW       IVR flow file for inbound calls (relative to the config folder)
    CALLCENTER_NODE_ID, CALLCENTER_LOG_LEVEL
"""

from __future__ import annotations

import copy
import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from sqlalchemy.engine import make_url

from callcenter.config.loader import ConfigError, LoadedYaml, format_loc, load_yaml, validate

SERVICE_FILE = "service.yaml"
ENV_PREFIX = "CALLCENTER_"

# env variable -> settings key path, and whether it holds a list
ENV_KEYS: dict[str, tuple[tuple[str, ...], bool]] = {
    "TELEPHONY": (("telephony",), False),
    "DATA_DIR": (("data_dir",), False),
    "DB_URL": (("database", "url"), False),
    "REDIS_URL": (("redis", "url"), False),
    "API_HOST": (("api", "host"), False),
    "API_PORT": (("api", "port"), False),
    "AMI_HOST": (("asterisk", "host"), False),
    "AMI_PORT": (("asterisk", "port"), False),
    "AMI_USERNAME": (("asterisk", "username"), False),
    "AMI_SECRET": (("asterisk", "secret"), False),
    "AGI_HOST": (("asterisk", "agi_host"), False),
    "AGI_PORT": (("asterisk", "agi_port"), False),
    "SPEED": (("simulation", "speed"), False),
    "SEED": (("simulation", "seed"), False),
    "START": (("simulation", "start"), False),
    "HUMAN_AGENTS": (("simulation", "human_agents"), True),
    "NODE_ID": (("node_id",), False),
    "IVR_FLOW": (("ivr", "flow"), False),
    "LOG_LEVEL": (("log_level",), False),
}


class SettingsError(ConfigError):
    """Settings that cannot be used; names the file and line, or the variable or flag."""


# --- pydantic at the edge ----------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Api(_Model):
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)


class _Database(_Model):
    url: str | None = None


class _Redis(_Model):
    url: SecretStr | None = None


class _Asterisk(_Model):
    host: str = "127.0.0.1"
    port: int = Field(default=5038, ge=1, le=65535)
    username: str = "callcenter"
    secret: SecretStr = SecretStr("")
    agi_host: str = "127.0.0.1"
    agi_port: int = Field(default=4573, ge=0, le=65535)


class _Simulation(_Model):
    speed: float = Field(default=1.0, gt=0, le=3600)
    seed: int = 1
    start: str | None = None
    callers: bool = True
    agents: bool = True
    human_agents: list[str] = ["a01", "a02"]

    @field_validator("start")
    @classmethod
    def _clock(cls, text: str | None) -> str | None:
        if text is None:
            return None
        parts = text.split(":")
        if len(parts) != 2 or not all(p.isdigit() for p in parts) or not (0 <= int(parts[0]) < 24 and 0 <= int(parts[1]) < 60):
            raise ValueError(f"start must be HH:MM, got {text!r}")
        return f"{int(parts[0]):02d}:{int(parts[1]):02d}"


class _Endpoints(_Model):
    agent: str | None = None
    external: str | None = None
    supervisor: str | None = None


class _Recording(_Model):
    enabled: bool = True
    dir: str = "recordings"


class _Ivr(_Model):
    flow: str | None = None  # relative to the config folder
    number: str = "1800"  # the hotline simulated callers dial when a flow runs


class _Routing(_Model):
    preferred_wait_s: float = Field(default=10.0, ge=0)
    transfer_wait_s: float = Field(default=60.0, ge=0)
    unknown_tier: int = Field(default=3, ge=1, le=5)


class _ServiceFile(_Model):
    telephony: Literal["simulated", "asterisk"] = "simulated"
    data_dir: str = "data"
    database: _Database = _Database()
    redis: _Redis = _Redis()
    api: _Api = _Api()
    asterisk: _Asterisk = _Asterisk()
    simulation: _Simulation = _Simulation()
    endpoints: _Endpoints = _Endpoints()
    entry_points: dict[str, str] = {}
    default_queue: str | None = None
    recording: _Recording = _Recording()
    routing: _Routing = _Routing()
    ivr: _Ivr = _Ivr()
    region: str = "TW"
    node_id: str | None = None
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


# --- what the service gets -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApiSettings:
    host: str
    port: int


@dataclass(frozen=True, slots=True)
class AsteriskSettings:
    host: str
    port: int
    username: str
    secret: SecretStr = field(repr=False)
    agi_host: str
    agi_port: int


@dataclass(frozen=True, slots=True)
class SimulationSettings:
    speed: float
    seed: int
    start: str | None
    callers: bool
    agents: bool
    human_agents: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything the composition root needs, merged and checked."""

    config_dir: Path
    data_dir: Path
    telephony: Literal["simulated", "asterisk"]
    db_url: str = field(repr=False)
    redis_url: SecretStr | None = field(repr=False)
    api: ApiSettings
    asterisk: AsteriskSettings
    simulation: SimulationSettings
    agent_endpoint: str
    external_endpoint: str
    supervisor_endpoint: str
    entry_points: Mapping[str, str]
    default_queue: str | None
    ivr_flow: Path | None
    ivr_number: str
    record_calls: bool
    recordings_dir: Path
    preferred_wait_s: float
    transfer_wait_s: float
    unknown_tier: int
    region: str
    node_id: str
    log_level: str

    @property
    def db_url_shown(self) -> str:
        """The database URL with any password masked."""
        return make_url(self.db_url).render_as_string(hide_password=True)

    @property
    def is_sqlite(self) -> bool:
        return make_url(self.db_url).get_backend_name() == "sqlite"

    def __repr__(self) -> str:
        return (f"Settings(config_dir={str(self.config_dir)!r}, telephony={self.telephony!r}, "
                f"db={self.db_url_shown!r}, redis={'set' if self.redis_url else 'none'}, "
                f"api={self.api.host}:{self.api.port}, speed={self.simulation.speed})")


# --- merging ------------------------------------------------------------------


def _set(tree: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = tree
    for key in path[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child
    node[path[-1]] = value


def _from_env(env: Mapping[str, str]) -> tuple[dict[str, Any], dict[tuple[str, ...], str]]:
    tree: dict[str, Any] = {}
    origin: dict[tuple[str, ...], str] = {}
    for name, (path, is_list) in ENV_KEYS.items():
        raw = env.get(ENV_PREFIX + name)
        if raw is None or raw == "":
            continue
        value: Any = [p.strip() for p in raw.split(",") if p.strip()] if is_list else raw
        _set(tree, path, value)
        origin[path] = ENV_PREFIX + name
    return tree, origin


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def load_settings(
    config_dir: Path | str,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    defaults: Mapping[str, Any] | None = None,
) -> Settings:
    """Merge defaults, ``<config_dir>/service.yaml``, the environment and
    CLI overrides into :class:`Settings`.

    Args:
        config_dir: the center's config folder.
        env: the environment (default: ``os.environ``).
        overrides: CLI flags as nested keys, e.g. ``{"simulation": {"speed": 60}}``;
            ``None`` values are ignored (flag not given).
        defaults: a command's own defaults, under everything else (``serve``
            simulates no callers unless told to).

    Raises:
        SettingsError: naming the file and line, or the variable or flag, and the fix.
    """
    folder = Path(config_dir)
    env = os.environ if env is None else env
    file_data: dict[str, Any] = {}
    path = folder / SERVICE_FILE
    if path.is_file():
        loaded = load_yaml(path)
        if loaded.data is None:
            loaded = LoadedYaml({}, loaded.file, loaded.marks)
        if not isinstance(loaded.data, dict):
            raise SettingsError(path, 1, "service.yaml must be a mapping (telephony:, database:, api: ...)")
        try:
            validate(_ServiceFile, loaded)
        except ConfigError as exc:
            raise SettingsError(exc.file, exc.line, exc.message) from None
        file_data = dict(loaded.data)
    env_data, env_origin = _from_env(env)
    flags = _clean(overrides or {})
    merged = _merge(_merge(_merge(dict(defaults or {}), file_data), env_data), flags)
    try:
        model = _ServiceFile.model_validate(merged)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(str(x) for x in err["loc"])
        source = _source_of(loc, env_origin, flags)
        raise SettingsError(source, None, f"{format_loc(loc)}: {err['msg']}") from None
    return _build(folder, model)


def _clean(tree: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, Mapping):
            inner = _clean(value)
            if inner:
                out[key] = inner
        elif value is not None:
            out[key] = value
    return out


def _source_of(loc: tuple[str, ...], env_origin: Mapping[tuple[str, ...], str], flags: Mapping[str, Any]) -> str:
    node: Any = flags
    for key in loc:
        if not isinstance(node, Mapping) or key not in node:
            node = None
            break
        node = node[key]
    if node is not None:
        return "command-line option"
    for n in range(len(loc), 0, -1):
        if loc[:n] in env_origin:
            return f"environment variable {env_origin[loc[:n]]}"
    return SERVICE_FILE


def _build(folder: Path, m: _ServiceFile) -> Settings:
    data_dir = Path(m.data_dir)
    db_url = m.database.url or f"sqlite+aiosqlite:///{(data_dir / 'callcenter.db').as_posix()}"
    try:
        make_url(db_url)
    except Exception:
        raise SettingsError("database.url", None, f"not a database URL: {make_url_safe(db_url)}") from None
    asterisk = m.telephony == "asterisk"
    agent_ep = m.endpoints.agent or ("PJSIP/{extension}" if asterisk else "SIM/{agent}")
    external_ep = m.endpoints.external or ("PJSIP/{number}@trunk" if asterisk else "PSTN/{number}")
    supervisor_ep = m.endpoints.supervisor or ("PJSIP/{user}" if asterisk else "SIM/{user}")
    rec_dir = Path(m.recording.dir)
    if not rec_dir.is_absolute() and not asterisk:
        rec_dir = data_dir / rec_dir
    return Settings(
        config_dir=folder,
        data_dir=data_dir,
        telephony=m.telephony,
        db_url=db_url,
        redis_url=m.redis.url if m.redis.url and m.redis.url.get_secret_value() else None,
        api=ApiSettings(m.api.host, m.api.port),
        asterisk=AsteriskSettings(m.asterisk.host, m.asterisk.port, m.asterisk.username, m.asterisk.secret,
                                  m.asterisk.agi_host, m.asterisk.agi_port),
        simulation=SimulationSettings(m.simulation.speed, m.simulation.seed, m.simulation.start,
                                      m.simulation.callers, m.simulation.agents,
                                      tuple(m.simulation.human_agents)),
        agent_endpoint=agent_ep,
        external_endpoint=external_ep,
        supervisor_endpoint=supervisor_ep,
        entry_points=dict(m.entry_points),
        default_queue=m.default_queue,
        ivr_flow=(folder / m.ivr.flow) if m.ivr.flow else None,
        ivr_number=m.ivr.number,
        record_calls=m.recording.enabled,
        recordings_dir=rec_dir,
        preferred_wait_s=m.routing.preferred_wait_s,
        transfer_wait_s=m.routing.transfer_wait_s,
        unknown_tier=m.routing.unknown_tier,
        region=m.region,
        node_id=m.node_id or f"{socket.gethostname()}-{os.getpid()}",
        log_level=m.log_level,
    )


def make_url_safe(url: str) -> str:
    """A URL for messages: the password part masked if one can be found."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url
