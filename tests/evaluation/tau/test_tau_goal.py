"""Goal derivation and the offline customer's side of a conversation, on tasks built here.

The tasks are made from the store with users the development tasks never use, so nothing here
leans on the dev set's users, orders or wording.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml

from shopcrew.agents.cs.confirmation_text import render_confirmation
from shopcrew.agents.cs.proposal_facts import ItemLine, ProposalFacts
from shopcrew.evaluation.tau import customer as customer_module
from shopcrew.evaluation.tau.customer import RuleCustomer
from shopcrew.evaluation.tau.goal import GoalStep, TauGoal, derive_goal
from shopcrew.evaluation.tau.reading import judge_proposal, read_reply
from shopcrew.evaluation.tau.replay import TauAction, TauTask
from shopcrew.tools.records.retail import CreditCard, GiftCard, PaymentMethod, PayPal
from shopcrew.tools.reference.store import Record, RetailStore


@pytest.fixture(scope="module")
def store(tau_dir: Path) -> RetailStore:
    return RetailStore.load(tau_dir / "db")


@pytest.fixture(scope="module")
def dev_users(tau_dir: Path) -> set[str]:
    tasks = json.loads((tau_dir / "tasks_dev.json").read_text())
    return {task["user_id"] for task in tasks}


Pick = Callable[[Callable[[Record, list[Record]], bool]], tuple[Record, list[Record]]]


@pytest.fixture(scope="module")
def pick(store: RetailStore, dev_users: set[str]) -> Pick:
    """The first user (by id) outside the dev tasks whose record and orders fit."""

    def find(fits: Callable[[Record, list[Record]], bool]) -> tuple[Record, list[Record]]:
        for user_id, user in sorted(store.items("users")):
            if user_id in dev_users:
                continue
            orders = [store.get("orders", o) or {} for o in user["orders"]]
            if fits(user, orders):
                return user, orders
        raise AssertionError("no user in the store fits")

    return find


def _variant(store: RetailStore, item: Record) -> Record | None:
    """Another available variant of the item's product."""
    product = store.get("products", item["product_id"]) or {}
    return next(
        (
            v
            for v in product["variants"].values()
            if v["available"] and v["item_id"] != item["item_id"]
        ),
        None,
    )


_ITEM_NAMES: dict[str, str] = {}
"""Item id -> product name (filled by `user_ids`), for the instructions."""


@pytest.fixture(scope="module")
def user_ids(store: RetailStore) -> Mapping[int, str]:
    for _, order in store.items("orders"):
        _ITEM_NAMES.update({str(i["item_id"]): str(i["name"]) for i in order["items"]})
    return {id(user): uid for uid, user in store.items("users")}


def _told(kwargs: dict[str, Any]) -> str:
    """What the instruction states of one action, as τ-bench's dev instructions do."""
    items = [_ITEM_NAMES.get(str(i), "") for i in kwargs.get("item_ids", [])]
    details = [str(v) for k, v in kwargs.items() if k not in {"item_ids", "new_item_ids"}]
    return " ".join([*details, *items]) + "."


def _make(user_ids: Mapping[int, str]) -> Callable[..., TauTask]:
    def make(user: Record, *actions: tuple[str, dict[str, Any]], by: str = "email") -> TauTask:
        who = (
            f"your email is {user['email']}"
            if by == "email"
            else f"your zip code is {user['address']['zip']}"
        )
        return TauTask(
            id="t-built",
            user_id=user_ids[id(user)],
            instruction=f"You are {user['name']['first_name']} and {who}. "
            + " ".join(_told(kwargs) for _, kwargs in actions),
            actions=[TauAction(name=name, kwargs=kwargs) for name, kwargs in actions],
        )

    return make


def _distinct_delivered(user: Record, orders: list[Record]) -> bool:
    return any(
        o["status"] == "delivered" and len({i["name"] for i in o["items"]}) >= 3 for o in orders
    )


def test_return_goal_names_items_payment_and_identity(
    store: RetailStore, pick: Pick, user_ids: Mapping[int, str]
) -> None:
    user, orders = pick(_distinct_delivered)
    order = next(o for o in orders if o["status"] == "delivered" and len(o["items"]) >= 3)
    items = order["items"][:2]
    method = order["payment_history"][0]["payment_method_id"]
    task = _make(user_ids)(
        user,
        (
            "return_delivered_order_items",
            {
                "order_id": order["order_id"],
                "item_ids": [i["item_id"] for i in items],
                "payment_method_id": method,
            },
        ),
        by="zip",
    )
    goal = derive_goal(task, store)
    assert goal.identity.prefer == "name_zip"
    assert (goal.identity.first_name, goal.identity.zip) == (
        user["name"]["first_name"],
        user["address"]["zip"],
    )
    (step,) = goal.steps
    assert (step.kind, step.order_id, step.order_status, step.fails) == (
        "return",
        order["order_id"],
        "delivered",
        False,
    )
    assert [(i.item_id, i.name, i.copies, i.new_options) for i in step.items] == [
        (i["item_id"], i["name"], 1, None) for i in items
    ]
    assert step.payment is not None and step.payment.method_id == method
    assert step.payment.original is True
    assert goal.orders == tuple(user["orders"])


