"""Search helpers over the reference store, shared by the retail tool tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shopcrew.tools.reference.store import Record, RetailStore


def first(store: RetailStore, table: Any, predicate: Callable[[Record], bool]) -> Record:
    """The first record of a table (file order) that satisfies `predicate`."""
    return next(record for _, record in store.items(table) if predicate(record))


def methods(store: RetailStore, order: Record) -> dict[str, Record]:
    """The payment methods of an order's user."""
    user = store.get("users", order["user_id"])
    assert user is not None
    return dict(user["payment_methods"])


def gift_card_of(store: RetailStore, order: Record) -> Record | None:
    return next((m for m in methods(store, order).values() if m["source"] == "gift_card"), None)


def dearest_swap(store: RetailStore, order: Record) -> tuple[str, str, float]:
    """The (old item, new available variant, price rise) pair with the largest rise."""
    best: tuple[str, str, float] | None = None
    for item in order["items"]:
        product = store.get("products", item["product_id"])
        assert product is not None
        for variant in product["variants"].values():
            rise = variant["price"] - item["price"]
            if variant["available"] and (best is None or rise > best[2]):
                best = (item["item_id"], variant["item_id"], rise)
    assert best is not None
    return best


def unavailable_variant(store: RetailStore, order: Record) -> tuple[str, str] | None:
    """An (old item, unavailable variant of its product) pair, if the order has one."""
    for item in order["items"]:
        product = store.get("products", item["product_id"])
        assert product is not None
        for variant in product["variants"].values():
            if not variant["available"]:
                return item["item_id"], variant["item_id"]
    return None


def other_product_variant(store: RetailStore, order: Record) -> str:
    """An available item id of a product that is not in the order."""
    mine = {item["product_id"] for item in order["items"]}
    for _, product in store.items("products"):
        if product["product_id"] not in mine:
            for variant in product["variants"].values():
                if variant["available"]:
                    return str(variant["item_id"])
    raise AssertionError("no other product")
