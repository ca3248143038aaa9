"""The HTTP payloads of the service, as pydantic models (they make the OpenAPI schema)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias
from uuid import uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue

from shopcrew.agents.approvals.queue import ApprovalRecord
from shopcrew.graphs.events import AuditTick, BudgetReviewTick, CustomerMessage, OrderEvent
from shopcrew.memory import Entry
from shopcrew.tools.records.escalations import EscalationTicket

__all__ = [
    "CONVERSATION_ID_PATTERN",
    "ID_PATTERN",
    "REF_ID_PATTERN",
    "THREAD_ID_PATTERN",
    "ApprovalList",
    "ApproveIn",
    "AuditTickIn",
    "BlackboardList",
    "BudgetReviewTickIn",
    "CustomerMessageIn",
    "DecisionIn",
    "DecisionOut",
    "EditIn",
    "ErrorBody",
    "ErrorDetail",
    "EscalationList",
    "EscalationOut",
    "EscalationResumeIn",
    "EscalationResumeOut",
    "EventIn",
    "Health",
    "InterruptOut",
    "MessageIn",
    "MessageOut",
    "OrderEventIn",
    "RejectIn",
    "RunResult",
    "ThreadState",
]

CONVERSATION_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
"""Conversation ids become thread ids: letters, digits, '.', '-' and '_'."""

THREAD_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,255}$"
"""Thread ids: `<merchant>:<agent>:<conversation or event id>`."""

ID_PATTERN = r"^[A-Za-z0-9._:-]{1,128}$"
"""Ids a client chooses (event, message and decision ids): they name Redis keys."""

REF_ID_PATTERN = r"^[A-Za-z0-9._:-]{1,512}$"
"""Ids the crew makes (approval requests, escalation tickets), from thread ids."""

_Id = Annotated[str, Field(pattern=ID_PATTERN, description="Letters, digits, '.', '_', ':', '-'.")]
_Name = Annotated[str, Field(min_length=1, max_length=128)]
"""A store's own id (customer, order, product, listing): any text up to 128 characters."""


def _new_id() -> str:
    return uuid4().hex


class _WireEvent(BaseModel):
    """The bounds every event has on the wire: its id names Redis keys."""

    id: _Id = Field(default_factory=_new_id, description="Event id; a resend runs nothing.")


class CustomerMessageIn(_WireEvent, CustomerMessage):
    """A customer wrote to the store (CS agent); `kind` is required on the wire."""

    kind: Literal["customer_message"]
    conversation_id: str = Field(
        pattern=CONVERSATION_ID_PATTERN, description="One thread per conversation."
    )
    text: str = Field(min_length=1, max_length=8000)
    customer_id: _Name | None = None


class OrderEventIn(_WireEvent, OrderEvent):
    """An order changed state (store manager); `kind` is required on the wire."""

    kind: Literal["order_event"]
    order_id: _Name
    product_ids: list[_Name] = Field(
        default_factory=list, max_length=1000, description="Products in the order."
    )


class AuditTickIn(_WireEvent, AuditTick):
    """Time for the store manager's listing audit; `kind` is required on the wire."""

    kind: Literal["audit_tick"]
    listing_ids: list[_Name] | None = Field(
        default=None, max_length=10_000, description="Only these; None: all."
    )


class BudgetReviewTickIn(_WireEvent, BudgetReviewTick):
    """Time for the planner's budget review; `kind` is required on the wire."""

    kind: Literal["budget_review_tick"]


EventIn: TypeAlias = Annotated[
    CustomerMessageIn | OrderEventIn | AuditTickIn | BudgetReviewTickIn,
    Field(discriminator="kind"),
]
"""An event to run, told apart by `kind` (decisions go to `POST /v1/approvals/{id}/decision`)."""


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True)


class ErrorDetail(_Out):
    """What was wrong."""

    type: str = Field(description="The error's kind, e.g. 'UnknownApprovalError'.")
    message: str = Field(description="What was wrong and how to fix it.")
    details: list[dict[str, Any]] | None = Field(
        default=None, description="Per-field problems of a request that did not validate."
    )


class ErrorBody(_Out):
    """The body of every 4xx and 5xx response."""

    error: ErrorDetail


class MessageIn(_In):
    """A customer's message to a conversation."""

    text: str = Field(min_length=1, max_length=8000, description="What the customer wrote.")
    id: _Id | None = Field(
        default=None, description="Message id; resending the same id runs nothing again."
    )
    customer_id: _Name | None = Field(default=None, description="The customer, when known.")
    at: AwareDatetime | None = Field(default=None, description="When it was written.")


