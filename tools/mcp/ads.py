"""The `AdsAdapter` Protocol on a platform's MCP server, for platforms whose table maps it.

A platform table may map the ads methods too (`get_campaign`, `list_campaigns`,
`set_campaign_budget`, `pause_campaign`, `resume_campaign`: all of them or none). Budget
changes carry their idempotency key to the platform, as retail writes do.
"""

from __future__ import annotations

from pydantic import JsonValue

from shopcrew.errors import PlatformResponseError
from shopcrew.tools.mcp._platform import McpPlatform, Values
from shopcrew.tools.records.campaigns import Campaign

__all__ = ["McpAdsAdapter"]


class McpAdsAdapter:
    """`AdsAdapter` on a platform's MCP tools."""

    def __init__(self, platform: McpPlatform) -> None:
        self.platform = platform
        self.merchant_id = platform.merchant_id

    def _one(self, value: JsonValue) -> Campaign:
        return self.platform.record("campaign", value, Campaign)

    def _all(self, value: JsonValue) -> list[Campaign]:
        if not isinstance(value, list):
            raise PlatformResponseError("list_campaigns", f"a {type(value).__name__}")
        return [self._one(item) for item in value]

    def get_campaign(self, campaign_id: str) -> Campaign:
        """See `AdsAdapter.get_campaign`."""
        return self._one(self.platform.run("get_campaign", {"campaign_id": campaign_id}))

    def list_campaigns(self) -> list[Campaign]:
        """See `AdsAdapter.list_campaigns`."""
        return self._all(self.platform.run("list_campaigns", {}))

    def set_campaign_budget(
        self, campaign_id: str, daily_budget: float, *, idempotency_key: str | None = None
    ) -> Campaign:
        """See `AdsAdapter.set_campaign_budget`."""
        values: Values = {"campaign_id": campaign_id, "daily_budget": daily_budget}
        return self._one(self.platform.run("set_campaign_budget", values, idempotency_key))

    def pause_campaign(self, campaign_id: str, *, idempotency_key: str | None = None) -> Campaign:
        """See `AdsAdapter.pause_campaign`."""
        values: Values = {"campaign_id": campaign_id}
        return self._one(self.platform.run("pause_campaign", values, idempotency_key))

    def resume_campaign(self, campaign_id: str, *, idempotency_key: str | None = None) -> Campaign:
        """See `AdsAdapter.resume_campaign`."""
        values: Values = {"campaign_id": campaign_id}
        return self._one(self.platform.run("resume_campaign", values, idempotency_key))

    async def aget_campaign(self, campaign_id: str) -> Campaign:
        """Async twin of `get_campaign`."""
        return self._one(await self.platform.arun("get_campaign", {"campaign_id": campaign_id}))

    async def alist_campaigns(self) -> list[Campaign]:
        """Async twin of `list_campaigns`."""
        return self._all(await self.platform.arun("list_campaigns", {}))

    async def aset_campaign_budget(
        self, campaign_id: str, daily_budget: float, *, idempotency_key: str | None = None
    ) -> Campaign:
        """Async twin of `set_campaign_budget`."""
        values: Values = {"campaign_id": campaign_id, "daily_budget": daily_budget}
        return self._one(await self.platform.arun("set_campaign_budget", values, idempotency_key))

    async def apause_campaign(
        self, campaign_id: str, *, idempotency_key: str | None = None
    ) -> Campaign:
        """Async twin of `pause_campaign`."""
        values: Values = {"campaign_id": campaign_id}
        return self._one(await self.platform.arun("pause_campaign", values, idempotency_key))

    async def aresume_campaign(
        self, campaign_id: str, *, idempotency_key: str | None = None
    ) -> Campaign:
        """Async twin of `resume_campaign`."""
        values: Values = {"campaign_id": campaign_id}
        return self._one(await self.platform.arun("resume_campaign", values, idempotency_key))
