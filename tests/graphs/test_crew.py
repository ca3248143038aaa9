"""The crew end to end with the rules model: events, routing, the cross-agent paths, approvals."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.store.memory import InMemoryStore

from shopcrew.agents.approvals.queue import ApprovalQueue, Decision
from shopcrew.agents.digest import build_digest
from shopcrew.agents.policy import Policy
from shopcrew.errors import AgentUnavailableError, InvalidEventError, StaleApprovalError
from shopcrew.graphs.crew import build_crew, crew_builder, send_event
from shopcrew.graphs.events import (
    AuditTick,
    BudgetReviewTick,
    CustomerMessage,
    HumanDecision,
    thread_for,
)
from shopcrew.memory import InMemoryBlackboard, RedisSaver, RedisStore
from shopcrew.memory.blackboard.entries import (
    REFUND_SPIKE,
    CampaignNote,
    CustomerComplaint,
    StockAlert,
)
from shopcrew.models import resolve_model
from shopcrew.tools.adapters import Adapters


def _crew(adapters: Adapters, policy: Policy | None = None, **memory: Any) -> Any:
    return build_crew(model=resolve_model("rules"), adapters=adapters, policy=policy, **memory)


def test_a_bad_event_is_refused_and_nothing_runs(adapters: Adapters) -> None:
    store = InMemoryStore()
    crew = _crew(adapters, store=store)
    with pytest.raises(InvalidEventError, match="listing_ids"):
        send_event(crew, {"kind": "audit_tick", "listing_ids": "all"})
    with pytest.raises(InvalidEventError):
        send_event(crew, {"kind": "coffee_break"})
    assert store.search(("crew",)) == []


def test_customer_messages_need_the_cs_agent(adapters: Adapters) -> None:
    builder = crew_builder(model=resolve_model("rules"), adapters=adapters, cs_agent=False)
    crew = builder.compile(checkpointer=InMemorySaver(), store=InMemoryStore())
    with pytest.raises(AgentUnavailableError):
        send_event(crew, CustomerMessage(conversation_id="c1", text="hello"))


def test_a_complaint_reaches_the_next_audit_and_the_digest(adapters: Adapters) -> None:
    store = InMemoryStore()
    crew = _crew(adapters, store=store)
    listing = adapters.listings.list_listings()[4]
    sku = listing.variants[0].sku
    board = InMemoryBlackboard(store=store)
    board.post(
        CustomerComplaint(
            author="cs_agent", item_id=sku, product_id="p1", text="arrived broken", severity="high"
        )
    )
    first = adapters.listings.list_listings()[0].id
    out = send_event(crew, AuditTick(listing_ids=[first]))
    audited = {x["listing_id"]: x for x in out["report"]["listings"]}
    assert sorted(audited) == sorted([first, listing.id])
    assert audited[listing.id]["complaints"] == [f"{sku}: arrived broken"]
    digest = build_digest(store, board)
    assert f"- {sku} (p1, high): arrived broken — re-checked in the audit" in digest
    assert "ABSOLUTE_CLAIM" in digest
    later = send_event(crew, AuditTick(listing_ids=[first]))
    assert [x["listing_id"] for x in later["report"]["listings"]] == [first]


def test_a_stock_out_pauses_its_campaigns(adapters: Adapters) -> None:
    store = InMemoryStore()
    crew = _crew(adapters, policy=Policy(budget_move_threshold=100.0), store=store)
    campaign = adapters.ads.list_campaigns()[0]
    assert campaign.listing_id is not None
    InMemoryBlackboard(store=store).post(StockAlert(product_id=campaign.listing_id, level=0))
    out = send_event(crew, BudgetReviewTick())
    assert out["report"]["paused"] == [campaign.id]
    assert adapters.ads.get_campaign(campaign.id).status == "paused"
    assert out["report"]["applied"] is True
    planned = {m["campaign_id"] for m in out["report"]["moves"]}
    assert campaign.id not in planned
    assert "paused (out of stock): " + campaign.id in build_digest(
        store, InMemoryBlackboard(store=store)
    )


def test_a_big_budget_move_waits_for_approval_then_applies(adapters: Adapters) -> None:
    store = InMemoryStore()
    crew = _crew(adapters, policy=Policy(budget_move_threshold=0.0), store=store)
    before = {c.id: c.current_budget() for c in adapters.ads.list_campaigns()}
    out = send_event(crew, BudgetReviewTick())
    assert "__interrupt__" in out
    [record] = ApprovalQueue(store).pending()
    assert record.request.requested_by == "planner"
    assert "Expected GMV" in record.request.reason
    assert {c.id: c.current_budget() for c in adapters.ads.list_campaigns()} == before
    decision = HumanDecision(decision=Decision.answering(record, "approve", by="ana"))
    done = send_event(crew, decision)
    assert done["approvals"][0]["status"] == "approved"
    budgets = record.request.payload["budgets"]
    assert isinstance(budgets, dict)
    assert {c.id: c.current_budget() for c in adapters.ads.list_campaigns()} == budgets
    with pytest.raises(StaleApprovalError):
        send_event(crew, decision)
    assert "`" + record.request.id + "` set_campaign_budgets: approved by ana" in build_digest(
        store, InMemoryBlackboard(store=store)
    )


def test_a_crew_approval_is_resumed_by_a_second_crew_over_redis(
    adapters: Adapters, redis_url: str, namespace: str
) -> None:
    policy = Policy(budget_move_threshold=0.0)
    with (
        RedisSaver.from_url(redis_url, namespace=namespace) as saver,
        RedisStore.from_url(redis_url, namespace=namespace) as store,
    ):
        out = send_event(
            _crew(adapters, policy, checkpointer=saver, store=store), BudgetReviewTick()
        )
        assert "__interrupt__" in out
    with (
        RedisSaver.from_url(redis_url, namespace=namespace) as saver,
        RedisStore.from_url(redis_url, namespace=namespace) as store,
    ):
        second = _crew(adapters, policy, checkpointer=saver, store=store)
        [record] = ApprovalQueue(store).pending()
        decision = HumanDecision(decision=Decision.answering(record, "approve", by="ana"))
        done = send_event(second, decision)
        assert done["approvals"][0]["status"] == "approved"
        assert ApprovalQueue(store).pending() == []
    budgets = record.request.payload["budgets"]
    assert {c.id: c.current_budget() for c in adapters.ads.list_campaigns()} == budgets


def test_a_refund_spike_lowers_its_campaigns_priority(store_dir: Path) -> None:
    proposed: list[dict[str, float]] = []
    for spiked in (False, True):
        adapters = Adapters.from_store_dir(store_dir)
        store = InMemoryStore()
        crew = _crew(adapters, policy=Policy(budget_move_threshold=100.0), store=store)
        campaign = adapters.ads.list_campaigns()[0]
        if spiked:
            note = CampaignNote(
                campaign_id="*", product_id=campaign.listing_id, text=f"{REFUND_SPIKE}: 3"
            )
            InMemoryBlackboard(store=store).post(note)
        out = send_event(crew, BudgetReviewTick())
        assert out["report"]["refund_rates"] == (
            {campaign.listing_id: pytest.approx(0.2)} if spiked else {}
        )
        proposed.append({c.id: c.current_budget() for c in adapters.ads.list_campaigns()})
    first = adapters.ads.list_campaigns()[0].id
    assert proposed[1][first] < proposed[0][first]


class _CrashOnce:
    """An ads adapter whose second budget write crashes the run, once (a killed worker)."""

    def __init__(self, inner: Any) -> None:
        self._inner, self.writes, self.crashed = inner, 0, False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def set_campaign_budget(self, campaign_id: str, budget: float, **kwargs: Any) -> Any:
        self.writes += 1
        if self.writes == 2 and not self.crashed:
            self.crashed = True
            raise RuntimeError("worker killed mid-write")
        return self._inner.set_campaign_budget(campaign_id, budget, **kwargs)


def test_a_review_resumed_after_a_crash_applies_the_budgets_it_planned(
    adapters: Adapters, store_dir: Path, tmp_path: Path
) -> None:
    policy = Policy(budget_move_threshold=100.0)
    # The same review on a copy of the store, without a crash: the budgets it applies.
    clean = Adapters.from_store_dir(shutil.copytree(store_dir, tmp_path / "clean"))
    send_event(_crew(clean, policy=policy), BudgetReviewTick())
    expected = {c.id: c.current_budget() for c in clean.ads.list_campaigns()}

    crashing = dataclasses.replace(adapters, ads=_CrashOnce(adapters.ads))
    crew = _crew(crashing, policy=policy, checkpointer=InMemorySaver())
    tick = BudgetReviewTick()
    with pytest.raises(RuntimeError, match="mid-write"):
        send_event(crew, tick)
    config = {"configurable": {"thread_id": thread_for(tick, merchant_id="default")}}
    out = crew.invoke(None, config)  # what a worker does with a run it takes over
    assert out["report"]["applied"] is True
    # Not a new plan made from the budgets the crashed run had half changed.
    after = {c.id: c.current_budget() for c in adapters.ads.list_campaigns()}
    assert after == pytest.approx(expected)
