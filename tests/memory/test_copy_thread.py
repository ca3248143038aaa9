"""`copy_thread`: whole, consistent copies, across cluster slots and under concurrent writes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from redis import Redis
from support.chat import chat_graph, turn

from shopcrew.errors import KeyTypeError
from shopcrew.memory._redis import sync_client
from shopcrew.memory.saver.redis import RedisSaver


def _config(thread: str) -> Any:
    return {"configurable": {"thread_id": thread}}


def _history(saver: RedisSaver, thread: str) -> list[tuple[Any, ...]]:
    return [
        (t.checkpoint["id"], t.checkpoint["channel_values"], t.metadata, t.pending_writes)
        for t in saver.list(_config(thread))
    ]


def _ids(values: dict[str, Any]) -> list[str]:
    return [m.id for m in values.get("messages", [])]


def _other_node_thread(url: str, source: str) -> str:
    """A thread id whose keys live on another cluster node than `source`'s (any on one server)."""
    client = sync_client(url)
    try:
        if isinstance(client, Redis):
            return str(uuid4())
        home = client.get_node_from_key(f"{{{source}}}").name
        while (target := str(uuid4())) and client.get_node_from_key(f"{{{target}}}").name == home:
            pass
        return target
    finally:
        client.close()


@pytest.fixture
def saver(saver_url: str, namespace: str) -> Iterator[RedisSaver]:
    with RedisSaver.from_url(saver_url, namespace=namespace) as s:
        yield s


def test_copy_to_a_thread_on_another_node_equals_the_source(
    saver: RedisSaver, saver_url: str
) -> None:
    source = str(uuid4())
    target = _other_node_thread(saver_url, source)
    chat_graph(saver).invoke(turn(9), _config(target))  # replaced whole by the copy
    for i in range(3):
        chat_graph(saver).invoke(turn(i), _config(source))
    saver.copy_thread(source, target)
    assert _history(saver, target) == _history(saver, source)
    listed = {t.config["configurable"]["thread_id"] for t in saver.list(None)}
    assert listed == {source, target}
    chat_graph(saver).invoke(turn(3), _config(target))
    tup = saver.get_tuple(_config(target))
    assert tup is not None and _ids(tup.checkpoint["channel_values"])[-3:] == [
        "h-3",
        "ai-10",
        "t-11",
    ]


async def test_async_copy_equals_the_source(saver_url: str, namespace: str) -> None:
    source = str(uuid4())
    target = _other_node_thread(saver_url, source)
    async with RedisSaver.from_url(saver_url, namespace=namespace) as saver:
        for i in range(2):
            await chat_graph(saver).ainvoke(turn(i), _config(source))
        await saver.acopy_thread(source, target)
        await saver.acopy_thread(str(uuid4()), target)  # an empty source changes nothing
        got = [t.checkpoint async for t in saver.alist(_config(target))]
        want = [t.checkpoint async for t in saver.alist(_config(source))]
    assert got == want and len(got) == 10


def test_copies_taken_while_the_source_is_written_are_whole(
    saver: RedisSaver, saver_url: str, namespace: str
) -> None:
    source = str(uuid4())
    target = _other_node_thread(saver_url, source)
    chat_graph(saver).invoke(turn(0), _config(source))
    stop = threading.Event()
    failures: list[BaseException] = []

    def write() -> None:
        try:
            with RedisSaver.from_url(saver_url, namespace=namespace) as writer:
                i = 1
                while not stop.is_set() and i < 20:
                    chat_graph(writer).invoke(turn(i), _config(source))
                    i += 1
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        for _ in range(8):
            saver.copy_thread(source, target)
            with RedisSaver.from_url(saver_url, namespace=namespace) as reader:
                for tup in reader.list(_config(target)):
                    ids = _ids(tup.checkpoint["channel_values"])
                    # Every checkpoint of the copy loads whole: a consistent prefix of turns.
                    assert (
                        ids == [x for t in range(len(ids) // 3 + 1) for x in _turn(t)][: len(ids)]
                    )
    finally:
        stop.set()
        writer.join()
    assert not failures


def _turn(t: int) -> list[str]:
    return [f"h-{t}", f"ai-{3 * t + 1}", f"t-{3 * t + 2}"]


def test_target_key_of_a_foreign_type_aborts_the_copy_untouched(
    redis_url: str, namespace: str
) -> None:
    source, target = str(uuid4()), str(uuid4())
    foreign = f"{namespace}:t:{{{target}}}:blob"
    with (
        RedisSaver.from_url(redis_url, namespace=namespace) as saver,
        Redis.from_url(redis_url) as client,
    ):
        chat_graph(saver).invoke(turn(0), _config(source))
        client.set(foreign, "someone else's")
        with pytest.raises(KeyTypeError) as caught:
            saver.copy_thread(source, target)
        assert caught.value.key == foreign
        assert client.get(foreign) == b"someone else's"
        assert client.exists(f"{namespace}:t:{{{target}}}:cp") == 0
