"""RedisSaver behaviour beyond the conformance suite: graphs, deltas, keys, isolation, TTL."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from support.chat import chat_graph, turn

from shopcrew.memory._redis import sync_client
from shopcrew.memory.saver.redis import RedisSaver


@pytest.fixture
def saver(saver_url: str, namespace: str) -> Iterator[RedisSaver]:
    with RedisSaver.from_url(saver_url, namespace=f"{namespace}:merchant-a") as s:
        yield s


def _count_keys(url: str, pattern: str) -> int:
    client = sync_client(url)
    try:
        return sum(1 for _ in client.scan_iter(match=pattern, count=1000))
    finally:
        client.close()


def _history(saver: Any, thread: str) -> list[tuple[dict[str, Any], Any, Any]]:
    # Task ids derive from checkpoint ids, which differ between two runs: compare the rest.
    return [
        (t.checkpoint["channel_values"], t.metadata, [w[1:] for w in t.pending_writes or []])
        for t in saver.list({"configurable": {"thread_id": thread}})
    ]


def test_graph_history_equals_in_memory_saver(saver: RedisSaver) -> None:
    memory, thread = InMemorySaver(), str(uuid4())
    config = {"configurable": {"thread_id": thread}}
    for i in range(6):
        chat_graph(saver).invoke(turn(i), config)
        chat_graph(memory).invoke(turn(i), config)

    assert _history(saver, thread) == _history(memory, thread)
    assert len(saver.get_tuple(config).checkpoint["channel_values"]["messages"]) == 18  # type: ignore[union-attr]


async def test_async_graph_history_equals_in_memory_saver(saver_url: str, namespace: str) -> None:
    memory, thread = InMemorySaver(), str(uuid4())
    config = {"configurable": {"thread_id": thread}}
    async with RedisSaver.from_url(saver_url, namespace=namespace) as saver:
        for i in range(4):
            await chat_graph(saver).ainvoke(turn(i), config)
            await chat_graph(memory).ainvoke(turn(i), config)
        redis_history = [
            (t.checkpoint["channel_values"], t.metadata) async for t in saver.alist(config)
        ]

    memory_history = [
        (t.checkpoint["channel_values"], t.metadata) async for t in memory.alist(config)
    ]
    assert redis_history == memory_history


def test_two_savers_alternating_on_one_thread_rebuild_every_value(
    saver_url: str, namespace: str
) -> None:
    memory, thread = InMemorySaver(), str(uuid4())
    config = {"configurable": {"thread_id": thread}}
    with (
        RedisSaver.from_url(saver_url, namespace=namespace) as first,
        RedisSaver.from_url(saver_url, namespace=namespace) as second,
    ):
        for i in range(6):
            chat_graph(first if i % 2 else second).invoke(turn(i), config)
            chat_graph(memory).invoke(turn(i), config)
        assert _history(first, thread) == _history(memory, thread)


def test_bytes_stored_per_turn_do_not_grow_with_the_conversation(
    saver: RedisSaver, saver_url: str
) -> None:
    thread = str(uuid4())
    config = {"configurable": {"thread_id": thread}}
    client = sync_client(saver_url)
    blob_key = f"{saver.namespace}:t:{{{thread}}}:blob"
    sizes = []
    for i in range(30):
        chat_graph(saver).invoke(turn(i), config)
        fields = client.hkeys(blob_key)
        sizes.append(sum(client.hstrlen(blob_key, f) for f in fields))
    client.close()
    growth = [b - a for a, b in itertools.pairwise(sizes)]

    assert max(growth[-5:]) <= 1.2 * max(growth[:5])


def test_delete_thread_leaves_no_key_behind(saver: RedisSaver, saver_url: str) -> None:
    thread = str(uuid4())
    config = {"configurable": {"thread_id": thread}}
    chat_graph(saver).invoke(turn(0), config)
    assert _count_keys(saver_url, f"*{thread}*") > 0

    saver.delete_thread(thread)

    assert _count_keys(saver_url, f"*{thread}*") == 0
    assert list(saver.list(None)) == []


def test_one_merchant_cannot_list_or_read_another_merchants_threads(
    saver_url: str, namespace: str
) -> None:
    thread = str(uuid4())
    config = {"configurable": {"thread_id": thread}}
    with (
        RedisSaver.from_url(saver_url, namespace=f"{namespace}:merchant-a") as a,
        RedisSaver.from_url(saver_url, namespace=f"{namespace}:merchant-b") as b,
    ):
        chat_graph(a).invoke(turn(0), config)

        assert b.get_tuple(config) is None
        assert list(b.list(None)) == []
        assert [t.config["configurable"]["thread_id"] for t in a.list(None, limit=1)] == [thread]


def test_ttl_is_set_on_every_key_of_the_thread(saver_url: str, namespace: str) -> None:
    thread = str(uuid4())
    with RedisSaver.from_url(saver_url, namespace=namespace, ttl=600) as saver:
        chat_graph(saver).invoke(turn(0), {"configurable": {"thread_id": thread}})
    client = sync_client(saver_url)
    ttls = [client.pttl(k) for k in client.scan_iter(match=f"*{thread}*")]
    client.close()

    assert ttls and all(0 < t <= 600_000 for t in ttls)


def test_list_filters_by_metadata_and_before_with_limit(saver: RedisSaver) -> None:
    thread = str(uuid4())
    config = {"configurable": {"thread_id": thread}}
    for i in range(3):
        chat_graph(saver).invoke(turn(i), config)
    everything = list(saver.list(config))
    inputs = list(saver.list(config, filter={"source": "input"}))
    older = list(saver.list(config, before=everything[4].config, limit=2))

    assert len(everything) == 15
    assert [t.metadata["source"] for t in inputs] == ["input"] * 3
    assert older == everything[5:7]


def test_copy_then_prune_keep_latest_keeps_the_full_conversation(saver: RedisSaver) -> None:
    source, target = str(uuid4()), str(uuid4())
    for i in range(4):
        chat_graph(saver).invoke(turn(i), {"configurable": {"thread_id": source}})
    saver.copy_thread(source, target)
    before = saver.get_tuple({"configurable": {"thread_id": target}})

    saver.prune([target])

    after = saver.get_tuple({"configurable": {"thread_id": target}})
    assert after is not None and before is not None
    assert after.checkpoint == before.checkpoint
    assert len(list(saver.list({"configurable": {"thread_id": target}}))) == 1
