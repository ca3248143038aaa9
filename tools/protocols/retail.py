"""Adapter Protocols for one merchant's catalogue, orders and customers.

Agents depend on these Protocols, never on a backend: the JSON reference store implements
them (`shopcrew.tools.reference.retail`), and a platform API (Shopify, Taobao...) can be plugged
in by writing three classes with these methods. Every adapter is scoped to one merchant
(`merchant_id`). Each method has an async twin named `a` + name.

Errors, for every backend:

- an unknown id raises `UnknownRecordError` (its `kind` is `"order"`, `"customer"`,
  `"product"` or `"payment method"`);
- a request the store's rules refuse (wrong status, unknown item, short gift card balance)
  raises `RetailRuleError`, and nothing is changed.

Write methods take `idempotency_key`: sending the same key with the same arguments again
must not apply the change twice (see `shopcrew.tools.idempotency.base`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from shopcrew.tools.records.retail import Address, CancelReason, Customer, Order, Product

__all__ = ["CatalogAdapter", "CustomerAdapter", "OrderAdapter"]


class CatalogAdapter(Protocol):
    """Reads one merchant's product catalogue."""

    @property
    def merchant_id(self) -> str:
        """The merchant whose catalogue this is."""
        ...

    def get_product(self, product_id: str) -> Product:
        """Return a product with all its variants, available or not.

        Raises:
            UnknownRecordError: no such product (an item id is not a product id).
        """
        ...

    def list_products(self) -> list[Product]:
        """Return every product, in the store's order."""
        ...

    def list_product_types(self) -> Mapping[str, str]:
        """Return product name to product id, names in ascending code-point order."""
        ...

    async def aget_product(self, product_id: str) -> Product:
        """Async twin of `get_product`."""
        ...

    async def alist_products(self) -> list[Product]:
        """Async twin of `list_products`."""
        ...

    async def alist_product_types(self) -> Mapping[str, str]:
        """Async twin of `list_product_types`."""
        ...


class CustomerAdapter(Protocol):
    """Finds, reads and updates one merchant's customers."""

    @property
    def merchant_id(self) -> str:
        """The merchant whose customers these are."""
        ...

    def get_customer(self, customer_id: str) -> Customer:
        """Return a customer with addresses, payment methods and order ids.

        Raises:
            UnknownRecordError: no such customer.
        """
        ...

    def find_customer_id_by_email(self, email: str) -> str:
        """Return the id of the first customer with this email, ignoring case.

        Raises:
            UnknownRecordError: no customer has this email.
        """
        ...

    def find_customer_id_by_name_zip(self, first_name: str, last_name: str, zip_code: str) -> str:
        """Return the id of the first customer with this name (any case) and default zip.

        Raises:
            UnknownRecordError: no customer matches.
        """
        ...

    def find_customer_id_by_name_phone(self, first_name: str, last_name: str, phone: str) -> str:
        """Return the id of the one customer with this name (any case) and mobile number.

        `phone` is the full number (11 digits, `13812345678`) or its last four digits (手机尾号
        `5678`); a stored number may be masked (`138****5678`): the digits it shows must match.

        Raises:
            UnknownRecordError: no customer matches, or more than one does.
        """
        ...

    def modify_customer_address(
        self, customer_id: str, address: Address, *, idempotency_key: str | None = None
    ) -> Customer:
        """Replace a customer's default address (order addresses are left alone).

        Raises:
            UnknownRecordError: no such customer.
        """
        ...

    async def aget_customer(self, customer_id: str) -> Customer:
        """Async twin of `get_customer`."""
        ...

    async def afind_customer_id_by_email(self, email: str) -> str:
        """Async twin of `find_customer_id_by_email`."""
        ...

    async def afind_customer_id_by_name_zip(
        self, first_name: str, last_name: str, zip_code: str
    ) -> str:
        """Async twin of `find_customer_id_by_name_zip`."""
        ...

    async def afind_customer_id_by_name_phone(
        self, first_name: str, last_name: str, phone: str
    ) -> str:
        """Async twin of `find_customer_id_by_name_phone`."""
        ...

    async def amodify_customer_address(
        self, customer_id: str, address: Address, *, idempotency_key: str | None = None
    ) -> Customer:
        """Async twin of `modify_customer_address`."""
        ...


