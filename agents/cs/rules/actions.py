"""Planning one account change: from the request and the store's records to a write, or why not.

`plan_order_action` checks what the policy asks of the order (status, ownership of the payment
method, the variant's availability) and returns one of: tools still to read (`NeedTools`), a
detail to ask for (`Ask`), a refusal with its reason (`Refuse`), or the exact write to propose
(`Propose`). It never writes; the dialogue policy proposes and waits for a yes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from shopcrew.agents.cs.rules.items import (
    ALL_COPIES,
    ItemMention,
    extract_item_mentions,
    extract_options,
    find_products,
    shifted_size,
)
from shopcrew.agents.cs.rules.lexicon import cue
from shopcrew.agents.cs.rules.nlu import STATUS_NEEDED
from shopcrew.agents.cs.rules.request import Request
from shopcrew.agents.cs.rules.slots import Address, resolve_payment
from shopcrew.tools.tau.names import (
    CANCEL_PENDING_ORDER,
    EXCHANGE_DELIVERED_ORDER_ITEMS,
    GET_PRODUCT_DETAILS,
    MODIFY_PENDING_ORDER_ADDRESS,
    MODIFY_PENDING_ORDER_ITEMS,
    MODIFY_PENDING_ORDER_PAYMENT,
    MODIFY_USER_ADDRESS,
    RETURN_DELIVERED_ORDER_ITEMS,
)

__all__ = [
    "Ask",
    "Call",
    "ItemChange",
    "NeedTools",
    "Plan",
    "Propose",
    "Refuse",
    "address_args",
    "net_paid",
    "order_item_names",
    "plan_order_action",
    "plan_user_address",
]

AskWhat = Literal[
    "reason", "address", "payment", "new_payment", "refund_method", "items", "new_options"
]
RefuseWhy = Literal[
    "status",
    "payment_unknown",
    "refund_method",
    "same_payment",
    "payment_changed",
    "gift_insufficient",
    "unavailable",
    "item_unknown",
    "partial_cancel",
]


@dataclass(frozen=True, slots=True)
class Call:
    """A tool call: τ-bench name and arguments."""

    name: str
    args: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class NeedTools:
    """Records still to read before deciding."""

    calls: tuple[Call, ...]


@dataclass(frozen=True, slots=True)
class Ask:
    """A detail the customer has not given yet."""

    what: AskWhat
    order_id: str | None = None


@dataclass(frozen=True, slots=True)
class Refuse:
    """What the policy forbids, and why."""

    why: RefuseWhy
    order_id: str | None = None
    status: str | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ItemChange:
    """One item as the proposal states it."""

    name: str
    options: Mapping[str, str]
    new_options: Mapping[str, str] | None = None
    price: float = 0.0
    new_price: float | None = None


@dataclass(frozen=True, slots=True)
class Propose:
    """The exact write to propose, with what the reply must state."""

    call: Call
    order_id: str | None = None
    amount: float | None = None
    """Refund (cancel, return) or absolute price difference (item change)."""
    difference: float | None = None
    items: tuple[ItemChange, ...] = ()
    payment: str | None = None
    """Payment method id used (refund target or payer)."""
    payment_method: Mapping[str, Any] = field(default_factory=dict)


Plan = NeedTools | Ask | Refuse | Propose

_ONLY = cue("only")
"""Words that narrow a request to the items it names ("only the Yoga Mat", "只取消…")."""
_EXCEPT = cue("except")
"""Words that keep part of the order, named or not ("except the bulb", "除了灯泡都取消")."""

_EVERYTHING = cue("everything")
"""The whole order ("everything", "全部商品")."""


def _has_cjk(text: str) -> bool:
    return re.search(r"[\u4e00-\u9fff]", text) is not None


def address_args(address: Address) -> dict[str, str]:
    """The τ-bench address arguments of an address."""
    return {
        "address1": address.address1,
        "address2": address.address2,
        "city": address.city,
        "state": address.state,
        "country": address.country,
        "zip": address.zip,
    }


def net_paid(order: Mapping[str, Any]) -> float:
    """Payments minus refunds of an order's payment history."""
    total = 0.0
    for entry in order.get("payment_history", []):
        sign = 1 if entry.get("transaction_type") == "payment" else -1
        total += sign * float(entry.get("amount", 0.0))
    return round(total, 2)


