"""Escalation tickets: a conversation handed to a person, with who, why and a summary."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

__all__ = ["EscalationReason", "EscalationStatus", "EscalationTicket"]

EscalationStatus = Literal["open", "in_progress", "resolved"]
"""`open` until a person picks the ticket up, `in_progress` while they work on it."""

EscalationReason = Literal[
    "customer_request", "refund_only", "out_of_scope", "complaint", "policy", "other"
]
"""Why the agent escalated (CS policy rule 12, and agent-specific policy reasons)."""


class EscalationTicket(BaseModel):
    """A conversation an agent handed to a human agent."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, description="Ticket id.")
    merchant_id: str = Field(min_length=1, description="The merchant whose customer this is.")
    customer_id: str | None = Field(
        description="The identified customer's user id, or null for an anonymous customer."
    )
    thread_id: str = Field(min_length=1, description="The conversation (LangGraph thread) id.")
    reason: EscalationReason
    summary: str = Field(min_length=1, description="What the customer wants, for the person.")
    status: EscalationStatus = "open"
    created_at: AwareDatetime = Field(description="When the ticket was opened (timezone-aware).")
    agent: str = Field(default="customer_service", description="The agent that escalated.")

    def with_status(self, status: EscalationStatus) -> EscalationTicket:
        """Return a copy of the ticket with another status."""
        return self.model_copy(update={"status": status})
