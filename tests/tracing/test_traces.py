"""Every decision leaves a span: events, agents, model and tool calls, the guard, approvals."""

from __future__ import annotations

import asyncio
from pathlib import Path

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from langchain_openai import ChatOpenAI
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic import SecretStr
from redis import Redis
from support.merchant_store import build_store_dir
from support.openai_loopback import loopback_servers

from shopcrew.agents.policy import Policy
from shopcrew.graphs.crew import build_crew, send_event
from shopcrew.graphs.events import BudgetReviewTick, CustomerMessage
from shopcrew.models import resolve_model
from shopcrew.models.scripted import ScriptedChatModel
from shopcrew.service import ServiceMetrics, build_crews
from shopcrew.service.runs import CrewService
from shopcrew.service.schemas import ApproveIn
from shopcrew.tools.adapters import Adapters
from shopcrew.tracing import tracer
from shopcrew.workers import EventQueue, Worker, WorkerSettings, open_lane
from tests.tracing.conftest import named

EMAIL = "amelia.wilson1598@example.com"
ORDER = "#W9077205"
"""A delivered order of amelia_wilson_4614."""


def _parent(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent else None


def test_a_conversation_is_one_trace_of_agent_model_tool_and_guard_spans(
    spans: InMemorySpanExporter,
) -> None:
    crew = build_crew(model=resolve_model("rules"))
    text = f"Hi, my email is {EMAIL}. What is the status of order {ORDER}?"
    send_event(crew, CustomerMessage(conversation_id="c1", text=text), merchant_id="acme")
    [event] = named(spans, "event ")
    assert event.name == "event customer_message"
    assert event.attributes is not None
    assert event.attributes["shopcrew.thread.id"] == "acme:cs:c1"
    [agent] = named(spans, "invoke_agent ")
    assert (agent.name, _parent(agent)) == ("invoke_agent cs_agent", event.context.span_id)
    tools = named(spans, "execute_tool ")
    assert [t.name for t in tools] == [
        "execute_tool find_user_id_by_email",
        "execute_tool get_user_details",
        "execute_tool get_order_details",
    ]
    assert {_parent(s) for s in [*tools, *named(spans, "chat ")]} == {agent.context.span_id}
    guard = named(spans, "guard ")
    assert [(g.attributes or {}).get("shopcrew.guard.allowed") for g in guard] == [True] * 3
    # Each guard decision is a child of the span of the tool call it let through.
    assert [(g.name.removeprefix("guard "), _parent(g)) for g in guard] == [
        (t.name.removeprefix("execute_tool "), t.context.span_id) for t in tools
    ]
    assert {s.context.trace_id for s in spans.get_finished_spans()} == {event.context.trace_id}


def _reads_an_order_before_identifying(messages: list[BaseMessage]) -> AIMessage:
    if isinstance(messages[-1], HumanMessage):
        call = {"id": "r1", "name": "get_order_details", "args": {"order_id": ORDER}}
        return AIMessage(content="", tool_calls=[call])
    return AIMessage(content="Could you tell me your email first?")


def test_a_refused_call_says_why_in_its_guard_span(spans: InMemorySpanExporter) -> None:
    model = ScriptedChatModel(reply=_reads_an_order_before_identifying)
    crew = build_crew(model=model)
    send_event(crew, CustomerMessage(conversation_id="c2", text=f"Status of {ORDER}?"))
    [guard] = named(spans, "guard ")
    assert (guard.name, dict(guard.attributes or {})) == (
        "guard get_order_details",
        {
            "gen_ai.tool.name": "get_order_details",
            "shopcrew.guard.allowed": False,
            "shopcrew.guard.reason": "not_identified",
        },
    )
    # The refused call never ran; its tool span says so and holds the guard's decision.
    [tool] = named(spans, "execute_tool ")
    assert tool.name == "execute_tool get_order_details"
    assert (tool.attributes or {})["shopcrew.guard.refused"] == "not_identified"
    assert _parent(guard) == tool.context.span_id
    assert _parent(tool) == named(spans, "invoke_agent ")[0].context.span_id


def test_a_model_call_carries_its_model_tokens_and_cost(spans: InMemorySpanExporter) -> None:
    with loopback_servers() as start:
        server = start(lambda request: {"content": "Hello! How can I help?"})
        model = ChatOpenAI(
            model="gpt-4o-mini", base_url=server.base_url, api_key=SecretStr("sk-test")
        )
        crew = build_crew(model=model)
        send_event(crew, CustomerMessage(conversation_id="c3", text="hello"))
    [chat] = named(spans, "chat ")
    attributes = dict(chat.attributes or {})
    assert attributes["gen_ai.operation.name"] == "chat"
    assert attributes["gen_ai.request.model"] == "gpt-4o-mini"
    assert (attributes["gen_ai.usage.input_tokens"], attributes["gen_ai.usage.output_tokens"]) == (
        11,
        7,
    )
    assert float(str(attributes["shopcrew.cost_usd"])) > 0


def test_an_approval_is_traced_from_request_to_decision_and_effect(
    spans: InMemorySpanExporter, tau_dir: Path, tmp_path: Path
) -> None:
    store = build_store_dir(tmp_path / "store", tau_dir, listings=4)
    crews, _ = build_crews(
        model=resolve_model("rules"),
        adapters_for=lambda m: Adapters.from_store_dir(store, merchant_id=m),
        policy_for=lambda m: Policy(budget_move_threshold=0.0),
    )
    service = CrewService(crews, ServiceMetrics())

    async def review_and_approve() -> None:
        run = await service.run("acme", BudgetReviewTick())
        request_id = run.interrupts[0].ref
        assert request_id is not None
        record = await service.approval("acme", request_id)
        decision = ApproveIn(verdict="approve", by="ana", action_hash=record.request.action_hash)
        await service.decide("acme", request_id, decision)
        await crews.aclose()

    asyncio.run(review_and_approve())
    stages = [(s.attributes or {})["shopcrew.approval.stage"] for s in named(spans, "approval ")]
    assert stages == ["requested", "decided", "applied"]
    decided = named(spans, "approval decided")[0]
    assert (decided.attributes or {})["shopcrew.approval.verdict"] == "approve"
    assert (decided.attributes or {})["shopcrew.approval.by"] == "ana"
    events = [s.name for s in named(spans, "event ")]
    assert events == ["event budget_review_tick", "event human_decision"]
    assert [s.name for s in named(spans, "invoke_agent ")] == ["invoke_agent planner"] * 2


def test_a_worker_s_event_span_joins_the_trace_of_whoever_enqueued_it(
    spans: InMemorySpanExporter, redis_url: str, namespace: str
) -> None:
    lane = open_lane(redis_url, model=resolve_model("rules"), merchant_id="m1", namespace=namespace)
    try:
        queue = EventQueue(Redis.from_url(redis_url), merchant_id="m1", namespace=namespace)
        with tracer().start_as_current_span("checkout webhook") as producer:
            queue.enqueue(CustomerMessage(conversation_id="w1", text="hello"))
        settings = WorkerSettings(block_ms=100)
        Worker(Redis.from_url(redis_url), [lane], settings=settings).run(max_events=1)
    finally:
        lane.close()
    [event] = named(spans, "event ")
    assert event.context.trace_id == producer.get_span_context().trace_id
    assert _parent(event) == producer.get_span_context().span_id
    [agent] = named(spans, "invoke_agent ")
    assert _parent(agent) == event.context.span_id
