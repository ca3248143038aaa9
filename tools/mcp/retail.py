"""The retail adapter Protocols on a platform's MCP server, mapped by its platform table.

`build_mcp_adapters(url, platform="reference")` returns catalogue, order and customer
adapters that call the platform's tools over one `McpConnection`. Each method looks its
operation up in the table (`shopcrew.tools.mcp.table`): it renames the arguments, adds the
constants and, for writes, the idempotency key; then takes the value at `result` from the
structured answer and renames the record's fields back. A platform error becomes ours:
`UnknownRecordError` or `RetailRuleError` as the table's `errors` entry says, so the tool layer
tells the model exactly what the JSON backend would. A server that cannot be reached raises
`PlatformUnavailableError`, which ends the run (a worker retries the event).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TypeVar

from pydantic import BaseModel, JsonValue

from shopcrew.errors import PlatformResponseError
from shopcrew.tools.mcp._platform import McpPlatform, Values
from shopcrew.tools.mcp.connection import McpConnection
from shopcrew.tools.mcp.table import RecordKind
from shopcrew.tools.records.retail import Address, CancelReason, Customer, Order, Product

__all__ = ["McpCatalogAdapter", "McpCustomerAdapter", "McpOrderAdapter", "build_mcp_adapters"]

_M = TypeVar("_M", bound=BaseModel)


def _str(value: JsonValue, tool: str) -> str:
    if not isinstance(value, str):
        raise PlatformResponseError(tool, f"a {type(value).__name__} where an id was expected")
    return value


def _address(address: Address) -> JsonValue:
    return address.model_dump(mode="json")


class _McpAdapter:
    def __init__(self, platform: McpPlatform) -> None:
        self.platform = platform

    @property
    def merchant_id(self) -> str:
        """The merchant whose platform this is."""
        return self.platform.merchant_id

    def _records(self, kind: RecordKind, value: JsonValue, model: type[_M]) -> list[_M]:
        if not isinstance(value, list):
            raise PlatformResponseError(kind, f"a {type(value).__name__} for a list of {kind}s")
        return [self.platform.record(kind, item, model) for item in value]


class McpCatalogAdapter(_McpAdapter):
    """`CatalogAdapter` on a platform's MCP tools."""

    def get_product(self, product_id: str) -> Product:
        """See `CatalogAdapter.get_product`."""
        found = self.platform.run("get_product", {"product_id": product_id})
        return self.platform.record("product", found, Product)

    def list_products(self) -> list[Product]:
        """See `CatalogAdapter.list_products`."""
        return self._records("product", self.platform.run("list_products", {}), Product)

    def list_product_types(self) -> Mapping[str, str]:
        """See `CatalogAdapter.list_product_types`."""
        return _types(self.platform.run("list_product_types", {}))

    async def aget_product(self, product_id: str) -> Product:
        """Async twin of `get_product`."""
        found = await self.platform.arun("get_product", {"product_id": product_id})
        return self.platform.record("product", found, Product)

    async def alist_products(self) -> list[Product]:
        """Async twin of `list_products`."""
        return self._records("product", await self.platform.arun("list_products", {}), Product)

    async def alist_product_types(self) -> Mapping[str, str]:
        """Async twin of `list_product_types`."""
        return _types(await self.platform.arun("list_product_types", {}))


def _types(value: JsonValue) -> dict[str, str]:
    if not isinstance(value, dict):
        raise PlatformResponseError("list_product_types", f"a {type(value).__name__}")
    return {str(name): str(pid) for name, pid in value.items()}


