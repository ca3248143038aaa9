"""The one place that names the τ-bench retail tools and the tables other modules need of them.

Which tools write, which identify the customer, which read an account, which order status each
write needs, and the argument model of each tool. Agents, the guard, the evaluations and the
tool wrappers import these instead of spelling the names again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal, get_args

from pydantic import BaseModel

from shopcrew.tools.tau import _args as _tau_args

__all__ = [
    "ACCOUNT_READ_TOOLS",
    "CALCULATE",
    "CANCEL_PENDING_ORDER",
    "CANCEL_REASONS",
    "EXCHANGE_DELIVERED_ORDER_ITEMS",
    "FIND_USER_ID_BY_EMAIL",
    "FIND_USER_ID_BY_NAME_ZIP",
    "GET_ORDER_DETAILS",
    "GET_PRODUCT_DETAILS",
    "GET_USER_DETAILS",
    "IDENTIFY_TOOLS",
    "ITEM_CHANGE_TOOLS",
    "LIST_ALL_PRODUCT_TYPES",
    "MODIFY_PENDING_ORDER_ADDRESS",
    "MODIFY_PENDING_ORDER_ITEMS",
    "MODIFY_PENDING_ORDER_PAYMENT",
    "MODIFY_USER_ADDRESS",
    "ORDER_WRITE_TOOLS",
    "RETAIL_READ_TOOLS",
    "RETAIL_TOOL_NAMES",
    "RETAIL_WRITE_TOOLS",
    "RETURN_DELIVERED_ORDER_ITEMS",
    "STATUS_NEEDED",
    "THINK",
    "TOOL_ARGS",
    "TRANSFER_TOOL",
    "TRANSFER_TO_HUMAN_AGENTS",
    "WriteToolName",
    "retail_tool_args",
]


# The tool names, one constant each: code names a tool through these, never by a literal.
CALCULATE: Final = "calculate"
CANCEL_PENDING_ORDER: Final = "cancel_pending_order"
EXCHANGE_DELIVERED_ORDER_ITEMS: Final = "exchange_delivered_order_items"
FIND_USER_ID_BY_EMAIL: Final = "find_user_id_by_email"
FIND_USER_ID_BY_NAME_ZIP: Final = "find_user_id_by_name_zip"
GET_ORDER_DETAILS: Final = "get_order_details"
GET_PRODUCT_DETAILS: Final = "get_product_details"
GET_USER_DETAILS: Final = "get_user_details"
LIST_ALL_PRODUCT_TYPES: Final = "list_all_product_types"
MODIFY_PENDING_ORDER_ADDRESS: Final = "modify_pending_order_address"
MODIFY_PENDING_ORDER_ITEMS: Final = "modify_pending_order_items"
MODIFY_PENDING_ORDER_PAYMENT: Final = "modify_pending_order_payment"
MODIFY_USER_ADDRESS: Final = "modify_user_address"
RETURN_DELIVERED_ORDER_ITEMS: Final = "return_delivered_order_items"
THINK: Final = "think"
TRANSFER_TO_HUMAN_AGENTS: Final = "transfer_to_human_agents"


WriteToolName = Literal[
    "cancel_pending_order",
    "modify_pending_order_address",
    "modify_pending_order_payment",
    "modify_pending_order_items",
    "return_delivered_order_items",
    "exchange_delivered_order_items",
    "modify_user_address",
]
"""The retail tools that change the store."""

RETAIL_WRITE_TOOLS: Final[frozenset[str]] = frozenset(get_args(WriteToolName))
"""The retail tools that change the store."""

ORDER_WRITE_TOOLS: Final[frozenset[str]] = RETAIL_WRITE_TOOLS - {"modify_user_address"}
"""The writes that change one order (they take an `order_id`)."""

ITEM_CHANGE_TOOLS: Final[frozenset[str]] = frozenset(
    {"modify_pending_order_items", "exchange_delivered_order_items"}
)
"""The writes that swap items for other variants (`item_ids` paired with `new_item_ids`)."""

IDENTIFY_TOOLS: Final[frozenset[str]] = frozenset(
    {"find_user_id_by_email", "find_user_id_by_name_zip"}
)
"""The tools that identify the customer."""

ACCOUNT_READ_TOOLS: Final[frozenset[str]] = frozenset({"get_user_details", "get_order_details"})
"""The reads of a customer's own records (they need an identified customer)."""

TRANSFER_TOOL: Final = TRANSFER_TO_HUMAN_AGENTS
"""Hands the conversation to a person."""

TOOL_ARGS: Final[Mapping[str, type[BaseModel]]] = {
    CALCULATE: _tau_args.Calculate,
    CANCEL_PENDING_ORDER: _tau_args.CancelPendingOrder,
    EXCHANGE_DELIVERED_ORDER_ITEMS: _tau_args.ExchangeDeliveredOrderItems,
    FIND_USER_ID_BY_EMAIL: _tau_args.FindUserIdByEmail,
    FIND_USER_ID_BY_NAME_ZIP: _tau_args.FindUserIdByNameZip,
    GET_ORDER_DETAILS: _tau_args.GetOrderDetails,
    GET_PRODUCT_DETAILS: _tau_args.GetProductDetails,
    GET_USER_DETAILS: _tau_args.GetUserDetails,
    LIST_ALL_PRODUCT_TYPES: _tau_args.ListAllProductTypes,
    MODIFY_PENDING_ORDER_ADDRESS: _tau_args.ModifyPendingOrderAddress,
    MODIFY_PENDING_ORDER_ITEMS: _tau_args.ModifyPendingOrderItems,
    MODIFY_PENDING_ORDER_PAYMENT: _tau_args.ModifyPendingOrderPayment,
    MODIFY_USER_ADDRESS: _tau_args.ModifyUserAddress,
    RETURN_DELIVERED_ORDER_ITEMS: _tau_args.ReturnDeliveredOrderItems,
    THINK: _tau_args.Think,
    TRANSFER_TO_HUMAN_AGENTS: _tau_args.TransferToHumanAgents,
}
"""Each tool's name mapped to the pydantic model of its keyword arguments."""

RETAIL_TOOL_NAMES: Final[tuple[str, ...]] = tuple(TOOL_ARGS)
"""The 16 tool names, sorted."""

RETAIL_READ_TOOLS: Final[frozenset[str]] = frozenset(RETAIL_TOOL_NAMES) - RETAIL_WRITE_TOOLS
"""The retail tools that change nothing (identification, reads, calculate, think, transfer)."""

STATUS_NEEDED: Final[Mapping[str, str]] = {
    "cancel_pending_order": "pending",
    "modify_pending_order_address": "pending",
    "modify_pending_order_payment": "pending",
    "modify_pending_order_items": "pending",
    "return_delivered_order_items": "delivered",
    "exchange_delivered_order_items": "delivered",
}
"""The order status each order write needs (the τ-bench retail rules)."""

CANCEL_REASONS: Final[tuple[str, ...]] = ("no longer needed", "ordered by mistake")
"""The two reasons a pending order may be cancelled for."""


def retail_tool_args(name: str) -> type[BaseModel]:
    """The pydantic model of a retail tool's arguments (strict, unknown arguments refused).

    Raises:
        KeyError: `name` is not one of the 16 retail tools.
    """
    return TOOL_ARGS[name]
