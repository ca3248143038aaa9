"""Checking a proposed write against the store's records, and the facts its confirmation states.

`describe` refuses a proposal the shop's rules would refuse (status, items not in the order, a
variant that is not an available variant of the same product, a payment method the customer
does not hold, a refund target other than the original method or a gift card, a gift card
that cannot cover the charge, an empty address field) and otherwise computes what the
customer must read before saying yes: the items with their options and prices, the amount
refunded or charged and where it goes, the address in full.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from shopcrew.tools.records.retail import (
    Address,
    Customer,
    GiftCard,
    Order,
    OrderItem,
    PaymentMethod,
    Product,
)
from shopcrew.tools.tau.names import (
    CANCEL_PENDING_ORDER,
    CANCEL_REASONS,
    ITEM_CHANGE_TOOLS,
    MODIFY_PENDING_ORDER_ADDRESS,
    MODIFY_PENDING_ORDER_PAYMENT,
    MODIFY_USER_ADDRESS,
    RETURN_DELIVERED_ORDER_ITEMS,
    STATUS_NEEDED,
)

__all__ = ["ItemLine", "Problem", "ProblemCode", "ProposalFacts", "Refund", "describe"]

ProblemCode = Literal[
    "incomplete",
    "reason",
    "status",
    "item_not_in_order",
    "item_count",
    "variant_unavailable",
    "payment_not_yours",
    "refund_target",
    "same_payment",
    "payment_changed",
    "gift_card_short",
]

_ADDRESS_FIELDS: Final = ("address1", "city", "state", "country", "zip")
"""Address fields a proposal may not leave empty (`address2` may be)."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Why the shop's rules refuse a proposal."""

    code: ProblemCode
    detail: Mapping[str, str] = field(default_factory=dict)
    """Values the explanation names (status, item, balance...)."""


@dataclass(frozen=True, slots=True)
class ItemLine:
    """An item of the proposal: what it is, how many, and what it becomes."""

    name: str
    options: Mapping[str, str]
    price: float
    count: int = 1
    new_options: Mapping[str, str] | None = None
    new_price: float | None = None


@dataclass(frozen=True, slots=True)
class Refund:
    """Money going back to one payment method."""

    amount: float
    method: PaymentMethod


@dataclass(frozen=True, slots=True)
class ProposalFacts:
    """What a checked proposal does, as its confirmation states it."""

    name: str
    order_id: str | None = None
    items: tuple[ItemLine, ...] = ()
    reason: str | None = None
    address: Address | None = None
    old_address: Address | None = None
    method: PaymentMethod | None = None
    """The payer of a difference or a new payment, or where a refund goes."""
    old_method: PaymentMethod | None = None
    amount: float = 0.0
    """The total refunded or charged (for item changes: the difference's absolute value)."""
    difference: float = 0.0
    """New minus old price of an item change (positive: the customer pays)."""
    refunds: tuple[Refund, ...] = ()


def _address(args: Mapping[str, Any]) -> Address | Problem:
    missing = [name for name in _ADDRESS_FIELDS if not str(args.get(name, "")).strip()]
    if missing:
        return Problem("incomplete", {"fields": ", ".join(missing)})
    return Address.model_validate(
        {key: args[key] for key in ("address1", "address2", "city", "country", "state", "zip")}
    )


def _method(customer: Customer, method_id: str) -> PaymentMethod | Problem:
    method = customer.payment_methods.get(method_id)
    return method if method is not None else Problem("payment_not_yours", {"method": method_id})


def _order_items(order: Order, item_ids: list[str]) -> list[OrderItem] | Problem:
    """The order's items for these ids, each id as often as it is asked for."""
    if not item_ids:
        return Problem("incomplete", {"fields": "item_ids"})
    available = Counter(item.item_id for item in order.items)
    for item_id, wanted in Counter(item_ids).items():
        if available[item_id] < wanted:
            kind: ProblemCode = "item_count" if available[item_id] else "item_not_in_order"
            return Problem(kind, {"item": item_id})
    by_id = {item.item_id: item for item in order.items}
    return [by_id[item_id] for item_id in item_ids]


def _grouped(lines: list[ItemLine]) -> tuple[ItemLine, ...]:
    counts: Counter[tuple[str, ...]] = Counter()
    first: dict[tuple[str, ...], ItemLine] = {}
    for line in lines:
        key = (line.name, repr(line.options), repr(line.new_options))
        counts[key] += 1
        first.setdefault(key, line)
    return tuple(
        ItemLine(line.name, line.options, line.price, counts[key], line.new_options, line.new_price)
        for key, line in first.items()
    )


def _paid(order: Order) -> float:
    total = sum(
        entry.amount if entry.transaction_type == "payment" else -entry.amount
        for entry in order.payment_history
    )
    return round(total, 2)


