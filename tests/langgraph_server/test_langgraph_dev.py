"""The crew under `langgraph dev`, driven through the official `langgraph-sdk` client.

Replies are checked against the library run in this process on the same store; approvals
against the server's own store, where the crew's approval queue lives.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest
from langchain_core.messages import AIMessage
from langgraph_sdk import get_sync_client
from langgraph_sdk.client import SyncLangGraphClient
from lg_server import ROOT, LanggraphServer

from shopcrew.graphs.crew import build_crew, send_event
from shopcrew.graphs.cs import build_cs_agent
from shopcrew.graphs.events import CustomerMessage
from shopcrew.models import resolve_model
from shopcrew.tools.adapters import Adapters
from shopcrew.tools.records.approvals import ApprovalRequest

pytestmark = pytest.mark.slow

EMAIL = "amelia.wilson1598@example.com"
ORDER = "#W9077205"
REVIEW = {"event": {"kind": "budget_review_tick"}}
STATUS = f"Hi, my email is {EMAIL}. What is the status of order {ORDER}?"


@pytest.fixture
def client(langgraph_server: LanggraphServer) -> Iterator[SyncLangGraphClient]:
    with get_sync_client(url=langgraph_server.url, api_key=None) as client:
        yield client


def _event(conversation: str, text: str) -> dict[str, Any]:
    return {"kind": "customer_message", "conversation_id": conversation, "text": text}


def _last_text(values: dict[str, Any]) -> str:
    return str(values["messages"][-1]["content"])


def _library_replies(langgraph_server: LanggraphServer, texts: list[str]) -> list[str]:
    crew = build_crew(
        model=resolve_model("rules"),
        adapters=Adapters.reference(),  # the server's: store and KB
    )
    replies = []
    for text in texts:
        out = send_event(crew, CustomerMessage(conversation_id="lib", text=text))
        assert isinstance(out["messages"][-1], AIMessage)
        replies.append(out["messages"][-1].text)
    return replies


def _merchant(client: SyncLangGraphClient, **configurable: Any) -> str:
    """A crew assistant for a fresh merchant (the server's store is shared by the tests)."""
    merchant = f"m-{uuid4().hex[:8]}"
    assistant = client.assistants.create(
        "crew", config={"configurable": {"merchant_id": merchant, **configurable}}, name=merchant
    )
    return str(assistant["assistant_id"])


def test_the_server_serves_the_crew_and_the_cs_agent(client: SyncLangGraphClient) -> None:
    found = client.assistants.search(metadata={"created_by": "system"})
    assert sorted(a["graph_id"] for a in found) == ["crew", "cs_agent"]


def test_a_conversation_runs_on_one_server_thread(
    client: SyncLangGraphClient, langgraph_server: LanggraphServer
) -> None:
    texts = [STATUS, "Thanks! And what is your return window?"]
    thread = client.threads.create()
    replies = []
    for text in texts:
        out = client.runs.wait(thread["thread_id"], "crew", input={"event": _event("c1", text)})
        assert isinstance(out, dict)
        replies.append(_last_text(out))
    assert replies == _library_replies(langgraph_server, texts)
    assert client.threads.get(thread["thread_id"])["status"] == "idle"


def test_a_chinese_question_is_answered_from_the_bundled_knowledge_base(
    client: SyncLangGraphClient, langgraph_server: LanggraphServer
) -> None:
    # jieba segments it: its first use in the server's event loop once failed (BlockingError).
    texts = ["你们的退货政策是什么？"]
    thread = client.threads.create()
    out = client.runs.wait(thread["thread_id"], "crew", input={"event": _event("zh1", texts[0])})
    assert isinstance(out, dict)
    assert [_last_text(out)] == _library_replies(langgraph_server, texts)
    assert "BlockingError" not in langgraph_server.log.read_text(encoding="utf-8")


def test_steps_and_tokens_stream_from_the_cs_subgraph(client: SyncLangGraphClient) -> None:
    thread = client.threads.create()
    steps: list[str] = []
    tokens: list[str] = []
    for part in client.runs.stream(
        thread["thread_id"],
        "crew",
        input={"event": _event("c2", STATUS)},
        stream_mode=["updates", "messages-tuple"],
        stream_subgraphs=True,
    ):
        mode, _, namespace = part.event.partition("|")
        if mode == "updates":
            steps += [f"{namespace.split(':')[0]}/{node}".lstrip("/") for node in part.data]
        elif mode == "messages":
            chunk, metadata = part.data
            if chunk["type"] == "AIMessageChunk" and metadata["langgraph_node"] == "agent":
                tokens.append(chunk["content"])
    state = client.threads.get_state(thread["thread_id"])
    assert steps[0] == "accept_event"
    assert steps[-1] == "cs_agent"
    assert steps.count("cs_agent/tools") == 3
    assert len([t for t in tokens if t]) > 1
    assert "".join(tokens) == _last_text(state["values"])


def test_an_escalation_waits_for_a_person_who_resumes_it(client: SyncLangGraphClient) -> None:
    thread = client.threads.create()
    text = f"I am {EMAIL}. I want to talk to a real person please."
    client.runs.wait(thread["thread_id"], "crew", input={"event": _event("c3", text)})
    assert client.threads.get(thread["thread_id"])["status"] == "interrupted"
    [waiting] = client.threads.get_state(thread["thread_id"], subgraphs=True)["interrupts"]
    assert waiting["value"]["reason"] == "customer_request"
    assert waiting["value"]["status"] == "open"

    reply = {"reply": "Hi, Ana from the shop here.", "status": "in_progress"}
    done = client.runs.wait(thread["thread_id"], "crew", command={"resume": reply})
    assert isinstance(done, dict)
    assert done["escalation"] == {**waiting["value"], "status": "in_progress"}
    assert _last_text(done) == reply["reply"]
    assert client.threads.get(thread["thread_id"])["status"] == "idle"


def _request(client: SyncLangGraphClient, thread_id: str) -> tuple[str, ApprovalRequest]:
    [waiting] = client.threads.get_state(thread_id)["interrupts"]
    return waiting["id"], ApprovalRequest.model_validate(waiting["value"])


def _decision(interrupt_id: str, request: ApprovalRequest, **changes: Any) -> dict[str, Any]:
    decision = {
        "request_id": request.id,
        "interrupt_id": interrupt_id,
        "action_hash": request.action_hash,
        "verdict": "approve",
        "by": "ana",
    }
    return {**decision, **changes}


def _queued(client: SyncLangGraphClient, merchant: str) -> dict[str, str]:
    items = client.store.search_items(["approvals", merchant])["items"]
    return {item["key"]: item["value"]["status"] for item in items}


def test_a_budget_move_waits_for_approval_then_applies(client: SyncLangGraphClient) -> None:
    assistant = _merchant(client)
    merchant = client.assistants.get(assistant)["config"]["configurable"]["merchant_id"]
    thread = client.threads.create()
    out = client.runs.wait(thread["thread_id"], assistant, input=REVIEW)
    assert isinstance(out, dict)
    assert out["agent"] == "planner"
    interrupt_id, request = _request(client, thread["thread_id"])
    assert request.action == "set_campaign_budgets"
    assert _queued(client, merchant) == {request.id: "pending"}

    done = client.runs.wait(
        thread["thread_id"], assistant, command={"resume": _decision(interrupt_id, request)}
    )
    assert isinstance(done, dict)
    [outcome] = done["approvals"]
    assert (outcome["request_id"], outcome["status"]) == (request.id, "approved")
    assert outcome["result"] is not None
    assert request.payload["budgets"] == json.loads(outcome["result"])["budgets"]
    assert _queued(client, merchant) == {request.id: "approved"}
    assert request.id not in _queued(client, "default")


def test_a_decision_for_another_action_is_refused_and_asked_again(
    client: SyncLangGraphClient,
) -> None:
    assistant = _merchant(client, policy={"budget_move_threshold": 0.0})
    merchant = client.assistants.get(assistant)["config"]["configurable"]["merchant_id"]
    thread = client.threads.create()
    client.runs.wait(thread["thread_id"], assistant, input=REVIEW)
    interrupt_id, request = _request(client, thread["thread_id"])

    forged = _decision(interrupt_id, request, action_hash="0" * 64)
    client.runs.wait(thread["thread_id"], assistant, command={"resume": forged})
    assert client.threads.get(thread["thread_id"])["status"] == "interrupted"
    asked_again, same = _request(client, thread["thread_id"])
    assert same == request
    assert _queued(client, merchant) == {request.id: "pending"}

    rejected = _decision(asked_again, request, verdict="reject", note="not this week")
    done = client.runs.wait(thread["thread_id"], assistant, command={"resume": rejected})
    assert isinstance(done, dict)
    assert [(o["request_id"], o["status"]) for o in done["approvals"]] == [(request.id, "rejected")]
    assert _queued(client, merchant) == {request.id: "rejected"}


def test_a_bad_assistant_config_is_refused_with_the_key_named(client: SyncLangGraphClient) -> None:
    assistant = _merchant(client, policy={"budget_move_threshold": -1})
    thread = client.threads.create()
    # The SDK raises the run's error as a bare Exception carrying the server's message.
    with pytest.raises(Exception, match=r"ServerGraphConfigError: configurable\.policy\.budget_"):
        client.runs.wait(thread["thread_id"], assistant, input=REVIEW)
    assert client.threads.get(thread["thread_id"])["status"] == "error"


def test_the_cs_agent_runs_alone(
    client: SyncLangGraphClient, langgraph_server: LanggraphServer
) -> None:
    thread = client.threads.create()
    question = "What is your return window?"
    out = client.runs.wait(
        thread["thread_id"], "cs_agent", input={"messages": [{"role": "user", "content": question}]}
    )
    assert isinstance(out, dict)
    agent = build_cs_agent(
        model=resolve_model("rules"),
        adapters=Adapters.reference(),  # the server's: store and KB
    )
    expected = agent.invoke(
        {"messages": [("user", question)]}, {"configurable": {"thread_id": "lib"}}
    )
    assert _last_text(out) == expected["messages"][-1].text


def test_the_sdk_client_example_runs_against_the_server(
    client: SyncLangGraphClient, langgraph_server: LanggraphServer
) -> None:
    merchant = f"m-{uuid4().hex[:8]}"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "langgraph_client.py"),
            "--url",
            langgraph_server.url,
            "--merchant",
            merchant,
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    lines = done.stdout.splitlines()

    def one(pattern: str) -> re.Match[str]:
        [found] = [m for line in lines if (m := re.match(pattern, line))]
        return found

    [reply] = _library_replies(langgraph_server, [STATUS])
    assert one(r"^reply: (.*)$").group(1) == reply
    # One tokens line a streamed reply: the status, then the handoff that tells the customer.
    streamed = [
        "".join(m.group(1).split("|")) for m in map(re.compile("^tokens: (.*)$").match, lines) if m
    ]
    assert streamed[0] == reply
    assert "colleague" in streamed[1]
    assert one(r"^thread: (\w+)$").group(1) == "interrupted"
    assert one(r"^resumed: escalation (\w+)$").group(1) == "resolved"
    pending = one(r"^pending: approval (\S+) \((\w+)\) (.*)$")
    assert pending.group(2) == "pending"
    decided = one(r"^decided: (\S+) (\w+) (.*)$")
    assert decided.group(1, 2) == (pending.group(1), "approved")
    assert json.loads(decided.group(3)) == {"budgets": json.loads(pending.group(3))}
    assert _queued(client, merchant) == {pending.group(1): "approved"}
