"""LangChain tools for the store manager (listings), the planner (ads) and KB search.

Each tool has a pydantic argument schema that refuses unknown fields, returns JSON (or a
short text) a model can read, and reports problems as a result starting with `Error:`.
Write tools go through an `IdempotencyStore` keyed by `{thread_id}:{tool_call_id}` (see
`shopcrew.tools._tool_support.idempotency_key`): a retried graph step applies once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool
from pydantic import BaseModel, Field

from shopcrew.tools.idempotency.base import IdempotencyStore, InMemoryIdempotencyStore
from shopcrew.tools.langchain._support import (
    A,
    ToolArgs,
    arun_write,
    make_tool,
    run_write,
    to_json,
)
from shopcrew.tools.protocols.merchant import (
    AdsAdapter,
    KnowledgeBaseAdapter,
    ListingAdapter,
    ScoredArticle,
)
from shopcrew.tools.records.kb import KbLang
from shopcrew.tools.records.listings import ListingPatch, ListingStatus

__all__ = ["build_ads_tools", "build_kb_tools", "build_listing_tools"]


class GetListingArgs(ToolArgs):
    """Arguments of `get_listing`."""

    listing_id: str = Field(min_length=1, description="The listing id.")


class ListListingsArgs(ToolArgs):
    """Arguments of `list_listings`."""

    status: ListingStatus | None = Field(
        default=None, description="Only listings with this status: active, paused or draft."
    )


class UpdateListingArgs(ToolArgs):
    """Arguments of `update_listing`."""

    listing_id: str = Field(min_length=1, description="The listing id.")
    changes: ListingPatch = Field(
        description="Fields to change (title, description, images, attributes, options, "
        "variants, status); attributes are merged into the existing ones."
    )


class SetListingStatusArgs(ToolArgs):
    """Arguments of `set_listing_status`."""

    listing_id: str = Field(min_length=1, description="The listing id.")
    status: ListingStatus = Field(description="active (live), paused or draft.")


class NoArgs(ToolArgs):
    """No arguments."""


class CampaignArgs(ToolArgs):
    """A campaign id."""

    campaign_id: str = Field(min_length=1, description="The campaign id.")


class SetBudgetArgs(ToolArgs):
    """Arguments of `set_campaign_budget`."""

    campaign_id: str = Field(min_length=1, description="The campaign id.")
    daily_budget: float = Field(
        ge=0, allow_inf_nan=False, description="New daily budget, within the campaign's bounds."
    )


class SearchKbArgs(ToolArgs):
    """Arguments of `search_knowledge_base`."""

    query: str = Field(min_length=1, description="The customer's question, in their words.")
    lang: KbLang | None = Field(default=None, description="Only articles in 'zh' or 'en'.")
    k: int = Field(default=3, ge=1, le=10, description="How many articles at most.")


def _write_tool(
    store: IdempotencyStore,
    apply: Callable[[A, str | None], BaseModel],
    aapply: Callable[[A, str | None], Awaitable[BaseModel]],
    *,
    name: str,
    args_schema: type[A],
    description: str,
    exclude_unset: bool = False,
) -> BaseTool:
    """A write tool: `apply(args, key)` once per idempotency key, its record as JSON.

    The arguments recorded with the key are the call's (`exclude_unset`: only those given).
    """

    def handler(a: A, config: RunnableConfig) -> str:
        arguments = a.model_dump(mode="json", exclude_unset=exclude_unset)
        return run_write(
            store, config, name=name, arguments=arguments, apply=lambda key: to_json(apply(a, key))
        )

    async def ahandler(a: A, config: RunnableConfig) -> str:
        async def applied(key: str | None) -> str:
            return to_json(await aapply(a, key))

        arguments = a.model_dump(mode="json", exclude_unset=exclude_unset)
        return await arun_write(store, config, name=name, arguments=arguments, apply=applied)

    return make_tool(handler, ahandler, name=name, args_schema=args_schema, description=description)


def build_listing_tools(
    listings: ListingAdapter, *, idempotency: IdempotencyStore | None = None
) -> list[BaseTool]:
    """The store manager's tools: get_listing, list_listings, update_listing, set_listing_status.

    Args:
        listings: The merchant's listings.
        idempotency: Where write results are recorded; defaults to an in-memory store.
    """
    store = idempotency or InMemoryIdempotencyStore(merchant_id=listings.merchant_id)

    def get(a: GetListingArgs, config: RunnableConfig) -> str:
        return to_json(listings.get_listing(a.listing_id))

    async def aget(a: GetListingArgs, config: RunnableConfig) -> str:
        return to_json(await listings.aget_listing(a.listing_id))

    def list_(a: ListListingsArgs, config: RunnableConfig) -> str:
        return to_json(list(listings.list_listings(status=a.status)))

    async def alist(a: ListListingsArgs, config: RunnableConfig) -> str:
        return to_json(list(await listings.alist_listings(status=a.status)))

    return [
        make_tool(
            get,
            aget,
            name="get_listing",
            args_schema=GetListingArgs,
            description="Get one product listing (title, description, images, attributes, "
            "options, variants with price and stock, status) as JSON.",
        ),
        make_tool(
            list_,
            alist,
            name="list_listings",
            args_schema=ListListingsArgs,
            description="List the merchant's product listings as JSON, optionally only "
            "those with one status.",
        ),
        _write_tool(
            store,
            lambda a, key: listings.update_listing(a.listing_id, a.changes, idempotency_key=key),
            lambda a, key: listings.aupdate_listing(a.listing_id, a.changes, idempotency_key=key),
            name="update_listing",
            args_schema=UpdateListingArgs,
            description="Change fields of a listing (for example fix a title or add a "
            "missing attribute). Returns the updated listing as JSON.",
            exclude_unset=True,
        ),
        _write_tool(
            store,
            lambda a, key: listings.set_listing_status(a.listing_id, a.status, idempotency_key=key),
            lambda a, key: listings.aset_listing_status(
                a.listing_id, a.status, idempotency_key=key
            ),
            name="set_listing_status",
            args_schema=SetListingStatusArgs,
            description="Publish (active), pause or draft a listing. Returns the updated "
            "listing as JSON.",
        ),
    ]


def build_ads_tools(
    ads: AdsAdapter, *, idempotency: IdempotencyStore | None = None
) -> list[BaseTool]:
    """The planner's tools: get_campaigns, set_campaign_budget, pause_campaign.

    Args:
        ads: The merchant's campaigns.
        idempotency: Where write results are recorded; defaults to an in-memory store.
    """
    store = idempotency or InMemoryIdempotencyStore(merchant_id=ads.merchant_id)

    def campaigns(a: NoArgs, config: RunnableConfig) -> str:
        return to_json(list(ads.list_campaigns()))

    async def acampaigns(a: NoArgs, config: RunnableConfig) -> str:
        return to_json(list(await ads.alist_campaigns()))

    return [
        make_tool(
            campaigns,
            acampaigns,
            name="get_campaigns",
            args_schema=NoArgs,
            description="Get every ad campaign as JSON: channel, budget bounds, current "
            "daily budget, status and the daily history of budget and GMV.",
        ),
        _write_tool(
            store,
            lambda a, key: ads.set_campaign_budget(
                a.campaign_id, a.daily_budget, idempotency_key=key
            ),
            lambda a, key: ads.aset_campaign_budget(
                a.campaign_id, a.daily_budget, idempotency_key=key
            ),
            name="set_campaign_budget",
            args_schema=SetBudgetArgs,
            description="Set a campaign's daily budget (within its min/max bounds). "
            "Returns the updated campaign as JSON.",
        ),
        _write_tool(
            store,
            lambda a, key: ads.pause_campaign(a.campaign_id, idempotency_key=key),
            lambda a, key: ads.apause_campaign(a.campaign_id, idempotency_key=key),
            name="pause_campaign",
            args_schema=CampaignArgs,
            description="Pause a campaign so it stops spending. Returns it as JSON.",
        ),
    ]


def _hits(hits: list[ScoredArticle]) -> str:
    if not hits:
        return "No knowledge-base article matches; do not invent a policy."
    return to_json(
        {
            "articles": [
                {"id": h.article.id, "title": h.article.title, "body": h.article.body} for h in hits
            ]
        }
    )


def build_kb_tools(kb: KnowledgeBaseAdapter) -> list[BaseTool]:
    """The knowledge-base tool: search_knowledge_base."""

    def search(a: SearchKbArgs, config: RunnableConfig) -> str:
        return _hits(kb.search(a.query, lang=a.lang, k=a.k))

    async def asearch(a: SearchKbArgs, config: RunnableConfig) -> str:
        return _hits(await kb.asearch(a.query, lang=a.lang, k=a.k))

    return [
        make_tool(
            search,
            asearch,
            name="search_knowledge_base",
            args_schema=SearchKbArgs,
            description="Search the shop's knowledge base (shipping, returns, refunds, "
            "invoices, warranty, payment, hours...). Returns the best articles as JSON; "
            "answer from their facts, keeping numbers as written.",
        ),
    ]
