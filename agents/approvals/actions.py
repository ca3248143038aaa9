"""The risky actions an approval can release, and how each is applied exactly once."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Literal, assert_never

from pydantic import BaseModel, ConfigDict, Field, JsonValue

from shopcrew.errors import ToolInputError
from shopcrew.tools.protocols.merchant import AdsAdapter, ListingAdapter
from shopcrew.tools.records.listings import ListingPatch, ListingStatus

__all__ = [
    "ACTIONS",
    "ActionKind",
    "SetCampaignBudgets",
    "SetListingStatus",
    "SetVariantPrice",
    "apply_action",
]

ActionKind = Literal["set_campaign_budgets", "set_listing_status", "set_variant_price"]
"""What an approval request may ask for."""


class SetCampaignBudgets(BaseModel):
    """Set several campaigns' daily budgets (the planner's proposal)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    budgets: dict[str, float] = Field(description="Campaign id -> new daily budget.")


class SetListingStatus(BaseModel):
    """Publish, pause or draft a listing (unpausing is risky)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    listing_id: str
    status: ListingStatus


class SetVariantPrice(BaseModel):
    """Change one variant's price."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    listing_id: str
    sku: str
    price: float = Field(gt=0, allow_inf_nan=False)


ACTIONS: dict[ActionKind, type[BaseModel]] = {
    "set_campaign_budgets": SetCampaignBudgets,
    "set_listing_status": SetListingStatus,
    "set_variant_price": SetVariantPrice,
}
"""The argument model of each action kind."""


def apply_action(
    action: str,
    payload: Mapping[str, JsonValue],
    *,
    listings: ListingAdapter,
    ads: AdsAdapter,
    idempotency_key: str,
) -> str:
    """Apply an approved action through the adapters, once per `idempotency_key`.

    Every write carries a key derived from `idempotency_key` (the approval id), so a retried
    resume returns the first result instead of applying again.

    Returns:
        A JSON summary of what changed.

    Raises:
        ToolInputError: An unknown action kind or arguments that do not fit it.
    """
    if action not in ACTIONS:
        raise ToolInputError(
            f"Unknown approval action {action!r}; known: {', '.join(sorted(ACTIONS))}."
        )
    kind: ActionKind = action
    args = ACTIONS[kind].model_validate(dict(payload))
    if kind == "set_campaign_budgets":
        assert isinstance(args, SetCampaignBudgets)
        applied = {
            cid: ads.set_campaign_budget(
                cid, budget, idempotency_key=f"{idempotency_key}:{cid}"
            ).current_budget()
            for cid, budget in sorted(args.budgets.items())
        }
        return json.dumps({"budgets": applied}, sort_keys=True)
    if kind == "set_listing_status":
        assert isinstance(args, SetListingStatus)
        listing = listings.set_listing_status(
            args.listing_id, args.status, idempotency_key=idempotency_key
        )
        return json.dumps({"listing_id": listing.id, "status": listing.status})
    if kind == "set_variant_price":
        assert isinstance(args, SetVariantPrice)
        current = listings.get_listing(args.listing_id)
        if args.sku not in {variant.sku for variant in current.variants}:
            raise ToolInputError(f"Listing {args.listing_id!r} has no variant {args.sku!r}.")
        variants = [
            v.model_copy(update={"price": args.price}) if v.sku == args.sku else v
            for v in current.variants
        ]
        listing = listings.update_listing(
            args.listing_id, ListingPatch(variants=variants), idempotency_key=idempotency_key
        )
        return json.dumps({"listing_id": listing.id, "sku": args.sku, "price": args.price})
    assert_never(kind)
