"""The rules model meets hedges, questions, corrections and partial requests after a proposal.

Whole conversations through the CS graph with the rules model, in Chinese and English: only an
unhedged yes to the proposal on the table writes, and it writes exactly that proposal.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from cs_policy_loop import DB, find_orders, orders, play, products, users

pytestmark = pytest.mark.skipif(not DB.exists(), reason="no ../shared/tau-retail")


def _pending_with_two_products() -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    return next(
        find_orders(
            lambda _, o: o["status"] == "pending" and len({i["name"] for i in o["items"]}) >= 2
        )
    )


def _delivered() -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    return next(find_orders(lambda _, o: o["status"] == "delivered" and len(o["items"]) >= 2))


@pytest.mark.parametrize(
    ("hedge", "lang"),
    [
        ("Okay, wait, not yet. Let me think.", "en"),
        ("ok but how long does the refund take?", "en"),
        ("Yes... wait, no, actually keep it.", "en"),
        ("Fine, I guess not. Leave it as is.", "en"),
        ("Sure, but let me ask my husband first", "en"),
        ("嗯，我再想想", "zh"),
        ("好的，但是先别办，我问问我老婆", "zh"),
        ("对了，退款多久能到账？", "zh"),
        ("可以晚点再说吗？", "zh"),
        ("好吧，知道了", "zh"),
    ],
)
def test_a_hedge_after_a_proposal_changes_nothing(hedge: str, lang: str) -> None:
    user, order = _pending_with_two_products()
    opening = (
        f"亲，我的邮箱是{user['email']}，订单{order['order_id']}拍错了，帮我取消"
        if lang == "zh"
        else f"Hi, my email is {user['email']}. Cancel {order['order_id']}, ordered by mistake."
    )
    played = play([opening, hedge])
    assert played.writes() == []
    assert "confirm" in played.replies[0].lower() or "确认" in played.replies[0]


def test_a_question_is_answered_and_the_same_proposal_asked_again_then_written() -> None:
    user, order = _delivered()
    item = order["items"][0]
    played = play(
        [
            f"Hi, email {user['email']}. I want to return the {item['name']} from "
            f"{order['order_id']}, refund to the original payment method.",
            "ok but how long does the refund take?",
            "Yes, please go ahead.",
        ]
    )
    assert "business days" in played.replies[1]
    assert played.replies[1].count("Please confirm: return") == 1
    [(turn, name, args)] = played.writes()
    assert (turn, name, args["item_ids"]) == (2, "return_delivered_order_items", [item["item_id"]])


def test_a_hedge_then_a_later_yes_writes_after_the_proposal_is_shown_again() -> None:
    user, order = _pending_with_two_products()
    played = play(
        [
            f"我的邮箱 {user['email']}，订单{order['order_id']}拍错了，帮我取消",
            "嗯，我再想想",
            "好的，确认",
        ]
    )
    assert "没有做任何更改" in played.replies[1]
    assert played.writes() == [
        (2, "cancel_pending_order", {"order_id": order["order_id"], "reason": "ordered by mistake"})
    ]


@pytest.mark.parametrize(
    ("question", "yes", "lang"),
    [
        ("after this can i still change the address?", "yes", "en"),
        ("取消以后还能改地址吗？", "确认", "zh"),
        ("亲 取消了还能退货吗😭", "好的", "zh"),
    ],
)
def test_a_question_about_another_change_keeps_the_proposal_on_the_table(
    question: str, yes: str, lang: str
) -> None:
    """ "Can I still …?" asks about a change, it requests none: answered, then the same proposal."""
    user, order = _pending_with_two_products()
    opening = (
        f"亲，我的邮箱是{user['email']}，订单{order['order_id']}拍错了，帮我取消"
        if lang == "zh"
        else f"Hi, my email is {user['email']}. Cancel {order['order_id']}, ordered by mistake."
    )
    played = play([opening, question, yes])
    assert order["order_id"] in played.replies[1]
    assert "确认" in played.replies[1] or "confirm" in played.replies[1].lower()
    assert played.writes() == [
        (2, "cancel_pending_order", {"order_id": order["order_id"], "reason": "ordered by mistake"})
    ]


@pytest.mark.parametrize("later", ["可以晚点再说吗？", "can we do this later?", "嗯 我问问我老公"])
def test_a_later_is_not_a_rules_question(later: str) -> None:
    user, order = _pending_with_two_products()
    played = play(
        [f"亲，我的邮箱是{user['email']}，订单{order['order_id']}拍错了，帮我取消", later]
    )
    assert played.writes() == []
    assert "不着急" in played.replies[1]
    assert "知识库" not in played.replies[1]


def test_a_run_on_message_split_by_spaces_gives_its_reason_to_every_order() -> None:
    user, first, second = next(
        (user, *pending[:2])
        for user in users().values()
        if len(
            pending := [orders()[o] for o in user["orders"] if orders()[o]["status"] == "pending"]
        )
        >= 2
    )
    played = play([f"{first['order_id']}和{second['order_id']}都取消 用不上了 邮箱{user['email']}"])
    assert "不想要了" in played.replies[0]
    assert "原因是什么" not in played.replies[0]


def _swappable_pending() -> tuple[Mapping[str, Any], Mapping[str, Any], Mapping[str, Any]]:
    for user, order in find_orders(lambda _, o: o["status"] == "pending"):
        item = order["items"][0]
        variants = products()[item["product_id"]]["variants"].values()
        keys = list(item["options"])
        # Two available variants that differ from the item in exactly one option each.
        single = [
            v
            for v in variants
            if v["available"] and sum(v["options"][k] != item["options"][k] for k in keys) == 1
        ]
        changed = {next(k for k in keys if v["options"][k] != item["options"][k]) for v in single}
        if len(single) >= 2 and len(changed) == 1 and _paypal(user):
            return user, order, {"item": item, "a": single[0], "b": single[1]}
    raise AssertionError("no such order in the reference store")


def _paypal(user: Mapping[str, Any]) -> bool:
    return any(m["source"] == "paypal" for m in user["payment_methods"].values())


def _change(item: Mapping[str, Any], variant: Mapping[str, Any]) -> str:
    return ", ".join(
        f"{key} {value}"
        for key, value in variant["options"].items()
        if item["options"][key] != value
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_correction_replaces_the_proposal_and_the_yes_writes_the_corrected_one(
    lang: str,
) -> None:
    user, order, found = _swappable_pending()
    item, first, second = found["item"], found["a"], found["b"]
    if lang == "en":
        turns = [
            f"Hi, my email is {user['email']}. Please change the {item['name']} in order "
            f"{order['order_id']} to {_change(item, first)}. Use my PayPal for any difference.",
            f"No wait, make it {_change(item, second)} instead.",
            "Yes, go ahead.",
        ]
    else:
        turns = [
            f"你好，邮箱{user['email']}，订单{order['order_id']}里的{item['name']}想换成"
            f"{_change(item, first)}，差价用PayPal",
            f"不对，换成{_change(item, second)}",
            "确认",
        ]
    played = play(turns)
    [(turn, name, args)] = played.writes()
    assert (turn, name) == (2, "modify_pending_order_items")
    assert args["new_item_ids"] == [second["item_id"]]


@pytest.mark.parametrize(
    "partial",
    [
        "是的，不过只取消里面的{item}，其他的保留",
        "Yes but only the {item}, keep the rest.",
    ],
)
def test_a_partial_cancel_is_refused_with_the_reason_never_read_as_the_whole_order(
    partial: str,
) -> None:
    user, order = _pending_with_two_products()
    item = order["items"][0]["name"]
    played = play(
        [
            f"My email is {user['email']}. Cancel order {order['order_id']}, ordered by mistake.",
            partial.format(item=item),
            "ok",
        ]
    )
    assert played.writes() == []
    assert "whole" in played.replies[1] or "整单" in played.replies[1]
