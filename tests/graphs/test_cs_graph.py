"""The CS agent graph: the tool loop, escalation through interrupt/resume, long-term notes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.store.memory import InMemoryStore
from langgraph.types import Command

from shopcrew.agents.policy import CsSettings
from shopcrew.graphs.cs import build_cs_agent
from shopcrew.memory.namespaces import customer_namespace
from shopcrew.memory.saver.redis import RedisSaver
from shopcrew.models.scripted import ScriptedChatModel
from shopcrew.tools.adapters import Adapters
from shopcrew.tools.reference.store import Record, RetailStore


@pytest.fixture(scope="module")
def base_store(tau_dir: Path) -> RetailStore:
    return RetailStore.load(tau_dir / "db")


@pytest.fixture(scope="module")
def pending(base_store: RetailStore) -> tuple[Record, Record]:
    """The first pending order of the reference store, and its customer."""
    order = next(o for _, o in base_store.items("orders") if o["status"] == "pending")
    user = base_store.get("users", order["user_id"])
    assert user is not None
    return order, user


def _config(thread: str) -> RunnableConfig:
    return {"configurable": {"thread_id": thread}}


def cancel_model(order: Record, user: Record) -> ScriptedChatModel:
    """Identifies the customer, proposes the cancellation, cancels after a yes."""
    order_id = order["order_id"]

    def reply(messages: list[BaseMessage]) -> AIMessage:
        last = messages[-1]
        if isinstance(last, HumanMessage) and last.text.startswith("Yes"):
            args = {"order_id": order_id, "reason": "no longer needed"}
            return AIMessage(
                content="", tool_calls=[{"id": "w1", "name": "cancel_pending_order", "args": args}]
            )
        if isinstance(last, HumanMessage):
            args = {"email": user["email"]}
            return AIMessage(
                content="", tool_calls=[{"id": "i1", "name": "find_user_id_by_email", "args": args}]
            )
        if isinstance(last, ToolMessage) and last.name == "find_user_id_by_email":
            cancel = {"order_id": order_id, "reason": "no longer needed"}
            args = {"name": "cancel_pending_order", "arguments": cancel}
            return AIMessage(
                content="", tool_calls=[{"id": "p1", "name": "propose_action", "args": args}]
            )
        return AIMessage(content=f"Done: order {order_id} is cancelled.")

    return ScriptedChatModel(reply=reply)


def transfer_model() -> ScriptedChatModel:
    def reply(messages: list[BaseMessage]) -> AIMessage:
        args = {"summary": "The customer asks for a person."}
        call = {"id": "t1", "name": "transfer_to_human_agents", "args": args}
        return AIMessage(content="", tool_calls=[call])

    return ScriptedChatModel(reply=reply)


def test_confirmed_cancel_runs_and_is_noted_for_the_customer(
    base_store: RetailStore, pending: tuple[Record, Record]
) -> None:
    order, user = pending
    store, notes = base_store.fork(), InMemoryStore()
    graph = build_cs_agent(
        model=cancel_model(order, user), adapters=Adapters.from_store(store), store=notes
    )
    graph.invoke(
        {"messages": [HumanMessage(f"I'm {user['email']}, please cancel {order['order_id']}")]},
        _config("a"),
    )
    result = graph.invoke({"messages": [HumanMessage(content="Yes, go ahead.")]}, _config("a"))
    cancelled = store.get("orders", order["order_id"])
    assert cancelled is not None and cancelled["status"] == "cancelled"
    assert result["messages"][-1].content == f"Done: order {order['order_id']} is cancelled."
    items = notes.search(customer_namespace("default", order["user_id"]))
    assert [(item.key, item.value["tool"]) for item in items] == [("a:w1", "cancel_pending_order")]


def test_notes_reach_the_model_in_a_later_conversation(
    base_store: RetailStore, pending: tuple[Record, Record]
) -> None:
    order, user = pending
    notes = InMemoryStore()
    model = cancel_model(order, user)
    graph = build_cs_agent(
        model=model, adapters=Adapters.from_store(base_store.fork()), store=notes
    )
    graph.invoke({"messages": [HumanMessage(f"{user['email']}: cancel it")]}, _config("first"))
    graph.invoke({"messages": [HumanMessage(content="Yes")]}, _config("first"))
    graph.invoke({"messages": [HumanMessage(f"Hello again, {user['email']}")]}, _config("second"))
    system = model.seen[-1][0]
    assert isinstance(system, SystemMessage)
    assert f"cancel_pending_order on {order['order_id']}" in system.text


def test_transfer_pauses_on_a_ticket_and_a_person_resumes(base_store: RetailStore) -> None:
    graph = build_cs_agent(model=transfer_model(), adapters=Adapters.from_store(base_store.fork()))
    paused = graph.invoke({"messages": [HumanMessage(content="转人工")]}, _config("h"))
    [pause] = paused["__interrupt__"]
    assert (pause.value["status"], pause.value["thread_id"], pause.value["reason"]) == (
        "open",
        "h",
        "customer_request",
    )
    done = graph.invoke(Command(resume="Hi, this is Ana from the shop."), _config("h"))
    assert done["messages"][-1].content == "Hi, this is Ana from the shop."
    assert done["escalation"]["status"] == "resolved"


def test_eval_mode_records_the_transfer_and_ends(base_store: RetailStore) -> None:
    graph = build_cs_agent(
        model=transfer_model(),
        adapters=Adapters.from_store(base_store.fork()),
        policy=CsSettings(interrupt_on_escalation=False),
    )
    result = graph.invoke({"messages": [HumanMessage(content="a human please")]}, _config("e"))
    assert "__interrupt__" not in result
    assert [(m.name, m.content) for m in result["messages"] if isinstance(m, ToolMessage)] == [
        ("transfer_to_human_agents", "Transfer successful")
    ]
    assert result["escalation"]["status"] == "open"


def test_paused_escalation_resumes_from_another_graph_over_redis(
    base_store: RetailStore, redis_url: str, namespace: str
) -> None:
    with RedisSaver.from_url(redis_url, namespace=namespace) as saver:
        first = build_cs_agent(
            model=transfer_model(),
            adapters=Adapters.from_store(base_store.fork()),
            checkpointer=saver,
        )
        paused = first.invoke({"messages": [HumanMessage(content="I want a person")]}, _config("r"))
        ticket = paused["__interrupt__"][0].value
    with RedisSaver.from_url(redis_url, namespace=namespace) as other_saver:
        second = build_cs_agent(
            model=transfer_model(),
            adapters=Adapters.from_store(base_store.fork()),
            checkpointer=other_saver,
        )
        assert second.get_state(_config("r")).next == ("escalate",)
        resume = {"reply": "A colleague will call you today.", "status": "in_progress"}
        done = second.invoke(Command(resume=resume), _config("r"))
    assert done["messages"][-1].content == "A colleague will call you today."
    assert done["escalation"] == {**ticket, "status": "in_progress"}


def _looping(reply: Callable[[list[BaseMessage]], AIMessage]) -> ScriptedChatModel:
    return ScriptedChatModel(reply=reply)


def test_step_cap_ends_a_turn_that_never_answers(base_store: RetailStore) -> None:
    counter = iter(range(1000))

    def think(messages: list[BaseMessage]) -> AIMessage:
        call: dict[str, Any] = {
            "id": f"k{next(counter)}",
            "name": "think",
            "args": {"thought": "hm"},
        }
        return AIMessage(content="", tool_calls=[call])  # type: ignore[list-item]

    graph = build_cs_agent(
        model=_looping(think),
        adapters=Adapters.from_store(base_store.fork()),
        policy=CsSettings(max_steps_per_turn=3),
    )
    result = graph.invoke({"messages": [HumanMessage(content="你好")]}, _config("cap"))
    assert result["messages"][-1].content.startswith("抱歉")
    assert sum(isinstance(m, ToolMessage) for m in result["messages"]) == 3


def test_unknown_tool_gets_an_error_message(base_store: RetailStore) -> None:
    def reply(messages: list[BaseMessage]) -> AIMessage:
        if isinstance(messages[-1], ToolMessage):
            return AIMessage(content="Sorry about that.")
        return AIMessage(content="", tool_calls=[{"id": "u1", "name": "refund_now", "args": {}}])

    graph = build_cs_agent(model=_looping(reply), adapters=Adapters.from_store(base_store.fork()))
    result = graph.invoke({"messages": [HumanMessage(content="refund me")]}, _config("u"))
    tool = result["messages"][2]
    assert isinstance(tool, ToolMessage)
    assert (tool.status, tool.content.startswith("Error: unknown tool 'refund_now'")) == (
        "error",
        True,
    )


def test_a_message_while_a_person_is_awaited_joins_the_conversation_and_keeps_the_wait(
    base_store: RetailStore,
) -> None:
    model = transfer_model()
    graph = build_cs_agent(model=model, adapters=Adapters.from_store(base_store.fork()))
    paused = graph.invoke({"messages": [HumanMessage(content="转人工")]}, _config("w"))
    [first] = paused["__interrupt__"]
    asked = len(model.seen)
    hello = HumanMessage(content="Hello? Is anyone there?", id="m-2")
    waiting = graph.invoke({"messages": [hello]}, _config("w"))
    [again] = waiting["__interrupt__"]
    assert again.value == first.value
    assert waiting["messages"][-1] == hello
    assert len(model.seen) == asked
    assert graph.get_state(_config("w")).next == ("escalate",)
    done = graph.invoke(Command(resume="Hi, this is Ana from the shop."), _config("w"))
    assert [m.content for m in done["messages"][-2:]] == [
        "Hello? Is anyone there?",
        "Hi, this is Ana from the shop.",
    ]
    assert done["escalation"] == {**first.value, "status": "resolved"}
    graph.invoke({"messages": [HumanMessage(content="Thanks!")]}, _config("w"))
    assert len(model.seen) == asked + 1


def test_without_pauses_a_message_after_a_transfer_runs_the_model(base_store: RetailStore) -> None:
    model = transfer_model()
    graph = build_cs_agent(
        model=model,
        adapters=Adapters.from_store(base_store.fork()),
        policy=CsSettings(interrupt_on_escalation=False),
    )
    graph.invoke({"messages": [HumanMessage(content="a human please")]}, _config("n"))
    asked = len(model.seen)
    result = graph.invoke({"messages": [HumanMessage(content="Hello?")]}, _config("n"))
    assert "__interrupt__" not in result
    assert len(model.seen) == asked + 1
