from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool

from shopcrew.tools.langchain.merchant import build_ads_tools, build_kb_tools, build_listing_tools
from shopcrew.tools.records.campaigns import Campaign
from shopcrew.tools.reference.ads import JsonAdsAdapter
from shopcrew.tools.reference.kb import JsonKnowledgeBaseAdapter
from shopcrew.tools.reference.listings import LISTINGS_FILE, JsonListingAdapter

EVAL_DIR = (
    Path(os.environ.get("SHOPCREW_SHARED", Path(__file__).resolve().parents[3] / "shared")) / "eval"
)
THREAD = {"configurable": {"thread_id": "thread-1"}}


@pytest.fixture
def listings(tmp_path: Path) -> JsonListingAdapter:
    shutil.copy(EVAL_DIR / "listings_dev.jsonl", tmp_path / LISTINGS_FILE)
    return JsonListingAdapter.from_dir(tmp_path)


@pytest.fixture
def ads() -> JsonAdsAdapter:
    campaign = Campaign(
        id="c1", channel="amazon_sp", name="Mugs", min_budget=10, max_budget=100, history=[]
    )
    return JsonAdsAdapter([campaign])


def _by_name(tools: list[BaseTool]) -> dict[str, BaseTool]:
    return {tool.name: tool for tool in tools}


def _call(tool: BaseTool, args: dict[str, object], call_id: str) -> str:
    message = tool.invoke(
        {"name": tool.name, "args": args, "id": call_id, "type": "tool_call"}, THREAD
    )
    assert isinstance(message, ToolMessage)
    return str(message.content)


def test_listing_tools_read(listings: JsonListingAdapter) -> None:
    tools = _by_name(build_listing_tools(listings))
    first = listings.list_listings()[0]
    assert json.loads(tools["get_listing"].invoke({"listing_id": first.id}))["id"] == first.id
    drafts = json.loads(tools["list_listings"].invoke({"status": "draft"}))
    assert drafts and {d["status"] for d in drafts} == {"draft"}


@pytest.mark.parametrize(
    ("name", "args", "needle"),
    [
        ("get_listing", {"listing_id": "nope"}, "No listing 'nope'"),
        ("get_listing", {}, "listing_id: Field required"),
        ("get_listing", {"listing_id": "x", "extra": 1}, "extra: Extra inputs are not permitted"),
        ("list_listings", {"status": "gone"}, "status: Input should be"),
        ("set_listing_status", {"listing_id": "x", "status": "deleted"}, "status: Input should"),
        ("update_listing", {"listing_id": "x", "changes": {"price": 1}}, "changes.price"),
    ],
)
def test_listing_tools_report_bad_calls_as_errors(
    listings: JsonListingAdapter, name: str, args: dict[str, object], needle: str
) -> None:
    result = _by_name(build_listing_tools(listings))[name].invoke(args)
    assert result.startswith("Error: ") and needle in result


def test_a_retried_tool_call_applies_once(listings: JsonListingAdapter) -> None:
    tools = _by_name(build_listing_tools(listings))
    listing_id = listings.list_listings()[0].id
    first = _call(tools["set_listing_status"], {"listing_id": listing_id, "status": "paused"}, "a")
    listings.set_listing_status(listing_id, "draft")
    again = _call(tools["set_listing_status"], {"listing_id": listing_id, "status": "paused"}, "a")
    assert again == first
    assert listings.get_listing(listing_id).status == "draft"
    changed = _call(
        tools["set_listing_status"], {"listing_id": listing_id, "status": "active"}, "a"
    )
    assert changed.startswith("Error: Idempotency key")
    title = {"listing_id": listing_id, "changes": {"title": "Fixed title"}}
    assert json.loads(_call(tools["update_listing"], title, "b"))["title"] == "Fixed title"


async def test_ads_tools(ads: JsonAdsAdapter) -> None:
    tools = _by_name(build_ads_tools(ads))
    campaigns = json.loads(await tools["get_campaigns"].ainvoke({}))
    assert [c["id"] for c in campaigns] == ["c1"]
    result = await tools["set_campaign_budget"].ainvoke({"campaign_id": "c1", "daily_budget": 50})
    assert json.loads(result)["daily_budget"] == 50.0
    too_much = tools["set_campaign_budget"].invoke({"campaign_id": "c1", "daily_budget": 500})
    assert too_much.startswith("Error: ") and "outside its bounds" in too_much
    negative = tools["set_campaign_budget"].invoke({"campaign_id": "c1", "daily_budget": -1})
    assert negative.startswith("Error: invalid arguments (daily_budget")
    assert json.loads(tools["pause_campaign"].invoke({"campaign_id": "c1"}))["status"] == "paused"
    assert tools["pause_campaign"].invoke({"campaign_id": "c9"}).startswith("Error: No campaign")


async def test_kb_tool() -> None:
    kb = JsonKnowledgeBaseAdapter.from_file(EVAL_DIR / "cs_kb.jsonl")
    tool = build_kb_tools(kb)[0]
    found = json.loads(await tool.ainvoke({"query": "发票怎么开", "lang": "zh", "k": 1}))
    assert [a["id"] for a in found["articles"]] == ["invoices-zh"]
    assert tool.invoke({"query": "zzzz"}).startswith("No knowledge-base article")
    assert tool.invoke({"query": ""}).startswith("Error: invalid arguments (query")
    assert "config" not in tool.tool_call_schema.model_json_schema()["properties"]
