"""connect(): in-memory defaults without a URL, Redis with one, for one merchant."""

from __future__ import annotations

from typing import TypedDict

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.store.memory import InMemoryStore
from redis import Redis

from shopcrew.errors import ConfigError, RedisUnavailableError
from shopcrew.memory._connect import Memory, connect
from shopcrew.memory.blackboard.base import InMemoryBlackboard
from shopcrew.memory.blackboard.entries import StockAlert
from shopcrew.memory.blackboard.redis import RedisBlackboard
from shopcrew.memory.saver.redis import RedisSaver
from shopcrew.memory.store.redis import RedisStore


class Count(TypedDict):
    n: int


def bump(state: Count) -> Count:
    return {"n": state["n"] + 1}


def run_a_turn(memory: Memory) -> int:
    builder = StateGraph(Count)
    builder.add_node("bump", bump)
    builder.add_edge(START, "bump")
    builder.add_edge("bump", END)
    graph = builder.compile(checkpointer=memory.checkpointer, store=memory.store)
    config = {"configurable": {"thread_id": "t-1"}}
    graph.invoke({"n": 1}, config)
    return int(graph.get_state(config).values["n"])


def test_without_url_or_env_everything_is_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    with connect(merchant_id="m-a") as memory:
        assert isinstance(memory.checkpointer, InMemorySaver)
        assert isinstance(memory.store, InMemoryStore)
        assert isinstance(memory.blackboard, InMemoryBlackboard)
        assert memory.blackboard.merchant_id == "m-a"
        assert memory.url is None
        assert run_a_turn(memory) == 2


def test_an_empty_url_means_in_memory(monkeypatch: pytest.MonkeyPatch, redis_url: str) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    with connect("") as memory:
        assert isinstance(memory.store, InMemoryStore)


def test_redis_url_from_the_environment_gives_redis_memory(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, namespace: str
) -> None:
    monkeypatch.setenv("REDIS_URL", redis_url)
    with connect(merchant_id="m-a", namespace=namespace) as memory:
        assert isinstance(memory.checkpointer, RedisSaver)
        assert isinstance(memory.store, RedisStore)
        assert isinstance(memory.blackboard, RedisBlackboard)
        assert memory.url == redis_url
        assert run_a_turn(memory) == 2
        memory.store.put(("prefs",), "theme", {"v": "dark"})
        memory.blackboard.post(StockAlert(id="s1", product_id="p-1", level=0))
        assert [e.id for e in memory.blackboard.entries(kind="stock_alert")] == ["s1"]
    with Redis.from_url(redis_url) as client:
        keys = {k.decode() for k in client.scan_iter(f"*{namespace}*")}
    assert keys and all(f"{namespace}:m-a" in k or ":blackboard:m-a:" in k for k in keys)


def test_explicit_url_wins_over_the_environment(
    monkeypatch: pytest.MonkeyPatch, redis_url: str, namespace: str
) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    with connect(redis_url, namespace=namespace) as memory:
        memory.store.put(("prefs",), "k", {"v": 1})
        item = memory.store.get(("prefs",), "k")
        assert item is not None and item.value == {"v": 1}


async def test_async_use_and_close(redis_url: str, namespace: str) -> None:
    async with connect(redis_url, namespace=namespace) as memory:
        await memory.store.aput(("prefs",), "k", {"v": 1})
        item = await memory.store.aget(("prefs",), "k")
        assert item is not None and item.value == {"v": 1}


def test_unreachable_redis_raises_a_typed_error_naming_the_server() -> None:
    with connect("redis://127.0.0.1:1/0") as memory:
        with pytest.raises(RedisUnavailableError, match=r"127\.0\.0\.1:1"):
            memory.store.get(("prefs",), "k")
        with pytest.raises(RedisUnavailableError, match=r"127\.0\.0\.1:1"):
            memory.blackboard.publish(StockAlert(product_id="p", level=0))


def test_bad_namespace_is_refused() -> None:
    with pytest.raises(ValueError, match="braces"):
        connect(namespace="{x}")


@pytest.mark.parametrize("url", ["foo://127.0.0.1:6379", "http://user:secret@cache.local:6379"])
def test_a_url_of_another_scheme_is_a_config_error_naming_the_schemes(url: str) -> None:
    with pytest.raises(ConfigError, match=r"scheme must be one of .*redis://") as caught:
        connect(url)
    assert "secret" not in str(caught.value)
