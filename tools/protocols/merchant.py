"""Adapter Protocols for a merchant's listings, ad campaigns and knowledge base.

Agents depend on these, never on a backend: the JSON reference backends live in
`shopcrew.tools.reference`, and a platform API can be plugged in instead.
Every adapter serves one merchant (`merchant_id`). Writes take a keyword `idempotency_key`:
the same key sent twice applies the write once and returns the first result (a platform
adapter forwards it, for example as an `Idempotency-Key` header).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from shopcrew.tools.records.campaigns import Campaign
from shopcrew.tools.records.kb import KbArticle, KbLang
from shopcrew.tools.records.listings import Listing, ListingPatch, ListingStatus

__all__ = ["AdsAdapter", "KnowledgeBaseAdapter", "ListingAdapter", "ScoredArticle"]


class ListingAdapter(Protocol):
    """Reads and changes one merchant's product listings."""

    merchant_id: str

    def get_listing(self, listing_id: str) -> Listing:
        """The listing with this id.

        Raises:
            UnknownRecordError: No such listing.
        """
        ...

    def list_listings(self, *, status: ListingStatus | None = None) -> list[Listing]:
        """Every listing (with `status`, when given), in store order."""
        ...

    def update_listing(
        self, listing_id: str, patch: ListingPatch, *, idempotency_key: str | None = None
    ) -> Listing:
        """Apply `patch` to a listing and return the updated listing.

        Raises:
            UnknownRecordError: No such listing.
            ToolInputError: The patched listing would be invalid; nothing changed.
            IdempotencyConflictError: The key was used for another request.
        """
        ...

    def set_listing_status(
        self, listing_id: str, status: ListingStatus, *, idempotency_key: str | None = None
    ) -> Listing:
        """Publish (`active`), pause or draft a listing; returns the updated listing."""
        ...

    async def aget_listing(self, listing_id: str) -> Listing:
        """Async twin of `get_listing`."""
        ...

    async def alist_listings(self, *, status: ListingStatus | None = None) -> list[Listing]:
        """Async twin of `list_listings`."""
        ...

    async def aupdate_listing(
        self, listing_id: str, patch: ListingPatch, *, idempotency_key: str | None = None
    ) -> Listing:
        """Async twin of `update_listing`."""
        ...

    async def aset_listing_status(
        self, listing_id: str, status: ListingStatus, *, idempotency_key: str | None = None
    ) -> Listing:
        """Async twin of `set_listing_status`."""
        ...


class AdsAdapter(Protocol):
    """Reads one merchant's ad campaigns with their history, and changes their budgets."""

    merchant_id: str

    def get_campaign(self, campaign_id: str) -> Campaign:
        """The campaign with this id, history included.

        Raises:
            UnknownRecordError: No such campaign.
        """
        ...

    def list_campaigns(self) -> list[Campaign]:
        """Every campaign, history included, in store order."""
        ...

    def set_campaign_budget(
        self, campaign_id: str, daily_budget: float, *, idempotency_key: str | None = None
    ) -> Campaign:
        """Set a campaign's daily budget; returns the updated campaign.

        Raises:
            UnknownRecordError: No such campaign.
            ToolInputError: The budget is not finite or outside the campaign's bounds.
            IdempotencyConflictError: The key was used for another request.
        """
        ...

    def pause_campaign(self, campaign_id: str, *, idempotency_key: str | None = None) -> Campaign:
        """Pause a campaign (pausing a paused campaign changes nothing)."""
        ...

    def resume_campaign(self, campaign_id: str, *, idempotency_key: str | None = None) -> Campaign:
        """Resume a paused campaign (resuming an active one changes nothing)."""
        ...

    async def aget_campaign(self, campaign_id: str) -> Campaign:
        """Async twin of `get_campaign`."""
        ...

    async def alist_campaigns(self) -> list[Campaign]:
        """Async twin of `list_campaigns`."""
        ...

    async def aset_campaign_budget(
        self, campaign_id: str, daily_budget: float, *, idempotency_key: str | None = None
    ) -> Campaign:
        """Async twin of `set_campaign_budget`."""
        ...

    async def apause_campaign(
        self, campaign_id: str, *, idempotency_key: str | None = None
    ) -> Campaign:
        """Async twin of `pause_campaign`."""
        ...

    async def aresume_campaign(
        self, campaign_id: str, *, idempotency_key: str | None = None
    ) -> Campaign:
        """Async twin of `resume_campaign`."""
        ...


@dataclass(frozen=True, slots=True)
class ScoredArticle:
    """A knowledge-base search hit."""

    article: KbArticle
    score: float
    """Relevance (BM25 for the reference backend); higher is better, only the order matters."""


class KnowledgeBaseAdapter(Protocol):
    """Reads and searches one merchant's knowledge base."""

    merchant_id: str

    def get_article(self, article_id: str) -> KbArticle:
        """The article with this id.

        Raises:
            UnknownRecordError: No such article.
        """
        ...

    def list_articles(self, *, lang: KbLang | None = None) -> list[KbArticle]:
        """Every article (in `lang`, when given), in store order."""
        ...

    def search(self, query: str, *, lang: KbLang | None = None, k: int = 3) -> list[ScoredArticle]:
        """The at most `k` articles (in `lang`, when given) that best match `query`, best first.

        Articles that share no word with the query are left out, so the list may be empty.
        """
        ...

    async def aget_article(self, article_id: str) -> KbArticle:
        """Async twin of `get_article`."""
        ...

    async def alist_articles(self, *, lang: KbLang | None = None) -> list[KbArticle]:
        """Async twin of `list_articles`."""
        ...

    async def asearch(
        self, query: str, *, lang: KbLang | None = None, k: int = 3
    ) -> list[ScoredArticle]:
        """Async twin of `search`."""
        ...
