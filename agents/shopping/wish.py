"""The `recommend` tool's arguments and result: a shopper's wish as structured constraints.

These are the boundary between whoever understands the wish (an LLM, or the rules model's
reader) and the code that chooses: the same models for both.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ChosenItem", "Objective", "RecommendArgs", "RecommendResult", "Status", "WishGroup"]

Objective = Literal["any", "cheapest", "best_within_budget"]
"""What the shopper wants optimised: nothing, the lowest total, the highest total in budget."""
Status = Literal["ok", "infeasible", "not_sold"]
Reason = Literal["budget", "out_of_stock", "no_such_variant", "exclusions", "not_sold"]


class WishGroup(BaseModel):
    """One thing to buy: one product type or several to choose from, how many, which options."""

    model_config = ConfigDict(extra="forbid")

    product_types: list[str] = Field(
        default_factory=list,
        description="Catalog product names, e.g. ['Hiking Boots']; any of them may be chosen.",
    )
    interest: str | None = Field(
        default=None,
        description="For a gift: the recipient's interest (e.g. 'hiking', 'coffee'); adds the "
        "product types that serve it.",
    )
    quantity: int = Field(default=1, ge=1, le=20, description="Units to buy (the least).")
    max_quantity: int | None = Field(
        default=None, ge=1, le=20, description="The most units, for 'two or three'."
    )
    distinct: bool = Field(
        default=False, description="The units must be of pairwise different product types."
    )
    require: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Option name -> accepted values, e.g. {'color': ['black', 'white']}.",
    )
    exclude: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Option name -> refused values, e.g. {'color': ['black']}.",
    )
    exclude_types: list[str] = Field(
        default_factory=list, description="Product types left out (the recipient has them)."
    )


class RecommendArgs(BaseModel):
    """What the shopper wants, as constraints the tool can solve exactly."""

    model_config = ConfigDict(extra="forbid")

    groups: list[WishGroup] = Field(min_length=1, description="What to buy, one entry per item.")
    budget: float | None = Field(
        default=None, gt=0, description="The budget for the whole order, in the store currency."
    )
    budget_approx: bool = Field(
        default=False,
        description="True when the shopper said 'around'/'左右': the total may be 0.8x-1.1x.",
    )
    budget_min: float | None = Field(
        default=None, ge=0, description="A lower bound on the total ('between 200 and 300')."
    )
    objective: Objective = Field(
        default="any",
        description="'cheapest' for the lowest total, 'best_within_budget' for the highest "
        "total within the budget, else 'any'.",
    )
    recipient: Literal["male", "female"] | None = Field(
        default=None, description="For a gift: the recipient's gender, when stated."
    )
    lang: Literal["en", "zh"] = Field(default="en", description="The shopper's language.")


class ChosenItem(BaseModel):
    """One recommended variant."""

    model_config = ConfigDict(extra="forbid")

    item_id: str
    product: str
    options: dict[str, str]
    price: float
    """The unit price."""
    quantity: int


class RecommendResult(BaseModel):
    """What the tool chose, its exact total, and the reply rendered from them."""

    model_config = ConfigDict(extra="forbid")

    status: Status
    items: list[ChosenItem] = Field(default_factory=list)
    total: float = 0.0
    """Σ price × quantity, computed in integer cents."""
    currency: str = "$"
    reason: Reason | None = None
    """Why nothing was recommended (status infeasible or not_sold)."""
    reply: str = ""
    """The reply to the shopper, in their language."""
    request: RecommendArgs | None = None
    """The request as solved (values in the catalog's spelling)."""
