"""What a shop owner needs beside the figures, gathered for report.json.

The names behind the ids, who still waits for a person and what they asked, and why each budget
moved: read from the run's world (campaigns, listings, customers), its conversations and the
planner's reviews, for the `names`, `escalations` and `budget_reviews` sections of report.json.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.messages import BaseMessage, HumanMessage

from shopcrew.agents.cs.guard import read_conversation
from shopcrew.scenario.transcript import message_text
from shopcrew.scenario.world import World

if TYPE_CHECKING:
    from shopcrew.scenario.analysis import ConversationLog

__all__ = ["customer_of", "escalation_entry", "names", "review_entry"]

_ASKED_CHARS = 160
"""How much of each customer message the report keeps."""


def _customer_name(world: World, user_id: str) -> str | None:
    """The customer's name as the store spells it ('Noah Brown', '张伟'), None when unknown."""
    user = world.retail.get("users", user_id)
    if user is None:
        return None
    name = user.get("name")
    if isinstance(name, Mapping):
        parts = (str(name.get("first_name", "")), str(name.get("last_name", "")))
        return " ".join(p for p in parts if p) or None
    return str(name) if name else None


def customer_of(messages: Sequence[BaseMessage]) -> str | None:
    """The conversation's customer as the agent identified them (None: never identified)."""
    found = read_conversation(messages).customer_id if messages else None
    return None if found is None else str(found)


def names(world: World, customer_ids: Iterable[str]) -> dict[str, dict[str, str]]:
    """Display names by id: campaigns, listings (their titles) and the customers named."""
    customers = {uid: _customer_name(world, uid) for uid in sorted(set(customer_ids))}
    return {
        "campaigns": {c.id: c.name for c in world.adapters.ads.list_campaigns() if c.name},
        "listings": {x.id: x.title for x in world.adapters.listings.list_listings() if x.title},
        "customers": {uid: name for uid, name in customers.items() if name},
    }


def escalation_entry(
    conversation: ConversationLog, messages: Sequence[BaseMessage]
) -> dict[str, Any]:
    """One escalation: reason, since when, whether it still waits, who, and what they asked."""
    asked = [
        message_text(m).strip()[:_ASKED_CHARS] for m in messages if isinstance(m, HumanMessage)
    ]
    asked += [text.strip()[:_ASKED_CHARS] for text in conversation.queued]
    customer_id = customer_of(messages)
    return {
        "conversation_id": conversation.id,
        "reason": conversation.reason or "other",
        "at": conversation.escalated_at,
        "waiting": conversation.waiting_person,
        "customer_id": customer_id,
        "asked": [text for text in asked if text],
        "person_replies": conversation.human_replies,
    }


def review_entry(
    review: Mapping[str, Any], approvals: Sequence[Mapping[str, Any]], gmv_change: float
) -> dict[str, Any]:
    """One budget review: what it did to each campaign and why, and whether it took effect."""
    run_id = str(review.get("run_id"))
    asked = next((a for a in approvals if str(a["id"]) == f"{run_id}:budgets"), None)
    if review.get("applied"):
        status = "applied"
    elif asked is not None:
        status = str(asked["status"])
    else:
        status = "not applied"
    return {
        "run_id": review.get("run_id"),
        "at": review.get("at"),
        "paused": review.get("paused", []),
        "needs_approval": review.get("needs_approval"),
        "applied": review.get("applied"),
        "status": status,
        "expected_gmv_change": gmv_change,
        "moves": [dict(m) for m in review.get("moves", [])],
        "explanation": review.get("explanation", ""),
    }
