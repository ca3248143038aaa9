"""The store manager's work: audit listings, re-check complained SKUs, propose risky fixes.

Pure functions over the `ListingAdapter`, the blackboard's entries and the `Policy`; the
graph (`shopcrew.graphs.store_manager_graph`) wires them to the approval gate.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from shopcrew.agents.approvals_policy import Policy
from shopcrew.agents.audit_findings import defect_codes
from shopcrew.agents.audit_rules import audit_listing
from shopcrew.memory.blackboard_entries import CustomerComplaint
from shopcrew.tools.approvals import ApprovalRequest
from shopcrew.tools.listings import Listing
from shopcrew.tools.merchant_protocols import ListingAdapter

__all__ = ["ListingReport", "audit_store", "audits_namespace", "complaints_for", "propose_fixes"]

logger = logging.getLogger(__name__)


def audits_namespace(merchant_id: str) -> tuple[str, ...]:
    """Where audit reports are kept in the store, one item per audit run."""
    return ("crew", merchant_id, "audits")


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


def propose_fixes(
    reports: Sequence[ListingReport],
    listings: ListingAdapter,
    *,
    policy: Policy,
    now: datetime,
    run_id: str,
) -> list[ApprovalRequest]:
    """Risky actions the audit suggests, as approval requests.

    A paused listing that is now clean, in stock and not complained about may go live again
    (when the policy asks approval for unpausing; otherwise the caller publishes it).
    """
    requests: list[ApprovalRequest] = []
    for report in reports:
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
