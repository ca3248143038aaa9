"""The shopping guide alone, with the rules model: ask once, recommend, change one thing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from shopcrew import build_shopping_guide
from shopcrew.agents.shopping import RecommendResult
from shopcrew.models import RulesChatModel
from shopcrew.tools import Adapters


@pytest.fixture(scope="module")
def guide(tau_dir: Path) -> Any:
    return build_shopping_guide(
        model=RulesChatModel(), adapters=Adapters.from_store_dir(tau_dir / "db")
    )


def _say(guide: Any, thread: str, text: str) -> dict[str, Any]:
    config = {"configurable": {"thread_id": thread}}
    return dict(guide.invoke({"messages": [HumanMessage(text)]}, config))


def _proposal(state: dict[str, Any]) -> RecommendResult:
    return RecommendResult.model_validate(state["proposal"])


def test_asks_for_the_budget_once_then_recommends_within_it(guide: Any) -> None:
    first = _say(guide, "clarify", "I'd like a coffee maker.")
    assert first["messages"][-1].content == "Happy to help with coffee maker! What's your budget?"
    assert "proposal" not in first
    second = _say(guide, "clarify", "No more than $250.")
    proposal = _proposal(second)
    assert proposal.status == "ok" and proposal.total <= 250
    assert second["messages"][-1].content == proposal.reply
    third = _say(guide, "clarify", "Oh, and not white.")
    assert [i.options["color"] != "white" for i in _proposal(third).items] == [True]


def test_a_cheaper_one_and_another_colour_are_new_recommendations(guide: Any) -> None:
    first = _proposal(_say(guide, "follow", "想买个骑行头盔，预算不超过210，钱尽量花满。"))
    cheaper = _proposal(_say(guide, "follow", "有没有便宜一点的？"))
    assert cheaper.status == "ok" and cheaper.total < first.total
    colours = {cheaper.items[0].options["color"]}
    other = _proposal(_say(guide, "follow", "换个颜色吧。"))
    assert other.status == "ok" and other.items[0].options["color"] not in colours
    assert other.reply.startswith("为您推荐：")


def test_the_transcript_shows_the_tool_call_and_its_result(guide: Any) -> None:
    state = _say(guide, "tool", "The cheapest 6-inch e-reader, please.")
    call, result, reply = state["messages"][-3:]
    assert isinstance(call, AIMessage) and call.tool_calls[0]["name"] == "recommend"
    assert call.tool_calls[0]["args"]["objective"] == "cheapest"
    assert isinstance(result, ToolMessage) and result.name == "recommend"
    assert reply.content == RecommendResult.model_validate_json(str(result.content)).reply


def test_something_not_sold_is_declined_without_a_proposal(guide: Any) -> None:
    state = _say(guide, "printer", "I want to buy a printer, $300 max.")
    assert state["messages"][-1].content.startswith("Sorry, we don't sell printer")
    assert "proposal" not in state


def test_the_rules_model_keeps_the_cs_policy_unless_a_tool_brings_one() -> None:
    from shopcrew.agents.cs.rules import next_message

    assert RulesChatModel().bind_tools([]).dialogue is next_message
