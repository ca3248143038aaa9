"""Routing a customer message: the shopping guide before the sale, customer service after."""

from __future__ import annotations

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from shopcrew.agents.shopping import CatalogIndex
from shopcrew.agents.shopping.routing import GUIDE, route_conversation, route_message


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("I need a pair of hiking boots for $250 max.", GUIDE),
        ("My dad loves hiking, any gift ideas under $200?", GUIDE),
        ("What's your cheapest e-reader?", GUIDE),
        ("I'm buying a smartphone and sunglasses in one order, $1300 in total.", GUIDE),
        ("送女朋友的生日礼物，预算500。", GUIDE),
        ("想买个白色的电热水壶，越便宜越好。", GUIDE),
        ("Please cancel order #W1234567, I ordered it by mistake.", "cs_agent"),
        ("I want to return the T-shirt from my last order.", "cs_agent"),
        ("Where is my package? It hasn't arrived.", "cs_agent"),
        ("How long does shipping take?", "cs_agent"),
        ("邮箱是a@b.com，订单W1234567现在到哪一步了？", "cs_agent"),
        ("耳机坏了，我要退货。", "cs_agent"),
        ("转人工", "cs_agent"),
    ],
)
def test_first_messages(catalog: CatalogIndex, text: str, route: str) -> None:
    assert route_message(text, catalog=catalog) == route


def test_a_refinement_stays_with_the_guide_that_spoke_last(catalog: CatalogIndex) -> None:
    assert route_message("My budget is $300.", catalog=catalog, previous=GUIDE) == GUIDE
    assert route_message("便宜点的呢？", catalog=catalog, previous=GUIDE) == GUIDE
    assert route_message("Not black, please.", catalog=catalog, previous=GUIDE) == GUIDE
    assert route_message("Yes, confirmed.", catalog=catalog, previous="cs_agent") == "cs_agent"


def test_one_conversation_moves_between_the_agents(catalog: CatalogIndex) -> None:
    messages = [
        HumanMessage("I'd like a coffee maker."),
        AIMessage("What's your budget?", name=GUIDE),
        HumanMessage("Under $250."),
    ]
    assert route_conversation(messages, catalog=catalog) == GUIDE
    messages += [
        AIMessage("Here's what I'd suggest...", name=GUIDE),
        HumanMessage("Also, can I cancel order #W2378156?"),
    ]
    assert route_conversation(messages, catalog=catalog) == "cs_agent"
