"""A minimal CS loop for the policy tests: the rules model, the τ-bench tools, the shared KB."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage, ToolMessage

from shopcrew.models.rules import RulesChatModel
from shopcrew.tools.json_kb import JsonKnowledgeBaseAdapter
from shopcrew.tools.json_store import RetailStore
from shopcrew.tools.langchain_tools import build_kb_tools
from shopcrew.tools.tau import TAU_RETAIL_TOOL_NAMES, TauRetailTools

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
DB = SHARED / "tau-retail" / "db"
KB = SHARED / "eval" / "cs_kb.jsonl"
WRITES = frozenset(
    {
        "cancel_pending_order",
        "modify_pending_order_address",
        "modify_pending_order_payment",
        "modify_pending_order_items",
        "return_delivered_order_items",
        "exchange_delivered_order_items",
        "modify_user_address",
    }
)


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


def play(turns: Sequence[str], *, max_steps: int = 25) -> Played:
    """Play the customer's turns against the rules model on a fresh copy of the store."""
    tools = TauRetailTools(_base_store().fork())
    kb_tool = build_kb_tools(JsonKnowledgeBaseAdapter.from_file(KB))[0]
    model = RulesChatModel(tool_names=frozenset(TAU_RETAIL_TOOL_NAMES) | {kb_tool.name})
    played = Played()
    for turn, text in enumerate(turns):
        played.messages.append(HumanMessage(text))
        for _ in range(max_steps):
            answer = model.invoke(played.messages)
            played.messages.append(answer)
            if not answer.tool_calls:
                played.replies.append(str(answer.content))
                break
            for call in answer.tool_calls:
                if call["name"] == kb_tool.name:
                    result = str(kb_tool.invoke(call["args"]))
                else:
                    result = tools.invoke(call["name"], call["args"])
                played.calls.append((turn, call["name"], dict(call["args"]), result))
                played.messages.append(ToolMessage(result, tool_call_id=call["id"]))
        if "transfer_to_human_agents" in played.names():
            break
    return played
