"""τ-bench write tools: every check's error string, and the exact writes of TOOLS.md."""

from __future__ import annotations

import json

import pytest
from tau_store_search import (
    dearest_swap,
    first,
    gift_card_of,
    methods,
    other_product_variant,
    unavailable_variant,
)

from shopcrew.tools.reference.store import Record, RetailStore
from shopcrew.tools.tau.tools import TauRetailTools

ADDRESS = {
    "address1": "9 Rue de la Paix",
    "address2": "",
    "city": "Paris",
    "state": "IDF",
    "country": "France",
    "zip": "75002",
}


def _status(status: str) -> object:
    return lambda order: order["status"] == status


def _call(tools: TauRetailTools, name: str, **kwargs: object) -> str:
    return tools.invoke(name, kwargs)


def _unchanged(store: RetailStore, before: str) -> None:
    assert store.store_sha256() == before


# -- errors shared by every write on orders --------------------------------------

WRITES = {
    "cancel_pending_order": {"reason": "no longer needed"},
    "modify_pending_order_address": ADDRESS,
    "modify_pending_order_payment": {"payment_method_id": "paypal_1"},
    "modify_pending_order_items": {"item_ids": [], "new_item_ids": [], "payment_method_id": "x"},
    "return_delivered_order_items": {"item_ids": [], "payment_method_id": "x"},
    "exchange_delivered_order_items": {
        "item_ids": [], "new_item_ids": [], "payment_method_id": "x"
    },
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(WRITES))
def test_unknown_order(tools: TauRetailTools, store: RetailStore, name: str) -> None:
    before = store.store_sha256()
    assert _call(tools, name, order_id="#W0000000", **WRITES[name]) == "Error: order not found"
    _unchanged(store, before)


@pytest.mark.parametrize(
    ("name", "status", "error"),
    [
        ("cancel_pending_order", "processed", "Error: non-pending order cannot be cancelled"),
        (
            "modify_pending_order_address",
            "delivered",
            "Error: non-pending order cannot be modified",
        ),
        (
            "modify_pending_order_payment",
            "cancelled",
            "Error: non-pending order cannot be modified",
        ),
        ("modify_pending_order_items", "processed", "Error: non-pending order cannot be modified"),
        (
            "return_delivered_order_items",
            "pending",
            "Error: non-delivered order cannot be returned",
        ),
        (
            "exchange_delivered_order_items",
            "processed",
            "Error: non-delivered order cannot be exchanged",
        ),
    ],
)
def test_wrong_status(
    tools: TauRetailTools, store: RetailStore, name: str, status: str, error: str
) -> None:
    order = first(store, "orders", _status(status))  # type: ignore[arg-type]
    before = store.store_sha256()
    assert _call(tools, name, order_id=order["order_id"], **WRITES[name]) == error
    _unchanged(store, before)


# -- cancel_pending_order ----------------------------------------------------------


def test_cancel_checks_the_reason_after_the_status(
    tools: TauRetailTools, store: RetailStore
) -> None:
    order = first(store, "orders", _status("pending"))  # type: ignore[arg-type]
    result = _call(tools, "cancel_pending_order", order_id=order["order_id"], reason="meh")
    assert result == "Error: invalid reason"


def test_cancel_refunds_every_entry_and_appends_the_reason_last(
    tools: TauRetailTools, store: RetailStore
) -> None:
    order = first(
        store,
        "orders",
        lambda o: (
            o["status"] == "pending" and "gift_card" in o["payment_history"][0]["payment_method_id"]
        ),
    )
    payment = order["payment_history"][0]
    card = methods(store, order)[payment["payment_method_id"]]
    result = json.loads(
        _call(
            tools, "cancel_pending_order", order_id=order["order_id"], reason="ordered by mistake"
        )
    )
    assert list(result)[-1] == "cancel_reason"
    assert result["status"] == "cancelled"
    assert result["payment_history"][-1] == {
        "transaction_type": "refund",
        "amount": payment["amount"],
        "payment_method_id": payment["payment_method_id"],
    }
    after = methods(store, store.get("orders", order["order_id"]))  # type: ignore[arg-type]
    assert after[card["id"]]["balance"] == round(card["balance"] + payment["amount"], 2)
    again = _call(
        tools, "cancel_pending_order", order_id=order["order_id"], reason="no longer needed"
    )
    assert again == "Error: non-pending order cannot be cancelled"


