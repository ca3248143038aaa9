"""The merchant `Policy`: approvals, the agents' thresholds, the CS agent's settings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["CsPolicy", "CsSettings", "Policy", "ShoppingSettings"]


@dataclass(frozen=True, slots=True)
class CsSettings:
    """How the CS agent runs; the retail rules themselves are fixed (CS_FORMAT section 6).

    A merchant sets them as `Policy(customer_service=CsSettings(...))`, which `build_crew` and
    `build_cs_agent` take; `build_cs_agent(policy=CsSettings(...))` takes them alone too.
    """

    interrupt_on_escalation: bool = True
    """Pause the graph with `interrupt()` on a transfer, until a person resumes it; the eval
    harness turns it off (a transfer ends the conversation there)."""
    require_confirmation: bool = True
    """Writes need the customer's unhedged yes to a proposal of exactly them; only a caller
    that confirms through its own channel turns it off (the other guard rules still hold)."""
    max_steps_per_turn: int = 20
    """Model calls per customer message before the agent gives up on the turn."""
    extra_instructions: str = ""
    """Merchant-specific text appended to the system prompt (it cannot relax the guard)."""


@dataclass(frozen=True, slots=True)
class ShoppingSettings:
    """How the shopping guide runs (`Policy(shopping_guide=ShoppingSettings(...))`)."""

    max_steps_per_turn: int = 8
    """Model calls per shopper message before the guide gives up on the turn."""
    extra_instructions: str = ""
    """Merchant-specific text appended to the guide's system prompt."""


CsPolicy = CsSettings
"""The name `CsSettings` had before; kept because callers import it (`shopcrew.agents.CsPolicy`)."""


class Policy(BaseModel):
    """A merchant's rules for the crew; the defaults are conservative.

    Example: `Policy(budget_move_threshold=0.3, approval_ttl_hours=4)`.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    budget_move_threshold: float = Field(
        default=0.20,
        ge=0,
        description="A budget plan moving any campaign by more than this fraction needs approval.",
    )
    approval_ttl_hours: float = Field(
        default=24.0, gt=0, description="How long an approval request waits before it expires."
    )
    approve_unpause: bool = Field(
        default=True, description="Publishing a paused listing again needs approval."
    )
    approve_price_change: bool = Field(
        default=True, description="Changing a variant's price needs approval."
    )
    stock_out_level: int = Field(
        default=0, ge=0, description="A stock alert at or below this level pauses the campaigns."
    )
    refund_spike_count: int = Field(
        default=3, ge=1, description="This many refund requests for a product make a spike."
    )
    refund_window_hours: float = Field(
        default=24.0, gt=0, description="The window in which refund requests are counted."
    )
    refund_spike_cut: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description="A refund spike caps its product's campaigns at this share of their budget.",
    )
    daily_ad_budget: float | None = Field(
        default=None, ge=0, description="Total daily ad budget; None keeps the current total."
    )
    min_roas: float | None = Field(default=None, ge=0, description="Portfolio ROAS floor.")
    stock_plan_threshold: float = Field(
        default=50_000.0,
        ge=0,
        description="Forward stock of one SKU worth more than this (at unit cost) needs approval.",
    )
    currency: str = Field(default="USD", pattern="^(USD|CNY)$")
    customer_service: CsSettings = Field(
        default_factory=CsSettings, description="How the customer-service agent runs."
    )
    shopping_guide: ShoppingSettings = Field(
        default_factory=ShoppingSettings, description="How the shopping guide runs."
    )

    @property
    def approval_ttl(self) -> timedelta:
        """`approval_ttl_hours` as a timedelta."""
        return timedelta(hours=self.approval_ttl_hours)
