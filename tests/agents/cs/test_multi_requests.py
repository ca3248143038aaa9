"""Several requests in one customer message: each is carried out in turn, none dropped or made up.

Customers and orders are picked from the reference store by what they hold (skipping the CS dev
set's customers); every sentence is written here, in English and Chinese.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

import pytest
from cs_policy_loop import DB, SHARED, orders, play, products, users

from shopcrew.agents.cs.rules.nlu import detect_yes_no
from shopcrew.agents.cs.rules.segments import action_family, split_requests

pytestmark = pytest.mark.skipif(not DB.exists(), reason="no ../shared/tau-retail")

Rec = Mapping[str, Any]


@cache
def _dev_users() -> frozenset[str]:
    path = SHARED / "eval" / "cs_dev.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return frozenset(str(json.loads(line).get("user_id")) for line in lines)


def _single(order: Rec) -> bool:
    history = order["payment_history"]
    return len(history) == 1 and history[0]["transaction_type"] == "payment"


def _unique_item(order: Rec) -> Rec | None:
    """An item whose product appears once in the order, so its name alone picks it."""
    names = [item["name"] for item in order["items"]]
    return next((i for i in order["items"] if names.count(i["name"]) == 1), None)


def _customers() -> Iterator[tuple[Rec, list[Rec]]]:
    for user_id, user in users().items():
        if user_id not in _dev_users():
            yield user, [orders()[o] for o in user["orders"]]


def _pending_and_delivered(status: str = "pending") -> tuple[Rec, Rec, Rec, Rec]:
    """(user, order of that status, delivered order paid by PayPal, an item of it)."""
    for user, held in _customers():
        first = [o for o in held if o["status"] == status and _single(o)]
        paypal = [m for m in user["payment_methods"] if m.startswith("paypal")]
        for order in held:
            original = order["payment_history"][0]["payment_method_id"]
            item = _unique_item(order)
            if first and order["status"] == "delivered" and item and [original] == paypal:
                return user, first[0], order, item
    raise AssertionError(f"no customer with a {status} and a delivered PayPal order")


def _other_variant(item: Rec, *, keep: frozenset[str] = frozenset()) -> tuple[str, str, Rec] | None:
    """An available variant of the item's product that differs in exactly one option."""
    for variant in products()[item["product_id"]]["variants"].values():
        if not variant["available"] or variant["item_id"] == item["item_id"]:
            continue
        changed = [k for k, v in variant["options"].items() if item["options"].get(k) != v]
        if len(changed) != 1 or changed[0] in keep:
            continue
        value = variant["options"][changed[0]]
        # The value must not name another option's value too, or it reads as a different item.
        if sum(value == v for v in variant["options"].values()) == 1:
            return changed[0], value, variant
    return None


def _order_with_change(status: str) -> tuple[Rec, Rec, Rec, Rec, tuple[str, str, Rec]]:
    """(user, order, item to change, another item, (key, value, new variant)), paid by PayPal."""
    for user, held in _customers():
        paypal = [m for m in user["payment_methods"] if m.startswith("paypal")]
        for order in held:
            if order["status"] != status or not _single(order):
                continue
            if [order["payment_history"][0]["payment_method_id"]] != paypal:
                continue
            names = [item["name"] for item in order["items"]]
            unique = [i for i in order["items"] if names.count(i["name"]) == 1]
            for item in unique:
                change = _other_variant(item)
                others = [i for i in unique if i is not item]
                if change and others:
                    return user, order, item, others[0], change
    raise AssertionError(f"no {status} PayPal order with an item to change")


