"""The structured goal of a τ-bench task: what the simulated customer wants, from the truth.

`derive_goal` reads a task's user and ground-truth actions against the store (replaying them
on a copy, so each step sees the order as it is at that point) and returns who the customer
is, and one `GoalStep` per write: the order, the items and what they become, the payment
method, the cancel reason, the new address, and whether the write is expected to fail. The
offline customer (`shopcrew.evaluation.tau.customer`) answers the agent from it. Nothing here
looks at task ids or instruction wording beyond which identification the instruction gives.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, Literal

from shopcrew.evaluation.tau.replay import TauTask
from shopcrew.tools.reference.store import RetailStore
from shopcrew.tools.tau.names import (
    CANCEL_PENDING_ORDER,
    EXCHANGE_DELIVERED_ORDER_ITEMS,
    MODIFY_PENDING_ORDER_ADDRESS,
    MODIFY_PENDING_ORDER_ITEMS,
    MODIFY_PENDING_ORDER_PAYMENT,
    MODIFY_USER_ADDRESS,
    RETURN_DELIVERED_ORDER_ITEMS,
    TRANSFER_TOOL,
)
from shopcrew.tools.tau.tools import TauRetailTools

__all__ = [
    "STEP_KINDS",
    "AddressGoal",
    "GoalStep",
    "Identity",
    "IdentityKind",
    "ItemGoal",
    "Knowledge",
    "PaymentGoal",
    "StepKind",
    "TauGoal",
    "derive_goal",
]

IdentityKind = Literal["email", "name_zip"]
"""How a customer identifies: by email, or by name and zip code."""
StepKind = Literal[
    "cancel",
    "modify_items",
    "modify_address",
    "modify_payment",
    "user_address",
    "return",
    "exchange",
]
STEP_KINDS: Final[Mapping[str, StepKind]] = {
    CANCEL_PENDING_ORDER: "cancel",
    MODIFY_PENDING_ORDER_ITEMS: "modify_items",
    MODIFY_PENDING_ORDER_ADDRESS: "modify_address",
    MODIFY_PENDING_ORDER_PAYMENT: "modify_payment",
    MODIFY_USER_ADDRESS: "user_address",
    RETURN_DELIVERED_ORDER_ITEMS: "return",
    EXCHANGE_DELIVERED_ORDER_ITEMS: "exchange",
}
"""The write tools a goal step is made of, and the kind of request each is."""

_ORDER_ID = re.compile(r"#W\d{7}")


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the customer is, as they can tell the agent."""

    first_name: str
    last_name: str
    zip: str
    email: str
    prefer: IdentityKind | None = None
    """The identification the instruction gives; None when it gives neither (seed decides)."""


@dataclass(frozen=True, slots=True)
class PaymentGoal:
    """A payment method of the customer's, as they would describe it."""

    method_id: str
    source: str
    """``credit_card``, ``paypal``, ``gift_card`` (or another source the store has)."""
    brand: str | None = None
    last_four: str | None = None
    original: bool = False
    """Whether it is the order's original (and only) payment method."""
    ambiguous: bool = False
    """Another of the customer's methods fits the same description (source, brand, digits)."""
    foreign: bool = False
    """Not one of the customer's methods (the ground truth's call names another's)."""


@dataclass(frozen=True, slots=True)
class ItemGoal:
    """One item of an order the step is about (all copies of one item id)."""

    item_id: str
    name: str
    options: Mapping[str, str]
    copies: int = 1
    """Copies of this item id the step changes."""
    copies_in_order: int = 1
    """Copies of this item id in the order."""
    name_shared: bool = False
    """Another item of the order (another item id) has the same product name."""
    new_item_id: str | None = None
    new_options: Mapping[str, str] | None = None
    """All options of the variant wanted (exchange, modification); None for a return."""

    @property
    def changed(self) -> dict[str, str]:
        """The options that change (empty when the same variant is wanted again)."""
        if self.new_options is None:
            return {}
        return {k: v for k, v in self.new_options.items() if self.options.get(k) != v}


@dataclass(frozen=True, slots=True)
class AddressGoal:
    """A new address in the τ-bench address fields."""

    address1: str
    address2: str
    city: str
    state: str
    country: str
    zip: str


