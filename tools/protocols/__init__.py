"""The adapter Protocols agents depend on; a platform plugs in by implementing them."""

from shopcrew.tools.protocols.merchant import (
    AdsAdapter,
    KnowledgeBaseAdapter,
    ListingAdapter,
    ScoredArticle,
)
from shopcrew.tools.protocols.retail import CatalogAdapter, CustomerAdapter, OrderAdapter

__all__ = [
    "AdsAdapter",
    "CatalogAdapter",
    "CustomerAdapter",
    "KnowledgeBaseAdapter",
    "ListingAdapter",
    "OrderAdapter",
    "ScoredArticle",
]
