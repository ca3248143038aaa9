"""The JSON reference backend: a merchant's store files in memory, behind the adapter Protocols."""

from shopcrew.tools.reference.ads import CAMPAIGNS_FILE, JsonAdsAdapter
from shopcrew.tools.reference.kb import KB_FILE, JsonKnowledgeBaseAdapter
from shopcrew.tools.reference.listings import LISTINGS_FILE, JsonListingAdapter
from shopcrew.tools.reference.retail import (
    JsonCatalogAdapter,
    JsonCustomerAdapter,
    JsonOrderAdapter,
    build_json_adapters,
)
from shopcrew.tools.reference.store import (
    TABLES,
    Change,
    Record,
    RetailStore,
    TableName,
    copy_record,
)

__all__ = [
    "CAMPAIGNS_FILE",
    "KB_FILE",
    "LISTINGS_FILE",
    "TABLES",
    "Change",
    "JsonAdsAdapter",
    "JsonCatalogAdapter",
    "JsonCustomerAdapter",
    "JsonKnowledgeBaseAdapter",
    "JsonListingAdapter",
    "JsonOrderAdapter",
    "Record",
    "RetailStore",
    "TableName",
    "build_json_adapters",
    "copy_record",
]