def test_item_changes_know_the_options_that_change(
    store: RetailStore, pick: Pick, user_ids: Mapping[int, str]
) -> None:
    def fits(user: Record, orders: list[Record]) -> bool:
        return any(o["status"] == "pending" for o in orders) and any(
            o["status"] == "delivered" for o in orders
        )

    user, orders = pick(fits)
    pending = next(o for o in orders if o["status"] == "pending")
    delivered = next(o for o in orders if o["status"] == "delivered")
    changes = []
    for order in (pending, delivered):
        item = next(i for i in order["items"] if _variant(store, i) is not None)
        new = _variant(store, item)
        assert new is not None
        changes.append((order, item, new))
    method = next(iter(user["payment_methods"]))
    task = _make(user_ids)(
        user,
        *(
            (
                tool,
                {
                    "order_id": order["order_id"],
                    "item_ids": [item["item_id"]],
                    "new_item_ids": [new["item_id"]],
                    "payment_method_id": method,
                },
            )
            for (order, item, new), tool in zip(
                changes,
                ("modify_pending_order_items", "exchange_delivered_order_items"),
                strict=True,
            )
        ),
    )
    goal = derive_goal(task, store)
    assert [s.kind for s in goal.steps] == ["modify_items", "exchange"]
    for step, (_order, item, new) in zip(goal.steps, changes, strict=True):
        (wanted,) = step.items
        assert wanted.new_item_id == new["item_id"]
        assert wanted.new_options == {k: str(v) for k, v in new["options"].items()}
        assert wanted.changed == {
            k: str(v) for k, v in new["options"].items() if str(item["options"].get(k)) != str(v)
        }


def test_steps_see_the_store_as_the_earlier_actions_left_it(
    store: RetailStore, pick: Pick, user_ids: Mapping[int, str]
) -> None:
    user, orders = pick(lambda u, os: sum(o["status"] == "pending" for o in os) >= 2)
    first, second = [o for o in orders if o["status"] == "pending"][:2]
    address = {
        "address1": "12 Quiet Lane", "address2": "", "city": "Springfield",
        "state": "IL", "country": "USA", "zip": "62704",
    }  # fmt: skip
    cancel = {"order_id": first["order_id"], "reason": "ordered by mistake"}
    task = _make(user_ids)(
        user,
        ("cancel_pending_order", cancel),
        ("cancel_pending_order", cancel),
        ("modify_pending_order_address", {"order_id": second["order_id"], **address}),
        ("modify_user_address", {"user_id": user_ids[id(user)], **address}),
        ("transfer_to_human_agents", {"summary": "wants a person"}),
    )
    goal = derive_goal(task, store)
    kinds = [(s.kind, s.order_status, s.fails, s.reason) for s in goal.steps]
    assert kinds == [
        ("cancel", "pending", False, "ordered by mistake"),
        ("cancel", "cancelled", True, "ordered by mistake"),
        ("modify_address", "pending", False, None),
        ("user_address", None, False, None),
    ]
    assert goal.steps[2].address == goal.steps[3].address
    assert goal.steps[2].address is not None and goal.steps[2].address.zip == "62704"
    assert goal.wants_human is True
    assert store.get("orders", first["order_id"]) == first  # the store is left as it was


def test_a_task_without_writes_asks_about_an_order(
    store: RetailStore, pick: Pick, user_ids: Mapping[int, str]
) -> None:
    user, orders = pick(lambda u, os: len(os) >= 2)
    task = _make(user_ids)(user)
    task = task.model_copy(update={"instruction": f"Ask about {orders[1]['order_id']}."})
    goal = derive_goal(task, store)
    assert (goal.steps, goal.ask_about, goal.wants_human) == ((), orders[1]["order_id"], False)


def test_an_unknown_user_is_a_clear_error(store: RetailStore) -> None:
    task = TauTask(id="t-x", user_id="nobody_0000", instruction="", actions=[])
    with pytest.raises(LookupError, match="user 'nobody_0000' is not in the store"):
        derive_goal(task, store)