def order_item_names(order: Mapping[str, Any]) -> tuple[str, ...]:
    """Distinct product names of an order's items, in order."""
    names: list[str] = []
    for item in order.get("items", []):
        if item["name"] not in names:
            names.append(item["name"])
    return tuple(names)


def plan_user_address(request: Request, user_id: str) -> Ask | Propose:
    """Plan a change of the customer's default address."""
    if request.address is None:
        return Ask("address")
    args = {"user_id": user_id, **address_args(request.address)}
    return Propose(Call(MODIFY_USER_ADDRESS, args))


def _catalog(
    order: Mapping[str, Any], products: Mapping[str, Mapping[str, Any]]
) -> dict[str, dict[str, list[str]]]:
    catalog: dict[str, dict[str, list[str]]] = {}
    for item in order.get("items", []):
        options = catalog.setdefault(item["name"], {})
        for key, value in item.get("options", {}).items():
            options.setdefault(key, []).append(str(value))
        product = products.get(item["product_id"])
        for variant in (product or {}).get("variants", {}).values():
            for key, value in variant.get("options", {}).items():
                options.setdefault(key, []).append(str(value))
    return catalog


def _select_items(
    order: Mapping[str, Any], mentions: tuple[ItemMention, ...], *, default_all: bool
) -> list[tuple[ItemMention, Mapping[str, Any]]] | Plan:
    items = list(order.get("items", []))
    used: set[int] = set()
    chosen: list[tuple[ItemMention, Mapping[str, Any]]] = []
    for mention in mentions:
        candidates = [
            index
            for index, item in enumerate(items)
            if index not in used
            and item["name"] == mention.name
            and all(str(item["options"].get(k)) == v for k, v in mention.options)
        ]
        if not candidates:
            return Refuse("item_unknown", order.get("order_id"), detail=mention.name)
        distinct = {items[index]["item_id"] for index in candidates}
        if mention.quantity == ALL_COPIES:
            picked = candidates
        elif len(distinct) > 1:
            return Ask("items", order.get("order_id"))
        elif mention.quantity is None and default_all:
            picked = candidates[:1]
        else:
            picked = candidates[: max(1, mention.quantity or 1)]
        for index in picked:
            used.add(index)
            chosen.append((mention, items[index]))
    return chosen


def _variant(
    product: Mapping[str, Any], options: Mapping[str, Any], new: Mapping[str, str]
) -> Mapping[str, Any] | None:
    target = {key: str(value) for key, value in options.items()} | dict(new)
    available: list[Mapping[str, Any]] = [
        variant
        for variant in product.get("variants", {}).values()
        if variant.get("available")
        and all(str(variant["options"].get(key)) == value for key, value in new.items())
    ]
    exact = [v for v in available if {k: str(x) for k, x in v["options"].items()} == target]
    if exact:
        return exact[0]
    return available[0] if len(available) == 1 else None


def _methods(user: Mapping[str, Any]) -> Mapping[str, Mapping[str, Any]]:
    methods = user.get("payment_methods", {})
    return methods if isinstance(methods, dict) else {}


def _original_method(order: Mapping[str, Any]) -> str | None:
    history = order.get("payment_history", [])
    return str(history[0]["payment_method_id"]) if history else None


def _payer(
    request: Request,
    user: Mapping[str, Any],
    order: Mapping[str, Any],
    *,
    ask: AskWhat = "payment",
) -> tuple[str, Mapping[str, Any]] | Plan:
    """The payment method the request names; `ask` is the question when it names none."""
    if request.payment is None:
        return Ask(ask, order.get("order_id"))
    methods = _methods(user)
    method_id = resolve_payment(request.payment, methods, original_id=_original_method(order))
    if method_id is None:
        return Refuse("payment_unknown", order.get("order_id"))
    return method_id, methods[method_id]


