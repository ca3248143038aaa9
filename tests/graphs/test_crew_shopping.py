"""The crew with the shopping guide: pre-sale messages to the guide, after-sales ones to CS."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shopcrew.graphs.crew import build_crew, send_event
from shopcrew.graphs.events import CustomerMessage
from shopcrew.models import RulesChatModel
from shopcrew.tools import Adapters


def _say(crew: Any, text: str) -> Any:
    return send_event(crew, CustomerMessage(conversation_id="conv-1", text=text))["messages"][-1]


def test_one_conversation_is_served_by_the_guide_then_by_customer_service(tau_dir: Path) -> None:
    crew = build_crew(
        model=RulesChatModel(),
        adapters=Adapters.from_store_dir(tau_dir / "db"),
        shopping_guide=True,
    )
    question = _say(crew, "我想买一台咖啡机。")
    assert (question.name, question.content) == (
        "shopping_guide",
        "好的，咖啡机有不少选择。请问您的预算大概是多少？",
    )
    offer = _say(crew, "预算不超过250。")
    assert offer.name == "shopping_guide" and offer.content.startswith("为您推荐：")
    after_sales = _say(crew, "另外，订单#W2378156我想退货。")
    assert after_sales.name != "shopping_guide"


def test_without_the_hook_customer_messages_go_to_customer_service(tau_dir: Path) -> None:
    crew = build_crew(model=RulesChatModel(), adapters=Adapters.from_store_dir(tau_dir / "db"))
    assert _say(crew, "I'd like a coffee maker, $250 max.").name != "shopping_guide"
