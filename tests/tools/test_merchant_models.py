from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pydantic import ValidationError

from shopcrew.errors import ApprovalStateError, DuplicateKeyError, StoreFileError
from shopcrew.tools.records.approvals import ApprovalRequest, action_hash
from shopcrew.tools.records.campaigns import Campaign, load_campaigns
from shopcrew.tools.records.escalations import EscalationTicket
from shopcrew.tools.records.kb import load_kb
from shopcrew.tools.records.listings import Listing, ListingPatch, load_listings

EVAL_DIR = (
    Path(os.environ.get("SHOPCREW_SHARED", Path(__file__).resolve().parents[3] / "shared")) / "eval"
)
NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _lines(name: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in (EVAL_DIR / name).read_text("utf-8").splitlines()]


def test_every_dev_listing_loads_and_dumps_back_unchanged() -> None:
    listings = load_listings(EVAL_DIR / "listings_dev.jsonl")
    raw = _lines("listings_dev.jsonl")
    assert len(listings) == len(raw) == 80
    assert [json.loads(item.model_dump_json()) for item in listings] == raw


def test_every_campaign_of_the_market_file_loads_as_a_campaign() -> None:
    campaigns = [c for market in _lines("markets_dev.jsonl") for c in market["campaigns"]]  # type: ignore[attr-defined]
    loaded = [Campaign.model_validate(c) for c in campaigns]
    assert len(loaded) == 349
    assert [json.loads(c.model_dump_json(exclude={"status"})) for c in loaded] == campaigns
    assert loaded[0].current_budget() == loaded[0].history[-1].budget


def test_every_kb_article_loads() -> None:
    articles = load_kb(EVAL_DIR / "cs_kb.jsonl")
    assert len(articles) == 28
    assert {a.lang for a in articles} == {"zh", "en"}


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _listing_line(**changes: object) -> str:
    raw = _lines("listings_dev.jsonl")[0]
    raw.update(changes)
    return json.dumps(raw, ensure_ascii=False)


def test_a_listing_with_a_bad_price_names_file_record_and_field(tmp_path: Path) -> None:
    raw = _lines("listings_dev.jsonl")[1]
    raw["variants"][0]["price"] = "cheap"  # type: ignore[index]
    path = _write(tmp_path, "listings.jsonl", [_listing_line(), json.dumps(raw)])
    with pytest.raises(StoreFileError) as caught:
        load_listings(path)
    error = caught.value
    assert (error.path, error.record, error.field) == (
        str(path),
        f"{raw['id']} (line 2)",
        "variants.0.price",
    )
    assert str(path) in str(error) and "variants.0.price" in str(error)


@pytest.mark.parametrize(
    ("line", "record", "field"),
    [
        ("{not json", "line 1", None),
        ("[1, 2]", "line 1", None),
        (_listing_line(colour="red"), "prd_4c1933b5de (line 1)", "colour"),
        (_listing_line(status="deleted"), "prd_4c1933b5de (line 1)", "status"),
        (json.dumps({"lang": "en"}), "line 1", "id"),
    ],
    ids=["not-json", "not-object", "unknown-field", "bad-status", "no-id"],
)
def test_malformed_listing_lines_are_refused(
    tmp_path: Path, line: str, record: str, field: str | None
) -> None:
    path = _write(tmp_path, "listings.jsonl", [line])
    with pytest.raises(StoreFileError) as caught:
        load_listings(path)
    assert (caught.value.record, caught.value.field) == (record, field)


def test_a_line_repeating_a_key_is_refused_naming_file_line_and_key(tmp_path: Path) -> None:
    line = _listing_line().replace('{"id": ', '{"title": "twice", "id": ', 1)
    assert line.count('"title"') == 2
    path = _write(tmp_path, "listings.jsonl", [_listing_line(), line])
    with pytest.raises(DuplicateKeyError) as caught:
        load_listings(path)
    assert (caught.value.path, caught.value.record, caught.value.key) == (
        str(path),
        "line 2",
        "title",
    )


def test_a_repeated_listing_id_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "listings.jsonl", [_listing_line(), "", _listing_line()])
    with pytest.raises(StoreFileError) as caught:
        load_listings(path)
    assert (caught.value.record, caught.value.field) == ("prd_4c1933b5de (line 3)", "id")