def _cancel(args: Mapping[str, Any], order: Order, customer: Customer) -> ProposalFacts | Problem:
    reason = str(args["reason"])
    if reason not in CANCEL_REASONS:
        return Problem("reason", {"reason": reason})
    # Every entry of the payment history is refunded to its method, as the write does it.
    refunds = []
    for entry in order.payment_history:
        method = customer.payment_methods.get(entry.payment_method_id)
        if method is not None:
            refunds.append(Refund(entry.amount, method))
    lines = [ItemLine(item.name, item.options, item.price) for item in order.items]
    return ProposalFacts(
        name=CANCEL_PENDING_ORDER,
        order_id=order.order_id,
        items=_grouped(lines),
        reason=reason,
        amount=_paid(order),
        refunds=tuple(refunds),
    )


def _payment(args: Mapping[str, Any], order: Order, customer: Customer) -> ProposalFacts | Problem:
    method = _method(customer, str(args["payment_method_id"]))
    if isinstance(method, Problem):
        return method
    history = order.payment_history
    if len(history) != 1 or history[0].transaction_type != "payment":
        return Problem("payment_changed")
    old_id, amount = history[0].payment_method_id, history[0].amount
    if old_id == method.id:
        return Problem("same_payment")
    if isinstance(method, GiftCard) and method.balance < amount:
        return Problem("gift_card_short", {"balance": str(method.balance)})
    return ProposalFacts(
        name=MODIFY_PENDING_ORDER_PAYMENT,
        order_id=order.order_id,
        method=method,
        old_method=customer.payment_methods.get(old_id),
        amount=amount,
    )


def _return(args: Mapping[str, Any], order: Order, customer: Customer) -> ProposalFacts | Problem:
    items = _order_items(order, list(args["item_ids"]))
    if isinstance(items, Problem):
        return items
    method = _method(customer, str(args["payment_method_id"]))
    if isinstance(method, Problem):
        return method
    original = order.payment_history[0].payment_method_id if order.payment_history else None
    if method.id != original and method.source != "gift_card":
        return Problem("refund_target")
    lines = [ItemLine(item.name, item.options, item.price) for item in items]
    return ProposalFacts(
        name=RETURN_DELIVERED_ORDER_ITEMS,
        order_id=order.order_id,
        items=_grouped(lines),
        method=method,
        amount=round(sum(item.price for item in items), 2),
    )


def _item_change(
    name: str,
    args: Mapping[str, Any],
    order: Order,
    customer: Customer,
    products: Mapping[str, Product],
) -> ProposalFacts | Problem:
    items = _order_items(order, list(args["item_ids"]))
    if isinstance(items, Problem):
        return items
    new_ids = [str(item_id) for item_id in args["new_item_ids"]]
    if len(new_ids) != len(items):
        return Problem("incomplete", {"fields": "new_item_ids"})
    lines = []
    for item, new_id in zip(items, new_ids, strict=True):
        product = products.get(item.product_id)
        variant = product.variants.get(new_id) if product is not None else None
        if variant is None or not variant.available:
            return Problem("variant_unavailable", {"item": item.name, "new_item": new_id})
        line = ItemLine(item.name, item.options, item.price, 1, variant.options, variant.price)
        lines.append(line)
    difference = round(sum((line.new_price or 0.0) - line.price for line in lines), 2)
    method = _method(customer, str(args["payment_method_id"]))
    if isinstance(method, Problem):
        return method
    if isinstance(method, GiftCard) and method.balance < difference:
        return Problem("gift_card_short", {"balance": str(method.balance)})
    return ProposalFacts(
        name=name,
        order_id=order.order_id,
        items=_grouped(lines),
        method=method,
        amount=abs(difference),
        difference=difference,
    )


def describe(
    name: str,
    args: Mapping[str, Any],
    *,
    customer: Customer,
    order: Order | None,
    products: Mapping[str, Product],
) -> ProposalFacts | Problem:
    """Check a proposed write (arguments already validated by its tool's model) and describe it.

    Args:
        name: The write tool.
        args: Its normalised arguments.
        customer: The identified customer's record (ownership was checked by the guard).
        order: The order the write changes (None for `modify_user_address`).
        products: The products of the order's items, by product id.
    """
    if name == MODIFY_USER_ADDRESS:
        address = _address(args)
        if isinstance(address, Problem):
            return address
        return ProposalFacts(name=name, address=address, old_address=customer.address)
    if order is None:
        return Problem("incomplete", {"fields": "order_id"})
    needed = STATUS_NEEDED[name]
    if order.status != needed:
        return Problem("status", {"status": order.status, "needed": needed})
    if name == CANCEL_PENDING_ORDER:
        return _cancel(args, order, customer)
    if name == MODIFY_PENDING_ORDER_ADDRESS:
        address = _address(args)
        if isinstance(address, Problem):
            return address
        return ProposalFacts(
            name=name, order_id=order.order_id, address=address, old_address=order.address
        )
    if name == MODIFY_PENDING_ORDER_PAYMENT:
        return _payment(args, order, customer)
    if name == RETURN_DELIVERED_ORDER_ITEMS:
        return _return(args, order, customer)
    if name in ITEM_CHANGE_TOOLS:
        return _item_change(name, args, order, customer, products)
    raise ValueError(f"{name!r} is not a retail write tool")
