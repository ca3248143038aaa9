"""The MCP server's tools, driven in process by the official client (`mcp.Client`)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from mcp import Client

from shopcrew.agents.policy import Policy
from shopcrew.mcp_server import build_mcp_server
from shopcrew.models import resolve_model
from shopcrew.service import InMemoryApiKeyStore, ServiceMetrics, build_crews
from shopcrew.service.runs import CrewService
from shopcrew.tools.adapters import Adapters

TOOLS = {
    "get_order": ["order_id"],
    "find_customer_profile": [],
    "search_products": ["query"],
    "daily_digest": [],
    "listing_findings": [],
    "run_listing_audit": [],
    "run_budget_review": [],
    "run_demand_plan": [],
    "message_customer_service": ["conversation_id", "text"],
    "get_conversation": ["conversation_id"],
    "list_approvals": [],
    "get_approval": ["request_id"],
    "decide_approval": ["request_id", "verdict", "action_hash", "by"],
}
"""Every tool and its required arguments."""

EMAIL = "amelia.wilson1598@example.com"
ORDER = "#W9077205"


def _service(store_dir: Path) -> CrewService:
    crews, _ = build_crews(
        model=resolve_model("rules"),
        adapters_for=lambda m: Adapters.from_store_dir(store_dir, merchant_id=m),
        policy_for=lambda m: Policy(budget_move_threshold=0.0),
    )
    return CrewService(crews, ServiceMetrics())


@asynccontextmanager
async def _connected(store_dir: Path) -> AsyncIterator[Client]:
    """The client of a server for merchant `acme` (entered in the test's own task: the SDK's
    task groups must be left in the task that entered them)."""
    server = build_mcp_server(_service(store_dir), merchant_id="acme")
    async with Client(server) as client:
        yield client


async def _call(client: Client, name: str, **arguments: Any) -> dict[str, Any]:
    result = await client.call_tool(name, arguments)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


async def _refused(client: Client, name: str, **arguments: Any) -> str:
    result = await client.call_tool(name, arguments)
    assert result.is_error
    text = result.content[0]
    assert text.type == "text"
    return text.text


async def test_every_tool_is_listed_with_a_description_and_a_typed_schema(store_dir: Path) -> None:
    async with _connected(store_dir) as client:
        listed = (await client.list_tools()).tools
        assert {t.name: sorted(t.input_schema.get("required", [])) for t in listed} == {
            name: sorted(required) for name, required in TOOLS.items()
        }
        for tool in listed:
            assert tool.description and len(tool.description) > 30, tool.name
            assert "ctx" not in tool.input_schema["properties"]
            assert tool.output_schema is not None, tool.name
        decide = next(t for t in listed if t.name == "decide_approval")
        assert decide.input_schema["properties"]["verdict"]["enum"] == ["approve", "reject", "edit"]
        assert decide.annotations is not None and decide.annotations.destructive_hint is True


async def test_an_order_a_customer_and_the_catalog_are_looked_up(store_dir: Path) -> None:
    async with _connected(store_dir) as client:
        order = await _call(client, "get_order", order_id=ORDER)
        assert (order["order_id"], order["status"]) == (ORDER, "delivered")
        customer = await _call(client, "find_customer_profile", email=EMAIL)
        assert customer["customer_id"] == "amelia_wilson_4614"
        assert ORDER in [o["order_id"] for o in customer["orders"]]
        found = await _call(client, "search_products", query="mechanical keyboard", limit=1)
        [product] = found["products"]
        assert product["name"] == "Mechanical Keyboard"
        missing = await _refused(client, "get_order", order_id="#W0000000")
        assert "#W0000000" in missing
        unnamed = await _refused(client, "find_customer_profile")
        assert "customer_id, by email" in unnamed


async def test_a_budget_review_is_approved_once_and_a_replayed_decision_is_refused(
    store_dir: Path,
) -> None:
    async with _connected(store_dir) as client:
        run = await _call(client, "run_budget_review")
        assert run["status"] == "waiting"
        [interrupt] = run["interrupts"]
        [record] = (await _call(client, "list_approvals"))["approvals"]
        assert record["request"]["id"] == interrupt["ref"]
        decision = {
            "request_id": interrupt["ref"],
            "verdict": "approve",
            "action_hash": record["request"]["action_hash"],
            "by": "ana",
            "decision_id": "d-1",
        }
        forged = await _refused(client, "decide_approval", **{**decision, "action_hash": "0" * 64})
        assert "ApprovalMismatchError" in forged
        done = await _call(client, "decide_approval", **decision)
        assert done["approval"]["request"]["status"] == "approved"
        assert done["run"]["status"] == "completed"
        # The same decision id again (a client's retry) gets the first result, not a second run.
        retried = await _call(client, "decide_approval", **decision)
        assert retried["approval"] == done["approval"]
        replayed = await _refused(client, "decide_approval", **{**decision, "decision_id": "d-2"})
        assert "StaleApprovalError" in replayed
        assert (await _call(client, "list_approvals"))["approvals"] == []
        decided = (await _call(client, "list_approvals", status="approved"))["approvals"]
        assert [r["request"]["decided_by"] for r in decided] == ["ana"]
        digest = await client.call_tool("daily_digest", {})
        text = digest.content[0]
        assert text.type == "text" and f"`{interrupt['ref']}`" in text.text


async def test_the_audit_findings_are_kept_for_the_owner(store_dir: Path) -> None:
    async with _connected(store_dir) as client:
        assert await _call(client, "listing_findings") == {
            "run_id": None,
            "at": None,
            "listings": [],
        }
        run = await _call(client, "run_listing_audit")
        findings = await _call(client, "listing_findings")
        assert findings["run_id"] == run["event_id"]
        assert [x["listing_id"] for x in findings["listings"]] == [
            x["listing_id"] for x in run["report"]["listings"]
        ]


async def test_the_customer_service_agent_answers_and_keeps_the_conversation(
    store_dir: Path,
) -> None:
    async with _connected(store_dir) as client:
        text = f"Hi, my email is {EMAIL}. What is the status of order {ORDER}?"
        run = await _call(
            client, "message_customer_service", conversation_id="c1", text=text, message_id="m1"
        )
        assert run["reply"].startswith(f"Order {ORDER} is delivered.")
        again = await _call(
            client, "message_customer_service", conversation_id="c1", text=text, message_id="m1"
        )
        assert again["replayed"] is True
        state = await _call(client, "get_conversation", conversation_id="c1")
        assert [m["role"] for m in state["messages"]].count("customer") == 1


async def test_the_demand_plan_says_why_it_cannot_run_without_demand_data(store_dir: Path) -> None:
    async with _connected(store_dir) as client:
        message = await _refused(client, "run_demand_plan")
        assert "AgentUnavailableError" in message and "demand data" in message


async def test_a_server_behind_keys_refuses_a_call_without_one(store_dir: Path) -> None:
    server = build_mcp_server(_service(store_dir), keys=InMemoryApiKeyStore())
    async with Client(server) as client:
        refused = await _refused(client, "list_approvals")
    assert "AuthenticationError" in refused


def test_a_server_serves_one_merchant_or_checks_keys_never_both(store_dir: Path) -> None:
    with pytest.raises(ValueError, match="either merchant_id"):
        build_mcp_server(_service(store_dir), merchant_id="acme", keys=InMemoryApiKeyStore())
