"""A private `redis-server` the runner starts itself (`--redis spawn`), so it may restart it.

The server keeps an append-only file in a temporary directory, fsynced on every write, so a
restart reloads everything the crew wrote: a `restart` fault tests reconnection, not data loss.
"""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Self

import redis

from shopcrew.closing import Closing
from shopcrew.errors import RedisSpawnError

__all__ = ["SPAWN", "RedisSpawnError", "SpawnedRedis"]

logger = logging.getLogger(__name__)

SPAWN = "spawn"
"""The `--redis` value that asks the runner to start its own server."""

_WAIT_S = 20.0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SpawnedRedis(Closing):
    """A `redis-server` on a free loopback port in a temporary directory; restartable."""

    def __init__(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RedisSpawnError("redis-server is not on the PATH")
        self.binary = binary
        self.directory = Path(tempfile.mkdtemp(prefix="shopcrew-redis-"))
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The server's URL."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server (again, on the same port and data) and wait until it answers."""
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--dir", str(self.directory), "--save", "", "--appendonly", "yes"]
        args += ["--appendfsync", "always", "--daemonize", "no"]
        self.process = subprocess.Popen(
            args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=self.directory
        )
        deadline = time.monotonic() + _WAIT_S
        with redis.Redis(port=self.port, socket_connect_timeout=1) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RedisSpawnError(f"redis-server exited with {self.process.returncode}")
                try:
                    if client.ping():
                        logger.info("private redis-server answers on port %d", self.port)
                        return
                except redis.exceptions.RedisError:
                    time.sleep(0.05)
        self.stop()
        raise RedisSpawnError(f"no answer on port {self.port} within {_WAIT_S:g}s")

    def stop(self) -> None:
        """Stop the server (its data stays in the directory for a restart)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=_WAIT_S)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        """Stop and start the server; its append-only file brings the data back."""
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop the server and delete its data."""
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> Self:
        self.start()
        return self