class OrderAdapter(Protocol):
    """Reads and changes one merchant's orders.

    Pending orders can be cancelled or have their address, payment method or items
    modified (items only once); delivered orders can have items returned or exchanged.
    """

    @property
    def merchant_id(self) -> str:
        """The merchant whose orders these are."""
        ...

    def get_order(self, order_id: str) -> Order:
        """Return an order by its exact id (e.g. `'#W1234567'`, with the `#`).

        Raises:
            UnknownRecordError: no such order.
        """
        ...

    def list_orders(self, customer_id: str) -> list[Order]:
        """Return a customer's orders, oldest first.

        Raises:
            UnknownRecordError: no such customer.
        """
        ...

    def cancel_order(
        self, order_id: str, *, reason: CancelReason, idempotency_key: str | None = None
    ) -> Order:
        """Cancel a pending order and refund every payment to its method.

        Raises:
            UnknownRecordError: no such order.
            RetailRuleError: the order is not pending, or the reason is not allowed.
        """
        ...

    def modify_order_address(
        self, order_id: str, address: Address, *, idempotency_key: str | None = None
    ) -> Order:
        """Change the shipping address of a pending order.

        Raises:
            UnknownRecordError: no such order.
            RetailRuleError: the order is not pending.
        """
        ...

    def modify_order_payment(
        self, order_id: str, *, payment_method_id: str, idempotency_key: str | None = None
    ) -> Order:
        """Pay a pending order with another of the customer's methods; refund the old one.

        Raises:
            UnknownRecordError: no such order or payment method.
            RetailRuleError: not pending, payment already changed, same method, or a gift
                card without enough balance.
        """
        ...

    def modify_order_items(
        self,
        order_id: str,
        *,
        item_ids: Sequence[str],
        new_item_ids: Sequence[str],
        payment_method_id: str,
        idempotency_key: str | None = None,
    ) -> Order:
        """Swap items of a pending order for other variants of the same products.

        `item_ids[i]` becomes `new_item_ids[i]`; the price difference is charged to (or
        refunded to) `payment_method_id`. Afterwards the order cannot be modified again.

        Raises:
            UnknownRecordError: no such order or payment method.
            RetailRuleError: not pending, an item not in the order, unequal lists, a new item
                that is not an available variant of the same product, or a short gift card.
        """
        ...

    def return_order_items(
        self,
        order_id: str,
        *,
        item_ids: Sequence[str],
        payment_method_id: str,
        idempotency_key: str | None = None,
    ) -> Order:
        """Request the return of items of a delivered order.

        The refund goes to the original payment method or a gift card.

        Raises:
            UnknownRecordError: no such order or payment method.
            RetailRuleError: not delivered, a refund method that is neither the original nor
                a gift card, or an item not in the order.
        """
        ...

    def exchange_order_items(
        self,
        order_id: str,
        *,
        item_ids: Sequence[str],
        new_item_ids: Sequence[str],
        payment_method_id: str,
        idempotency_key: str | None = None,
    ) -> Order:
        """Request the exchange of items of a delivered order for other variants.

        Raises:
            UnknownRecordError: no such order or payment method.
            RetailRuleError: not delivered, an item not in the order, unequal lists, an
                unavailable new item, or a gift card short of the price difference.
        """
        ...

    async def aget_order(self, order_id: str) -> Order:
        """Async twin of `get_order`."""
        ...

    async def alist_orders(self, customer_id: str) -> list[Order]:
        """Async twin of `list_orders`."""
        ...

    async def acancel_order(
        self, order_id: str, *, reason: CancelReason, idempotency_key: str | None = None
    ) -> Order:
        """Async twin of `cancel_order`."""
        ...

    async def amodify_order_address(
        self, order_id: str, address: Address, *, idempotency_key: str | None = None
    ) -> Order:
        """Async twin of `modify_order_address`."""
        ...

    async def amodify_order_payment(
        self, order_id: str, *, payment_method_id: str, idempotency_key: str | None = None
    ) -> Order:
        """Async twin of `modify_order_payment`."""
        ...

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
        ...

    async def areturn_order_items(
        self,
        order_id: str,
        *,
        item_ids: Sequence[str],
        payment_method_id: str,
        idempotency_key: str | None = None,
    ) -> Order:
        """Async twin of `return_order_items`."""
        ...

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
        ...
