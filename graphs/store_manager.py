"""The store manager's subgraph: audit ticks and order events in, findings and approvals out."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.config import get_store
from langgraph.graph import START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.store.base import BaseStore
from langgraph.store.memory import InMemoryStore

from shopcrew.agents.approvals.actions import apply_action
from shopcrew.agents.approvals.queue import Clock, utc_now
from shopcrew.agents.policy import Policy
from shopcrew.agents.store_manager.manager import audit_store, propose_fixes
from shopcrew.graphs.approval_gate import ApprovalGate, ApprovalState
from shopcrew.graphs.events import AuditTick, OrderEvent, parse_event
from shopcrew.memory.blackboard.base import Blackboard, InMemoryBlackboard
from shopcrew.memory.blackboard.entries import REFUND_SPIKE, CampaignNote, CustomerComplaint
from shopcrew.memory.namespaces import audits_namespace
from shopcrew.tools.adapters import Adapters
from shopcrew.tools.protocols.merchant import AdsAdapter, ListingAdapter

__all__ = [
    "StoreManagerState",
    "build_store_manager",
    "store_manager_builder",
]

logger = logging.getLogger(__name__)


class StoreManagerState(ApprovalState, total=False):
    """The store manager's state: the event it handles and what it reported."""

    event: dict[str, Any]
    report: dict[str, Any]


@dataclass(frozen=True, slots=True)
class _StoreManager:
    listings: ListingAdapter
    ads: AdsAdapter
    policy: Policy
    merchant_id: str
    clock: Clock
    blackboard: Blackboard | None

    def _board(self, store: BaseStore) -> Blackboard:
        return self.blackboard or InMemoryBlackboard(store=store, merchant_id=self.merchant_id)

    def handle_order(self, state: StoreManagerState) -> dict[str, Any]:
        """Count refund requests per product; post a refund spike note past the threshold."""
        event = parse_event(state["event"])
        assert isinstance(event, OrderEvent)
        if event.status != "refund_requested":
            return {"report": {"kind": "order_event", "order_id": event.order_id}}
        store = get_store()
        namespace = ("crew", self.merchant_id, "refunds")
        spikes: list[str] = []
        window = timedelta(hours=self.policy.refund_window_hours)
        for product_id in event.product_ids:
            found = store.get(namespace, product_id)
            times = [datetime.fromisoformat(t) for t in (found.value["at"] if found else [])]
            times = [t for t in times if event.at - t < window] + [event.at]
            store.put(namespace, product_id, {"at": [t.isoformat() for t in times]}, index=False)
            if len(times) == self.policy.refund_spike_count:
                spikes.append(product_id)
                self._board(store).post(
                    CampaignNote(
                        author="store_manager",
                        campaign_id="*",
                        product_id=product_id,
                        text=f"{REFUND_SPIKE}: {len(times)} refund requests in {window}",
                    )
                )
        return {"report": {"kind": "order_event", "refund_spikes": spikes}}

    def audit_listings(self, state: StoreManagerState) -> dict[str, Any]:
        """Audit the listings and the complained SKUs; keep the report; propose risky fixes."""
        event = parse_event(state["event"])
        assert isinstance(event, AuditTick)
        store = get_store()
        audits = audits_namespace(self.merchant_id)
        last = store.get(audits[:2], "last_audit")
        since = datetime.fromisoformat(last.value["at"]) if last else None
        complaints = [
            entry
            for entry in self._board(store).entries(kind="complaint", since=since)
            if isinstance(entry, CustomerComplaint)
        ]
        reports = audit_store(self.listings, complaints=complaints, listing_ids=event.listing_ids)
        now = self.clock()
        report = {
            "kind": "audit",
            "run_id": event.id,
            "at": now.isoformat(),
            "listings": [r.as_json() for r in reports],
        }
        store.put(audits, event.id, report, index=False)
        store.put(audits[:2], "last_audit", {"at": now.isoformat()}, index=False)
        proposals = propose_fixes(
            reports, self.listings, policy=self.policy, now=now, run_id=event.id
        )
        needs_person = {
            "set_listing_status": self.policy.approve_unpause,
            "set_variant_price": self.policy.approve_price_change,
        }
        for request in [p for p in proposals if not needs_person[p.action]]:
            apply_action(
                request.action,
                request.payload,
                listings=self.listings,
                ads=self.ads,
                idempotency_key=request.id,
            )
        proposals = [p for p in proposals if needs_person[p.action]]
        return {"report": report, "proposals": [p.model_dump(mode="json") for p in proposals]}


def route_store_manager(state: StoreManagerState) -> Literal["audit_listings", "handle_order"]:
    """Audit ticks go to the audit, order events to the refund counter."""
    return "audit_listings" if state["event"]["kind"] == "audit_tick" else "handle_order"


def after_audit(state: StoreManagerState) -> Literal["await_approval", "__end__"]:
    """Ask for approvals when the audit proposed risky actions."""
    return "await_approval" if state.get("proposals") else "__end__"


def store_manager_builder(
    *,
    adapters: Adapters | None = None,
    policy: Policy | None = None,
    merchant_id: str = "default",
    blackboard: Blackboard | None = None,
    clock: Clock = utc_now,
) -> StateGraph[StoreManagerState, Any, StoreManagerState, StoreManagerState]:
    """The store manager's graph, uncompiled: input `{"event": <AuditTick or OrderEvent>}`.

    Args:
        adapters: The merchant's adapters (listings; campaigns, which approved actions may
            touch); the reference store when omitted.
        policy: The merchant policy; defaults apply when omitted.
        merchant_id: The merchant.
        blackboard: Where complaints are read and notes posted; default: over the store.
        clock: The current time.
    """
    adapters = adapters or Adapters.reference(merchant_id=merchant_id)
    listings, ads = adapters.listings, adapters.ads
    agent = _StoreManager(listings, ads, policy or Policy(), merchant_id, clock, blackboard)
    gate = ApprovalGate(
        listings=listings, ads=ads, blackboard=blackboard, merchant_id=merchant_id, clock=clock
    )
    builder = StateGraph(StoreManagerState)
    builder.add_node("audit_listings", agent.audit_listings)
    builder.add_node("handle_order", agent.handle_order)
    builder.add_node("await_approval", gate.await_approval)
    builder.add_node("apply_approved", gate.apply_approved)
    builder.add_conditional_edges(START, route_store_manager)
    builder.add_conditional_edges("audit_listings", after_audit)
    builder.add_conditional_edges("await_approval", gate.after_await)
    builder.add_conditional_edges("apply_approved", gate.after_apply)
    return builder


def build_store_manager(
    *,
    model: BaseChatModel | None = None,
    adapters: Adapters | None = None,
    checkpointer: BaseCheckpointSaver[Any] | None = None,
    store: BaseStore | None = None,
    merchant_id: str = "default",
    policy: Policy | None = None,
    blackboard: Blackboard | None = None,
    clock: Clock = utc_now,
) -> CompiledStateGraph[StoreManagerState, Any, StoreManagerState, StoreManagerState]:
    """The store manager alone, compiled (in-memory checkpointer and store by default).

    The agents' factories share one shape; the store manager's rules need no chat model, so
    `model` is accepted and unused.
    """
    del model
    builder = store_manager_builder(
        adapters=adapters,
        policy=policy,
        merchant_id=merchant_id,
        blackboard=blackboard,
        clock=clock,
    )
    return builder.compile(
        checkpointer=checkpointer or InMemorySaver(), store=store or InMemoryStore()
    )