# --- the offline customer ---------------------------------------------------------------


@pytest.fixture(scope="module")
def return_goal(store: RetailStore, pick: Pick, user_ids: Mapping[int, str]) -> TauGoal:
    def fits(user: Record, orders: list[Record]) -> bool:
        methods = len(user["payment_methods"]) >= 2
        return methods and len(orders) >= 2 and _distinct_delivered(user, orders)

    user, orders = pick(fits)
    order = next(o for o in orders if o["status"] == "delivered" and len(o["items"]) >= 3)
    method = order["payment_history"][0]["payment_method_id"]
    task = _make(user_ids)(
        user,
        (
            "return_delivered_order_items",
            {
                "order_id": order["order_id"],
                "item_ids": [order["items"][0]["item_id"]],
                "payment_method_id": method,
            },
        ),
    )
    return derive_goal(task, store)


async def test_the_customer_reveals_only_what_is_asked(return_goal: TauGoal) -> None:
    step = return_goal.steps[0]
    customer = RuleCustomer(return_goal, seed=7)
    opening = await customer.opening()
    secrets = [
        step.order_id or "",
        return_goal.identity.email,
        return_goal.identity.last_name,
        *step.order_items,
    ]
    assert "return" in opening.lower()
    assert not [secret for secret in secrets if secret in opening]
    who = await customer.respond(
        "Please give me your account email, or your first name, last name and zip code."
    )
    assert who.stop is None and return_goal.identity.email in who.text
    assert step.order_id not in who.text
    which = await customer.respond("Thanks. Which order is this about?")
    assert step.order_id in which.text and step.items[0].name not in which.text
    items = await customer.respond(f"Which items of order {step.order_id} do you mean?")
    assert step.items[0].name in items.text
    assert not [n for n in step.order_items if n in items.text and n != step.items[0].name]


def _proposal(step: GoalStep, goal: TauGoal, *, item: int = 0, method: str | None = None) -> str:
    """The confirmation the CS agent shows for a return of one of the order's items."""
    name = step.order_items[item]
    method_id = method or (step.payment.method_id if step.payment else "")
    facts = ProposalFacts(
        name="return_delivered_order_items",
        order_id=step.order_id,
        items=(ItemLine(name, {}, 10.0),),
        method=_method_record(goal, method_id),
        amount=10.0,
    )
    return render_confirmation(facts, "en")


def _method_record(goal: TauGoal, method_id: str) -> PaymentMethod:
    method = goal.methods[method_id]
    if method.source == "credit_card":
        return CreditCard(
            source="credit_card",
            brand=method.brand or "",
            last_four=method.last_four or "",
            id=method_id,
        )
    if method.source == "gift_card":
        return GiftCard(source="gift_card", balance=0, id=method_id)
    return PayPal(source="paypal", id=method_id)


async def test_a_matching_proposal_gets_a_yes(return_goal: TauGoal) -> None:
    step = return_goal.steps[0]
    reply = _proposal(step, return_goal)
    assert read_reply(reply).proposal is True
    assert judge_proposal(reply, step, return_goal) is None
    customer = RuleCustomer(return_goal, seed=1)
    answer = await customer.respond(reply)
    assert answer.stop is None and answer.text.startswith("Yes")
    done = await customer.respond("Done, the return is requested. Anything else?")
    assert done.stop == "goal_reached"


@pytest.mark.parametrize("wrong", ["item", "payment", "order", "kind"])
async def test_a_proposal_that_differs_gets_a_no_with_the_correction(
    return_goal: TauGoal, wrong: str
) -> None:
    step = return_goal.steps[0]
    assert step.payment is not None
    other_method = next(m for m in return_goal.methods if m != step.payment.method_id)
    other_order = next(o for o in return_goal.orders if o != step.order_id)
    reply = {
        "item": _proposal(step, return_goal, item=1),
        "payment": _proposal(step, return_goal, method=other_method),
        "order": _proposal(step, return_goal).replace(step.order_id or "", other_order),
        "kind": f"I can exchange the {step.items[0].name} in order {step.order_id} for another "
        "color. Would you like me to go ahead?",
    }[wrong]
    expected = {"item": "items", "payment": "payment", "order": "order", "kind": "kind"}[wrong]
    assert judge_proposal(reply, step, return_goal) == expected
    answer = await RuleCustomer(return_goal, seed=3).respond(reply)
    assert answer.stop is None
    assert answer.text.startswith("No")
    correction = {
        "item": step.items[0].name,
        "payment": "",
        "order": step.order_id or "",
        "kind": "return",
    }[wrong]
    assert correction in answer.text


