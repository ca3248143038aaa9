"""Talk to the crew served by `langgraph dev` with the official `langgraph-sdk` client.

Start the server first (from the repository root; see examples/README.md), then run
`python examples/langgraph_client.py --url http://127.0.0.1:2024`. What it shows:

1. an assistant for one merchant (its `configurable` picks the merchant and its policy);
2. a customer message streamed as steps ("updates") and tokens ("messages-tuple"), subgraphs
   included, on a server thread;
3. an escalation: the thread is "interrupted"; the ticket is read from the thread state and
   the thread resumed with `command={"resume": ...}`;
4. a budget review whose move waits for approval: the request is read from the interrupt (and
   listed from the server's store, where the approval queue lives), then approved by resuming
   with a decision bound to the interrupt id and the action hash.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from typing import Any
from uuid import uuid4

from langgraph_sdk import get_client
from langgraph_sdk.client import LangGraphClient

EMAIL = "amelia.wilson1598@example.com"


async def stream_turn(client: LangGraphClient, thread_id: str, assistant: str, **run: Any) -> None:
    """Run one input or resume on a thread and print its steps and tokens as they arrive."""
    tokens: list[str] = []
    async for part in client.runs.stream(
        thread_id,
        assistant,
        stream_mode=["updates", "messages-tuple"],
        stream_subgraphs=True,
        **run,
    ):
        mode, _, namespace = part.event.partition("|")
        if mode == "updates":
            for node in part.data:
                print(f"step: {namespace.split(':')[0]}/{node}".replace(": /", ": "))
        elif mode == "messages":
            chunk, metadata = part.data
            if chunk["type"] == "AIMessageChunk" and metadata.get("langgraph_node") == "agent":
                tokens.append(chunk["content"])
    if any(tokens):
        print("tokens: " + "|".join(t for t in tokens if t))


async def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:2024", help="the server's URL")
    parser.add_argument("--merchant", default=f"m-{uuid4().hex[:8]}", help="merchant id")
    args = parser.parse_args(argv)
    client = get_client(url=args.url, api_key=None)

    # 1. One assistant per merchant: the crew graph with that merchant's configurable.
    assistant = await client.assistants.create(
        "crew",
        config={"configurable": {"merchant_id": args.merchant, "model": "rules"}},
        name=f"crew for {args.merchant}",
    )
    crew = assistant["assistant_id"]
    print(f"assistant: {crew} merchant={args.merchant}")

    # 2. A conversation is a server thread; each customer message is one run on it.
    thread = (await client.threads.create())["thread_id"]
    status = f"Hi, my email is {EMAIL}. What is the status of order #W9077205?"
    event = {"kind": "customer_message", "conversation_id": thread, "text": status}
    await stream_turn(client, thread, crew, input={"event": event})
    state = await client.threads.get_state(thread)
    print("reply: " + state["values"]["messages"][-1]["content"])

    # 3. The customer asks for a person: the run ends with the thread interrupted.
    event = {**event, "text": "I want to talk to a real person please."}
    await stream_turn(client, thread, crew, input={"event": event})
    print(f"thread: {(await client.threads.get(thread))['status']}")
    [waiting] = (await client.threads.get_state(thread, subgraphs=True))["interrupts"]
    print(f"pending: escalation {waiting['value']['id']} reason={waiting['value']['reason']}")
    resume = {"reply": "Hi, Ana from the shop here.", "status": "resolved"}
    await stream_turn(client, thread, crew, command={"resume": resume})
    state = await client.threads.get_state(thread)
    print(f"resumed: escalation {state['values']['escalation']['status']}")

    # 4. A budget review: the planner's move waits for a person's decision.
    review = (await client.threads.create())["thread_id"]
    await client.runs.wait(review, crew, input={"event": {"kind": "budget_review_tick"}})
    [waiting] = (await client.threads.get_state(review))["interrupts"]
    request = waiting["value"]
    queued = await client.store.search_items(["approvals", args.merchant])
    statuses = {item["key"]: item["value"]["status"] for item in queued["items"]}
    budgets = json.dumps(request["payload"]["budgets"], sort_keys=True)
    print(f"pending: approval {request['id']} ({statuses[request['id']]}) {budgets}")
    decision = {
        "request_id": request["id"],
        "interrupt_id": waiting["id"],
        "action_hash": request["action_hash"],
        "verdict": "approve",
        "by": "ana",
    }
    done = await client.runs.wait(review, crew, command={"resume": decision})
    assert isinstance(done, dict)
    for outcome in done["approvals"]:
        print(f"decided: {outcome['request_id']} {outcome['status']} {outcome['result']}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