# -- modify_pending_order_address / modify_user_address ---------------------------------


def test_modify_order_address_writes_state_before_country(
    tools: TauRetailTools, store: RetailStore
) -> None:
    order = first(store, "orders", _status("pending"))  # type: ignore[arg-type]
    result = _call(tools, "modify_pending_order_address", order_id=order["order_id"], **ADDRESS)
    expected = dict(order, address=ADDRESS)
    assert result == json.dumps(expected)
    assert list(json.loads(result)["address"]) == list(ADDRESS)


def test_modify_user_address_returns_the_whole_user(
    tools: TauRetailTools, store: RetailStore
) -> None:
    user_id, user = next(iter(store.items("users")))
    result = _call(tools, "modify_user_address", user_id=user_id, **ADDRESS)
    assert result == json.dumps(dict(user, address=ADDRESS))
    unknown = _call(tools, "modify_user_address", user_id="nobody_1", **ADDRESS)
    assert unknown == "Error: user not found"


# -- modify_pending_order_payment ----------------------------------------------------


def _pending_with_other_method(store: RetailStore, source: str) -> tuple[Record, Record]:
    for _, order in store.items("orders"):
        if order["status"] != "pending" or len(order["payment_history"]) != 1:
            continue
        current = order["payment_history"][0]["payment_method_id"]
        for method in methods(store, order).values():
            if method["id"] != current and method["source"] == source:
                return order, method
    raise AssertionError(f"no pending order whose user has another {source}")


def test_modify_payment_errors_in_order(tools: TauRetailTools, store: RetailStore) -> None:
    order, other = _pending_with_other_method(store, "credit_card")
    oid = order["order_id"]
    current = order["payment_history"][0]["payment_method_id"]
    pay = "modify_pending_order_payment"
    assert _call(tools, pay, order_id=oid, payment_method_id="paypal_0") == (
        "Error: payment method not found"
    )
    assert _call(tools, pay, order_id=oid, payment_method_id=current) == (
        "Error: the new payment method should be different from the current one"
    )
    result = json.loads(_call(tools, pay, order_id=oid, payment_method_id=other["id"]))
    amount = order["payment_history"][0]["amount"]
    assert result["payment_history"][1:] == [
        {"transaction_type": "payment", "amount": amount, "payment_method_id": other["id"]},
        {"transaction_type": "refund", "amount": amount, "payment_method_id": current},
    ]
    assert result["status"] == "pending"
    assert _call(tools, pay, order_id=oid, payment_method_id=current) == (
        "Error: there should be exactly one payment for a pending order"
    )


def test_modify_payment_to_a_short_gift_card(tools: TauRetailTools, store: RetailStore) -> None:
    for _, order in store.items("orders"):
        card = gift_card_of(store, order)
        history = order["payment_history"]
        if (
            order["status"] == "pending"
            and card is not None
            and len(history) == 1
            and history[0]["payment_method_id"] != card["id"]
            and card["balance"] < history[0]["amount"]
        ):
            break
    else:
        pytest.fail("no pending order with a short gift card")
    before = store.store_sha256()
    result = _call(
        tools,
        "modify_pending_order_payment",
        order_id=order["order_id"],
        payment_method_id=card["id"],
    )
    assert result == "Error: insufficient gift card balance to pay for the order"
    _unchanged(store, before)


