"""The reference `ListingAdapter`: listings in memory, optionally kept in `listings.jsonl`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from shopcrew.tools.records.listings import Listing, ListingPatch, ListingStatus, load_listings
from shopcrew.tools.reference._record_table import RecordTable
from shopcrew.tools.reference._twins import async_twin

__all__ = ["LISTINGS_FILE", "JsonListingAdapter"]

LISTINGS_FILE = "listings.jsonl"
"""The listings file of a store directory: one `Listing` per line (optional)."""


class JsonListingAdapter:
    """One merchant's listings, in memory and (when `path` is set) in a JSON Lines file.

    Writes are atomic (a failed write changes neither memory nor file) and honour
    `idempotency_key` for the life of the adapter. Async twins run the sync code: the
    work is in memory and one small file.

    Args:
        listings: The initial listings.
        merchant_id: The merchant they belong to.
        path: The file that every write rewrites atomically, or None for memory only.
        table: Makes the table that holds them (called with `RecordTable`'s arguments):
            `RecordTable`, this process's memory, or a shared one such as
            `shopcrew.workers.SharedRecordTable.over(ledger)` (the merchant's workers
            then read and change the same listings).
    """

    def __init__(
        self,
        listings: Iterable[Listing] = (),
        *,
        merchant_id: str = "default",
        path: Path | None = None,
        table: Callable[..., RecordTable[Listing]] = RecordTable,
    ) -> None:
        self.merchant_id = merchant_id
        self._table = table(
            listings,
            model=Listing,
            kind="listing",
            merchant_id=merchant_id,
            path=path,
            hint="List the merchant's listings with `list_listings()`.",
        )

    @classmethod
    def from_dir(
        cls,
        store_dir: Path,
        *,
        merchant_id: str = "default",
        persist: bool = True,
        table: Callable[..., RecordTable[Listing]] = RecordTable,
    ) -> JsonListingAdapter:
        """Load `store_dir/listings.jsonl` (no file: no listings).

        Args:
            store_dir: The store directory.
            merchant_id: The merchant the listings belong to.
            persist: Write changes back to the file (created on the first write).
            table: Makes the table that holds them (see the class).

        Raises:
            StoreFileError: The file is malformed; nothing was loaded.
        """
        path = Path(store_dir) / LISTINGS_FILE
        listings = load_listings(path) if path.exists() else []
        return cls(listings, merchant_id=merchant_id, path=path if persist else None, table=table)

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
