"""The events the crew reacts to, validated on entry, and the deterministic router."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, TypeAlias, assert_never
from uuid import uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from shopcrew.agents.approvals.queue import Decision
from shopcrew.errors import InvalidEventError

__all__ = [
    "EVENT_ADAPTER",
    "AgentName",
    "AuditTick",
    "BudgetReviewTick",
    "CrewEvent",
    "CustomerMessage",
    "HumanDecision",
    "OrderEvent",
    "PlanningTick",
    "parse_event",
    "route_event",
    "thread_for",
]

AgentName = Literal["cs_agent", "store_manager", "planner", "demand_planner"]
"""The crew's agents, also their subgraph node names."""


def _new_id() -> str:
    return uuid4().hex


def _now() -> datetime:
    return datetime.now(UTC)


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(default_factory=_new_id, min_length=1, description="Unique event id.")
    at: AwareDatetime = Field(default_factory=_now, description="When it happened.")


class CustomerMessage(_Event):
    """A customer wrote to the store (CS agent)."""

    kind: Literal["customer_message"] = "customer_message"
    conversation_id: str = Field(min_length=1, description="One thread per conversation.")
    text: str = Field(min_length=1)
    customer_id: str | None = None


class OrderEvent(_Event):
    """An order changed state (store manager: refund requests feed the planner's reactions)."""

    kind: Literal["order_event"] = "order_event"
    order_id: str = Field(min_length=1)
    status: Literal["paid", "shipped", "delivered", "refund_requested"]
    product_ids: list[str] = Field(default_factory=list, description="Products in the order.")


class AuditTick(_Event):
    """Time for the store manager's listing audit."""

    kind: Literal["audit_tick"] = "audit_tick"
    listing_ids: list[str] | None = Field(default=None, description="Only these; None: all.")


class BudgetReviewTick(_Event):
    """Time for the marketing planner's budget review."""

    kind: Literal["budget_review_tick"] = "budget_review_tick"


class PlanningTick(_Event):
    """Time for the demand planner to forecast and pre-position stock."""

    kind: Literal["planning_tick"] = "planning_tick"


class HumanDecision(_Event):
    """A person's decision on a waiting approval request: resumes its thread."""

    kind: Literal["human_decision"] = "human_decision"
    decision: Decision


CrewEvent: TypeAlias = Annotated[
    CustomerMessage | OrderEvent | AuditTick | BudgetReviewTick | PlanningTick | HumanDecision,
    Field(discriminator="kind"),
]
"""Any crew event; `kind` tells which."""

EVENT_ADAPTER: TypeAdapter[CrewEvent] = TypeAdapter(CrewEvent)


def parse_event(raw: BaseModel | Mapping[str, Any]) -> CrewEvent:
    """Validate an event (a model or its JSON dict).

    Raises:
        InvalidEventError: Not a valid event; the message names the field.
    """
    if not isinstance(raw, BaseModel | Mapping):
        raise InvalidEventError(
            f"expected an event model or its JSON object, got {type(raw).__name__}"
        )
    data = raw.model_dump(mode="json") if isinstance(raw, BaseModel) else dict(raw)
    try:
        return EVENT_ADAPTER.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "event"
        raise InvalidEventError(f"{where}: {first['msg']}") from exc


def route_event(event: CrewEvent) -> AgentName:
    """The agent that handles an event (decisions resume a thread instead: see `send_event`)."""
    match event:
        case CustomerMessage():
            return "cs_agent"
        case OrderEvent() | AuditTick():
            return "store_manager"
        case BudgetReviewTick():
            return "planner"
        case PlanningTick():
            return "demand_planner"
        case HumanDecision():
            raise InvalidEventError(
                "a HumanDecision resumes the thread its request waits in; send it with "
                "`send_event` (or `decide`), not as a new run"
            )
        case _:
            assert_never(event)


def thread_for(event: CrewEvent, *, merchant_id: str) -> str:
    """The thread an event runs in: one per conversation, one per agent run otherwise."""
    match event:
        case CustomerMessage():
            return f"{merchant_id}:cs:{event.conversation_id}"
        case OrderEvent() | AuditTick():
            return f"{merchant_id}:store_manager:{event.id}"
        case BudgetReviewTick():
            return f"{merchant_id}:planner:{event.id}"
        case PlanningTick():
            return f"{merchant_id}:demand_planner:{event.id}"
        case HumanDecision():
            return f"{merchant_id}:decision:{event.id}"
        case _:
            assert_never(event)
