from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from shopcrew.errors import (
    IdempotencyConflictError,
    StoreWriteError,
    ToolInputError,
    UnknownRecordError,
)
from shopcrew.tools.protocols.merchant import AdsAdapter, KnowledgeBaseAdapter, ListingAdapter
from shopcrew.tools.records.campaigns import Campaign
from shopcrew.tools.records.listings import ListingPatch, load_listings
from shopcrew.tools.reference.ads import CAMPAIGNS_FILE, JsonAdsAdapter
from shopcrew.tools.reference.kb import KB_FILE, JsonKnowledgeBaseAdapter
from shopcrew.tools.reference.listings import LISTINGS_FILE, JsonListingAdapter

EVAL_DIR = (
    Path(os.environ.get("SHOPCREW_SHARED", Path(__file__).resolve().parents[3] / "shared")) / "eval"
)


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    shutil.copy(EVAL_DIR / "listings_dev.jsonl", tmp_path / LISTINGS_FILE)
    shutil.copy(EVAL_DIR / "cs_kb.jsonl", tmp_path / KB_FILE)
    campaign = Campaign(
        id="c1",
        channel="google_pmax",
        name="Kettles",
        min_budget=10.0,
        max_budget=500.0,
        history=[],
        daily_budget=100.0,
    )
    (tmp_path / CAMPAIGNS_FILE).write_text(campaign.model_dump_json() + "\n", encoding="utf-8")
    return tmp_path


def test_reference_adapters_satisfy_the_protocols(store_dir: Path) -> None:
    listings: ListingAdapter = JsonListingAdapter.from_dir(store_dir, merchant_id="m1")
    ads: AdsAdapter = JsonAdsAdapter.from_dir(store_dir, merchant_id="m1")
    kb: KnowledgeBaseAdapter = JsonKnowledgeBaseAdapter.from_dir(store_dir, merchant_id="m1")
    assert (listings.merchant_id, ads.merchant_id, kb.merchant_id) == ("m1", "m1", "m1")


def test_missing_optional_files_give_empty_adapters(tmp_path: Path) -> None:
    assert JsonListingAdapter.from_dir(tmp_path).list_listings() == []
    assert JsonAdsAdapter.from_dir(tmp_path).list_campaigns() == []
    assert JsonKnowledgeBaseAdapter.from_dir(tmp_path).search("shipping") == []


def test_listing_update_is_written_to_the_file(store_dir: Path) -> None:
    adapter = JsonListingAdapter.from_dir(store_dir)
    first = adapter.list_listings()[0]
    updated = adapter.update_listing(first.id, ListingPatch(title="Better title"))
    assert updated.title == "Better title"
    assert load_listings(store_dir / LISTINGS_FILE)[0] == updated
    assert JsonListingAdapter.from_dir(store_dir).get_listing(first.id) == updated


def test_same_idempotency_key_applies_once_and_returns_the_first_result(store_dir: Path) -> None:
    adapter = JsonListingAdapter.from_dir(store_dir)
    listing_id = adapter.list_listings()[0].id
    first = adapter.set_listing_status(listing_id, "paused", idempotency_key="k1")
    adapter.set_listing_status(listing_id, "draft")
    again = adapter.set_listing_status(listing_id, "paused", idempotency_key="k1")
    assert again == first
    assert adapter.get_listing(listing_id).status == "draft"
    with pytest.raises(IdempotencyConflictError):
        adapter.set_listing_status(listing_id, "active", idempotency_key="k1")


