"""Saver and store on a 3-master, 3-replica cluster whose masters fail over under them.

A manual `CLUSTER FAILOVER` loses nothing (the master pauses until its replica caught up), so
every acknowledged write must survive it. When a master is killed instead, Redis replication
is asynchronous: writes acknowledged but not yet on the replica can be lost, whichever client
wrote them; the kill test therefore waits for the replica to catch up before killing
(deployments that need more use `min-replicas-to-write` on the servers).
"""

from __future__ import annotations

import gc
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from support.chat import chat_graph, turn
from support.redis_servers import SpawnedCluster, wait_until

from shopcrew.errors import RedisUnavailableError
from shopcrew.memory import RedisSaver, RedisStore

pytestmark = pytest.mark.slow


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[SpawnedCluster]:
    """Three masters with one replica each, private to the test (it changes the topology)."""
    spawned = SpawnedCluster(tmp_path, masters=3, replicas=1, node_timeout_ms=2000)
    spawned.start()
    yield spawned
    spawned.stop()
    with warnings.catch_warnings():
        # redis-py's cluster client can drop a socket to a node that died without closing
        # it; collect it here, where its ResourceWarning is not a stray error at exit.
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def _config(thread: str) -> Any:
    return {"configurable": {"thread_id": thread}}


def _ids(saver: RedisSaver, thread: str) -> list[str]:
    tup = saver.get_tuple(_config(thread))
    assert tup is not None
    return [m.id for m in tup.checkpoint["channel_values"]["messages"]]


def _expected(turns: int) -> list[str]:
    return [i for t in range(turns) for i in (f"h-{t}", f"ai-{3 * t + 1}", f"t-{3 * t + 2}")]


def test_every_master_fails_over_and_nothing_acknowledged_is_lost(
    cluster: SpawnedCluster,
) -> None:
    thread, namespace = str(uuid4()), f"fo-{uuid4().hex[:8]}"
    with (
        RedisSaver.from_url(cluster.url, namespace=namespace) as saver,
        RedisStore.from_url(cluster.url, namespace=namespace) as store,
    ):
        masters = [cluster.master_of(f"{{{thread}}}"), cluster.master_of(f"{{{namespace}}}")]
        masters += [n for n in cluster.nodes if n not in masters and n.port in _ports(cluster)]
        done = 0
        for master in dict.fromkeys(masters):  # the thread's master, the store's, the rest
            replica = cluster.replica_of(master)
            chat_graph(saver).invoke(turn(done), _config(thread))
            store.put(("notes",), f"n{done}", {"turn": done})
            done += 1
            cluster.failover(replica)
            assert _ids(saver, thread) == _expected(done)
        chat_graph(saver).invoke(turn(done), _config(thread))
        store.put(("notes",), f"n{done}", {"turn": done})
        assert _ids(saver, thread) == _expected(done + 1)
        assert [(i.key, i.value["turn"]) for i in store.search(("notes",))] == [
            (f"n{t}", t) for t in range(done + 1)
        ]
        assert [t.config["configurable"]["thread_id"] for t in saver.list(None, limit=1)] == [
            thread
        ]
    assert done == 3


def test_killed_master_is_replaced_by_its_replica_and_the_saver_carries_on(
    cluster: SpawnedCluster,
) -> None:
    thread, namespace = str(uuid4()), f"fo-{uuid4().hex[:8]}"
    with RedisSaver.from_url(cluster.url, namespace=namespace) as saver:
        for t in range(2):
            chat_graph(saver).invoke(turn(t), _config(thread))
        master = cluster.master_of(f"{{{thread}}}")
        replica = cluster.replica_of(master)
        cluster.wait_replicated(master)
        master.stop()

        def answers() -> bool:
            try:
                return _ids(saver, thread) == _expected(2)
            except RedisUnavailableError:
                return False  # the typed error while the cluster elects the replica

        wait_until(answers, "the saver to read the thread from the promoted replica")
        cluster.wait_promoted(replica)
        chat_graph(saver).invoke(turn(2), _config(thread))
        assert _ids(saver, thread) == _expected(3)


def _ports(cluster: SpawnedCluster) -> set[int]:
    """Ports of the nodes that are masters now."""
    return {n.port for n in cluster.nodes if n.running and _role(n) == "master"}


def _role(node: Any) -> str:
    with node.client() as client:
        return str(client.info("replication")["role"])
