"""The store a scenario starts from: a store directory plus the scenario's inline overrides."""

from __future__ import annotations

import logging
import math
import random
from dataclasses import dataclass
from pathlib import Path

from shopcrew.data import DEFAULT_STORE, kb_path, store_dir
from shopcrew.errors import ScenarioError
from shopcrew.scenario.spec import CampaignSpec, StoreSpec
from shopcrew.tools.adapters import REFERENCE_KB, Adapters
from shopcrew.tools.records.campaigns import Campaign, HistoryDay
from shopcrew.tools.records.listings import Listing, load_listings
from shopcrew.tools.reference.ads import JsonAdsAdapter
from shopcrew.tools.reference.demand import JsonDemandDataAdapter
from shopcrew.tools.reference.kb import JsonKnowledgeBaseAdapter
from shopcrew.tools.reference.listings import JsonListingAdapter
from shopcrew.tools.reference.store import Change, RetailStore, copy_record

__all__ = ["ScenarioListings", "World", "build_world", "generate_history", "set_order_status"]

logger = logging.getLogger(__name__)


class ScenarioListings(JsonListingAdapter):
    """The scenario's listings, plus the warehouse's stock updates.

    A stock update replaces the variants' stock directly: `ListingPatch.apply` drops nested
    nulls (a variant's `list_price: null`), so a patch of whole variants would be refused.
    """

    def set_stock(
        self, listing_id: str, stock: int, *, sku: str | None, idempotency_key: str
    ) -> Listing:
        """Set the stock of one SKU (or every SKU) of a listing."""

        def change(listing: Listing) -> Listing:
            variants = [
                v.model_copy(update={"stock": stock}) if sku in (None, v.sku) else v
                for v in listing.variants
            ]
            return listing.model_copy(update={"variants": variants})

        return self._table.write(
            listing_id,
            operation="set_stock",
            arguments={"sku": sku, "stock": stock},
            change=change,
            idempotency_key=idempotency_key,
        )


@dataclass(frozen=True, slots=True)
class World:
    """The scenario's store: the retail data, its adapters, and the original for diffs."""

    adapters: Adapters
    listings: ScenarioListings
    """The same listings as `adapters.listings`, with the warehouse's stock updates."""
    retail: RetailStore
    """The fork the crew writes to."""
    original: RetailStore
    """The store after the overrides, before the run (for the diff)."""
    demand: JsonDemandDataAdapter | None = None
    """The demand planner's market and the stock it places (None: no demand planner)."""


def generate_history(spec: CampaignSpec, rng: random.Random) -> list[HistoryDay]:
    """A campaign history drawn from its response curve around today's budget."""
    curve = spec.curve
    assert curve is not None
    days: list[HistoryDay] = []
    for day in range(1, curve.days + 1):
        budget = spec.daily_budget * (1 + curve.jitter * rng.uniform(-1, 1))
        budget = max(spec.min_budget, budget)
        if spec.max_budget is not None:
            budget = min(spec.max_budget, budget)
        expected = curve.a * (1 - math.exp(-budget / curve.k))
        noise = math.exp(curve.noise * rng.gauss(0, 1) - curve.noise**2 / 2)
        days.append(HistoryDay(day=day, budget=round(budget, 2), gmv=round(expected * noise, 2)))
    return days


def _campaign(spec: CampaignSpec, rng: random.Random) -> Campaign:
    history = spec.history if spec.history is not None else generate_history(spec, rng)
    return Campaign(
        id=spec.id,
        channel=spec.channel,
        name=spec.name or spec.id,
        min_budget=spec.min_budget,
        max_budget=spec.max_budget,
        history=history,
        daily_budget=spec.daily_budget,
        status=spec.status,
        listing_id=spec.listing_id,
    )


def _listings(spec: StoreSpec, base: Path, source: str) -> list[Listing]:
    found: list[Listing] = []
    if spec.listings_file is not None:
        found += load_listings(base / spec.listings_file)
    found += spec.listings
    by_id = {listing.id: listing.model_copy(update={"expect_defects": None}) for listing in found}
    for listing_id, patch in spec.listing_patches.items():
        if listing_id not in by_id:
            raise ScenarioError(
                source, None, f"no listing {listing_id!r} to patch", field="store.listing_patches"
            )
        by_id[listing_id] = patch.apply(by_id[listing_id])
    return list(by_id.values())


def _knowledge_base(spec: StoreSpec, root: Path) -> JsonKnowledgeBaseAdapter | None:
    """The store's own `kb.jsonl`, else the bundled store's KB, else the reference one."""
    bundled = kb_path(spec.name or DEFAULT_STORE) if spec.dir is None else REFERENCE_KB
    for candidate in (root / "kb.jsonl", bundled):
        if candidate.is_file():
            return JsonKnowledgeBaseAdapter.from_file(candidate, merchant_id=spec.merchant_id)
    return None


def build_world(spec: StoreSpec, *, base: Path, source: str, seed: int) -> World:
    """Load the store, fork it, apply the overrides; listings and campaigns in memory.

    Args:
        spec: The scenario's store section.
        base: The directory relative paths are read from (the scenario file's).
        source: The scenario file, for errors.
        seed: Seeds the generated campaign histories.

    Raises:
        ScenarioError: An override names a record that does not exist.
        StoreFileError: The store directory cannot be loaded.
    """
    root = base / spec.dir if spec.dir is not None else store_dir(spec.name or DEFAULT_STORE)
    loaded = RetailStore.load(root, merchant_id=spec.merchant_id)
    retail = loaded.fork()
    for order_id, override in spec.orders.items():
        if retail.get("orders", order_id) is None:
            raise ScenarioError(source, None, f"no order {order_id!r}", field="store.orders")
        if override.status is not None:
            set_order_status(retail, order_id, override.status)
    rng = random.Random(f"campaigns:{seed}")
    listings = [*JsonListingAdapter.from_dir(root, persist=False).list_listings()]
    listings += _listings(spec, base, source)
    campaigns = [_campaign(c, rng) for c in spec.campaigns]
    kb = _knowledge_base(spec, root)
    listing_adapter = ScenarioListings(listings, merchant_id=spec.merchant_id)
    adapters = Adapters.from_store(
        retail,
        kb=kb,
        listings=listing_adapter,
        ads=JsonAdsAdapter(campaigns, merchant_id=spec.merchant_id),
    )
    logger.info(
        "scenario store: %s, %d listings, %d campaigns", root, len(listings), len(campaigns)
    )
    demand = (
        JsonDemandDataAdapter.from_file(
            base / spec.demand_file, market_id=spec.demand_market, merchant_id=spec.merchant_id
        )
        if spec.demand_file is not None
        else None
    )
    return World(
        adapters=adapters,
        listings=listing_adapter,
        retail=retail,
        original=retail.fork(),
        demand=demand,
    )


def set_order_status(retail: RetailStore, order_id: str, status: str) -> None:
    """Set an order's status in the store (an order event from the platform)."""

    def change(store: RetailStore) -> tuple[Change, None]:
        record = store.get("orders", order_id)
        if record is None:
            raise KeyError(order_id)
        updated = copy_record(record)
        updated["status"] = status
        return Change(orders={order_id: updated}), None

    retail.write(change)