class MessageOut(_Out):
    """One message of a conversation."""

    id: str | None
    role: Literal["customer", "assistant", "human_agent", "tool", "system"]
    content: str
    name: str | None = None
    tool_calls: list[dict[str, Any]] = Field(
        default_factory=list, description="Tools the assistant called: name and args."
    )


class InterruptOut(_Out):
    """Something the thread waits for: an approval or a person taking over a conversation."""

    id: str = Field(description="The interrupt id.")
    kind: Literal["approval", "escalation", "other"]
    ref: str | None = Field(
        description="The approval request id or escalation ticket id to answer."
    )
    value: dict[str, Any]


class RunResult(_Out):
    """What running an event (or resuming a thread) did."""

    event_id: str | None = Field(description="The event run; null for a resume.")
    thread_id: str
    status: Literal["completed", "waiting"] = Field(
        description="'waiting' while an approval or a person is awaited."
    )
    agent: str | None = Field(description="The agent that handled the event.")
    reply: str | None = Field(description="The latest reply to the customer (CS threads).")
    messages: list[MessageOut] = Field(description="Messages this run added.")
    interrupts: list[InterruptOut]
    report: dict[str, Any] | None = Field(description="What the store manager or planner did.")
    approvals: list[dict[str, Any]] = Field(description="Approval outcomes on this thread.")
    replayed: bool = Field(
        default=False,
        description="The event id had already run (on any server): nothing ran again, and "
        "this is the first run's result.",
    )


class ThreadState(_Out):
    """A thread's current state."""

    thread_id: str
    status: Literal["idle", "waiting"]
    agent: str | None
    next: list[str] = Field(description="Nodes that run when the thread resumes.")
    messages: list[MessageOut]
    interrupts: list[InterruptOut]
    escalation: dict[str, Any] | None
    report: dict[str, Any] | None
    event: dict[str, Any] | None = Field(description="The latest event of the thread.")


class ApprovalList(_Out):
    """Approval requests."""

    approvals: list[ApprovalRecord]


class _DecisionBase(_In):
    by: str = Field(min_length=1, max_length=200, description="Who decides.")
    action_hash: str = Field(
        pattern=r"^[0-9a-f]{64}$",
        description="The request's `action_hash` as listed: binds the decision to that action.",
    )
    interrupt_id: _Id | None = Field(
        default=None,
        description="The interrupt the request waits in; the listed one when omitted.",
    )
    decision_id: _Id | None = Field(
        default=None, description="Resend the same id to retry a decision safely."
    )
    note: str = Field(default="", max_length=2000)


class ApproveIn(_DecisionBase):
    """Approve the action as proposed."""

    verdict: Literal["approve"]


class RejectIn(_DecisionBase):
    """Reject the action."""

    verdict: Literal["reject"]


class EditIn(_DecisionBase):
    """Approve the action with other arguments."""

    verdict: Literal["edit"]
    payload: dict[str, JsonValue] = Field(description="The action's arguments to use instead.")


DecisionIn: TypeAlias = Annotated[ApproveIn | RejectIn | EditIn, Field(discriminator="verdict")]
"""A person's decision on one approval request."""


class DecisionOut(_Out):
    """The decided request and what the resumed thread did."""

    approval: ApprovalRecord
    run: RunResult


class EscalationOut(_Out):
    """A conversation an agent handed to a person."""

    id: str = Field(description="The ticket id.")
    thread_id: str
    conversation_id: str | None
    interrupt_id: str
    waiting: bool = Field(description="The conversation waits for a person's reply now.")
    ticket: EscalationTicket
    customer_messages: list[MessageOut] = Field(
        description="What the customer wrote after the hand-over, before a person replied."
    )


class EscalationList(_Out):
    """Escalations."""

    escalations: list[EscalationOut]


class EscalationResumeIn(_In):
    """A person's reply to an escalated conversation."""

    reply: str = Field(min_length=1, max_length=8000, description="Sent to the customer.")
    by: str = Field(min_length=1, max_length=200, description="Who replies.")
    status: Literal["resolved", "in_progress"] = "resolved"


class EscalationResumeOut(_Out):
    """The escalation after the reply, and what the resumed thread did."""

    escalation: EscalationOut
    run: RunResult


class BlackboardList(_Out):
    """Blackboard entries, oldest first."""

    entries: list[Entry]


class Health(_Out):
    """Liveness, the Redis connection and the store files."""

    status: Literal["ok", "unavailable"]
    redis: Literal["ok", "unavailable", "not configured"]
    store: Literal["ok", "unavailable", "not checked"]
    """Whether the store directories the server started from still hold their files ("not
    checked": the app was given its own adapters)."""
