"""The reference `ListingAdapter`: listings in memory, optionally kept in `listings.jsonl`."""

from __future__ import annotations

from pathlib import Path

from shopcrew.tools.records.listings import Listing, ListingPatch, ListingStatus, load_listings
from shopcrew.tools.reference._record_adapter import JsonRecordAdapter
from shopcrew.tools.reference._twins import async_twin

__all__ = ["LISTINGS_FILE", "JsonListingAdapter"]

LISTINGS_FILE = "listings.jsonl"
"""The listings file of a store directory: one `Listing` per line (optional)."""


class JsonListingAdapter(JsonRecordAdapter[Listing]):
    """One merchant's listings, in memory and (when `path` is set) in a JSON Lines file.

    Writes are atomic (a failed write changes neither memory nor file) and honour
    `idempotency_key` for the life of the adapter. Async twins run the sync code: the
    work is in memory and one small file. Construct it with the listings, or load a store
    directory's `listings.jsonl` with `from_dir` (see `JsonRecordAdapter` for the arguments).
    """

    model = Listing
    kind = "listing"
    file_name = LISTINGS_FILE
    hint = "List the merchant's listings with `list_listings()`."

    @classmethod
    def _load(cls, path: Path) -> list[Listing]:
        return load_listings(path)

    def get_listing(self, listing_id: str) -> Listing:
        """See `ListingAdapter.get_listing`."""
        return self._table.get(listing_id)

    def list_listings(self, *, status: ListingStatus | None = None) -> list[Listing]:
        """See `ListingAdapter.list_listings`."""
        return [item for item in self._table.all() if status is None or item.status == status]

    def update_listing(
        self, listing_id: str, patch: ListingPatch, *, idempotency_key: str | None = None
    ) -> Listing:
        """See `ListingAdapter.update_listing`."""
        return self._table.write(
            listing_id,
            operation="update_listing",
            arguments={"patch": patch.model_dump(mode="json", exclude_unset=True)},
            change=patch.apply,
            idempotency_key=idempotency_key,
        )

    def set_listing_status(
        self, listing_id: str, status: ListingStatus, *, idempotency_key: str | None = None
    ) -> Listing:
        """See `ListingAdapter.set_listing_status`."""
        return self._table.write(
            listing_id,
            operation="set_listing_status",
            arguments={"status": status},
            change=lambda listing: listing.model_copy(update={"status": status}),
            idempotency_key=idempotency_key,
        )

    aget_listing = async_twin(get_listing)
    alist_listings = async_twin(list_listings)
    aupdate_listing = async_twin(update_listing)
    aset_listing_status = async_twin(set_listing_status)
