"""Private `redis-server` processes for tests: standalone servers and clusters on free ports.

Use these when a test must kill, restart, fill or fail over a server; everything else uses the
shared server of the `redis_url` fixture. Servers bind to 127.0.0.1 on random free ports (safe
under `pytest -n 2`) and are killed with SIGKILL by `stop()`, so nothing is saved on the way out.

    from support.redis_servers import RedisProcess, SpawnedCluster, free_port, need_binaries

    server = RedisProcess(tmp_path, free_port(), "--appendonly", "yes")
    server.start(); ...; server.stop(); server.start()   # same port, same data dir

    cluster = SpawnedCluster(tmp_path, masters=3, replicas=1)
    cluster.start()  # blocks until every node reports cluster_state:ok
    cluster.url      # "redis+cluster://127.0.0.1:<port>"
"""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

__all__ = [
    "RedisProcess",
    "SpawnedCluster",
    "free_port",
    "need_binaries",
    "wait_until",
]


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


def wait_until(check: Callable[[], object], what: str, timeout: float = 30.0) -> None:
    """Poll `check` until it returns something true; connection errors count as "not yet".

    Raises:
        RuntimeError: `timeout` seconds passed (generous: machines under load are slow).
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except (RedisConnectionError, ResponseError, OSError):
            pass
        time.sleep(0.05)
    raise RuntimeError(f"timed out after {timeout:.0f}s waiting for {what}")


def need_binaries() -> None:
    """Skip the calling test when `redis-server` or `redis-cli` is not installed."""
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        pytest.skip("redis-server / redis-cli are not on PATH")


class RedisProcess:
    """A `redis-server` started by a test on a loopback port; stop and start it at will.

    Defaults: no RDB snapshots, no AOF; `extra` arguments come last and override them
    (e.g. `"--appendonly", "yes", "--appendfsync", "always"` to survive SIGKILL, or
    `"--maxmemory", "2mb"` to run out of memory).

    Args:
        directory: The server's working directory (AOF, cluster config files).
        port: Its port (see `free_port`); kept across restarts.
        *extra: More `redis-server` arguments.
    """

    def __init__(self, directory: Path, port: int, *extra: str) -> None:
        self.directory, self.port, self.extra = directory, port, extra
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Its URL, database 0."""
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def address(self) -> str:
        """`127.0.0.1:<port>`."""
        return f"127.0.0.1:{self.port}"

    def client(self) -> Redis:
        """A new plain client of this server (close it)."""
        return Redis(port=self.port, socket_connect_timeout=2)

    def start(self) -> None:
        """Start the server and wait until it answers PING (data loaded)."""
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
        with self.client() as client:
            wait_until(client.ping, f"redis-server on {self.port}")

    def stop(self) -> None:
        """Kill the server with SIGKILL (no shutdown save) and reap it; no-op if stopped."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None

    @property
    def running(self) -> bool:
        """Whether the process is alive."""
        return self.proc is not None and self.proc.poll() is None


@dataclass
class SpawnedCluster:
    """A Redis Cluster of `masters` masters with `replicas` replicas each, on loopback ports.

    Built with `redis-cli --cluster create ... --cluster-replicas N`; `start()` returns when
    every node reports `cluster_state:ok` and every replica has finished its first sync.
    """

    directory: Path
    masters: int = 3
    replicas: int = 0
    node_timeout_ms: int = 5000
    nodes: list[RedisProcess] = field(default_factory=list)

    @property
    def url(self) -> str:
        """A `redis+cluster://` URL with the first node as the seed."""
        return f"redis+cluster://127.0.0.1:{self.nodes[0].port}"

    def start(self) -> None:
        """Start the nodes, create the cluster and wait until it serves every slot."""
        need_binaries()
        try:
            for _ in range(self.masters * (1 + self.replicas)):
                port = free_port(with_bus=True)
                node = RedisProcess(
                    self.directory,
                    port,
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    f"nodes-{port}.conf",
                    "--cluster-node-timeout",
                    str(self.node_timeout_ms),
                )
                node.start()
                self.nodes.append(node)
            subprocess.run(
                [
                    "redis-cli",
                    "--cluster",
                    "create",
                    *(n.address for n in self.nodes),
                    "--cluster-replicas",
                    str(self.replicas),
                    "--cluster-yes",
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
            for node in self.nodes:
                with node.client() as client:
                    wait_until(lambda c=client: c.cluster("INFO")["cluster_state"] == "ok", "ok")
                    wait_until(lambda c=client: _synced(c), f"replica {node.port} synced")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Kill every node."""
        for node in self.nodes:
            node.stop()

    def node(self, port: int) -> RedisProcess:
        """The node listening on `port`."""
        return next(n for n in self.nodes if n.port == port)

    def master_of(self, key: str) -> RedisProcess:
        """The node currently serving `key`'s slot as master."""
        with self.nodes[0].client() as client:
            slot = int(client.execute_command("CLUSTER", "KEYSLOT", key))
            for start, end, master, *_ in client.execute_command("CLUSTER", "SLOTS"):
                if int(start) <= slot <= int(end):
                    return self.node(int(master[1]))
        raise LookupError(f"no master serves the slot of {key!r}")

    def replica_of(self, master: RedisProcess) -> RedisProcess:
        """One replica of `master`."""
        with master.client() as client:
            info = client.info("replication")
        for name, value in info.items():
            if name.startswith("slave") and isinstance(value, dict):
                return self.node(int(value["port"]))
        raise LookupError(f"master {master.address} has no replica")

    def wait_replicated(self, master: RedisProcess) -> None:
        """Wait until every replica of `master` has received all it has written so far.

        Redis replicates asynchronously: a master killed before this returns may lose its
        latest acknowledged writes, whichever client wrote them.
        """
        with master.client() as client:
            target = int(client.info("replication")["master_repl_offset"])

            def caught_up() -> bool:
                info = client.info("replication")
                offsets = [
                    int(v["offset"])
                    for k, v in info.items()
                    if k.startswith("slave") and isinstance(v, dict)
                ]
                return bool(offsets) and min(offsets) >= target

            wait_until(caught_up, f"replicas of {master.address} to catch up")

    def failover(self, replica: RedisProcess) -> None:
        """Promote `replica` with `CLUSTER FAILOVER` (no data loss) and wait until it serves.

        A manual failover pauses the master's clients until the replica has caught up, so no
        acknowledged write is lost. Waits until every live node sees the replica as master.
        """
        with replica.client() as client:
            client.execute_command("CLUSTER", "FAILOVER")
        self.wait_promoted(replica)

    def wait_promoted(self, replica: RedisProcess, timeout: float = 30.0) -> None:
        """Wait until `replica` is a master in the eyes of every live node."""
        with replica.client() as client:
            wait_until(lambda: client.info("replication")["role"] == "master", "promotion", timeout)
        me = f"127.0.0.1:{replica.port}@"
        for node in self.nodes:
            if not node.running:
                continue
            with node.client() as client:
                wait_until(
                    lambda c=client: any(
                        me in line and "master" in line
                        for line in _text(c.execute_command("CLUSTER", "NODES")).splitlines()
                    ),
                    f"node {node.port} to see {replica.port} as master",
                    timeout,
                )


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _synced(client: Redis) -> bool:
    info = client.info("replication")
    if info["role"] != "slave":
        return True
    return bool(info.get("master_link_status") == "up" and not info.get("master_sync_in_progress"))
