"""Embed the crew in an asyncio service: concurrent conversations, streamed, and approvals.

Run it: `python examples/embed_async.py` (in memory), or with `SHOPCREW_REDIS_URL=redis://...`
(or `--redis URL`) for Redis. The async twins of the sync example's calls: `astream`,
`aget_state`, `asend_event`. What it shows, in order:

1. two customers served at once (`asyncio.gather`), each streamed as steps and tokens, every
   line tagged with its conversation;
2. one of them asks for a person: the pending escalation is read with `aget_state` and the
   thread resumed with `Command(resume=...)`;
3. a budget review whose move needs approval, answered with an edited plan (verdict "edit":
   the person's budgets apply instead of the proposed ones) through `asend_event`.
"""

from __future__ import annotations

import asyncio
import json
import math
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
)
from shopcrew.graphs.crew import asend_event
from shopcrew.graphs.events import thread_for

Crew = CompiledStateGraph[Any, Any, Any, Any]


async def astream_turn(crew: Crew, payload: Any, config: RunnableConfig, *, tag: str) -> None:
    """Run one input (an event, or a resume `Command`) and print its steps and tokens live."""
    tokens: list[str] = []
    async for namespace, mode, part in crew.astream(
        payload, config, stream_mode=["updates", "messages"], subgraphs=True
    ):
        if mode == "updates":
            for line in describe_update(namespace, part):
                print(f"[{tag}] {line}")
        elif token := token_of(*part):
            tokens.append(token)
    if tokens:
        print(f"[{tag}] tokens: " + "|".join(tokens))


async def customer_says(
    crew: Crew, text: str, *, conversation: str, merchant: str
) -> RunnableConfig:
    """Stream a customer message on its conversation's thread; returns the thread's config."""
    event = CustomerMessage(conversation_id=conversation, text=text)
    config: RunnableConfig = {
        "configurable": {"thread_id": thread_for(event, merchant_id=merchant)}
    }
    print(f"[{conversation}] customer: {text}")
    await astream_turn(crew, {"event": event.model_dump(mode="json")}, config, tag=conversation)
    print(f"[{conversation}] reply: " + last_reply((await crew.aget_state(config)).values))
    return config


async def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(__doc__ or "", argv)
    adapters = demo_adapters(args.store, merchant_id=args.merchant)
    async with open_memory(args) as memory:
        crew = build_crew(
            model=resolve_model(args.model),
            checkpointer=memory.checkpointer,
            store=memory.store,
            blackboard=memory.blackboard,
            adapters=adapters,
            merchant_id=args.merchant,
        )
        # 1. Two customers at once: each conversation is its own thread, so they never mix.
        first, second = args.conversation, f"{args.conversation}-b"
        await asyncio.gather(
            customer_says(
                crew,
                f"Hi, my email is {EMAIL}. What is the status of order {ORDER}?",
                conversation=first,
                merchant=args.merchant,
            ),
            customer_says(
                crew, "What is your return window?", conversation=second, merchant=args.merchant
            ),
        )

        # 2. The first customer asks for a person; the thread waits until one answers.
        config = await customer_says(
            crew, "Can I speak to a human agent?", conversation=first, merchant=args.merchant
        )
        [waiting] = pending_interrupts(await crew.aget_state(config, subgraphs=True))
        print(f"pending: escalation {waiting.value['id']} reason={waiting.value['reason']}")
        resume = {"reply": "Ana here, I have your order open.", "status": "resolved"}
        await astream_turn(crew, Command(resume=resume), config, tag=first)
        state = (await crew.aget_state(config)).values
        print(f"resumed: escalation {state['escalation']['status']}: {last_reply(state)}")

        # 3. A budget review; the person approves an edited plan (budgets rounded down).
        print("--- budget review")
        out = await asend_event(crew, BudgetReviewTick(), merchant_id=args.merchant)
        queue = ApprovalQueue(memory.store, merchant_id=args.merchant)
        for record in await asyncio.to_thread(queue.pending):
            proposed = record.request.payload["budgets"]
            assert isinstance(proposed, dict)
            print(
                f"pending: approval {record.request.id} {record.request.action} "
                + json.dumps(proposed, sort_keys=True)
            )
            edited: dict[str, Any] = {
                "budgets": {
                    k: float(math.floor(v))
                    for k, v in proposed.items()
                    if isinstance(v, int | float)
                }
            }
            decision = Decision.answering(record, "edit", by="ana", payload=edited)
            out = await asend_event(
                crew, HumanDecision(decision=decision), merchant_id=args.merchant
            )
        for outcome in out.get("approvals", []):
            print(f"decided: {outcome['request_id']} {outcome['status']}")
        now = {c.id: c.current_budget() for c in adapters.ads.list_campaigns()}
        print("budgets: " + json.dumps(now, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
