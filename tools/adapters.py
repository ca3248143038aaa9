"""`Adapters`: the bundle of one merchant's adapters that agents and graphs are built with."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from shopcrew.data import kb_path, store_dir
from shopcrew.tools.idempotency.base import IdempotencyStore
from shopcrew.tools.protocols.demand import DemandDataAdapter
from shopcrew.tools.protocols.merchant import AdsAdapter, KnowledgeBaseAdapter, ListingAdapter
from shopcrew.tools.protocols.retail import CatalogAdapter, CustomerAdapter, OrderAdapter
from shopcrew.tools.reference.ads import JsonAdsAdapter
from shopcrew.tools.reference.kb import JsonKnowledgeBaseAdapter
from shopcrew.tools.reference.listings import JsonListingAdapter
from shopcrew.tools.reference.retail import build_json_adapters
from shopcrew.tools.reference.store import RetailStore

__all__ = ["REFERENCE_KB", "REFERENCE_STORE_DIR", "Adapters"]

REFERENCE_STORE_DIR = store_dir("us_retail")
"""The τ-bench reference store, bundled with the package (`shopcrew.data`)."""
REFERENCE_KB = kb_path("us_retail")
"""The knowledge base bundled for the reference store."""


@dataclass(frozen=True, slots=True)
class Adapters:
    """One merchant's adapters: retail (catalog, orders, customers), listings, ads and the KB.

    Any backend that implements the Protocols fits; `from_store_dir` and `from_store` build the
    JSON reference backend.
    """

    catalog: CatalogAdapter
    """Products and their variants."""
    orders: OrderAdapter
    """Orders: reads, cancellations, modifications, returns, exchanges."""
    customers: CustomerAdapter
    """Customers: identification, profiles, default addresses."""
    listings: ListingAdapter
    """Product listings (the store manager's)."""
    ads: AdsAdapter
    """Ad campaigns (the planner's)."""
    kb: KnowledgeBaseAdapter
    """The merchant's knowledge base."""
    demand: DemandDataAdapter | None = None
    """Demand data and stock placement (the demand planner's); None: no demand planner."""

    @property
    def merchant_id(self) -> str:
        """The merchant the retail adapters serve."""
        return self.orders.merchant_id

    @classmethod
    def from_store(
        cls,
        store: RetailStore,
        *,
        kb: KnowledgeBaseAdapter | None = None,
        listings: ListingAdapter | None = None,
        ads: AdsAdapter | None = None,
        idempotency: IdempotencyStore | None = None,
        demand: DemandDataAdapter | None = None,
    ) -> Adapters:
        """Adapters over an in-memory `RetailStore` (for example a fresh fork per eval case).

        Args:
            store: The retail store; its writes stay in memory.
            kb: The knowledge base; empty when omitted.
            listings: The listings; none when omitted.
            ads: The campaigns; none when omitted.
            idempotency: Where the retail adapters record keyed writes.
            demand: Demand data for the demand planner; none when omitted.
        """
        merchant = store.merchant_id
        catalog, orders, customers = build_json_adapters(store, idempotency=idempotency)
        return cls(
            catalog=catalog,
            orders=orders,
            customers=customers,
            listings=listings or JsonListingAdapter(merchant_id=merchant),
            ads=ads or JsonAdsAdapter(merchant_id=merchant),
            kb=kb or JsonKnowledgeBaseAdapter(merchant_id=merchant),
            demand=demand,
        )

    @classmethod
    def from_store_dir(
        cls,
        path: str | os.PathLike[str],
        *,
        merchant_id: str = "default",
        kb_path: str | os.PathLike[str] | None = None,
        persist: bool = False,
    ) -> Adapters:
        """Load the JSON reference backend from a store directory.

        The directory holds τ-bench's `orders.json`, `products.json` and `users.json`, and
        optionally `listings.jsonl`, `campaigns.jsonl` and `kb.jsonl`. Retail writes stay in
        memory: the files on disk are never changed.

        Args:
            path: The store directory.
            merchant_id: The merchant the store belongs to.
            kb_path: A knowledge-base file to use instead of the directory's `kb.jsonl`.
            persist: Write listing and campaign changes back to their files.

        Raises:
            StoreFileError: A file is missing or malformed; nothing was loaded.
        """
        root = Path(path)
        store = RetailStore.load(root, merchant_id=merchant_id)
        kb = (
            JsonKnowledgeBaseAdapter.from_file(Path(kb_path), merchant_id=merchant_id)
            if kb_path is not None
            else JsonKnowledgeBaseAdapter.from_dir(root, merchant_id=merchant_id)
        )
        return cls.from_store(
            store,
            kb=kb,
            listings=JsonListingAdapter.from_dir(root, merchant_id=merchant_id, persist=persist),
            ads=JsonAdsAdapter.from_dir(root, merchant_id=merchant_id, persist=persist),
        )

    def with_platform_mcp(
        self, url: str, *, platform: str | os.PathLike[str] = "reference"
    ) -> Adapters:
        """These adapters with catalogue, orders and customers on a platform's MCP server.

        Ads too when the platform's table maps them; listings, the knowledge base and demand
        data stay as they are.

        Args:
            url: The platform's MCP endpoint (streamable HTTP).
            platform: A bundled mapping table's name or a table file (`shopcrew.tools.mcp`).

        Raises:
            PlatformTableError: The table cannot be loaded; nothing was built.
        """
        # on demand: the MCP client (and its HTTP stack) loads only for a platform that needs it
        from shopcrew.tools.mcp._platform import McpPlatform
        from shopcrew.tools.mcp.ads import McpAdsAdapter
        from shopcrew.tools.mcp.retail import McpCatalogAdapter, McpCustomerAdapter, McpOrderAdapter

        shared = McpPlatform.connect(url, platform=platform, merchant_id=self.merchant_id)
        return replace(
            self,
            catalog=McpCatalogAdapter(shared),
            orders=McpOrderAdapter(shared),
            customers=McpCustomerAdapter(shared),
            ads=McpAdsAdapter(shared) if shared.table.serves_ads else self.ads,
        )

    @classmethod
    def reference(cls, *, merchant_id: str = "default") -> Adapters:
        """The reference store (`REFERENCE_STORE_DIR`) with its knowledge base, in memory.

        Raises:
            StoreFileError: The reference data is not beside this checkout; build the
                adapters with `Adapters.from_store_dir(path)` instead.
        """
        kb = REFERENCE_KB if REFERENCE_KB.is_file() else None
        return cls.from_store_dir(REFERENCE_STORE_DIR, merchant_id=merchant_id, kb_path=kb)
