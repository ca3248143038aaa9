"""The τ-bench retail layer: tool names and tables, argument models, `TauRetailTools`."""

from shopcrew.tools.tau.names import (
    ACCOUNT_READ_TOOLS,
    CANCEL_REASONS,
    IDENTIFY_TOOLS,
    ITEM_CHANGE_TOOLS,
    ORDER_WRITE_TOOLS,
    RETAIL_READ_TOOLS,
    RETAIL_TOOL_NAMES,
    RETAIL_WRITE_TOOLS,
    STATUS_NEEDED,
    TRANSFER_TOOL,
    WriteToolName,
    retail_tool_args,
)
from shopcrew.tools.tau.tools import TauRetailTools, tau_retail_tool_schemas

__all__ = [
    "ACCOUNT_READ_TOOLS",
    "CANCEL_REASONS",
    "IDENTIFY_TOOLS",
    "ITEM_CHANGE_TOOLS",
    "ORDER_WRITE_TOOLS",
    "RETAIL_READ_TOOLS",
    "RETAIL_TOOL_NAMES",
    "RETAIL_WRITE_TOOLS",
    "STATUS_NEEDED",
    "TRANSFER_TOOL",
    "retail_tool_args",
    "tau_retail_tool_schemas",
    "TauRetailTools",
    "WriteToolName",
]
