"""The adapter Protocols on the JSON store: typed views, rules, idempotent writes."""

from __future__ import annotations

import pytest

from shopcrew.errors import IdempotencyConflictError, RetailRuleError, UnknownRecordError
from shopcrew.tools.idempotency.base import InMemoryIdempotencyStore
from shopcrew.tools.protocols.retail import CatalogAdapter, CustomerAdapter, OrderAdapter
from shopcrew.tools.records.retail import Address, GiftCard
from shopcrew.tools.reference.retail import build_json_adapters
from shopcrew.tools.reference.store import RetailStore


def _adapters(store: RetailStore) -> tuple[CatalogAdapter, OrderAdapter, CustomerAdapter]:
    catalog, orders, customers = build_json_adapters(store, idempotency=InMemoryIdempotencyStore())
    return catalog, orders, customers


def _pending(store: RetailStore) -> str:
    return next(o for o, r in store.items("orders") if r["status"] == "pending")


def test_views_are_typed_and_integer_balances_stay_integers(store: RetailStore) -> None:
    catalog, orders, customers = _adapters(store)
    assert catalog.merchant_id == orders.merchant_id == customers.merchant_id == "default"
    user_id = next(
        u for u, r in store.items("users")
        if any(m["source"] == "gift_card" for m in r["payment_methods"].values())
    )  # fmt: skip
    customer = customers.get_customer(user_id)
    card = next(m for m in customer.payment_methods.values() if isinstance(m, GiftCard))
    assert isinstance(card.balance, int)
    assert [o.order_id for o in orders.list_orders(user_id)] == customer.orders
    assert customers.find_customer_id_by_email(customer.email.upper()) == user_id
    assert len(catalog.list_products()) == 50
    product_id = next(iter(catalog.list_product_types().values()))
    assert catalog.get_product(product_id).product_id == product_id


def test_errors_are_typed(store: RetailStore) -> None:
    _, orders, customers = _adapters(store)
    with pytest.raises(UnknownRecordError) as unknown:
        orders.get_order("W1")
    assert unknown.value.kind == "order"
    with pytest.raises(UnknownRecordError):
        customers.get_customer("nobody_1")
    delivered = next(o for o, r in store.items("orders") if r["status"] == "delivered")
    with pytest.raises(RetailRuleError) as rule:
        orders.cancel_order(delivered, reason="no longer needed")
    assert rule.value.rule == "non-pending order cannot be cancelled"


def test_cancel_twice_with_same_key_returns_the_first_result(store: RetailStore) -> None:
    _, orders, _ = _adapters(store)
    order_id = _pending(store)
    first = orders.cancel_order(order_id, reason="no longer needed", idempotency_key="k1")
    hash_after_first = store.store_sha256()
    again = orders.cancel_order(order_id, reason="no longer needed", idempotency_key="k1")
    assert again == first
    assert first.cancel_reason == "no longer needed"
    assert store.store_sha256() == hash_after_first
    with pytest.raises(IdempotencyConflictError):
        orders.cancel_order(order_id, reason="ordered by mistake", idempotency_key="k1")


async def test_async_twins(store: RetailStore) -> None:
    _, orders, customers = _adapters(store)
    order_id = _pending(store)
    address = Address(
        address1="1 Main St", address2="", city="Austin", country="USA", state="TX", zip="73301"
    )
    changed = await orders.amodify_order_address(order_id, address, idempotency_key="a1")
    assert changed.address == address
    assert list(store.get("orders", order_id)["address"]) == [  # type: ignore[index]
        "address1", "address2", "city", "state", "country", "zip",
    ]  # fmt: skip
    user_id = changed.user_id
    customer = await customers.amodify_customer_address(user_id, address)
    assert customer.address == address
    assert (await orders.aget_order(order_id)).status == "pending"
