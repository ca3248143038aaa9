"""The real langchain-openai path, over HTTP to a loopback OpenAI-compatible server."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from shopcrew.models.factory import resolve_model
from shopcrew.models.usage import UsageRecorder
from shopcrew.settings import Settings


@tool
def get_order_details(order_id: str) -> str:
    """Get the status and details of an order."""
    return order_id


def _last_role(body: dict[str, Any]) -> str:
    return str(body["messages"][-1]["role"])


def _order_script(body: dict[str, Any]) -> dict[str, Any]:
    if _last_role(body) == "tool":
        return {"content": f"Your order is {body['messages'][-1]['content']}."}
    call = {"id": "call_1", "name": "get_order_details", "arguments": {"order_id": "#W0000001"}}
    return {"content": "", "tool_calls": [call]}


def _model(base_url: str) -> ChatOpenAI:
    settings = Settings(openai_base_url=base_url, openai_api_key="sk-test")
    model = resolve_model("openai:gpt-4o-mini", settings=settings)
    assert isinstance(model, ChatOpenAI)
    return model


def test_invoke_returns_the_scripted_reply(openai_server: Callable[..., Any]) -> None:
    server = openai_server(lambda body: {"content": "Hello from loopback."})
    reply = _model(server.base_url).invoke([HumanMessage("hi")])
    assert reply.content == "Hello from loopback."
    assert server.requests[0]["model"] == "gpt-4o-mini"
    assert server.requests[0]["messages"] == [{"role": "user", "content": "hi"}]


def test_tool_calls_round_trip(openai_server: Callable[..., Any]) -> None:
    server = openai_server(_order_script)
    model = _model(server.base_url).bind_tools([get_order_details])
    first = model.invoke([HumanMessage("status of #W0000001?")])
    assert isinstance(first, AIMessage)
    assert first.tool_calls == [
        {
            "name": "get_order_details",
            "args": {"order_id": "#W0000001"},
            "id": "call_1",
            "type": "tool_call",
        }
    ]
    result = ToolMessage(content="delivered", tool_call_id="call_1")
    second = model.invoke([HumanMessage("status of #W0000001?"), first, result])
    assert second.content == "Your order is delivered."
    assert server.requests[0]["tools"][0]["function"]["name"] == "get_order_details"
    assert server.requests[1]["messages"][-1] == {
        "role": "tool",
        "content": "delivered",
        "tool_call_id": "call_1",
    }


def test_streaming_text_arrives_in_chunks(openai_server: Callable[..., Any]) -> None:
    server = openai_server(lambda body: {"content": "one two three"})
    chunks = list(_model(server.base_url).stream([HumanMessage("count")]))
    text = [chunk.content for chunk in chunks if chunk.content]
    assert text == ["one ", "two ", "three"]
    assert server.requests[0]["stream"] is True


def test_streaming_tool_call_chunks_add_up(openai_server: Callable[..., Any]) -> None:
    server = openai_server(_order_script)
    model = _model(server.base_url).bind_tools([get_order_details])
    chunks = list(model.stream([HumanMessage("where is my order")]))
    assert len(chunks) > 2
    total = chunks[0]
    for chunk in chunks[1:]:
        total = total + chunk
    assert total.tool_calls == [
        {
            "name": "get_order_details",
            "args": {"order_id": "#W0000001"},
            "id": "call_1",
            "type": "tool_call",
        }
    ]


async def test_async_invoke(openai_server: Callable[..., Any]) -> None:
    server = openai_server(lambda body: {"content": "async ok"})
    reply = await _model(server.base_url).ainvoke([HumanMessage("hi")])
    assert reply.content == "async ok"


def test_usage_recorder_counts_tokens_and_prices_known_models(
    openai_server: Callable[..., Any],
) -> None:
    server = openai_server(lambda body: {"content": "priced"})
    recorder = UsageRecorder()
    _model(server.base_url).invoke([HumanMessage("hi")], config={"callbacks": [recorder]})
    [run] = recorder.runs
    assert (run.model, run.input_tokens, run.output_tokens) == ("gpt-4o-mini", 11, 7)
    assert run.cost_usd is not None and run.cost_usd > Decimal(0)
    assert run.latency_s >= 0
    totals = recorder.totals()
    assert (totals.runs, totals.input_tokens, totals.unpriced_runs) == (1, 11, 0)


def test_usage_recorder_leaves_unknown_models_unpriced(
    openai_server: Callable[..., Any],
) -> None:
    server = openai_server(lambda body: {"content": "local"})
    model = ChatOpenAI(
        model="my-local-finetune", base_url=server.base_url, api_key=SecretStr("not-needed")
    )
    recorder = UsageRecorder()
    model.invoke([HumanMessage("hi")], config={"callbacks": [recorder]})
    assert recorder.totals().cost_usd is None
    assert recorder.totals().unpriced_runs == 1


def test_remote_endpoints_are_refused_in_tests() -> None:
    model = ChatOpenAI(
        model="gpt-4o", base_url="https://api.example.com/v1", api_key=SecretStr("x")
    )
    with pytest.raises(pytest.fail.Exception, match="real model endpoint"):
        model.invoke([HumanMessage("hi")])


def test_the_cs_agent_asks_for_tools_explicitly(openai_server: Callable[..., Any]) -> None:
    # Some OpenAI-compatible servers ignore bound tools unless tool_choice is sent.
    from shopcrew.graphs.cs import build_cs_agent

    server = openai_server(lambda body: {"content": "Hello! How can I help?"})
    agent = build_cs_agent(model=_model(server.base_url))
    config = {"configurable": {"thread_id": "tool-choice"}}
    agent.invoke({"messages": [HumanMessage("hi")]}, config)
    with_tools = [r for r in server.requests if r.get("tools")]
    assert with_tools and all(r["tool_choice"] == "auto" for r in with_tools)
