"""The typed entries agents leave on the blackboard, one model per `kind`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal, TypeAlias
from uuid import uuid4

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter

__all__ = [
    "ENTRY_ADAPTER",
    "REFUND_SPIKE",
    "ApprovalNote",
    "CampaignNote",
    "CustomerComplaint",
    "Entry",
    "EntryKind",
    "ExpectedStockOut",
    "StockAlert",
]


def _new_id() -> str:
    return uuid4().hex


def _now() -> datetime:
    return datetime.now(UTC)


class _EntryBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(default_factory=_new_id, min_length=1, description="Unique entry id.")
    at: AwareDatetime = Field(default_factory=_now, description="When it was written (aware).")
    author: str = Field(default="", description="The agent or service that wrote it.")


class CustomerComplaint(_EntryBase):
    """A customer complained about a SKU: the store manager's next audit should look at it."""

    kind: Literal["complaint"] = "complaint"
    item_id: str = Field(description="The SKU (variant) complained about.")
    product_id: str = Field(description="The product the SKU belongs to.")
    order_id: str | None = Field(default=None, description="The order it came with, if known.")
    text: str = Field(description="What the customer said, summarised.")
    severity: Literal["low", "medium", "high"]


class StockAlert(_EntryBase):
    """A product or SKU runs low or out: the planner should not advertise it."""

    kind: Literal["stock_alert"] = "stock_alert"
    product_id: str
    item_id: str | None = Field(default=None, description="The SKU, when only one runs low.")
    level: int = Field(ge=0, description="Units left; 0 means out of stock.")


REFUND_SPIKE = "refund spike"
"""How a `CampaignNote` about a product's refund spike starts (the store manager writes it, the
planner reacts to it)."""


class CampaignNote(_EntryBase):
    """A remark about an ad campaign, from the planner or a human."""

    kind: Literal["campaign_note"] = "campaign_note"
    campaign_id: str
    text: str
    product_id: str | None = None


class ExpectedStockOut(_EntryBase):
    """The demand planner expects a region to run short of a SKU in the coming weeks.

    For the marketing planner: a campaign that pushes this SKU in this region sells what
    ships from the central warehouse, slowly (some buyers give up), or not at all.
    """

    kind: Literal["expected_stock_out"] = "expected_stock_out"
    product_id: str = Field(description="The SKU.")
    region: str = Field(description="The region whose warehouse is expected to run short.")
    start: str = Field(description="First day of the period (ISO date).")
    end: str = Field(description="Last day of the period (ISO date).")
    units_short: float = Field(ge=0, description="Expected demand beyond the placed stock.")
    probability: float = Field(ge=0, le=1, description="Chance the placed stock runs out.")


class ApprovalNote(_EntryBase):
    """A human's decision on an action an agent asked approval for."""

    kind: Literal["approval"] = "approval"
    thread_id: str = Field(description="The graph thread that waited for the decision.")
    action: str = Field(description="What was to be approved, e.g. 'refund #W1234567'.")
    approved: bool
    reviewer: str = Field(description="Who decided.")
    reason: str = ""


Entry: TypeAlias = Annotated[
    CustomerComplaint | StockAlert | CampaignNote | ExpectedStockOut | ApprovalNote,
    Field(discriminator="kind"),
]
"""Any blackboard entry; `kind` tells which."""

EntryKind: TypeAlias = Literal[
    "complaint", "stock_alert", "campaign_note", "expected_stock_out", "approval"
]
"""The `kind` of an entry, also the last label of its store namespace."""

ENTRY_ADAPTER: TypeAdapter[Entry] = TypeAdapter(Entry)
"""Validates an entry from a dict or JSON, choosing the model by `kind`."""
