"""τ-bench read and utility tools: results and error strings of TOOLS.md."""

from __future__ import annotations

import json

from shopcrew.tools.reference.store import RetailStore
from shopcrew.tools.tau.names import RETAIL_TOOL_NAMES
from shopcrew.tools.tau.tools import TauRetailTools, tau_retail_tool_schemas


def _a_user(store: RetailStore) -> tuple[str, dict]:  # type: ignore[type-arg]
    return next(iter(store.items("users")))


def test_find_user_id_by_email_ignores_case(tools: TauRetailTools, store: RetailStore) -> None:
    user_id, user = _a_user(store)
    assert tools.invoke("find_user_id_by_email", {"email": user["email"].upper()}) == user_id


def test_find_user_id_by_email_unknown(tools: TauRetailTools) -> None:
    result = tools.invoke("find_user_id_by_email", {"email": "nobody@example.com"})
    assert result == "Error: user not found"


def test_find_user_id_by_name_zip_matches_names_in_any_case_and_exact_zip(
    tools: TauRetailTools, store: RetailStore
) -> None:
    user_id, user = _a_user(store)
    kwargs = {
        "first_name": user["name"]["first_name"].lower(),
        "last_name": user["name"]["last_name"].upper(),
        "zip": user["address"]["zip"],
    }
    assert tools.invoke("find_user_id_by_name_zip", kwargs) == user_id
    wrong_zip = {**kwargs, "zip": " " + user["address"]["zip"]}
    assert tools.invoke("find_user_id_by_name_zip", wrong_zip) == "Error: user not found"


def test_find_user_id_by_name_zip_follows_a_changed_address(
    tools: TauRetailTools, store: RetailStore
) -> None:
    user_id, user = _a_user(store)
    address = {
        "address1": "1 Main St",
        "address2": "",
        "city": "Austin",
        "state": "TX",
        "country": "USA",
        "zip": "99999",
    }
    tools.invoke("modify_user_address", {"user_id": user_id, **address})
    name = {"first_name": user["name"]["first_name"], "last_name": user["name"]["last_name"]}
    assert tools.invoke("find_user_id_by_name_zip", {**name, "zip": "99999"}) == user_id


def test_get_user_details_prints_the_file_record_with_integer_balances(
    tools: TauRetailTools, store: RetailStore
) -> None:
    user_id, user = next(
        (key, user)
        for key, user in store.items("users")
        if any(m["source"] == "gift_card" for m in user["payment_methods"].values())
    )
    result = tools.invoke("get_user_details", {"user_id": user_id})
    assert result == json.dumps(user)
    card = next(m for m in user["payment_methods"].values() if m["source"] == "gift_card")
    assert isinstance(card["balance"], int)
    assert f'"balance": {card["balance"]}, ' in result


def test_get_user_details_unknown(tools: TauRetailTools) -> None:
    assert tools.invoke("get_user_details", {"user_id": "nobody_1"}) == "Error: user not found"


def test_get_order_details_needs_the_hash_sign(tools: TauRetailTools, store: RetailStore) -> None:
    order_id, order = next(iter(store.items("orders")))
    assert tools.invoke("get_order_details", {"order_id": order_id}) == json.dumps(order)
    bare = {"order_id": order_id.lstrip("#")}
    assert tools.invoke("get_order_details", bare) == "Error: order not found"


def test_get_product_details_refuses_an_item_id(tools: TauRetailTools, store: RetailStore) -> None:
    product_id, product = next(iter(store.items("products")))
    assert tools.invoke("get_product_details", {"product_id": product_id}) == json.dumps(product)
    item_id = next(iter(product["variants"]))
    result = tools.invoke("get_product_details", {"product_id": item_id})
    assert result == "Error: product not found"


def test_list_all_product_types_sorts_names_by_code_point(
    tools: TauRetailTools, store: RetailStore
) -> None:
    types = json.loads(tools.invoke("list_all_product_types", {}))
    assert list(types) == sorted(types)
    assert len(types) == 50
    assert list(types).index("E-Reader") < list(types).index("Electric Kettle")
    assert all(store.get("products", product_id) for product_id in types.values())


def test_calculate_examples_of_the_spec(tools: TauRetailTools) -> None:
    cases = {
        "2 + 2": "4.0",
        "1 / 3": "0.33",
        "0.125 + 0": "0.12",
        "7 // 2": "3.0",
        "2 ** 10": "1024.0",
        "135.24 - 153.23": "-17.99",
        "1 / 0": "Error: division by zero",
        "2^3": "Error: invalid characters in expression",
        "1e5": "Error: invalid characters in expression",
        "abs(-1)": "Error: invalid characters in expression",
        "1..2": "Error: invalid syntax (<string>, line 1)",
    }
    results = {e: tools.invoke("calculate", {"expression": e}) for e in cases}
    assert results == cases


def test_think_and_transfer(tools: TauRetailTools) -> None:
    assert tools.invoke("think", {"thought": "hmm"}) == ""
    assert tools.invoke("transfer_to_human_agents", {"summary": "s"}) == "Transfer successful"


def test_unknown_tool_name(tools: TauRetailTools) -> None:
    assert tools.invoke("delete_everything", {}) == "Unknown action delete_everything"


def test_bad_arguments_return_an_error_and_change_nothing(
    tools: TauRetailTools, store: RetailStore
) -> None:
    before = store.store_sha256()
    order_id = next(o for o, r in store.items("orders") if r["status"] == "pending")
    calls = [
        ("cancel_pending_order", {"order_id": order_id}),
        ("cancel_pending_order", {"order_id": order_id, "reason": 3}),
        ("cancel_pending_order", {"order_id": order_id, "reason": "ordered by mistake", "x": 1}),
        ("return_delivered_order_items", {"order_id": order_id, "item_ids": "abc"}),
    ]
    for name, kwargs in calls:
        assert tools.invoke(name, kwargs).startswith("Error: ")
    assert store.store_sha256() == before


def test_schemas_name_all_sixteen_tools() -> None:
    schemas = tau_retail_tool_schemas()
    names = [schema["function"]["name"] for schema in schemas]
    assert names == list(RETAIL_TOOL_NAMES)
    assert len(names) == 16
    address = next(s for s in schemas if s["function"]["name"] == "modify_user_address")
    assert address["function"]["parameters"]["additionalProperties"] is False
    assert set(address["function"]["parameters"]["required"]) == {
        "user_id", "address1", "address2", "city", "state", "country", "zip",
    }  # fmt: skip