def _return_args(order: Rec, item: Rec) -> dict[str, Any]:
    return {
        "order_id": order["order_id"],
        "item_ids": [item["item_id"]],
        "payment_method_id": order["payment_history"][0]["payment_method_id"],
    }


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_second_request_is_carried_over_once_the_first_is_done(lang: str) -> None:
    user, pending, delivered, item = _pending_and_delivered()
    if lang == "en":
        turns = [
            f"Hello, I'm writing from {user['email']}. I'd like to cancel {pending['order_id']}, "
            f"placed it by accident, and then send back the {item['name']} from "
            f"{delivered['order_id']} with the money going back the way I paid.",
            "Yes, please do.",
            "Yes, go ahead.",
        ]
    else:
        turns = [
            f"您好，我的邮箱是{user['email']}。麻烦把{pending['order_id']}这单取消，我点错了；"
            f"还有{delivered['order_id']}里的{item['name']}我要退货，钱原路退回就行。",
            "好的，可以",
            "确认",
        ]
    played = play(turns)
    cancel = {"order_id": pending["order_id"], "reason": "ordered by mistake"}
    assert played.writes() == [
        (1, "cancel_pending_order", cancel),
        (2, "return_delivered_order_items", _return_args(delivered, item)),
    ], played.said()
    # The return is proposed right after the cancellation, from the first message alone.
    assert item["name"] in played.replies[1] and delivered["order_id"] in played.replies[1]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_second_request_asks_only_for_what_is_still_missing(lang: str) -> None:
    user, pending, delivered, item = _pending_and_delivered()
    if lang == "en":
        turns = [
            f"Email: {user['email']}. Two things: call off order {pending['order_id']} because "
            f"I don't need it anymore, plus I want to return the {item['name']} in "
            f"{delivered['order_id']}.",
            "Yes.",
            "To the original payment method, please.",
            "Confirmed, go ahead.",
        ]
        asks = "original payment method or to your gift card"
    else:
        turns = [
            f"邮箱{user['email']}。订单{pending['order_id']}取消吧，用不上了。"
            f"另外{delivered['order_id']}的{item['name']}想退。",
            "确认",
            "原路退回",
            "确认，就这样吧",
        ]
        asks = "退回原支付方式，还是退到您的礼品卡"
    played = play(turns)
    cancel = {"order_id": pending["order_id"], "reason": "no longer needed"}
    assert played.writes() == [
        (1, "cancel_pending_order", cancel),
        (3, "return_delivered_order_items", _return_args(delivered, item)),
    ], played.said()
    assert asks in played.replies[1]


def test_a_refused_first_request_goes_straight_to_the_second() -> None:
    user, processed, delivered, item = _pending_and_delivered("processed")
    turns = [
        f"My email is {user['email']}. Please cancel {processed['order_id']}, I ordered it by "
        f"mistake, and also return the {item['name']} from {delivered['order_id']} to the "
        "original payment method.",
        "Yes, please go ahead.",
    ]
    played = play(turns)
    assert "processed" in played.replies[0]
    assert played.writes() == [(1, "return_delivered_order_items", _return_args(delivered, item))]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_declined_first_request_goes_straight_to_the_second(lang: str) -> None:
    user, pending, delivered, item = _pending_and_delivered()
    if lang == "en":
        first = (
            f"I'm {user['email']}. Cancel {pending['order_id']} (ordered by mistake) and return "
            f"the {item['name']} from {delivered['order_id']}, refund to the original method."
        )
        turns = [first, "No, leave that order as it is.", "Yes, go ahead."]
    else:
        first = (
            f"邮箱{user['email']}。{pending['order_id']}拍错了帮我取消，另外把"
            f"{delivered['order_id']}的{item['name']}退了，原路退回。"
        )
        turns = [first, "算了，这单先不取消了", "确认"]
    played = play(turns)
    assert played.writes() == [(2, "return_delivered_order_items", _return_args(delivered, item))]


def test_a_request_without_its_order_asks_for_it_instead_of_borrowing_another() -> None:
    user, pending, delivered, item = _pending_and_delivered()
    turns = [
        f"Hi, {user['email']}. Please cancel my order, and return the {item['name']} from "
        f"{delivered['order_id']} to the original payment method.",
        f"It's {pending['order_id']}, ordered it by mistake.",
        "Yes.",
        "Yes.",
    ]
    played = play(turns)
    assert "Which order" in played.replies[0]
    cancel = {"order_id": pending["order_id"], "reason": "ordered by mistake"}
    assert played.writes() == [
        (2, "cancel_pending_order", cancel),
        (3, "return_delivered_order_items", _return_args(delivered, item)),
    ], played.said()


def test_the_carried_over_request_still_needs_its_own_yes() -> None:
    user, pending, delivered, item = _pending_and_delivered()
    turns = [
        f"Hi, {user['email']}. Cancel {pending['order_id']}, I no longer need it, and also "
        f"return the {item['name']} from {delivered['order_id']} to my original payment method.",
        "Yes.",
        "Thanks, that's all for now.",
    ]
    played = play(turns)
    cancel = {"order_id": pending["order_id"], "reason": "no longer needed"}
    assert played.writes() == [(1, "cancel_pending_order", cancel)]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_request_added_while_another_is_under_way_waits_its_turn(lang: str) -> None:
    user, pending, delivered, item = _pending_and_delivered()
    if lang == "en":
        turns = [
            f"Hi there, {user['email']}. I need to cancel {pending['order_id']}.",
            f"Placed it by accident. Also, I want to return the {item['name']} from "
            f"{delivered['order_id']}, refund to the original payment method.",
            "Yes, go ahead.",
            "Yes, please.",
        ]
    else:
        turns = [
            f"邮箱{user['email']}，订单{pending['order_id']}我要取消。",
            f"还有{delivered['order_id']}里的{item['name']}也要退货，原路退回。",
            "下错单了",
            "确认",
            "确认",
        ]
    played = play(turns)
    cancel = {"order_id": pending["order_id"], "reason": "ordered by mistake"}
    assert played.writes() == [
        (len(turns) - 2, "cancel_pending_order", cancel),
        (len(turns) - 1, "return_delivered_order_items", _return_args(delivered, item)),
    ], played.said()


