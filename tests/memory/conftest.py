"""Redis servers the memory tests start themselves: a three-master cluster, private servers."""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError


def _bindable(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(*, with_bus: bool = False) -> int:
    """A free loopback port (and, for cluster nodes, a free bus port at +10000)."""
    rng = random.SystemRandom()
    for _ in range(200):
        port = rng.randrange(20000, 55000)
        if _bindable(port) and (not with_bus or _bindable(port + 10000)):
            return port
    raise RuntimeError("no free loopback port")


def _wait(check: object, what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except (RedisConnectionError, ResponseError, OSError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"timed out waiting for {what}")


class RedisProcess:
    """A `redis-server` this test session started on a loopback port; restartable."""

    def __init__(self, directory: Path, port: int, *extra: str) -> None:
        self.directory, self.port, self.extra = directory, port, extra
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Its URL."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server and wait until it answers."""
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.directory),
                *self.extra,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        with Redis(port=self.port, socket_connect_timeout=1) as client:
            _wait(client.ping, f"redis-server on {self.port}")

    def stop(self) -> None:
        """Kill the server (SIGKILL: no shutdown save) and reap it."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None


def _need_binaries() -> None:
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        pytest.skip("redis-server / redis-cli are not on PATH")


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisProcess]:
    """A standalone `redis-server` of this test alone, on a free port; killed afterwards."""
    _need_binaries()
    server = RedisProcess(tmp_path, free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_cluster_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A three-master Redis Cluster on loopback ports, as a `redis+cluster://` URL."""
    _need_binaries()
    directory = tmp_path_factory.mktemp("redis-cluster")
    nodes: list[RedisProcess] = []
    try:
        for _ in range(3):
            port = free_port(with_bus=True)
            node = RedisProcess(
                directory,
                port,
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                f"nodes-{port}.conf",
                "--cluster-node-timeout",
                "5000",
            )
            node.start()
            nodes.append(node)
        subprocess.run(
            [
                "redis-cli",
                "--cluster",
                "create",
                *(f"127.0.0.1:{n.port}" for n in nodes),
                "--cluster-replicas",
                "0",
                "--cluster-yes",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        for node in nodes:
            with Redis(port=node.port) as client:
                _wait(lambda c=client: c.cluster("INFO")["cluster_state"] == "ok", "cluster ok")
        yield f"redis+cluster://127.0.0.1:{nodes[0].port}"
    finally:
        for node in nodes:
            node.stop()


@pytest.fixture(params=["standalone", "cluster"])
def saver_url(request: pytest.FixtureRequest, redis_url: str) -> str:
    """The local Redis, then the three-master cluster."""
    if request.param == "cluster":
        return str(request.getfixturevalue("redis_cluster_url"))
    return redis_url
