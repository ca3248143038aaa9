"""Embed the crew in a synchronous Python service: events in, streamed replies out, approvals.

Run it: `python examples/embed_sync.py` (in memory), or with `SHOPCREW_REDIS_URL=redis://...`
(or `--redis URL`) to keep threads, approvals and the blackboard in Redis, where another
process can resume them. What it shows, in order:

1. a customer message streamed as steps ("updates") and tokens ("messages"), subgraphs included;
2. a customer who asks for a person: the thread waits in an interrupt (the escalation ticket),
   read back with `get_state`, and resumed with `Command(resume=...)`;
3. a budget review whose move needs approval: listed from the `ApprovalQueue`, and approved with
   `send_event(crew, HumanDecision(...))`, which checks the decision before resuming.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from demo_shop import (
    EMAIL,
    ORDER,
    demo_adapters,
    describe_update,
    last_reply,
    open_memory,
    parse_args,
    pending_interrupts,
    token_of,
)
from langchain_core.runnables import RunnableConfig
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command

from shopcrew import (
    ApprovalQueue,
    BudgetReviewTick,
    CustomerMessage,
    Decision,
    HumanDecision,
    build_crew,
    resolve_model,
    send_event,
)
from shopcrew.graphs.events import parse_event, thread_for


def stream_turn(
    crew: CompiledStateGraph[Any, Any, Any, Any], payload: Any, config: RunnableConfig
) -> None:
    """Run one input (an event, or a resume `Command`) and print its steps and tokens live."""
    tokens: list[str] = []
    for namespace, mode, part in crew.stream(
        payload, config, stream_mode=["updates", "messages"], subgraphs=True
    ):
        if mode == "updates":
            for line in describe_update(namespace, part):
                print(line)
        elif token := token_of(*part):
            tokens.append(token)
    if tokens:
        print("tokens: " + "|".join(tokens))


def customer_says(
    crew: CompiledStateGraph[Any, Any, Any, Any], text: str, *, conversation: str, merchant: str
) -> RunnableConfig:
    """Stream a customer message on its conversation's thread; returns the thread's config."""
    event = CustomerMessage(conversation_id=conversation, text=text)
    parse_event(event)  # a bad event raises InvalidEventError here, before anything runs
    config: RunnableConfig = {
        "configurable": {"thread_id": thread_for(event, merchant_id=merchant)}
    }
    print(f"--- customer: {text}")
    stream_turn(crew, {"event": event.model_dump(mode="json")}, config)
    print("reply: " + last_reply(crew.get_state(config).values))
    return config


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(__doc__ or "", argv)
    adapters = demo_adapters(args.store, merchant_id=args.merchant)
    with open_memory(args) as memory:
        crew = build_crew(
            model=resolve_model(args.model),
            checkpointer=memory.checkpointer,
            store=memory.store,
            blackboard=memory.blackboard,
            adapters=adapters,
            merchant_id=args.merchant,
        )
        # 1. A conversation: each message is one run on the conversation's thread.
        text = f"Hi, my email is {EMAIL}. What is the status of order {ORDER}?"
        config = customer_says(crew, text, conversation=args.conversation, merchant=args.merchant)

        # 2. An escalation: the CS agent hands over and the thread waits for a person.
        customer_says(
            crew,
            "I want to talk to a real person please.",
            conversation=args.conversation,
            merchant=args.merchant,
        )
        [waiting] = pending_interrupts(crew.get_state(config, subgraphs=True))
        ticket = waiting.value
        print(f"pending: escalation {ticket['id']} reason={ticket['reason']}")
        resume = {"reply": "Hi, Ana from the shop here. How can I help?", "status": "in_progress"}
        stream_turn(crew, Command(resume=resume), config)
        state = crew.get_state(config).values
        print(f"resumed: escalation {state['escalation']['status']}: {last_reply(state)}")

        # 3. An approval: the planner's budget move waits until a person decides.
        print("--- budget review")
        out = send_event(crew, BudgetReviewTick(), merchant_id=args.merchant)
        queue = ApprovalQueue(memory.store, merchant_id=args.merchant)
        for record in queue.pending():
            budgets = json.dumps(record.request.payload["budgets"], sort_keys=True)
            print(f"pending: approval {record.request.id} {record.request.action} {budgets}")
            decision = Decision.answering(record, "approve", by="ana", note="fine for this week")
            out = send_event(crew, HumanDecision(decision=decision), merchant_id=args.merchant)
        for outcome in out.get("approvals", []):
            print(f"decided: {outcome['request_id']} {outcome['status']}")
        now = {c.id: c.current_budget() for c in adapters.ads.list_campaigns()}
        print("budgets: " + json.dumps(now, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
