"""The shopping guide on the Chinese shop (`cn_tmall`): its own product names, budgets in 元/块/¥,
replies priced in ¥, for Chinese and English-speaking shoppers alike."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import BaseMessage, HumanMessage, ToolMessage

from shopcrew.agents.money import currency_sign
from shopcrew.agents.shopping import (
    RECOMMEND_TOOL,
    CatalogIndex,
    RecommendResult,
    build_recommend_tool,
    shopping_dialogue,
)
from shopcrew.data import store_dir
from shopcrew.tools import Adapters


@pytest.fixture(scope="module")
def cn_catalog() -> CatalogIndex:
    return CatalogIndex.from_adapter(Adapters.from_store_dir(store_dir("cn_tmall")).catalog)


def _play(turns: list[str], catalog: CatalogIndex) -> tuple[list[str], RecommendResult | None]:
    """Each shopper turn through the rules dialogue and the real `recommend` tool."""
    tool = build_recommend_tool(catalog, currency=currency_sign("CNY"))
    decide = shopping_dialogue(catalog)
    messages: list[BaseMessage] = []
    replies: list[str] = []
    last: RecommendResult | None = None
    for turn in turns:
        messages.append(HumanMessage(turn))
        while True:
            message = decide(messages, frozenset({RECOMMEND_TOOL}))
            messages.append(message)
            if not message.tool_calls:
                replies.append(message.text)
                break
            call = message.tool_calls[0]
            out = str(tool.invoke(call["args"]))
            last = RecommendResult.model_validate(json.loads(out))
            messages.append(ToolMessage(out, tool_call_id=call["id"], name=RECOMMEND_TOOL))
    return replies, last


@pytest.mark.parametrize(
    ("turns", "products", "budget"),
    [
        (["亲，想入手一个行李箱，预算七百左右~"], ["拉杆行李箱"], 770.0),
        (
            ["想囤点年货，坚果礼盒和零食大礼包各来一份，300块以内。"],
            ["坚果礼盒", "零食大礼包"],
            300.0,
        ),
        (["给我妈买条围巾，300元以内，要红色的🧣"], ["羊毛围巾"], 300.0),
        (["想看看智能手表。", "预算1000以内。", "要银色的。"], ["智能手表"], 1000.0),
        (
            ["Can you bundle an air fryer and a rice cooker for me? 700 RMB total at most."],
            ["空气炸锅", "电饭煲"],
            700.0,
        ),
        (["Looking for a robot vacuum for ¥3,500 max."], ["扫地机器人"], 3500.0),
    ],
)
def test_wishes_on_the_chinese_shop_get_its_products_within_a_yuan_budget(
    turns: list[str], products: list[str], budget: float, cn_catalog: CatalogIndex
) -> None:
    replies, result = _play(turns, cn_catalog)
    assert result is not None and result.status == "ok"
    assert sorted(i.product for i in result.items) == sorted(products)
    assert result.total <= budget
    total = "合计：¥" if "合计" in replies[-1] else "Total: ¥"
    assert f"{total}{result.total:.2f}" in replies[-1]
    assert "$" not in "".join(replies)


def test_chinese_options_are_shown_and_matched_in_the_shops_words(cn_catalog: CatalogIndex) -> None:
    replies, result = _play(["给我妈买条羊毛围巾，300元以内，要红色的。"], cn_catalog)
    assert result is not None
    assert {i.options["颜色"] for i in result.items} <= {"正红", "酒红"}
    assert "颜色：" in replies[-1] and "羊毛围巾（" in replies[-1]


def test_a_gift_for_an_interest_draws_on_the_chinese_catalog(cn_catalog: CatalogIndex) -> None:
    replies, result = _play(["双十一想给我爸挑个礼物，他特别喜欢徒步，预算不超过300。"], cn_catalog)
    assert result is not None and result.status == "ok" and result.total <= 300
    assert result.items[0].product in {"运动鞋", "双肩包", "保温杯"}
    assert replies[-1].startswith("送给喜欢徒步的人")


def test_a_thing_the_chinese_shop_does_not_sell_is_said_so(cn_catalog: CatalogIndex) -> None:
    replies, result = _play(["你们卖微波炉吗？300块以内。"], cn_catalog)
    assert result is None
    assert replies == ["抱歉，我们店不卖微波炉，这次没有可推荐的。"]
