"""The retail store's rules: τ-bench's checks and writes on raw records.

Each write function reads a `RetailStore`, runs every check in τ-bench's order (the first
failing one raises), and returns a `Change` of new whole records plus the record to show.
Nothing here mutates a record the store holds: changes are made on copies, so a failure at
any point leaves the store as it was. Money is plain float arithmetic in τ-bench's order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final

from shopcrew.errors import RetailRuleError, UnknownRecordError
from shopcrew.tools.reference.store import Change, Record, RetailStore, TableName, copy_record

CANCEL_REASONS: Final = ("no longer needed", "ordered by mistake")

Result = tuple[Change, Record]


# -- lookups -------------------------------------------------------------------


def _require(store: RetailStore, table: TableName, kind: str, key: str, hint: str) -> Record:
    """Return the record `key` of `table` or raise `UnknownRecordError` with `hint`."""
    record = store.get(table, key)
    if record is None:
        raise UnknownRecordError(kind, key, merchant_id=store.merchant_id, hint=hint)
    return record


def order(store: RetailStore, order_id: str) -> Record:
    """Return an order record or raise `UnknownRecordError`."""
    return _require(
        store, "orders", "order", order_id, "Order ids look like '#W1234567', with the '#'."
    )


def user(store: RetailStore, user_id: str) -> Record:
    """Return a user record or raise `UnknownRecordError`."""
    return _require(
        store, "users", "customer", user_id, "Find the id by email or by name and zip first."
    )


def product(store: RetailStore, product_id: str) -> Record:
    """Return a product record or raise `UnknownRecordError`."""
    return _require(
        store,
        "products",
        "product",
        product_id,
        "Item ids are not product ids; list the product types for the ids.",
    )


def _method(store: RetailStore, owner: Record, method_id: str) -> Record:
    method: Record | None = owner["payment_methods"].get(method_id)
    if method is None:
        raise UnknownRecordError(
            "payment method",
            method_id,
            merchant_id=store.merchant_id,
            hint="Use one of the payment methods of the order's customer.",
        )
    return method


def find_user_id_by_email(store: RetailStore, email: str) -> str:
    """Return the first user id whose email equals `email`, ignoring case."""
    wanted = email.lower()
    for user_id, record in store.items("users"):
        if record["email"].lower() == wanted:
            return user_id
    raise UnknownRecordError("customer", email, merchant_id=store.merchant_id)


def find_user_id_by_name_zip(
    store: RetailStore, first_name: str, last_name: str, zip_code: str
) -> str:
    """Return the first user id with this name (any case) and exactly this default zip."""
    first, last = first_name.lower(), last_name.lower()
    for user_id, record in store.items("users"):
        name = record["name"]
        if (
            name["first_name"].lower() == first
            and name["last_name"].lower() == last
            and record["address"]["zip"] == zip_code
        ):
            return user_id
    wanted = f"{first_name} {last_name} {zip_code}"
    raise UnknownRecordError("customer", wanted, merchant_id=store.merchant_id)


def phone_matches(stored: str, given: str) -> bool:
    """Whether a mobile number given (11 digits, or the last four) fits a stored one.

    The stored number may be masked (`138****5678`): every digit it shows must match, and a
    full number must have its length; four digits are the number's last four.
    """
    shown = re.sub(r"[\s\-]", "", stored).removeprefix("+86")
    if re.fullmatch(r"\d{4}", given):
        return shown[-4:] == given and shown[-4:].isdigit()
    if len(given) != len(shown):
        return False
    return all(s == g for s, g in zip(shown, given, strict=True) if s.isdigit())


def find_user_id_by_name_phone(
    store: RetailStore, first_name: str, last_name: str, phone: str
) -> str:
    """Return the one user id with this name (any case) whose mobile number fits `phone`."""
    first, last = first_name.lower(), last_name.lower()
    found = [
        user_id
        for user_id, record in store.items("users")
        if record["name"]["first_name"].lower() == first
        and record["name"]["last_name"].lower() == last
        and record.get("phone")
        and phone_matches(str(record["phone"]), phone)
    ]
    if len(found) == 1:
        return found[0]
    # none, or several that the digits given cannot tell apart: identify nobody
    raise UnknownRecordError(
        "customer", f"{first_name} {last_name} {phone}", merchant_id=store.merchant_id
    )


def product_types(store: RetailStore) -> dict[str, str]:
    """Return product name to id, names sorted; a later duplicate name wins."""
    types = {record["name"]: record["product_id"] for _, record in store.items("products")}
    return dict(sorted(types.items()))


def new_address(
    address1: str, address2: str, city: str, state: str, country: str, zip_code: str
) -> Record:
    """Build an address in the key order tools write (state before country)."""
    return {
        "address1": address1,
        "address2": address2,
        "city": city,
        "state": state,
        "country": country,
        "zip": zip_code,
    }


# -- checks shared by several writes ---------------------------------------------


def _require_status(record: Record, status: str, rule: str) -> None:
    if record["status"] != status:
        raise RetailRuleError(rule, hint=f"The order's status is {record['status']!r}.")


def _check_counts(record: Record, item_ids: Sequence[str], rule: str | None) -> None:
    """Raise when an id occurs more often in `item_ids` than in the order."""
    in_order = [item["item_id"] for item in record["items"]]
    for item_id in item_ids:
        if item_ids.count(item_id) > in_order.count(item_id):
            raise RetailRuleError(rule or f"{item_id} not found", hint="Check the order's items.")


def _price_difference(
    store: RetailStore, record: Record, item_ids: Sequence[str], new_item_ids: Sequence[str]
) -> tuple[float, list[Record]]:
    """Check the new variants and sum new minus old prices, unrounded, from integer 0."""
    if len(item_ids) != len(new_item_ids):
        raise RetailRuleError("the number of items to be exchanged should match")
    difference: float = 0
    variants: list[Record] = []
    for old_id, new_id in zip(item_ids, new_item_ids, strict=True):
        old = next(item for item in record["items"] if item["item_id"] == old_id)
        variant = store.get("products", old["product_id"])
        found = None if variant is None else variant["variants"].get(new_id)
        if found is None or not found["available"]:
            raise RetailRuleError(
                f"new item {new_id} not found or available",
                hint="The new item must be an available variant of the same product.",
            )
        difference += found["price"] - old["price"]
        variants.append(found)
    return difference, variants


def _short_gift_card(method: Record, amount: Any) -> bool:
    return bool(method["source"] == "gift_card" and method["balance"] < amount)


# -- writes ----------------------------------------------------------------------


def cancel_order(store: RetailStore, order_id: str, reason: str) -> Result:
    """Cancel a pending order, refunding every payment-history entry."""
    current = order(store, order_id)
    _require_status(current, "pending", "non-pending order cannot be cancelled")
    if reason not in CANCEL_REASONS:
        raise RetailRuleError("invalid reason", hint=f"Use one of {CANCEL_REASONS}.")
    owner = copy_record(user(store, current["user_id"]))
    refunds = [
        {
            "transaction_type": "refund",
            "amount": entry["amount"],
            "payment_method_id": entry["payment_method_id"],
        }
        for entry in current["payment_history"]
    ]
    for refund in refunds:
        if "gift_card" in refund["payment_method_id"]:
            card = _method(store, owner, refund["payment_method_id"])
            card["balance"] = round(card["balance"] + refund["amount"], 2)
    updated = copy_record(current)
    updated["status"] = "cancelled"
    updated["cancel_reason"] = reason
    updated["payment_history"].extend(refunds)
    return Change(orders={order_id: updated}, users={current["user_id"]: owner}), updated


def modify_order_address(store: RetailStore, order_id: str, address: Record) -> Result:
    """Replace the address of a pending order (`address` in tool key order)."""
    current = order(store, order_id)
    _require_status(current, "pending", "non-pending order cannot be modified")
    updated = copy_record(current)
    updated["address"] = dict(address)
    return Change(orders={order_id: updated}), updated


def modify_order_payment(store: RetailStore, order_id: str, method_id: str) -> Result:
    """Pay a pending order with another method and refund the original one."""
    current = order(store, order_id)
    _require_status(current, "pending", "non-pending order cannot be modified")
    owner = copy_record(user(store, current["user_id"]))
    method = _method(store, owner, method_id)
    history = current["payment_history"]
    if len(history) != 1 or history[0]["transaction_type"] != "payment":
        raise RetailRuleError("there should be exactly one payment for a pending order")
    amount, old_id = history[0]["amount"], history[0]["payment_method_id"]
    if method_id == old_id:
        raise RetailRuleError("the new payment method should be different from the current one")
    if _short_gift_card(method, amount):
        raise RetailRuleError("insufficient gift card balance to pay for the order")
    updated = copy_record(current)
    updated["payment_history"].extend(
        [
            {"transaction_type": "payment", "amount": amount, "payment_method_id": method_id},
            {"transaction_type": "refund", "amount": amount, "payment_method_id": old_id},
        ]
    )
    if method["source"] == "gift_card":
        method["balance"] = round(method["balance"] - amount, 2)
    if "gift_card" in old_id:
        old = _method(store, owner, old_id)
        old["balance"] = round(old["balance"] + amount, 2)
    return Change(orders={order_id: updated}, users={current["user_id"]: owner}), updated


def modify_order_items(
    store: RetailStore,
    order_id: str,
    item_ids: Sequence[str],
    new_item_ids: Sequence[str],
    method_id: str,
) -> Result:
    """Swap items of a pending order for other variants, charging the difference."""
    current = order(store, order_id)
    _require_status(current, "pending", "non-pending order cannot be modified")
    _check_counts(current, item_ids, None)
    difference, variants = _price_difference(store, current, item_ids, new_item_ids)
    owner = copy_record(user(store, current["user_id"]))
    method = _method(store, owner, method_id)
    if _short_gift_card(method, difference):
        raise RetailRuleError("insufficient gift card balance to pay for the new item")
    updated = copy_record(current)
    updated["payment_history"].append(
        {
            "transaction_type": "payment" if difference > 0 else "refund",
            "amount": abs(difference),
            "payment_method_id": method_id,
        }
    )
    if method["source"] == "gift_card":
        method["balance"] = round(method["balance"] - difference, 2)
    for old_id, new_id, variant in zip(item_ids, new_item_ids, variants, strict=True):
        item = next(item for item in updated["items"] if item["item_id"] == old_id)
        item["item_id"] = new_id
        item["price"] = variant["price"]
        item["options"] = copy_record(variant["options"])
    updated["status"] = "pending (item modified)"
    return Change(orders={order_id: updated}, users={current["user_id"]: owner}), updated


def return_order_items(
    store: RetailStore, order_id: str, item_ids: Sequence[str], method_id: str
) -> Result:
    """Request the return of items of a delivered order."""
    current = order(store, order_id)
    _require_status(current, "delivered", "non-delivered order cannot be returned")
    _method(store, user(store, current["user_id"]), method_id)
    history = current["payment_history"]
    if "gift_card" not in method_id and (
        not history or method_id != history[0]["payment_method_id"]
    ):
        raise RetailRuleError(
            "payment method should be either the original payment method or a gift card"
        )
    _check_counts(current, item_ids, "some item not found")
    updated = copy_record(current)
    updated["status"] = "return requested"
    updated["return_items"] = sorted(item_ids)
    updated["return_payment_method_id"] = method_id
    return Change(orders={order_id: updated}), updated


def exchange_order_items(
    store: RetailStore,
    order_id: str,
    item_ids: Sequence[str],
    new_item_ids: Sequence[str],
    method_id: str,
) -> Result:
    """Request the exchange of items of a delivered order for other variants."""
    current = order(store, order_id)
    _require_status(current, "delivered", "non-delivered order cannot be exchanged")
    _check_counts(current, item_ids, None)
    difference, _ = _price_difference(store, current, item_ids, new_item_ids)
    difference = round(difference, 2)
    method = _method(store, user(store, current["user_id"]), method_id)
    if _short_gift_card(method, difference):
        raise RetailRuleError("insufficient gift card balance to pay for the price difference")
    updated = copy_record(current)
    updated["status"] = "exchange requested"
    updated["exchange_items"] = sorted(item_ids)
    updated["exchange_new_items"] = sorted(new_item_ids)
    updated["exchange_payment_method_id"] = method_id
    updated["exchange_price_difference"] = difference
    return Change(orders={order_id: updated}), updated


def modify_user_address(store: RetailStore, user_id: str, address: Record) -> Result:
    """Replace a user's default address (`address` in tool key order)."""
    updated = copy_record(user(store, user_id))
    updated["address"] = dict(address)
    return Change(users={user_id: updated}), updated
