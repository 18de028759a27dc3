"""A throwaway ``redis-server`` for tests and benchmarks.

It runs in its own temporary folder on a free port, with append-only
persistence when asked (so a restart keeps the data), and is stopped by its
owner: never a server someone else started.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from redis import Redis
from redis.exceptions import RedisError


def redis_server_binary() -> str | None:
    """Path of ``redis-server`` on PATH, or None."""
    return shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalRedis:
    """One redis-server process this code owns.

    Args:
        appendonly: persist every write to an append-only file (fsync always),
            so ``restart()`` finds the data again.
        port: the port to listen on (a free one when None); kept on restart.
    """

    def __init__(self, *, appendonly: bool = False, port: int | None = None, binary: str | None = None) -> None:
        found = binary or redis_server_binary()
        if found is None:
            raise FileNotFoundError("redis-server is not on PATH")
        self.binary = found
        self.appendonly = appendonly
        self.port = port or free_port()
        self._tmp = tempfile.TemporaryDirectory(prefix="redis-")
        self.dir = Path(self._tmp.name)
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> None:
        """Start the server and wait until it answers PING (and has loaded its data)."""
        args = [
            self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
            "--save", "", "--daemonize", "no", "--logfile", str(self.dir / "redis.log"),
        ]
        if self.appendonly:
            args += ["--appendonly", "yes", "--appendfsync", "always"]
        self._proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        with Redis(port=self.port, socket_connect_timeout=0.2, socket_timeout=1) as probe:
            while True:
                if self._proc.poll() is not None:
                    log = (self.dir / "redis.log").read_text(errors="replace")[-2000:]
                    raise RuntimeError(f"redis-server exited with {self._proc.returncode}: {log}")
                try:
                    if probe.ping():
                        return
                except RedisError:
                    pass
                if time.monotonic() > deadline:
                    self.stop()
                    raise TimeoutError(f"redis-server on port {self.port} did not answer in {timeout} s")
                time.sleep(0.05)

    def stop(self, *, kill: bool = False) -> None:
        """Stop the server (SIGKILL when ``kill``: a crash, no shutdown save)."""
        if self._proc is None:
            return
        if self._proc.poll() is None:
            os.kill(self._proc.pid, signal.SIGCONT)  # a paused server cannot act on SIGTERM
            if kill:
                self._proc.kill()
            else:
                self._proc.terminate()
            try:
                self._proc.wait(10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(10)
        self._proc = None

    def pause(self) -> None:
        """Freeze the server (SIGSTOP): it accepts connections but answers nothing."""
        if self._proc is not None:
            os.kill(self._proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        """Undo ``pause``."""
        if self._proc is not None:
            os.kill(self._proc.pid, signal.SIGCONT)

    def restart(self, *, kill: bool = True) -> None:
        self.stop(kill=kill)
        self.start()

    def close(self) -> None:
        """Stop the server and remove its folder."""
        self.stop()
        self._tmp.cleanup()

    def __enter__(self) -> LocalRedis:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
