"""A merchant's ad campaigns: bounds, the budget in force, status and daily history.

The fields of a market instance's campaign (`MARKET_FORMAT.md`, "Instance format") plus
the live state a store keeps; market instances themselves are `shopcrew.tools.records.markets`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shopcrew.tools._jsonl import load_jsonl

__all__ = ["Campaign", "CampaignStatus", "HistoryDay", "load_campaigns"]

CampaignStatus = Literal["active", "paused"]


class HistoryDay(BaseModel):
    """One day of a campaign's history: what it was allowed to spend and what it earned."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    day: int = Field(ge=1, description="Day number, 1 = oldest; the last day is yesterday.")
    budget: float = Field(ge=0, allow_inf_nan=False, description="Daily budget (= spend).")
    gmv: float = Field(ge=0, allow_inf_nan=False, description="Observed GMV of that day.")


class Campaign(BaseModel):
    """An ad campaign, as in `MARKET_FORMAT.md` ("Instance format"), plus its live state.

    `daily_budget`, `status` and `listing_id` belong to a store's `campaigns.jsonl`; a
    market instance's campaign leaves them out (its budget is in `current_allocation`), so
    every campaign of a market file loads as a `Campaign` too.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, description="Campaign id.")
    channel: str = Field(description="Ad channel, e.g. 'taobao_ztc', 'google_pmax'.")
    name: str
    min_budget: float = Field(ge=0, allow_inf_nan=False, description="Lowest daily budget.")
    max_budget: float | None = Field(
        ge=0, allow_inf_nan=False, description="Highest daily budget, or null for no cap."
    )
    history: list[HistoryDay] = Field(description="Daily history, oldest first.")
    daily_budget: float | None = Field(
        default=None,
        ge=0,
        allow_inf_nan=False,
        exclude_if=lambda value: value is None,
        description="Daily budget in force now; null: the last history day's budget.",
    )
    status: CampaignStatus = Field(default="active", description="'active' or 'paused'.")
    listing_id: str | None = Field(
        default=None,
        exclude_if=lambda value: value is None,
        description="The listing the campaign advertises, if known.",
    )

    @field_validator("history")
    @classmethod
    def _days_increase(cls, history: list[HistoryDay]) -> list[HistoryDay]:
        days = [entry.day for entry in history]
        if days != sorted(set(days)):
            raise ValueError("history days must be strictly increasing")
        return history

    @model_validator(mode="after")
    def _bounds_hold(self) -> Campaign:
        if self.max_budget is not None and self.max_budget < self.min_budget:
            raise ValueError(f"max_budget {self.max_budget} is below min_budget {self.min_budget}")
        return self

    def current_budget(self) -> float:
        """The budget in force: `daily_budget`, else the last history day's, else the minimum."""
        if self.daily_budget is not None:
            return self.daily_budget
        return self.history[-1].budget if self.history else self.min_budget

    def allows(self, budget: float) -> bool:
        """Whether `budget` is a finite number within the campaign's bounds."""
        if not math.isfinite(budget) or budget < self.min_budget:
            return False
        return self.max_budget is None or budget <= self.max_budget


def load_campaigns(path: Path) -> list[Campaign]:
    """Load a store's campaigns file (`campaigns.jsonl`), one campaign per line.

    Raises:
        StoreFileError: The file is missing or malformed; it names the record and field.
    """
    return load_jsonl(path, Campaign)
