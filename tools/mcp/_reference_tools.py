"""The reference platform's marketing tools (its ad campaigns) and its two test-only tools."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Annotated, Any

from mcp.server.mcpserver import MCPServer
from pydantic import Field

from shopcrew.tools.records.campaigns import Campaign

if TYPE_CHECKING:
    from shopcrew.tools.mcp.reference_server import ReferencePlatform

__all__ = ["add_ads_tools", "add_test_tools"]

IdempotencyKey = Annotated[
    str | None, Field(description="A key per request: a repeat returns the first result.")
]


def _campaign(record: dict[str, Any]) -> dict[str, Any]:
    return {("budget_per_day" if k == "daily_budget" else k): v for k, v in record.items()}


def _dump(campaign: Campaign) -> dict[str, Any]:
    return _campaign(campaign.model_dump(mode="json"))


def add_ads_tools(server: MCPServer, p: ReferencePlatform) -> None:
    """Register the campaign tools over `p`'s campaigns."""

    async def marketing_campaign_get(id: str) -> dict[str, Any]:
        """A campaign with its daily history."""
        return {"campaign": _dump(p.read(lambda _: p.ads.get_campaign(id)))}

    async def marketing_campaign_list() -> dict[str, Any]:
        """Every campaign, with its daily history."""
        return {"campaigns": [_dump(c) for c in p.ads.list_campaigns()]}

    async def marketing_budget_update(
        id: str, amount: float, idempotency_key: IdempotencyKey = None
    ) -> dict[str, Any]:
        """Set a campaign's daily budget (within its bounds)."""
        args = {"id": id, "amount": amount}
        return {"campaign": _campaign(p.write("marketing_budget_update", args, idempotency_key))}

    async def marketing_campaign_pause(
        id: str, idempotency_key: IdempotencyKey = None
    ) -> dict[str, Any]:
        """Pause a campaign."""
        record = p.write("marketing_campaign_pause", {"id": id}, idempotency_key)
        return {"campaign": _campaign(record)}

    async def marketing_campaign_resume(
        id: str, idempotency_key: IdempotencyKey = None
    ) -> dict[str, Any]:
        """Resume a paused campaign."""
        record = p.write("marketing_campaign_resume", {"id": id}, idempotency_key)
        return {"campaign": _campaign(record)}

    tools: list[Callable[..., Awaitable[dict[str, Any]]]] = [
        marketing_campaign_get,
        marketing_campaign_list,
        marketing_budget_update,
        marketing_campaign_pause,
        marketing_campaign_resume,
    ]
    for fn in tools:
        server.add_tool(fn)


def add_test_tools(server: MCPServer, p: ReferencePlatform) -> None:
    """Register `reference_reset` and `reference_store_sha256` (tests and replays only)."""

    async def reference_reset() -> dict[str, Any]:
        """Test only: start the store afresh from its files; returns its hash."""
        return {"sha256": p.reset()}

    async def reference_store_sha256() -> dict[str, Any]:
        """Test only: the store's canonical hash (τ-bench's `final_db_sha256`)."""
        return {"sha256": p.store.store_sha256()}

    server.add_tool(reference_reset)
    server.add_tool(reference_store_sha256)