def test_a_campaign_with_a_bad_history_day_names_the_nested_field(tmp_path: Path) -> None:
    campaign = _lines("markets_dev.jsonl")[0]["campaigns"][2]  # type: ignore[index]
    campaign["history"][5]["gmv"] = -1  # type: ignore[index]
    path = _write(tmp_path, "campaigns.jsonl", [json.dumps(campaign, ensure_ascii=False)])
    with pytest.raises(StoreFileError) as caught:
        load_campaigns(path)
    assert (caught.value.record, caught.value.field) == ("c03 (line 1)", "history.5.gmv")


def test_a_kb_article_without_a_body_is_refused(tmp_path: Path) -> None:
    article = {"id": "x-en", "lang": "en", "title": "X", "tags": []}
    path = _write(tmp_path, "kb.jsonl", [json.dumps(article)])
    with pytest.raises(StoreFileError) as caught:
        load_kb(path)
    assert (caught.value.record, caught.value.field) == ("x-en (line 1)", "body")


def test_a_missing_file_is_a_store_file_error(tmp_path: Path) -> None:
    with pytest.raises(StoreFileError) as caught:
        load_kb(tmp_path / "nope.jsonl")
    assert caught.value.path == str(tmp_path / "nope.jsonl")


def test_a_patch_merges_attributes_and_keeps_the_rest() -> None:
    listing = load_listings(EVAL_DIR / "listings_dev.jsonl")[0]
    patched = ListingPatch(title="New", attributes={"brand": None}).apply(listing)
    assert patched == listing.model_copy(
        update={"title": "New", "attributes": {**listing.attributes, "brand": None}}
    )


def test_a_patch_with_an_unknown_field_is_refused() -> None:
    with pytest.raises(ValidationError):
        ListingPatch.model_validate({"price": 3})


def test_repeated_skus_are_refused() -> None:
    raw = _lines("listings_dev.jsonl")[0]
    raw["variants"][1]["sku"] = raw["variants"][0]["sku"]  # type: ignore[index]
    with pytest.raises(ValidationError, match="SKUs repeat"):
        Listing.model_validate(raw)


def test_escalation_ticket_needs_an_aware_time_and_forbids_extras() -> None:
    fields = {
        "id": "t1",
        "merchant_id": "m",
        "customer_id": None,
        "thread_id": "th",
        "reason": "customer_request",
        "summary": "wants a person",
        "created_at": NOW,
    }
    ticket = EscalationTicket.model_validate(fields)
    assert ticket.with_status("resolved").status == "resolved"
    with pytest.raises(ValidationError):
        EscalationTicket.model_validate({**fields, "created_at": NOW.replace(tzinfo=None)})
    with pytest.raises(ValidationError):
        EscalationTicket.model_validate({**fields, "priority": 1})


def _request() -> ApprovalRequest:
    return ApprovalRequest.create(
        id="a1",
        requested_by="planner",
        action="set_campaign_budget",
        payload={"campaign_id": "c01", "daily_budget": 120.0},
        reason="raise the best campaign",
        created_at=NOW,
        expires_at=NOW + timedelta(hours=1),
    )


def test_an_approval_request_is_bound_to_its_payload() -> None:
    request = _request()
    assert request.action_hash == action_hash("set_campaign_budget", request.payload)
    tampered = request.model_dump() | {"payload": {"campaign_id": "c01", "daily_budget": 9e9}}
    with pytest.raises(ValidationError, match="does not match"):
        ApprovalRequest.model_validate(tampered)


def test_an_approval_decision_is_final_and_late_ones_expire() -> None:
    request = _request()
    approved = request.decide("approved", by="alice", now=NOW)
    assert (approved.status, approved.decided_by) == ("approved", "alice")
    with pytest.raises(ApprovalStateError):
        approved.decide("rejected", by="bob", now=NOW)
    late = NOW + timedelta(hours=2)
    assert request.effective_status(late) == "expired"
    assert request.decide("approved", by="alice", now=late).status == "expired"


def test_a_patch_of_variants_keeps_their_null_list_prices() -> None:
    listing = load_listings(EVAL_DIR / "listings_dev.jsonl")[0]
    variants = [v.model_copy(update={"list_price": None, "stock": 0}) for v in listing.variants]
    patched = ListingPatch(variants=variants).apply(listing)
    assert [v.list_price for v in patched.variants] == [None] * len(variants)
    assert [v.stock for v in patched.variants] == [0] * len(variants)
