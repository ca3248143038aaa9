"""RedisStore and RedisBlackboard on the three-master cluster of tests/memory/conftest.py."""

from __future__ import annotations

from uuid import uuid4

from langgraph.store.base import GetOp, PutOp, SearchOp
from redis.cluster import RedisCluster

from shopcrew.memory.blackboard.entries import StockAlert
from shopcrew.memory.blackboard.redis import RedisBlackboard
from shopcrew.memory.store.redis import RedisStore


def test_store_and_blackboard_work_on_a_cluster(redis_cluster_url: str) -> None:
    merchants = [f"test-{uuid4().hex[:8]}:m-{n}" for n in range(4)]  # spread over the slots
    for namespace in merchants:
        with RedisStore.from_url(redis_cluster_url, namespace=namespace) as store:
            results = store.batch(
                [
                    PutOp(("docs", "a"), "k1", {"n": 1}),
                    PutOp(("docs", "b"), "k2", {"n": 2}, ttl=5),
                    GetOp(("docs", "a"), "k1"),
                ]
            )
            assert results == [None, None, None]
            found = store.search(("docs",), filter={"n": {"$gte": 1}})
            assert [(i.namespace, i.key) for i in found] == [
                (("docs", "a"), "k1"),
                (("docs", "b"), "k2"),
            ]
            assert store.list_namespaces(max_depth=1) == [("docs",)]
            store.delete(("docs", "a"), "k1")
            assert [i.key for i in store.batch([SearchOp(("docs",))])[0] or []] == ["k2"]
        with RedisBlackboard.from_url(
            redis_cluster_url, merchant_id="m-a", namespace=namespace
        ) as board:
            sent = board.post(StockAlert(id="s1", product_id="p", level=0))
            assert [m.id for m in board.consume("g", "w")] == [sent]
            assert [e.id for e in board.entries()] == ["s1"]


def test_a_blackboard_stream_shares_the_slot_of_its_entries(redis_cluster_url: str) -> None:
    namespace = f"test-{uuid4().hex[:8]}"
    with (
        RedisBlackboard.from_url(
            redis_cluster_url, merchant_id="m-a", namespace=namespace
        ) as board,
        RedisCluster.from_url(redis_cluster_url.replace("redis+cluster", "redis")) as client,
    ):
        board.post(StockAlert(id="s1", product_id="p", level=0))
        entries = next(iter(client.scan_iter(f"*{namespace}*:store:i:blackboard*")))
        assert client.keyslot(board.key) == client.keyslot(entries)


async def test_async_store_works_on_a_cluster(redis_cluster_url: str) -> None:
    async with RedisStore.from_url(
        redis_cluster_url, namespace=f"test-{uuid4().hex[:8]}:m-a"
    ) as store:
        await store.aput(("docs",), "k", {"n": 1})
        item = await store.aget(("docs",), "k")
        assert item is not None and item.value == {"n": 1}
        assert [i.key for i in await store.asearch(("docs",))] == ["k"]
