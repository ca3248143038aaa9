"""What both embedding examples share: the demo merchant, its memory, and how steps are printed.

The demo merchant is the τ-bench reference store bundled with shopcrew (customers, orders,
products, and three ad campaigns in its `campaigns.jsonl`, so the planner has budgets to move). Your
service builds `Adapters` from its own platform instead (any object with the adapter
Protocols' methods fits).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from uuid import uuid4

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langgraph.types import Interrupt, StateSnapshot

from shopcrew.memory import Memory, connect
from shopcrew.tools import (
    Adapters,
)
from shopcrew.tools.adapters import REFERENCE_KB, REFERENCE_STORE_DIR

EMAIL = "amelia.wilson1598@example.com"
"""A customer of the reference store, with delivered order #W9077205."""
ORDER = "#W9077205"


def parse_args(description: str, argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The examples' options; Redis comes from `--redis`, `SHOPCREW_REDIS_URL` or `REDIS_URL`."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--redis",
        default=os.environ.get("SHOPCREW_REDIS_URL"),
        help="Redis URL (default: $SHOPCREW_REDIS_URL, else $REDIS_URL, else in memory)",
    )
    parser.add_argument("--namespace", default="shopcrew-examples", help="Redis key prefix")
    parser.add_argument("--merchant", default="acme", help="merchant id")
    parser.add_argument("--model", default="rules", help="rules | openai:NAME")
    parser.add_argument(
        "--store", type=Path, default=REFERENCE_STORE_DIR, help="τ-bench store directory"
    )
    parser.add_argument(
        "--conversation", default=f"c-{uuid4().hex[:8]}", help="conversation id (one thread)"
    )
    return parser.parse_args(argv)


def demo_adapters(store_dir: Path, *, merchant_id: str) -> Adapters:
    """The demo merchant: a store directory, its campaigns, and its own or the bundled KB."""
    own_kb = (store_dir / "kb.jsonl").is_file()
    return Adapters.from_store_dir(
        store_dir, merchant_id=merchant_id, kb_path=None if own_kb else REFERENCE_KB
    )


def open_memory(args: argparse.Namespace) -> Memory:
    """Checkpointer, store and blackboard: on Redis when a URL is known, else in memory."""
    memory = connect(args.redis, merchant_id=args.merchant, namespace=args.namespace)
    where = f"redis namespace={args.namespace}" if memory.url else "in-memory"
    print(f"memory: {where}")
    return memory


def describe_update(namespace: tuple[str, ...], update: Mapping[str, Any]) -> list[str]:
    """One `step:` line per node in an "updates" stream part (subgraph nodes as `agent/node`)."""
    prefix = "/".join(part.split(":")[0] for part in namespace)
    lines = []
    for node, values in update.items():
        name = f"{prefix}/{node}" if prefix else node
        if node == "__interrupt__":
            lines.append(f"step: {name} (waits for a person)")
            continue
        detail = ""
        messages = (values or {}).get("messages", []) if isinstance(values, Mapping) else []
        if messages and isinstance(messages[-1], AIMessage) and messages[-1].tool_calls:
            detail = " calls " + ", ".join(call["name"] for call in messages[-1].tool_calls)
        elif messages and isinstance(messages[-1], ToolMessage):
            detail = " ran " + ", ".join(str(m.name) for m in messages)
        lines.append(f"step: {name}{detail}")
    return lines


def token_of(message: BaseMessage, metadata: Mapping[str, Any]) -> str:
    """The text an assistant token chunk adds (tool calls and tool results add none)."""
    if metadata.get("langgraph_node") != "agent" or isinstance(message, ToolMessage):
        return ""
    return message.text if isinstance(message, AIMessage) else ""


def pending_interrupts(snapshot: StateSnapshot) -> list[Interrupt]:
    """The interrupts a thread waits in, its subgraphs' included (`get_state(subgraphs=True)`)."""
    found = list(snapshot.interrupts)
    for task in snapshot.tasks:
        found += [item for item in task.interrupts if item not in found]
    return found


def last_reply(values: Mapping[str, Any]) -> str:
    """The assistant's (or a human agent's) reply to the customer's latest message, if any."""
    messages = list(values.get("messages", []))
    asked = max((i for i, m in enumerate(messages) if isinstance(m, HumanMessage)), default=-1)
    replies = [m for m in messages[asked + 1 :] if isinstance(m, AIMessage) and m.text]
    return replies[-1].text if replies else "(none yet)"
