"""An information question asked in the same message as an action: both are taken care of.

The question (an order's status, tracking or amount; a knowledge-base topic) is answered and the
action goes through the usual proposal and explicit yes, in one conversation, neither asked for
again. Customers and orders are picked from the reference store by what they hold (skipping the
CS dev set's customers); every sentence is written here, in English and Chinese.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from typing import Any

import pytest
from cs_policy_loop import DB, SHARED, orders, play, users

from shopcrew.agents.cs.rules.questions import SideQuestion, split_questions

pytestmark = pytest.mark.skipif(not DB.exists(), reason="no ../shared/tau-retail")

Rec = Mapping[str, Any]
YES_EN = "Yes, please go ahead."
YES_ZH = "好的，可以"
READS = frozenset({"get_user_details", "get_order_details"})
IDENTIFY = frozenset({"find_user_id_by_email", "find_user_id_by_name_zip"})


@cache
def _dev_users() -> frozenset[str]:
    path = SHARED / "eval" / "cs_dev.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return frozenset(str(json.loads(line).get("user_id")) for line in lines)


def _customer() -> tuple[Rec, Rec, Rec, Rec]:
    """(user, pending order paid once, delivered order with tracking, item of it named once)."""
    for user_id, user in users().items():
        if user_id in _dev_users():
            continue
        held = [orders()[o] for o in user["orders"]]
        pending = [o for o in held if o["status"] == "pending" and len(o["payment_history"]) == 1]
        for order in held:
            names = [item["name"] for item in order["items"]]
            single = [i for i in order["items"] if names.count(i["name"]) == 1]
            tracked = order["fulfillments"] and order["fulfillments"][0]["tracking_id"]
            if pending and order["status"] == "delivered" and single and tracked:
                return user, pending[0], order, single[0]
    raise AssertionError("no customer with a pending and a delivered order")


def _bare(order: Rec) -> str:
    return str(order["order_id"]).lstrip("#")


def _paid(order: Rec) -> str:
    return str(round(sum(p["amount"] for p in order["payment_history"]), 2))


def _tracking(order: Rec) -> str:
    return str(order["fulfillments"][0]["tracking_id"][0])


@pytest.mark.parametrize(
    ("yes", "template"),
    [
        (
            YES_EN,
            "Hey, this is {email}. Could you tell me where order {asked} is right now? "
            "Also, cancel {acted} for me, I don't need it anymore.",
        ),
        (YES_ZH, "你好，邮箱是{email}。{asked}这个订单现在到哪了？另外{acted}帮我取消吧，用不上了"),
        (
            YES_EN,
            "Hi, email {email}. Please cancel {acted}, I don't need it anymore. "
            "And what's the tracking number for {asked}?",
        ),
        (
            YES_EN,
            "{email} here. Has #{asked} been delivered? I'd also like to cancel #{acted}, "
            "no longer needed.",
        ),
        (YES_ZH, "我是{email}。{acted}帮我取消，不需要了。另外{asked}的物流单号是多少？"),
    ],
)
def test_order_question_is_answered_and_the_cancellation_proposed(yes: str, template: str) -> None:
    user, pending, delivered, _ = _customer()
    text = template.format(email=user["email"], asked=_bare(delivered), acted=_bare(pending))
    played = play([text, yes])
    first = played.replies[0]
    status = (
        "已签收" if yes == YES_ZH else "delivered"
    )  # a Chinese reply says the status in Chinese
    assert status in first and _tracking(delivered) in first
    assert _paid(pending) in first  # the cancellation's proposal, in the same reply
    assert played.writes() == [
        (
            1,
            "cancel_pending_order",
            {"order_id": pending["order_id"], "reason": "no longer needed"},
        )
    ]


@pytest.mark.parametrize(
    ("yes", "template", "fact"),
    [
        (
            YES_EN,
            "Hello, {email} here. How many days do I have to send something back? "
            "I'd like to return the {item} from {order}, refund to the original payment method.",
            "30 days",
        ),
        (
            YES_ZH,
            "您好，我的邮箱{email}。退货期限是多久？{order}里的{item}我要退掉，钱原路退回",
            "30天",
        ),
    ],
)
def test_kb_question_is_answered_and_the_return_proposed(
    yes: str, template: str, fact: str
) -> None:
    user, _, delivered, item = _customer()
    text = template.format(email=user["email"], item=item["name"], order=_bare(delivered))
    played = play([text, yes])
    assert fact in played.replies[0]
    assert str(item["price"]) in played.replies[0]
    original = delivered["payment_history"][0]["payment_method_id"]
    assert played.writes() == [
        (
            1,
            "return_delivered_order_items",
            {
                "order_id": delivered["order_id"],
                "item_ids": [item["item_id"]],
                "payment_method_id": original,
            },
        )
    ]


def test_order_question_before_identification_is_answered_once_identified() -> None:
    user, pending, delivered, _ = _customer()
    text = (
        f"Has order {delivered['order_id']} shipped yet? "
        f"Also I want to cancel {pending['order_id']}, I ordered it by mistake."
    )
    played = play([text, f"Sure, my email is {user['email']}.", YES_EN])
    first_identified = next(n for n, name in enumerate(played.names()) if name in IDENTIFY)
    assert not READS & set(played.names()[:first_identified])
    assert _tracking(delivered) not in played.replies[0]
    assert _tracking(delivered) in played.replies[1]
    assert _paid(pending) in played.replies[1]
    assert [w[:2] for w in played.writes()] == [(2, "cancel_pending_order")]


def test_question_about_another_customers_order_is_refused_unread() -> None:
    user, pending, _, _ = _customer()
    other = next(o for u in users().values() if u is not user for o in u["orders"])
    text = (
        f"Hi, {user['email']}. What's the status of {other}? "
        f"Also please cancel {pending['order_id']}, I ordered it by mistake."
    )
    played = play([text, YES_EN])
    looked_up = [args for _, name, args, _ in played.calls if name == "get_order_details"]
    assert {"order_id": other} not in looked_up
    assert "not in your account" in played.replies[0]
    assert [w[:2] for w in played.writes()] == [(1, "cancel_pending_order")]


def test_a_question_about_the_order_to_act_on_keeps_it_for_the_action() -> None:
    user, pending, _, _ = _customer()
    text = (
        f"I'm {user['email']}. Where is my order {_bare(pending)}? "
        "Can you cancel it? I ordered it by mistake."
    )
    played = play([text, YES_EN])
    assert "pending" in played.replies[0]
    assert played.writes() == [
        (
            1,
            "cancel_pending_order",
            {"order_id": pending["order_id"], "reason": "ordered by mistake"},
        )
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Where is my order #W1234567 right now?",
        "订单W1234567发货了吗？",
        "How long do refunds take?",
        "Can I return the lamp? It's from #W1234567.",
    ],
)
def test_a_question_alone_is_left_whole(text: str) -> None:
    assert split_questions(text, "zh" if "订单" in text else "en") == (text, ())


@pytest.mark.parametrize(
    "text",
    [
        "Please cancel #W1234567, I ordered it by mistake.",
        "W1234567帮我取消，拍错了",
        "I'd like to return the Desk Lamp from #W1234567 to my PayPal.",
    ],
)
def test_an_action_alone_carries_no_question(text: str) -> None:
    assert split_questions(text, "zh" if "取消" in text else "en") == (text, ())


def test_the_question_is_taken_out_of_the_request() -> None:
    rest, questions = split_questions(
        "Where's #W1234567? Also cancel #W7654321, I ordered it by mistake.", "en"
    )
    assert rest == "Also cancel #W7654321, I ordered it by mistake."
    assert questions == (SideQuestion("order", "Where's #W1234567? ", "#W1234567", "status"),)


def test_plain_status_question_is_answered_as_before() -> None:
    user, _, delivered, _ = _customer()
    played = play([f"Hi, my email is {user['email']}. Has {delivered['order_id']} shipped yet?"])
    assert "delivered" in played.replies[0]
    assert "search_knowledge_base" not in played.names()
    assert played.writes() == []


def test_an_action_alone_gets_no_invented_answer() -> None:
    user, pending, _, _ = _customer()
    played = play(
        [f"Hello, {user['email']}. Please cancel {pending['order_id']}, ordered by mistake."]
    )
    assert "search_knowledge_base" not in played.names()
    assert "source:" not in played.replies[0] and "Tracking" not in played.replies[0]
    assert played.writes() == []


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("When will #W1234567 arrive? ", "order"),
        ("Did #W1234567 ship? ", "order"),
        ("Is #W1234567 on its way? ", "order"),
        ("Can you give me the tracking number of #W1234567? ", "order"),
        ("How long does shipping take? ", "kb"),
        ("What are your customer service hours? ", "kb"),
        ("W1234567什么时候到？", "order"),
        ("订单W1234567的物流单号是多少？", "order"),
        ("能开发票吗？", "kb"),
        ("有价保吗？", "kb"),
    ],
)
def test_question_wordings_beside_a_cancellation(question: str, kind: str) -> None:
    zh = not question.isascii()
    action = "另外W7654321帮我取消，拍错了" if zh else "Also cancel #W7654321, ordered by mistake."
    rest, questions = split_questions(question + action, "zh" if zh else "en")
    assert rest == action
    assert [(q.kind, q.text) for q in questions] == [(kind, question)]


@pytest.mark.parametrize(
    ("opening", "question", "yes", "fact"),
    [
        (
            "Hi, {email}. Please cancel {order}, I don't need it anymore.",
            "Before I say yes: how long do refunds take?",
            YES_EN,
            "5-7 business days",
        ),
        (
            "你好，邮箱{email}。{order}帮我取消，用不上了",
            "先问一下，退款多久到账？",
            YES_ZH,
            "5-7个工作日",
        ),
    ],
)
def test_a_rules_question_while_a_change_waits_is_answered_and_the_change_kept(
    opening: str, question: str, yes: str, fact: str
) -> None:
    user, pending, _, _ = _customer()
    first = opening.format(email=user["email"], order=pending["order_id"])
    played = play([first, question, yes])
    assert fact in played.replies[1]
    assert _paid(pending) in played.replies[1]  # the proposal stands, asked again
    assert played.writes() == [
        (2, "cancel_pending_order", {"order_id": pending["order_id"], "reason": "no longer needed"})
    ]
