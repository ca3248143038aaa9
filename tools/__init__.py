"""Tool adapters: domain models, adapter Protocols, the JSON reference store, τ-bench tools."""

from shopcrew.tools.adapters import Adapters
from shopcrew.tools.idempotency.base import IdempotencyStore, InMemoryIdempotencyStore, fingerprint
from shopcrew.tools.idempotency.redis import RedisIdempotencyStore
from shopcrew.tools.langchain.identify import CUSTOMER_IDENTIFY_TOOLS, build_identify_tools
from shopcrew.tools.langchain.merchant import build_ads_tools, build_kb_tools, build_listing_tools
from shopcrew.tools.langchain.retail import build_retail_tools
from shopcrew.tools.protocols.merchant import (
    AdsAdapter,
    KnowledgeBaseAdapter,
    ListingAdapter,
    ScoredArticle,
)
from shopcrew.tools.protocols.retail import CatalogAdapter, CustomerAdapter, OrderAdapter
from shopcrew.tools.records.approvals import ApprovalRequest, ApprovalStatus, action_hash
from shopcrew.tools.records.campaigns import Campaign, CampaignStatus, HistoryDay, load_campaigns
from shopcrew.tools.records.escalations import (
    EscalationIndex,
    EscalationReason,
    EscalationRecord,
    EscalationStatus,
    EscalationTicket,
)
from shopcrew.tools.records.kb import KbArticle, KbLang, load_kb
from shopcrew.tools.records.listings import (
    Listing,
    ListingCategory,
    ListingLang,
    ListingPatch,
    ListingStatus,
    ListingVariant,
    load_listings,
)
from shopcrew.tools.records.retail import (
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
from shopcrew.tools.reference.ads import CAMPAIGNS_FILE, JsonAdsAdapter
from shopcrew.tools.reference.kb import KB_FILE, JsonKnowledgeBaseAdapter
from shopcrew.tools.reference.listings import LISTINGS_FILE, JsonListingAdapter
from shopcrew.tools.reference.retail import (
    JsonCatalogAdapter,
    JsonCustomerAdapter,
    JsonOrderAdapter,
    build_json_adapters,
)
from shopcrew.tools.reference.store import RetailStore
from shopcrew.tools.tau.names import RETAIL_READ_TOOLS, RETAIL_TOOL_NAMES, RETAIL_WRITE_TOOLS
from shopcrew.tools.tau.tools import TauRetailTools, tau_retail_tool_schemas

__all__ = [
    "CAMPAIGNS_FILE",
    "CUSTOMER_IDENTIFY_TOOLS",
    "KB_FILE",
    "LISTINGS_FILE",
    "RETAIL_READ_TOOLS",
    "RETAIL_TOOL_NAMES",
    "RETAIL_WRITE_TOOLS",
    "action_hash",
    "Adapters",
    "Address",
    "AdsAdapter",
    "ApprovalRequest",
    "ApprovalStatus",
    "build_ads_tools",
    "build_json_adapters",
    "build_identify_tools",
    "build_kb_tools",
    "build_listing_tools",
    "build_retail_tools",
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
    "fingerprint",
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
    "load_campaigns",
    "load_kb",
    "load_listings",
    "Order",
    "OrderAdapter",
    "OrderItem",
    "OrderStatus",
    "PaymentMethod",
    "PaymentTransaction",
    "PayPal",
    "Product",
    "RedisIdempotencyStore",
    "RetailStore",
    "ScoredArticle",
    "tau_retail_tool_schemas",
    "TauRetailTools",
    "TransactionType",
    "Variant",
]
