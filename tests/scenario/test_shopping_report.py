"""The scenario report's shopping section: the pre-sale funnel from the conversations."""

from __future__ import annotations

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from shopcrew.agents.shopping import RecommendResult
from shopcrew.scenario.shopping_report import shopping_figures, shopping_markdown


def _offer(total: float, status: str = "ok") -> ToolMessage:
    result = RecommendResult.model_validate(
        {
            "status": status,
            "items": [
                {"item_id": "1", "product": "Pet Bed", "options": {}, "price": total, "quantity": 1}
            ]
            if status == "ok"
            else [],
            "total": total if status == "ok" else 0.0,
            "reply": "…",
        }
    )
    return ToolMessage(result.model_dump_json(), tool_call_id="c", name="recommend")


def test_wishes_baskets_and_conversion() -> None:
    guide = "shopping_guide"
    threads = {
        "a": [
            HumanMessage("pet bed?"),
            AIMessage("What's your budget?", name=guide),
            HumanMessage("$200"),
            _offer(180.5),
            AIMessage("Total: $180.50", name=guide),
        ],
        "b": [HumanMessage("a sofa"), _offer(0, "not_sold"), AIMessage("Sorry", name=guide)],
        "c": [HumanMessage("cancel #W1"), AIMessage("Done.")],
    }
    figures = shopping_figures(threads, langs={"a": "en", "b": "en", "c": "zh"})
    assert figures == {
        "wishes": 2,
        "recommended": 1,
        "declined_nothing_fits": 1,
        "no_proposal": 0,
        "conversion_rate": 0.5,
        "budget_questions": 1,
        "follow_up_recommendations": 0,
        "basket_value": 180.5,
        "average_basket": 180.5,
        "items_recommended": 1,
        "within_budget": 1,
        "by_lang": {"en": 2},
    }
    assert "| Conversion (recommended / wishes) | 50.0% |" in shopping_markdown(figures)
    in_yuan = shopping_markdown(figures, currency="CNY")
    assert "| Basket value, all recommendations | ¥180.50 |" in in_yuan
    assert "| Average basket | $180.50 |" in shopping_markdown(figures)
