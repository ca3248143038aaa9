"""The reference `AdsAdapter`: campaigns in memory, optionally kept in `campaigns.jsonl`."""

from __future__ import annotations

from pathlib import Path

from shopcrew.errors import ToolInputError
from shopcrew.tools.records.campaigns import Campaign, CampaignStatus, load_campaigns
from shopcrew.tools.reference._record_adapter import JsonRecordAdapter
from shopcrew.tools.reference._twins import async_twin

__all__ = ["CAMPAIGNS_FILE", "JsonAdsAdapter"]

CAMPAIGNS_FILE = "campaigns.jsonl"
"""The campaigns file of a store directory: one `Campaign` per line (optional)."""


class JsonAdsAdapter(JsonRecordAdapter[Campaign]):
    """One merchant's ad campaigns, in memory and (when `path` is set) in a JSON Lines file.

    Writes are atomic and honour `idempotency_key`, as `JsonListingAdapter`'s. A budget
    must be finite and within the campaign's `[min_budget, max_budget]`. Construct it with
    the campaigns, or load a store directory's `campaigns.jsonl` with `from_dir` (see
    `JsonRecordAdapter` for the arguments).
    """

    model = Campaign
    kind = "campaign"
    file_name = CAMPAIGNS_FILE
    hint = "List the merchant's campaigns with `list_campaigns()`."

    @classmethod
    def _load(cls, path: Path) -> list[Campaign]:
        return load_campaigns(path)

    def get_campaign(self, campaign_id: str) -> Campaign:
        """See `AdsAdapter.get_campaign`."""
        return self._table.get(campaign_id)

    def list_campaigns(self) -> list[Campaign]:
        """See `AdsAdapter.list_campaigns`."""
        return self._table.all()

    def set_campaign_budget(
        self, campaign_id: str, daily_budget: float, *, idempotency_key: str | None = None
    ) -> Campaign:
        """See `AdsAdapter.set_campaign_budget`."""

        def change(campaign: Campaign) -> Campaign:
            if not campaign.allows(daily_budget):
                cap = "no cap" if campaign.max_budget is None else f"{campaign.max_budget:g}"
                raise ToolInputError(
                    f"Daily budget {daily_budget!r} for campaign {campaign_id!r} is outside its "
                    f"bounds [{campaign.min_budget:g}, {cap}]; choose a budget within them. "
                    "Nothing was changed."
                )
            return campaign.model_copy(update={"daily_budget": float(daily_budget)})

        return self._table.write(
            campaign_id,
            operation="set_campaign_budget",
            arguments={"daily_budget": daily_budget},
            change=change,
            idempotency_key=idempotency_key,
        )

    def _set_status(
        self, campaign_id: str, status: CampaignStatus, idempotency_key: str | None
    ) -> Campaign:
        return self._table.write(
            campaign_id,
            operation=f"set_campaign_status:{status}",
            arguments={"status": status},
            change=lambda campaign: campaign.model_copy(update={"status": status}),
            idempotency_key=idempotency_key,
        )

    def pause_campaign(self, campaign_id: str, *, idempotency_key: str | None = None) -> Campaign:
        """See `AdsAdapter.pause_campaign`."""
        return self._set_status(campaign_id, "paused", idempotency_key)

    def resume_campaign(self, campaign_id: str, *, idempotency_key: str | None = None) -> Campaign:
        """See `AdsAdapter.resume_campaign`."""
        return self._set_status(campaign_id, "active", idempotency_key)

    aget_campaign = async_twin(get_campaign)
    alist_campaigns = async_twin(list_campaigns)
    aset_campaign_budget = async_twin(set_campaign_budget)
    apause_campaign = async_twin(pause_campaign)
    aresume_campaign = async_twin(resume_campaign)