class McpCustomerAdapter(_McpAdapter):
    """`CustomerAdapter` on a platform's MCP tools."""

    def get_customer(self, customer_id: str) -> Customer:
        """See `CustomerAdapter.get_customer`."""
        found = self.platform.run("get_customer", {"customer_id": customer_id})
        return self.platform.record("customer", found, Customer)

    def find_customer_id_by_email(self, email: str) -> str:
        """See `CustomerAdapter.find_customer_id_by_email`."""
        return _str(self.platform.run("find_customer_id_by_email", {"email": email}), "email")

    def find_customer_id_by_name_zip(self, first_name: str, last_name: str, zip_code: str) -> str:
        """See `CustomerAdapter.find_customer_id_by_name_zip`."""
        values: Values = {"first_name": first_name, "last_name": last_name, "zip_code": zip_code}
        return _str(self.platform.run("find_customer_id_by_name_zip", values), "name_zip")

    def find_customer_id_by_name_phone(self, first_name: str, last_name: str, phone: str) -> str:
        """See `CustomerAdapter.find_customer_id_by_name_phone`."""
        values: Values = {"first_name": first_name, "last_name": last_name, "phone": phone}
        return _str(self.platform.run("find_customer_id_by_name_phone", values), "name_phone")

    def modify_customer_address(
        self, customer_id: str, address: Address, *, idempotency_key: str | None = None
    ) -> Customer:
        """See `CustomerAdapter.modify_customer_address`."""
        values: Values = {"customer_id": customer_id, "address": _address(address)}
        found = self.platform.run("modify_customer_address", values, idempotency_key)
        return self.platform.record("customer", found, Customer)

    async def aget_customer(self, customer_id: str) -> Customer:
        """Async twin of `get_customer`."""
        found = await self.platform.arun("get_customer", {"customer_id": customer_id})
        return self.platform.record("customer", found, Customer)

    async def afind_customer_id_by_email(self, email: str) -> str:
        """Async twin of `find_customer_id_by_email`."""
        found = await self.platform.arun("find_customer_id_by_email", {"email": email})
        return _str(found, "email")

    async def afind_customer_id_by_name_zip(
        self, first_name: str, last_name: str, zip_code: str
    ) -> str:
        """Async twin of `find_customer_id_by_name_zip`."""
        values: Values = {"first_name": first_name, "last_name": last_name, "zip_code": zip_code}
        return _str(await self.platform.arun("find_customer_id_by_name_zip", values), "name_zip")

    async def afind_customer_id_by_name_phone(
        self, first_name: str, last_name: str, phone: str
    ) -> str:
        """Async twin of `find_customer_id_by_name_phone`."""
        values: Values = {"first_name": first_name, "last_name": last_name, "phone": phone}
        found = await self.platform.arun("find_customer_id_by_name_phone", values)
        return _str(found, "name_phone")

    async def amodify_customer_address(
        self, customer_id: str, address: Address, *, idempotency_key: str | None = None
    ) -> Customer:
        """Async twin of `modify_customer_address`."""
        values: Values = {"customer_id": customer_id, "address": _address(address)}
        found = await self.platform.arun("modify_customer_address", values, idempotency_key)
        return self.platform.record("customer", found, Customer)


def _items(
    order_id: str,
    item_ids: Sequence[str],
    payment_method_id: str,
    new_item_ids: Sequence[str] | None = None,
) -> Values:
    values: Values = {"order_id": order_id, "item_ids": list[JsonValue](item_ids)}
    if new_item_ids is not None:
        values["new_item_ids"] = list[JsonValue](new_item_ids)
    values["payment_method_id"] = payment_method_id
    return values


