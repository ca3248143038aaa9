"""Redis servers the memory tests start themselves: a three-master cluster, private servers.

The server helpers live in `tests/support/redis_servers.py` (importable as
`support.redis_servers` from any test directory); this file only turns them into fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.redis_servers import RedisProcess, SpawnedCluster, free_port, need_binaries


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisProcess]:
    """A standalone `redis-server` of this test alone, on a free port; killed afterwards."""
    need_binaries()
    server = RedisProcess(tmp_path, free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_cluster_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A three-master Redis Cluster on loopback ports, as a `redis+cluster://` URL."""
    cluster = SpawnedCluster(tmp_path_factory.mktemp("redis-cluster"), masters=3)
    cluster.start()
    yield cluster.url
    cluster.stop()


@pytest.fixture(params=["standalone", "cluster"])
def saver_url(request: pytest.FixtureRequest, redis_url: str) -> str:
    """The local Redis, then the three-master cluster."""
    if request.param == "cluster":
        return str(request.getfixturevalue("redis_cluster_url"))
    return redis_url
