"""The adapter Protocols implemented on the JSON reference store (`RetailStore`).

The three adapters share one store (and so one merchant) and the rules the τ-bench layer
uses, and return typed views (`Order`, `Customer`, `Product`) built from the raw records.
With an `IdempotencyStore`, a write sent with an `idempotency_key` is applied once: a repeat
with the same key and arguments returns the first result, another request under the same
key raises `IdempotencyConflictError`. Without one, keys are accepted and not checked.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from pydantic import BaseModel, JsonValue

from shopcrew.tools.idempotency.base import IdempotencyStore, fingerprint
from shopcrew.tools.records.retail import Address, CancelReason, Customer, Order, Product
from shopcrew.tools.reference import _rules as rules
from shopcrew.tools.reference._twins import async_twin
from shopcrew.tools.reference.store import Record, RetailStore

__all__ = ["JsonCatalogAdapter", "JsonCustomerAdapter", "JsonOrderAdapter", "build_json_adapters"]

_M = TypeVar("_M", bound=BaseModel)


class _JsonAdapter:
    """Shared plumbing: the store, the merchant, idempotent writes."""

    def __init__(self, store: RetailStore, *, idempotency: IdempotencyStore | None = None) -> None:
        self.store = store
        self.idempotency = idempotency

    @property
    def merchant_id(self) -> str:
        """The merchant of the underlying store."""
        return self.store.merchant_id

    def _write(
        self,
        model: type[_M],
        operation: str,
        arguments: Mapping[str, JsonValue],
        change: Callable[[RetailStore], rules.Result],
        key: str | None,
    ) -> _M:
        if key is None or self.idempotency is None:
            return model.model_validate(self.store.write(change))
        result = self.idempotency.run(
            key,
            operation,
            fingerprint(operation, arguments),
            lambda: json.dumps(self.store.write(change)),
        )
        return model.model_validate(json.loads(result))


def _address(address: Address) -> Record:
    return rules.new_address(
        address.address1, address.address2, address.city, address.state, address.country,
        address.zip,
    )  # fmt: skip


class JsonCatalogAdapter(_JsonAdapter):
    """`CatalogAdapter` on a `RetailStore`."""

    def get_product(self, product_id: str) -> Product:
        """See `CatalogAdapter.get_product`."""
        return Product.model_validate(rules.product(self.store, product_id))

    def list_products(self) -> list[Product]:
        """See `CatalogAdapter.list_products`."""
        return [Product.model_validate(record) for _, record in self.store.items("products")]

    def list_product_types(self) -> Mapping[str, str]:
        """See `CatalogAdapter.list_product_types`."""
        return rules.product_types(self.store)

    aget_product = async_twin(get_product)
    alist_products = async_twin(list_products)
    alist_product_types = async_twin(list_product_types)


class JsonCustomerAdapter(_JsonAdapter):
    """`CustomerAdapter` on a `RetailStore`."""

    def get_customer(self, customer_id: str) -> Customer:
        """See `CustomerAdapter.get_customer`."""
        return Customer.model_validate(rules.user(self.store, customer_id))

    def find_customer_id_by_email(self, email: str) -> str:
        """See `CustomerAdapter.find_customer_id_by_email`."""
        return rules.find_user_id_by_email(self.store, email)

    def find_customer_id_by_name_zip(self, first_name: str, last_name: str, zip_code: str) -> str:
        """See `CustomerAdapter.find_customer_id_by_name_zip`."""
        return rules.find_user_id_by_name_zip(self.store, first_name, last_name, zip_code)

    def find_customer_id_by_name_phone(self, first_name: str, last_name: str, phone: str) -> str:
        """See `CustomerAdapter.find_customer_id_by_name_phone`."""
        return rules.find_user_id_by_name_phone(self.store, first_name, last_name, phone)

    def modify_customer_address(
        self, customer_id: str, address: Address, *, idempotency_key: str | None = None
    ) -> Customer:
        """See `CustomerAdapter.modify_customer_address`."""
        new = _address(address)
        return self._write(
            Customer,
            "modify_customer_address",
            {"customer_id": customer_id, "address": dict(new)},
            lambda s: rules.modify_user_address(s, customer_id, new),
            idempotency_key,
        )

    aget_customer = async_twin(get_customer)
    afind_customer_id_by_email = async_twin(find_customer_id_by_email)
    afind_customer_id_by_name_zip = async_twin(find_customer_id_by_name_zip)
    afind_customer_id_by_name_phone = async_twin(find_customer_id_by_name_phone)
    amodify_customer_address = async_twin(modify_customer_address)


class JsonOrderAdapter(_JsonAdapter):
    """`OrderAdapter` on a `RetailStore`, with τ-bench's retail rules."""

    def get_order(self, order_id: str) -> Order:
        """See `OrderAdapter.get_order`."""
        return Order.model_validate(rules.order(self.store, order_id))

    def list_orders(self, customer_id: str) -> list[Order]:
        """See `OrderAdapter.list_orders`."""
        owner = rules.user(self.store, customer_id)
        return [self.get_order(order_id) for order_id in owner["orders"]]

    def cancel_order(
        self, order_id: str, *, reason: CancelReason, idempotency_key: str | None = None
    ) -> Order:
        """See `OrderAdapter.cancel_order`."""
        return self._write(
            Order,
            "cancel_order",
            {"order_id": order_id, "reason": reason},
            lambda s: rules.cancel_order(s, order_id, reason),
            idempotency_key,
        )

    def modify_order_address(
        self, order_id: str, address: Address, *, idempotency_key: str | None = None
    ) -> Order:
        """See `OrderAdapter.modify_order_address`."""
        new = _address(address)
        return self._write(
            Order,
            "modify_order_address",
            {"order_id": order_id, "address": dict(new)},
            lambda s: rules.modify_order_address(s, order_id, new),
            idempotency_key,
        )

    def modify_order_payment(
        self, order_id: str, *, payment_method_id: str, idempotency_key: str | None = None
    ) -> Order:
        """See `OrderAdapter.modify_order_payment`."""
        return self._write(
            Order,
            "modify_order_payment",
            {"order_id": order_id, "payment_method_id": payment_method_id},
            lambda s: rules.modify_order_payment(s, order_id, payment_method_id),
            idempotency_key,
        )

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
        old, new = list(item_ids), list(new_item_ids)
        return self._write(
            Order,
            "modify_order_items",
            {
                "order_id": order_id,
                "item_ids": list[JsonValue](old),
                "new_item_ids": list[JsonValue](new),
                "payment_method_id": payment_method_id,
            },
            lambda s: rules.modify_order_items(s, order_id, old, new, payment_method_id),
            idempotency_key,
        )

    def return_order_items(
        self,
        order_id: str,
        *,
        item_ids: Sequence[str],
        payment_method_id: str,
        idempotency_key: str | None = None,
    ) -> Order:
        """See `OrderAdapter.return_order_items`."""
        items = list(item_ids)
        return self._write(
            Order,
            "return_order_items",
            {
                "order_id": order_id,
                "item_ids": list[JsonValue](items),
                "payment_method_id": payment_method_id,
            },
            lambda s: rules.return_order_items(s, order_id, items, payment_method_id),
            idempotency_key,
        )

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
        old, new = list(item_ids), list(new_item_ids)
        return self._write(
            Order,
            "exchange_order_items",
            {
                "order_id": order_id,
                "item_ids": list[JsonValue](old),
                "new_item_ids": list[JsonValue](new),
                "payment_method_id": payment_method_id,
            },
            lambda s: rules.exchange_order_items(s, order_id, old, new, payment_method_id),
            idempotency_key,
        )

    aget_order = async_twin(get_order)
    alist_orders = async_twin(list_orders)
    acancel_order = async_twin(cancel_order)
    amodify_order_address = async_twin(modify_order_address)
    amodify_order_payment = async_twin(modify_order_payment)
    amodify_order_items = async_twin(modify_order_items)
    areturn_order_items = async_twin(return_order_items)
    aexchange_order_items = async_twin(exchange_order_items)


def build_json_adapters(
    store: RetailStore, *, idempotency: IdempotencyStore | None = None
) -> tuple[JsonCatalogAdapter, JsonOrderAdapter, JsonCustomerAdapter]:
    """Build the catalogue, order and customer adapters over one store."""
    return (
        JsonCatalogAdapter(store, idempotency=idempotency),
        JsonOrderAdapter(store, idempotency=idempotency),
        JsonCustomerAdapter(store, idempotency=idempotency),
    )