@dataclass(frozen=True, slots=True)
class GoalStep:
    """One write the customer wants, with everything they know about it."""

    kind: StepKind
    tool: str
    args: Mapping[str, Any]
    """The ground-truth call's arguments."""
    order_id: str | None = None
    order_status: str | None = None
    """The order's status when the step comes."""
    order_items: tuple[str, ...] = ()
    """Product names of the order's items (to read the agent's proposals)."""
    order_method_ids: tuple[str, ...] = ()
    """Payment methods in the order's history (a payment change names the old one)."""
    items: tuple[ItemGoal, ...] = ()
    payment: PaymentGoal | None = None
    reason: str | None = None
    address: AddressGoal | None = None
    expected_result: str = ""
    """What the ground-truth call returns at that point."""

    @property
    def fails(self) -> bool:
        """The ground truth's own call fails here, so the store is left as it was."""
        return self.expected_result.startswith(("Error:", "Unknown action"))


@dataclass(frozen=True, slots=True)
class Knowledge:
    """What the customer knows: only what the task's instruction tells them.

    What the customer *wants* is the ground truth (`GoalStep`), so grading is unchanged; what
    they can *say* is limited to this: an order id only when the instruction names it, an item
    name, option value, payment method id or address only when the instruction states it.
    """

    instruction: str
    orders: frozenset[str] = frozenset()
    """Order ids the instruction names."""

    def says(self, phrase: str) -> bool:
        """Whether the instruction states `phrase` (case-insensitive)."""
        return bool(phrase) and phrase.lower() in self.instruction.lower()


@dataclass(frozen=True, slots=True)
class TauGoal:
    """What the customer of one task wants."""

    task_id: str
    user_id: str
    identity: Identity
    steps: tuple[GoalStep, ...]
    methods: Mapping[str, PaymentGoal]
    """All the customer's payment methods (to read the agent's proposals)."""
    orders: tuple[str, ...]
    """The customer's order ids."""
    wants_human: bool = False
    """The ground truth ends with a transfer to a person."""
    ask_about: str | None = None
    """For a task without writes: the order the customer asks about (only one it can name)."""
    knows: Knowledge = Knowledge("")
    """What the customer can say (the instruction's facts)."""
    outputs: tuple[str, ...] = ()
    """Information the task expects the agent to state (the customer asks for it)."""
    question: str = ""
    """The instruction's own words of what the customer wants to know, when it has outputs."""


def _identity(user: Mapping[str, Any], instruction: str) -> Identity:
    name = user.get("name", {})
    email = str(user.get("email", ""))
    zip_code = str(user.get("address", {}).get("zip", ""))
    prefer: IdentityKind | None = None
    text = instruction.lower()
    if email and email.lower() in text:
        prefer = "email"
    elif zip_code and zip_code in text:
        prefer = "name_zip"
    return Identity(
        str(name.get("first_name", "")), str(name.get("last_name", "")), zip_code, email, prefer
    )


def _description(method: Mapping[str, Any]) -> tuple[str, str | None, str | None]:
    brand = method.get("brand")
    last4 = method.get("last_four")
    return (
        str(method.get("source", "")),
        None if brand is None else str(brand),
        None if last4 is None else str(last4),
    )


def _methods(user: Mapping[str, Any]) -> dict[str, PaymentGoal]:
    raw: Mapping[str, Mapping[str, Any]] = user.get("payment_methods", {})
    described = {method_id: _description(method) for method_id, method in raw.items()}
    methods: dict[str, PaymentGoal] = {}
    for method_id, (source, brand, last4) in described.items():
        twins = sum(1 for other in described.values() if other == (source, brand, last4))
        methods[method_id] = PaymentGoal(method_id, source, brand, last4, ambiguous=twins > 1)
    return methods


def _payment(
    methods: Mapping[str, PaymentGoal], method_id: object, order: Mapping[str, Any] | None
) -> PaymentGoal | None:
    if not isinstance(method_id, str):
        return None
    known = methods.get(method_id)
    if known is None:
        return PaymentGoal(method_id, method_id.rsplit("_", 1)[0], foreign=True)
    history = (order or {}).get("payment_history", [])
    # "The original payment method" is unambiguous only while the order has one payer.
    original = bool(history) and all(e.get("payment_method_id") == method_id for e in history)
    return replace(known, original=original)


def _variant_options(store: RetailStore, product_id: str, item_id: str) -> Mapping[str, str] | None:
    product = store.get("products", product_id)
    variant = (product or {}).get("variants", {}).get(item_id)
    if variant is None:
        return None
    return {str(k): str(v) for k, v in variant.get("options", {}).items()}


