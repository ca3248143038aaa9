"""The store manager's work: audit listings, re-check complained SKUs, propose risky fixes.

Risky fixes wait for a person: publishing a paused listing that is clean again, and a price
that reads as a decimal slip (199 typed as 19.9 or 1990: the variant's price times a power of
ten lands near its siblings' median).

Pure functions over the `ListingAdapter`, the blackboard's entries and the `Policy`; the
graph (`shopcrew.graphs.store_manager`) wires them to the approval gate.
"""

from __future__ import annotations

import logging
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from shopcrew.agents.policy import Policy
from shopcrew.agents.store_manager.audit.findings import defect_codes
from shopcrew.agents.store_manager.audit.rules import audit_listing
from shopcrew.memory.blackboard.entries import CustomerComplaint
from shopcrew.tools.protocols.merchant import ListingAdapter
from shopcrew.tools.records.approvals import ApprovalRequest
from shopcrew.tools.records.listings import Listing

__all__ = [
    "ListingReport",
    "PriceFix",
    "audit_store",
    "complaints_for",
    "price_slip_fixes",
    "propose_fixes",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ListingReport:
    """One listing's audit: its defect codes, what to fix, and the complaints about it."""

    listing_id: str
    title: str
    status: str
    codes: tuple[str, ...]
    """Defect codes (LISTING_DEFECTS.md), in the page's order."""
    messages: tuple[str, ...]
    """Each finding's message: what is wrong and how to fix it."""
    complaints: tuple[str, ...] = ()
    """Customer complaints about one of its SKUs: `"<sku>: <text>"`."""

    def as_json(self) -> dict[str, object]:
        """The report as a JSON-ready dict (kept in the store for the digest)."""
        return {
            "listing_id": self.listing_id,
            "title": self.title,
            "status": self.status,
            "codes": list(self.codes),
            "messages": list(self.messages),
            "complaints": list(self.complaints),
        }


def complaints_for(listing: Listing, complaints: Sequence[CustomerComplaint]) -> list[str]:
    """The complaints about one of the listing's SKUs (or the listing as a product)."""
    skus = {variant.sku for variant in listing.variants}
    return [
        f"{c.item_id}: {c.text}"
        for c in complaints
        if c.item_id in skus or c.product_id == listing.id
    ]


def audit_store(
    listings: ListingAdapter,
    *,
    complaints: Sequence[CustomerComplaint] = (),
    listing_ids: Sequence[str] | None = None,
) -> list[ListingReport]:
    """Audit the merchant's listings (or the given ones) and every listing complained about.

    A complained listing is audited even when `listing_ids` leaves it out, so a complaint
    reaches the next audit whatever it was scheduled to cover.
    """
    wanted = None if listing_ids is None else set(listing_ids)
    reports: list[ListingReport] = []
    for listing in listings.list_listings():
        about = complaints_for(listing, complaints)
        if wanted is not None and listing.id not in wanted and not about:
            continue
        findings = audit_listing(listing)
        reports.append(
            ListingReport(
                listing_id=listing.id,
                title=listing.title,
                status=listing.status,
                codes=tuple(defect_codes(findings)),
                messages=tuple(f"{f.code}: {f.message}" for f in findings),
                complaints=tuple(about),
            )
        )
    logger.info(
        "audited %d listings, %d with defects, %d with complaints",
        len(reports),
        sum(bool(r.codes) for r in reports),
        sum(bool(r.complaints) for r in reports),
    )
    return reports


_SLIP_FACTORS = (10.0, 100.0, 0.1, 0.01)
_SLIP_BAND = 1.5
"""A corrected price must land within the siblings' median ÷ / × this."""


@dataclass(frozen=True, slots=True)
class PriceFix:
    """A variant price that reads as a decimal slip, and the price it was meant to be."""

    sku: str
    price: float
    proposed: float


def price_slip_fixes(listing: Listing) -> list[PriceFix]:
    """Prices off by a power of ten from the listing's other variants, with the likely price.

    Only a price outside 30%–300% of the other variants' median (a PRICE_ANOMALY) is looked
    at, and only a correction that lands near that median, not above the list price, is
    proposed; any other anomaly needs a person to say what the price should be.
    """
    fixes: list[PriceFix] = []
    prices = [variant.price for variant in listing.variants]
    if len(prices) < 2:
        return fixes
    for index, variant in enumerate(listing.variants):
        median = statistics.median(prices[:index] + prices[index + 1 :])
        if median <= 0 or 0.3 * median <= variant.price <= 3.0 * median:
            continue
        candidates = [
            round(variant.price * factor, 2)
            for factor in _SLIP_FACTORS
            if median / _SLIP_BAND <= variant.price * factor <= median * _SLIP_BAND
        ]
        ceiling = variant.list_price
        allowed = [c for c in candidates if c > 0 and (ceiling is None or c <= ceiling)]
        if allowed:
            best = min(allowed, key=lambda c: abs(c - median))
            fixes.append(PriceFix(variant.sku, variant.price, best))
    return fixes


def propose_fixes(
    reports: Sequence[ListingReport],
    listings: ListingAdapter,
    *,
    policy: Policy,
    now: datetime,
    run_id: str,
) -> list[ApprovalRequest]:
    """Risky actions the audit suggests, as approval requests.

    A paused listing that is now clean, in stock and not complained about may go live again,
    and a price that reads as a decimal slip may be corrected. Whether each waits for a person
    is the policy's (`approve_unpause`, `approve_price_change`); the caller applies the others.
    """
    requests: list[ApprovalRequest] = []
    for report in reports:
        if "PRICE_ANOMALY" in report.codes:
            listing = listings.get_listing(report.listing_id)
            for fix in price_slip_fixes(listing):
                requests.append(
                    ApprovalRequest.create(
                        id=f"{run_id}:price:{listing.id}:{fix.sku}",
                        requested_by="store_manager",
                        action="set_variant_price",
                        payload={"listing_id": listing.id, "sku": fix.sku, "price": fix.proposed},
                        reason=(
                            f"Variant {fix.sku} of {listing.id} costs {fix.price:g}, a power of "
                            f"ten off its siblings; correct it to {fix.proposed:g}."
                        ),
                        created_at=now,
                        expires_at=now + policy.approval_ttl,
                    )
                )
        if report.status != "paused" or report.codes or report.complaints:
            continue
        listing = listings.get_listing(report.listing_id)
        if not any(variant.stock > 0 for variant in listing.variants):
            continue
        requests.append(
            ApprovalRequest.create(
                id=f"{run_id}:unpause:{listing.id}",
                requested_by="store_manager",
                action="set_listing_status",
                payload={"listing_id": listing.id, "status": "active"},
                reason=f"Listing {listing.id} passes the audit and is in stock; publish it again.",
                created_at=now,
                expires_at=now + policy.approval_ttl,
            )
        )
    return requests
