"""RedisStore under faults: a server killed and restarted mid-run, killed connections."""

from __future__ import annotations

from pathlib import Path

import pytest
from langgraph.store.base import GetOp, PutOp
from redis import Redis
from support.redis_servers import RedisProcess, free_port, need_binaries

from shopcrew.errors import RedisUnavailableError
from shopcrew.memory import RedisStore


def _durable(tmp_path: Path) -> RedisProcess:
    need_binaries()
    return RedisProcess(tmp_path, free_port(), "--appendonly", "yes", "--appendfsync", "always")


def test_server_killed_and_restarted_keeps_acknowledged_items(tmp_path: Path) -> None:
    server = _durable(tmp_path)
    server.start()
    try:
        with RedisStore.from_url(server.url, namespace="faults") as store:
            store.batch([PutOp(("docs",), f"k{i}", {"i": i}) for i in range(5)])
            store.delete(("docs",), "k0")
            server.stop()
            with pytest.raises(RedisUnavailableError, match=server.address) as caught:
                store.put(("docs",), "k9", {"i": 9})
            assert "unreachable" in str(caught.value)
            server.start()  # the restarted server forgot the Lua scripts: reloaded on demand
            assert [(i.key, i.value) for i in store.search(("docs",))] == [
                (f"k{i}", {"i": i}) for i in range(1, 5)
            ]
            assert store.get(("docs",), "k9") is None
            store.put(("docs",), "k9", {"i": 9})
            found = store.batch([GetOp(("docs",), "k9"), GetOp(("docs",), "k0")])
    finally:
        server.stop()
    assert found[0] is not None and found[0].value == {"i": 9}
    assert found[1] is None


async def test_async_store_reconnects_after_a_restart(tmp_path: Path) -> None:
    server = _durable(tmp_path)
    server.start()
    try:
        async with RedisStore.from_url(server.url, namespace="faults") as store:
            await store.aput(("docs",), "a", {"v": 1})
            server.stop()
            with pytest.raises(RedisUnavailableError, match=server.address):
                await store.aget(("docs",), "a")
            server.start()
            item = await store.aget(("docs",), "a")
            await store.aput(("docs",), "b", {"v": 2})
            keys = [i.key for i in await store.asearch(("docs",))]
    finally:
        server.stop()
    assert item is not None and item.value == {"v": 1}
    assert keys == ["a", "b"]


def test_killed_connections_are_retried_transparently(private_redis: RedisProcess) -> None:
    with (
        RedisStore.from_url(private_redis.url, namespace="faults") as store,
        Redis.from_url(private_redis.url) as admin,
    ):
        for i in range(4):
            store.put(("docs",), f"k{i}", {"i": i})
            admin.client_kill_filter(_type="normal", skipme=True)
        assert [i.key for i in store.search(("docs",))] == ["k0", "k1", "k2", "k3"]
