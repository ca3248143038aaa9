"""RedisStore behaviour beyond the InMemoryStore comparison: TTL, faults, merchants, async."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from langgraph.store.base import GetOp, PutOp, SearchOp
from redis import Redis

from shopcrew.errors import KeyTypeError, RedisUnavailableError
from shopcrew.memory.store.redis import RedisStore


def embed(texts: list[str]) -> list[list[float]]:
    return [[float("shoe" in t), float("lamp" in t), 1.0] for t in texts]


@pytest.fixture
def store(redis_url: str, namespace: str) -> Iterator[RedisStore]:
    with RedisStore.from_url(redis_url, namespace=namespace) as store:
        yield store


@pytest.fixture
async def astore(redis_url: str, namespace: str) -> AsyncIterator[RedisStore]:
    async with RedisStore.from_url(redis_url, namespace=namespace) as store:
        yield store


def test_put_get_delete_round_trip(store: RedisStore) -> None:
    before = datetime.now(UTC) - timedelta(seconds=5)
    store.put(("docs", "u1"), "a", {"text": "hi", "n": 1})
    item = store.get(("docs", "u1"), "a")
    assert item is not None
    assert (item.namespace, item.key, item.value) == (("docs", "u1"), "a", {"text": "hi", "n": 1})
    assert before < item.created_at <= item.updated_at
    store.delete(("docs", "u1"), "a")
    assert store.get(("docs", "u1"), "a") is None
    assert store.list_namespaces() == []


def test_overwrite_keeps_created_at_and_position(store: RedisStore) -> None:
    store.put(("docs",), "a", {"v": 1})
    store.put(("docs",), "b", {"v": 2})
    first = store.get(("docs",), "a")
    store.put(("docs",), "a", {"v": 3})
    again = store.get(("docs",), "a")
    assert first is not None and again is not None
    assert again.created_at == first.created_at
    assert again.updated_at >= first.updated_at
    assert [i.key for i in store.search(("docs",))] == ["a", "b"]


def test_batch_reads_see_the_state_before_its_writes(store: RedisStore) -> None:
    store.put(("docs",), "a", {"v": 1})
    results = store.batch(
        [
            PutOp(("docs",), "a", {"v": 2}),
            GetOp(("docs",), "a"),
            SearchOp(("docs",)),
            PutOp(("docs",), "b", {"v": 3}),
        ]
    )
    got, found = results[1], results[2]
    assert results[0] is None and results[3] is None
    assert got is not None and got.value == {"v": 1}
    assert isinstance(found, list) and [i.value for i in found] == [{"v": 1}]
    assert [i.value for i in store.search(("docs",))] == [{"v": 2}, {"v": 3}]


def test_ttl_expires_items_and_their_namespace(store: RedisStore) -> None:
    store.put(("short",), "a", {"v": 1}, ttl=0.0001)  # 6 ms
    store.put(("long",), "b", {"v": 2}, ttl=60)
    deadline = datetime.now(UTC) + timedelta(seconds=10)
    # Not refreshing: each read would push the 6 ms expiry ahead, and reads come faster.
    while store.get(("short",), "a", refresh_ttl=False) is not None:
        assert datetime.now(UTC) < deadline, "item outlived its TTL"
    assert store.list_namespaces() == [("long",)]
    assert store.get(("long",), "b") is not None


def test_reads_refresh_the_ttl_unless_told_not_to(
    redis_url: str, namespace: str, store: RedisStore
) -> None:
    exp_key = f"{{{namespace}}}:store:exp"
    store.put(("docs",), "a", {"v": 1}, ttl=1)
    with Redis.from_url(redis_url) as client:
        first = client.zscore(exp_key, b"docs\x00a")
        store.get(("docs",), "a", refresh_ttl=False)
        assert client.zscore(exp_key, b"docs\x00a") == first
        deadline = datetime.now(UTC) + timedelta(seconds=10)
        while client.zscore(exp_key, b"docs\x00a") == first:
            assert datetime.now(UTC) < deadline
            store.search(("docs",))
        assert (client.zscore(exp_key, b"docs\x00a") or 0) > (first or 0)


def test_default_ttl_comes_from_the_ttl_config(redis_url: str, namespace: str) -> None:
    with RedisStore.from_url(redis_url, namespace=namespace, ttl={"default_ttl": 5}) as store:
        store.put(("docs",), "a", {"v": 1})
        with Redis.from_url(redis_url) as client:
            assert client.zcard(f"{{{namespace}}}:store:exp") == 1


def test_merchants_do_not_see_each_other(redis_url: str, namespace: str) -> None:
    with (
        RedisStore.from_url(redis_url, namespace=f"{namespace}:m-a") as a,
        RedisStore.from_url(redis_url, namespace=f"{namespace}:m-b") as b,
    ):
        a.put(("docs",), "k", {"owner": "a"})
        assert b.get(("docs",), "k") is None
        assert b.search(("docs",)) == []
        assert b.list_namespaces() == []


def test_semantic_search_ranks_by_cosine_and_fills_with_unindexed(
    redis_url: str, namespace: str
) -> None:
    index: Any = {"dims": 3, "embed": embed, "fields": ["text"]}
    with RedisStore.from_url(redis_url, namespace=namespace, index=index) as store:
        store.put(("kb",), "lamp", {"text": "a lamp"})
        store.put(("kb",), "shoe", {"text": "red shoe"})
        store.put(("kb",), "plain", {"text": "shoe"}, index=False)
        found = store.search(("kb",), query="shoe", limit=3)
    assert [(i.key, None if i.score is None else round(i.score, 4)) for i in found] == [
        ("shoe", 1.0),
        ("lamp", 0.5),
        ("plain", None),
    ]


def test_a_foreign_key_of_another_type_is_reported_and_kept(
    redis_url: str, namespace: str, store: RedisStore
) -> None:
    foreign = f"{{{namespace}}}:store:i:docs"
    with Redis.from_url(redis_url) as client:
        client.set(foreign, "not ours")
        with pytest.raises(KeyTypeError) as caught:
            store.put(("docs",), "a", {"v": 1})
        assert caught.value.found == "string" and caught.value.expected == "hash"
        assert client.get(foreign) == b"not ours"
        assert store.list_namespaces() == []


def test_unreachable_server_raises_a_typed_error_naming_it() -> None:
    with RedisStore.from_url("redis://127.0.0.1:1/0", namespace="nowhere") as store:
        with pytest.raises(RedisUnavailableError, match=r"127\.0\.0\.1:1"):
            store.get(("docs",), "a")


def test_bad_arguments_are_refused_at_build_time(redis_url: str) -> None:
    with pytest.raises(ValueError, match="braces"):
        RedisStore.from_url(redis_url, namespace="{bad}")
    with pytest.raises(ValueError, match="dims"):
        RedisStore.from_url(redis_url, namespace="x", index={"fields": ["text"]})


async def test_async_methods_share_the_data(astore: RedisStore) -> None:
    await astore.aput(("docs",), "a", {"n": 1})
    await astore.aput(("docs", "sub"), "b", {"n": 2})
    got = await astore.aget(("docs",), "a")
    assert got is not None and got.value == {"n": 1}
    found = await astore.asearch(("docs",), filter={"n": {"$gt": 1}})
    assert [(i.namespace, i.key) for i in found] == [(("docs", "sub"), "b")]
    assert await astore.alist_namespaces(max_depth=1) == [("docs",)]
    await astore.adelete(("docs",), "a")
    assert astore.get(("docs",), "a") is None
