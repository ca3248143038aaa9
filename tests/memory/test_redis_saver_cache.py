"""RedisSaver's list-value cache: reads of long threads fetch only new items, stay exact."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, TypedDict
from uuid import uuid4

import pytest
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.graph.state import CompiledStateGraph

from shopcrew.memory.saver._cache import HeadCache
from shopcrew.memory.saver._codec import ListHead
from shopcrew.memory.saver.redis import RedisSaver


class ChatState(TypedDict):
    messages: Annotated[list[AnyMessage], add_messages]


def agent(state: ChatState) -> dict[str, Any]:
    n = len(state["messages"])
    return {"messages": [AIMessage(content=f"answer {n}", id=f"ai-{n}")]}


def chat_graph(checkpointer: Any) -> CompiledStateGraph[Any]:
    builder = StateGraph(ChatState)
    builder.add_node("agent", agent)
    builder.add_edge(START, "agent")
    builder.add_edge("agent", END)
    return builder.compile(checkpointer=checkpointer)


def turn(i: int) -> dict[str, Any]:
    return {"messages": [HumanMessage(content=f"question {i}", id=f"h-{i}")]}


@pytest.fixture
def saver(saver_url: str, namespace: str) -> Iterator[RedisSaver]:
    with RedisSaver.from_url(saver_url, namespace=f"{namespace}:cache") as s:
        yield s


def _values(saver: Any, config: RunnableConfig) -> list[dict[str, Any]]:
    return [t.checkpoint["channel_values"] for t in saver.list(config)]


def _messages(saver: Any, config: RunnableConfig) -> list[Any]:
    tup = saver.get_tuple(config)
    assert tup is not None
    return list(tup.checkpoint["channel_values"]["messages"])


def test_a_read_after_a_write_fetches_no_old_item(saver: RedisSaver) -> None:
    config: RunnableConfig = {"configurable": {"thread_id": str(uuid4())}}
    for i in range(5):
        chat_graph(saver).invoke(turn(i), config)
    replies: list[Any] = []
    load = saver._eval

    def spy(script: Any, keys: list[str], args: Any) -> Any:
        replies.append(load(script, keys, args))
        return replies[-1]

    saver._eval = spy  # type: ignore[method-assign]
    assert len(_messages(saver, config)) == 10
    blobs = {b[0]: b[2:] for b in replies[0][1][3]}
    assert blobs[b"messages"] == [b"C"]  # the whole list came from the cache


def test_mutating_returned_values_does_not_corrupt_the_cache(saver: RedisSaver) -> None:
    memory, config = InMemorySaver(), {"configurable": {"thread_id": str(uuid4())}}
    for i in range(3):
        chat_graph(saver).invoke(turn(i), config)
        chat_graph(memory).invoke(turn(i), config)
    tup = saver.get_tuple(config)
    assert tup is not None
    tup.checkpoint["channel_values"]["messages"].append(HumanMessage(content="rogue"))
    tup.checkpoint["channel_values"]["messages"].pop(0)
    tup.checkpoint["channel_values"].clear()
    assert _messages(saver, config) == _messages(memory, config)
    chat_graph(saver).invoke(turn(3), config)
    chat_graph(memory).invoke(turn(3), config)
    assert _values(saver, config) == _values(memory, config)


def test_other_processes_writing_the_thread_turn_hints_into_misses(
    saver: RedisSaver, saver_url: str, namespace: str
) -> None:
    memory, thread = InMemorySaver(), str(uuid4())
    config: RunnableConfig = {"configurable": {"thread_id": thread}}
    with RedisSaver.from_url(saver_url, namespace=f"{namespace}:cache") as other:
        for i in range(3):
            chat_graph(saver).invoke(turn(i), config)
            chat_graph(memory).invoke(turn(i), config)
        assert _messages(saver, config) == _messages(memory, config)
        for i in range(3, 5):  # appended past our cached version: a prefix hit
            chat_graph(other).invoke(turn(i), config)
            chat_graph(memory).invoke(turn(i), config)
        assert _messages(saver, config) == _messages(memory, config)
        # A fork from an early checkpoint: our cached version is not in its chain.
        early = [t.config for t in saver.list(config)][-3]
        chat_graph(other).invoke(turn(9), early)
        forked = [t.config for t in memory.list(config)][-3]
        chat_graph(memory).invoke(turn(9), forked)
        assert _messages(saver, config) == _messages(memory, config)
        assert [m.content for m in _messages(saver, config)][-2:] == ["question 9", "answer 3"]
        assert _values(saver, config) == _values(other, config)


def test_the_cache_is_a_bounded_lru_of_threads() -> None:
    cache = HeadCache(size=2, items=12)
    for tid in ("a", "b", "c"):
        cache.remember((tid, "", "messages"), ListHead("1", [1, 2, 3], "h"))
    assert ("a", "", "messages") not in cache
    assert cache.get(("b", "", "messages")) is not None
    cache.remember(("d", "", "messages"), ListHead("1", list(range(8)), "h"))
    assert ("c", "", "messages") not in cache  # b was used more recently
    assert cache.held == 11
    cache.remember(("e", "", "messages"), ListHead("1", list(range(13)), "h"))
    assert ("e", "", "messages") not in cache  # too big to keep at all
    assert len(cache) == 2 and cache.held == 11
    cache.forget_thread("d")
    assert len(cache) == 1 and cache.held == 3
