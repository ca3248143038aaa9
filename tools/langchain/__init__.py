"""LangChain tools over the adapter Protocols: the τ-bench retail tools and merchant tools."""

from shopcrew.tools.langchain.identify import CUSTOMER_IDENTIFY_TOOLS, build_identify_tools
from shopcrew.tools.langchain.merchant import build_ads_tools, build_kb_tools, build_listing_tools
from shopcrew.tools.langchain.retail import build_retail_tools
from shopcrew.tools.tau.names import (
    RETAIL_READ_TOOLS,
    RETAIL_TOOL_NAMES,
    RETAIL_WRITE_TOOLS,
    TRANSFER_TOOL,
)

__all__ = [
    "CUSTOMER_IDENTIFY_TOOLS",
    "RETAIL_READ_TOOLS",
    "RETAIL_TOOL_NAMES",
    "RETAIL_WRITE_TOOLS",
    "TRANSFER_TOOL",
    "build_ads_tools",
    "build_identify_tools",
    "build_kb_tools",
    "build_listing_tools",
    "build_retail_tools",
]
