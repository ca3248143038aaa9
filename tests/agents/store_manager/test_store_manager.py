"""Store manager: complaints pull listings into the audit; clean paused ones ask to go live."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from shopcrew.agents.approvals.queue import ApprovalQueue, Decision
from shopcrew.agents.policy import Policy
from shopcrew.agents.store_manager.manager import audit_store, price_slip_fixes, propose_fixes
from shopcrew.graphs.approval_gate import decide
from shopcrew.graphs.events import AuditTick
from shopcrew.graphs.store_manager import build_store_manager
from shopcrew.memory.blackboard.entries import CustomerComplaint
from shopcrew.tools import Adapters, JsonAdsAdapter, JsonListingAdapter, load_listings

DEV = Path(__file__).resolve().parents[3].parent / "shared" / "eval" / "listings_dev.jsonl"
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


def _priced(prices: list[float], list_price: float | None = None) -> JsonListingAdapter:
    """One listing of the dev file whose variants cost `prices` (sizes of one product)."""
    base = load_listings(DEV)[0].model_copy(update={"expect_defects": None})
    variants = [
        base.variants[0].model_copy(
            update={
                "sku": f"sku-{i}",
                "options": {name: values[0] for name, values in base.options.items()},
                "price": price,
                "list_price": list_price,
                "stock": 5,
            }
        )
        for i, price in enumerate(prices)
    ]
    return JsonListingAdapter([base.model_copy(update={"variants": variants})])


def test_a_decimal_slip_is_proposed_as_a_price_correction() -> None:
    for prices, sku, proposed in [
        ([199.0, 199.0, 19.9, 219.0], "sku-2", 199.0),
        ([88.0, 8800.0, 92.0], "sku-1", 88.0),
        ([2.5, 260.0, 249.0, 255.0], "sku-0", 250.0),
    ]:
        adapter = _priced(prices)
        [listing] = adapter.list_listings()
        [fix] = price_slip_fixes(listing)
        assert (fix.sku, fix.proposed) == (sku, proposed)
        requests = propose_fixes(
            audit_store(adapter), adapter, policy=Policy(), now=NOW, run_id="r"
        )
        assert [(r.action, r.payload) for r in requests] == [
            ("set_variant_price", {"listing_id": listing.id, "sku": sku, "price": proposed})
        ]


def test_an_anomaly_that_is_no_slip_is_left_to_a_person() -> None:
    for prices, list_price in [
        ([129.0, 500.0, 520.0], None),  # 129 is 25% of 510: no power of ten brings it near
        ([199.0, 199.0, 19.9], 150.0),  # 199 would be above the list price
        ([0.0, 10.0], None),
        ([120.0, 100.0], 110.0),  # above its list price, but no slip
    ]:
        adapter = _priced(prices, list_price)
        [listing] = adapter.list_listings()
        assert "PRICE_ANOMALY" in audit_store(adapter)[0].codes
        assert price_slip_fixes(listing) == []


def _adapters(listings: JsonListingAdapter) -> Adapters:
    """The reference adapters with these listings and no campaigns."""
    return replace(Adapters.reference(), listings=listings, ads=JsonAdsAdapter())


def test_the_store_manager_asks_before_correcting_a_price_and_applies_it_once() -> None:
    listings = _priced([199.0, 19.9, 209.0])
    manager = build_store_manager(adapters=_adapters(listings))
    config = {"configurable": {"thread_id": "audit-1"}}
    out = manager.invoke({"event": AuditTick(id="a1", at=NOW).model_dump(mode="json")}, config)
    assert "__interrupt__" in out
    [listing] = listings.list_listings()
    assert [v.price for v in listing.variants] == [199.0, 19.9, 209.0]
    queue = ApprovalQueue(manager.store, clock=lambda: NOW)
    [record] = queue.pending()
    assert record.request.action == "set_variant_price"
    decide(manager, queue, Decision.answering(record, "approve", by="ana"))
    [listing] = listings.list_listings()
    assert [v.price for v in listing.variants] == [199.0, 199.0, 209.0]
    assert queue.pending() == []


def test_without_a_price_approval_policy_the_slip_is_corrected_at_once() -> None:
    listings = _priced([199.0, 19.9, 209.0])
    policy = Policy(approve_price_change=False)
    manager = build_store_manager(adapters=_adapters(listings), policy=policy)
    config = {"configurable": {"thread_id": "audit-2"}}
    out = manager.invoke({"event": AuditTick(id="a2", at=NOW).model_dump(mode="json")}, config)
    assert "__interrupt__" not in out
    [listing] = listings.list_listings()
    assert [v.price for v in listing.variants] == [199.0, 199.0, 209.0]