async def test_an_llm_style_proposal_is_read_too(return_goal: TauGoal) -> None:
    step = return_goal.steps[0]
    text = (
        f"Thanks! To confirm: you'd like to return the {step.items[0].name} from order "
        f"{step.order_id}, refunded to the original payment method. Is that correct?"
    )
    assert read_reply(text).proposal is True
    assert judge_proposal(text, step, return_goal) is None


async def test_a_repeated_question_ends_the_conversation(return_goal: TauGoal) -> None:
    customer = RuleCustomer(return_goal, seed=2)
    asks = [await customer.respond("Which order is this about?") for _ in range(4)]
    assert [a.stop for a in asks] == [None, None, None, "repeated_question"]


@pytest.mark.parametrize(
    ("reply", "asks", "proposal", "done"),
    [
        ("Could you please provide your email address, or your name and zip code?",
         ("identity",), False, False),
        ("Got it. Can you tell me which items you'd like to return?", ("items",), False, False),
        ("What's the reason for the cancellation?", ("reason",), False, False),
        ("Would you like the refund to go to the original payment method or your gift card?",
         ("payment",), False, False),
        ("Here are the details: return the Desk Lamp from #W1234567, refund to PayPal. Do you "
         "want me to proceed?", (), True, False),
        ("Your exchange request is complete. Is there anything else?", (), False, True),
        # A help article describing a policy asks the customer nothing.
        ("Delivered orders can be returned within 30 days; we email you a return label and the "
         "refund goes to the original payment method.", (), False, False),
    ],
)  # fmt: skip
def test_replies_are_read_from_any_wording(
    reply: str, asks: tuple[str, ...], proposal: bool, done: bool
) -> None:
    reading = read_reply(reply)
    assert (reading.asks, reading.proposal, reading.done) == (asks, proposal, done)


# --- what the customer knows: only its instruction -------------------------------------


async def test_an_order_the_instruction_does_not_name_is_described_never_said(
    return_goal: TauGoal,
) -> None:
    step = return_goal.steps[0]
    assert step.order_id is not None
    # The same customer, told only the item's name, not the order id.
    knows = replace(
        return_goal.knows,
        instruction=f"You want to return the {step.items[0].name} you received.",
        orders=frozenset(),
    )
    customer = RuleCustomer(replace(return_goal, knows=knows), seed=3)
    said = [await customer.opening()]
    said.append((await customer.respond("Which order is this about?")).text)
    said.append((await customer.respond("What is the order id, please?")).text)
    assert not [text for text in said if step.order_id in text]
    assert step.items[0].name in said[1]
    others = [n for n in step.order_items if n != step.items[0].name]
    assert not [n for n in others if n in " ".join(said)]


async def test_a_proposal_that_leaves_out_where_the_money_goes_gets_a_no(
    return_goal: TauGoal,
) -> None:
    step = return_goal.steps[0]
    reply = (
        f"I can return the {step.items[0].name} from order {step.order_id}. "
        "Shall I go ahead? Please reply yes to confirm."
    )
    assert read_reply(reply).proposal is True
    assert judge_proposal(reply, step, return_goal) == "payment"
    answer = await RuleCustomer(return_goal, seed=2).respond(reply)
    assert answer.stop is None and not answer.text.lower().startswith("yes")


async def test_a_task_expecting_information_asks_for_it(return_goal: TauGoal) -> None:
    goal = replace(
        return_goal,
        steps=(),
        ask_about=None,
        outputs=("42",),
        question="You want to know how many tablets you have ordered in total.",
    )
    opening = await RuleCustomer(goal, seed=5).opening()
    assert "I want to know how many tablets I have ordered in total." in opening


async def test_wording_varies_and_comes_from_the_data_file(return_goal: TauGoal) -> None:
    openings = {await RuleCustomer(return_goal, seed=seed).opening() for seed in range(40)}
    assert len(openings) >= 8
    phrases = yaml.safe_load(
        (Path(customer_module.__file__).parent / "customer_en.yaml").read_text(encoding="utf-8")
    )
    bodies = [v.replace("{things}", "an item") for v in phrases["intent_first"]["return"]]
    # Each opening is a greeting and one of the file's variants (a typo changes two letters).
    assert all(
        any(_close(opening.lower(), body.lower()) for body in bodies) for opening in openings
    )


def _close(said: str, body: str) -> bool:
    tail = said[-len(body) :]
    return len(tail) == len(body) and sum(a != b for a, b in zip(tail, body, strict=True)) <= 2
