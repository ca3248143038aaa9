"""A minimal CS loop for the policy tests: the rules model, the τ-bench tools, the shared KB."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig

from shopcrew.agents.policy import CsSettings, Policy
from shopcrew.graphs.cs import build_cs_agent, turn_reply
from shopcrew.models.rules import RulesChatModel
from shopcrew.tools.adapters import Adapters
from shopcrew.tools.reference.kb import JsonKnowledgeBaseAdapter
from shopcrew.tools.reference.store import RetailStore
from shopcrew.tools.tau.names import RETAIL_WRITE_TOOLS

ROOT = Path(__file__).resolve().parents[3]
SHARED = ROOT.parent / "shared"
DB = SHARED / "tau-retail" / "db"
KB = SHARED / "eval" / "cs_kb.jsonl"
WRITES = RETAIL_WRITE_TOOLS


@dataclass
class Played:
    """What happened in one played conversation."""

    replies: list[str] = field(default_factory=list)
    """The agent's text answers, one per customer turn."""
    calls: list[tuple[int, str, dict[str, Any], str]] = field(default_factory=list)
    """(turn, tool, arguments, result) of every tool call."""
    messages: list[BaseMessage] = field(default_factory=list)

    def writes(self) -> list[tuple[int, str, dict[str, Any]]]:
        """Successful write calls as (turn, tool, arguments)."""
        return [
            (turn, name, args)
            for turn, name, args, result in self.calls
            if name in WRITES and not result.startswith("Error:")
        ]

    def names(self) -> list[str]:
        """Tool names called, in order."""
        return [name for _, name, _, _ in self.calls]

    def said(self) -> str:
        """All replies, joined."""
        return "\n".join(self.replies)


@cache
def _base_store() -> RetailStore:
    return RetailStore.load(DB)


@cache
def _raw() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    return tuple(  # type: ignore[return-value]
        json.loads((DB / f"{name}.json").read_text()) for name in ("users", "orders", "products")
    )


def users() -> dict[str, Any]:
    """The reference store's users."""
    return _raw()[0]


def orders() -> dict[str, Any]:
    """The reference store's orders."""
    return _raw()[1]


def products() -> dict[str, Any]:
    """The reference store's products."""
    return _raw()[2]


def find_orders(
    test: Callable[[Mapping[str, Any], Mapping[str, Any]], bool],
) -> Iterator[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """(user, order) pairs of the reference store that pass a test, in file order."""
    for user in users().values():
        for order_id in user["orders"]:
            order = orders()[order_id]
            if test(user, order):
                yield user, order


def play(
    turns: Sequence[str],
    *,
    max_steps: int = 25,
    store: RetailStore | None = None,
    kb: Path = KB,
    currency: str = "USD",
) -> Played:
    """Play the customer's turns against the CS agent (rules model) on a fresh store copy.

    The reference store unless `store` is given (it is forked, not changed).
    """
    settings = CsSettings(interrupt_on_escalation=False, max_steps_per_turn=max_steps)
    agent = build_cs_agent(
        model=RulesChatModel(),
        adapters=Adapters.from_store(
            (store or _base_store()).fork(), kb=JsonKnowledgeBaseAdapter.from_file(kb)
        ),
        policy=Policy(currency=currency, customer_service=settings),
    )
    config: RunnableConfig = {"configurable": {"thread_id": "policy-loop"}}
    played = Played()
    for turn, text in enumerate(turns):
        before = len(played.messages)
        state = agent.invoke({"messages": [HumanMessage(text)]}, config)
        played.messages = list(state["messages"])
        new = played.messages[before:]
        results = {m.tool_call_id: str(m.content) for m in new if isinstance(m, ToolMessage)}
        for message in new:
            if isinstance(message, AIMessage):
                for call in message.tool_calls:
                    result = results.get(call["id"] or "", "")
                    played.calls.append((turn, call["name"], dict(call["args"]), result))
        played.replies.append(turn_reply(played.messages))
        if "transfer_to_human_agents" in played.names():
            break
    return played