def _items(
    store: RetailStore,
    order: Mapping[str, Any],
    old_ids: Sequence[str],
    new_ids: Sequence[str] | None,
) -> tuple[ItemGoal, ...]:
    records = list(order.get("items", []))
    by_id = {str(item["item_id"]): item for item in records}
    pairs: list[tuple[str, str | None]] = [
        (old, None if new_ids is None or index >= len(new_ids) else new_ids[index])
        for index, old in enumerate(old_ids)
    ]
    counted: dict[tuple[str, str | None], int] = {}
    for pair in pairs:
        counted[pair] = counted.get(pair, 0) + 1
    goals: list[ItemGoal] = []
    for (old, new), copies in counted.items():
        item = by_id.get(old)
        if item is None:
            continue
        name = str(item["name"])
        new_options = None if new is None else _variant_options(store, str(item["product_id"]), new)
        goals.append(
            ItemGoal(
                item_id=old,
                name=name,
                options={str(k): str(v) for k, v in item.get("options", {}).items()},
                copies=copies,
                copies_in_order=sum(1 for r in records if str(r["item_id"]) == old),
                name_shared=any(r["name"] == name and str(r["item_id"]) != old for r in records),
                new_item_id=new,
                new_options=new_options,
            )
        )
    return tuple(goals)


def _address(args: Mapping[str, Any]) -> AddressGoal:
    def field(key: str) -> str:
        return str(args.get(key, ""))

    return AddressGoal(
        field("address1"),
        field("address2"),
        field("city"),
        field("state"),
        field("country"),
        field("zip"),
    )


def _step(
    store: RetailStore,
    name: str,
    args: Mapping[str, Any],
    methods: Mapping[str, PaymentGoal],
) -> GoalStep:
    kind = STEP_KINDS[name]
    order_id = args.get("order_id")
    order = store.get("orders", order_id) if isinstance(order_id, str) else None
    items: tuple[ItemGoal, ...] = ()
    if order is not None and isinstance(args.get("item_ids"), list):
        new_ids = args.get("new_item_ids")
        items = _items(
            store,
            order,
            [str(i) for i in args["item_ids"]],
            [str(i) for i in new_ids] if isinstance(new_ids, list) else None,
        )
    history = (order or {}).get("payment_history", [])
    return GoalStep(
        kind=kind,
        tool=name,
        args=dict(args),
        order_id=order_id if isinstance(order_id, str) else None,
        order_status=None if order is None else str(order.get("status")),
        order_items=tuple(dict.fromkeys(str(i["name"]) for i in (order or {}).get("items", []))),
        order_method_ids=tuple(dict.fromkeys(str(e["payment_method_id"]) for e in history)),
        items=items,
        payment=_payment(methods, args.get("payment_method_id"), order),
        reason=str(args["reason"]) if "reason" in args else None,
        address=_address(args) if "address1" in args else None,
    )


def derive_goal(task: TauTask, store: RetailStore) -> TauGoal:
    """The customer's goal in `task`, read from its user and ground-truth actions.

    Args:
        task: The task (its instruction is only read for which identification it gives).
        store: The store the task starts from; it is not changed (actions run on a copy).

    Returns:
        The goal: identity, one step per write action in order, the payment methods.

    Raises:
        LookupError: The task's user is not in the store.
    """
    user = store.get("users", task.user_id)
    if user is None:
        raise LookupError(
            f"task {task.id}: user {task.user_id!r} is not in the store; check --db and the task"
        )
    methods = _methods(user)
    scratch = store.fork()
    tools = TauRetailTools(scratch)
    steps: list[GoalStep] = []
    wants_human = False
    for action in task.actions:
        if action.name in STEP_KINDS:
            step = _step(scratch, action.name, action.kwargs, methods)
            result = tools.invoke(action.name, action.kwargs)
            steps.append(replace(step, expected_result=result))
        elif action.name == TRANSFER_TOOL:
            wants_human = True
    orders = tuple(str(o) for o in user.get("orders", []))
    named = [o for o in _ORDER_ID.findall(task.instruction) if o in orders]
    # Only an order the instruction names: a customer does not know the others' ids.
    ask_about = (named[0] if named else None) if not steps else None
    return TauGoal(
        task_id=task.id,
        user_id=task.user_id,
        identity=_identity(user, task.instruction),
        steps=tuple(steps),
        methods=methods,
        orders=orders,
        wants_human=wants_human,
        ask_about=ask_about,
        knows=Knowledge(task.instruction, frozenset(_ORDER_ID.findall(task.instruction))),
        outputs=tuple(task.outputs),
        question=_question(task.instruction) if task.outputs else "",
    )


_SENTENCE = re.compile(r"[^.?!]+[.?!]?")
_ASKING = re.compile(
    r"\b(?:know|find out|how many|how much|what is|what are|tell you|tell me|ask)\b", re.IGNORECASE
)


def _question(instruction: str) -> str:
    """The instruction's sentences about what the customer wants to know (its outputs)."""
    found = [s.strip() for s in _SENTENCE.findall(instruction) if _ASKING.search(s)]
    return " ".join(found)
