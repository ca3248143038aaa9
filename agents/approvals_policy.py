"""The merchant `Policy`: which actions need a person's approval, and the agents' thresholds."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Policy"]


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

    @property
    def approval_ttl(self) -> timedelta:
        """`approval_ttl_hours` as a timedelta."""
        return timedelta(hours=self.approval_ttl_hours)
