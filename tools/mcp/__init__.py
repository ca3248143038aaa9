"""Platform tools over MCP as adapters: a platform's MCP server behind our adapter Protocols.

A merchant whose platform publishes its commerce tools over MCP plugs it in without code: a
mapping table (`platforms/<name>.yaml`, or a file of their own) names the tool and arguments
for each adapter method, and `build_mcp_adapters(url, platform=...)` returns adapters that
any agent uses as it uses the JSON backend (`McpAdsAdapter` too, when the table maps ads).
`reference_server` is such a platform, over the reference store, for tests and benchmarks.
"""

from shopcrew.tools.mcp._platform import McpPlatform
from shopcrew.tools.mcp.ads import McpAdsAdapter
from shopcrew.tools.mcp.connection import McpConnection, ToolAnswer
from shopcrew.tools.mcp.retail import (
    McpCatalogAdapter,
    McpCustomerAdapter,
    McpOrderAdapter,
    build_mcp_adapters,
)
from shopcrew.tools.mcp.table import (
    ErrorMap,
    Operation,
    PlatformTable,
    RecordMap,
    bundled_platforms,
    load_platform_table,
)

__all__ = [
    "build_mcp_adapters",
    "bundled_platforms",
    "ErrorMap",
    "load_platform_table",
    "McpAdsAdapter",
    "McpCatalogAdapter",
    "McpConnection",
    "McpCustomerAdapter",
    "McpOrderAdapter",
    "McpPlatform",
    "Operation",
    "PlatformTable",
    "RecordMap",
    "ToolAnswer",
]