def test_modify_payment_to_a_gift_card_debits_it(tools: TauRetailTools, store: RetailStore) -> None:
    for _, order in store.items("orders"):
        card = gift_card_of(store, order)
        history = order["payment_history"]
        if (
            order["status"] == "pending"
            and card is not None
            and len(history) == 1
            and history[0]["payment_method_id"] != card["id"]
            and card["balance"] >= history[0]["amount"]
        ):
            break
    else:
        pytest.fail("no pending order with a rich gift card")
    _call(
        tools,
        "modify_pending_order_payment",
        order_id=order["order_id"],
        payment_method_id=card["id"],
    )
    balance = methods(store, order)[card["id"]]["balance"]
    assert balance == round(card["balance"] - order["payment_history"][0]["amount"], 2)
    assert isinstance(balance, float)


# -- modify_pending_order_items / exchange_delivered_order_items ---------------------------


@pytest.mark.parametrize(
    ("name", "status"),
    [("modify_pending_order_items", "pending"), ("exchange_delivered_order_items", "delivered")],
)
def test_item_checks_in_order(
    tools: TauRetailTools, store: RetailStore, name: str, status: str
) -> None:
    order = first(
        store,
        "orders",
        lambda o: o["status"] == status and unavailable_variant(store, o) is not None,
    )
    oid = order["order_id"]
    item = order["items"][0]["item_id"]
    method = next(iter(methods(store, order)))
    before = store.store_sha256()

    def call(old: list[str], new: list[str], pm: str = method) -> str:
        return _call(
            tools, name, order_id=oid, item_ids=old, new_item_ids=new, payment_method_id=pm
        )

    count = sum(1 for i in order["items"] if i["item_id"] == item)
    assert call(["0000000000"], ["1"]) == "Error: 0000000000 not found"
    assert call([item] * (count + 1), [item] * (count + 1)) == f"Error: {item} not found"
    assert call([item], []) == "Error: the number of items to be exchanged should match"
    old, gone = unavailable_variant(store, order)  # type: ignore[misc]
    assert call([old], [gone]) == f"Error: new item {gone} not found or available"
    alien = other_product_variant(store, order)
    assert call([item], [alien]) == f"Error: new item {alien} not found or available"
    swap_old, swap_new, _ = dearest_swap(store, order)
    assert call([swap_old], [swap_new], "paypal_0") == "Error: payment method not found"
    _unchanged(store, before)


def test_modify_items_keeps_the_difference_unrounded_and_locks_the_order(
    tools: TauRetailTools, store: RetailStore
) -> None:
    order = first(store, "orders", _status("pending"))  # type: ignore[arg-type]
    old, new, _ = dearest_swap(store, order)
    method = order["payment_history"][0]["payment_method_id"]
    result = json.loads(
        _call(
            tools,
            "modify_pending_order_items",
            order_id=order["order_id"],
            item_ids=[old],
            new_item_ids=[new],
            payment_method_id=method,
        )
    )
    variant_price = next(
        v["price"]
        for _, p in store.items("products")
        for v in p["variants"].values()
        if v["item_id"] == new
    )
    old_price = next(i["price"] for i in order["items"] if i["item_id"] == old)
    difference = 0 + (variant_price - old_price)
    assert result["payment_history"][-1] == {
        "transaction_type": "payment" if difference > 0 else "refund",
        "amount": abs(difference),
        "payment_method_id": method,
    }
    assert result["status"] == "pending (item modified)"
    assert list(result) == list(order)
    cancel = _call(
        tools, "cancel_pending_order", order_id=order["order_id"], reason="no longer needed"
    )
    assert cancel == "Error: non-pending order cannot be cancelled"


