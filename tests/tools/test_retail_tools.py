"""The τ-bench retail tools as LangChain tools: names, arguments, exact results, idempotency."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool
from tau_store_search import first

from shopcrew.tools.adapters import Adapters
from shopcrew.tools.langchain.retail import build_retail_tools
from shopcrew.tools.reference.store import Record, RetailStore
from shopcrew.tools.tau.names import RETAIL_TOOL_NAMES, RETAIL_WRITE_TOOLS
from shopcrew.tools.tau.tools import TauRetailTools, tau_retail_tool_schemas


def _tools(store: RetailStore) -> dict[str, BaseTool]:
    adapters = Adapters.from_store(store)
    tools = build_retail_tools(
        catalog=adapters.catalog, orders=adapters.orders, customers=adapters.customers
    )
    return {tool.name: tool for tool in tools}


def _call(
    tool: BaseTool, args: dict[str, Any], *, call_id: str = "c1", thread: str = "t1"
) -> ToolMessage:
    call = {"type": "tool_call", "id": call_id, "name": tool.name, "args": args}
    result = tool.invoke(call, {"configurable": {"thread_id": thread}})
    assert isinstance(result, ToolMessage)
    return result


def test_tools_have_tau_names_and_argument_names(store: RetailStore) -> None:
    tools = _tools(store)
    expected = {
        schema["function"]["name"]: set(schema["function"]["parameters"].get("properties", {}))
        for schema in tau_retail_tool_schemas()
    }
    assert sorted(tools) == sorted(RETAIL_TOOL_NAMES) == sorted(expected)
    assert {name: set(tool.args) for name, tool in tools.items()} == expected
    assert all(tool.description for tool in tools.values())


def test_reads_match_tau_bench_byte_for_byte(store: RetailStore, tools: TauRetailTools) -> None:
    ours = _tools(store)
    calls: list[tuple[str, dict[str, Any]]] = [("list_all_product_types", {})]
    calls += [("get_order_details", {"order_id": key}) for key, _ in store.items("orders")]
    calls += [("get_user_details", {"user_id": key}) for key, _ in store.items("users")]
    calls += [("get_product_details", {"product_id": key}) for key, _ in store.items("products")]
    user = first(store, "users", lambda record: True)
    calls += [
        ("find_user_id_by_email", {"email": user["email"].upper()}),
        ("find_user_id_by_name_zip", {**user["name"], "zip": user["address"]["zip"]}),
        ("calculate", {"expression": "(100 - 7.5) * 2"}),
        ("think", {"thought": "the customer wants a refund"}),
        ("transfer_to_human_agents", {"summary": "wants a person"}),
    ]
    mismatched = [
        (name, args)
        for name, args in calls
        if _call(ours[name], args).content != tools.invoke(name, args)
    ]
    assert mismatched == []


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("get_order_details", {"order_id": "#W0000000"}, "Error: order not found"),
        ("get_user_details", {"user_id": "nobody_0000"}, "Error: user not found"),
        ("get_product_details", {"product_id": "0"}, "Error: product not found"),
        ("find_user_id_by_email", {"email": "nobody@example.com"}, "Error: user not found"),
        ("calculate", {"expression": "1 / 0"}, "Error: division by zero"),
    ],
)
def test_failures_are_tau_error_strings_with_error_status(
    store: RetailStore, name: str, args: dict[str, Any], expected: str
) -> None:
    result = _call(_tools(store)[name], args)
    assert (result.content, result.status) == (expected, "error")


def test_unknown_argument_is_refused_and_changes_nothing(store: RetailStore) -> None:
    before = store.store_sha256()
    order = first(store, "orders", lambda o: o["status"] == "pending")
    result = _call(
        _tools(store)["cancel_pending_order"],
        {"order_id": order["order_id"], "reason": "no longer needed", "refund": 100},
    )
    assert result.status == "error"
    assert str(result.content).startswith("Error: argument refund")
    assert store.store_sha256() == before


def _write_calls(store: RetailStore) -> list[tuple[str, dict[str, Any]]]:
    pending = first(store, "orders", lambda o: o["status"] == "pending")
    delivered = first(store, "orders", lambda o: o["status"] == "delivered")
    new_address = {
        "address1": "1 Test Way",
        "address2": "",
        "city": "Austin",
        "state": "TX",
        "country": "USA",
        "zip": "73301",
    }
    return [
        ("cancel_pending_order", {"order_id": pending["order_id"], "reason": "ordered by mistake"}),
        ("modify_pending_order_address", {"order_id": pending["order_id"], **new_address}),
        (
            "return_delivered_order_items",
            {
                "order_id": delivered["order_id"],
                "item_ids": [delivered["items"][0]["item_id"]],
                "payment_method_id": delivered["payment_history"][0]["payment_method_id"],
            },
        ),
        (
            "modify_user_address",
            {"user_id": next(key for key, _ in store.items("users")), **new_address},
        ),
    ]


@pytest.mark.parametrize("index", range(4))
def test_writes_match_tau_bench_results_and_store(base_store: RetailStore, index: int) -> None:
    ours, theirs = base_store.fork(), base_store.fork()
    name, args = _write_calls(base_store)[index]
    result = _call(_tools(ours)[name], args)
    expected = TauRetailTools(theirs).invoke(name, args)
    assert name in RETAIL_WRITE_TOOLS
    if "address1" in args:
        # Typed views keep the files' address key order, not the one τ-bench writes.
        assert json.loads(str(result.content)) == json.loads(expected)
    else:
        assert result.content == expected
    assert ours.store_sha256() == theirs.store_sha256() != base_store.store_sha256()


def test_refused_write_is_the_tau_rule_and_changes_nothing(store: RetailStore) -> None:
    delivered = first(store, "orders", lambda o: o["status"] == "delivered")
    before = store.store_sha256()
    result = _call(
        _tools(store)["cancel_pending_order"],
        {"order_id": delivered["order_id"], "reason": "no longer needed"},
    )
    assert result.content == "Error: non-pending order cannot be cancelled"
    assert store.store_sha256() == before


def test_retried_call_applies_once_and_returns_the_same_result(store: RetailStore) -> None:
    pending: Record = first(store, "orders", lambda o: o["status"] == "pending")
    tool = _tools(store)["cancel_pending_order"]
    args = {"order_id": pending["order_id"], "reason": "no longer needed"}
    first_result = _call(tool, args, call_id="call-7")
    after_first = store.store_sha256()
    again = _call(tool, args, call_id="call-7")
    assert (again.content, again.status) == (first_result.content, "success")
    assert store.store_sha256() == after_first
    other_thread = _call(tool, args, call_id="call-7", thread="t2")
    assert other_thread.content == "Error: non-pending order cannot be cancelled"


async def test_async_write_matches_sync(base_store: RetailStore) -> None:
    sync_store, async_store = base_store.fork(), base_store.fork()
    name, args = _write_calls(base_store)[2]
    expected = _call(_tools(sync_store)[name], args).content
    call = {"type": "tool_call", "id": "a1", "name": name, "args": args}
    result = await _tools(async_store)[name].ainvoke(call, {"configurable": {"thread_id": "t"}})
    assert isinstance(result, ToolMessage)
    assert result.content == expected
    assert async_store.store_sha256() == sync_store.store_sha256()