def _status_refusal(action: str, order: Mapping[str, Any]) -> Refuse | None:
    status = str(order.get("status"))
    needed = STATUS_NEEDED.get(action, "delivered")
    if status != needed:
        return Refuse("status", order.get("order_id"), status=status)
    return None


def _plan_payment(request: Request, user: Mapping[str, Any], order: Mapping[str, Any]) -> Plan:
    order_id = str(order["order_id"])
    payer = _payer(request, user, order, ask="new_payment")
    if not isinstance(payer, tuple):
        return payer
    method_id, method = payer
    history = order.get("payment_history", [])
    if len(history) != 1 or history[0].get("transaction_type") != "payment":
        return Refuse("payment_changed", order_id)
    if history[0]["payment_method_id"] == method_id:
        return Refuse("same_payment", order_id)
    amount = float(history[0]["amount"])
    if method.get("source") == "gift_card" and float(method.get("balance", 0)) < amount:
        return Refuse("gift_insufficient", order_id, detail=str(method.get("balance")))
    call = Call(
        MODIFY_PENDING_ORDER_PAYMENT, {"order_id": order_id, "payment_method_id": method_id}
    )
    return Propose(call, order_id, amount=amount, payment=method_id, payment_method=method)


def _plan_return(request: Request, user: Mapping[str, Any], order: Mapping[str, Any]) -> Plan:
    order_id = str(order["order_id"])
    mentions = extract_item_mentions(request.item_text, _catalog(order, {}))
    chosen: list[tuple[ItemMention, Mapping[str, Any]]] | Plan
    if mentions:
        chosen = _select_items(order, mentions, default_all=False)
    elif _EVERYTHING.search(request.text):
        chosen = [(ItemMention(item["name"]), item) for item in order.get("items", [])]
    else:
        return Ask("items", order_id)
    if not isinstance(chosen, list):
        return chosen
    if request.payment is None:
        return Ask("refund_method", order_id)
    methods = _methods(user)
    original = _original_method(order)
    method_id = resolve_payment(request.payment, methods, original_id=original)
    if method_id is None:
        return Refuse("refund_method", order_id)
    if method_id != original and "gift_card" not in method_id:
        return Refuse("refund_method", order_id)
    item_ids = [str(item["item_id"]) for _, item in chosen]
    amount = round(sum(float(item["price"]) for _, item in chosen), 2)
    changes = tuple(
        ItemChange(item["name"], item["options"], price=float(item["price"])) for _, item in chosen
    )
    args = {"order_id": order_id, "item_ids": item_ids, "payment_method_id": method_id}
    return Propose(
        Call(RETURN_DELIVERED_ORDER_ITEMS, args),
        order_id,
        amount=amount,
        items=changes,
        payment=method_id,
        payment_method=methods[method_id],
    )


def _corrected(
    mentions: tuple[ItemMention, ...],
    later: tuple[str, ...],
    catalog: Mapping[str, Mapping[str, list[str]]],
) -> tuple[ItemMention, ...]:
    """The item change after later messages that restate its options without naming the item.

    With one item at hand, "No wait, make it color red instead" / "不对，换成红色的" replaces the
    options it names and keeps the others asked for; with several items a correction must name
    the item (it then starts a new item message and is read from there).
    """
    if len(mentions) != 1:
        return mentions
    mention = mentions[0]
    wanted = dict(mention.new_options)
    for text in later:
        for key, value, _ in extract_options(text, catalog[mention.name]):
            wanted[key] = value
    return (replace(mention, new_options=tuple(wanted.items())),)


