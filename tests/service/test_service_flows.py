"""A conversation, an approval and an escalation end to end over HTTP, in memory and on Redis."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from tests.service.conftest import Service

EMAIL = "amelia.wilson1598@example.com"
ORDER = "#W9077205"
"""A delivered order of amelia_wilson_4614 in the reference store."""


def _sse(text: str) -> list[tuple[str, Any]]:
    """Parse a server-sent event stream into (event, data) pairs."""
    events: list[tuple[str, Any]] = []
    for block in text.replace("\r\n", "\n").strip().split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events


async def test_a_customer_gets_their_order_status_and_the_conversation_is_kept(
    service: Service,
) -> None:
    key = service.key("acme")
    async with service.client(key) as client:
        text = f"Hi, my email is {EMAIL}. What is the status of order {ORDER}?"
        first = await client.post("/v1/conversations/c1/messages", json={"text": text})
        assert first.status_code == 200, first.text
        body = first.json()
        assert body["thread_id"] == "acme:cs:c1"
        assert body["status"] == "completed"
        assert body["agent"] == "cs_agent"
        assert body["reply"].startswith(f"Order {ORDER} is delivered.")
        assert body["messages"][0] == {
            "id": body["messages"][0]["id"],
            "role": "customer",
            "content": text,
            "name": None,
            "tool_calls": [],
        }
        called = [c["name"] for m in body["messages"] for c in m["tool_calls"]]
        assert called == ["find_user_id_by_email", "get_user_details", "get_order_details"]
        second = await client.post("/v1/conversations/c1/messages", json={"text": "Thanks!"})
        assert second.status_code == 200
        state = (await client.get("/v1/conversations/c1")).json()
        assert state["status"] == "idle"
        assert len(state["messages"]) == len(body["messages"]) + len(second.json()["messages"])
        assert state["messages"][-1]["content"] == second.json()["reply"]


async def test_resending_a_message_id_runs_nothing_again(service: Service) -> None:
    async with service.client(service.key("acme")) as client:
        message = {"id": "m-1", "text": f"I am {EMAIL}, status of {ORDER}?"}
        first = (await client.post("/v1/conversations/c9/messages", json=message)).json()
        later = {"id": "m-2", "text": "Thanks!"}
        assert (await client.post("/v1/conversations/c9/messages", json=later)).status_code == 200
        again = (await client.post("/v1/conversations/c9/messages", json=message)).json()
        assert again == {**first, "replayed": True}
        state = (await client.get("/v1/conversations/c9")).json()
        assert [m["role"] for m in state["messages"]].count("customer") == 2


async def test_a_message_id_reused_for_another_message_is_a_conflict(service: Service) -> None:
    async with service.client(service.key("acme")) as client:
        message = {"id": "m-1", "text": f"I am {EMAIL}, status of {ORDER}?"}
        assert (await client.post("/v1/conversations/c9/messages", json=message)).status_code == 200
        other = await client.post("/v1/conversations/c8/messages", json=message)
        assert other.status_code == 409
        assert other.json()["error"]["type"] == "IdempotencyConflictError"
        assert (await client.get("/v1/conversations/c8")).status_code == 404


async def test_a_budget_review_waits_for_approval_and_the_decision_applies_it(
    service: Service,
) -> None:
    async with service.client(service.key("acme")) as client:
        run = await client.post("/v1/events", json={"kind": "budget_review_tick"})
        assert run.status_code == 200, run.text
        waiting = run.json()
        assert waiting["status"] == "waiting"
        [interrupt] = waiting["interrupts"]
        assert interrupt["kind"] == "approval"
        listed = (await client.get("/v1/approvals")).json()["approvals"]
        assert [a["request"]["id"] for a in listed] == [interrupt["ref"]]
        record = listed[0]
        assert record["thread_id"] == waiting["thread_id"]
        decision = {
            "verdict": "approve",
            "by": "ana",
            "action_hash": record["request"]["action_hash"],
        }
        done = await client.post(f"/v1/approvals/{interrupt['ref']}/decision", json=decision)
        assert done.status_code == 200, done.text
        out = done.json()
        assert out["approval"]["request"]["status"] == "approved"
        assert out["approval"]["request"]["decided_by"] == "ana"
        assert out["run"]["status"] == "completed"
        assert [a["status"] for a in out["run"]["approvals"]] == ["approved"]
        assert (await client.get("/v1/approvals")).json() == {"approvals": []}
        again = await client.post(f"/v1/approvals/{interrupt['ref']}/decision", json=decision)
        assert again.status_code == 409
        assert again.json()["error"]["type"] == "StaleApprovalError"
        thread = (await client.get(f"/v1/threads/{waiting['thread_id']}")).json()
        assert thread["status"] == "idle"
        board = (await client.get("/v1/blackboard", params={"kind": "approval"})).json()
        [entry] = board["entries"]
        assert (entry["approved"], entry["reviewer"]) == (True, "ana")


async def test_a_decision_resent_with_its_id_returns_its_first_result(service: Service) -> None:
    async with service.client(service.key("acme")) as client:
        waiting = (await client.post("/v1/events", json={"kind": "budget_review_tick"})).json()
        ref = waiting["interrupts"][0]["ref"]
        [record] = (await client.get("/v1/approvals")).json()["approvals"]
        decision = {
            "verdict": "approve",
            "by": "ana",
            "action_hash": record["request"]["action_hash"],
            "decision_id": "d-1",
        }
        done = await client.post(f"/v1/approvals/{ref}/decision", json=decision)
        assert done.status_code == 200, done.text
        again = await client.post(f"/v1/approvals/{ref}/decision", json=decision)
        assert (again.status_code, again.json()) == (200, done.json())
        other = await client.post(
            f"/v1/approvals/{ref}/decision", json={**decision, "verdict": "reject"}
        )
        assert other.status_code == 409
        assert other.json()["error"]["type"] == "IdempotencyConflictError"
        fresh = await client.post(
            f"/v1/approvals/{ref}/decision", json={**decision, "decision_id": "d-2"}
        )
        assert fresh.status_code == 409
        assert fresh.json()["error"]["type"] == "StaleApprovalError"
        board = (await client.get("/v1/blackboard", params={"kind": "approval"})).json()
        assert len(board["entries"]) == 1


async def test_a_decision_for_another_action_is_refused_and_changes_nothing(
    service: Service,
) -> None:
    async with service.client(service.key("acme")) as client:
        waiting = (await client.post("/v1/events", json={"kind": "budget_review_tick"})).json()
        ref = waiting["interrupts"][0]["ref"]
        forged = {"verdict": "approve", "by": "mallory", "action_hash": "0" * 64}
        refused = await client.post(f"/v1/approvals/{ref}/decision", json=forged)
        assert refused.status_code == 409
        assert refused.json()["error"]["type"] == "ApprovalMismatchError"
        assert [
            a["request"]["id"] for a in (await client.get("/v1/approvals")).json()["approvals"]
        ] == [ref]
        unknown = await client.post("/v1/approvals/nope/decision", json=forged)
        assert unknown.status_code == 404
        assert unknown.json()["error"]["type"] == "UnknownApprovalError"


async def test_an_escalated_conversation_is_listed_and_resumed_by_a_person(
    service: Service,
) -> None:
    async with service.client(service.key("acme")) as client:
        text = f"I am {EMAIL}. I want to talk to a real person please."
        run = (await client.post("/v1/conversations/c4/messages", json={"text": text})).json()
        assert run["status"] == "waiting"
        [interrupt] = run["interrupts"]
        assert interrupt["kind"] == "escalation"
        [listed] = (await client.get("/v1/escalations")).json()["escalations"]
        assert (listed["id"], listed["conversation_id"], listed["waiting"]) == (
            interrupt["ref"],
            "c4",
            True,
        )
        reply = {"reply": "Hi, Ana from the shop here.", "by": "ana", "status": "in_progress"}
        done = await client.post(f"/v1/escalations/{listed['id']}/resume", json=reply)
        assert done.status_code == 200, done.text
        out = done.json()
        assert out["run"]["reply"] == "Hi, Ana from the shop here."
        assert out["run"]["messages"][-1]["role"] == "human_agent"
        assert out["escalation"]["waiting"] is False
        assert out["escalation"]["ticket"]["status"] == "in_progress"
        assert (await client.get("/v1/escalations")).json() == {"escalations": []}
        answered = (await client.get("/v1/escalations", params={"waiting": "false"})).json()
        assert [e["id"] for e in answered["escalations"]] == [listed["id"]]
        stale = await client.post(f"/v1/escalations/{listed['id']}/resume", json=reply)
        assert stale.status_code == 409
        assert stale.json()["error"]["type"] == "StaleEscalationError"


async def test_a_reply_streams_as_server_sent_events(service: Service) -> None:
    async with service.client(service.key("acme")) as client:
        text = f"Hi, my email is {EMAIL}. What is the status of order {ORDER}?"
        response = await client.post("/v1/conversations/s1/messages/stream", json={"text": text})
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = _sse(response.text)
        names = [name for name, _ in events]
        assert names[0] == "metadata" and names[-1] == "end"
        assert events[0][1] == {"thread_id": "acme:cs:s1", "event_id": events[-1][1]["event_id"]}
        assert "updates" in names and "messages" in names
        nodes = {node for name, data in events if name == "updates" for node in data["update"]}
        assert {"accept_event", "agent", "tools"} <= nodes
        tokens: dict[str, str] = {}
        for name, data in events:
            if name == "messages" and data["message"]["role"] == "assistant":
                message = data["message"]
                tokens[message["id"]] = tokens.get(message["id"], "") + message["content"]
        end = events[-1][1]
        assert end["reply"].startswith(f"Order {ORDER} is delivered.")
        assert end["reply"] in tokens.values()
        assert max(len([d for n, d in events if n == "messages"]), 0) > len(tokens)
        state = (await client.get("/v1/conversations/s1")).json()
        assert state["messages"][-1]["content"] == end["reply"]


async def test_an_event_streams_its_approval_interrupt(service: Service) -> None:
    async with service.client(service.key("acme")) as client:
        response = await client.post("/v1/events/stream", json={"kind": "budget_review_tick"})
        events = _sse(response.text)
        interrupts = [
            d["update"]["__interrupt__"]
            for n, d in events
            if n == "updates" and "__interrupt__" in d["update"]
        ]
        assert interrupts and interrupts[0][0]["value"]["requested_by"] == "planner"
        end = events[-1]
        assert end[0] == "end" and end[1]["status"] == "waiting"
        listed = (await client.get("/v1/approvals")).json()["approvals"]
        assert [a["request"]["id"] for a in listed] == [end[1]["interrupts"][0]["ref"]]


async def test_metrics_count_events_approvals_escalations_and_errors(
    make_service: Callable[..., Service],
) -> None:
    service = make_service("memory")
    async with service.client(service.key("acme")) as client:
        waiting = (await client.post("/v1/events", json={"kind": "budget_review_tick"})).json()
        text = "I want to talk to a real person please."
        await client.post("/v1/conversations/m1/messages", json={"text": text})
        await client.post("/v1/events", json={"kind": "coffee_break"})
        record = (await client.get("/v1/approvals")).json()["approvals"][0]
        decision = {
            "verdict": "reject",
            "by": "ana",
            "action_hash": record["request"]["action_hash"],
        }
        await client.post(
            f"/v1/approvals/{waiting['interrupts'][0]['ref']}/decision", json=decision
        )
        text_metrics = (await client.get("/metrics")).text
    samples = _samples(text_metrics)
    assert samples['shopcrew_events_total{kind="budget_review_tick"}'] == 1.0
    assert samples['shopcrew_events_total{kind="customer_message"}'] == 1.0
    assert samples['shopcrew_events_total{kind="human_decision"}'] == 1.0
    assert samples['shopcrew_event_duration_seconds_count{kind="budget_review_tick"}'] == 1.0
    assert samples['shopcrew_approvals_total{outcome="requested"}'] == 1.0
    assert samples['shopcrew_approvals_total{outcome="reject"}'] == 1.0
    assert samples['shopcrew_escalations_total{action="opened"}'] == 1.0
    assert samples['shopcrew_errors_total{status="422",type="RequestValidationError"}'] == 1.0
    assert "acme" not in text_metrics


def _samples(text: str) -> dict[str, float]:
    found: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            found[name] = float(value)
    return found


async def test_healthz_answers_without_a_key(service: Service) -> None:
    async with service.client() as client:
        response = await client.get("/healthz")
    expected = "ok" if service.backend == "redis" else "not configured"
    health = {"status": "ok", "redis": expected, "store": "not checked"}  # its own adapters
    assert (response.status_code, response.json()) == (200, health)


async def test_messages_sent_at_once_to_one_conversation_run_one_after_the_other(
    service: Service,
) -> None:
    async with service.client(service.key("acme")) as client:
        sent = await asyncio.gather(
            *(
                client.post("/v1/conversations/p1/messages", json={"id": f"m{i}", "text": "hi"})
                for i in range(3)
            )
        )
        assert [r.status_code for r in sent] == [200, 200, 200]
        state = (await client.get("/v1/conversations/p1")).json()
    roles = [m["role"] for m in state["messages"]]
    assert roles == ["customer", "assistant"] * 3
    customers = [m["id"] for m in state["messages"] if m["role"] == "customer"]
    assert sorted(customers) == ["m0", "m1", "m2"]
    assert all(len(r.json()["messages"]) == 2 for r in sent)


async def test_messages_while_escalated_are_kept_and_the_escalation_still_waits(
    service: Service,
) -> None:
    async with service.client(service.key("acme")) as client:
        text = "I want to talk to a real person please."
        run = (await client.post("/v1/conversations/e1/messages", json={"text": text})).json()
        ticket = run["interrupts"][0]["ref"]
        handed_over = run["reply"]
        later = []
        for i, words in enumerate(["Hello?", "Is anyone there?"]):
            message = {"id": f"later-{i}", "text": words}
            sent = await client.post("/v1/conversations/e1/messages", json=message)
            later.append(sent.json())
        assert [r["status"] for r in later] == ["waiting", "waiting"]
        assert [[m["content"] for m in r["messages"]] for r in later] == [
            ["Hello?"],
            ["Is anyone there?"],
        ]
        assert [r["interrupts"][0]["ref"] for r in later] == [ticket, ticket]
        assert handed_over is not None and "colleague" in handed_over
        assert later[-1]["reply"] is None  # nothing new is said while the ticket waits
        state = (await client.get("/v1/conversations/e1")).json()
        assert state["status"] == "waiting"
        assert [m["content"] for m in state["messages"][-2:]] == ["Hello?", "Is anyone there?"]
        [listed] = (await client.get("/v1/escalations")).json()["escalations"]
        assert (listed["id"], listed["waiting"]) == (ticket, True)
        assert listed["interrupt_id"] == later[-1]["interrupts"][0]["id"]
        wrote = [(m["id"], m["role"], m["content"]) for m in listed["customer_messages"]]
        assert wrote == [
            ("later-0", "customer", "Hello?"),
            ("later-1", "customer", "Is anyone there?"),
        ]
        reply = {"reply": "Sorry for the wait, Ana here.", "by": "ana"}
        done = await client.post(f"/v1/escalations/{ticket}/resume", json=reply)
        assert done.status_code == 200, done.text
        out = done.json()
        assert out["run"]["reply"] == "Sorry for the wait, Ana here."
        assert out["escalation"]["waiting"] is False
        assert out["escalation"]["ticket"]["status"] == "resolved"
        assert out["escalation"]["customer_messages"] == listed["customer_messages"]
        stale = await client.post(f"/v1/escalations/{ticket}/resume", json=reply)
        assert stale.status_code == 409
        assert stale.json()["error"]["type"] == "StaleEscalationError"
        after = await client.post("/v1/conversations/e1/messages", json={"text": "Thanks!"})
        assert after.json()["status"] == "completed"
        assert after.json()["reply"] != "Sorry for the wait, Ana here."
