"""The CS graph's state schema and node names, and whether a thread waits for a person."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, NotRequired, TypedDict

from langchain_core.messages import (
    AnyMessage,
)
from langgraph.graph.message import add_messages

__all__ = ["CsNode", "CsState", "EscalationStatusUpdate", "awaits_person"]


CsNode = Literal["agent", "tools", "note_complaints", "escalate"]
"""The graph's node names."""

EscalationStatusUpdate = Literal["in_progress", "resolved"]
"""The ticket statuses a person's resume value can set."""


class CsState(TypedDict):
    """The CS graph's state."""

    messages: Annotated[list[AnyMessage], add_messages]
    """The conversation: customer, assistant and tool messages."""
    escalation: NotRequired[dict[str, Any] | None]
    """The latest escalation ticket (`EscalationTicket` as JSON), if any."""
    complaints: NotRequired[list[str]]
    """Ids of the customer messages whose complaints are on the blackboard."""


def awaits_person(state: Mapping[str, Any]) -> bool:
    """Whether the conversation was handed to a person who has not replied yet (ticket open)."""
    ticket = state.get("escalation")
    return isinstance(ticket, Mapping) and ticket.get("status") == "open"