def _two_pending() -> tuple[Rec, Rec, Rec]:
    for user, held in _customers():
        pending = [o for o in held if o["status"] == "pending" and _single(o)]
        if len(pending) >= 2:
            return user, pending[0], pending[1]
    raise AssertionError("no customer with two pending orders")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_one_action_for_two_orders_is_done_for_each(lang: str) -> None:
    user, first, second = _two_pending()
    if lang == "en":
        turns = [
            f"It's {user['email']}. Could you cancel orders {first['order_id']} & "
            f"{second['order_id']}? Don't need either of them now.",
            "Yes, confirmed.",
            "Yes, that one too.",
        ]
    else:
        turns = [
            f"邮箱{user['email']}，{first['order_id']}和{second['order_id']}都帮我取消，都拍错了。",
            "确认",
            "好的，可以",
        ]
    played = play(turns)
    reason = "no longer needed" if lang == "en" else "ordered by mistake"
    assert played.writes() == [
        (1, "cancel_pending_order", {"order_id": first["order_id"], "reason": reason}),
        (2, "cancel_pending_order", {"order_id": second["order_id"], "reason": reason}),
    ], played.said()


def test_a_changed_mind_replaces_the_request_instead_of_adding_one() -> None:
    user, order, *_ = _order_with_change("pending")
    turns = [
        f"Email {user['email']}. Please cancel {order['order_id']}.",
        "Actually, rather than cancelling, ship it to 88 Birch Court, Madison, WI 53703, USA.",
        "Yes, go ahead.",
    ]
    played = play(turns)
    where = {"address1": "88 Birch Court", "address2": "", "city": "Madison", "state": "WI"}
    where |= {"country": "USA", "zip": "53703"}
    assert played.writes() == [
        (2, "modify_pending_order_address", {"order_id": order["order_id"], **where})
    ], played.said()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_two_actions_on_one_pending_order_are_both_carried_out(lang: str) -> None:
    user, order, item, _, (key, value, variant) = _order_with_change("pending")
    address = "88 Birch Court, Unit 2, Madison, WI 53703, USA"
    if lang == "en":
        turns = [
            f"Hey, {user['email']}. On {order['order_id']} please change the shipping address "
            f"to {address} and also switch the {item['name']} to {key} {value}, paying any "
            "difference with my PayPal.",
            "Yes, go ahead.",
            "Yes, please.",
        ]
    else:
        turns = [
            f"邮箱{user['email']}。订单{order['order_id']}的收货地址改成 {address}，"
            f"另外把{item['name']}换成 {key} {value}，差价用PayPal付。",
            "确认",
            "好的，可以",
        ]
    played = play(turns)
    where = {"address1": "88 Birch Court", "address2": "Unit 2", "city": "Madison"}
    where |= {"state": "WI", "country": "USA", "zip": "53703"}
    change = {
        "order_id": order["order_id"],
        "item_ids": [item["item_id"]],
        "new_item_ids": [variant["item_id"]],
        "payment_method_id": order["payment_history"][0]["payment_method_id"],
    }
    assert played.writes() == [
        (1, "modify_pending_order_address", {"order_id": order["order_id"], **where}),
        (2, "modify_pending_order_items", change),
    ], played.said()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_return_and_an_exchange_of_one_order_keep_the_status_rule(lang: str) -> None:
    user, order, item, other, (key, value, _) = _order_with_change("delivered")
    if lang == "en":
        turns = [
            f"Email {user['email']}. For order {order['order_id']} I want to return the "
            f"{other['name']} and exchange the {item['name']} for {key} {value}. Refund to the "
            "original payment method; any difference on my PayPal.",
            "Yes, go ahead.",
        ]
    else:
        turns = [
            f"邮箱{user['email']}。订单{order['order_id']}：{other['name']}我要退货，钱原路退回；"
            f"另外{item['name']}换成 {key} {value}，差价用PayPal。",
            "确认",
        ]
    played = play(turns)
    # The return is done; the exchange then meets the status check, as it would alone. The
    # proposal of the return says beforehand that it rules the exchange out.
    assert played.writes() == [(1, "return_delivered_order_items", _return_args(order, other))]
    warning = "will not be possible" if lang == "en" else "将无法再办理"
    assert warning in played.replies[0], played.said()
    assert "return requested" in played.replies[1], played.said()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "cancel order #W1111111 since I don't need it and also return the Desk Lamp from "
            "#W2222222",
            [("cancel", "#W1111111"), ("return", "#W2222222")],
        ),
        (
            "Cancel W1111111, and for W2222222, send back the Desk Lamp please.",
            [("cancel", "#W1111111"), ("return", "#W2222222")],
        ),
        (
            "for order #W3333333 I want to return the Sneakers and exchange the Wall Clock",
            [("return", "#W3333333"), ("items", "#W3333333")],
        ),
        (
            "please update my default address to 5 Elm St, Reno, NV 89501, USA and cancel "
            "W4444444, ordered it by mistake",
            [("user_address", None), ("cancel", "#W4444444")],
        ),
        (
            "帮我把订单W1111111取消，另外把W2222222的台灯退了",
            [("cancel", "#W1111111"), ("return", "#W2222222")],
        ),
        (
            "订单W5555555：1. 地址改为 9 Pine Rd, Reno, NV 89501, USA；2. 把Sneakers改成 size 9",
            [("modify_address", "#W5555555"), ("items", "#W5555555")],
        ),
        (
            "First, the address on W5555555 should be 9 Pine Rd, Reno, NV 89501, USA. Second, "
            "cancel W6666666 as I don't need it.",
            [("modify_address", "#W5555555"), ("cancel", "#W6666666")],
        ),
        (
            "Please cancel W1111111 & W2222222, ordered both by mistake.",
            [("cancel", "#W1111111"), ("cancel", "#W2222222")],
        ),
        (
            "订单W3333333：Sneakers退货，还有Wall Clock换成 color black",
            [("return", "#W3333333"), ("items", "#W3333333")],
        ),
    ],
)
def test_a_message_with_two_requests_is_split_in_the_order_written(
    text: str, expected: list[tuple[str, str | None]]
) -> None:
    segments = split_requests(text, "zh" if any("\u4e00" <= c <= "\u9fff" for c in text) else "en")
    found = [
        (action_family(s.action), s.understood.order_ids[0] if s.understood.order_ids else None)
        for s in segments
    ]
    assert found == expected


