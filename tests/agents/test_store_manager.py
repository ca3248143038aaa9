"""Store manager: complaints pull listings into the audit; clean paused ones ask to go live."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from shopcrew.agents.approvals_policy import Policy
from shopcrew.agents.store_manager import audit_store, propose_fixes
from shopcrew.memory.blackboard_entries import CustomerComplaint
from shopcrew.tools import JsonListingAdapter, load_listings

DEV = Path(__file__).resolve().parents[2].parent / "shared" / "eval" / "listings_dev.jsonl"
NOW = datetime(2025, 3, 1, tzinfo=UTC)


def _adapter() -> JsonListingAdapter:
    listings = [x.model_copy(update={"expect_defects": None}) for x in load_listings(DEV)[:6]]
    return JsonListingAdapter(listings)


def test_a_complained_listing_is_audited_even_when_not_scheduled() -> None:
    adapter = _adapter()
    first, other = adapter.list_listings()[0], adapter.list_listings()[2]
    sku = other.variants[1].sku
    complaint = CustomerComplaint(item_id=sku, product_id="p", text="seams torn", severity="low")
    reports = audit_store(adapter, complaints=[complaint], listing_ids=[first.id])
    assert [(r.listing_id, r.complaints) for r in reports] == [
        (first.id, ()),
        (other.id, (f"{sku}: seams torn",)),
    ]
    assert reports[1].codes == ("TITLE_TOO_LONG",)


def test_a_clean_paused_listing_is_proposed_for_approval_to_go_live() -> None:
    adapter = _adapter()
    clean = adapter.list_listings()[1]
    adapter.set_listing_status(clean.id, "paused")
    reports = audit_store(adapter)
    [request] = propose_fixes(reports, adapter, policy=Policy(), now=NOW, run_id="r1")
    assert (request.action, request.payload) == (
        "set_listing_status",
        {"listing_id": clean.id, "status": "active"},
    )
    assert request.expires_at - request.created_at == Policy().approval_ttl
