"""LangGraph's DeltaChannel on RedisSaver: same values as InMemorySaver, history in one call."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Annotated, Any, TypedDict
from uuid import uuid4

import pytest
from langchain_core.runnables import RunnableConfig
from langgraph.channels import DeltaChannel
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from shopcrew.memory.saver.redis import RedisSaver


def extend(state: list[str], writes: Sequence[list[str]]) -> list[str]:
    return [*state, *(item for batch in writes for item in batch)]


class NotesState(TypedDict):
    notes: Annotated[list[str], DeltaChannel(extend, snapshot_frequency=3)]
    count: int


def take_note(state: NotesState) -> dict[str, Any]:
    n = len(state["notes"])
    return {"notes": [f"note {n}"], "count": n + 1}


def review(state: NotesState) -> dict[str, Any]:
    return {"notes": [f"reviewed {state['count']}"]}


def notes_graph(checkpointer: Any) -> CompiledStateGraph[Any]:
    builder = StateGraph(NotesState)
    builder.add_node("take_note", take_note)
    builder.add_node("review", review)
    builder.add_edge(START, "take_note")
    builder.add_edge("take_note", "review")
    builder.add_edge("review", END)
    return builder.compile(checkpointer=checkpointer)


def turn(i: int) -> dict[str, Any]:
    return {"notes": [f"user {i}"]}


@pytest.fixture
def saver(saver_url: str, namespace: str) -> Iterator[RedisSaver]:
    with RedisSaver.from_url(saver_url, namespace=namespace) as s:
        yield s


def _config(thread: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread}}


def _values(graph: CompiledStateGraph[Any], config: RunnableConfig) -> list[dict[str, Any]]:
    return [s.values for s in graph.get_state_history(config)]


def _without_task_ids(history: Any) -> dict[str, Any]:
    # Task ids derive from checkpoint ids, which differ between two savers.
    return {
        ch: {**entry, "writes": [w[1:] for w in entry["writes"]]} for ch, entry in history.items()
    }


def test_delta_channel_graph_and_its_forks_match_in_memory_saver(saver: RedisSaver) -> None:
    memory, thread = InMemorySaver(), str(uuid4())
    redis_graph, memory_graph = notes_graph(saver), notes_graph(memory)
    for i in range(8):
        redis_graph.invoke(turn(i), _config(thread))
        memory_graph.invoke(turn(i), _config(thread))
    # Fork from an early checkpoint: only the ancestors on the new path may count.
    redis_early = [s.config for s in redis_graph.get_state_history(_config(thread))][9]
    memory_early = [s.config for s in memory_graph.get_state_history(_config(thread))][9]
    redis_graph.invoke(turn(99), redis_early)
    memory_graph.invoke(turn(99), memory_early)

    state = redis_graph.get_state(_config(thread)).values
    assert state == memory_graph.get_state(_config(thread)).values
    assert state["notes"][-3:] == ["user 99", "note 18", "reviewed 19"]
    assert _values(redis_graph, _config(thread)) == _values(memory_graph, _config(thread))


def test_delta_channel_history_equals_in_memory_saver_at_every_checkpoint(
    saver: RedisSaver,
) -> None:
    memory, thread = InMemorySaver(), str(uuid4())
    for i in range(5):
        notes_graph(saver).invoke(turn(i), _config(thread))
        notes_graph(memory).invoke(turn(i), _config(thread))
    ours = [t.config for t in saver.list(_config(thread))]
    theirs = [t.config for t in memory.list(_config(thread))]
    assert len(ours) == len(theirs) == 20

    for mine, reference in zip(ours, theirs, strict=True):
        got = saver.get_delta_channel_history(config=mine, channels=["notes", "count"])
        want = memory.get_delta_channel_history(config=reference, channels=["notes", "count"])
        assert _without_task_ids(got) == _without_task_ids(want)


def test_delta_channel_history_is_one_round_trip(saver: RedisSaver) -> None:
    thread = str(uuid4())
    for i in range(4):
        notes_graph(saver).invoke(turn(i), _config(thread))
    calls: list[Any] = []
    evaluate = saver._eval

    def spy(script: Any, keys: list[str], args: Any) -> Any:
        calls.append(script)
        return evaluate(script, keys, args)

    saver._eval = spy  # type: ignore[method-assign]
    history = saver.get_delta_channel_history(config=_config(thread), channels=["notes"])

    assert len(calls) == 1
    assert [w[2] for w in history["notes"]["writes"]][-2:] == [["note 10"], ["reviewed 11"]]


def test_delta_channel_history_of_an_unknown_thread_is_empty(saver: RedisSaver) -> None:
    config = _config(str(uuid4()))
    assert saver.get_delta_channel_history(config=config, channels=["notes"]) == {
        "notes": {"writes": []}
    }
    assert saver.get_delta_channel_history(config=config, channels=[]) == {}


async def test_async_delta_channel_graph_matches_in_memory_saver(
    saver_url: str, namespace: str
) -> None:
    memory, thread = InMemorySaver(), str(uuid4())
    async with RedisSaver.from_url(saver_url, namespace=namespace) as saver:
        for i in range(7):
            await notes_graph(saver).ainvoke(turn(i), _config(thread))
            await notes_graph(memory).ainvoke(turn(i), _config(thread))
        ours = (await notes_graph(saver).aget_state(_config(thread))).values
        history = await saver.aget_delta_channel_history(config=_config(thread), channels=["notes"])
    theirs = (await notes_graph(memory).aget_state(_config(thread))).values
    reference = await memory.aget_delta_channel_history(config=_config(thread), channels=["notes"])
    assert ours == theirs
    assert _without_task_ids(history) == _without_task_ids(reference)
