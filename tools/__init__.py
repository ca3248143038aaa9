"""Tool adapters: domain models, adapter Protocols, the JSON reference store, τ-bench tools."""

from shopcrew.tools.adapters import Adapters
from shopcrew.tools.approvals import ApprovalRequest, ApprovalStatus, action_hash
from shopcrew.tools.campaigns import Campaign, CampaignStatus, HistoryDay, load_campaigns
from shopcrew.tools.escalations import (
    EscalationIndex,
    EscalationReason,
    EscalationRecord,
    EscalationStatus,
    EscalationTicket,
)
from shopcrew.tools.idempotency import IdempotencyStore, InMemoryIdempotencyStore, fingerprint
from shopcrew.tools.json_adapters import (
    JsonCatalogAdapter,
    JsonCustomerAdapter,
    JsonOrderAdapter,
    build_json_adapters,
)
from shopcrew.tools.json_ads import CAMPAIGNS_FILE, JsonAdsAdapter
from shopcrew.tools.json_kb import KB_FILE, JsonKnowledgeBaseAdapter
from shopcrew.tools.json_listings import LISTINGS_FILE, JsonListingAdapter
from shopcrew.tools.json_store import RetailStore
from shopcrew.tools.kb import KbArticle, KbLang, load_kb
from shopcrew.tools.langchain_tools import build_ads_tools, build_kb_tools, build_listing_tools
from shopcrew.tools.listings import (
    Listing,
    ListingCategory,
    ListingLang,
    ListingPatch,
    ListingStatus,
    ListingVariant,
    load_listings,
)
from shopcrew.tools.merchant_protocols import (
    AdsAdapter,
    KnowledgeBaseAdapter,
    ListingAdapter,
    ScoredArticle,
)
from shopcrew.tools.protocols import CatalogAdapter, CustomerAdapter, OrderAdapter
from shopcrew.tools.redis_idempotency import RedisIdempotencyStore
from shopcrew.tools.retail_models import (
    Address,
    CancelReason,
    CreditCard,
    Customer,
    CustomerName,
    Fulfillment,
    GiftCard,
    Order,
    OrderItem,
    OrderStatus,
    PaymentMethod,
    PaymentTransaction,
    PayPal,
    Product,
    TransactionType,
    Variant,
)
from shopcrew.tools.retail_tools import (
    RETAIL_READ_TOOLS,
    RETAIL_TOOL_NAMES,
    RETAIL_WRITE_TOOLS,
    build_retail_tools,
)
from shopcrew.tools.tau import TAU_RETAIL_TOOL_NAMES, TauRetailTools, tau_retail_tool_schemas

__all__ = [
    "CAMPAIGNS_FILE",
    "KB_FILE",
    "LISTINGS_FILE",
    "RETAIL_READ_TOOLS",
    "RETAIL_TOOL_NAMES",
    "RETAIL_WRITE_TOOLS",
    "TAU_RETAIL_TOOL_NAMES",
    "Adapters",
    "Address",
    "AdsAdapter",
    "ApprovalRequest",
    "ApprovalStatus",
    "Campaign",
    "CampaignStatus",
    "CancelReason",
    "CatalogAdapter",
    "CreditCard",
    "Customer",
    "CustomerAdapter",
    "CustomerName",
    "EscalationIndex",
    "EscalationReason",
    "EscalationRecord",
    "EscalationStatus",
    "EscalationTicket",
    "Fulfillment",
    "GiftCard",
    "HistoryDay",
    "IdempotencyStore",
    "InMemoryIdempotencyStore",
    "JsonAdsAdapter",
    "JsonCatalogAdapter",
    "JsonCustomerAdapter",
    "JsonKnowledgeBaseAdapter",
    "JsonListingAdapter",
    "JsonOrderAdapter",
    "KbArticle",
    "KbLang",
    "KnowledgeBaseAdapter",
    "Listing",
    "ListingAdapter",
    "ListingCategory",
    "ListingLang",
    "ListingPatch",
    "ListingStatus",
    "ListingVariant",
    "Order",
    "OrderAdapter",
    "OrderItem",
    "OrderStatus",
    "PayPal",
    "PaymentMethod",
    "PaymentTransaction",
    "Product",
    "RedisIdempotencyStore",
    "RetailStore",
    "ScoredArticle",
    "TauRetailTools",
    "TransactionType",
    "Variant",
    "action_hash",
    "build_ads_tools",
    "build_json_adapters",
    "build_kb_tools",
    "build_listing_tools",
    "build_retail_tools",
    "fingerprint",
    "load_campaigns",
    "load_kb",
    "load_listings",
    "tau_retail_tool_schemas",
]