def test_a_failed_disk_write_changes_nothing(
    store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    adapter = JsonListingAdapter.from_dir(store_dir)
    before_file = (store_dir / LISTINGS_FILE).read_bytes()
    listing = adapter.list_listings()[0]

    def refuse(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(StoreWriteError, match="disk full"):
        adapter.set_listing_status(listing.id, "paused", idempotency_key="k")
    monkeypatch.undo()
    assert adapter.get_listing(listing.id) == listing
    assert (store_dir / LISTINGS_FILE).read_bytes() == before_file
    assert sorted(p.name for p in store_dir.iterdir()) == [CAMPAIGNS_FILE, KB_FILE, LISTINGS_FILE]
    # The failed key was not recorded: a retry applies.
    assert adapter.set_listing_status(listing.id, "paused", idempotency_key="k").status == "paused"


def test_an_invalid_patch_changes_nothing(store_dir: Path) -> None:
    adapter = JsonListingAdapter.from_dir(store_dir)
    listing = adapter.list_listings()[0]
    variants = [listing.variants[0], listing.variants[0]]
    with pytest.raises(ToolInputError, match="SKUs repeat"):
        adapter.update_listing(listing.id, ListingPatch(variants=variants))
    assert adapter.get_listing(listing.id) == listing


def test_unknown_listing_names_the_merchant(store_dir: Path) -> None:
    adapter = JsonListingAdapter.from_dir(store_dir, merchant_id="m7")
    with pytest.raises(UnknownRecordError, match="m7"):
        adapter.get_listing("nope")


def test_list_listings_filters_by_status(store_dir: Path) -> None:
    adapter = JsonListingAdapter.from_dir(store_dir)
    paused = adapter.list_listings(status="paused")
    assert paused and all(item.status == "paused" for item in paused)


async def test_budget_within_bounds_is_set_and_outside_refused(store_dir: Path) -> None:
    ads = JsonAdsAdapter.from_dir(store_dir)
    assert (await ads.aset_campaign_budget("c1", 250.0)).daily_budget == 250.0
    for bad in (5.0, 501.0, float("nan")):
        with pytest.raises(ToolInputError, match="outside its bounds"):
            ads.set_campaign_budget("c1", bad)
    assert (await ads.aget_campaign("c1")).daily_budget == 250.0
    assert (await ads.apause_campaign("c1")).status == "paused"
    assert ads.resume_campaign("c1").status == "active"
    reloaded = JsonAdsAdapter.from_dir(store_dir).get_campaign("c1")
    assert (reloaded.daily_budget, reloaded.status) == (250.0, "active")


@pytest.fixture(scope="module")
def kb() -> JsonKnowledgeBaseAdapter:
    return JsonKnowledgeBaseAdapter.from_file(EVAL_DIR / "cs_kb.jsonl")


@pytest.mark.parametrize(
    ("query", "lang", "topic"),
    [
        ("运费险怎么理赔？", "zh", "insurance"),
        ("我想开发票", "zh", "invoices"),
        ("寄到夏威夷要多久", "zh", "remote"),
        ("你们客服几点上班，怎么转人工", "zh", "hours"),
        ("退货有几天期限", "zh", "returns"),
        ("How long does delivery to Alaska take?", "en", "remote"),
        ("Which payment methods do you accept?", "en", "payment"),
        ("The price dropped after I bought it", "en", "price"),
        ("What warranty do electronics have?", "en", "warranty"),
        ("When will my refund arrive on my card?", "en", "refunds"),
    ],
)
def test_kb_search_finds_the_topic(
    kb: JsonKnowledgeBaseAdapter, query: str, lang: str, topic: str
) -> None:
    hits = kb.search(query, lang=lang, k=3)  # type: ignore[arg-type]
    assert hits[0].article.id == f"{topic}-{lang}"
    assert all(hit.article.lang == lang for hit in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


async def test_kb_search_limits_and_filters(kb: JsonKnowledgeBaseAdapter) -> None:
    assert len(await kb.asearch("shipping", k=1)) == 1
    assert kb.search("zzzz qqqq") == []
    assert kb.search("shipping", k=0) == []
    assert {a.lang for a in kb.list_articles(lang="zh")} == {"zh"}
    with pytest.raises(UnknownRecordError):
        kb.get_article("nope")