def _plan_item_change(
    request: Request,
    user: Mapping[str, Any],
    order: Mapping[str, Any],
    products: Mapping[str, Mapping[str, Any]],
) -> Plan:
    order_id = str(order["order_id"])
    names = order_item_names(order)
    named = {name for name, _, _ in find_products(request.item_text, list(names))}
    ids = {item["product_id"] for item in order["items"] if item["name"] in named}
    missing = sorted(pid for pid in ids if pid not in products)
    if missing:
        return NeedTools(tuple(Call(GET_PRODUCT_DETAILS, {"product_id": p}) for p in missing))
    catalog = _catalog(order, products)
    mentions = _corrected(
        tuple(
            m
            for m in extract_item_mentions(request.item_text, catalog)
            if m.new_options or m.size_shift
        ),
        request.after_items,
        catalog,
    )
    if not mentions:
        return Ask("new_options" if named else "items", order_id)
    chosen = _select_items(order, mentions, default_all=False)
    if not isinstance(chosen, list):
        return chosen
    pairs: list[tuple[Mapping[str, Any], Mapping[str, Any], ItemMention]] = []
    for mention, item in chosen:
        new_options = dict(mention.new_options)
        if mention.size_shift:
            step = shifted_size(catalog[mention.name], item["options"], mention.size_shift)
            if step is None:
                return Ask("new_options", order_id)
            new_options.setdefault(*step)
        mention = replace(mention, new_options=tuple(new_options.items()))
        variant = _variant(products[item["product_id"]], item["options"], new_options)
        if variant is None:
            wanted = ", ".join(f"{key} {value}" for key, value in mention.new_options)
            return Refuse("unavailable", order_id, detail=f"{item['name']} ({wanted})")
        pairs.append((item, variant, mention))
    difference = sum(float(v["price"]) - float(item["price"]) for item, v, _ in pairs)
    payer = _payer(request, user, order)
    if not isinstance(payer, tuple):
        return payer
    method_id, method = payer
    if method.get("source") == "gift_card" and float(method.get("balance", 0)) < difference:
        return Refuse("gift_insufficient", order_id, detail=str(method.get("balance")))
    name = (
        MODIFY_PENDING_ORDER_ITEMS
        if order.get("status") == "pending"
        else EXCHANGE_DELIVERED_ORDER_ITEMS
    )
    args = {
        "order_id": order_id,
        "item_ids": [str(item["item_id"]) for item, _, _ in pairs],
        "new_item_ids": [str(variant["item_id"]) for _, variant, _ in pairs],
        "payment_method_id": method_id,
    }
    changes = tuple(
        ItemChange(item["name"], item["options"], v["options"], float(item["price"]), v["price"])
        for item, v, _ in pairs
    )
    return Propose(
        Call(name, args),
        order_id,
        amount=abs(round(difference, 2)),
        difference=round(difference, 2),
        items=changes,
        payment=method_id,
        payment_method=method,
    )


def plan_order_action(
    request: Request,
    user: Mapping[str, Any],
    order: Mapping[str, Any],
    products: Mapping[str, Mapping[str, Any]],
) -> Plan:
    """Plan the requested change of one of the customer's orders (already read).

    Args:
        request: The current request; its ``action`` is an order action (not status).
        user: The customer's record.
        order: The order's current record.
        products: Product records read so far, by product id.
    """
    action = request.action
    order_id = str(order["order_id"])
    if action in {"modify_items", "exchange"}:
        action = "modify_items" if order.get("status") == "pending" else "exchange"
    refusal = _status_refusal(str(action), order)
    if refusal is not None:
        return refusal
    if action == "cancel":
        names = order_item_names(order)
        named = {name for name, _, _ in find_products(request.item_text, names)}
        partial = named < set(names) and bool(_ONLY.search(request.item_text))
        if (named and partial) or _EXCEPT.search(request.text):
            # The policy cancels whole orders only: never read "only the X" as the whole order.
            some = "部分商品" if _has_cjk(request.text) else "some items"
            return Refuse("partial_cancel", order_id, detail=", ".join(sorted(named)) or some)
        if request.reason is None:
            return Ask("reason", order_id)
        args = {"order_id": order_id, "reason": request.reason}
        return Propose(Call(CANCEL_PENDING_ORDER, args), order_id, amount=net_paid(order))
    if action == "modify_address":
        if request.address is None:
            return Ask("address", order_id)
        args = {"order_id": order_id, **address_args(request.address)}
        return Propose(Call(MODIFY_PENDING_ORDER_ADDRESS, args), order_id)
    if action == "modify_payment":
        return _plan_payment(request, user, order)
    if action == "return":
        return _plan_return(request, user, order)
    return _plan_item_change(request, user, order, products)