@pytest.mark.parametrize(
    "text",
    [
        "I want to exchange the Wall Clock in #W1111111 for color black and pay the difference "
        "with my PayPal.",
        "Please return the Desk Lamp from W2222222 and refund it to my gift card.",
        "Cancel #W3333333, I don't need it. I don't want to return anything.",
        "Could you change the shipping address of W4444444 to 5 Elm St, Reno, NV 89501, USA? "
        "It's also my new home address.",
        "What is your return policy, and can I cancel an order after it ships?",
        "Switch the payment on W5555555 to my Visa ending 1234, and change it back if it fails.",
        "订单W1111111我要退货，退Desk Lamp和Wall Clock，钱原路退回。",
        "订单W2222222里的Wall Clock换成 color black，差价用我的礼品卡支付。",
        "帮我把W3333333取消了吧，不用退货，东西还没发。",
    ],
)
def test_a_message_with_one_request_is_not_split(text: str) -> None:
    assert (
        split_requests(text, "zh" if any("\u4e00" <= c <= "\u9fff" for c in text) else "en") == ()
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_one_request_with_payment_words_makes_no_second_request(lang: str) -> None:
    user, order, item, _, (key, value, variant) = _order_with_change("delivered")
    if lang == "en":
        turns = [
            f"My email is {user['email']}. I'd like to exchange the {item['name']} in "
            f"{order['order_id']} for {key} {value}, and pay any difference with my PayPal.",
            "Yes, go ahead.",
        ]
        lead = "Next,"
    else:
        turns = [
            f"邮箱{user['email']}。订单{order['order_id']}里的{item['name']}我想换货，"
            f"换成 {key} {value}，差价用PayPal支付。",
            "确认",
        ]
        lead = "接下来"
    played = play(turns)
    change = {
        "order_id": order["order_id"],
        "item_ids": [item["item_id"]],
        "new_item_ids": [variant["item_id"]],
        "payment_method_id": order["payment_history"][0]["payment_method_id"],
    }
    assert played.writes() == [(1, "exchange_delivered_order_items", change)]
    assert not any(lead in reply for reply in played.replies), played.said()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("And yes, go ahead with that one too.", True),
        ("So yes, do it.", True),
        ("And what about my other order?", None),
        ("Skip that one, please.", False),
        ("Let's not do that one.", False),
        ("这个跳过吧", False),
    ],
)
def test_yes_and_no_to_one_of_several_requests(text: str, expected: bool | None) -> None:
    assert detect_yes_no(text) is expected


def test_refund_only_anywhere_in_a_message_of_several_requests_goes_to_a_person() -> None:
    user, pending, delivered, item = _pending_and_delivered()
    turns = [
        f"Email {user['email']}. Cancel {pending['order_id']}, ordered by mistake. Also return "
        f"the {item['name']} from {delivered['order_id']}. Actually, refund only, I'm keeping it.",
    ]
    played = play(turns)
    assert played.writes() == []
    assert played.names()[-1] == "transfer_to_human_agents"