def test_modify_items_with_empty_lists_refunds_integer_zero(
    tools: TauRetailTools, store: RetailStore
) -> None:
    order = first(store, "orders", _status("pending"))  # type: ignore[arg-type]
    method = order["payment_history"][0]["payment_method_id"]
    result = _call(
        tools,
        "modify_pending_order_items",
        order_id=order["order_id"],
        item_ids=[],
        new_item_ids=[],
        payment_method_id=method,
    )
    assert (
        f'{{"transaction_type": "refund", "amount": 0, "payment_method_id": "{method}"}}' in result
    )


@pytest.mark.parametrize(
    ("name", "status", "error"),
    [
        (
            "modify_pending_order_items",
            "pending",
            "Error: insufficient gift card balance to pay for the new item",
        ),
        (
            "exchange_delivered_order_items",
            "delivered",
            "Error: insufficient gift card balance to pay for the price difference",
        ),
    ],
)
def test_items_short_gift_card(
    tools: TauRetailTools, store: RetailStore, name: str, status: str, error: str
) -> None:
    for _, order in store.items("orders"):
        card = gift_card_of(store, order)
        if order["status"] == status and card is not None:
            old, new, rise = dearest_swap(store, order)
            if rise > card["balance"]:
                break
    else:
        pytest.fail("no order with a gift card short of an upgrade")
    before = store.store_sha256()
    result = _call(
        tools, name, order_id=order["order_id"], item_ids=[old], new_item_ids=[new],
        payment_method_id=card["id"],
    )  # fmt: skip
    assert result == error
    _unchanged(store, before)


def test_exchange_appends_sorted_lists_and_rounded_difference(
    tools: TauRetailTools, store: RetailStore
) -> None:
    order = first(
        store,
        "orders",
        lambda o: (
            o["status"] == "delivered"
            and len(o["items"]) > 1
            and "gift_card" not in o["payment_history"][0]["payment_method_id"]
        ),
    )
    old, new, rise = dearest_swap(store, order)
    method = order["payment_history"][0]["payment_method_id"]
    result = json.loads(
        _call(
            tools,
            "exchange_delivered_order_items",
            order_id=order["order_id"],
            item_ids=[old],
            new_item_ids=[new],
            payment_method_id=method,
        )
    )
    assert list(result)[len(order) :] == [
        "exchange_items",
        "exchange_new_items",
        "exchange_payment_method_id",
        "exchange_price_difference",
    ]
    assert result["exchange_price_difference"] == round(0 + rise, 2)
    assert result["items"] == order["items"]
    assert result["payment_history"] == order["payment_history"]


# -- return_delivered_order_items ------------------------------------------------------


def test_return_checks_in_order_and_sorts_the_items(
    tools: TauRetailTools, store: RetailStore
) -> None:
    order = first(
        store,
        "orders",
        lambda o: (
            o["status"] == "delivered"
            and "gift_card" not in o["payment_history"][0]["payment_method_id"]
            and any(
                m["id"] != o["payment_history"][0]["payment_method_id"]
                and m["source"] != "gift_card"
                for m in methods(store, o).values()
            )
        ),
    )
    oid = order["order_id"]
    original = order["payment_history"][0]["payment_method_id"]
    other = next(
        m["id"]
        for m in methods(store, order).values()
        if m["id"] != original and m["source"] != "gift_card"
    )
    items = [item["item_id"] for item in order["items"]]
    ret = "return_delivered_order_items"
    assert _call(tools, ret, order_id=oid, item_ids=items, payment_method_id="x") == (
        "Error: payment method not found"
    )
    assert _call(tools, ret, order_id=oid, item_ids=items, payment_method_id=other) == (
        "Error: payment method should be either the original payment method or a gift card"
    )
    assert _call(
        tools, ret, order_id=oid, item_ids=[*items, items[0]], payment_method_id=original
    ) == ("Error: some item not found")
    result = json.loads(
        _call(tools, ret, order_id=oid, item_ids=list(reversed(items)), payment_method_id=original)
    )
    assert result == {
        **order,
        "status": "return requested",
        "return_items": sorted(items),
        "return_payment_method_id": original,
    }
