"""Listings and campaigns shared by worker processes: one worker's write is the next one's read."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from redis import Redis
from support.merchant_store import EVAL, build_store_dir

from shopcrew.agents.approvals.queue import ApprovalQueue, ApprovalRecord, Decision
from shopcrew.agents.store_manager.manager import price_slip_fixes
from shopcrew.graphs.events import AuditTick, BudgetReviewTick, HumanDecision
from shopcrew.memory import Memory, connect
from shopcrew.memory.namespaces import audits_namespace, reviews_namespace
from shopcrew.tools.adapters import Adapters
from shopcrew.tools.records.listings import Listing
from shopcrew.workers import EventQueue, shared_adapters
from tests.workers.conftest import MERCHANT, WorkerProcess, processed_count, wait_processed

Start = Callable[..., WorkerProcess]


def _slipped_listing() -> Listing:
    """The first dev listing with exactly one variant priced a power of ten off its siblings."""
    for line in (EVAL / "listings_dev.jsonl").read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        data.pop("expect_defects", None)
        listing = Listing.model_validate(data)
        if len(price_slip_fixes(listing)) == 1:
            return listing
    raise AssertionError("no dev listing has a single price slip")


@pytest.fixture
def store_dir(tmp_path: Path, tau_dir: Path) -> Path:
    """The crew tests' store (τ-bench db, dev listings, three campaigns) plus a price slip."""
    root = build_store_dir(tmp_path / "store", tau_dir, listings=4)
    with (root / "listings.jsonl").open("a", encoding="utf-8") as file:
        file.write(_slipped_listing().model_dump_json() + "\n")
    return root


@pytest.fixture
def memory(redis_url: str, namespace: str) -> Iterator[Memory]:
    """The merchant's memory as the workers open it (approval queue, reports)."""
    with connect(redis_url, merchant_id=MERCHANT, namespace=namespace) as opened:
        yield opened


def _shared(client: Redis, queue: EventQueue, store_dir: Path) -> Adapters:
    """The merchant's shared adapters as a third process sees them."""
    return shared_adapters(client, queue.keys, store_dir=store_dir)


def _run(client: Redis, queue: EventQueue, *events: Any) -> None:
    """Enqueue the events and wait until every event so far is processed."""
    for event in events:
        queue.enqueue(event)
    total = len(queue.processed()) + len(events)
    wait_processed(client, queue, processed_count(total), f"{total} events to be processed")


def _approve(queue: EventQueue, memory: Memory) -> ApprovalRecord:
    """Approve the one waiting request through the queue; return it."""
    [record] = ApprovalQueue(memory.store, merchant_id=MERCHANT).pending()
    queue.enqueue(HumanDecision(decision=Decision.answering(record, "approve", by="ana")))
    return record


def _budgets(adapters: Adapters) -> dict[str, float]:
    return {c.id: c.current_budget() for c in adapters.ads.list_campaigns()}


@pytest.mark.slow  # worker processes
def test_a_budget_change_applied_by_one_worker_is_read_by_another(
    client: Redis,
    queue: EventQueue,
    memory: Memory,
    redis_url: str,
    namespace: str,
    workers: Start,
    store_dir: Path,
) -> None:
    before = _budgets(_shared(client, queue, store_dir))
    first = workers(redis_url, namespace, "--store-dir", str(store_dir))
    _run(client, queue, BudgetReviewTick())
    record = _approve(queue, memory)
    wait_processed(client, queue, processed_count(2), "the approval to be applied")
    assert first.terminate() == 0
    approved = record.request.payload["budgets"]
    assert isinstance(approved, dict) and approved != before
    assert _budgets(_shared(client, queue, store_dir)) == approved
    # The campaigns file is the initial state only: the change lives in Redis.
    assert _budgets(Adapters.from_store_dir(store_dir)) == before

    second = workers(redis_url, namespace, "--store-dir", str(store_dir))
    review = BudgetReviewTick()
    _run(client, queue, review)
    assert second.terminate() == 0
    report = memory.store.get(reviews_namespace(MERCHANT), review.id)
    assert report is not None
    assert {m["campaign_id"]: m["current"] for m in report.value["moves"]} == approved
    assert [e["op"] for e in queue.effects()] == ["set_campaign_budget"] * len(approved)
    assert queue.dead_letters() == [] and queue.pending() == 0


@pytest.mark.slow  # worker processes
def test_a_listing_fix_applied_by_one_worker_is_read_by_another(
    client: Redis,
    queue: EventQueue,
    memory: Memory,
    redis_url: str,
    namespace: str,
    workers: Start,
    store_dir: Path,
) -> None:
    slipped = _slipped_listing()
    [fix] = price_slip_fixes(slipped)
    first = workers(redis_url, namespace, "--store-dir", str(store_dir))
    audit = AuditTick(listing_ids=[slipped.id])
    _run(client, queue, audit)
    found = memory.store.get(audits_namespace(MERCHANT), audit.id)
    assert found is not None
    [flagged] = found.value["listings"]
    assert "PRICE_ANOMALY" in flagged["codes"]
    record = _approve(queue, memory)
    assert record.request.payload == {
        "listing_id": slipped.id,
        "sku": fix.sku,
        "price": fix.proposed,
    }
    wait_processed(client, queue, processed_count(2), "the price fix to be applied")
    assert first.terminate() == 0
    fixed = _shared(client, queue, store_dir).listings.get_listing(slipped.id)
    assert {v.sku: v.price for v in fixed.variants} == {
        v.sku: fix.proposed if v.sku == fix.sku else v.price for v in slipped.variants
    }

    second = workers(redis_url, namespace, "--store-dir", str(store_dir))
    again = AuditTick(listing_ids=[slipped.id])
    _run(client, queue, again)
    assert second.terminate() == 0
    found = memory.store.get(audits_namespace(MERCHANT), again.id)
    assert found is not None
    [audited] = found.value["listings"]
    assert "PRICE_ANOMALY" not in audited["codes"]
    assert ApprovalQueue(memory.store, merchant_id=MERCHANT).pending() == []
    [effect] = queue.effects()
    assert (effect["op"], effect["targets"]) == ("update_listing", f"listing:{slipped.id}")


@pytest.mark.slow  # worker processes
def test_a_budget_change_is_applied_once_when_its_worker_is_killed_mid_event(
    client: Redis,
    queue: EventQueue,
    memory: Memory,
    redis_url: str,
    namespace: str,
    workers: Start,
    store_dir: Path,
) -> None:
    first = workers(redis_url, namespace, "--store-dir", str(store_dir), "--pause-after-budget")
    _run(client, queue, BudgetReviewTick())
    record = _approve(queue, memory)
    first.wait_line("paused: committed")  # the first budget change is written
    first.kill()
    approved = record.request.payload["budgets"]
    assert isinstance(approved, dict) and len(approved) > 1
    [applied] = queue.effects()
    assert applied["op"] == "set_campaign_budget"
    assert len(queue.processed()) == 1 and queue.pending() == 1

    second = workers(redis_url, namespace, "--store-dir", str(store_dir))
    wait_processed(client, queue, processed_count(2), "the second worker to finish the approval")
    assert second.terminate() == 0
    assert "already applied" in second.output()
    effects = queue.effects()
    assert [e["op"] for e in effects] == ["set_campaign_budget"] * len(approved)
    assert sorted(e["targets"] for e in effects) == sorted(f"campaign:{c}" for c in approved)
    assert effects[0] == applied
    assert _budgets(_shared(client, queue, store_dir)) == approved
    assert queue.dead_letters() == [] and queue.pending() == 0
