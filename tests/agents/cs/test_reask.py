"""A refused detail is asked for again, so the customer knows what would do."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from shopcrew.graphs.crew import build_crew, send_event
from shopcrew.graphs.events import CustomerMessage
from shopcrew.models import resolve_model
from shopcrew.tools.adapters import Adapters


def _delivered(tau_dir: Path) -> tuple[str, str, str]:
    """A customer's email, a delivered order of theirs paid by PayPal, and an item of it."""
    db = tau_dir / "db"
    orders = json.loads((db / "orders.json").read_text(encoding="utf-8"))
    users = json.loads((db / "users.json").read_text(encoding="utf-8"))
    for user in reversed(list(users.values())):
        for order_id in user["orders"]:
            order = orders.get(order_id)
            paid = order and order["payment_history"][0]["payment_method_id"]
            if order and order["status"] == "delivered" and paid.startswith("paypal_"):
                return user["email"], order_id, order["items"][0]["name"]
    raise AssertionError("no delivered order in the store")


def _talk(crew: Any, conversation: str, text: str) -> str:
    out = send_event(crew, CustomerMessage(conversation_id=conversation, text=text))
    return str(out["messages"][-1].content)


@pytest.mark.parametrize(
    ("lang", "opening", "wrong", "right", "question"),
    [
        ("en", "Hello, {email} here. I'd like to return the {item} from {order}.",
         "to my credit card please", "the original payment method", "original payment method"),
        ("zh", "你好，我是 {email}，订单{order}里的{item}想退货。",
         "退到我的信用卡", "原路退回", "原支付方式"),
    ],
)  # fmt: skip
def test_a_refused_refund_target_is_asked_for_again(
    tau_dir: Path, lang: str, opening: str, wrong: str, right: str, question: str
) -> None:
    email, order, item = _delivered(tau_dir)
    crew = build_crew(
        model=resolve_model("rules"), adapters=Adapters.reference(), checkpointer=InMemorySaver()
    )
    _talk(crew, lang, opening.format(email=email, order=order, item=item))
    refused = _talk(crew, lang, wrong)
    # The refusal, then the question it leaves open.
    assert refused.index("gift card" if lang == "en" else "礼品卡") < refused.rindex(question)
    proposed = _talk(crew, lang, right)
    assert order in proposed and ("yes" in proposed or "确认" in proposed)