class McpOrderAdapter(_McpAdapter):
    """`OrderAdapter` on a platform's MCP tools."""

    def _order(self, operation: str, values: Values, key: str | None = None) -> Order:
        return self.platform.record("order", self.platform.run(operation, values, key), Order)

    async def _aorder(self, operation: str, values: Values, key: str | None = None) -> Order:
        found = await self.platform.arun(operation, values, key)
        return self.platform.record("order", found, Order)

    def get_order(self, order_id: str) -> Order:
        """See `OrderAdapter.get_order`."""
        return self._order("get_order", {"order_id": order_id})

    def list_orders(self, customer_id: str) -> list[Order]:
        """See `OrderAdapter.list_orders`."""
        found = self.platform.run("list_orders", {"customer_id": customer_id})
        return self._records("order", found, Order)

    def cancel_order(
        self, order_id: str, *, reason: CancelReason, idempotency_key: str | None = None
    ) -> Order:
        """See `OrderAdapter.cancel_order`."""
        values: Values = {"order_id": order_id, "reason": reason}
        return self._order("cancel_order", values, idempotency_key)

    def modify_order_address(
        self, order_id: str, address: Address, *, idempotency_key: str | None = None
    ) -> Order:
        """See `OrderAdapter.modify_order_address`."""
        values: Values = {"order_id": order_id, "address": _address(address)}
        return self._order("modify_order_address", values, idempotency_key)

    def modify_order_payment(
        self, order_id: str, *, payment_method_id: str, idempotency_key: str | None = None
    ) -> Order:
        """See `OrderAdapter.modify_order_payment`."""
        values: Values = {"order_id": order_id, "payment_method_id": payment_method_id}
        return self._order("modify_order_payment", values, idempotency_key)

    def modify_order_items(
        self,
        order_id: str,
        *,
        item_ids: Sequence[str],
        new_item_ids: Sequence[str],
        payment_method_id: str,
        idempotency_key: str | None = None,
    ) -> Order:
        """See `OrderAdapter.modify_order_items`."""
        values = _items(order_id, item_ids, payment_method_id, new_item_ids)
        return self._order("modify_order_items", values, idempotency_key)

    def return_order_items(
        self,
        order_id: str,
        *,
        item_ids: Sequence[str],
        payment_method_id: str,
        idempotency_key: str | None = None,
    ) -> Order:
        """See `OrderAdapter.return_order_items`."""
        values = _items(order_id, item_ids, payment_method_id)
        return self._order("return_order_items", values, idempotency_key)

    def exchange_order_items(
        self,
        order_id: str,
        *,
        item_ids: Sequence[str],
        new_item_ids: Sequence[str],
        payment_method_id: str,
        idempotency_key: str | None = None,
    ) -> Order:
        """See `OrderAdapter.exchange_order_items`."""
        values = _items(order_id, item_ids, payment_method_id, new_item_ids)
        return self._order("exchange_order_items", values, idempotency_key)

    async def aget_order(self, order_id: str) -> Order:
        """Async twin of `get_order`."""
        return await self._aorder("get_order", {"order_id": order_id})

    async def alist_orders(self, customer_id: str) -> list[Order]:
        """Async twin of `list_orders`."""
        found = await self.platform.arun("list_orders", {"customer_id": customer_id})
        return self._records("order", found, Order)

    async def acancel_order(
        self, order_id: str, *, reason: CancelReason, idempotency_key: str | None = None
    ) -> Order:
        """Async twin of `cancel_order`."""
        values: Values = {"order_id": order_id, "reason": reason}
        return await self._aorder("cancel_order", values, idempotency_key)

    async def amodify_order_address(
        self, order_id: str, address: Address, *, idempotency_key: str | None = None
    ) -> Order:
        """Async twin of `modify_order_address`."""
        values: Values = {"order_id": order_id, "address": _address(address)}
        return await self._aorder("modify_order_address", values, idempotency_key)

    async def amodify_order_payment(
        self, order_id: str, *, payment_method_id: str, idempotency_key: str | None = None
    ) -> Order:
        """Async twin of `modify_order_payment`."""
        values: Values = {"order_id": order_id, "payment_method_id": payment_method_id}
        return await self._aorder("modify_order_payment", values, idempotency_key)

    async def amodify_order_items(
        self,
        order_id: str,
        *,
        item_ids: Sequence[str],
        new_item_ids: Sequence[str],
        payment_method_id: str,
        idempotency_key: str | None = None,
    ) -> Order:
        """Async twin of `modify_order_items`."""
        values = _items(order_id, item_ids, payment_method_id, new_item_ids)
        return await self._aorder("modify_order_items", values, idempotency_key)

    async def areturn_order_items(
        self,
        order_id: str,
        *,
        item_ids: Sequence[str],
        payment_method_id: str,
        idempotency_key: str | None = None,
    ) -> Order:
        """Async twin of `return_order_items`."""
        values = _items(order_id, item_ids, payment_method_id)
        return await self._aorder("return_order_items", values, idempotency_key)

    async def aexchange_order_items(
        self,
        order_id: str,
        *,
        item_ids: Sequence[str],
        new_item_ids: Sequence[str],
        payment_method_id: str,
        idempotency_key: str | None = None,
    ) -> Order:
        """Async twin of `exchange_order_items`."""
        values = _items(order_id, item_ids, payment_method_id, new_item_ids)
        return await self._aorder("exchange_order_items", values, idempotency_key)


def build_mcp_adapters(
    url: str,
    *,
    platform: str | os.PathLike[str] = "reference",
    merchant_id: str = "default",
    connection: McpConnection | None = None,
) -> tuple[McpCatalogAdapter, McpOrderAdapter, McpCustomerAdapter]:
    """The catalogue, order and customer adapters of a platform's MCP server.

    Args:
        url: The server's streamable HTTP endpoint.
        platform: A bundled table's name or the path of a table file.
        merchant_id: The merchant the platform's store belongs to.
        connection: A connection to share; one to `url` is made when omitted (the adapters
            share it; close it with `adapters.platform.connection.close()`).

    Raises:
        PlatformTableError: the table cannot be loaded (raised now, before any call).
    """
    shared = McpPlatform.connect(
        url, platform=platform, merchant_id=merchant_id, connection=connection
    )
    return McpCatalogAdapter(shared), McpOrderAdapter(shared), McpCustomerAdapter(shared)
