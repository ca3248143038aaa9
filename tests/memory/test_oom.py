"""Redis at `maxmemory` with `noeviction`: writes are refused with a typed error, whole.

Each test fills a private server past its `maxmemory` with filler keys, checks that a
checkpoint put, a graph turn or a store batch raises `RedisOutOfMemoryError` and leaves every
key of the thread or store byte-for-byte as it was, then frees memory and writes again. On a
private cluster, one master at a time is starved (`maxmemory` below what it uses) to refuse
one of the two writes of a put: the thread's script or the namespace's thread index.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from langgraph.checkpoint.base import empty_checkpoint
from langgraph.store.base import GetOp, PutOp
from redis import Redis
from redis.exceptions import OutOfMemoryError
from support.chat import chat_graph, turn
from support.redis_servers import RedisProcess, SpawnedCluster, free_port, need_binaries

from shopcrew.errors import RedisOutOfMemoryError
from shopcrew.memory import RedisSaver, RedisStore

_FILLER = "filler:"
_MAXMEMORY = "4mb"


@pytest.fixture
def small_redis(tmp_path: Path) -> Iterator[RedisProcess]:
    """A private server with 4 MiB of memory that refuses writes instead of evicting."""
    need_binaries()
    server = RedisProcess(
        tmp_path, free_port(), "--maxmemory", _MAXMEMORY, "--maxmemory-policy", "noeviction"
    )
    server.start()
    yield server
    server.stop()


def _fill(client: Redis) -> None:
    """Write filler keys until the server refuses one, then keep it well past the limit.

    Right at the limit, buffers the server frees in the background can make room for one
    more write; halving `maxmemory` below what is used makes every write a refused one.
    """
    with pytest.raises(OutOfMemoryError):
        for i in range(100_000):
            client.set(f"{_FILLER}{i}", b"x" * 4096)
    client.config_set("maxmemory", int(client.info("memory")["used_memory"]) // 2)


def _free(client: Redis) -> None:
    for key in client.scan_iter(f"{_FILLER}*", count=1000):
        client.delete(key)
    client.config_set("maxmemory", _MAXMEMORY)


def _snapshot(client: Redis, pattern: str) -> dict[bytes, object]:
    """Every key matching `pattern` with its type and whole content.

    Not DUMP: a hash's DUMP follows its table order, which rehashing may change.
    """
    out: dict[bytes, object] = {}
    for key in client.scan_iter(pattern, count=1000):
        kind = client.type(key)
        if kind == b"hash":
            out[key] = (kind, client.hgetall(key))
        elif kind == b"zset":
            out[key] = (kind, client.zrange(key, 0, -1, withscores=True))
        else:
            out[key] = (kind, client.dump(key))
    return out


def _config(thread: str) -> Any:
    return {"configurable": {"thread_id": thread}}


def _message_ids(saver: RedisSaver, thread: str) -> list[str]:
    tup = saver.get_tuple(_config(thread))
    assert tup is not None
    return [m.id for m in tup.checkpoint["channel_values"]["messages"]]


def test_graph_turn_at_maxmemory_is_refused_whole_and_the_thread_stays_readable(
    small_redis: RedisProcess,
) -> None:
    thread = str(uuid4())
    with (
        RedisSaver.from_url(small_redis.url, namespace="oom") as saver,
        small_redis.client() as admin,
    ):
        for i in range(3):
            chat_graph(saver).invoke(turn(i), _config(thread))
        before = _snapshot(admin, "oom:*")
        history = [t.config for t in saver.list(_config(thread))]
        _fill(admin)
        with pytest.raises(RedisOutOfMemoryError, match=small_redis.address) as caught:
            chat_graph(saver).invoke(turn(3), _config(thread))
        assert "maxmemory" in str(caught.value) and "nothing was written" in str(caught.value)
        with pytest.raises(RedisOutOfMemoryError):
            tup = saver.get_tuple(_config(thread))
            assert tup is not None
            saver.put_writes(tup.config, [("messages", [])], "task-1")
        assert _snapshot(admin, "oom:*") == before
        assert len(_message_ids(saver, thread)) == 9
        assert [t.config for t in saver.list(_config(thread))] == history
        _free(admin)
        chat_graph(saver).invoke(turn(3), _config(thread))
        ids = _message_ids(saver, thread)
    assert ids[-3:] == ["h-3", "ai-10", "t-11"]
    assert len(ids) == len(set(ids)) == 12


async def test_async_put_at_maxmemory_is_refused_with_the_typed_error(
    small_redis: RedisProcess,
) -> None:
    thread = str(uuid4())
    async with RedisSaver.from_url(small_redis.url, namespace="oom") as saver:
        await chat_graph(saver).ainvoke(turn(0), _config(thread))
        with small_redis.client() as admin:
            before = _snapshot(admin, "oom:*")
            _fill(admin)
            with pytest.raises(RedisOutOfMemoryError, match=small_redis.address):
                await chat_graph(saver).ainvoke(turn(1), _config(thread))
            assert _snapshot(admin, "oom:*") == before
            tup = await saver.aget_tuple(_config(thread))
    assert tup is not None and len(tup.checkpoint["channel_values"]["messages"]) == 3


def test_store_batch_at_maxmemory_writes_none_of_its_puts(small_redis: RedisProcess) -> None:
    with (
        RedisStore.from_url(small_redis.url, namespace="oom-store") as store,
        small_redis.client() as admin,
    ):
        store.put(("docs",), "a", {"v": 1})
        before = _snapshot(admin, "*oom-store*")
        _fill(admin)
        with pytest.raises(RedisOutOfMemoryError, match=small_redis.address):
            store.batch(
                [
                    PutOp(("docs",), "a", {"v": 2}),
                    PutOp(("docs",), "b", {"v": 3}),
                    PutOp(("other",), "c", {"v": 4}),
                ]
            )
        assert _snapshot(admin, "*oom-store*") == before
        item = store.get(("docs",), "a")
        assert item is not None and item.value == {"v": 1}
        assert store.batch([GetOp(("docs",), "b")]) == [None]
        assert store.list_namespaces() == [("docs",)]
        _free(admin)
        store.batch([PutOp(("docs",), "a", {"v": 2}), PutOp(("docs",), "b", {"v": 3})])
        assert [(i.key, i.value) for i in store.search(("docs",))] == [
            ("a", {"v": 2}),
            ("b", {"v": 3}),
        ]


@pytest.fixture
def small_cluster(tmp_path: Path) -> Iterator[SpawnedCluster]:
    """A private three-master cluster whose masters a test may starve of memory."""
    cluster = SpawnedCluster(tmp_path, masters=3)
    cluster.start()
    yield cluster
    cluster.stop()


def _starve(node: RedisProcess, *, starved: bool) -> None:
    """Refuse every write on `node` (`maxmemory` at half of what it uses), or stop refusing."""
    with node.client() as client:
        client.config_set("maxmemory-policy", "noeviction")
        used = int(client.info("memory")["used_memory"])
        client.config_set("maxmemory", used // 2 if starved else 0)


def _thread_away_from(cluster: SpawnedCluster, node: RedisProcess) -> str:
    """A thread id whose keys live on another master than `node`."""
    ids = (str(uuid4()) for _ in range(1000))
    return next(t for t in ids if cluster.master_of(f"{{{t}}}") is not node)


@pytest.mark.parametrize("refused", ["index", "thread"])
def test_cluster_put_at_maxmemory_is_listed_exactly_when_it_was_stored(
    small_cluster: SpawnedCluster, refused: str
) -> None:
    namespace = "oom"
    index_node = small_cluster.master_of(f"{{{namespace}}}")
    thread = _thread_away_from(small_cluster, index_node)
    starved = index_node if refused == "index" else small_cluster.master_of(f"{{{thread}}}")
    config = {"configurable": {"thread_id": thread, "checkpoint_ns": ""}}
    with RedisSaver.from_url(small_cluster.url, namespace=namespace) as saver:
        _starve(starved, starved=True)
        with pytest.raises(RedisOutOfMemoryError, match="nothing was written"):
            saver.put(config, empty_checkpoint(), {"step": 0}, {})
        assert saver.get_tuple(config) is None
        assert list(saver.list(None)) == []
        _starve(starved, starved=False)
        stored = saver.put(config, empty_checkpoint(), {"step": 0}, {})
        assert [t.config for t in saver.list(None)] == [stored]


async def test_cluster_aput_refused_at_the_index_stores_nothing(
    small_cluster: SpawnedCluster,
) -> None:
    namespace = "oom"
    index_node = small_cluster.master_of(f"{{{namespace}}}")
    thread = _thread_away_from(small_cluster, index_node)
    config = {"configurable": {"thread_id": thread, "checkpoint_ns": ""}}
    async with RedisSaver.from_url(small_cluster.url, namespace=namespace) as saver:
        _starve(index_node, starved=True)
        with pytest.raises(RedisOutOfMemoryError):
            await saver.aput(config, empty_checkpoint(), {"step": 0}, {})
        assert await saver.aget_tuple(config) is None
        _starve(index_node, starved=False)
        stored = await saver.aput(config, empty_checkpoint(), {"step": 0}, {})
        assert [t.config async for t in saver.alist(None)] == [stored]
