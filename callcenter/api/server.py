"""Run the API inside the caller's event loop (one loop for the whole service)."""

from __future__ import annotations

import uvicorn
from fastapi import FastAPI

from callcenter.api.logs import protect_server_logs


def server(app: FastAPI, host: str = "127.0.0.1", port: int = 8080, log_level: str = "info",
           *, configure_logging: bool = True) -> uvicorn.Server:
    """A uvicorn server for ``app``.

    ``await server.serve()`` runs it until ``server.should_exit = True`` (or
    Ctrl-C). Port 0 picks a free port (read it from ``server.servers``).
    ``configure_logging`` False leaves logging to the caller (no uvicorn
    handlers are installed).
    """
    config = uvicorn.Config(app, host=host, port=port, log_level=log_level, lifespan="off",
                            log_config=uvicorn.config.LOGGING_CONFIG if configure_logging else None,
                            ws_ping_interval=20.0, ws_ping_timeout=20.0)
    protect_server_logs()  # again: Config has just (re)configured the loggers
    return uvicorn.Server(config)
